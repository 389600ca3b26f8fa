"""A versioned data release: ``python -m sanctuary_map release --out DIR``.

One folder a researcher can cite and open in GIS:

* ``sanctuary_map.gpkg``: a GeoPackage (GDAL, through pyogrio) with the jurisdictions holding
  instruments, every instrument on its boundary, the 287(g) agreements, the federal listings,
  the dated events (points), the two 100-mile zones and the border line, plus ``unplaced``: a
  plain table of the rows that have no boundary in this build, each with the reason;
* ``csv/`` and ``parquet/``: every table, as validated when loaded;
* ``datapackage.json``: a Frictionless Data Package (schemas with types, descriptions and
  vocabularies, licences, sources, sizes and SHA-256 hashes);
* ``README.md`` (what is where, counts, the rows without a boundary) and ``SHA256SUMS``
  (``sha256sum -c SHA256SUMS``).

The rows come from the same chain as the app (:func:`~sanctuary_map.data.load_map_data`, the
joins of :mod:`~sanctuary_map.join`, :func:`~sanctuary_map.selection.select` for what is in
force on the release day), so the release holds what the map shows.  The version is the
dataset version the app and every snapshot print.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from . import __version__
from .census import sha256
from .data import MapData
from .join import JoinResult, join

GPKG = "sanctuary_map.gpkg"
DATAPACKAGE = "datapackage.json"
CHECKSUMS = "SHA256SUMS"
README = "README.md"
PACKAGE_NAME = "sanctuary-map"
PARTIAL_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
ISO_DAY = r"^\d{4}-\d{2}-\d{2}$"

# ---------------------------------------------------------------------------- licences and sources (data/README.md)
PUBLIC_DOMAIN_US = {"name": "other-pd", "title": "US government work: public domain"}
CC_BY = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}
# The compiled policy table, litigation events and search notes are facts read on cited pages; the project has
# not declared a licence for its compilation (data/README.md: "facts; pages cited, not copied").
FACTS_NOTE = ("Facts read on the public pages each row cites (pages cited, not copied). No licence has been declared for "
              "the compilation; credit: Sanctuary Map.")
SOURCES: dict[str, list[dict[str, str]]] = {
    "policies": [{"title": "Public pages cited row by row (source_url, source_url_2)"},
                 {"title": "Council of the District of Columbia, DCCouncil/law-xml (commit 9123af0)",
                  "path": "https://github.com/DCCouncil/law-xml"}],
    "litigation": [{"title": "Court, Justice Department, attorney-general and news pages cited row by row (source_url)"}],
    "federal_designations": [
        {"title": "US Department of Justice, sanctuary jurisdiction list following Executive Order 14287 (2025-08-05)",
         "path": "https://justice.gov/ag/us-sanctuary-jurisdiction-list-following-executive-order-14287-protecting-american-communities"},
        {"title": "DHS list of 2025-05-29 (withdrawn), from press copies cited row by row (partial transcription)"}],
    "287g": [{"title": "U.S. Immigration and Customs Enforcement, 287(g) participating agencies spreadsheets",
              "path": "https://www.ice.gov/identify-and-arrest/287g"},
             {"title": "Tracking 287(g), data collected by Elijah Appelson (snapshot 1946c79, 2025-07-19)",
              "path": "https://github.com/appelson/Tracking_287g"},
             {"title": "Recovered Factory / 287(g) Watch (287g.recoveredfactory.net), moa_agreements.json",
              "path": "https://github.com/recoveredfactory/287g-watch"},
             {"title": "FBI Uniform Crime Reporting Program, Law Enforcement Employees (agency to county)"},
             {"title": "zipcodes 3.0.0 (PyPI): postal town to county (USPS, GeoNames CC BY 4.0)"}],
    "searched": [{"title": "US Census Bureau population estimates, Vintage 2023 (sub-est2023), via UI-Research/mobility-from-poverty",
                  "path": "https://github.com/UI-Research/mobility-from-poverty"},
                 {"title": "NCES Common Core of Data 2022-23 (ELSI export), via thuy2020/acfrs_data",
                  "path": "https://github.com/thuy2020/acfrs_data"}],
    "boundaries": [{"title": "US Census Bureau cartographic boundary and TIGER/Line files (vintage per row)",
                    "path": "https://www.census.gov/geographies/mapping-files.html"},
                   {"title": "Natural Earth 1:10m countries (US-Mexico land border), via the world-atlas npm package"}],
}
LICENSES: dict[str, list[dict[str, str]]] = {
    "policies": [], "litigation": [], "searched": [PUBLIC_DOMAIN_US],
    "federal_designations": [PUBLIC_DOMAIN_US],
    # ICE's lists are public domain; the MOA-archive history compiled by 287(g) Watch is CC BY 4.0 by its site's statement.
    "287g": [PUBLIC_DOMAIN_US, CC_BY],
    "boundaries": [PUBLIC_DOMAIN_US],
}
LICENCE_NOTES = {
    "policies": FACTS_NOTE, "litigation": FACTS_NOTE,
    "searched": ("The two lists: US government data (public domain). The search notes are the project's own; no licence has "
                 "been declared for them; credit: Sanctuary Map."),
    "287g": ("ICE's lists are US government works (public domain). History from the MOA archive compiled by Recovered Factory / "
             "287(g) Watch, whose site states CC BY 4.0: credit them. appelson/Tracking_287g has no licence file; the files "
             "used from it are ICE's own."),
}

# ---------------------------------------------------------------------------- field descriptions
_DESCRIPTIONS: dict[str, str] = {
    # shared
    "state": "State or territory postal code.",
    "geoid": "Census GEOID of the boundary the row is drawn on: state 2 digits, county 5, place or school district 7.",
    "geoid_layer": "Layer of the boundary index: state, county, place, unsd, elsd or scsd (school districts).",
    "jurisdiction_name": "The jurisdiction's name.",
    "jurisdiction_level": "Level of government: state, county, place (city or town) or school_district.",
    "source_url": "The page the row was read on.",
    "source_kind": "Kind of source: official, news, advocacy or other.",
    "source_title": "Title of that page.",
    "source_accessed": "Day the page was read.",
    "notes": "Partial dates, disagreements between sources, what was not found.",
    "boundary_name": "Name of the boundary in the Census file.",
    "vintage": "Census vintage (year) of the boundary file.",
    "lon": "Longitude of a point inside the boundary (WGS84).",
    "lat": "Latitude of a point inside the boundary (WGS84).",
    "border_km": "Straight-line (geodesic) distance to the US-Mexico land border line, km.",
    "border_miles": "Straight-line (geodesic) distance to the US-Mexico land border line, miles.",
    "mainland_km": "Distance to the land border from the boundary's mainland part only (islands left out), km.",
    "mainland_miles": "Distance to the land border from the boundary's mainland part only, miles.",
    "zone_mexico": "Within 100 miles of the Mexican land border.",
    "zone_all": "Within the 100-mile border zone drawn from every external boundary (land borders and coasts).",
    "counties": "County GEOIDs the boundary lies in (comma-separated; at least 5% of its area).",
    "in_force_on_release": "In force (instruments, agreements) or in effect (listings) on the release day, as the map shows it.",
    # litigation
    "policy_id": "Id of the instrument (policies.policy_id).",
    "date": "YYYY-MM-DD, or YYYY-MM / YYYY when only that is known.",
    "event": "What happened.",
    "court": "The court.",
    "case_name": "The case as named.",
    "summary": "What it says or does, in our words.",
    # designations
    "list": "The list: doj_2025_08_05 (Justice Department, complete) or dhs_2025_05_29 (DHS, withdrawn; partial).",
    "name_as_published": "The name exactly as published (misspellings included).",
    "match": "How the GEOID was found.",
    "date_listed": "Day the list was published.",
    "date_withdrawn": "Day the listing (or the whole list) was withdrawn; blank if not.",
    # agreements
    "agreement_id": "Readable id assigned when first seen and never changed: {state}-{normalised agency}-{jem|tfm|wso|oth}.",
    "agency": "Agency as published in the last capture it was in (for MOA-archive agreements, the archive's folder name).",
    "county": "ICE's COUNTY column (placeholders such as #N/A stored blank).",
    "agency_type": "ICE's TYPE column: County, Municipality or State Agency.",
    "model": "287(g) model: jail_enforcement, task_force, warrant_service_officer or other (not stated).",
    "signed": "ICE's SIGNED cell as published (a date cell written YYYY-MM-DD; malformed text kept).",
    "signed_date": "Signing date, or blank.",
    "signed_source": "Where the signing date came from: ice_list (SIGNED parsed) or moa_file_name.",
    "first_seen": "First capture (complete or partial) the agreement was in; 2025-05-16 means already on the first list.",
    "last_seen": "Last capture the agreement was in.",
    "status": "Status as of the data's date.",
    "ended_after": "For an ended agreement: the last capture it was in.",
    "ended_by": "For an ended agreement: the first complete capture without it (the end lies between the two).",
    "captures": "Number of captures the agreement was seen in.",
    "evidence": "ice_list if it was ever in a complete ICE list, else moa_archive.",
    "geoid_name": "Name of the boundary it is drawn on.",
    "match_score": "Score (0-100) of an approximate match.",
    "match_note": "What was used to place it, or why it is not placed.",
    "former_names": "Earlier names matched approximately (separated by ' | ').",
    "history": "Dated changes: renames, model, signed date, ended, returned.",
    "source_file": "The last capture the agreement was in.",
    "captured": "Date of that capture.",
    "moa_url": "The memorandum of agreement (ICE's MOA link, or the archived copy).",
    # snapshots
    "capture_date": "Day of the capture (from ICE's file name, or the day it was downloaded).",
    "file": "The captured file.",
    "kind": "ice_list (a whole ICE list) or moa_archive (one snapshot of the archive of MOA files).",
    "complete": "Y for a whole list (an agreement missing from it has ended), N for a partial capture (ends nothing).",
    "rows": "Data rows read (the header not counted).",
    "problems": "Rows reported as bad.",
    "new": "Agreements first seen in this capture.",
    "ended": "Agreements this capture ended.",
    "changed": "Changed names, models or signing dates.",
    "returned": "Ended agreements found again.",
    "repository": "Archive repository the file was taken from.",
    "path": "Path of the file in it (or the URL it was fetched from).",
    "commit": "Commit of the archive holding the file.",
    "sha256": "SHA-256 of the captured file.",
    # searched
    "layer": "Layer of the boundary index (place or unsd).",
    "list_rank": "Rank in the list.",
    "list_source": "The file the list was taken from.",
    "geoid_source": "Where the GEOID came from (census, or the list file that gives it).",
    "date_searched": "Day of the search.",
    "searched": "What was searched: sources and query terms.",
    "result": "instruments_found, none_found or leads_unverified.",
    # events
    "source_id": "Id of the row the event comes from (policy_id, agreement_id or federal list).",
    "stance": "Direction of the instrument: limits_cooperation, requires_cooperation or mixed.",
    "sort_date": "First day of the event's date (for sorting).",
    "end_date": "Last day of the event's date (a month-only date ends on its last day).",
    "event_label": "The event in words.",
    # unplaced
    "table": "The table the row comes from.",
    "id": "The row's id in that table.",
    "name": "The row's name.",
    "reason": "Why it has no boundary in this build.",
    # jurisdictions
    "key": "layer:GEOID.",
    "instruments": "Instruments recorded for the jurisdiction.",
    "in_force": "Instruments in force on the release day.",
    "stance_in_force": "Direction of the instruments in force on the release day (mixed when both directions).",
    "policy_ids": "Ids of its instruments (separated by '; ').",
    "label": "What the zone is.",
    "method": "How the zone was drawn.",
}
# Shared columns whose own description is more precise than the About page's line for a group of columns.
_PRECISE = ("jurisdiction_name", "jurisdiction_level", "state", "geoid", "geoid_layer", "source_url", "source_kind",
            "source_title", "source_accessed")


def _policy_descriptions() -> dict[str, str]:
    from .about import column_rows
    from .vocab import FLAG_LABELS

    out: dict[str, str] = {}
    for r in column_rows():
        if r["column"].startswith("data/"):
            continue
        for col in (c.strip() for c in r["column"].split(",")):
            out[col] = FLAG_LABELS.get(col, r["meaning"])
    return out


# ---------------------------------------------------------------------------- table schemas
def _enums() -> dict[str, dict[str, tuple[str, ...]]]:
    from . import agreements as ag
    from .agreements.table import _ENUMS as AGREEMENT_ENUMS
    from .events import EVENT_LABEL, KINDS
    from .policies import ENUMS as POLICY_ENUMS
    from .vocab import FEDERAL_LISTS, LEVELS, LITIGATION_EVENTS, SEARCH_RESULTS, SOURCE_KINDS, STANCES

    return {
        "policies": dict(POLICY_ENUMS),
        "litigation": {"event": LITIGATION_EVENTS, "source_kind": SOURCE_KINDS},
        "federal_designations": {"list": FEDERAL_LISTS, "jurisdiction_level": LEVELS, "source_kind": SOURCE_KINDS},
        "287g_agreements": {k: tuple(v for v in vals if v) for k, vals in AGREEMENT_ENUMS.items()},
        "287g_snapshots": {"kind": ag.EVIDENCE, "complete": ("Y", "N")},
        "searched": {"result": tuple(SEARCH_RESULTS)},
        "events": {"kind": tuple(KINDS), "event": tuple(EVENT_LABEL), "stance": STANCES},
    }


def _types() -> dict[str, dict[str, str]]:
    """Field types other than string (CSV text is read back as these)."""
    iso = {c: "date" for c in ("signed_date", "first_seen", "last_seen", "ended_after", "ended_by", "captured")}
    counts = {c: "integer" for c in ("rows", "problems", "new", "ended", "changed", "returned")}
    return {
        "287g_agreements": {**iso, "captures": "integer", "match_score": "number"},
        "287g_snapshots": {"capture_date": "date", **counts},
        "searched": {"list_rank": "integer", "date_searched": "date"},
        "events": {"sort_date": "date", "end_date": "date"},
        "policies": {"source_accessed": "date"},
    }


PARTIAL_DATES = {"policies": ("date_adopted", "date_effective", "status_date"), "litigation": ("date",),
                 "federal_designations": ("date_listed", "date_withdrawn"), "events": ("date",)}
REQUIRED: dict[str, tuple[str, ...]] = {}
PRIMARY_KEYS = {"policies": ["policy_id"], "287g_agreements": ["agreement_id"]}
TITLES = {
    "policies": "Legal instruments limiting or requiring cooperation with federal immigration enforcement",
    "litigation": "Court events about the instruments",
    "federal_designations": "Federal 'sanctuary jurisdiction' lists (DOJ 2025-08-05; DHS 2025-05-29, withdrawn)",
    "287g_agreements": "ICE 287(g) agreements with their history",
    "287g_snapshots": "Captures of ICE's 287(g) list ingested, oldest first",
    "searched": "Search records: researched, none found (100 largest cities and school districts)",
    "events": "Every dated event derived from all tables (the ledger)",
    "unplaced": "Rows without a boundary in this build, with the reason",
}
LICENCE_GROUP = {"policies": "policies", "litigation": "litigation", "federal_designations": "federal_designations",
                 "287g_agreements": "287g", "287g_snapshots": "287g", "searched": "searched", "events": "policies",
                 "unplaced": "policies"}


def _field_type(name: str, series: pd.Series, table: str) -> str:
    t = _types().get(table, {}).get(name)
    if t:
        return t
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "number"
    return "string"


def table_schema(table: str, frame: pd.DataFrame) -> dict:
    """A Frictionless Table Schema for one table: types, descriptions, vocabularies, required fields, keys."""
    descriptions = {**_DESCRIPTIONS, **(_policy_descriptions() if table == "policies" else {})}
    descriptions.update({c: _DESCRIPTIONS[c] for c in _PRECISE})
    enums = _enums().get(table, {})
    required = set(REQUIRED.get(table, ()))
    if table == "policies":
        from .policies import REQUIRED as POLICY_REQUIRED

        required |= set(POLICY_REQUIRED)
    if table == "287g_agreements":
        from .agreements.table import _REQUIRED as AGREEMENT_REQUIRED

        required |= set(AGREEMENT_REQUIRED)
    fields = []
    for col in frame.columns:
        f: dict = {"name": col, "type": _field_type(col, frame[col], table)}
        if col in descriptions:
            f["description"] = descriptions[col]
        constraints: dict = {}
        if col in enums:
            constraints["enum"] = list(enums[col])
        if col in PARTIAL_DATES.get(table, ()):
            constraints["pattern"] = PARTIAL_DATE
            f["description"] = f.get("description", "") or "YYYY-MM-DD, or YYYY-MM / YYYY when only that is known."
        if col in required:
            constraints["required"] = True
        if constraints:
            f["constraints"] = constraints
        fields.append(f)
    schema: dict = {"fields": fields, "missingValues": [""]}
    if table in PRIMARY_KEYS:
        schema["primaryKey"] = PRIMARY_KEYS[table]
    if table == "litigation":
        schema["foreignKeys"] = [{"fields": "policy_id", "reference": {"resource": "policies", "fields": "policy_id"}}]
    return schema


# ---------------------------------------------------------------------------- the tables
@dataclass
class Release:
    """What was written, for the command's summary and for tests."""

    out: Path
    version: str
    created: str
    tables: dict[str, int] = field(default_factory=dict)  # table -> rows
    layers: dict[str, int] = field(default_factory=dict)  # GeoPackage layer -> features
    unplaced: dict[str, int] = field(default_factory=dict)  # table -> rows without a boundary
    files: list[str] = field(default_factory=list)


def _text_frame(frame: pd.DataFrame, columns) -> pd.DataFrame:
    cols = [c for c in columns if c in frame.columns]
    return frame[cols].reset_index(drop=True)


def tables(data: MapData) -> dict[str, pd.DataFrame]:
    """Every table of the release, as validated when loaded (the columns of each file's schema)."""
    from .agreements import AGREEMENT_COLUMNS, SNAPSHOT_COLUMNS
    from .designations import COLUMNS as DESIGNATION_COLUMNS
    from .events import ledger
    from .litigation import COLUMNS as LITIGATION_COLUMNS
    from .policies import COLUMNS as POLICY_COLUMNS
    from .searched import COLUMNS as SEARCHED_COLUMNS

    out = {"policies": _text_frame(data.policies, POLICY_COLUMNS),
           "litigation": _text_frame(data.litigation, LITIGATION_COLUMNS)}
    if data.designations is not None:
        out["federal_designations"] = _text_frame(data.designations.rows, DESIGNATION_COLUMNS)
    if data.agreements is not None:
        out["287g_agreements"] = _text_frame(data.agreements.rows, AGREEMENT_COLUMNS)
        out["287g_snapshots"] = _text_frame(data.agreements.snapshots, SNAPSHOT_COLUMNS)
    if data.searched is not None:
        out["searched"] = _text_frame(data.searched, SEARCHED_COLUMNS)
    events = ledger(data)
    out["events"] = events.reset_index(drop=True)
    return out


UNPLACED_COLUMNS = ("table", "id", "name", "state", "geoid_layer", "geoid", "reason")


def _unplaced(table: str, result: JoinResult, id_col: str, name_col: str) -> pd.DataFrame:
    miss = result.unmatched
    if miss.empty:
        return pd.DataFrame(columns=list(UNPLACED_COLUMNS))
    reason = miss["reason"]
    return pd.DataFrame({"table": table, "id": miss[id_col].astype(str), "name": miss[name_col].astype(str),
                         "state": miss["state"].astype(str), "geoid_layer": miss["geoid_layer"].astype(str),
                         "geoid": miss["geoid"].astype(str), "reason": reason.astype(str)})


def _geometries(data: MapData, rows: pd.DataFrame) -> gpd.GeoSeries:
    """The full-resolution boundary of each joined row (rows carry geoid_layer and geoid)."""
    assert data.boundaries is not None
    geoms = pd.Series([None] * len(rows), index=rows.index, dtype=object)
    for layer, group in rows.groupby("geoid_layer", sort=False):
        by_geoid = data.boundaries.geometries(str(layer))
        geoms.loc[group.index] = group["geoid"].map(by_geoid).values
    return gpd.GeoSeries(geoms, index=rows.index, crs="EPSG:4326")


def _spatial(data: MapData, rows: pd.DataFrame) -> gpd.GeoDataFrame:
    rows = rows.reset_index(drop=True)
    geometry = _geometries(data, rows)
    keep = geometry.notna()
    frame = gpd.GeoDataFrame(rows[keep.values], geometry=geometry[keep], crs="EPSG:4326")
    frame["geometry"] = shapely.make_valid(frame.geometry.values)
    return frame


def _jurisdictions(instruments: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One feature per jurisdiction holding instruments: counts, the direction in force, the ids."""
    from .selection import _combine

    code = {"limits_cooperation": "L", "requires_cooperation": "R", "mixed": "M"}
    stance = {v: k for k, v in code.items()}
    inst = instruments.assign(key=instruments["geoid_layer"] + ":" + instruments["geoid"])
    rows = []
    for key, g in inst.groupby("key", sort=False):
        live = g[g["in_force_on_release"]]
        first = g.iloc[0]
        rows.append({"key": key, "geoid_layer": first["geoid_layer"], "geoid": first["geoid"],
                     "boundary_name": first["boundary_name"], "jurisdiction_level": first["jurisdiction_level"],
                     "state": first["state"], "instruments": len(g), "in_force": len(live),
                     "stance_in_force": stance[_combine(live["stance"].map(code))] if len(live) else "",
                     "policy_ids": "; ".join(g["policy_id"]), "vintage": first["vintage"],
                     "border_km": first["border_km"], "border_miles": first["border_miles"],
                     "mainland_km": first["mainland_km"], "mainland_miles": first["mainland_miles"],
                     "zone_mexico": first["zone_mexico"], "zone_all": first["zone_all"], "geometry": first.geometry})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


_BOUNDARY_KEEP = ("boundary_name", "vintage", "border_km", "border_miles", "mainland_km", "mainland_miles", "zone_mexico",
                  "zone_all")


def layers(data: MapData, frames: dict[str, pd.DataFrame], today: str) -> tuple[dict[str, gpd.GeoDataFrame], pd.DataFrame]:
    """The GeoPackage layers and the rows without a boundary (``unplaced``)."""
    from .policies import COLUMNS as POLICY_COLUMNS
    from .selection import select
    from .view import View

    if data.boundaries is None or data.joined is None:
        raise ReleaseError(data.boundary_error or "no boundary data: run `python -m sanctuary_map geodata build`")
    b = data.boundaries
    sel = select(data, View(as_of=today))
    unplaced = [_unplaced("policies", data.joined, "policy_id", "jurisdiction_name")]
    out: dict[str, gpd.GeoDataFrame] = {}

    matched = data.joined.matched
    inst = matched[[*[c for c in POLICY_COLUMNS if c in matched.columns], *_BOUNDARY_KEEP]].copy()
    inst["in_force_on_release"] = inst["policy_id"].isin(set(sel.in_force["policy_id"]))
    instruments = _spatial(data, inst)
    out["jurisdictions"] = _jurisdictions(instruments)
    out["instruments"] = instruments

    if "287g_agreements" in frames and data.agreements is not None:
        rows = frames["287g_agreements"]
        placed = rows[rows["geoid"] != ""]
        joined = join(placed, b)
        a = joined.matched.drop(columns=[c for c in joined.matched.columns if c not in rows.columns and c != "boundary_name"])
        live = set(sel.agreements["agreement_id"]) if len(sel.agreements) else set()
        a["in_force_on_release"] = a["agreement_id"].isin(live)
        out["agreements_287g"] = _spatial(data, a)
        unresolved = rows[rows["geoid"] == ""]
        unplaced.append(pd.DataFrame({"table": "287g_agreements", "id": unresolved["agreement_id"],
                                      "name": unresolved["agency"], "state": unresolved["state"],
                                      "geoid_layer": "", "geoid": "",
                                      "reason": "unresolved: " + unresolved["match_note"]}))
        unplaced.append(_unplaced("287g_agreements", joined, "agreement_id", "agency"))

    if data.designations is not None and "federal_designations" in frames:
        rows = data.designations.rows.reset_index(drop=True)
        joined = data.designations.joined or join(rows, b)
        d = joined.matched.drop(columns=[c for c in joined.matched.columns if c not in rows.columns and c != "boundary_name"])
        live = set(sel.listings["row"]) if len(sel.listings) and "row" in sel.listings else set()
        d["in_force_on_release"] = d["row"].isin(live) if "row" in d else False
        out["federal_listings"] = _spatial(data, d.drop(columns=["row"], errors="ignore"))
        unplaced.append(_unplaced("federal_designations", joined, "list", "name_as_published"))

    ev = frames["events"]
    ej = join(ev, b)
    pts = ej.matched
    out["events"] = gpd.GeoDataFrame(pts[[*ev.columns, "boundary_name"]].reset_index(drop=True),
                                     geometry=gpd.points_from_xy(pts["lon"], pts["lat"]), crs="EPSG:4326")
    missed = ej.unmatched
    unplaced.append(pd.DataFrame({"table": "events", "id": missed["source_id"] + " " + missed["event"] + " " + missed["date"],
                                  "name": missed["jurisdiction_name"], "state": missed["state"],
                                  "geoid_layer": missed["geoid_layer"], "geoid": missed["geoid"], "reason": missed["reason"]}))

    zones = []
    from .distances import ZONE_LABELS, ZONE_METHODS

    for key, z in b.zones.items():
        for geom in z.to_crs("EPSG:4326").geometry:
            zones.append({"zone": key, "label": ZONE_LABELS.get(key, key), "method": ZONE_METHODS.get(key, ""),
                          "miles": 100.0, "geometry": geom})
    if zones:
        out["zones"] = gpd.GeoDataFrame(zones, geometry="geometry", crs="EPSG:4326")
    if b.border is not None:
        out["border"] = gpd.GeoDataFrame({"name": ["US-Mexico land border"]},
                                         geometry=[shapely.union_all(b.border.to_crs("EPSG:4326").geometry.values)],
                                         crs="EPSG:4326")
    frame = pd.concat([u for u in unplaced if len(u)], ignore_index=True) if any(len(u) for u in unplaced) \
        else pd.DataFrame(columns=list(UNPLACED_COLUMNS))
    return out, frame[list(UNPLACED_COLUMNS)].fillna("").astype(str)


LAYER_DESCRIPTIONS = {
    "jurisdictions": "One polygon per jurisdiction holding at least one instrument: counts, the direction in force on the "
                     "release day, the instrument ids.",
    "instruments": "One polygon per instrument (policies.csv row) that joins to a boundary, on that boundary.",
    "agreements_287g": "One polygon per 287(g) agreement placed on a boundary (state, county or place).",
    "federal_listings": "One polygon per federal listing placed on a boundary.",
    "events": "One point per dated event (inside the boundary it concerns).",
    "zones": "The two 100-mile zones: from the Mexican land border, and from every external boundary.",
    "border": "The US-Mexico land border line (Natural Earth 1:10m).",
    "unplaced": "Plain table: rows without a boundary in this build, with the reason.",
}


class ReleaseError(Exception):
    """The release cannot be written; the message says why."""


# ---------------------------------------------------------------------------- writing
def _write_gpkg(path: Path, layer_frames: dict[str, gpd.GeoDataFrame], unplaced: pd.DataFrame, created: str) -> dict[str, int]:
    # GDAL stamps gpkg_contents with the time of writing; the release day instead makes the file reproducible.
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": f"{created}T00:00:00.000Z"})
    try:
        return _write_layers(path, layer_frames, unplaced)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def _write_layers(path: Path, layer_frames: dict[str, gpd.GeoDataFrame], unplaced: pd.DataFrame) -> dict[str, int]:
    counts = {}
    for name, frame in layer_frames.items():
        frame = frame.copy()
        for c in frame.columns:
            if c != frame.geometry.name and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])):
                frame[c] = frame[c].fillna("").astype(str)
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", promote_to_multi=name not in ("events",),
                                layer_options={"DESCRIPTION": LAYER_DESCRIPTIONS.get(name, "")})
        counts[name] = len(frame)
    pyogrio.write_dataframe(unplaced, path, layer="unplaced", driver="GPKG",
                            layer_options={"DESCRIPTION": LAYER_DESCRIPTIONS["unplaced"]})
    counts["unplaced"] = len(unplaced)
    return counts


def _resource(root: Path, rel: str, *, name: str, title: str, fmt: str, mediatype: str, group: str,
              schema: dict | None = None, description: str = "") -> dict:
    path = root / rel
    res: dict = {"name": name, "path": rel, "title": title, "format": fmt, "mediatype": mediatype,
                 "bytes": path.stat().st_size, "hash": f"sha256:{sha256(path)}"}
    if schema is not None:
        res.update(type="table", encoding="utf-8", schema=schema)
    else:
        res["type"] = "file"
    if description:
        res["description"] = description
    res["sources"] = SOURCES.get(group, [])
    if LICENSES.get(group):
        res["licenses"] = LICENSES[group]
    if group in LICENCE_NOTES:
        res["licence_note"] = LICENCE_NOTES[group]
    return res


def _readme(rel: Release, layer_frames: dict[str, gpd.GeoDataFrame], unplaced: pd.DataFrame, data: MapData) -> str:
    by_table = unplaced.groupby("table").size().to_dict()
    layer_lines = "\n".join(f"| `{k}` | {v:,} | {LAYER_DESCRIPTIONS.get(k, '')} |" for k, v in rel.layers.items())
    table_lines = "\n".join(f"| `{k}` | {v:,} | {TITLES.get(k, '')} |" for k, v in rel.tables.items())
    totals = {"policies": len(data.policies),
              "287g_agreements": len(data.agreements.rows) if data.agreements is not None else 0,
              "federal_designations": len(data.designations.rows) if data.designations is not None else 0,
              "events": rel.tables.get("events", 0)}
    unplaced_lines = "\n".join(f"| `{t}` | {by_table.get(t, 0):,} of {n:,} |" for t, n in totals.items())
    vintages = sorted({str(f.get("vintage", "")) for v in (data.boundaries.manifest.get("layers", {}).values()
                                                         if data.boundaries is not None else []) for f in v.get("files", [])} - {""})
    source = f"US Census Bureau files, vintages {vintages[0]}–{vintages[-1]}" if len(vintages) > 1 else \
        f"US Census Bureau files, vintage {vintages[0]}" if vintages else "US Census Bureau files"
    return f"""# Sanctuary Map data release {rel.version}

Dataset version **{rel.version}** (the version the map, its snapshots and profiles print), released {rel.created}
with sanctuary_map {__version__}. Cite it as: Sanctuary Map, dataset version {rel.version} ({rel.created}).

Verify the files: `sha256sum -c {CHECKSUMS}`. The same hashes are in `{DATAPACKAGE}` (a Frictionless Data Package:
schemas with types, descriptions and vocabularies, licences and sources): `frictionless validate {DATAPACKAGE}`.

## `{GPKG}` (GeoPackage, EPSG:4326; open in QGIS, ArcGIS, `ogrinfo`, geopandas)

| layer | features | what |
| --- | ---: | --- |
{layer_lines}

Boundaries: full-resolution geometry from {source} (the vintage of each is in its `vintage` field).
"In force on release" means on {rel.created}, as the map shows it that day.

## Rows without a boundary in this build

They are in the tables (`csv/`, `parquet/`) and listed with the reason in the `unplaced` layer and `csv/unplaced.csv`;
they are not drawn. Most are cities or school districts whose state's Census file is not in this build's source (with
the Census website as source they are drawn), and 287(g) agreements that could not be placed (`data/README.md`).

| table | rows without a boundary |
| --- | ---: |
{unplaced_lines}

## Tables: `csv/NAME.csv` and `parquet/NAME.parquet`

| table | rows | what |
| --- | ---: | --- |
{table_lines}

Columns, vocabularies and how each table was built: the schemas in `{DATAPACKAGE}`, and the project's
`data/README.md`. Dates keep their source's precision (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).

## Licences and credit

* `policies`, `litigation`, `events`: {FACTS_NOTE}
* `federal_designations`: US government lists, public domain.
* `287g_*`: {LICENCE_NOTES['287g']}
* `searched`: {LICENCE_NOTES['searched']}
* Boundaries: US Census Bureau (public domain); border line: Natural Earth (public domain).
"""


def write_release(data: MapData, out: Path, *, today: dt.date | None = None) -> Release:
    """Write the bundle into ``out`` (created; a previous release there is replaced; any other non-empty folder is
    refused).  Everything is written into a temporary folder beside it first, so a failure leaves ``out`` as it was."""
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not (out / DATAPACKAGE).exists():
        raise ReleaseError(f"{out} is not empty and holds no earlier release ({DATAPACKAGE}); choose an empty folder")
    created = (today or dt.date.today()).isoformat()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    work.chmod(0o755)
    try:
        rel = _write_into(data, work, created)
        if out.exists():
            old = out.with_name(f".{out.name}.old-{dt.datetime.now().strftime('%H%M%S%f')}")
            out.rename(old)
            work.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    rel.out = out
    return rel


def _write_into(data: MapData, root: Path, created: str) -> Release:
    rel = Release(root, data.version, created)
    frames = tables(data)
    layer_frames, unplaced = layers(data, frames, created)
    frames["unplaced"] = unplaced
    (root / "csv").mkdir()
    (root / "parquet").mkdir()
    resources = []
    for name, frame in frames.items():
        csv_rel, pq_rel = f"csv/{name}.csv", f"parquet/{name}.parquet"
        frame.to_csv(root / csv_rel, index=False, lineterminator="\n", encoding="utf-8")
        frame.to_parquet(root / pq_rel, index=False)
        rel.tables[name] = len(frame)
        group = LICENCE_GROUP.get(name, "policies")
        resources.append(_resource(root, csv_rel, name=name.replace("_", "-"), title=TITLES.get(name, name), fmt="csv",
                                   mediatype="text/csv", group=group, schema=table_schema(name, frame)))
        resources.append(_resource(root, pq_rel, name=f"{name.replace('_', '-')}-parquet", title=f"{TITLES.get(name, name)} (Parquet)",
                                   fmt="parquet", mediatype="application/vnd.apache.parquet", group=group,
                                   description=f"The same rows as {csv_rel}."))
    for r in resources:  # foreign keys name resources by their name
        for fk in r.get("schema", {}).get("foreignKeys", []):
            fk["reference"]["resource"] = fk["reference"]["resource"].replace("_", "-")
    rel.layers = _write_gpkg(root / GPKG, layer_frames, unplaced, created)
    rel.unplaced = {str(k): int(v) for k, v in unplaced.groupby("table").size().items()}
    resources.insert(0, _resource(root, GPKG, name="geopackage", title="Everything on its boundary (GeoPackage)", fmt="gpkg",
                                  mediatype="application/geopackage+sqlite3", group="boundaries",
                                  description="Layers: " + "; ".join(f"{k} ({v:,}): {LAYER_DESCRIPTIONS.get(k, '')}"
                                                                     for k, v in rel.layers.items())))
    (root / README).write_text(_readme(rel, layer_frames, unplaced, data), encoding="utf-8")
    package = {
        "name": PACKAGE_NAME,
        "title": "Sanctuary Map: US policy on cooperation with federal immigration enforcement, in both directions",
        "description": ("Statutes, ordinances, executive orders, attorney-general directives, court rulings and school-board "
                        "policies by which US states, counties, cities and school districts limit or are required to give "
                        "cooperation with federal immigration enforcement; court events; ICE 287(g) agreements with their "
                        "history; the federal 'sanctuary jurisdiction' lists; joined to Census boundaries."),
        "version": rel.version,
        "created": f"{created}T00:00:00Z",
        "keywords": ["immigration", "sanctuary", "287(g)", "ICE", "policy", "Census boundaries"],
        "contributors": [{"title": "Sanctuary Map", "role": "author"},
                         {"title": "Recovered Factory / 287(g) Watch", "role": "contributor"},
                         {"title": "Elijah Appelson (Tracking 287(g))", "role": "contributor"}],
        "sources": [s for group in ("policies", "287g", "federal_designations", "boundaries") for s in SOURCES[group]],
        "resources": resources,
    }
    (root / DATAPACKAGE).write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    (root / CHECKSUMS).write_text("".join(f"{sha256(root / f)}  {f}\n" for f in files), encoding="utf-8")
    rel.files = [*files, CHECKSUMS]
    return rel


def release_cli(args) -> int:
    """``python -m sanctuary_map release --out DIR``: prints what was written; 1 with a message when it cannot."""
    import sys

    from .data import load_map_data

    data = load_map_data(Path(args.policies), Path(args.geodata), data_dir=Path(args.data))
    for p in data.table.problems + data.problems:
        print(f"invalid row left out: {p}", file=sys.stderr)
    try:
        rel = write_release(data, Path(args.out))
    except (ReleaseError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"release {rel.version} ({rel.created}) in {rel.out}: {len(rel.files)} files")
    print("  GeoPackage layers: " + ", ".join(f"{k} {v:,}" for k, v in rel.layers.items()))
    print("  tables: " + ", ".join(f"{k} {v:,}" for k, v in rel.tables.items()))
    print("  without a boundary: " + (", ".join(f"{k} {v:,}" for k, v in rel.unplaced.items()) or "none"))
    return 0
