"""Federal "sanctuary jurisdiction" lists (``data/federal_designations.csv``), kept apart from policies.

A designation is what Washington said about a place, not something the place adopted: its
own table, its own map layer.  Each row keeps the name exactly as published (misspellings
included), the list, the date listed and (DHS) withdrawn, and the resolved GEOID and layer.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .boundaries import Boundaries
from .join import JoinResult, join
from .policies import _MARKUP_RE, _URL_RE, Problem, date_floor, parse_partial_date
from .vocab import FEDERAL_LISTS, GEOID_LENGTH, LEVELS, SOURCE_KINDS, STATE_FIPS

COLUMNS = ("list", "name_as_published", "jurisdiction_level", "state", "geoid", "geoid_layer", "match", "date_listed",
           "date_withdrawn", "source_url", "source_kind", "notes")
REQUIRED = ("list", "name_as_published", "jurisdiction_level", "state", "date_listed", "source_url", "source_kind")


@dataclass
class DesignationTable:
    rows: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    joined: JoinResult | None = None


def load_designations(path: Path) -> DesignationTable:
    path = Path(path)
    name = path.name
    if not path.exists():
        return DesignationTable(pd.DataFrame(columns=[*COLUMNS, "row"]))
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return DesignationTable(pd.DataFrame(columns=[*COLUMNS, "row"]), [Problem(name, 1, c, "missing column") for c in missing])
    rows: list[dict] = []
    problems: list[Problem] = []
    for n, rec in enumerate(reader, start=2):
        rec = {c: (rec.get(c) or "").strip() for c in COLUMNS}
        bad = [(c, "required value is blank") for c in REQUIRED if not rec[c]]
        if rec["list"] and rec["list"] not in FEDERAL_LISTS:
            bad.append(("list", f"expected one of: {', '.join(FEDERAL_LISTS)}"))
        if rec["jurisdiction_level"] and rec["jurisdiction_level"] not in LEVELS:
            bad.append(("jurisdiction_level", f"expected one of: {', '.join(LEVELS)}"))
        if rec["state"] and rec["state"] not in STATE_FIPS:
            bad.append(("state", "unknown state"))
        if rec["geoid"] and rec["geoid_layer"] in GEOID_LENGTH and len(rec["geoid"]) != GEOID_LENGTH[rec["geoid_layer"]]:
            bad.append(("geoid", f"a {rec['geoid_layer']} GEOID has {GEOID_LENGTH[rec['geoid_layer']]} digits"))
        for c in ("date_listed", "date_withdrawn"):
            if rec[c] and parse_partial_date(rec[c]) is None:
                bad.append((c, f"malformed date {rec[c]!r}"))
        if rec["source_url"] and not _URL_RE.match(rec["source_url"]):
            bad.append(("source_url", "must be an http:// or https:// address"))
        if rec["source_kind"] and rec["source_kind"] not in SOURCE_KINDS:
            bad.append(("source_kind", f"expected one of: {', '.join(SOURCE_KINDS)}"))
        for c in ("name_as_published", "notes"):
            if _MARKUP_RE.search(rec[c]):
                bad.append((c, "contains markup; write plain text"))
        problems.extend(Problem(name, n, c, r) for c, r in bad)
        if not bad:
            rows.append({**rec, "row": n})
    return DesignationTable(pd.DataFrame(rows, columns=[*COLUMNS, "row"]), problems)


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
