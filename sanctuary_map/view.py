"""The filter model: one dataclass <-> URL query string <-> CLI flags, and its application."""
from __future__ import annotations

import argparse
from dataclasses import dataclass, fields, replace
from typing import Mapping

import pandas as pd

from .policies import FLAG_GROUPS, INSTRUMENT_TYPES, LEVELS, STATE_FIPS, STATUSES, date_floor

# Map layers a user can hide (the layer control's overlays, by key).
LAYER_KEYS = ("state", "county", "place", "school_district", "coverage", "zone", "border", "distance")
MULTI = ("types", "levels", "states", "statuses", "restrictions", "hidden")
PARAM = {"types": "type", "levels": "level", "states": "state", "statuses": "status",
         "restrictions": "restriction", "start": "from", "end": "to", "focus": "focus", "hidden": "hide"}
ALLOWED = {"types": INSTRUMENT_TYPES, "levels": LEVELS, "states": tuple(STATE_FIPS),
           "statuses": STATUSES, "restrictions": tuple(FLAG_GROUPS), "hidden": LAYER_KEYS}


@dataclass(frozen=True)
class View:
    """What the user is looking at.  Empty tuples mean "no filter"."""

    types: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    restrictions: tuple[str, ...] = ()  # restriction *groups* (FLAG_GROUPS keys): any flag Y
    start: str = ""  # ISO date, inclusive, on date_adopted
    end: str = ""
    focus: str = ""  # "<layer>:<geoid>" of the selected jurisdiction
    hidden: tuple[str, ...] = ()  # map layers switched off (LAYER_KEYS)

    # ---- URL query string
    def to_query(self) -> dict[str, list[str] | str]:
        q: dict[str, list[str] | str] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if v:
                q[PARAM[f.name]] = list(v) if f.name in MULTI else v
        return q

    @classmethod
    def from_query(cls, query: Mapping[str, object]) -> "View":
        """Tolerant: unknown values are ignored, so an edited link never breaks the page."""
        kw = {}
        for name, param in PARAM.items():
            raw = query.get(param)
            if raw in (None, "", []):
                continue
            values = raw if isinstance(raw, (list, tuple)) else [raw]
            values = [str(v) for v in values]
            if name in MULTI:
                kw[name] = tuple(v for v in values if v in ALLOWED[name])
            elif name in ("start", "end"):
                kw[name] = values[0] if date_floor(values[0]) else ""
            else:
                kw[name] = values[0][:40]
        return cls(**kw)

    def describe(self) -> str:
        parts = []
        for name, label in (("types", "type"), ("levels", "level"), ("states", "state"),
                            ("statuses", "status"), ("restrictions", "restriction")):
            v = getattr(self, name)
            if v:
                parts.append(f"{label}: {', '.join(v)}")
        if self.start or self.end:
            parts.append(f"adopted {self.start or '…'} to {self.end or '…'}")
        if self.hidden:
            parts.append(f"hidden layers: {', '.join(self.hidden)}")
        return "; ".join(parts) or "no filters (all policies)"

    def with_focus(self, focus: str) -> "View":
        return replace(self, focus=focus)

    def with_hidden(self, hidden: tuple[str, ...]) -> "View":
        return replace(self, hidden=tuple(k for k in LAYER_KEYS if k in hidden))


def apply(view: View, policies: pd.DataFrame) -> pd.DataFrame:
    """The policy rows this view shows."""
    mask = pd.Series(True, index=policies.index)
    for name, column in (("types", "instrument_type"), ("levels", "jurisdiction_level"),
                         ("states", "state"), ("statuses", "status")):
        values = getattr(view, name)
        if values:
            mask &= policies[column].isin(values)
    if view.restrictions:
        flags = [f for g in view.restrictions for f in FLAG_GROUPS[g]]
        mask &= (policies[flags] == "Y").any(axis=1)
    if view.start or view.end:
        adopted = policies["date_adopted"].map(date_floor)
        if view.start:
            mask &= adopted >= date_floor(view.start)
        if view.end:
            mask &= (adopted != "") & (adopted <= date_floor(view.end))
    return policies[mask]


# ---- command line
def add_view_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--type", dest="types", action="append", choices=INSTRUMENT_TYPES, help="instrument type (repeatable)")
    parser.add_argument("--level", dest="levels", action="append", choices=LEVELS)
    parser.add_argument("--state", dest="states", action="append", choices=sorted(STATE_FIPS))
    parser.add_argument("--status", dest="statuses", action="append", choices=STATUSES)
    parser.add_argument("--restriction", dest="restrictions", action="append", choices=tuple(FLAG_GROUPS))
    parser.add_argument("--from", dest="start", default="", help="adopted on or after (YYYY[-MM[-DD]])")
    parser.add_argument("--to", dest="end", default="", help="adopted on or before")
    parser.add_argument("--focus", default="", help="LAYER:GEOID of the selected jurisdiction, e.g. unsd:0622710")
    parser.add_argument("--hide", dest="hidden", action="append", choices=LAYER_KEYS, help="map layer to switch off (repeatable)")


def from_args(args: argparse.Namespace) -> View:
    return View(**{f.name: (tuple(getattr(args, f.name) or ()) if f.name in MULTI else (getattr(args, f.name) or ""))
                   for f in fields(View)})
