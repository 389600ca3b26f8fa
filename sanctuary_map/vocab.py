"""The project's vocabulary in one place: codes, their readable labels, colours and order.

Every table, filter, legend, export and page takes its labels from here, so a code such as
``ag_directive`` is never shown to a reader ("AG directive" is).  Colours are from the
Okabe-Ito palette (distinguishable with the common colour-vision deficiencies); the tests
check the legend colours under simulated deuteranopia, protanopia and tritanopia.
"""
from __future__ import annotations

# ---------------------------------------------------------------------------- geography
LEVELS = ("state", "county", "place", "school_district")
LEVEL_LABEL = {"state": "States", "county": "Counties", "place": "Cities and towns", "school_district": "School districts"}
LEVEL_SINGULAR = {"state": "State", "county": "County", "place": "City or town", "school_district": "School district"}
LAYERS = ("state", "county", "place", "unsd", "elsd", "scsd")
SCHOOL_LAYERS = ("unsd", "elsd", "scsd")
NATIONAL_LAYERS = ("state", "county")
LAYER_TITLES = {
    "state": "States", "county": "Counties", "place": "Cities and towns (Census places)",
    "unsd": "School districts (unified)", "elsd": "School districts (elementary)", "scsd": "School districts (secondary)",
}
LAYER_SINGULAR = {
    "state": "state", "county": "county", "place": "city or town", "unsd": "unified school district",
    "elsd": "elementary school district", "scsd": "secondary school district",
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
STANCE_LABEL = {"limits_cooperation": "Limits cooperation", "requires_cooperation": "Requires cooperation",
                "mixed": "Mixed (both)"}
STANCE_COLOUR = {"limits_cooperation": "#0072B2", "requires_cooperation": "#D55E00", "mixed": "#CC79A7"}
# "1 that limits cooperation" / "2 that limit cooperation" (profile summaries)
STANCE_CLAUSE = {"limits_cooperation": ("limits cooperation", "limit cooperation"),
                 "requires_cooperation": ("requires cooperation", "require cooperation"),
                 "mixed": ("does both", "do both")}
STANCE_HELP = {
    "limits_cooperation": "limits local or state help to federal immigration enforcement (\"sanctuary\")",
    "requires_cooperation": "bans sanctuary policies, mandates detainer compliance or 287(g), or penalises officials",
    "mixed": "does some of both",
}
INSTRUMENT_TYPES = (
    "statute", "ordinance", "executive_order", "executive_directive", "ag_directive",
    "board_resolution", "board_policy", "department_order", "memo_guidance", "court_order",
)
INSTRUMENT_LABEL = {
    "statute": "State statute", "ordinance": "Ordinance", "executive_order": "Executive order",
    "executive_directive": "Executive directive", "ag_directive": "AG directive", "board_resolution": "Board resolution",
    "board_policy": "Board policy", "department_order": "Department order", "memo_guidance": "Memo or guidance",
    "court_order": "Court ruling",
}
INSTRUMENT_PLURAL = {
    "statute": "State statutes", "ordinance": "Ordinances", "executive_order": "Executive orders",
    "executive_directive": "Executive directives", "ag_directive": "AG directives", "board_resolution": "Board resolutions",
    "board_policy": "Board policies", "department_order": "Department orders", "memo_guidance": "Memos and guidance",
    "court_order": "Court rulings",
}
BINDING_LEVELS = ("law", "executive", "nonbinding", "guidance")
BINDING_LABEL = {"law": "Law", "executive": "Executive", "nonbinding": "Non-binding", "guidance": "Guidance"}
STATUSES = (
    "in_effect", "amended", "codified", "superseded", "repealed", "enjoined", "struck_down", "expired",
    "proposed", "failed",
)
STATUS_LABEL = {
    "in_effect": "In effect", "amended": "In effect, amended", "codified": "Codified by a later act",
    "superseded": "Superseded", "repealed": "Repealed", "enjoined": "Blocked by a court", "struck_down": "Struck down",
    "expired": "Expired", "proposed": "Proposed", "failed": "Failed",
}
# From status_date on, an instrument with one of these statuses is no longer in force.
ENDED_STATUSES = ("superseded", "repealed", "enjoined", "struck_down", "expired")
NEVER_IN_FORCE = ("proposed", "failed")
RELATIONS = ("amends", "codifies", "reaffirms", "supersedes", "implements")
RELATION_INVERSE = {
    "amends": "amended by", "codifies": "codified by", "reaffirms": "reaffirmed by",
    "supersedes": "superseded by", "implements": "implemented by",
}
SOURCE_KINDS = ("official", "news", "advocacy", "other")
SOURCE_KIND_LABEL = {"official": "Official (legislature, council or board, governor or AG, court)", "news": "News",
                     "advocacy": "Advocacy group", "other": "Other"}
LITIGATION_EVENTS = ("filed", "injunction", "stay", "injunction_lifted", "dismissed", "decided", "appealed",
                     "settled", "withdrawn")
LITIGATION_LABEL = {"filed": "Lawsuit filed", "injunction": "Injunction", "stay": "Stay", "injunction_lifted": "Injunction lifted",
                    "dismissed": "Dismissed", "decided": "Decided", "appealed": "Appealed", "settled": "Settled",
                    "withdrawn": "Withdrawn"}

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
FLAGS: tuple[str, ...] = tuple(f for group in FLAG_GROUPS.values() for f in group)
FLAG_LABELS = {
    "no_status_inquiry": "No questions about immigration status",
    "limits_info_sharing": "Limits information sharing",
    "bars_resource_use": "No local resources for immigration enforcement",
    "declines_detainers": "Declines ICE detainers",
    "limits_release_notification": "Limits release notifications to ICE",
    "limits_ice_jail_access": "Limits ICE access to jails",
    "bars_joint_operations": "No joint operations with ICE",
    "bans_287g": "Bans 287(g) agreements",
    "restricts_ice_facility_access": "Limits ICE access to facilities",
    "requires_judicial_warrant": "Requires a judicial warrant",
    "campus_access_protocol": "Campus access protocol",
    "student_data_protection": "Protects student data",
    "staff_training": "Staff training",
    "family_communication": "Communication with families",
    "equal_access_to_services": "Services regardless of status",
    "bans_sanctuary_policies": "Bans sanctuary policies",
    "requires_detainer_compliance": "Requires honouring ICE detainers",
    "requires_287g": "Requires 287(g) agreements",
    "requires_status_checks": "Requires immigration-status checks",
    "penalizes_noncompliance": "Penalises officials or places that do not cooperate",
}

# Search records (data/searched.csv): what a search of a jurisdiction's records found.
SEARCH_RESULTS = {"instruments_found": "Instruments found", "none_found": "Researched: no instrument found",
                  "leads_unverified": "Researched: leads not yet confirmed"}
RESEARCHED_COLOUR = "#6b6b6b"

# ---------------------------------------------------------------------------- 287(g) and federal lists
MODELS = ("jail_enforcement", "task_force", "warrant_service_officer", "other")
MODEL_LABEL = {"jail_enforcement": "Jail Enforcement Model", "task_force": "Task Force Model",
               "warrant_service_officer": "Warrant Service Officer", "other": "Other or not stated"}
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
FEDERAL_LIST_LABEL = {"doj_2025_08_05": "Justice Department list (2025-08-05)",
                      "dhs_2025_05_29": "DHS list (2025-05-29, withdrawn)"}
FEDERAL_COLOUR = "#000000"

# ---------------------------------------------------------------------------- map furniture
# Map layers a reader can switch off (the layer control's overlays, by key), with their labels.
LAYER_KEYS = ("state", "county", "place", "school_district", "coverage", "agreements", "federal", "zone", "zone_all",
              "border", "distance")
LAYER_LABELS = {"state": "States", "county": "Counties", "place": "Cities and towns", "school_district": "School districts",
                "coverage": "County coverage", "agreements": "287(g) agreements", "federal": "Federal lists",
                "zone": "100 mi of Mexican border", "zone_all": "100-mile border zone (all borders)",
                "border": "Border line", "distance": "Distance line"}
BORDER_COLOUR = "#000000"
ZONE_COLOUR = "#E6D200"  # the Mexican-border zone's outline, as drawn
ZONE_ALL_COLOUR = "#777777"  # the all-boundaries zone's outline, as drawn
SEGMENT_COLOUR = "#000000"


def label(code: str, kind: str = "") -> str:
    """A readable label for any code of the vocabulary (falls back to a tidied code)."""
    tables = {"level": LEVEL_SINGULAR, "levels": LEVEL_LABEL, "layer": LAYER_TITLES, "stance": STANCE_LABEL,
              "type": INSTRUMENT_LABEL, "binding": BINDING_LABEL, "status": STATUS_LABEL, "flag": FLAG_LABELS,
              "source_kind": SOURCE_KIND_LABEL, "model": MODEL_LABEL, "list": FEDERAL_LIST_LABEL,
              "state": STATE_NAMES, "litigation": LITIGATION_LABEL}
    if kind:
        return tables[kind].get(code, code.replace("_", " ").capitalize())
    for table in tables.values():
        if code in table:
            return table[code]
    return code.replace("_", " ").capitalize()
