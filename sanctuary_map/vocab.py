"""The project's vocabulary in one place: codes, their readable labels, colours and order.

Every table, filter, legend, export and page takes its labels from here, so a code such as
``ag_directive`` is never shown to a reader ("AG directive" is).  Colours are from the
Okabe-Ito palette (distinguishable with the common colour-vision deficiencies); the tests
check the legend colours under simulated deuteranopia, protanopia and tritanopia.
"""
from __future__ import annotations

from .i18n import N_, _

# ---------------------------------------------------------------------------- geography
LEVELS = ("state", "county", "place", "school_district")
LEVEL_LABEL = {"state": N_("States"), "county": N_("Counties"), "place": N_("Cities and towns"), "school_district": N_("School districts")}
LEVEL_SINGULAR = {"state": N_("State"), "county": N_("County"), "place": N_("City or town"), "school_district": N_("School district")}
LAYERS = ("state", "county", "place", "unsd", "elsd", "scsd")
SCHOOL_LAYERS = ("unsd", "elsd", "scsd")
NATIONAL_LAYERS = ("state", "county")
LAYER_TITLES = {
    "state": N_("States"), "county": N_("Counties"), "place": N_("Cities and towns (Census places)"),
    "unsd": N_("School districts (unified)"), "elsd": N_("School districts (elementary)"), "scsd": N_("School districts (secondary)"),
}
LAYER_SINGULAR = {
    "state": N_("state"), "county": N_("county"), "place": N_("city or town"), "unsd": N_("unified school district"),
    "elsd": N_("elementary school district"), "scsd": N_("secondary school district"),
}
LAYER_LEVEL = {"state": "state", "county": "county", "place": "place", "unsd": "school_district",
               "elsd": "school_district", "scsd": "school_district"}
LEVEL_LAYERS = {
    "state": ("state",),
    "county": ("county",),
    # A consolidated city-county (Philadelphia, San Francisco, Denver) may join to its county.
    "place": ("place", "county"),
    "school_district": SCHOOL_LAYERS,
}
GEOID_LENGTH = {"state": 2, "county": 5, "place": 7, "unsd": 7, "elsd": 7, "scsd": 7}
STATE_FIPS = {
    "AL": "01", "AK": "02", "AZ": "04", "AR": "05", "CA": "06", "CO": "08", "CT": "09",
    "DE": "10", "DC": "11", "FL": "12", "GA": "13", "HI": "15", "ID": "16", "IL": "17",
    "IN": "18", "IA": "19", "KS": "20", "KY": "21", "LA": "22", "ME": "23", "MD": "24",
    "MA": "25", "MI": "26", "MN": "27", "MS": "28", "MO": "29", "MT": "30", "NE": "31",
    "NV": "32", "NH": "33", "NJ": "34", "NM": "35", "NY": "36", "NC": "37", "ND": "38",
    "OH": "39", "OK": "40", "OR": "41", "PA": "42", "RI": "44", "SC": "45", "SD": "46",
    "TN": "47", "TX": "48", "UT": "49", "VT": "50", "VA": "51", "WA": "53", "WV": "54",
    "WI": "55", "WY": "56", "PR": "72",
}
FIPS_STATE = {v: k for k, v in STATE_FIPS.items()}
STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico",
}

# ---------------------------------------------------------------------------- instruments
STANCES = ("limits_cooperation", "requires_cooperation", "mixed")
STANCE_LABEL = {"limits_cooperation": N_("Limits cooperation"), "requires_cooperation": N_("Requires cooperation"),
                "mixed": N_("Mixed (both)")}
STANCE_COLOUR = {"limits_cooperation": "#0072B2", "requires_cooperation": "#D55E00", "mixed": "#CC79A7"}
# "1 that limits cooperation" / "2 that limit cooperation" (profile summaries)
STANCE_CLAUSE = {"limits_cooperation": (N_("limits cooperation"), N_("limit cooperation")),
                 "requires_cooperation": (N_("requires cooperation"), N_("require cooperation")),
                 "mixed": (N_("does both"), N_("do both"))}
STANCE_HELP = {
    "limits_cooperation": N_("limits local or state help to federal immigration enforcement (\"sanctuary\")"),
    "requires_cooperation": N_("bans sanctuary policies, mandates detainer compliance or 287(g), or penalises officials"),
    "mixed": N_("does some of both"),
}
INSTRUMENT_TYPES = (
    "statute", "ordinance", "executive_order", "executive_directive", "ag_directive",
    "board_resolution", "board_policy", "department_order", "memo_guidance", "court_order",
)
INSTRUMENT_LABEL = {
    "statute": N_("State statute"), "ordinance": N_("Ordinance"), "executive_order": N_("Executive order"),
    "executive_directive": N_("Executive directive"), "ag_directive": N_("AG directive"), "board_resolution": N_("Board resolution"),
    "board_policy": N_("Board policy"), "department_order": N_("Department order"), "memo_guidance": N_("Memo or guidance"),
    "court_order": N_("Court ruling"),
}
INSTRUMENT_PLURAL = {
    "statute": N_("State statutes"), "ordinance": N_("Ordinances"), "executive_order": N_("Executive orders"),
    "executive_directive": N_("Executive directives"), "ag_directive": N_("AG directives"), "board_resolution": N_("Board resolutions"),
    "board_policy": N_("Board policies"), "department_order": N_("Department orders"), "memo_guidance": N_("Memos and guidance"),
    "court_order": N_("Court rulings"),
}
BINDING_LEVELS = ("law", "executive", "nonbinding", "guidance")
BINDING_LABEL = {"law": N_("Law"), "executive": N_("Executive"), "nonbinding": N_("Non-binding"), "guidance": N_("Guidance")}
STATUSES = (
    "in_effect", "amended", "codified", "superseded", "repealed", "enjoined", "struck_down", "expired",
    "proposed", "failed",
)
STATUS_LABEL = {
    "in_effect": N_("In effect"), "amended": N_("In effect, amended"), "codified": N_("Codified by a later act"),
    "superseded": N_("Superseded"), "repealed": N_("Repealed"), "enjoined": N_("Blocked by a court"), "struck_down": N_("Struck down"),
    "expired": N_("Expired"), "proposed": N_("Proposed"), "failed": N_("Failed"),
}
# From status_date on, an instrument with one of these statuses is no longer in force.
ENDED_STATUSES = ("superseded", "repealed", "enjoined", "struck_down", "expired")
NEVER_IN_FORCE = ("proposed", "failed")
RELATIONS = ("amends", "codifies", "reaffirms", "supersedes", "implements")
RELATION_INVERSE = {
    "amends": N_("amended by"), "codifies": N_("codified by"), "reaffirms": N_("reaffirmed by"),
    "supersedes": N_("superseded by"), "implements": N_("implemented by"),
}
SOURCE_KINDS = ("official", "news", "advocacy", "other")
SOURCE_KIND_LABEL = {"official": N_("Official (legislature, council or board, governor or AG, court)"), "news": N_("News"),
                     "advocacy": N_("Advocacy group"), "other": N_("Other")}
LITIGATION_EVENTS = ("filed", "injunction", "stay", "injunction_lifted", "dismissed", "decided", "appealed",
                     "settled", "withdrawn")
LITIGATION_LABEL = {"filed": N_("Lawsuit filed"), "injunction": N_("Injunction"), "stay": N_("Stay"),
                    "injunction_lifted": N_("Injunction lifted"),
                    "dismissed": N_("Dismissed"), "decided": N_("Decided"), "appealed": N_("Appealed"), "settled": N_("Settled"),
                    "withdrawn": N_("Withdrawn")}

# Attribute flags, one per restriction or requirement (Y / N / blank = not known).
# The first seven groups follow the ILRC's grouping; the last holds the other direction.
FLAG_GROUPS: dict[str, tuple[str, ...]] = {
    "Information & resources": ("no_status_inquiry", "limits_info_sharing", "bars_resource_use"),
    "Jail to ICE": ("declines_detainers", "limits_release_notification", "limits_ice_jail_access"),
    "Policing": ("bars_joint_operations",),
    "Contracts": ("bans_287g",),
    "Facilities": ("restricts_ice_facility_access", "requires_judicial_warrant"),
    "Schools": ("campus_access_protocol", "student_data_protection", "staff_training", "family_communication"),
    "Other": ("equal_access_to_services",),
    "Requires cooperation": ("bans_sanctuary_policies", "requires_detainer_compliance", "requires_287g",
                             "requires_status_checks", "penalizes_noncompliance"),
}
# The groups' labels (their names are also their codes in links: ``?restriction=Schools``).
FLAG_GROUP_LABEL = {g: g for g in (N_("Information & resources"), N_("Jail to ICE"), N_("Policing"), N_("Contracts"),
                                   N_("Facilities"), N_("Schools"), N_("Other"), N_("Requires cooperation"))}
FLAGS: tuple[str, ...] = tuple(f for group in FLAG_GROUPS.values() for f in group)
FLAG_LABELS = {
    "no_status_inquiry": N_("No questions about immigration status"),
    "limits_info_sharing": N_("Limits information sharing"),
    "bars_resource_use": N_("No local resources for immigration enforcement"),
    "declines_detainers": N_("Declines ICE detainers"),
    "limits_release_notification": N_("Limits release notifications to ICE"),
    "limits_ice_jail_access": N_("Limits ICE access to jails"),
    "bars_joint_operations": N_("No joint operations with ICE"),
    "bans_287g": N_("Bans 287(g) agreements"),
    "restricts_ice_facility_access": N_("Limits ICE access to facilities"),
    "requires_judicial_warrant": N_("Requires a judicial warrant"),
    "campus_access_protocol": N_("Campus access protocol"),
    "student_data_protection": N_("Protects student data"),
    "staff_training": N_("Staff training"),
    "family_communication": N_("Communication with families"),
    "equal_access_to_services": N_("Services regardless of status"),
    "bans_sanctuary_policies": N_("Bans sanctuary policies"),
    "requires_detainer_compliance": N_("Requires honouring ICE detainers"),
    "requires_287g": N_("Requires 287(g) agreements"),
    "requires_status_checks": N_("Requires immigration-status checks"),
    "penalizes_noncompliance": N_("Penalises officials or places that do not cooperate"),
}

# Search records (data/searched.csv): what a search of a jurisdiction's records found.
SEARCH_RESULTS = {"instruments_found": N_("Instruments found"), "none_found": N_("Researched: no instrument found"),
                  "leads_unverified": N_("Researched: leads not yet confirmed")}
RESEARCHED_COLOUR = "#6b6b6b"

# ---------------------------------------------------------------------------- 287(g) and federal lists
MODELS = ("jail_enforcement", "task_force", "warrant_service_officer", "other")
MODEL_LABEL = {"jail_enforcement": N_("Jail Enforcement Model"), "task_force": N_("Task Force Model"),
               "warrant_service_officer": N_("Warrant Service Officer"), "other": N_("Other or not stated")}
# 287(g) agreements are drawn as outlines in a colour family apart from the stance blues and oranges
# (purples and a green), each model with its own line style; tests/test_palette.py checks them against
# every other legend colour under simulated colour-vision deficiencies.
MODEL_COLOUR = {"jail_enforcement": "#762A83", "task_force": "#004529", "warrant_service_officer": "#40004B",
                "other": "#8A8A8A"}
MODEL_DASH: dict[str, list[float] | None] = {"jail_enforcement": None, "task_force": [7, 4],
                                              "warrant_service_officer": [2, 3], "other": [4, 2, 1, 2]}
MODEL_SWATCH = {"jail_enforcement": "outline", "task_force": "outline-dash", "warrant_service_officer": "outline-dot",
                "other": "outline-dash"}
FEDERAL_LISTS = ("doj_2025_08_05", "dhs_2025_05_29")
FEDERAL_LIST_LABEL = {"doj_2025_08_05": N_("Justice Department list (2025-08-05)"),
                      "dhs_2025_05_29": N_("DHS list (2025-05-29, withdrawn)")}
FEDERAL_COLOUR = "#000000"

# ---------------------------------------------------------------------------- map furniture
# Map layers a reader can switch off (the layer control's overlays, by key), with their labels.
LAYER_KEYS = ("state", "county", "place", "school_district", "coverage", "agreements", "federal", "zone", "zone_all",
              "border", "distance")
LAYER_LABELS = {"state": N_("States"), "county": N_("Counties"), "place": N_("Cities and towns"), "school_district": N_("School districts"),
                "coverage": N_("County coverage"), "agreements": N_("287(g) agreements"), "federal": N_("Federal lists"),
                "zone": N_("100 mi of Mexican border"), "zone_all": N_("100-mile border zone (all borders)"),
                "border": N_("Border line"), "distance": N_("Distance line")}
BORDER_COLOUR = "#000000"
ZONE_COLOUR = "#E6D200"  # the Mexican-border zone's outline, as drawn
ZONE_ALL_COLOUR = "#777777"  # the all-boundaries zone's outline, as drawn
SEGMENT_COLOUR = "#000000"

# Snapshot themes: the map furniture (base fill, outlines, the federal-list ink, border and distance lines, the
# "researched" grey) on a light or a dark page.  Category colours (stances, 287(g) models, zones) are the same in both.
THEME_LABEL = {"light": N_("Light"), "dark": N_("Dark")}
THEMES: dict[str, dict[str, str]] = {
    "light": {"page": "#ffffff", "base": "#f4f4f1", "baseLine": "#8f8f8f", "outline": "#8a8a8a", "coverageLine": "#b8b8b8",
              "researched": RESEARCHED_COLOUR, "ink": FEDERAL_COLOUR, "text": "#111111", "softText": "#333333"},
    "dark": {"page": "#16181d", "base": "#2b2e35", "baseLine": "#70747d", "outline": "#5f636c", "coverageLine": "#4b4f57",
             "researched": "#c8c8c8", "ink": "#f2f2f2", "text": "#f2f2f2", "softText": "#c8c8c8"},
}


# Colours a dark page redraws lighter (keys lower case): black ink, the "researched" grey, the 287(g) models' dark
# outlines (lighter: lavender, green, orchid, each still in its own dash pattern; checked in tests/test_palette.py).
THEME_SWAP: dict[str, dict[str, str]] = {
    "dark": {FEDERAL_COLOUR: THEMES["dark"]["ink"], RESEARCHED_COLOUR: THEMES["dark"]["researched"],
             MODEL_COLOUR["jail_enforcement"].lower(): "#c2a5cf", MODEL_COLOUR["task_force"].lower(): "#a6dba0",
             MODEL_COLOUR["warrant_service_officer"].lower(): "#e090f0", MODEL_COLOUR["other"].lower(): "#b0b0b0"},
}


def themed(colour: str, theme: str) -> str:
    """A colour as drawn in ``theme``: the light theme's ink (black lines, hatch), "researched" grey and the 287(g)
    models' dark outlines become the theme's own (:data:`THEME_SWAP`); stance fills and zones are unchanged."""
    return THEME_SWAP.get(theme, {}).get(colour.lower(), colour)


def word(table: dict[str, str], code: str) -> str:
    """``code``'s label from one vocabulary ``table``, in the current language (an unknown code as it is).  A helper, so
    message extraction does not take the code for a message."""
    return _(table[code]) if code in table else code


def label(code: str, kind: str = "") -> str:
    """A readable label for any code of the vocabulary, in the current language (falls back to a tidied code).
    State names are proper nouns: they are not translated."""
    tables = {"level": LEVEL_SINGULAR, "levels": LEVEL_LABEL, "layer": LAYER_TITLES, "stance": STANCE_LABEL,
              "type": INSTRUMENT_LABEL, "binding": BINDING_LABEL, "status": STATUS_LABEL, "flag": FLAG_LABELS,
              "source_kind": SOURCE_KIND_LABEL, "model": MODEL_LABEL, "list": FEDERAL_LIST_LABEL,
              "state": STATE_NAMES, "litigation": LITIGATION_LABEL}
    tidy = code.replace("_", " ").capitalize()
    if kind:
        text = tables[kind].get(code, tidy)
        return text if kind == "state" else _(text)
    for name, table in tables.items():
        if code in table:
            return table[code] if name == "state" else _(table[code])
    return tidy
