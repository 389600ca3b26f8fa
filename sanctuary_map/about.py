"""The About page's text and tables, kept here so the page stays thin and the docs test can read them."""
from __future__ import annotations

from .coverage import official_counts
from .data import MapData
from .distances import METHOD, ZONE_LABELS, ZONE_METHODS, ZONE_TEST
from .vocab import (
    BINDING_LABEL,
    FLAG_GROUPS,
    FLAG_LABELS,
    INSTRUMENT_LABEL,
    RELATIONS,
    SOURCE_KIND_LABEL,
    STANCE_HELP,
    STANCE_LABEL,
    STATUS_LABEL,
)


def _searched_count(data: MapData) -> int:
    t = data.searched
    return 0 if t is None or t.empty else int((t["result"] != "instruments_found").sum())


def method_markdown(data: MapData) -> str:
    p = data.policies
    official, wire = official_counts(p)
    return f"""Sanctuary Map records **legal instruments** — statutes, ordinances, executive orders and directives,
attorney-general directives, court rulings and school-board resolutions and policies — by which US states, counties,
cities and school districts either **limit** their cooperation with federal immigration enforcement (often called
"sanctuary" policies) or **require** it (laws that ban sanctuary policies, mandate honouring ICE detainers or 287(g)
agreements, or penalise officials). "Sanctuary" is not a legal term: the map shows what each jurisdiction adopted, when,
what it does, and the page every entry was checked against.

* **Both directions.** Each instrument has a *direction*: {"; ".join(f"**{STANCE_LABEL[k]}** — {v}" for k, v in STANCE_HELP.items())}.
  The map colours jurisdictions by the direction of the instruments in force there (blue, vermillion, reddish purple:
  distinguishable with the common colour-vision deficiencies).
* **Time.** Every view is *as of* a date (today by default): an instrument counts from its adoption date until it is
  repealed, superseded, struck down, blocked by a court or expires (its `status_date`). A month-only date counts from
  the first of the month. The *What changed* page lists every dated event from all tables.
* **Sources.** The table has {len(p)} instruments; {official} ({official / max(1, len(p)):.1%}) cite an official page
  that shows the stored date: published by the body that adopted the instrument (legislature, council or board record,
  school district, sheriff's office) or by a governor, attorney general or court. {wire} of these are the office's own
  release reproduced word for word by a press-release wire, which the source title says. Every other row names a second page
  that confirms the date. Where the press and the primary text disagree, the primary fact is stored and the disagreement noted.
* **Researched, none found.** For the 100 most populous cities and the 100 largest school districts (lists from
  Census and NCES files, cited in `data/searched.csv`) a search record says what was searched, when, and whether an
  instrument was found. A place with no row in the table reads "no instrument found as of <date>" where it was searched
  ({_searched_count(data)} search records with nothing found), and "not yet researched" elsewhere: absence of a row is not
  evidence of no policy. On the map, searched places with nothing found are grey and dotted.
* **287(g) agreements and federal lists** are separate tables and map layers: an agreement is a contract a local
  agency signed with ICE; a listing is what Washington said about a place. Neither is a policy the place adopted.
* **Distance** to the border: {METHOD}
* **Two zones.** *{ZONE_LABELS['zone_mexico']}*: {ZONE_METHODS['zone_mexico']}. *{ZONE_LABELS['zone_all']}*: the zone in which
  federal border agents claim extra powers (8 CFR 287.1: within 100 air miles of any external boundary of the United
  States). Regulations define the external boundary from the land boundaries *and the territorial sea* (12 nautical miles
  offshore), which pushes the zone about 14 miles further inland along the coasts than drawing it from the shoreline;
  advocates and the agency in practice draw it from every land border and coastline, Great Lakes included — about
  two-thirds of the population lives inside it. This map draws it from the shoreline: {ZONE_METHODS['zone_all']}. {ZONE_TEST}.
"""


def column_rows() -> list[dict]:
    rows = [
        {"column": "policy_id", "meaning": "Unique id (lower-case, digits, '.', '_', '-')."},
        {"column": "jurisdiction_name, jurisdiction_level, state",
         "meaning": "Who adopted it: state, county, place (city or town) or school district."},
        {"column": "geoid, geoid_layer, geoid_source",
         "meaning": "The Census GEOID of its boundary (state 2 digits, county 5, place or school district 7) and layer; "
                    "where the code came from (census, fips, or the page that gives it)."},
        {"column": "stance", "meaning": "Direction: " + ", ".join(f"{k} ({v})" for k, v in STANCE_LABEL.items())},
        {"column": "instrument_type", "meaning": ", ".join(f"{k} ({v})" for k, v in INSTRUMENT_LABEL.items())},
        {"column": "binding_level", "meaning": ", ".join(f"{k} ({v})" for k, v in BINDING_LABEL.items())},
        {"column": "status, status_date",
         "meaning": "Status as of the data's date — " + ", ".join(f"{k} ({v})" for k, v in STATUS_LABEL.items())
                    + " — and the date it took that status."},
        {"column": "date_adopted, date_effective",
         "meaning": "YYYY-MM-DD, or YYYY-MM / YYYY when only that is known (said in notes)."},
        {"column": "relates_to, relation", "meaning": "Another row and how this one relates to it: " + ", ".join(RELATIONS) + "."},
        {"column": "source_url, source_kind, source_title, source_accessed",
         "meaning": "The page read, its kind (" + ", ".join(f"{k}: {v}" for k, v in SOURCE_KIND_LABEL.items())
                    + "), title and the day it was read."},
        {"column": "source_url_2", "meaning": "A second page confirming the date; required when the first is not official."},
        {"column": "summary, notes",
         "meaning": "What it does, in our words; partial dates, disagreements and what was not found."},
        {"column": "binds_levels",
         "meaning": "The levels of government it binds, ';'-separated from state;county;place;school_district (blank: its "
                    "own level). Profiles and the stack at a point list the state law (and county law) that applies to a "
                    "city or school district from it; a district is also shown the state law binding the police who serve "
                    "its schools. Rule and hand corrections: data/README.md."},
    ]
    for group, flags in FLAG_GROUPS.items():
        rows.append({"column": ", ".join(flags),
                     "meaning": f"{group} (Y / N / blank = not known): " + "; ".join(FLAG_LABELS[f] for f in flags)})
    rows.append({"column": "data/litigation.csv",
                 "meaning": "Dated court events about a row (filed, injunction, dismissed, decided...), with court, case and source."})
    return rows


def boundary_rows(manifest: dict) -> list[dict]:
    return [{"layer": v["title"], "file": f["file"], "kind": f.get("description", ""), "vintage": f["vintage"],
             "features": f["features"], "sha256": f["sha256"][:16] + "…"}
            for v in manifest["layers"].values() for f in v["files"]]


def limits_markdown() -> str:
    return """* The table is a curated record, not a census of every policy: it grows by sourced rows only.
* Flags are set only where the source read says so; blank means *not known*, not *no*.
* Some rows store only a month or a year when the exact day was not found.
* Boundaries are the Census vintage recorded per layer; district and city limits change over time.
* This server's Census source may lack some states' city and school-district files: those rows stay in the tables and
  are listed as having no boundary here; with the Census website as the source they are drawn.
* **Border line:** Natural Earth's 1:10m line straightens the Rio Grande's meanders and is quantised to a few hundred
  metres; boundaries within 1 km of it count as touching (distance 0).
* **County shading:** a city or district "is in" a county when that county holds at least 5% of its area (county outlines
  are 1:5,000,000, city outlines 1:500,000, so smaller overlaps are mostly slivers).
* **287(g):** ICE overwrites its list with no history or ids; agreements are tracked across archived captures, and one
  absent from a later capture is counted as ended. Names with typos are matched with a fuzzy matcher and listed for review.
* **Federal lists:** the DHS list of 2025-05-29 survives only in press copies; its transcription here is partial (see
  data/README.md). The DOJ list of 2025-08-05 is complete.
* A written policy is not always the practice: detainer counts per jail (FOIA data) are not part of this map.
"""
