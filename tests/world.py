"""A small fixture world BUILT IN CODE (never real data): Census-format zips, a policy table and related tables.

Two states near and far from the Mexican border, four counties, places (two named "Springfield" in different
states), a unified district with an offshore island, an elementary and a secondary district (TIGER/Line ``tl_``
files), an unincorporated area, and rows that exercise every status and direction.  Tests compute their expected
figures from these definitions, so they hold whatever the shipped table says.
"""
from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import geopandas as gpd
from shapely.geometry import MultiPolygon, box

from sanctuary_map.agreements import AGREEMENT_COLUMNS
from sanctuary_map.designations import COLUMNS as DESIGNATION_COLUMNS
from sanctuary_map.litigation import COLUMNS as LITIGATION_COLUMNS
from sanctuary_map.policies import COLUMNS
from sanctuary_map.searched import COLUMNS as SEARCHED_COLUMNS

STATES = [
    {"GEOID": "06", "NAME": "Calfornia Test", "STATEFP": "06", "STUSPS": "CA", "geometry": box(-118.5, 32.56, -115.5, 35.0)},
    {"GEOID": "41", "NAME": "Oregon Test", "STATEFP": "41", "STUSPS": "OR", "geometry": box(-124.0, 42.0, -121.0, 45.0)},
]
COUNTIES = [
    {"GEOID": "06001", "NAME": "Alpha", "NAMELSAD": "Alpha County", "STATEFP": "06", "geometry": box(-118.5, 33.5, -117.0, 35.0)},
    {"GEOID": "06003", "NAME": "Beta", "NAMELSAD": "Beta County", "STATEFP": "06", "geometry": box(-117.0, 33.5, -115.5, 35.0)},
    {"GEOID": "06005", "NAME": "Gamma", "NAMELSAD": "Gamma County", "STATEFP": "06", "geometry": box(-118.5, 32.56, -115.5, 33.5)},
    {"GEOID": "41001", "NAME": "Delta", "NAMELSAD": "Delta County", "STATEFP": "41", "geometry": box(-124.0, 42.0, -121.0, 45.0)},
]
PLACES_06 = [
    {"GEOID": "0600001", "NAME": "Testville", "STATEFP": "06", "geometry": box(-117.9, 33.6, -117.6, 33.9)},
    {"GEOID": "0600002", "NAME": "Sample City", "STATEFP": "06", "geometry": box(-116.9, 33.7, -116.6, 34.0)},
    {"GEOID": "0600003", "NAME": "Springfield", "STATEFP": "06", "geometry": box(-117.4, 34.2, -117.2, 34.4)},
]
PLACES_41 = [
    {"GEOID": "4100003", "NAME": "Springfield", "STATEFP": "41", "geometry": box(-123.2, 44.0, -122.9, 44.2)},
]
# A unified district with an offshore island closer to the border than its mainland (like LAUSD and San Clemente).
UNSD = [
    {"GEOID": "0600010", "NAME": "Testville Unified School District", "STATEFP": "06",
     "geometry": MultiPolygon([box(-118.0, 33.55, -117.5, 34.0), box(-117.75, 32.70, -117.65, 32.78)])},
]
ELSD = [{"GEOID": "0600020", "NAME": "Beta Elementary School District", "STATEFP": "06", "geometry": box(-117.0, 33.5, -116.5, 34.0)}]
SCSD = [{"GEOID": "0600030", "NAME": "Beta Union High School District", "STATEFP": "06", "geometry": box(-117.0, 33.5, -116.0, 34.5)}]

FILES = {
    "cb_2021_us_state_5m.zip": STATES,
    "cb_2021_us_county_5m.zip": COUNTIES,
    "cb_2019_06_place_500k.zip": PLACES_06,
    "cb_2018_41_place_500k.zip": PLACES_41,
    "cb_2021_06_unsd_500k.zip": UNSD,
    "tl_2019_06_elsd.zip": ELSD,  # TIGER/Line files are accepted as well as cartographic ones
    "tl_2019_06_scsd.zip": SCSD,
}
# Points for the "what applies here" stack.
IN_TESTVILLE = (-117.75, 33.75)  # state, Alpha County, Testville, Testville Unified
UNINCORPORATED = (-116.2, 34.3)  # state, Beta County, no place, Beta Union High only
ELEMENTARY_AND_SECONDARY = (-116.75, 33.85)  # Sample City, Beta Elementary and Beta Union High


def write_zip(directory: Path, name: str, records: list[dict], crs: str = "EPSG:4269") -> Path:
    """A Census-style zip (shapefile members named after the zip) holding ``records``."""
    stem = name[:-4]
    tmp = directory / f"_{stem}"
    tmp.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame(records, crs=crs).to_file(tmp / f"{stem}.shp")
    out = directory / name
    with zipfile.ZipFile(out, "w") as z:
        for member in tmp.iterdir():
            z.write(member, member.name)
    return out


def write_census(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, records in FILES.items():
        write_zip(directory, name, records)
    for tmp in directory.glob("_*"):
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()
    return directory


def policy(**over) -> dict:
    base = {c: "" for c in COLUMNS}
    base.update(policy_id="x", jurisdiction_name="Testville", jurisdiction_level="place", state="CA", geoid="0600001",
                geoid_layer="place", stance="limits_cooperation", instrument_type="ordinance", binding_level="law",
                status="in_effect", title="Test ordinance", date_adopted="2017-03-21", summary="A fixture.",
                source_url="https://example.org/a", source_kind="official", source_title="Example record",
                source_accessed="2026-11-25", geoid_source="census")
    base.update(over)
    return base


POLICIES = [
    policy(policy_id="state-law", jurisdiction_name="Calfornia Test", jurisdiction_level="state", geoid="06", geoid_layer="state",
           instrument_type="statute", title="State values act", date_adopted="2017-10-05", date_effective="2018-01-01",
           declines_detainers="Y", geoid_source="fips", binds_levels="state;county;place"),
    # Addressed to schools: binds the state and school districts (shows on district profiles, not on cities').
    policy(policy_id="state-schools-law", jurisdiction_name="Calfornia Test", jurisdiction_level="state", geoid="06",
           geoid_layer="state", instrument_type="statute", title="State safe schools act", date_adopted="2018-06-01",
           campus_access_protocol="Y", student_data_protection="Y", geoid_source="fips", binds_levels="state;school_district"),
    policy(policy_id="alpha-requires", jurisdiction_name="Alpha County", jurisdiction_level="county", geoid="06001",
           geoid_layer="county", stance="requires_cooperation", title="Alpha County detainer resolution",
           instrument_type="board_resolution", binding_level="nonbinding", date_adopted="2018-04-17",
           requires_detainer_compliance="Y", source_kind="news", source_url_2="https://example.org/second",
           binds_levels="county;place"),  # a county measure that binds the cities in it
    policy(policy_id="testville-ord", title="Testville sanctuary ordinance", date_adopted="2024-12-04", bars_resource_use="Y"),
    policy(policy_id="testville-res", title="Testville resolution", instrument_type="board_resolution", binding_level="nonbinding",
           date_adopted="2016-12", status="codified", status_date="2024-12-04", notes="Only the month is known."),
    policy(policy_id="tusd-res", jurisdiction_name="Testville Unified School District", jurisdiction_level="school_district",
           geoid="0600010", geoid_layer="unsd", title="Safe haven resolution", instrument_type="board_resolution",
           binding_level="executive", date_adopted="2017-02-15", campus_access_protocol="Y"),
    policy(policy_id="sample-repealed", jurisdiction_name="Sample City", geoid="0600002", title="Sample City ordinance",
           date_adopted="2017-01-17", status="repealed", status_date="2020-06-30"),
    policy(policy_id="beta-enjoined", jurisdiction_name="Beta County", jurisdiction_level="county", geoid="06003",
           geoid_layer="county", stance="requires_cooperation", title="Beta County enforcement ordinance",
           date_adopted="2019-05-01", status="enjoined", status_date="2019-07-15"),
    policy(policy_id="tx-no-boundary", jurisdiction_name="Lone Star City", state="TX", geoid="4835000", geoid_layer="place",
           title="Lone Star ordinance", date_adopted="2018-09-01", geoid_source="https://example.org/fips"),
    policy(policy_id="or-springfield", jurisdiction_name="Springfield", state="OR", geoid="4100003",
           title="Springfield welcoming resolution",
           instrument_type="board_resolution", binding_level="nonbinding", date_adopted="2017-02-06"),
    policy(policy_id="failed-bill", jurisdiction_name="Oregon Test", jurisdiction_level="state", state="OR", geoid="41",
           geoid_layer="state", stance="requires_cooperation", instrument_type="statute", title="Failed repeal bill",
           date_adopted="", status="failed", status_date="2018-11-06", geoid_source="fips"),
]
LITIGATION = [
    {"policy_id": "beta-enjoined", "date": "2019-06", "event": "filed", "court": "District court", "case_name": "Doe v. Beta County",
     "summary": "Challenge filed.", "source_url": "https://example.org/suit", "source_kind": "official"},
    {"policy_id": "beta-enjoined", "date": "2019-07-15", "event": "injunction", "court": "District court",
     "case_name": "Doe v. Beta County", "summary": "Preliminary injunction.", "source_url": "https://example.org/order",
     "source_kind": "official"},
]
DESIGNATIONS = [
    {"list": "doj_2025_08_05", "name_as_published": "Alpha County, CA", "jurisdiction_level": "county", "state": "CA",
     "geoid": "06001", "geoid_layer": "county", "match": "fixture", "date_listed": "2025-08-05", "date_withdrawn": "",
     "source_url": "https://example.org/doj", "source_kind": "official", "notes": ""},
    {"list": "dhs_2025_05_29", "name_as_published": "Testvile", "jurisdiction_level": "place", "state": "CA",
     "geoid": "", "geoid_layer": "place", "match": "", "date_listed": "2025-05-29", "date_withdrawn": "2025-06-01",
     "source_url": "https://example.org/dhs", "source_kind": "news", "notes": "misspelt as published"},
    # A listed city in a state whose places this server lacks (New Jersey): found by name, not drawn.
    {"list": "doj_2025_08_05", "name_as_published": "Paterson, NJ", "jurisdiction_level": "place", "state": "NJ",
     "geoid": "", "geoid_layer": "place", "match": "", "date_listed": "2025-08-05", "date_withdrawn": "",
     "source_url": "https://example.org/doj", "source_kind": "official", "notes": "fixture: no boundary file for NJ"},
]


def agreement(**over) -> dict:
    base = {c: "" for c in AGREEMENT_COLUMNS}
    base.update(agreement_id="ca-alpha-county-sheriffs-office-jail_enforcement", agency="Alpha County Sheriff's Office",
                state="CA", county="Alpha County", agency_type="Sheriff", model="jail_enforcement", signed="2025-02-01",
                signed_date="2025-02-01", signed_source="ice_list", first_seen="2025-05-16", last_seen="2025-07-18",
                status="active", captures="3", evidence="ice_list",
                geoid="06001", geoid_layer="county", geoid_name="Alpha County", match="county_exact",
                source_file="participatingAgencies07182025pm.xlsx", captured="2025-07-18",
                moa_url="https://example.org/moa.pdf")
    base.update(over)
    return base


AGREEMENTS = [
    agreement(),
    agreement(agreement_id="ca-gamma-county-sheriffs-office-task_force", agency="Gamma County Sheriff's Office",
              county="Gamma County", model="task_force", signed="2025-03-01", signed_date="2025-03-01", first_seen="2025-05-16",
              last_seen="2025-06-01", status="ended", ended_after="2025-06-01", ended_by="2025-06-20", geoid="06005",
              geoid_name="Gamma County"),
    agreement(agreement_id="ca-testville-police-department-warrant_service_officer", agency="Testville Police Department",
              county="Alpha County", agency_type="Municipality", model="warrant_service_officer", signed="", signed_date="",
              signed_source="", first_seen="2025-06-20", geoid="0600001", geoid_layer="place", geoid_name="Testville",
              match="place_exact"),
]


# Search records ("researched, none found"): Springfield, California has no row in POLICIES and was searched.
SEARCHED = [
    {"jurisdiction_name": "Springfield", "layer": "place", "geoid": "0600003", "state": "CA",
     "list": "fixture list of places", "list_rank": "1", "list_source": "https://example.org/list", "geoid_source": "census",
     "date_searched": "2026-11-30", "searched": "fixture: council minutes for 'immigration'", "result": "none_found",
     "notes": ""},
]


def write_csv(path: Path, columns, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


def write_tables(directory: Path) -> tuple[Path, Path]:
    """(policies.csv, data dir) of the fixture world."""
    directory.mkdir(parents=True, exist_ok=True)
    data = directory / "data"
    data.mkdir(exist_ok=True)
    policies = write_csv(directory / "policies.csv", COLUMNS, POLICIES)
    write_csv(data / "litigation.csv", LITIGATION_COLUMNS, LITIGATION)
    write_csv(data / "federal_designations.csv", DESIGNATION_COLUMNS, DESIGNATIONS)
    write_csv(data / "287g_agreements.csv", AGREEMENT_COLUMNS, AGREEMENTS)
    write_csv(data / "searched.csv", SEARCHED_COLUMNS, SEARCHED)
    return policies, data
