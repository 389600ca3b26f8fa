"""ICE 287(g) agreements as data, with their history.

ICE publishes one spreadsheet of participating agencies (one row per agency and model) and
overwrites it; it has no identifiers and no history.  This module

* reads one published list — ICE's ``.xlsx`` or an archived CSV copy — into a
  :class:`Capture` (:func:`read_capture`), reporting bad rows as ``file:row: reason``;
* gives every agreement a stable key, normalised (state, agency name, model)
  (:func:`agreement_key`), tolerating case, punctuation, abbreviations and, when a new
  capture is matched against known agreements, typos (``rapidfuzz``);
* places each agency on the map (:func:`resolve`): a state, county or Census place GEOID
  from the boundary index, or ``unresolved`` with the reason — never dropped;
* keeps the committed table (:class:`AgreementTable`, :func:`load_agreements`,
  :func:`save_agreements`) and folds one capture into it (:func:`ingest`): first and last
  seen, ended agreements, changed names, models and signing dates (:class:`IngestReport`);
* runs the ``ingest-287g`` command (:func:`ingest_cli`), from a file or from ICE's site
  (:func:`fetch_capture`: timeout, size limit, content check), writing the tables atomically;
* serves the app: :func:`load_for_map`, :func:`active_on`, :func:`map_lookups`,
  :func:`for_jurisdiction` and :func:`ledger_rows`.

A *complete* capture is a whole ICE list: an agreement missing from it has ended.  A
*partial* capture (for example MOA files found in an archive, :func:`read_moa_archive`)
only adds sightings: it never ends anything.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import tempfile
import unicodedata
import urllib.parse
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from .join import rows_for
from .policies import Problem
from .vocab import MODEL_LABEL, MODELS, STATE_FIPS, STATE_NAMES

# ---------------------------------------------------------------------------- schema
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
    "state_agency": "State agency: the state",
    "county_exact": "County, name matched exactly",
    "county_fuzzy": "County, name matched approximately (review)",
    "county_directory": "County from an agency or town directory",
    "place_exact": "City or town, name matched exactly",
    "place_fuzzy": "City or town, name matched approximately (review)",
    "place_not_in_source_county": "City or town not in the boundary source: its county",
    "place_unmatched_county": "No Census place of that name: its county",
    "unresolved": "Not placed on the map",
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


# ---------------------------------------------------------------------------- small parsers
_PLACEHOLDERS = {"", "#n/a", "n/a", "na", "none", "null", "-", "tbd", "statewide"}
_STATE_BY_NAME = {name.upper(): code for code, name in STATE_NAMES.items()}
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%m-%d-%Y", "%m-%d-%y", "%m.%d.%Y",
                 "%m.%d.%y", "%B %d, %Y", "%b %d, %Y", "%d-%b-%y", "%d-%b-%Y")


def _text(value: object) -> str:
    """A cell as clean text: NBSPs and runs of spaces collapsed, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value).replace("\xa0", " ")).strip()


def _blank(text: str) -> bool:
    return text.strip().lower() in _PLACEHOLDERS


def state_code(text: str) -> tuple[str, str]:
    """(postal code, note) for a state as ICE writes it ('ALABAMA', 'AL'); ('', reason) when unknown.

    A near miss such as 'UTAHJ' is read as the closest state name and the note says so.
    """
    t = _text(text).upper().replace(".", "")
    if not t:
        return "", "missing state"
    if t in _STATE_BY_NAME:
        return _STATE_BY_NAME[t], ""
    if len(t) == 2 and t in STATE_FIPS:
        return t, ""
    best = process.extractOne(t, list(_STATE_BY_NAME), scorer=fuzz.ratio)
    if best and best[1] >= 88:
        return _STATE_BY_NAME[best[0]], f"unknown state {text!r}: read as {best[0].title()}"
    return "", f"unknown state {text!r}"


def parse_signed(value: object) -> tuple[str, str]:
    """(as published, ISO date or '') for a SIGNED cell: a date, an Excel serial or text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "", ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat(), value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 < value < 80000:
            day = _EXCEL_EPOCH + dt.timedelta(days=int(value))
            return day.isoformat(), day.isoformat()
        return _text(value), ""
    text = _text(value)
    for fmt in _DATE_FORMATS:
        try:
            return text, dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return text, ""


def normalise_model(text: str) -> str:
    """A SUPPORT TYPE ('Task Force Model', 'WSO', 'Warrant Services Officer'…) as a code from MODELS."""
    t = re.sub(r"[^a-z]+", " ", text.lower()).strip()
    if re.search(r"\bjail\b|\bjem\b", t):
        return "jail_enforcement"
    if re.search(r"\btask\b|\btfm\b|\btf\b", t):
        return "task_force"
    if re.search(r"\bwarrant\b|\bwso\b", t):
        return "warrant_service_officer"
    return "other"


def unwrap_url(url: str) -> str:
    """The real address behind an Outlook 'safelinks' wrapper; '' unless it is an http(s) URL."""
    url = _text(url)
    if not re.match(r"^https?://", url, re.IGNORECASE):
        return ""
    parts = urllib.parse.urlsplit(url)
    if parts.netloc.endswith("safelinks.protection.outlook.com"):
        inner = urllib.parse.parse_qs(parts.query).get("url")
        if inner and re.match(r"^https?://", inner[0], re.IGNORECASE):
            return inner[0]
    return url


def date_from_name(name: str) -> dt.date | None:
    """The capture date in a file name: participatingAgencies060920263pm.xlsx -> 2026-06-09.

    ICE names its files MMDDYYYY (then am/pm, sometimes an hour); archive folders use
    YYYYMMDD or YYYY-MM-DD.  Returns None when no valid date is found.
    """
    stem = Path(name).name
    for m in re.finditer(r"(?<!\d)(\d{2})(\d{2})(20\d{2})(?:\d{0,2}(?:am|pm))?", stem, re.IGNORECASE):
        try:
            return dt.date(int(m[3]), int(m[1]), int(m[2]))
        except ValueError:
            continue
    for m in re.finditer(r"(?<!\d)(20\d{2})-?(\d{2})-?(\d{2})(?!\d)", stem):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
    return None


# ---------------------------------------------------------------------------- reading captures
# Header text (upper case, single spaces) -> field.  ICE's layout and the older archived CSVs.
_HEADER_FIELDS = {
    "STATE": "state", "LAW ENFORCEMENT AGENCY": "agency", "AGENCY": "agency", "TYPE": "agency_type",
    "AGENCY TYPE": "agency_type", "COUNTY": "county", "SUPPORT TYPE": "support", "SUPPORT": "support",
    "MODEL": "support", "SIGNED": "signed", "DATE SIGNED": "signed", "MOA": "moa", "LINK": "moa",
    "ADDENDUM": "addendum", "CAPTURE_DATE": "capture_date", "CAPTURE DATE": "capture_date",
}
_REQUIRED_FIELDS = ("state", "agency", "support")
Cell = tuple[object, str]  # (value, hyperlink target or '')


def _header_map(cells: Sequence[Cell]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, (value, _) in enumerate(cells):
        key = _text(value).upper().replace("_", " ") if value is not None else ""
        fieldname = _HEADER_FIELDS.get(key) or _HEADER_FIELDS.get(key.replace(" ", "_"))
        if fieldname and fieldname not in found:
            found[fieldname] = i
    return found


def _xlsx_rows(path: Path) -> list[list[Cell]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise AgreementError(f"{path.name}: cannot be read as an Excel workbook ({exc.__class__.__name__}: {exc})") from exc
    except Exception as exc:  # openpyxl raises several private exception types for damaged files
        raise AgreementError(f"{path.name}: cannot be read as an Excel workbook ({exc.__class__.__name__})") from exc
    # ICE's list is the first sheet holding the header; usually there is one sheet.
    for ws in wb.worksheets:
        rows = [[(c.value, (c.hyperlink.target or "") if c.hyperlink else "") for c in r] for r in ws.iter_rows()]
        if any(_is_header(r) for r in rows[:HEADER_SEARCH_ROWS]):
            return rows
    return [[(c.value, "") for c in r] for r in wb.worksheets[0].iter_rows()] if wb.worksheets else []


def _csv_rows(path: Path) -> list[list[Cell]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AgreementError(f"{path.name}: cannot be read ({exc.strerror or exc})") from exc
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly everything
        raise AgreementError(f"{path.name}: not a text file")
    if "\x00" in text:
        raise AgreementError(f"{path.name}: not a CSV file (binary content)")
    try:
        return [[(v, "") for v in r] for r in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise AgreementError(f"{path.name}: not valid CSV ({exc})") from exc


def _is_header(cells: Sequence[Cell]) -> bool:
    found = _header_map(cells)
    return "state" in found and "agency" in found


def read_capture(path: Path, captured: dt.date | None = None) -> Capture:
    """Read one ICE list (``.xlsx`` or archived ``.csv``) into a :class:`Capture`.

    The header row is found wherever it is (ICE has put a title above it); blank rows are
    skipped; bad rows are reported, not fatal.  The capture date is ``captured``, else the
    date in the file name, else the archive's ``capture_date`` column, else None (reported).
    A file that cannot be read at all raises :class:`AgreementError`.
    """
    path = Path(path)
    name = path.name
    if not path.exists():
        raise AgreementError(f"{name}: no such file")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic.startswith(b"PK"):
        rows = _xlsx_rows(path)
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        raise AgreementError(f"{name}: not an Excel workbook (it does not start like one)")
    else:
        rows = _csv_rows(path)
    header_at = next((i for i, r in enumerate(rows[:HEADER_SEARCH_ROWS]) if _is_header(r)), None)
    if header_at is None:
        raise AgreementError(f"{name}: no header row with STATE and LAW ENFORCEMENT AGENCY (or agency) "
                             f"in the first {HEADER_SEARCH_ROWS} rows")
    columns = _header_map(rows[header_at])
    missing = [f for f in _REQUIRED_FIELDS if f not in columns]
    if missing:
        raise AgreementError(f"{name}: header row {header_at + 1} lacks {', '.join(missing)} "
                             "(expected SUPPORT TYPE or support)")
    capture = Capture(file=name, captured=captured, sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    capture_dates: set[str] = set()
    for i, cells in enumerate(rows[header_at + 1:], start=header_at + 2):
        values = {f: cells[j] if j < len(cells) else (None, "") for f, j in columns.items()}
        texts = {f: _text(v[0]) for f, v in values.items()}
        if not any(texts.values()) or _is_header(cells):
            continue
        capture.rows_read += 1
        if texts.get("capture_date"):
            capture_dates.add(texts["capture_date"][:10])
        row, problems = _parse_row(name, i, values, texts)
        capture.problems.extend(problems)
        if row is not None:
            capture.rows.append(row)
    if capture.captured is None:
        capture.captured = date_from_name(name)
    if capture.captured is None and len(capture_dates) == 1:
        _, iso = parse_signed(capture_dates.pop())
        capture.captured = dt.date.fromisoformat(iso) if iso else None
    if capture.captured is None:
        capture.problems.insert(0, CaptureProblem(name, None, "no capture date: give one (YYYY-MM-DD); the file "
                                                  "name has no MMDDYYYY date"))
    _flag_duplicates(capture)
    return capture


def _parse_row(name: str, i: int, values: dict[str, Cell], texts: dict[str, str]
               ) -> tuple[CaptureRow | None, list[CaptureProblem]]:
    problems: list[CaptureProblem] = []
    agency = texts.get("agency", "")
    if not agency:
        return None, [CaptureProblem(name, i, "missing agency: row left out")]
    state, note = state_code(texts.get("state", ""))
    if not state:
        return None, [CaptureProblem(name, i, f"{note}: row left out ({agency})")]
    if note:
        problems.append(CaptureProblem(name, i, note))
    support = texts.get("support", "")
    model = normalise_model(support)
    if model == "other":
        problems.append(CaptureProblem(name, i, f"unrecognised support type {support!r}: model 'other'"))
    signed, signed_date = parse_signed(values["signed"][0]) if "signed" in values else ("", "")
    if signed and not signed_date:
        problems.append(CaptureProblem(name, i, f"unparseable date {signed!r} ({agency})"))
    moa_value, moa_link = values.get("moa", (None, ""))
    county = texts.get("county", "")
    return CaptureRow(
        row=i, agency=agency, state=state, county="" if _blank(county) else county,
        agency_type="" if _blank(texts.get("agency_type", "")) else texts.get("agency_type", ""),
        support=support, model=model, signed=signed, signed_date=signed_date,
        moa_url=unwrap_url(moa_link) or unwrap_url(_text(moa_value)),
    ), problems


def _flag_duplicates(capture: Capture) -> None:
    """Keep the first row of each agreement key; report the repeats."""
    first: dict[str, int] = {}
    kept: list[CaptureRow] = []
    for r in capture.rows:
        key = agreement_key(r.state, r.agency, r.model)
        if key in first:
            capture.problems.append(CaptureProblem(capture.file, r.row, f"repeats row {first[key]} (same agency and "
                                                   f"model: {r.agency}, {MODEL_LABEL[r.model]}): row left out"))
            continue
        first[key] = r.row
        kept.append(r)
    capture.rows = kept


# ---------------------------------------------------------------------------- MOA archive (partial captures)
_MOA_DATE_PATTERNS = (
    re.compile(r"(?<!\d)(?P<y>20\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<m>\d{1,2})[._\-](?P<d>\d{1,2})[._\-](?P<y>\d{4}|\d{2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<m>\d{2})(?P<d>\d{2})(?P<y>20\d{2}|\d{2})(?!\d)"),
)


def moa_file_date(filename: str, before: dt.date | None = None) -> str:
    """The signing date an MOA file name carries (…_MOA_042925.pdf, …_03.26.2025.pdf, …2020-06-09.pdf).

    ISO date, or '' when there is none or it is ambiguous (7 digits such as 1162025) or
    later than ``before`` (the day the file was captured).
    """
    stem = urllib.parse.unquote(Path(filename).stem)
    stem = re.sub(r"%20\d+$|\s+\d{3}$", "", stem)  # '… 508' accessibility suffixes
    found: list[dt.date] = []
    for pattern in _MOA_DATE_PATTERNS:
        for m in pattern.finditer(stem):
            year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
            try:
                found.append(dt.date(year, int(m["m"]), int(m["d"])))
            except ValueError:
                continue
        if found:
            break
    found = [d for d in found if d.year >= 2002 and (before is None or d <= before)]
    return found[-1].isoformat() if found else ""


def moa_file_model(filename: str) -> str:
    """The model an MOA file name names (…_TFM_MOA…, 287gWSO_…, …_TF_MOA…); 'other' when none."""
    stem = Path(urllib.parse.unquote(filename)).stem
    m = re.search(r"(?i)(?:^|[^a-z])(?:287g)?(jem|wso|tfm|tf)(?=[^a-z]|$)", stem)
    if m:
        return normalise_model(m[1])
    return normalise_model(re.sub(r"([a-z])([A-Z])", r"\1 \2", stem))


def read_moa_archive(path: Path, *, source_name: str | None = None) -> list[Capture]:
    """Partial captures from 287(g) Watch's ``moa_agreements.json`` (one per archive snapshot).

    Each entry is an MOA file first found in a snapshot of the appelson/Tracking_287g archive
    of ICE's page: evidence that the agreement was listed that day.  The agency name is
    the archive's folder name (ICE's name with '_' for spaces); model and signing date come
    from the file name.  Entries whose file name names no model are left out when the
    agency has a modelled entry (they are older MOAs of the same agreements).
    """
    path = Path(path)
    name = source_name or path.name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AgreementError(f"{name}: cannot be read as JSON ({exc.__class__.__name__}: {exc})") from exc
    if not isinstance(data, dict):
        raise AgreementError(f"{name}: expected an object keyed 'STATE|agency'")
    entries: list[dict] = []
    for n, (key, items) in enumerate(sorted(data.items()), start=1):
        state = key.split("|", 1)[0].upper()
        for item in items if isinstance(items, list) else []:
            url = str(item.get("pdf_url") or "")
            parts = urllib.parse.urlsplit(url).path.split("/")
            snapshot = next((p for p in parts if p.startswith("agreements_")), "")
            folder = urllib.parse.unquote(parts[-2]) if len(parts) >= 2 else ""
            agency = _text(folder.replace("_", " ")) or key.split("|", 1)[-1]
            filename = str(item.get("filename") or parts[-1])
            entries.append({"n": n, "state": state, "agency": agency, "snapshot": snapshot, "url": url,
                            "file": filename, "model": moa_file_model(filename), "key": key})
    modelled = {(e["state"], normalise_agency(e["agency"])) for e in entries if e["model"] != "other"}
    captures: dict[str, Capture] = {}
    for e in entries:
        day = date_from_name(e["snapshot"])
        cap = captures.setdefault(e["snapshot"], Capture(
            file=f"{name}#{e['snapshot']}", captured=day, complete=False, kind="moa_archive"))
        cap.rows_read += 1
        if day is None:
            cap.problems.append(CaptureProblem(name, e["n"], f"no snapshot date in {e['url']!r}: entry left out"))
            continue
        if e["state"] not in STATE_FIPS:
            cap.problems.append(CaptureProblem(name, e["n"], f"unknown state {e['state']!r}: entry left out"))
            continue
        if e["model"] == "other" and (e["state"], normalise_agency(e["agency"])) in modelled:
            continue
        signed_date = moa_file_date(e["file"], before=day)
        cap.rows.append(CaptureRow(row=e["n"], agency=e["agency"], state=e["state"], county="", agency_type="",
                                   support="", model=e["model"], signed="", signed_date=signed_date,
                                   moa_url=e["url"]))
    out = sorted(captures.values(), key=lambda c: (c.captured or dt.date.min, c.file))
    for cap in out:
        _flag_duplicates(cap)
    return out


# ---------------------------------------------------------------------------- agreement keys
_ABBREVIATIONS = (
    (r"\bdept\b", "department"), (r"\bdepart[e]?n?ment\b|\bdepartent\b", "department"), (r"\bpd\b", "police department"),
    (r"\bso$", "sheriffs office"), (r"\bft\b", "fort"), (r"\bst\b", "saint"), (r"\bste\b", "sainte"),
    (r"\bmt\b", "mount"), (r"\bco\b", "county"), (r"\btwp\b", "township"), (r"\bpct\b", "precinct"),
    (r"\bdoc\b", "department of corrections"), (r"\bbocc\b", "board of county commissioners"),
    (r"\bsheriff office\b", "sheriffs office"), (r"\bsheriff s\b", "sheriffs"),
    (r"\bconstables s\b", "constables"), (r"\bconstable s\b", "constables"),
)
# Generic words dropped when comparing names by their distinctive part (the place).
_FILLER = frozenset(
    ["police", "department", "sheriffs", "sheriff", "office", "of", "the", "county", "city", "town", "village",
     "borough", "parish", "township", "services", "service", "public", "safety", "division", "corrections", "correctional",
     "board", "commissioners", "center", "and", "law", "enforcement", "agency"])


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def normalise_agency(name: str) -> str:
    """An agency name folded for comparison: case, accents, apostrophes, punctuation, abbreviations.

    "St. Lucie County Sheriff's Office", "ST LUCIE COUNTY SHERIFFS OFFICE" and
    "Saint Lucie Co. Sheriff Office" all become "saint lucie county sheriffs office".
    """
    s = _ascii(name.replace("’", "'")).lower().replace("&", " and ")
    s = re.sub(r"(\w)'(\w)", r"\1\2", s)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    for pattern, replacement in _ABBREVIATIONS:
        s = re.sub(pattern, replacement, s)
    s = re.sub(r"\s+", " ", s).strip()
    return re.sub(r"^the ", "", s)


def agreement_key(state: str, agency: str, model: str) -> str:
    """The stable key of an agreement: 'FL|saint lucie county sheriffs office|task_force'."""
    return f"{state.upper()}|{normalise_agency(agency)}|{model}"


# What kind of body an agency is; two names with different roles are never the same agency.
_ROLES = {
    "sheriff": "sheriff", "sheriffs": "sheriff", "police": "police", "corrections": "corrections",
    "correctional": "corrections", "correction": "corrections", "jail": "corrections", "detention": "corrections",
    "constable": "constable", "constables": "constable", "marshal": "marshal", "marshals": "marshal",
    "commissioners": "commissioners", "attorney": "attorney", "attorneys": "attorney", "patrol": "patrol",
    "guard": "guard", "trustees": "campus", "university": "campus", "college": "campus", "port": "port",
    "airport": "port", "safety": "safety",
}
_TYPO_PRONE = ("office", "department", "sheriffs", "police", "constables")


def _tokens(name: str, state: str) -> tuple[frozenset[str], str]:
    """(roles, distinctive words) of an agency name."""
    words = normalise_agency(name).split()
    words = [next((f for f in _TYPO_PRONE if len(w) >= 5 and fuzz.ratio(w, f) >= 85), w) for w in words]
    state_words = set(STATE_NAMES.get(state, "").lower().split())
    roles = frozenset(_ROLES[w] for w in words if w in _ROLES)
    kept = [w for w in words if w not in _FILLER and w not in state_words and w not in _ROLES]
    return roles, " ".join(sorted(kept))


def name_similarity(a: str, b: str, state: str) -> float:
    """0–100: how alike two agency names of one state are, judged on their distinctive words.

    'Calacasieu Parish Sheriffs Office' ~ 'Calcasieu Parish Sheriff's Office' scores 95;
    'Lake County Sheriff's Office' ~ 'Lee County Sheriff's Office' scores 57; names of
    different kinds of body ('… Sheriff's Office' ~ '… Department of Corrections') score 0.
    """
    (ra, da), (rb, db) = _tokens(a, state), _tokens(b, state)
    if ra != rb:
        return 0.0
    if da and db:
        return float(fuzz.ratio(da, db))
    if not da and not db:
        return float(fuzz.token_set_ratio(normalise_agency(a), normalise_agency(b)))
    return 0.0


def same_agency(a: str, b: str, state: str) -> float | None:
    """The similarity score when two names are taken for the same agency, else None.

    Accepted: same kind of body and distinctive words scoring >= FUZZY_NAME_MIN, or differing
    by one letter in a name of five or more ('Berrian' ~ 'Berrien').
    """
    score = name_similarity(a, b, state)
    if score >= FUZZY_NAME_MIN:
        return score
    da, db = _tokens(a, state)[1], _tokens(b, state)[1]
    if score > 0 and min(len(da), len(db)) >= 5 and Levenshtein.distance(da, db) <= 1:
        return score
    return None


def agreement_id(state: str, agency: str, model: str, taken: set[str]) -> str:
    """A readable id assigned at first sight and never changed: 'fl-saint-lucie-county-sheriffs-office-tfm'."""
    slug = re.sub(r"[^a-z0-9]+", "-", normalise_agency(agency)).strip("-")[:60].strip("-")
    base = f"{state.lower()}-{slug}-{MODEL_ABBR[model]}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


# ---------------------------------------------------------------------------- resolution
@dataclass(frozen=True)
class Resolution:
    """Where an agency sits on the map: a GEOID of ``layer``, how it was found, and a note."""

    geoid: str
    layer: str
    match: str
    note: str = ""
    score: float | None = None  # for approximate (fuzzy) matches, 0–100
    name: str = ""              # the boundary's name ('Franklin County', 'Los Angeles', 'Florida')


# Unmistakably state-level bodies, and phrases that are state-level when the name starts with the state.
_STATE_STRONG_RE = re.compile(
    r"state police|state patrol|highway patrol|national guard|state guard|attorney general|state attorney|"
    r"state auditor|state fire marshal|capitol police|military department")
_STATE_WEAK_RE = re.compile(
    r"bureau of investigation|department of public safety|department of correction|wildlife|fish and game|"
    r"marine resources|alcoholic beverage|alcohol and tobacco|department of law enforcement|homeland security|"
    r"division of criminal investigation|department of safety|bureau of narcotics|gaming control|crime information|"
    r"department of justice|department of agriculture|department of revenue|department of transportation|"
    r"lottery|financial services|environmental protection|law enforcement division")
_COUNTY_RE = re.compile(r"\bsheriffs?\b|\bcounty\b|\bparish\b|\bborough\b|\bjail\b|\bdetention\b|\bcorrection|"
                        r"\bdistrict attorney|\bcommissioners\b")
_CAMPUS_RE = re.compile(r"universit|college|\bschools?\b|board of trustees")
_OTHER_RE = re.compile(r"port authority|\bport\b|airport|aviation|constable|transit|\bauthority\b|tribal|"
                       r"nation\b|harbor|\bmarshal|district attorney|judicial|circuit")
_MUNICIPAL_RE = re.compile(r"\bpolice\b|public safety|\bcity of\b|\btown of\b|\bvillage of\b|\bmarshal")
_COUNTY_SUFFIX_RE = re.compile(r"\s+(county|parish|borough|census area|city and borough|municipality|municipio)$")
_PLACE_STRIP_RE = re.compile(
    r"\b(police departe?ment|police dept|police services|police|department of public safety|public safety department|"
    r"public safety|department|marshals? office|marshal)\b")


def agency_kind(agency: str, agency_type: str, state: str) -> str:
    """'state', 'county', 'municipal' or 'other' (campus, port, constable, transit…)."""
    n = normalise_agency(agency)
    t = agency_type.strip().lower()
    state_name = STATE_NAMES.get(state, "").lower()
    starts_with_state = bool(state_name) and (n.startswith(state_name + " ") or n == state_name)
    local = re.search(r"\bcounty\b|\bparish\b", n)
    if _CAMPUS_RE.search(n):
        return "state" if t == "state agency" else "other"
    if _STATE_STRONG_RE.search(n) and not local:
        return "state"
    if re.search(r"\bconstables?\b", n):  # Pennsylvania's "state constables" are local officers
        return "other"
    if t == "state agency":
        return "state"
    rest = n.removeprefix(state_name)
    if starts_with_state and (_STATE_WEAK_RE.search(n) or not (_MUNICIPAL_RE.search(rest) or _COUNTY_RE.search(n))):
        return "state"
    if _STATE_WEAK_RE.search(n) and re.match(r"(department|division|bureau|office) of ", n):
        return "state"  # 'Department of Public Safety', as ICE wrote Texas's once
    if re.search(r"\bsheriffs?\b", n):
        return "county"
    if _OTHER_RE.search(n):
        return "other"
    if _COUNTY_RE.search(n) and not re.search(r"\b(city|town|village) of\b", n):
        return "county"
    if _MUNICIPAL_RE.search(n) or t == "municipality":
        return "municipal"
    return "county" if t == "county" else "other"


def _norm_place(text: str) -> str:
    s = _ascii(text).lower().replace("&", " and ")
    s = re.sub(r"(\w)'(\w)", r"\1\2", s)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    s = re.sub(r"\bsaint\b", "st", s)
    s = re.sub(r"\bste\b", "ste", s)
    s = re.sub(r"\bft\b", "fort", s)
    s = re.sub(r"\bmt\b", "mount", s)
    return re.sub(r"\s+", " ", s).strip()


def _norm_county(text: str) -> str:
    """'City of St. Louis' -> 'st louis city'; 'Miami-Dade County' -> 'miami dade county'."""
    s = _norm_place(text)
    m = re.match(r"^city of (.+)$", s)
    if m:
        s = f"{m[1]} city"
    return s


@dataclass
class _CountyLookup:
    full: dict[str, str]                 # 'richmond city' -> geoid
    bare: dict[str, list[str]]           # 'richmond' -> [geoids]
    names: dict[str, str]                # geoid -> name_full


class _IndexCache:
    """Per-state lookups built once from the boundary index."""

    def __init__(self, index: pd.DataFrame):
        self.index = index
        self._counties: dict[str, _CountyLookup] = {}
        self._places: dict[str, dict[str, list[tuple[str, str]]]] = {}
        layer = index["layer"].astype(str)
        self.place_states = set(index.loc[layer == "place", "state"].astype(str))
        self.state_geoids = set(index.loc[layer == "state", "geoid"].astype(str))
        self.county_rows = index.loc[layer == "county", ["geoid", "name", "name_full", "state"]].astype(str)
        self.place_rows = index.loc[layer == "place", ["geoid", "name", "name_full", "state", "counties"]].astype(str) \
            if "counties" in index.columns else index.loc[layer == "place", ["geoid", "name", "name_full", "state"]]

    def counties(self, state: str) -> _CountyLookup:
        if state not in self._counties:
            rows = self.county_rows[self.county_rows["state"] == state]
            full: dict[str, str] = {}
            bare: dict[str, list[str]] = defaultdict(list)
            names: dict[str, str] = {}
            for geoid, name, name_full in zip(rows["geoid"], rows["name"], rows["name_full"]):
                full[_norm_county(name_full)] = geoid
                bare[_norm_place(name)].append(geoid)
                names[geoid] = name_full
            self._counties[state] = _CountyLookup(full, dict(bare), names)
        return self._counties[state]

    def places(self, state: str) -> dict[str, list[tuple[str, str]]]:
        if state not in self._places:
            rows = self.place_rows[self.place_rows["state"] == state]
            lookup: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for geoid, name in zip(rows["geoid"], rows["name"]):
                lookup[_norm_place(name)].append((geoid, name))
            self._places[state] = dict(lookup)
        return self._places[state]


_CACHES: dict[int, _IndexCache] = {}


def _cache(index: pd.DataFrame) -> _IndexCache:
    cache = _CACHES.get(id(index))
    if cache is None or cache.index is not index:
        cache = _CACHES[id(index)] = _IndexCache(index)
    return cache


_ADDFIPS: list = []


def _addfips_county(text: str, state: str) -> str | None:
    try:
        if not _ADDFIPS:
            import addfips

            _ADDFIPS.append(addfips.AddFIPS())
        return _ADDFIPS[0].get_county_fips(text, state=state)
    except (ImportError, KeyError, ValueError, TypeError, AttributeError):  # no answer
        return None


def match_county(text: str, state: str, index: pd.DataFrame, *, fuzzy: bool = True
                 ) -> tuple[str, str, float] | None:
    """(geoid, name_full, score) of the county ``text`` names in ``state``; None when nothing is close.

    Exact on the full name ('Richmond city', 'Orleans Parish'), then on the bare name when
    it is unique in the state (or the county when a same-named independent city exists),
    then addfips, then rapidfuzz (score < 100: to review).
    """
    if not text or _blank(text):
        return None
    lookup = _cache(index).counties(state)
    if not lookup.full:
        return None
    wanted = _norm_county(text)
    if wanted in lookup.full:
        geoid = lookup.full[wanted]
        return geoid, lookup.names[geoid], 100.0
    bare = _COUNTY_SUFFIX_RE.sub("", wanted)
    as_city = bare.endswith(" city") and bare.removesuffix(" city") in lookup.bare
    hits = lookup.bare.get(bare, [])
    if len(hits) == 1 and not as_city:
        return hits[0], lookup.names[hits[0]], 100.0
    if len(hits) > 1:
        counties = [g for g in hits if not lookup.names[g].lower().endswith(" city")]
        if len(counties) == 1:
            return counties[0], lookup.names[counties[0]], 100.0
    fips = _addfips_county(text, state)
    if fips and fips in lookup.names:
        return fips, lookup.names[fips], 100.0
    if not fuzzy:
        return None
    # approximate: typos ('Lampass', 'Dogulas'); the first letter must agree ('North' is not 'Worth')
    choices = [k for k in lookup.full if k[:1] == wanted[:1]]
    best = process.extractOne(wanted, choices, scorer=fuzz.ratio)
    if best and best[1] >= FUZZY_COUNTY_MIN:
        geoid = lookup.full[best[0]]
        return geoid, lookup.names[geoid], float(best[1])
    bare_choices = {_COUNTY_SUFFIX_RE.sub("", k): v for k, v in lookup.full.items() if k[:1] == bare[:1]}
    best = process.extractOne(bare, list(bare_choices), scorer=fuzz.ratio)
    if best and best[1] >= FUZZY_COUNTY_MIN:
        geoid = bare_choices[best[0]]
        return geoid, lookup.names[geoid], float(best[1])
    return None


def counties_in_name(agency: str) -> list[str]:
    """County names an agency name holds, longest first.

    'Palm Beach County Sheriff's Office' -> ['palm beach county', 'beach county'];
    'City of St. Louis Sheriff's Office' and 'St. Louis City Sheriff's Office' -> ['st louis city', 'louis city']
    (independent cities are county equivalents).
    """
    n = re.sub(r"\bcity of ((?:[a-z]+ ){0,2}?[a-z]+)(?= sheriff| jail| correction| detention|$)", r"\1 city",
               _norm_place(agency))
    kinds = ("county", "parish", "borough", "city")
    words = n.split()
    out: list[str] = []
    for i, word in enumerate(words):
        if word not in kinds or i == 0 or words[i - 1] in kinds:
            continue
        before = words[max(0, i - 3):i]
        stops = [k for k, w in enumerate(before) if w in (*kinds, "of", "the", "and")]
        before = before[stops[-1] + 1:] if stops else before
        out.extend(" ".join(before[k:]) + f" {word}" for k in range(len(before)))
    return out


def place_names(agency: str) -> list[str]:
    """Candidate place names in a municipal agency's name, most specific first.

    'City of Miami Springs Police Department' -> ['miami springs'];
    'Ashdown City Police Department' -> ['ashdown city', 'ashdown'].
    """
    n = _norm_place(agency)
    n = re.sub(r"^(the )?(city|town|village|borough|township) of ", "", n)
    n = re.sub(r"\b(city|town|village|borough|township) of\b", " ", n)
    n = _PLACE_STRIP_RE.sub(" ", n)
    n = re.sub(r"\s+", " ", n).strip()
    out = [n] if n else []
    shorter = re.sub(r" (city|town|village|borough|township|twp)$", "", n)
    if shorter and shorter != n:
        out.append(shorter)
    return out


def _directory_names(agency: str, kind: str) -> list[str]:
    n = _norm_place(agency)
    names = [n, *place_names(agency)]
    if kind in ("other", "county"):
        bare = re.sub(r"^(district )?board of trustees of (the )?|\bboard of trustees$", "", n)
        names.append(re.sub(r"\s+", " ", _PLACE_STRIP_RE.sub(" ", bare)).strip())
    return [x for x in dict.fromkeys(names) if x]


def _directory_county(agency: str, state: str, kind: str, directory: pd.DataFrame | None
                      ) -> tuple[str, str] | None:
    """(county name, note) from the agency directory, when exactly one county fits.

    Exact names only, tier by tier (the FBI's agency list before postal town names); a
    campus with several entries (branch campuses) takes the one with the most staff.
    """
    if directory is None or directory.empty:
        return None
    rows = directory[directory["state"] == state]
    wanted = _directory_names(agency, kind)
    for _, tier in rows.groupby("priority", sort=True):
        hits = tier[tier["norm"].isin(wanted)]
        if kind == "municipal":
            city = hits[hits["kind"] == "city"]
            hits = city if not city.empty else hits
        counties = sorted(set(hits["county"]) - {""})
        if len(counties) > 1 and set(hits["kind"]) == {"campus"} and hits["norm"].nunique() == 1:
            hits = hits.sort_values("staff", ascending=False).head(1)
            counties = [hits.iloc[0]["county"]]
        if len(counties) == 1:
            first = hits[hits["county"] == counties[0]].iloc[0]
            return counties[0], f"county from {first['source']} ({first['ori']}: {first['name']})"
        if len(counties) > 1:
            return None  # ambiguous: several places of that name
    return None


def resolve(agency: str, state: str, county: str, agency_type: str, index: pd.DataFrame,
            directory: pd.DataFrame | None = None) -> Resolution:
    """Place one agency on the map using the boundary ``index`` (see the module's rules).

    * state agencies (state police, highway patrol, corrections, national guard, attorney
      general, ICE TYPE 'State Agency' without a county for campuses…) -> the state;
    * sheriffs, county jails and other county agencies -> the county (COUNTY column, else
      the agency name, else the optional agency ``directory``);
    * municipal police -> the Census place by name within the state when the index has
      places for that state, else the county ('place_not_in_source_county');
    * everything else (campus police, ports, constables, transit) -> the county.
    """
    state = state.upper()
    kind = agency_kind(agency, agency_type, state)
    if kind == "state":
        fips = STATE_FIPS.get(state, "")
        if fips and fips in _cache(index).state_geoids:
            return Resolution(fips, "state", "state_agency", "state agency: resolved to the state",
                              name=STATE_NAMES.get(state, state))
        return Resolution("", "", "unresolved", f"state {state} is not in the boundary index")
    if kind == "municipal":
        found = _resolve_place(agency, state, index)
        if found is not None:
            return found
    return _resolve_county(agency, state, county, kind, index, directory)


def _resolve_place(agency: str, state: str, index: pd.DataFrame) -> Resolution | None:
    cache = _cache(index)
    if state not in cache.place_states:
        return None
    lookup = cache.places(state)
    for candidate in place_names(agency):
        hits = lookup.get(candidate, [])
        if len(hits) == 1:
            return Resolution(hits[0][0], "place", "place_exact", f"Census place {hits[0][1]!r}", name=hits[0][1])
    for candidate in place_names(agency)[:1]:
        best = process.extract(candidate, list(lookup), scorer=fuzz.ratio, limit=2)
        if best and best[0][1] >= FUZZY_PLACE_MIN and (len(best) == 1 or best[1][1] < best[0][1]):
            hits = lookup[best[0][0]]
            if len(hits) == 1:
                return Resolution(hits[0][0], "place", "place_fuzzy",
                                  f"Census place {hits[0][1]!r} ~ {candidate!r} (approximate)", float(best[0][1]),
                                  hits[0][1])
    return None


def _resolve_county(agency: str, state: str, county: str, kind: str, index: pd.DataFrame,
                    directory: pd.DataFrame | None) -> Resolution:
    cache = _cache(index)
    municipal = kind == "municipal"
    if municipal:
        match_kind = "place_unmatched_county" if state in cache.place_states else "place_not_in_source_county"
        lead = ("no Census place of that name in the index: resolved to county" if state in cache.place_states
                else "place boundary not in source: resolved to county")
    else:
        match_kind, lead = "", ""
    sources: list[tuple[str, str]] = []
    if county:
        parts = [p for p in re.split(r"\s*(?:,|/|;|&|\band\b)\s*", county) if p.strip()] or [county]
        sources.append((parts[0], f"COUNTY column {county!r}" + (" (first of several)" if len(parts) > 1 else "")))
    if not municipal:
        named = [(c, "the agency name") for c in counties_in_name(agency)]
        # a sheriff or county jail is the county its name says, whatever the COUNTY column holds
        sources = [*named, *sources] if kind == "county" else [*sources, *named]
    for fuzzy in (False, True):
        for text, note in sources:
            found = match_county(text, state, index, fuzzy=fuzzy)
            if found:
                geoid, name_full, score = found
                exact = score >= 100
                mk = match_kind or ("county_exact" if exact else "county_fuzzy")
                detail = f"{name_full} from {note}" + ("" if exact else f" ~ {text!r} (approximate, {score:.0f})")
                other = match_county(county, state, index, fuzzy=False) if county and "COUNTY" not in note else None
                if other and other[0] != geoid:
                    detail += f" (the COUNTY column says {county!r})"
                return Resolution(geoid, "county", mk, "; ".join(x for x in (lead, detail) if x),
                                  None if exact else score, name_full)
    via = _directory_county(agency, state, kind, directory)
    if via:
        found = match_county(via[0], state, index)
        if found:
            geoid, name_full, score = found
            return Resolution(geoid, "county", "county_directory",
                              "; ".join(x for x in (lead, f"{name_full}: {via[1]}") if x),
                              None if score >= 100 else score, name_full)
    if sources:
        reason = f"county {', '.join(repr(t) for t, _ in sources[:2])} not found in {state}"
    else:
        reason = "no county given, none in the agency name and none in the agency directory"
    return Resolution("", "", "unresolved", reason)


def load_fbi_directory(path: Path) -> pd.DataFrame:
    """An agency directory from the FBI's Law Enforcement Employees file (ori, pub_agency_name,
    state_abbr, county_name, agency_type_name): columns state, name, norm, county, kind, ori.

    Used only to find the county of an agency whose capture gave none.  A name such as
    'Marion Township, Beaver County' keeps its county; multi-county agencies keep the first.
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    kinds = {"City": "city", "County": "county", "University or College": "campus"}
    names = raw["pub_agency_name"].str.strip()
    qualifier = names.str.extract(r",\s*(?P<q>[^,]+ County)$")["q"].fillna("")
    county = raw["county_name"].str.split(",").str[0].str.strip().str.title()
    county = county.where(qualifier == "", qualifier.str.replace(r"\s+County$", "", regex=True))
    bare = names.str.replace(r",\s*[^,]+ County$", "", regex=True)
    out = pd.DataFrame({
        "state": raw["state_abbr"].str.strip().str.upper(), "name": names,
        "norm": [_norm_place(n) for n in bare], "county": county.where(~county.str.upper().isin(
            ["NOT SPECIFIED", ""]), ""),
        "kind": raw["agency_type_name"].map(kinds).fillna("other"), "ori": raw["ori"],
        "staff": pd.to_numeric(raw.get("total_pe_ct", pd.Series(0, index=raw.index)), errors="coerce").fillna(0),
        "source": "the FBI agency list", "priority": 1,
    })
    return out.drop_duplicates(["state", "norm", "county", "kind"]).reset_index(drop=True)


def postal_directory(records: Iterable[dict]) -> pd.DataFrame:
    """A fallback directory of postal town names (dicts with zip_code, city, state, county),
    used after the FBI list: a town found under ZIP codes of one county only gives that county.
    """
    rows = [{"state": str(r.get("state", "")).upper(), "name": f"{r.get('city', '')}, ZIP {r.get('zip_code', '')}",
             "norm": _norm_place(str(r.get("city", ""))), "county": str(r.get("county") or ""),
             "kind": "city", "ori": f"ZIP {r.get('zip_code', '')}", "staff": 0, "source": "postal town names",
             "priority": 2} for r in records if r.get("city") and r.get("county")]
    return pd.DataFrame(rows).drop_duplicates(["state", "norm", "county"]).reset_index(drop=True)


# ---------------------------------------------------------------------------- the table
@dataclass
class AgreementTable:
    """Agreements (one row each, all text) and the captures they were built from, plus problems."""

    rows: pd.DataFrame
    snapshots: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    source: str = "287g_agreements.csv"

    @classmethod
    def empty(cls) -> AgreementTable:
        return cls(_frame([], AGREEMENT_COLUMNS), _frame([], SNAPSHOT_COLUMNS))

    @property
    def last_capture(self) -> str:
        return max(self.snapshots["capture_date"], default="") if len(self.snapshots) else ""


def _frame(records: list[dict], columns: Sequence[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=list(columns))
    return frame.fillna("").astype(str) if len(frame) else pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ENUMS = {"model": MODELS, "status": STATUSES, "evidence": EVIDENCE, "match": MATCHES,
          "signed_source": ("", *SIGNED_SOURCES), "geoid_layer": ("", *LAYERS)}
_REQUIRED = ("agreement_id", "agency", "state", "model", "first_seen", "last_seen", "status", "match")
_DATE_COLUMNS = ("signed_date", "first_seen", "last_seen", "ended_after", "ended_by", "captured")


def _is_iso(value: str) -> bool:
    if not _ISO_RE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _read_csv(path: Path, columns: Sequence[str], problems: list[Problem], required: bool) -> list[dict]:
    name = path.name
    if not path.exists():
        if required:
            problems.append(Problem(name, None, None, "no such file"))
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AgreementError(f"{name}: cannot be read ({exc})") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in columns if c not in header]
    for c in missing:
        problems.append(Problem(name, 1, c, "missing column"))
    if missing:
        raise AgreementError(f"{name}: missing columns {', '.join(missing)}")
    return [{c: (r.get(c) or "").strip() for c in columns} for r in reader]


def _validate(records: list[dict], name: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    keys: dict[str, int] = {}
    for rno, r in enumerate(records, start=2):
        def bad(column: str, reason: str, rno: int = rno) -> None:
            problems.append(Problem(name, rno, column, reason))

        for c in _REQUIRED:
            if not r[c]:
                bad(c, "required value is blank")
        for c, allowed in _ENUMS.items():
            if r[c] and r[c] not in allowed:
                bad(c, f"{r[c]!r} is not one of {', '.join(a for a in allowed if a)}")
        if r["state"] and r["state"] not in STATE_FIPS:
            bad("state", f"unknown state {r['state']!r}")
        for c in _DATE_COLUMNS:
            if r[c] and not _is_iso(r[c]):
                bad(c, f"{r[c]!r} is not a YYYY-MM-DD date")
        if r["first_seen"] and r["last_seen"] and r["first_seen"] > r["last_seen"]:
            bad("last_seen", "is before first_seen")
        if r["status"] == "ended" and not r["ended_after"]:
            bad("ended_after", "an ended agreement needs the last capture it was in")
        if r["geoid"] and r["match"] == "unresolved":
            bad("geoid", "set although match is 'unresolved'")
        if r["match"] and r["match"] != "unresolved" and not r["geoid"]:
            bad("geoid", f"blank although match is {r['match']!r}")
        if r["geoid"] and not re.fullmatch(r"\d{2}|\d{5}|\d{7}", r["geoid"]):
            bad("geoid", f"{r['geoid']!r} is not a 2, 5 or 7 digit GEOID")
        if r["agreement_id"] in seen:
            bad("agreement_id", f"duplicate of row {seen[r['agreement_id']]}")
        seen.setdefault(r["agreement_id"], rno)
        if r["state"] and r["agency"] and r["model"]:
            key = agreement_key(r["state"], r["agency"], r["model"])
            if key in keys:
                bad("agency", f"same agency and model as row {keys[key]}")
            keys.setdefault(key, rno)
    return problems


def load_agreements(path: Path, snapshots: Path | None = None) -> AgreementTable:
    """Read and validate ``287g_agreements.csv`` (and its ``287g_snapshots.csv``).

    Bad rows are reported (``file:row:column: reason``) and left out; a missing file gives an
    empty table; a file without the expected columns raises :class:`AgreementError`.
    """
    path = Path(path)
    snapshots = Path(snapshots) if snapshots else path.with_name("287g_snapshots.csv")
    problems: list[Problem] = []
    records = _read_csv(path, AGREEMENT_COLUMNS, problems, required=False)
    snaps = _read_csv(snapshots, SNAPSHOT_COLUMNS, problems, required=False)
    problems.extend(_validate(records, path.name))
    bad_rows = {p.row for p in problems if p.file == path.name and p.row}
    good = [r for rno, r in enumerate(records, start=2) if rno not in bad_rows]
    return AgreementTable(_frame(good, AGREEMENT_COLUMNS), _frame(snaps, SNAPSHOT_COLUMNS), problems, path.name)


def save_agreements(table: AgreementTable, path: Path, snapshots: Path | None = None) -> None:
    """Write the agreements (sorted by state, agency, model) and the snapshots."""
    path = Path(path)
    snapshots = Path(snapshots) if snapshots else path.with_name("287g_snapshots.csv")
    rows = table.rows.sort_values(["state", "agency", "model", "agreement_id"], key=lambda s: s.str.lower())
    rows[list(AGREEMENT_COLUMNS)].to_csv(path, index=False, lineterminator="\n")
    table.snapshots[list(SNAPSHOT_COLUMNS)].to_csv(snapshots, index=False, lineterminator="\n")


def review_rows(table: AgreementTable) -> pd.DataFrame:
    """Every approximate match for a person to check: fuzzy counties and places, renamed agencies."""
    out: list[dict] = []
    for r in table.rows.to_dict("records"):
        if r["match_score"] or "postal town names" in r["match_note"]:
            out.append({"kind": r["match"], "agreement_id": r["agreement_id"], "agency": r["agency"],
                        "state": r["state"], "county": r["county"], "matched_name": r["geoid_name"],
                        "geoid": r["geoid"], "score": r["match_score"]})
        for former in dict.fromkeys(f for f in r["former_names"].split(" | ") if f and f != r["agency"]):
            out.append({"kind": "agency_renamed", "agreement_id": r["agreement_id"], "agency": r["agency"],
                        "state": r["state"], "county": r["county"], "matched_name": former, "geoid": r["geoid"],
                        "score": f"{name_similarity(former, r['agency'], r['state']):.0f}"})
    return _frame(out, REVIEW_COLUMNS)


def unresolved_rows(table: AgreementTable) -> pd.DataFrame:
    """Agreements not placed on the map, with the reason (they stay in the main table)."""
    rows = table.rows[table.rows["match"] == "unresolved"]
    out = [{"agreement_id": r["agreement_id"], "agency": r["agency"], "state": r["state"], "county": r["county"],
            "agency_type": r["agency_type"], "model": r["model"], "status": r["status"], "reason": r["match_note"]}
           for r in rows.to_dict("records")]
    return _frame(out, UNRESOLVED_COLUMNS)


def resolution_summary(table: AgreementTable) -> dict[str, object]:
    """Counts by match kind and the share placed on the map (state, county or place)."""
    counts = table.rows["match"].value_counts().to_dict()
    total = len(table.rows)
    resolved = total - int(counts.get("unresolved", 0))
    return {"agreements": total, "resolved": resolved, "resolved_pct": round(100 * resolved / total, 1) if total else 0.0,
            "by_match": {k: int(counts.get(k, 0)) for k in MATCHES}}


# ---------------------------------------------------------------------------- for the map, profiles and ledger
# Colour of a boundary holding agreements of several models: the widest in scope first.
MODEL_PRIORITY = ("task_force", "jail_enforcement", "warrant_service_officer", "other")


def load_for_map(path: Path, boundaries: object | None = None) -> AgreementTable:
    """The committed table for the app; a table that cannot be read gives an empty one with the problem."""
    try:
        table = load_agreements(Path(path))
    except AgreementError as exc:
        table = AgreementTable.empty()
        table.problems.append(Problem(Path(path).name, None, None, str(exc)))
    index = getattr(boundaries, "index", None)
    if index is not None and len(table.rows):
        known = set(zip(index["layer"].astype(str), index["geoid"].astype(str)))
        placed = table.rows["geoid"] != ""
        missing = placed & ~pd.Series([(a, b) in known for a, b in zip(table.rows["geoid_layer"], table.rows["geoid"])],
                                      index=table.rows.index)
        for rno in table.rows.index[missing]:
            r = table.rows.loc[rno]
            table.problems.append(Problem(table.source, None, "geoid", f"{r['agreement_id']}: {r['geoid_layer']} "
                                          f"{r['geoid']} is not in the boundary index (shown in tables, not on the map)"))
    return table


def began(rows: pd.DataFrame) -> pd.Series:
    """The first day an agreement is known to exist: its signing date, or its first sighting if earlier or unknown."""
    first = rows["first_seen"]
    signed = rows["signed_date"]
    return signed.where((signed != "") & ((first == "") | (signed <= first)), first)


def active_on(table: AgreementTable, as_of: str) -> pd.DataFrame:
    """Agreements in force on ``as_of`` (ISO day): begun by then, and not ended — an ended agreement counts
    through the last capture it was in (``ended_after``); what happened until ``ended_by`` is unknown."""
    rows = table.rows
    if rows.empty:
        return rows
    start = began(rows)
    live = (rows["status"] == "active") | (rows["ended_after"] >= as_of)
    return rows[(start != "") & (start <= as_of) & live]


def for_jurisdiction(shown: pd.DataFrame, layer: str, geoid: str) -> list[dict]:
    """The agreements of a view's selection (``Selection.agreements``) placed on one boundary, as plain dicts."""
    if shown.empty:
        return []
    rows = rows_for(shown, layer, geoid)
    out = []
    for r in rows.sort_values(["agency", "model"]).to_dict("records"):
        out.append({**r, "signed": r["signed_date"] or r["signed"], "model_label": MODEL_LABEL.get(r["model"], r["model"])})
    return out


def ledger_rows(table: AgreementTable) -> list[dict]:
    """Dated events for the ledger: signed, first on ICE's list (after the first capture), gone from it."""
    rows = table.rows
    if rows.empty:
        return []
    first_capture = min(table.snapshots["capture_date"], default="") if len(table.snapshots) else ""
    first_capture = first_capture or rows["first_seen"].min()
    out: list[dict] = []
    for r in rows.to_dict("records"):
        label = f"{r['agency']}: {MODEL_LABEL.get(r['model'], r['model'])}"
        base = {"kind": "287g", "jurisdiction_name": r["geoid_name"] or r["agency"], "geoid": r["geoid"],
                "geoid_layer": r["geoid_layer"], "state": r["state"], "source_id": r["agreement_id"], "stance": "",
                "source_url": r["moa_url"]}
        if r["signed_date"]:
            source = "ICE's list" if r["signed_source"] == "ice_list" else "the MOA file name"
            out.append({**base, "date": r["signed_date"], "event": "287g_signed",
                        "summary": f"{label} — signed (date from {source})"})
        if r["first_seen"] and r["first_seen"] > first_capture:
            where = "ICE's list" if r["evidence"] == "ice_list" else "the archive of ICE's MOA files"
            out.append({**base, "date": r["first_seen"], "event": "287g_first_seen",
                        "summary": f"{label} — first seen in {where}"})
        if r["status"] == "ended":
            out.append({**base, "date": r["ended_by"] or r["ended_after"], "event": "287g_ended",
                        "summary": f"{label} — gone from ICE's list (last seen {r['ended_after']})"})
    return out


# ---------------------------------------------------------------------------- ingest
@dataclass
class Change:
    agreement_id: str
    agency: str
    state: str
    what: str          # 'name', 'model' or 'signed'
    before: str
    after: str
    score: float | None = None

    def __str__(self) -> str:
        extra = f" (approximate name match, {self.score:.0f})" if self.score is not None else ""
        return f"{self.state} {self.agency}: {self.what} {self.before or '(blank)'!s} -> {self.after or '(blank)'}{extra}"


@dataclass
class IngestReport:
    """What one capture changed."""

    file: str
    captured: str
    kind: str
    complete: bool
    rows: int
    new: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    problems: list[CaptureProblem] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = (f"{self.file} (captured {self.captured}, {self.rows} rows"
                f"{'' if self.complete else ', partial: absences end nothing'}): "
                f"{len(self.new)} new, {len(self.ended)} ended, {len(self.changed)} changed, "
                f"{len(self.returned)} returned, {len(self.problems)} bad rows")
        out = [head]
        for title, items in (("new", self.new), ("ended", self.ended), ("returned", self.returned),
                             ("changed", [str(c) for c in self.changed]),
                             ("not placed on the map", self.unresolved)):
            if items:
                out.append(f"  {title} ({len(items)}):")
                out.extend(f"    {x}" for x in items)
        return out


def _describe(rec: dict) -> str:
    return f"{rec['state']} {rec['agency']} — {MODEL_LABEL.get(rec['model'], rec['model'])} [{rec['agreement_id']}]"


def _append(rec: dict, column: str, text: str, sep: str) -> None:
    rec[column] = sep.join(x for x in (rec[column], text) if x)


def _set_resolution(rec: dict, res: Resolution) -> None:
    rec.update(geoid=res.geoid, geoid_layer=res.layer, geoid_name=res.name, match=res.match, match_note=res.note,
               match_score="" if res.score is None else f"{res.score:.0f}")


@dataclass
class _Matching:
    """How the rows of one capture map onto known agreements (indexes into the records)."""

    matched: dict[int, CaptureRow] = field(default_factory=dict)
    renamed: dict[int, float] = field(default_factory=dict)
    remodelled: set[int] = field(default_factory=set)
    new: list[CaptureRow] = field(default_factory=list)


def _check_order(table: AgreementTable, capture: Capture) -> str:
    if capture.captured is None:
        raise AgreementError(f"{capture.file}: no capture date; give one (YYYY-MM-DD)")
    day = capture.captured.isoformat()
    last = table.last_capture
    if last and day < last:
        raise AgreementError(f"{capture.file}: captured {day}, before the latest capture already ingested "
                             f"({last}); rebuild the table from the archives to insert an older capture")
    if capture.sha256 and (capture.sha256, day) in set(zip(table.snapshots["sha256"], table.snapshots["capture_date"])):
        raise AgreementError(f"{capture.file}: this exact file is already ingested for {day}")
    return day


def _match_keys(records: list[dict], capture: Capture) -> _Matching:
    by_key = {agreement_key(r["state"], r["agency"], r["model"]): i for i, r in enumerate(records)}
    m = _Matching()
    for row in capture.rows:
        i = by_key.get(agreement_key(row.state, row.agency, row.model))
        if i is not None and i not in m.matched:
            m.matched[i] = row
        else:
            m.new.append(row)
    return m


def _match_names(records: list[dict], capture: Capture, m: _Matching) -> None:
    """Approximate names, same state and model; a complete capture only takes agreements it has not matched."""
    pools: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        pools[(r["state"], r["model"])].append(i)
    rest: list[CaptureRow] = []
    for row in m.new:
        pool = pools.get((row.state, row.model), [])
        if capture.complete:
            pool = [i for i in pool if i not in m.matched]
        scored = sorted(((s, i) for i in pool if (s := same_agency(row.agency, records[i]["agency"], row.state))),
                        reverse=True)
        if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            rest.append(row)
        elif scored[0][1] not in m.matched:  # (a partial capture may sight one agreement twice: once is enough)
            m.matched[scored[0][1]] = row
            m.renamed[scored[0][1]] = scored[0][0]
    m.new = rest


def _drop_unmodelled(records: list[dict], m: _Matching) -> None:
    """Partial captures: an MOA file naming no model, for an agency already known, adds nothing."""
    known: dict[str, list[str]] = defaultdict(list)
    for r in records:
        known[r["state"]].append(r["agency"])
    m.new = [row for row in m.new if row.model != "other" or not any(
        same_agency(row.agency, other, row.state) for other in known[row.state])]


def _match_models(records: list[dict], m: _Matching) -> None:
    """Complete captures: one agreement of an agency vanished and one of another model appeared -> changed model."""
    vanished: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        if i not in m.matched and r["status"] == "active":
            vanished[(r["state"], normalise_agency(r["agency"]))].append(i)
    appeared: dict[tuple[str, str], list[CaptureRow]] = defaultdict(list)
    for row in m.new:
        appeared[(row.state, normalise_agency(row.agency))].append(row)
    for key, rows in appeared.items():
        gone = vanished.get(key, [])
        if len(rows) == 1 and len(gone) == 1:
            m.matched[gone[0]] = rows[0]
            m.remodelled.add(gone[0])
            m.new.remove(rows[0])


def _snapshot(capture: Capture, day: str, report: IngestReport) -> dict[str, str]:
    return {
        "capture_date": day, "file": capture.file, "kind": capture.kind, "complete": "Y" if capture.complete else "N",
        "rows": str(len(capture.rows)), "problems": str(len(capture.problems)), "new": str(len(report.new)),
        "ended": str(len(report.ended)), "changed": str(len(report.changed)), "returned": str(len(report.returned)),
        "repository": capture.repository, "path": capture.path, "commit": capture.commit, "sha256": capture.sha256,
    }


def ingest(table: AgreementTable, capture: Capture, index: pd.DataFrame,
           directory: pd.DataFrame | None = None) -> tuple[AgreementTable, IngestReport]:
    """Fold one capture into the table; return the new table and what changed.

    Complete capture: rows are matched to known agreements by key, then — for the rest —
    by approximate name among the same state's agreements of the same model that this
    capture has not matched (a changed name, listed for review), then as a changed model
    (one agreement of an agency vanished, one of another model appeared).  Unmatched rows
    are new; known active agreements the capture lacks are ended (``ended_after`` = the
    last capture they were in, ``ended_by`` = this one).  A partial capture only adds
    sightings and new agreements.  Captures must be ingested oldest first.
    """
    day = _check_order(table, capture)
    records = [dict(r) for r in table.rows.to_dict("records")]
    known = len(records)
    report = IngestReport(capture.file, day, capture.kind, capture.complete, len(capture.rows),
                          problems=list(capture.problems))
    m = _match_keys(records, capture)
    _match_names(records, capture, m)
    if capture.complete:
        _match_models(records, m)
    else:
        _drop_unmodelled(records, m)
    for i, row in m.matched.items():
        _update(records[i], row, capture, day, report, m.renamed.get(i), i in m.remodelled, index, directory)
    taken = {r["agreement_id"] for r in records}
    placed = {(r["state"], normalise_agency(r["agency"])): r for r in records if r["match"] != "unresolved"}
    for row in m.new:
        rec = _new_record(row, capture, day, taken, index, directory, placed)
        taken.add(rec["agreement_id"])
        records.append(rec)
        report.new.append(_describe(rec))
        if rec["match"] == "unresolved":
            report.unresolved.append(f"{_describe(rec)}: {rec['match_note']}")
    if capture.complete:
        for i, rec in enumerate(records[:known]):
            if i not in m.matched and rec["status"] == "active":
                rec.update(status="ended", ended_after=rec["last_seen"], ended_by=day)
                _append(rec, "history", f"{day}: not in the list (ended after {rec['last_seen']})", "; ")
                report.ended.append(_describe(rec))
    snapshot = _frame([_snapshot(capture, day, report)], SNAPSHOT_COLUMNS)
    snapshots = pd.concat([table.snapshots, snapshot], ignore_index=True) if len(table.snapshots) else snapshot
    return AgreementTable(_frame(records, AGREEMENT_COLUMNS), snapshots, list(table.problems), table.source), report


def _new_record(row: CaptureRow, capture: Capture, day: str, taken: set[str], index: pd.DataFrame,
                directory: pd.DataFrame | None, placed: dict[tuple[str, str], dict]) -> dict:
    rec = {c: "" for c in AGREEMENT_COLUMNS}
    rec.update(
        agreement_id=agreement_id(row.state, row.agency, row.model, taken), agency=row.agency, state=row.state,
        county=row.county, agency_type=row.agency_type, model=row.model, signed=row.signed,
        signed_date=row.signed_date, signed_source=_signed_source(row, capture), first_seen=day, last_seen=day,
        status="active", captures="1", evidence="ice_list" if capture.complete else "moa_archive",
        source_file=capture.file, captured=day, moa_url=row.moa_url,
    )
    res = resolve(row.agency, row.state, row.county, row.agency_type, index, directory)
    sibling = placed.get((row.state, normalise_agency(row.agency)))
    if res.match == "unresolved" and sibling is not None:  # the agency's other agreement was placed
        res = Resolution(sibling["geoid"], sibling["geoid_layer"], sibling["match"],
                         f"as {sibling['agreement_id']}: {sibling['match_note']}",
                         float(sibling["match_score"]) if sibling["match_score"] else None, sibling["geoid_name"])
    _set_resolution(rec, res)
    return rec


def _signed_source(row: CaptureRow, capture: Capture) -> str:
    if not row.signed_date:
        return ""
    return "ice_list" if capture.kind == "ice_list" else "moa_file_name"


def _update(rec: dict, row: CaptureRow, capture: Capture, day: str, report: IngestReport, fuzzy: float | None,
            remodelled: bool, index: pd.DataFrame, directory: pd.DataFrame | None) -> None:
    before = (rec["agency"], rec["county"], rec["agency_type"])
    if rec["status"] == "ended":
        report.returned.append(_describe(rec))
        _append(rec, "history", f"{day}: back in the list (had ended after {rec['ended_after']})", "; ")
        rec.update(status="active", ended_after="", ended_by="")
    rec["last_seen"] = max(rec["last_seen"], day)
    rec["captures"] = str(int(rec["captures"] or 0) + 1)
    rec.update(source_file=capture.file, captured=day)
    if not capture.complete:
        if not rec["moa_url"]:
            rec["moa_url"] = row.moa_url
        if row.signed_date and not rec["signed_date"]:
            rec.update(signed_date=row.signed_date, signed_source="moa_file_name")
        elif row.signed_date and rec["signed_date"] and (
                dt.date.fromisoformat(row.signed_date) - dt.date.fromisoformat(rec["signed_date"])).days > RESIGNED_DAYS:
            report.changed.append(Change(rec["agreement_id"], rec["agency"], rec["state"], "signed",
                                         rec["signed_date"], row.signed_date))
            _append(rec, "history", f"{day}: MOA file dated {row.signed_date} (was {rec['signed_date']})", "; ")
            rec.update(signed_date=row.signed_date, signed_source="moa_file_name")
        if fuzzy is not None and row.agency != rec["agency"]:
            _append(rec, "history", f"{day}: MOA archive names it {row.agency!r} ({fuzzy:.0f})", "; ")
        return
    rec["evidence"] = "ice_list"
    if fuzzy is not None and row.agency != rec["agency"]:
        report.changed.append(Change(rec["agreement_id"], rec["agency"], rec["state"], "name", rec["agency"],
                                     row.agency, fuzzy))
        _append(rec, "former_names", rec["agency"], " | ")
        _append(rec, "history", f"{day}: name {rec['agency']!r} -> {row.agency!r} (approximate, {fuzzy:.0f})", "; ")
    if remodelled:
        report.changed.append(Change(rec["agreement_id"], rec["agency"], rec["state"], "model", rec["model"], row.model))
        _append(rec, "history", f"{day}: model {rec['model']} -> {row.model}", "; ")
    if row.signed_date and rec["signed_date"] and row.signed_date != rec["signed_date"]:
        report.changed.append(Change(rec["agreement_id"], rec["agency"], rec["state"], "signed", rec["signed_date"],
                                     row.signed_date))
        _append(rec, "history", f"{day}: signed {rec['signed_date']} -> {row.signed_date}", "; ")
    rec.update(agency=row.agency, model=row.model)
    if row.signed_date:
        rec.update(signed=row.signed, signed_date=row.signed_date, signed_source="ice_list")
    elif row.signed:  # unparseable: keep ICE's text; a date read from an MOA file name stays
        rec["signed"] = row.signed
        if rec["signed_source"] == "ice_list":
            rec.update(signed_date="", signed_source="")
    if row.county:
        rec["county"] = row.county
    if row.agency_type:
        rec["agency_type"] = row.agency_type
    if row.moa_url:
        rec["moa_url"] = row.moa_url
    if (rec["agency"], rec["county"], rec["agency_type"]) != before or rec["match"] == "unresolved":
        res = resolve(rec["agency"], rec["state"], rec["county"], rec["agency_type"], index, directory)
        if res.match != "unresolved" or rec["match"] == "unresolved":  # never lose a placement
            _set_resolution(rec, res)


def replay(captures: Iterable[Capture], index: pd.DataFrame, directory: pd.DataFrame | None = None,
           table: AgreementTable | None = None) -> tuple[AgreementTable, list[IngestReport]]:
    """Ingest captures oldest first (complete before partial on the same day)."""
    table = table or AgreementTable.empty()
    reports = []
    ordered = sorted(captures, key=lambda c: (c.captured or dt.date.min, not c.complete))
    for cap in ordered:
        table, report = ingest(table, cap, index, directory)
        reports.append(report)
    return table, reports


def _atomic_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` to a temporary file beside ``path`` (flushed to disk); the caller renames it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            frame.to_csv(fh, index=False, lineterminator="\n")
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_tables(table: AgreementTable, agreements: Path, snapshots: Path | None = None) -> dict[str, Path]:
    """Write the agreements, snapshots, review and unresolved tables side by side.

    Each file is written in full to a temporary file first and then renamed over the old one, so a failure
    (a full disk, an interrupted run) leaves the previous tables as they were; the snapshots table, which
    records that the capture was ingested, is renamed last."""
    agreements = Path(agreements)
    snapshots = Path(snapshots) if snapshots else agreements.with_name("287g_snapshots.csv")
    review = agreements.with_name("287g_review.csv")
    unresolved = agreements.with_name("287g_unresolved.csv")
    rows = table.rows.sort_values(["state", "agency", "model", "agreement_id"], key=lambda s: s.str.lower())
    frames = {"agreements": (rows[list(AGREEMENT_COLUMNS)], agreements), "review": (review_rows(table), review),
              "unresolved": (unresolved_rows(table), unresolved),
              "snapshots": (table.snapshots[list(SNAPSHOT_COLUMNS)], snapshots)}
    temps: list[tuple[Path, Path]] = []
    try:
        for frame, path in frames.values():
            temps.append((_atomic_csv(frame, path), path))
    except BaseException:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in temps:
        os.replace(tmp, path)
    return {k: path for k, (_, path) in frames.items()}


# ---------------------------------------------------------------------------- command line
# ICE's 287(g) page: it links to the current list, participatingAgencies<MMDDYYYY><am|pm>.xlsx under
# /doclib/about/offices/ero/287g/ (ICE replaces the file, and its name, when the list changes).
ICE_287G_URL = "https://www.ice.gov/identify-and-arrest/287g"
FETCH_TIMEOUT = 60.0            # seconds: for the connection, each read, and the whole download
FETCH_MAX_BYTES = 20_000_000    # ICE's list is a few hundred KB
MIN_ROWS_RATIO = 0.5            # a complete list with fewer rows than this share of the last one is refused
USER_AGENT = "sanctuary-map/0.1 ingest-287g (one request a day)"
XLSX_MAGIC = b"PK\x03\x04"
_LINK_RE = re.compile(r"""href\s*=\s*["']([^"']*participatingAgencies[^"']*\.xlsx)["']""", re.I)


class FetchError(AgreementError):
    """A download that failed or did not bring a spreadsheet; nothing was changed."""


@dataclass
class Download:
    path: Path          # the downloaded file (in the folder given)
    url: str            # the URL it came from (after redirects, and after following ICE's page to the file)
    content_type: str
    bytes: int


def _safe_name(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(urllib.parse.unquote(name)).name).strip("._") or "capture"
    return name if name.lower().endswith((".xlsx", ".xlsm")) else f"{name}.xlsx"


def _get(url: str, timeout: float, max_bytes: int) -> tuple[bytes, str, str, str]:
    """(body, content type, final URL, file name) of one GET, within the time and size limits."""
    import socket
    import time
    import urllib.error
    import urllib.request

    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http and https URLs are fetched")
    request = urllib.request.Request(url, headers={
        "User-Agent": USER_AGENT,
        "Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, text/html;q=0.5, */*;q=0.1"})
    deadline = time.monotonic() + timeout
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise FetchError(f"{url}: no answer within {timeout:g} s") from exc
        raise FetchError(f"{url}: cannot connect ({reason})") from exc
    except (TimeoutError, socket.timeout) as exc:
        raise FetchError(f"{url}: no answer within {timeout:g} s") from exc
    except (OSError, ValueError) as exc:
        raise FetchError(f"{url}: cannot fetch ({exc})") from exc
    with response:
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > max_bytes:
            raise FetchError(f"{url}: {int(length):,} bytes announced, more than the limit of {max_bytes:,}")
        chunks, total = [], 0
        try:
            while True:
                if time.monotonic() > deadline:
                    raise FetchError(f"{url}: download not finished within {timeout:g} s")
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                total += len(chunk)
                if total > max_bytes:
                    raise FetchError(f"{url}: more than the limit of {max_bytes:,} bytes; download stopped")
                chunks.append(chunk)
        except (TimeoutError, socket.timeout) as exc:
            raise FetchError(f"{url}: download stalled for more than {timeout:g} s") from exc
        except OSError as exc:
            raise FetchError(f"{url}: download interrupted ({exc})") from exc
        if length.isdigit() and total != int(length):
            raise FetchError(f"{url}: {total:,} of {int(length):,} bytes received; download incomplete")
        final = response.geturl() or url
        disposition = response.headers.get_filename() or ""
        return b"".join(chunks), response.headers.get_content_type(), final, disposition or urllib.parse.urlsplit(final).path


def fetch_capture(url: str, directory: Path, *, timeout: float = FETCH_TIMEOUT, max_bytes: int = FETCH_MAX_BYTES,
                  follow_page: bool = True) -> Download:
    """Download ICE's spreadsheet into ``directory``; raise :class:`FetchError` with the reason if it fails.

    ``url`` is the spreadsheet itself or ICE's 287(g) page, whose link to ``participatingAgencies….xlsx`` is
    followed (once).  Checked: HTTP status, time, size (announced and received), and content: an Excel
    workbook's signature and a content type that is not text.  Whether it holds ICE's columns is checked when
    it is read (:func:`read_capture`)."""
    body, ctype, final, name = _get(url, timeout, max_bytes)
    looks_html = ctype in ("text/html", "application/xhtml+xml") or body.lstrip()[:1] == b"<"
    if not body.startswith(XLSX_MAGIC) and looks_html:
        text = body.decode("utf-8", "replace")
        link = _LINK_RE.search(text)
        if follow_page and link:
            return fetch_capture(urllib.parse.urljoin(final, link.group(1).strip()), directory, timeout=timeout,
                                 max_bytes=max_bytes, follow_page=False)
        title = re.search(r"<title[^>]*>([^<]{0,120})", text, re.I)
        what = f" ({title.group(1).strip()!r})" if title and title.group(1).strip() else ""
        where = "with no link to participatingAgencies….xlsx" if follow_page else "where the spreadsheet was linked"
        raise FetchError(f"{final}: the server sent an HTML page{what}, not the spreadsheet ({ctype}), {where}; "
                         "nothing ingested")
    if not body.startswith(XLSX_MAGIC):
        raise FetchError(f"{final}: not an Excel workbook (content type {ctype}, {len(body):,} bytes starting "
                         f"{body[:8]!r}); nothing ingested")
    if ctype.startswith("text/"):
        raise FetchError(f"{final}: the server labels the file {ctype}, not a spreadsheet; nothing ingested")
    path = Path(directory) / _safe_name(name)
    path.write_bytes(body)
    return Download(path, final, ctype, len(body))


class _Lock:
    """An exclusive lock on the folder of the tables for one ingest: a second run at the same time is refused.
    (The folder, not a file: the tables are replaced by renaming, and no lock file is left behind.)"""

    def __init__(self, agreements: Path):
        import fcntl

        folder = Path(agreements).resolve().parent
        self.fd = os.open(folder, os.O_RDONLY)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(self.fd)
            raise AgreementError(f"another ingest into {folder} is running; try again when it has finished") from exc

    def __enter__(self) -> _Lock:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)  # closing the descriptor releases the lock


def ingest_cli(args: argparse.Namespace) -> int:
    """``python -m sanctuary_map ingest-287g FILE [--captured YYYY-MM-DD]`` or ``ingest-287g --url URL``.

    ``args``: ``file`` or ``url``, ``captured`` (YYYY-MM-DD or None), ``agreements``, ``snapshots``
    (CSV paths), ``geodata`` (the built boundary directory) and, optionally, ``directory``
    (an FBI Law Enforcement Employees CSV, to find the county of municipal agencies, which
    ICE lists without one), ``timeout``, ``max_bytes``, ``allow_shrink`` and ``archive`` (a folder to
    keep each downloaded file in).  A URL is fetched into a temporary folder (see :func:`fetch_capture`)
    and read with the same validation as a local file.  Prints the report and the bad rows
    (``file:row: reason``) and writes the updated tables atomically; a file already ingested is reported
    and changes nothing (0).  Returns 1, changing nothing, when the download fails or is not ICE's list, the
    file (or the table, or the boundaries) cannot be read, the capture has no date or no valid row, or a
    complete list is less than half the size of the last one (``allow_shrink`` to ingest it anyway).
    """
    import shutil
    import sys

    def fail(message: str) -> int:
        print(f"error: {message}", file=sys.stderr)
        return 1

    url = getattr(args, "url", None) or ""
    file = getattr(args, "file", None) or ""
    if bool(url) == bool(file):
        return fail("give either a FILE or --url URL")
    captured = None
    if getattr(args, "captured", None):
        try:
            captured = dt.date.fromisoformat(str(args.captured))
        except ValueError:
            return fail(f"--captured {args.captured!r} is not a YYYY-MM-DD date")
    if not url:
        return _ingest_path(args, Path(file), captured, str(Path(file)))
    with tempfile.TemporaryDirectory(prefix="sanctuary-map-287g-") as tmp:
        try:
            download = fetch_capture(url, Path(tmp), timeout=float(getattr(args, "timeout", None) or FETCH_TIMEOUT),
                                     max_bytes=int(getattr(args, "max_bytes", None) or FETCH_MAX_BYTES))
        except AgreementError as exc:
            return fail(f"{exc} (the tables are unchanged)")
        print(f"fetched {download.url}: {download.bytes:,} bytes ({download.content_type})", file=sys.stderr)
        if captured is None and date_from_name(download.path.name) is None:
            captured = dt.datetime.now(dt.timezone.utc).date()  # no date in ICE's file name: the day it was fetched
        code = _ingest_path(args, download.path, captured, download.url)
        archive = getattr(args, "archive", None)
        if code == 0 and archive:
            Path(archive).mkdir(parents=True, exist_ok=True)
            target = Path(archive) / download.path.name
            if not target.exists():
                shutil.copy2(download.path, target)
                print(f"kept a copy in {target}", file=sys.stderr)
        return code


def _ingest_path(args: argparse.Namespace, path: Path, captured: dt.date | None, source: str) -> int:
    import sys

    from .boundaries import GeodataError, load_boundaries

    def fail(message: str) -> int:
        print(f"error: {message} (the tables are unchanged)", file=sys.stderr)
        return 1

    try:
        capture = read_capture(path, captured)
    except AgreementError as exc:
        return fail(str(exc))
    for p in capture.problems:
        print(p)
    if capture.captured is None:
        return fail(f"{capture.file}: no capture date; run again with --captured YYYY-MM-DD")
    if not capture.rows:
        return fail(f"{capture.file}: no valid row ({capture.rows_read} read); a complete list without rows would end "
                    "every agreement")
    agreements = Path(args.agreements)
    snapshots = Path(args.snapshots) if getattr(args, "snapshots", None) else None
    try:
        lock = _Lock(agreements)
    except (AgreementError, OSError) as exc:
        return fail(str(exc))
    with lock:
        try:
            table = load_agreements(agreements, snapshots)
        except (AgreementError, OSError) as exc:
            return fail(str(exc))
        snaps = table.snapshots
        same = snaps[snaps["sha256"] == capture.sha256] if len(snaps) else snaps
        if capture.sha256 and len(same):
            print(f"{capture.file}: unchanged, the same file as the capture of {same['capture_date'].iloc[-1]} "
                  f"({same['file'].iloc[-1]}); nothing to do", file=sys.stderr)
            return 0
        complete = snaps[snaps["complete"] == "Y"] if len(snaps) else snaps
        last_rows = int(complete["rows"].iloc[-1]) if len(complete) and str(complete["rows"].iloc[-1]).isdigit() else 0
        if capture.complete and last_rows and len(capture.rows) < MIN_ROWS_RATIO * last_rows \
                and not getattr(args, "allow_shrink", False):
            return fail(f"{capture.file}: {len(capture.rows)} valid rows, fewer than {MIN_ROWS_RATIO:.0%} of the "
                        f"{last_rows} of the last complete list ({complete['capture_date'].iloc[-1]}); a truncated list "
                        "would end agreements that did not end. Check the file; --allow-shrink ingests it anyway")
        try:
            index = load_boundaries(Path(args.geodata)).index
            directory = load_fbi_directory(Path(args.directory)) if getattr(args, "directory", None) else None
            capture.path = source
            new_table, report = ingest(table, capture, index, directory)
        except (AgreementError, GeodataError, OSError, KeyError, ValueError) as exc:
            return fail(str(exc))
        for problem in table.problems:
            print(f"warning: {problem} (row left out)", file=sys.stderr)
        for line in report.lines():
            print(line)
        try:
            written = write_tables(new_table, agreements, snapshots)
        except OSError as exc:
            return fail(f"cannot write the tables ({exc})")
    summary = resolution_summary(new_table)
    print(f"wrote {', '.join(str(p) for p in written.values())}; {summary['agreements']} agreements, "
          f"{summary['resolved_pct']}% placed on the map", file=sys.stderr)
    return 0


def counts_by_model_and_state(rows: pd.DataFrame) -> pd.DataFrame:
    """Agreements by state (rows) and model (columns), with totals: "how many, by model and by state"."""
    from .vocab import MODELS, STATE_NAMES

    if rows.empty:
        return pd.DataFrame(columns=["State", *(MODEL_LABEL[m] for m in MODELS), "Total"])
    table = pd.crosstab(rows["state"], rows["model"]).reindex(columns=list(MODELS), fill_value=0)
    table.columns = [MODEL_LABEL[m] for m in table.columns]
    table["Total"] = table.sum(axis=1)
    table = table.sort_values("Total", ascending=False, kind="stable")
    table.loc["All states"] = table.sum()
    table.index = [STATE_NAMES.get(s, s) for s in table.index]
    return table.rename_axis("State").reset_index()


def last_complete_capture(table: AgreementTable) -> str:
    """The date of the last complete ICE list among the captures ('' if none)."""
    snaps = table.snapshots
    if snaps is None or not len(snaps) or "complete" not in snaps:
        return ""
    done = snaps.loc[snaps["complete"] == "Y", "capture_date"]
    return str(done.max()) if len(done) else ""
