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
from typing import Callable, Iterable, Mapping

import pandas as pd

from .dates import date_floor
from .vocab import (
    FEDERAL_LIST_LABEL,
    FEDERAL_LISTS,
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
    named by ``range``), ``day`` (a single ISO day), ``flag`` (on/off) or ``key`` (a jurisdiction key)."""

    name: str  # the View field
    param: str  # URL query parameter
    flag: str  # CLI flag
    kind: str
    label: str  # widget label and CLI help
    choices: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    placeholder: str = ""
    help: str = ""
    applies: tuple[tuple[str, str], ...] = ()  # (table, column) pairs it filters
    range: str = ""  # for from/to: the range's name (one widget per range)
    section: str = "main"  # where the sidebar draws it: main, 287g, layers, none (not a widget)
    phrase: Callable[[object], str] | None = None  # the filter in words, for subtitles and captions

    def label_of(self, code: str) -> str:
        return self.labels.get(code, code)


def _names(f: Filter, values) -> str:
    return " or ".join(f.label_of(v) for v in values)


def _kinds_phrase(values) -> str:
    return " and ".join(INSTRUMENT_PLURAL[t].lower() for t in values)


def _stance_phrase(values) -> str:
    verbs = {"limits_cooperation": "limit cooperation", "requires_cooperation": "require cooperation", "mixed": "do both"}
    return "that " + " or ".join(verbs[s] for s in values)


FILTERS: tuple[Filter, ...] = (
    Filter("stances", "stance", "--stance", "multi", "Direction", STANCES, STANCE_LABEL, "Both directions",
           applies=((POLICIES, "stance"),), phrase=_stance_phrase),
    Filter("types", "type", "--type", "multi", "Instrument type", INSTRUMENT_TYPES, INSTRUMENT_LABEL, "All types",
           applies=((POLICIES, "instrument_type"),), phrase=_kinds_phrase),
    Filter("restrictions", "restriction", "--restriction", "multi", "What it does", tuple(FLAG_GROUPS),
           {g: g for g in FLAG_GROUPS}, "Anything",
           help="Instruments with at least one restriction or requirement in the chosen groups.",
           applies=((POLICIES, "*flags"),), phrase=lambda v: "that do " + " or ".join(g.lower() for g in v)),  # type: ignore[attr-defined]
    Filter("levels", "level", "--level", "multi", "Level", LEVELS, LEVEL_LABEL, "All levels",
           applies=((POLICIES, "jurisdiction_level"),),
           phrase=lambda v: "of " + ", ".join(LEVEL_LABEL[x].lower() for x in v)),  # type: ignore[attr-defined]
    Filter("states", "state", "--state", "multi", "State", tuple(STATE_FIPS), STATE_NAMES, "All states",
           applies=((POLICIES, "state"), (AGREEMENTS, "state"), (LISTINGS, "state")),
           phrase=lambda v: "in " + ", ".join(STATE_NAMES.get(x, x) for x in v)),  # type: ignore[attr-defined]
    Filter("statuses", "status", "--status", "multi", "Status", STATUSES, STATUS_LABEL, "Any status",
           applies=((POLICIES, "status"),),
           phrase=lambda v: "with status " + ", ".join(STATUS_LABEL[x].lower() for x in v)),  # type: ignore[attr-defined]
    Filter("start", "from", "--from", "from", "Adopted between", range="adopted",
           help="Adoption date, to the day. Partial dates (a month or a year) count from their first day.",
           applies=((POLICIES, "date_adopted"),)),
    Filter("end", "to", "--to", "to", "Adopted between", range="adopted", applies=((POLICIES, "date_adopted"),)),
    Filter("include_inactive", "all", "--all", "flag", "Tables: also list instruments not in force that day",
           help="Repealed, struck down, blocked, failed or not yet adopted. The map always shows what was in force.",
           phrase=lambda v: "including those not in force"),
    Filter("models", "model", "--model", "multi", "287(g) model", MODELS, MODEL_LABEL, "All models", section="287g",
           applies=((AGREEMENTS, "model"),),
           phrase=lambda v: "287(g) agreements: " + " or ".join(MODEL_LABEL[x] for x in v)),  # type: ignore[attr-defined]
    Filter("signed_from", "signed_from", "--signed-from", "from", "287(g) agreements signed between", range="signed",
           section="287g", help="By signing date where ICE gives one, else the first capture that lists the agreement.",
           applies=((AGREEMENTS, "began"),)),
    Filter("signed_to", "signed_to", "--signed-to", "to", "287(g) agreements signed between", range="signed",
           section="287g", applies=((AGREEMENTS, "began"),)),
    Filter("lists", "list", "--list", "multi", "Federal list", FEDERAL_LISTS, FEDERAL_LIST_LABEL, "Both lists",
           section="287g", applies=((LISTINGS, "list"),),
           phrase=lambda v: "named on the " + " or ".join(FEDERAL_LIST_LABEL[x] for x in v)),  # type: ignore[attr-defined]
    Filter("as_of", "as_of", "--as-of", "day", "In force on",
           help="The map and tables show what was in force that day: adopted by then, not yet repealed, struck down "
                "or blocked.", section="top"),
    Filter("focus", "focus", "--focus", "key", "Selected jurisdiction", section="none",
           help="LAYER:GEOID of the selected jurisdiction, e.g. unsd:0622710"),
    Filter("hidden", "hide", "--hide", "multi", "Map layers shown", LAYER_KEYS, LAYER_LABELS, section="layers",
           help="Also in the map's layer control; snapshots and shared links use this choice."),
)
BY_NAME = {f.name: f for f in FILTERS}
RANGES: dict[str, tuple[Filter, Filter]] = {}
for _f in FILTERS:
    if _f.kind in ("from", "to"):
        lo, hi = RANGES.get(_f.range, (None, None))
        RANGES[_f.range] = (_f, hi) if _f.kind == "from" else (lo, _f)  # type: ignore[assignment]
RANGE_BOUNDS = {"adopted": EARLIEST, "signed": FIRST_287G}


def range_phrase(name: str, start: str, end: str) -> str:
    what = "adopted" if name == "adopted" else "287(g) agreements signed"
    if start and end:
        return f"{what} from {start} to {end}"
    return f"{what} on or after {start}" if start else f"{what} on or before {end}"


def describe(view) -> str:
    """Every active filter in words: 'School-board resolutions in California, adopted from 2017-06-01 to
    2019-06-30, in force on 2026-11-26'.  Each filter brings its own phrase."""
    types = getattr(view, "types")
    head = _kinds_phrase(types) if types else "instruments"
    parts = [head[0].upper() + head[1:]]
    for f in FILTERS:
        value = getattr(view, f.name)
        if f.name == "types" or not value or f.kind in ("day", "key") or f.name == "hidden":
            continue
        if f.kind == "from":
            _, hi = RANGES[f.range]
            parts.append(range_phrase(f.range, value, getattr(view, hi.name)))
        elif f.kind == "to":
            lo, _ = RANGES[f.range]
            if not getattr(view, lo.name):
                parts.append(range_phrase(f.range, "", value))
        elif f.phrase is not None:
            parts.append(f.phrase(value))
    words = " ".join(parts[:2]) + "".join(", " + p for p in parts[2:])
    return words + f", in force on {view.as_of_date()}"


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
