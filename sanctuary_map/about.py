"""The About page's text and tables, kept here so the page stays thin and the docs test can read them."""
from __future__ import annotations

from . import i18n
from .coverage import official_counts
from .data import MapData
from .distances import METHOD, ZONE_LABELS, ZONE_METHODS, ZONE_TEST
from .i18n import N_, _, ngettext
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
    word,
)


def _searched_count(data: MapData) -> int:
    t = data.searched
    return 0 if t is None or t.empty else int((t["result"] != "instruments_found").sum())


def method_markdown(data: MapData) -> str:
    p = data.policies
    official, wire = official_counts(p)
    searched = _searched_count(data)
    intro = _("""Sanctuary Map records **legal instruments** — statutes, ordinances, executive orders and directives,
attorney-general directives, court rulings and school-board resolutions and policies — by which US states, counties,
cities and school districts either **limit** their cooperation with federal immigration enforcement (often called
"sanctuary" policies) or **require** it (laws that ban sanctuary policies, mandate honouring ICE detainers or 287(g)
agreements, or penalise officials). "Sanctuary" is not a legal term: the map shows what each jurisdiction adopted, when,
what it does, and the page every entry was checked against.""")
    directions = "; ".join(f"**{_(STANCE_LABEL[k])}** — {_(v)}" for k, v in STANCE_HELP.items())
    share = i18n.number(official / max(1, len(p)) * 100, 1)  # English: the same digits as f"{x:.1%}"
    bullets = [
        _("""* **Both directions.** Each instrument has a *direction*: {directions}.
  The map colours jurisdictions by the direction of the instruments in force there (blue, vermillion, reddish purple:
  distinguishable with the common colour-vision deficiencies).""").format(directions=directions),
        _("""* **Time.** Every view is *as of* a date (today by default): an instrument counts from its adoption date until it is
  repealed, superseded, struck down, blocked by a court or expires (its `status_date`). A month-only date counts from
  the first of the month. The *What changed* page lists every dated event from all tables."""),
        _("""* **Sources.** The table has {n} instruments; {official} ({share}%) cite an official page
  that shows the stored date: published by the body that adopted the instrument (legislature, council or board record,
  school district, sheriff's office) or by a governor, attorney general or court. {wire} of these are the office's own
  release reproduced word for word by a press-release wire, which the source title says. Every other row names a second page
  that confirms the date. Where the press and the primary text disagree, the primary fact is stored and the disagreement noted.""").format(
            n=len(p), official=official, share=share, wire=wire),
        # English has always said "records" whatever the count: both English forms are the same (Spanish inflects).
        ngettext("""* **Researched, none found.** For the 100 most populous cities and the 100 largest school districts (lists from
  Census and NCES files, cited in `data/searched.csv`) a search record says what was searched, when, and whether an
  instrument was found. A place with no row in the table reads "no instrument found as of <date>" where it was searched
  ({searched} search records with nothing found), and "not yet researched" elsewhere: absence of a row is not
  evidence of no policy. On the map, searched places with nothing found are grey and dotted.""",
                 """* **Researched, none found.** For the 100 most populous cities and the 100 largest school districts (lists from
  Census and NCES files, cited in `data/searched.csv`) a search record says what was searched, when, and whether an
  instrument was found. A place with no row in the table reads "no instrument found as of <date>" where it was searched
  ({searched} search records with nothing found), and "not yet researched" elsewhere: absence of a row is not
  evidence of no policy. On the map, searched places with nothing found are grey and dotted.""", searched).format(searched=searched),
        _("""* **287(g) agreements and federal lists** are separate tables and map layers: an agreement is a contract a local
  agency signed with ICE; a listing is what Washington said about a place. Neither is a policy the place adopted."""),
        # METHOD, ZONE_LABELS, ZONE_METHODS and ZONE_TEST live in distances.py (translated there once marked N_ there).
        _("* **Distance** to the border: {method}").format(method=_(METHOD)),
        _("""* **Two zones.** *{zone_mexico}*: {zone_mexico_method}. *{zone_all}*: the zone in which
  federal border agents claim extra powers (8 CFR 287.1: within 100 air miles of any external boundary of the United
  States). Regulations define the external boundary from the land boundaries *and the territorial sea* (12 nautical miles
  offshore), which pushes the zone about 14 miles further inland along the coasts than drawing it from the shoreline;
  advocates and the agency in practice draw it from every land border and coastline, Great Lakes included — about
  two-thirds of the population lives inside it. This map draws it from the shoreline: {zone_all_method}. {zone_test}.""").format(
            zone_mexico=word(ZONE_LABELS, "zone_mexico"), zone_mexico_method=word(ZONE_METHODS, "zone_mexico"),
            zone_all=word(ZONE_LABELS, "zone_all"), zone_all_method=word(ZONE_METHODS, "zone_all"), zone_test=_(ZONE_TEST)),
    ]
    return intro + "\n\n" + "\n".join(bullets) + "\n"


# What readers meet on the map, in plain words: (term, definition), translated when shown (see glossary()).
GLOSSARY = (
    (N_("Sanctuary"),
     N_("An informal name, not a legal term, for a state or local policy that limits how far police, jails and other "
        "agencies help federal immigration enforcement — for example by declining detainers or not asking about "
        "immigration status.")),
    (N_("Detainer"),
     N_("A request from ICE (Immigration and Customs Enforcement) that a jail hold a person for up to 48 hours after "
        "they would otherwise be released, or tell ICE before releasing them, so that ICE can take custody. It is a "
        "request, not a warrant signed by a judge.")),
    (N_("287(g) agreement"),
     N_("A written agreement, named after section 287(g) of the Immigration and Nationality Act, by which ICE lets "
        "trained state or local officers carry out some immigration-enforcement tasks under ICE supervision.")),
    (N_("Jail Enforcement Model"),
     N_("The 287(g) model in which trained jail officers ask people already booked into jail about their "
        "immigration status and can start deportation proceedings, for example by issuing detainers.")),
    (N_("Task Force Model"),
     N_("The 287(g) model in which trained local officers can use limited immigration powers during their ordinary "
        "police work in the community, such as on patrol.")),
    (N_("Warrant Service Officer"),
     N_("The 287(g) model in which trained jail officers may serve ICE administrative warrants on people already "
        "held in their jail, so that ICE can take them into custody; the officers do not question people about their "
        "immigration status.")),
    (N_("Federal lists"),
     N_("Lists of “sanctuary jurisdictions” published by the federal government: the Justice Department's list of "
        "2025-08-05 and a Homeland Security (DHS) list of 2025-05-29 that was later withdrawn. A listing is what "
        "Washington said about a place, not a policy the place adopted.")),
    (N_("100-mile border zone"),
     N_("The area within 100 miles of any external boundary of the United States — land borders and coasts — in "
        "which federal border agents claim extra powers to stop and search (8 CFR 287.1).")),
    (N_("Mexican-border zone"),
     N_("On this map, the area within 100 miles of the land border with Mexico only.")),
)


def glossary() -> list[tuple[str, str]]:
    """The glossary's (term, definition) pairs in the current language."""
    return [(_(term), _(definition)) for term, definition in GLOSSARY]


def column_rows() -> list[dict]:
    """The policy table's columns (names and codes as they are in the CSV) and what they mean, in the current language."""
    def codes(table: dict) -> str:
        return ", ".join(f"{k} ({_(v)})" for k, v in table.items())

    rows = [
        {"column": "policy_id", "meaning": _("Unique id (lower-case, digits, '.', '_', '-').")},
        {"column": "jurisdiction_name, jurisdiction_level, state",
         "meaning": _("Who adopted it: state, county, place (city or town) or school district.")},
        {"column": "geoid, geoid_layer, geoid_source",
         "meaning": _("The Census GEOID of its boundary (state 2 digits, county 5, place or school district 7) and layer; "
                      "where the code came from (census, fips, or the page that gives it).")},
        {"column": "stance", "meaning": _("Direction: {values}").format(values=codes(STANCE_LABEL))},
        {"column": "instrument_type", "meaning": codes(INSTRUMENT_LABEL)},
        {"column": "binding_level", "meaning": codes(BINDING_LABEL)},
        {"column": "status, status_date",
         "meaning": _("Status as of the data's date — {values} — and the date it took that status.").format(
             values=codes(STATUS_LABEL))},
        {"column": "date_adopted, date_effective",
         "meaning": _("YYYY-MM-DD, or YYYY-MM / YYYY when only that is known (said in notes).")},
        {"column": "relates_to, relation",
         "meaning": _("Another row and how this one relates to it: {values}.").format(values=", ".join(RELATIONS))},
        {"column": "source_url, source_kind, source_title, source_accessed",
         "meaning": _("The page read, its kind ({kinds}), title and the day it was read.").format(
             kinds=", ".join(f"{k}: {_(v)}" for k, v in SOURCE_KIND_LABEL.items()))},
        {"column": "source_url_2", "meaning": _("A second page confirming the date; required when the first is not official.")},
        {"column": "summary, notes",
         "meaning": _("What it does, in our words; partial dates, disagreements and what was not found.")},
        {"column": "binds_levels",
         "meaning": _("The levels of government it binds, ';'-separated from state;county;place;school_district (blank: its "
                      "own level). Profiles and the stack at a point list the state law (and county law) that applies to a "
                      "city or school district from it; a district is also shown the state law binding the police who serve "
                      "its schools. Rule and hand corrections: data/README.md.")},
    ]
    for group, flags in FLAG_GROUPS.items():
        rows.append({"column": ", ".join(flags),
                     "meaning": _("{group} (Y / N / blank = not known): {flags}").format(
                         group=_(group), flags="; ".join(_(FLAG_LABELS[f]) for f in flags))})
    rows.append({"column": "data/litigation.csv",
                 "meaning": _("Dated court events about a row (filed, injunction, dismissed, decided...), with court, case and "
                              "source.")})
    return rows


def boundary_rows(manifest: dict) -> list[dict]:
    """One row per boundary file (keys are the table's column names; the page shows them translated)."""
    return [{"layer": word(v, "title"), "file": f["file"], "kind": f.get("description", ""), "vintage": f["vintage"],
             "features": f["features"], "sha256": f["sha256"][:16] + "…"}
            for v in manifest["layers"].values() for f in v["files"]]


def limits_markdown() -> str:
    items = [
        _("* The table is a curated record, not a census of every policy: it grows by sourced rows only."),
        _("* Flags are set only where the source read says so; blank means *not known*, not *no*."),
        _("* Some rows store only a month or a year when the exact day was not found."),
        _("* Boundaries are the Census vintage recorded per layer; district and city limits change over time."),
        _("""* This server's Census source may lack some states' city and school-district files: those rows stay in the tables and
  are listed as having no boundary here; with the Census website as the source they are drawn."""),
        _("""* **Border line:** Natural Earth's 1:10m line straightens the Rio Grande's meanders and is quantised to a few hundred
  metres; boundaries within 1 km of it count as touching (distance 0)."""),
        _("""* **County shading:** a city or district "is in" a county when that county holds at least 5 per cent of its area
  (county outlines are 1:5,000,000, city outlines 1:500,000, so smaller overlaps are mostly slivers)."""),
        _("""* **287(g):** ICE overwrites its list with no history or ids; agreements are tracked across archived captures, and one
  absent from a later capture is counted as ended. Names with typos are matched with a fuzzy matcher and listed for review."""),
        _("""* **Federal lists:** the DHS list of 2025-05-29 survives only in press copies; its transcription here is partial (see
  data/README.md). The DOJ list of 2025-08-05 is complete."""),
        _("* A written policy is not always the practice: detainer counts per jail (FOIA data) are not part of this map."),
    ]
    return "\n".join(items) + "\n"
