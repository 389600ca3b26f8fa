"""The view: one dataclass <-> URL query <-> CLI flags, validated and clamped, and its application.

A link can hold anything, so :func:`parse_query` never raises: unknown values are dropped,
dates outside the data's range are clamped to the nearest valid value, and every change is
reported as a short notice the page shows above the map ("the nearest valid view").
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
from dataclasses import dataclass, fields, replace
from typing import Mapping

import pandas as pd

from .dates import date_floor, parse_partial_date
from .filters import EARLIEST, FILTERS, RANGES, mask
from .i18n import _
from .vocab import ENDED_STATUSES, LAYER_KEYS, LAYERS, NEVER_IN_FORCE

__all__ = ["EARLIEST", "LAYER_KEYS", "PARAM", "View", "parse_query", "apply", "add_view_arguments", "from_args"]
MULTI = tuple(f.name for f in FILTERS if f.kind == "multi")
PARAM = {f.name: f.param for f in FILTERS}
ALLOWED = {f.name: f.choices for f in FILTERS if f.kind == "multi"}
_FOCUS_RE = re.compile(r"^(" + "|".join(LAYERS) + r"):(\d{2,7})$")


@dataclass(frozen=True)
class View:
    """What the user is looking at.  Empty tuples mean "no filter"; as_of '' means today."""

    types: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    stances: tuple[str, ...] = ()
    restrictions: tuple[str, ...] = ()  # flag *groups* (FLAG_GROUPS keys): any flag Y
    models: tuple[str, ...] = ()  # 287(g) models shown
    lists: tuple[str, ...] = ()  # federal lists shown
    start: str = ""  # adopted on or after (ISO day), inclusive
    end: str = ""
    signed_from: str = ""  # 287(g) agreements signed on or after (ISO day)
    signed_to: str = ""
    as_of: str = ""  # show what was in force that day ('' = today)
    include_inactive: bool = False  # also list instruments not in force on as_of (tables only)
    focus: str = ""  # "<layer>:<geoid>" of the selected jurisdiction, or "none"
    hidden: tuple[str, ...] = ()  # map layers switched off (LAYER_KEYS)
    lang: str = ""  # the language of everything written ('' = English; i18n.LANGS)

    # ---- URL query string
    def to_query(self) -> dict[str, list[str] | str]:
        q: dict[str, list[str] | str] = {}
        for f in FILTERS:
            v = getattr(self, f.name)
            if v:
                q[f.param] = "1" if f.kind == "flag" else (list(v) if f.kind == "multi" else v)
        return q

    def as_of_date(self, today: dt.date | None = None) -> str:
        return self.as_of or (today or dt.date.today()).isoformat()

    def filters_key(self) -> tuple:
        """What decides which rows are shown (not the focus or the hidden layers): a cache key."""
        return tuple((f.name, getattr(self, f.name)) for f in fields(self) if f.name not in ("focus", "hidden", "lang"))

    def with_focus(self, focus: str) -> "View":
        return replace(self, focus=focus)


def _clamp_day(value: str, name: str, today: dt.date, notices: list[str]) -> str:
    """An ISO day within [EARLIEST, today]; partial dates become their first day; nonsense is dropped."""
    value = value.strip()[:20]
    parsed = parse_partial_date(value)
    if parsed is None:
        notices.append(_("`{param}={value}` is not a date (use YYYY-MM-DD); it was ignored.").format(param=name, value=value[:20]))
        return ""
    day = dt.date(parsed[0], parsed[1] or 1, parsed[2] or 1)
    if day < EARLIEST:
        notices.append(_("`{param}={value}` is before {day}; showing from {day}.").format(param=name, value=value,
                                                                                          day=EARLIEST.isoformat()))
        day = EARLIEST
    if day > today:
        notices.append(_("`{param}={value}` is in the future; showing {day}.").format(param=name, value=value,
                                                                                      day=today.isoformat()))
        day = today
    return day.isoformat()


def parse_query(query: Mapping[str, object], today: dt.date | None = None) -> tuple[View, list[str]]:
    """A valid View from any query mapping, plus a notice for everything that had to change."""
    today = today or dt.date.today()
    notices: list[str] = []
    kw: dict[str, object] = {}
    for f in FILTERS:
        name, param = f.name, f.param
        raw = query.get(param)
        if raw in (None, "", []):
            continue
        values = [str(v) for v in (raw if isinstance(raw, (list, tuple)) else [raw])][:60]
        if f.kind == "multi":
            good = tuple(dict.fromkeys(v for v in values if v in f.choices))
            bad = [v for v in values if v not in f.choices]
            if bad:
                notices.append(_("Unknown {param} value(s) ignored: {values}.").format(
                    param=param, values=", ".join(b[:30] for b in bad[:5])))
            kw[name] = good
        elif f.kind in ("from", "to", "day"):
            kw[name] = _clamp_day(values[0], param, today, notices)
        elif f.kind == "flag":
            kw[name] = values[0] in ("1", "true", "yes")
        elif f.kind == "one":
            v = values[0].strip().lower()
            if v in f.choices:
                kw[name] = "" if v == f.choices[0] else v
            else:
                notices.append(_("`{param}={value}` is not one of {choices}; it was ignored.").format(
                    param=param, value=v[:20], choices=", ".join(f.choices)))
        elif f.kind == "key":
            v = values[0].strip()
            if v == "none" or _FOCUS_RE.match(v):
                kw[name] = v
            else:
                notices.append(_("`focus={value}` is not a jurisdiction key such as unsd:0622710; showing the default "
                                 "view.").format(value=v[:30]))
    for lo, hi in RANGES.values():
        start, end = str(kw.get(lo.name, "")), str(kw.get(hi.name, ""))
        if start and end and start > end:
            notices.append(_("`{first}` ({start}) is after `{second}` ({end}); the two were swapped.").format(
                first=lo.param, start=start, second=hi.param, end=end))
            kw[lo.name], kw[hi.name] = end, start
    if kw.get("as_of") == today.isoformat():
        kw["as_of"] = ""
    return View(**kw), notices  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- applying a view
def in_force_mask(policies: pd.DataFrame, as_of: str) -> pd.Series:
    """Instruments in force on ``as_of`` (ISO day): adopted on or before it, not ended by then.

    Partial dates count from their first day (an instrument adopted "2016-02" is in force from
    2016-02-01); proposed and failed instruments are never in force.
    """
    adopted = policies["date_adopted"].map(date_floor)
    ended_on = policies["status_date"].map(date_floor)
    ended = policies["status"].isin(ENDED_STATUSES) & (ended_on != "") & (ended_on <= as_of)
    never = policies["status"].isin(NEVER_IN_FORCE)
    return (adopted != "") & (adopted <= as_of) & ~ended & ~never


def apply(view: View, policies: pd.DataFrame, *, today: dt.date | None = None, for_map: bool = True) -> pd.DataFrame:
    """The policy rows this view shows.  Tables may include instruments not in force (``include_inactive``)."""
    keep = mask(view, "policies", policies)
    if for_map or not view.include_inactive:
        keep &= in_force_mask(policies, view.as_of_date(today))
    return policies[keep]


# ---- command line
def add_view_arguments(parser: argparse.ArgumentParser) -> None:
    """One CLI flag per registered filter (repeatable for sets of codes); validated like a link."""
    for f in FILTERS:
        helptext = f.help or f.label
        if f.kind == "multi":
            parser.add_argument(f.flag, dest=f.name, action="append", choices=f.choices, help=f"{helptext} (repeatable)")
        elif f.kind == "flag":
            parser.add_argument(f.flag, dest=f.name, action="store_true", help=helptext)
        elif f.kind == "one":
            parser.add_argument(f.flag, dest=f.name, default="", choices=f.choices, help=helptext)
        else:
            kind = {"from": "on or after (YYYY[-MM[-DD]])", "to": "on or before (YYYY[-MM[-DD]])",
                    "day": "(YYYY-MM-DD; default today)", "key": ""}[f.kind]
            parser.add_argument(f.flag, dest=f.name, default="", help=f"{helptext} {kind}".strip())


def from_args(args: argparse.Namespace, today: dt.date | None = None) -> tuple[View, list[str]]:
    """The same validation as a link: CLI flags go through :func:`parse_query`."""
    query: dict[str, object] = {}
    for f in fields(View):
        value = getattr(args, f.name, None)
        if value in (None, "", [], False):
            continue
        query[PARAM[f.name]] = "1" if value is True else value
    return parse_query(query, today)



def agreements_shown(view: View, table) -> pd.DataFrame:
    """287(g) agreements this view shows: in force on its date, passing every filter that applies to agreements
    (state, model, signed window)."""
    from .agreements import active_on, began

    if table is None or not len(table.rows):
        return pd.DataFrame()
    rows = active_on(table, view.as_of_date())
    return rows[mask(view, "agreements", rows, {"began": began(rows)})]


def listings_shown(view: View, table) -> pd.DataFrame:
    """Federal listings in effect on the view's date that pass the filters applying to listings (state, list)."""
    from .designations import listed_on

    if table is None or table.joined is None or not len(table.joined.matched):
        return pd.DataFrame()
    rows = table.joined.matched
    rows = rows[listed_on(rows, view.as_of_date())]
    return rows[mask(view, "listings", rows)]
