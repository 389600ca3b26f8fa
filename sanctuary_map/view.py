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

from .policies import date_floor, parse_partial_date
from .vocab import (
    ENDED_STATUSES,
    FEDERAL_LISTS,
    FLAG_GROUPS,
    INSTRUMENT_TYPES,
    LAYERS,
    LEVELS,
    MODELS,
    NEVER_IN_FORCE,
    STANCES,
    STATE_FIPS,
    STATUSES,
)

# Map layers a user can switch off (the layer control's overlays, by key).
LAYER_KEYS = ("state", "county", "place", "school_district", "coverage", "agreements", "federal", "zone", "zone_all",
              "border", "distance")
MULTI = ("types", "levels", "states", "statuses", "stances", "restrictions", "models", "lists", "hidden")
PARAM = {"types": "type", "levels": "level", "states": "state", "statuses": "status", "stances": "stance",
         "restrictions": "restriction", "models": "model", "lists": "list", "start": "from", "end": "to",
         "signed_from": "signed_from", "signed_to": "signed_to", "as_of": "as_of", "include_inactive": "all",
         "focus": "focus", "hidden": "hide"}
ALLOWED = {"types": INSTRUMENT_TYPES, "levels": LEVELS, "states": tuple(STATE_FIPS), "statuses": STATUSES,
           "stances": STANCES, "restrictions": tuple(FLAG_GROUPS), "models": MODELS, "lists": FEDERAL_LISTS,
           "hidden": LAYER_KEYS}
EARLIEST = dt.date(1776, 7, 4)
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

    # ---- URL query string
    def to_query(self) -> dict[str, list[str] | str]:
        q: dict[str, list[str] | str] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name == "include_inactive":
                if v:
                    q[PARAM[f.name]] = "1"
            elif v:
                q[PARAM[f.name]] = list(v) if f.name in MULTI else v
        return q

    def as_of_date(self, today: dt.date | None = None) -> str:
        return self.as_of or (today or dt.date.today()).isoformat()

    def filters_key(self) -> tuple:
        """What decides which rows are shown (not the focus or the hidden layers): a cache key."""
        return tuple((f.name, getattr(self, f.name)) for f in fields(self) if f.name not in ("focus", "hidden"))

    def with_focus(self, focus: str) -> "View":
        return replace(self, focus=focus)


def _clamp_day(value: str, name: str, today: dt.date, notices: list[str]) -> str:
    """An ISO day within [EARLIEST, today]; partial dates become their first day; nonsense is dropped."""
    value = value.strip()[:20]
    parsed = parse_partial_date(value)
    if parsed is None:
        notices.append(f"`{name}={value[:20]}` is not a date (use YYYY-MM-DD); it was ignored.")
        return ""
    day = dt.date(parsed[0], parsed[1] or 1, parsed[2] or 1)
    if day < EARLIEST:
        notices.append(f"`{name}={value}` is before {EARLIEST.isoformat()}; showing from {EARLIEST.isoformat()}.")
        day = EARLIEST
    if day > today:
        notices.append(f"`{name}={value}` is in the future; showing {today.isoformat()}.")
        day = today
    return day.isoformat()


def parse_query(query: Mapping[str, object], today: dt.date | None = None) -> tuple[View, list[str]]:
    """A valid View from any query mapping, plus a notice for everything that had to change."""
    today = today or dt.date.today()
    notices: list[str] = []
    kw: dict[str, object] = {}
    for name, param in PARAM.items():
        raw = query.get(param)
        if raw in (None, "", []):
            continue
        values = [str(v) for v in (raw if isinstance(raw, (list, tuple)) else [raw])][:60]
        if name in MULTI:
            good = tuple(dict.fromkeys(v for v in values if v in ALLOWED[name]))
            bad = [v for v in values if v not in ALLOWED[name]]
            if bad:
                notices.append(f"Unknown {param} value(s) ignored: {', '.join(b[:30] for b in bad[:5])}.")
            kw[name] = good
        elif name in ("start", "end", "as_of", "signed_from", "signed_to"):
            kw[name] = _clamp_day(values[0], param, today, notices)
        elif name == "include_inactive":
            kw[name] = values[0] in ("1", "true", "yes")
        elif name == "focus":
            v = values[0].strip()
            if v == "none" or _FOCUS_RE.match(v):
                kw[name] = v
            else:
                notices.append(f"`focus={v[:30]}` is not a jurisdiction key such as unsd:0622710; showing the default view.")
    start, end = str(kw.get("start", "")), str(kw.get("end", ""))
    if start and end and start > end:
        notices.append(f"`from` ({start}) is after `to` ({end}); the two were swapped.")
        kw["start"], kw["end"] = end, start
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
    mask = pd.Series(True, index=policies.index)
    for name, column in (("types", "instrument_type"), ("levels", "jurisdiction_level"), ("states", "state"),
                         ("statuses", "status"), ("stances", "stance")):
        values = getattr(view, name)
        if values:
            mask &= policies[column].isin(values)
    if view.restrictions:
        flags = [f for g in view.restrictions for f in FLAG_GROUPS[g]]
        mask &= (policies[flags] == "Y").any(axis=1)
    if view.start or view.end:
        adopted = policies["date_adopted"].map(date_floor)
        if view.start:
            mask &= adopted >= view.start
        if view.end:
            mask &= (adopted != "") & (adopted <= view.end)
    if for_map or not view.include_inactive:
        mask &= in_force_mask(policies, view.as_of_date(today))
    return policies[mask]


# ---- command line
def add_view_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--type", dest="types", action="append", choices=INSTRUMENT_TYPES, help="instrument type (repeatable)")
    parser.add_argument("--level", dest="levels", action="append", choices=LEVELS)
    parser.add_argument("--state", dest="states", action="append", choices=sorted(STATE_FIPS))
    parser.add_argument("--status", dest="statuses", action="append", choices=STATUSES)
    parser.add_argument("--stance", dest="stances", action="append", choices=STANCES)
    parser.add_argument("--restriction", dest="restrictions", action="append", choices=tuple(FLAG_GROUPS))
    parser.add_argument("--model", dest="models", action="append", choices=MODELS, help="287(g) model (repeatable)")
    parser.add_argument("--list", dest="lists", action="append", choices=FEDERAL_LISTS, help="federal list (repeatable)")
    parser.add_argument("--from", dest="start", default="", help="adopted on or after (YYYY[-MM[-DD]])")
    parser.add_argument("--to", dest="end", default="", help="adopted on or before")
    parser.add_argument("--signed-from", dest="signed_from", default="", help="287(g) agreements signed on or after")
    parser.add_argument("--signed-to", dest="signed_to", default="", help="287(g) agreements signed on or before")
    parser.add_argument("--as-of", dest="as_of", default="", help="what was in force on this day (YYYY-MM-DD; default today)")
    parser.add_argument("--all", dest="include_inactive", action="store_true",
                        help="tables also list instruments not in force on the as-of date")
    parser.add_argument("--focus", default="", help="LAYER:GEOID of the selected jurisdiction, e.g. unsd:0622710")
    parser.add_argument("--hide", dest="hidden", action="append", choices=LAYER_KEYS, help="map layer to switch off (repeatable)")


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
    """287(g) agreements this view shows: in force on its date, of its models, signed in its window."""
    from .agreements import active_on, began

    if table is None or not len(table.rows):
        return pd.DataFrame()
    rows = active_on(table, view.as_of_date())
    if view.models:
        rows = rows[rows["model"].isin(view.models)]
    if view.signed_from or view.signed_to:
        start = began(rows)
        if view.signed_from:
            rows = rows[start >= view.signed_from]
            start = start[rows.index]
        if view.signed_to:
            rows = rows[(start != "") & (start <= view.signed_to)]
    return rows


def listings_shown(view: View, table) -> pd.DataFrame:
    """Federal listings in effect on the view's date, of its lists (joined rows, with boundaries)."""
    from .designations import listed_on

    if table is None or table.joined is None or not len(table.joined.matched):
        return pd.DataFrame()
    rows = table.joined.matched
    rows = rows[listed_on(rows, view.as_of_date())]
    if view.lists:
        rows = rows[rows["list"].isin(view.lists)]
    return rows
