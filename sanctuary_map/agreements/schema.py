"""The 287(g) tables' columns and vocabularies, and the capture types (rows, problems, captures)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..i18n import N_

AGREEMENT_COLUMNS: tuple[str, ...] = (
    "agreement_id", "agency", "state", "county", "agency_type", "model", "signed", "signed_date",
    "signed_source", "first_seen", "last_seen", "status", "ended_after", "ended_by", "captures", "evidence",
    "geoid", "geoid_layer", "geoid_name", "match", "match_score", "match_note", "former_names", "history", "source_file",
    "captured", "moa_url",
)
SNAPSHOT_COLUMNS: tuple[str, ...] = (
    "capture_date", "file", "kind", "complete", "rows", "problems", "new", "ended", "changed", "returned",
    "repository", "path", "commit", "sha256",
)
REVIEW_COLUMNS: tuple[str, ...] = (
    "kind", "agreement_id", "agency", "state", "county", "matched_name", "geoid", "score",
)
UNRESOLVED_COLUMNS: tuple[str, ...] = (
    "agreement_id", "agency", "state", "county", "agency_type", "model", "status", "reason",
)
STATUSES = ("active", "ended")
EVIDENCE = ("ice_list", "moa_archive")
SIGNED_SOURCES = ("ice_list", "moa_file_name")
LAYERS = ("state", "county", "place")
MATCHES: tuple[str, ...] = (
    "state_agency", "county_exact", "county_fuzzy", "county_directory", "place_exact", "place_fuzzy",
    "place_not_in_source_county", "place_unmatched_county", "unresolved",
)
MATCH_LABEL = {
    "state_agency": N_("State agency: the state"),
    "county_exact": N_("County, name matched exactly"),
    "county_fuzzy": N_("County, name matched approximately (review)"),
    "county_directory": N_("County from an agency or town directory"),
    "place_exact": N_("City or town, name matched exactly"),
    "place_fuzzy": N_("City or town, name matched approximately (review)"),
    "place_not_in_source_county": N_("City or town not in the boundary source: its county"),
    "place_unmatched_county": N_("No Census place of that name: its county"),
    "unresolved": N_("Not placed on the map"),
}
MODEL_ABBR = {"jail_enforcement": "jem", "task_force": "tfm", "warrant_service_officer": "wso", "other": "oth"}
FUZZY_NAME_MIN = 90.0      # agency names (distinctive words) when matching a capture to known agreements
FUZZY_COUNTY_MIN = 90.0    # county names
FUZZY_PLACE_MIN = 92.0     # Census place names
RESIGNED_DAYS = 30         # an MOA file dated this much later than the known signing date: re-signed
HEADER_SEARCH_ROWS = 30


class AgreementError(Exception):
    """A capture or table that cannot be read at all; the message says which file and why."""


@dataclass(frozen=True)
class CaptureProblem:
    """One bad row of a capture: ``file:row: reason``."""

    file: str
    row: int | None
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row if self.row is not None else '-'}: {self.reason}"


@dataclass(frozen=True)
class CaptureRow:
    """One row of ICE's list, as published plus parsed."""

    row: int
    agency: str
    state: str              # postal code
    county: str             # as published ('' for blank, '#N/A', 'N/A')
    agency_type: str        # ICE's TYPE column, as published
    support: str            # ICE's SUPPORT TYPE, as published
    model: str              # a code from vocab.MODELS
    signed: str             # as published (a date cell is written YYYY-MM-DD)
    signed_date: str        # ISO date, or '' when it cannot be parsed
    moa_url: str


@dataclass
class Capture:
    """One published list: its rows, its problems, and the day it was captured."""

    file: str
    captured: dt.date | None
    rows: list[CaptureRow] = field(default_factory=list)
    problems: list[CaptureProblem] = field(default_factory=list)
    complete: bool = True
    kind: str = "ice_list"
    rows_read: int = 0
    sha256: str = ""
    repository: str = ""
    path: str = ""
    commit: str = ""
