"""Federal "sanctuary jurisdiction" lists (``data/federal_designations.csv``), kept apart from policies.

A designation is what Washington said about a place, not something the place adopted: its
own table, its own map layer.  Each row keeps the name exactly as published (misspellings
included), the list, the date listed and (DHS) withdrawn, and the resolved GEOID and layer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .boundaries import Boundaries
from .join import JoinResult, join
from .policies import Problem, common_problems, date_floor, read_checked_csv
from .vocab import FEDERAL_LISTS, GEOID_LENGTH, LEVELS, SOURCE_KINDS, STATE_FIPS

COLUMNS = ("list", "name_as_published", "jurisdiction_level", "state", "geoid", "geoid_layer", "match", "date_listed",
           "date_withdrawn", "source_url", "source_kind", "notes")
REQUIRED = ("list", "name_as_published", "jurisdiction_level", "state", "date_listed", "source_url", "source_kind")


@dataclass
class DesignationTable:
    rows: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    joined: JoinResult | None = None


def _row_problems(rec: dict[str, str]) -> list[tuple[str, str]]:
    bad = common_problems(rec, required=REQUIRED,
                          enums={"list": FEDERAL_LISTS, "jurisdiction_level": LEVELS, "source_kind": SOURCE_KINDS},
                          dates=("date_listed", "date_withdrawn"), urls=("source_url",), text=("name_as_published", "notes"))
    if rec["state"] and rec["state"] not in STATE_FIPS:
        bad.append(("state", "unknown state"))
    if rec["geoid"] and rec["geoid_layer"] in GEOID_LENGTH and len(rec["geoid"]) != GEOID_LENGTH[rec["geoid_layer"]]:
        bad.append(("geoid", f"a {rec['geoid_layer']} GEOID has {GEOID_LENGTH[rec['geoid_layer']]} digits"))
    return bad


def load_designations(path: Path) -> DesignationTable:
    rows, problems = read_checked_csv(path, COLUMNS, _row_problems)
    return DesignationTable(rows, problems)


def resolve_blank(rows: pd.DataFrame, boundaries: Boundaries, policies: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows published without a code get one by name within their state: from the boundary index where the
    source has that layer, else from the policy table's row for the same jurisdiction (whose code cites a page)."""
    from .search import normalise, resolve_name

    rows = rows.copy()
    known: dict[tuple[str, str, str], str] = {}
    if policies is not None:
        for p in policies.drop_duplicates(["geoid_layer", "geoid"]).to_dict("records"):
            known[(p["state"], p["geoid_layer"], normalise(p["jurisdiction_name"]))] = p["geoid"]
    for i, r in rows[rows["geoid"] == ""].iterrows():
        geoid, _score, how = resolve_name(r["name_as_published"], r["state"], r["geoid_layer"], boundaries.index)
        if not geoid:
            from .search import split_state

            key = (r["state"], r["geoid_layer"], normalise(split_state(r["name_as_published"])[0]))
            geoid, how = known.get(key, ""), "same jurisdiction's GEOID in the policy table"
        if geoid:
            rows.at[i, "geoid"] = geoid
            rows.at[i, "match"] = how if "policy table" in how else f"{how} in the {r['geoid_layer']} layer"
    return rows


def load_for_map(path: Path, boundaries: Boundaries | None, policies: pd.DataFrame | None = None) -> DesignationTable:
    table = load_designations(path)
    if boundaries is not None and len(table.rows):
        table.rows = resolve_blank(table.rows, boundaries, policies)
        table.joined = join(table.rows, boundaries)
    return table


def listed_on(rows: pd.DataFrame, as_of: str) -> pd.Series:
    """Listings in effect on ``as_of``: listed on or before, not yet withdrawn."""
    listed = rows["date_listed"].map(date_floor)
    withdrawn = rows["date_withdrawn"].map(date_floor)
    return (listed != "") & (listed <= as_of) & ((withdrawn == "") | (withdrawn > as_of))
