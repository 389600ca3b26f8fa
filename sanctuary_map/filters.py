"""Every filter of a view, defined once: URL parameter, CLI flag, widget, allowed values, label,
its phrase in words, and the table columns it applies to.

View parsing (:func:`sanctuary_map.view.parse_query`), the CLI arguments
(:func:`sanctuary_map.view.add_view_arguments`), the sidebar round trip (``ui._sidebar``) and
the description in words (:func:`describe`) all derive from :data:`FILTERS`, so a day-precise
link stays day-precise everywhere, and a filter that applies to 287(g) agreements or federal
listings applies to them in every output (see :mod:`sanctuary_map.selection`).

Widgets take their bounds from the registry, never from the loaded table: an upload or a
new dataset version cannot leave a widget holding a value outside its bounds
(:func:`clamp` is applied to the session's values before the widgets are drawn anyway).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import pandas as pd

from . import i18n
from .dates import date_floor
from .i18n import LANGS, N_, _, join_and, join_or
from .vocab import (
    FEDERAL_LIST_LABEL,
    FEDERAL_LISTS,
    FLAG_GROUP_LABEL,
    FLAG_GROUPS,
    INSTRUMENT_LABEL,
    INSTRUMENT_PLURAL,
    INSTRUMENT_TYPES,
    LAYER_KEYS,
    LAYER_LABELS,
    LEVEL_LABEL,
    LEVELS,
    MODEL_LABEL,
    MODELS,
    STANCE_LABEL,
    STANCES,
    STATE_FIPS,
    STATE_NAMES,
    STATUS_LABEL,
    STATUSES,
)

EARLIEST = dt.date(1776, 7, 4)
FIRST_287G = dt.date(2002, 1, 1)  # the first 287(g) agreement (Florida, 2002)

# The tables a filter can apply to (see selection.Selection): instruments, 287(g) agreements, federal listings.
POLICIES, AGREEMENTS, LISTINGS = "policies", "agreements", "listings"


@dataclass(frozen=True)
class Filter:
    """One filter.  ``kind``: ``multi`` (a set of codes), ``from``/``to`` (an inclusive ISO day bound of a range
    named by ``range``), ``day`` (a single ISO day), ``flag`` (on/off), ``key`` (a jurisdiction key)
    or ``one`` (one code of ``choices``; '' = the first)."""

    name: str  # the View field
    param: str  # URL query parameter
    flag: str  # CLI flag
    kind: str  # see the class docstring
    label: str  # widget label and CLI help
    choices: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    placeholder: str = ""
    help: str = ""
    applies: tuple[tuple[str, str], ...] = ()  # (table, column) pairs it filters
    range: str = ""  # for from/to: the range's name (one widget per range)
    section: str = "main"  # where the sidebar draws it: main, 287g, layers, none (not a widget)
    phrase: Callable[[Any], str] | None = None  # the filter in words, for subtitles and captions

    def label_of(self, code: str) -> str:
        """A choice's label in the current language (state and language names are not translated)."""
        text = self.labels.get(code, code)
        return text if self.name in ("states", "lang") else _(text)


def _names(f: Filter, values) -> str:
    return join_or([f.label_of(v) for v in values])


def _kinds_phrase(values) -> str:
    return join_and([_(INSTRUMENT_PLURAL[t]).lower() for t in values])


_STANCE_VERB = {"limits_cooperation": N_("limit cooperation"), "requires_cooperation": N_("require cooperation"),
                "mixed": N_("do both")}


def _stance_phrase(values) -> str:
    return _("that {verbs}").format(verbs=join_or([_(_STANCE_VERB[s]) for s in values]))


def _lower_labels(labels: Mapping[str, str], values) -> str:
    return ", ".join(_(labels[x]).lower() for x in values)


FILTERS: tuple[Filter, ...] = (
    Filter("stances", "stance", "--stance", "multi", N_("Direction"), STANCES, STANCE_LABEL, N_("Both directions"),
           applies=((POLICIES, "stance"),), phrase=_stance_phrase),
    Filter("types", "type", "--type", "multi", N_("Instrument type"), INSTRUMENT_TYPES, INSTRUMENT_LABEL, N_("All types"),
           applies=((POLICIES, "instrument_type"),), phrase=_kinds_phrase),
    Filter("restrictions", "restriction", "--restriction", "multi", N_("What it does"), tuple(FLAG_GROUPS),
           FLAG_GROUP_LABEL, N_("Anything"),
           help=N_("Instruments with at least one restriction or requirement in the chosen groups."),
           applies=((POLICIES, "*flags"),),
           phrase=lambda v: _("that do {groups}").format(groups=join_or([_(g).lower() for g in v]))),
    Filter("levels", "level", "--level", "multi", N_("Level"), LEVELS, LEVEL_LABEL, N_("All levels"),
           applies=((POLICIES, "jurisdiction_level"),),
           phrase=lambda v: _("of {levels}").format(levels=_lower_labels(LEVEL_LABEL, v))),
    Filter("states", "state", "--state", "multi", N_("State"), tuple(STATE_FIPS), STATE_NAMES, N_("All states"),
           applies=((POLICIES, "state"), (AGREEMENTS, "state"), (LISTINGS, "state")),
           phrase=lambda v: _("in {states}").format(states=", ".join(STATE_NAMES.get(x, x) for x in v))),
    Filter("statuses", "status", "--status", "multi", N_("Status"), STATUSES, STATUS_LABEL, N_("Any status"),
           applies=((POLICIES, "status"),),
           phrase=lambda v: _("with status {statuses}").format(statuses=_lower_labels(STATUS_LABEL, v))),
    Filter("start", "from", "--from", "from", N_("Adopted between"), range="adopted",
           help=N_("Adoption date, to the day. Partial dates (a month or a year) count from their first day."),
           applies=((POLICIES, "date_adopted"),)),
    Filter("end", "to", "--to", "to", N_("Adopted between"), range="adopted", applies=((POLICIES, "date_adopted"),)),
    Filter("include_inactive", "all", "--all", "flag", N_("Tables: also list instruments not in force that day"),
           help=N_("Repealed, struck down, blocked, failed or not yet adopted. The map always shows what was in force."),
           phrase=lambda v: _("including those not in force")),
    Filter("models", "model", "--model", "multi", N_("287(g) model"), MODELS, MODEL_LABEL, N_("All models"), section="287g",
           applies=((AGREEMENTS, "model"),),
           phrase=lambda v: _("287(g) agreements: {models}").format(models=join_or([_(MODEL_LABEL[x]) for x in v]))),
    Filter("signed_from", "signed_from", "--signed-from", "from", N_("287(g) agreements signed between"), range="signed",
           section="287g", help=N_("By signing date where ICE gives one, else the first capture that lists the agreement."),
           applies=((AGREEMENTS, "began"),)),
    Filter("signed_to", "signed_to", "--signed-to", "to", N_("287(g) agreements signed between"), range="signed",
           section="287g", applies=((AGREEMENTS, "began"),)),
    Filter("lists", "list", "--list", "multi", N_("Federal list"), FEDERAL_LISTS, FEDERAL_LIST_LABEL, N_("Both lists"),
           section="287g", applies=((LISTINGS, "list"),),
           phrase=lambda v: _("named on the {lists}").format(lists=join_or([_(FEDERAL_LIST_LABEL[x]) for x in v]))),
    Filter("as_of", "as_of", "--as-of", "day", N_("In force on"),
           help=N_("The map and tables show what was in force that day: adopted by then, not yet repealed, struck down "
                   "or blocked."), section="top"),
    Filter("focus", "focus", "--focus", "key", N_("Selected jurisdiction"), section="none",
           help="LAYER:GEOID of the selected jurisdiction, e.g. unsd:0622710"),
    Filter("hidden", "hide", "--hide", "multi", N_("Map layers shown"), LAYER_KEYS, LAYER_LABELS, section="layers",
           help=N_("Also in the map's layer control; snapshots and shared links use this choice.")),
    Filter("lang", "lang", "--lang", "one", N_("Language"), tuple(LANGS), LANGS, section="lang",
           help=N_("The language of the pages, legends, snapshots and embeds (policy titles stay in their own).")),
)
BY_NAME = {f.name: f for f in FILTERS}
RANGES: dict[str, tuple[Filter, Filter]] = {}
for _f in FILTERS:
    if _f.kind in ("from", "to"):
        lo, hi = RANGES.get(_f.range, (None, None))
        RANGES[_f.range] = (_f, hi) if _f.kind == "from" else (lo, _f)  # type: ignore[assignment]
RANGE_BOUNDS = {"adopted": EARLIEST, "signed": FIRST_287G}


_RANGE_WORDS = {
    "adopted": (N_("adopted from {start} to {end}"), N_("adopted on or after {start}"), N_("adopted on or before {end}")),
    "signed": (N_("287(g) agreements signed from {start} to {end}"), N_("287(g) agreements signed on or after {start}"),
               N_("287(g) agreements signed on or before {end}")),
}


def range_phrase(name: str, start: str, end: str) -> str:
    both, after, before = _RANGE_WORDS[name]
    message = both if start and end else (after if start else before)
    return _(message).format(start=i18n.day(start), end=i18n.day(end))


def widget_words(options: Mapping[str, Iterable[str]]) -> dict[str, dict[str, Any]]:
    """For each multi-value filter the sidebar draws: its URL parameter, the code behind each label its widget shows
    (in the current language; ``options`` gives the widget's choices where they are not the registry's), and whether
    the widget shows the complement of the link's values (the layers shown; the link names those hidden).  The living
    map reads a click on such a widget with these words and asks the API for the new view's results at once
    (static/js/living.js): it builds the link, never a rule."""
    out: dict[str, dict[str, Any]] = {}
    for f in FILTERS:
        if f.kind != "multi" or f.section in ("none", "lang"):
            continue
        codes = list(options.get(f.name, f.choices))
        out[f.name] = {"param": f.param, "labels": {f.label_of(c): c for c in codes}, "codes": codes,
                       "invert": f.name == "hidden"}
    return out


def describe(view) -> str:
    """Every active filter in words: 'School-board resolutions in California, adopted from 2017-06-01 to
    2019-06-30, in force on 2026-11-26'.  Each filter brings its own phrase."""
    types = getattr(view, "types")
    head = _kinds_phrase(types) if types else _("instruments")
    parts = [head[0].upper() + head[1:]]
    for f in FILTERS:
        value = getattr(view, f.name)
        if f.name == "types" or not value or f.kind in ("day", "key", "one") or f.name == "hidden":
            continue
        if f.kind == "from":
            _lo, hi = RANGES[f.range]
            parts.append(range_phrase(f.range, value, getattr(view, hi.name)))
        elif f.kind == "to":
            lo, _hi = RANGES[f.range]
            if not getattr(view, lo.name):
                parts.append(range_phrase(f.range, "", value))
        elif f.phrase is not None:
            parts.append(f.phrase(value))
    words = " ".join(parts[:2]) + "".join(", " + p for p in parts[2:])
    return _("{what}, in force on {day}").format(what=words, day=i18n.day(view.as_of_date()))


# ---------------------------------------------------------------------------- applying to a table
def mask(view, table: str, frame: pd.DataFrame, columns: Mapping[str, pd.Series] | None = None) -> pd.Series:
    """Rows of ``frame`` (one of POLICIES, AGREEMENTS, LISTINGS) that pass every filter applying to that table.

    ``columns`` supplies derived columns by name (e.g. an agreement's ``began`` date)."""
    out = pd.Series(True, index=frame.index)
    columns = columns or {}
    for f in FILTERS:
        value = getattr(view, f.name)
        if not value:
            continue
        for tname, column in f.applies:
            if tname != table:
                continue
            if column == "*flags":
                flags = [x for g in value for x in FLAG_GROUPS[g]]
                out &= (frame[flags] == "Y").any(axis=1)
                continue
            col = columns[column] if column in columns else frame[column]
            if f.kind == "multi":
                out &= col.isin(value)
            else:
                day = col.map(date_floor)
                out &= (day >= value) if f.kind == "from" else ((day != "") & (day <= value))
    return out


# ---------------------------------------------------------------------------- widgets' values
def clamp(f: Filter, value, today: dt.date, extra_choices: Iterable[str] = ()):
    """A widget value made valid for the widget's bounds (whatever a previous table or page left in the session)."""
    if f.kind == "multi":
        allowed = set(f.choices) | set(extra_choices)
        return [v for v in (value or []) if v in allowed]
    if f.kind == "flag":
        return bool(value)
    if f.kind == "day":
        return value if isinstance(value, dt.date) and EARLIEST <= value <= today else today
    return value


def clamp_range(name: str, value, today: dt.date) -> tuple[dt.date, dt.date]:
    lo = RANGE_BOUNDS[name]
    days = [d for d in (value or ()) if isinstance(d, dt.date)][:2]
    if len(days) < 2:
        days = [days[0] if days else lo, today]
    a, b = (min(max(d, lo), today) for d in days)
    return (a, b) if a <= b else (b, a)
