"""The policy table: its schema (defined once, here), loading and validation.

``load_policies`` never raises on bad content: it returns the valid rows plus a list of
:class:`Problem` objects, each naming file, row and column, so one bad row never takes
the map down.  Row numbers are spreadsheet rows: the header is row 1, the first record
row 2.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

# ---------------------------------------------------------------------------- schema
from . import i18n
from .dates import DATE_RE, date_floor, parse_partial_date, partial_before  # noqa: F401  (re-exported)
from .i18n import _
from .vocab import (  # noqa: E402  (re-exported: the schema's vocabularies live in vocab.py)
    BINDING_LEVELS,
    ENDED_STATUSES,
    FLAGS,
    GEOID_LENGTH,
    INSTRUMENT_TYPES,
    LAYERS,
    LEVEL_LAYERS,
    LEVELS,
    NEVER_IN_FORCE,
    RELATIONS,
    SOURCE_KINDS,
    STANCES,
    STATE_FIPS,
    STATUSES,
)

COLUMNS: tuple[str, ...] = (
    "policy_id", "jurisdiction_name", "jurisdiction_level", "state", "geoid", "geoid_layer", "stance",
    "instrument_type", "binding_level", "status", "status_date", "title", "instrument_ref",
    "date_adopted", "date_effective", *FLAGS, "relates_to", "relation",
    "summary", "source_url", "source_kind", "source_title", "source_accessed", "source_url_2", "geoid_source", "notes",
    "binds_levels",
)
# Columns a file may leave out (read as blank): tables written before the column existed stay valid.
OPTIONAL_COLUMNS: tuple[str, ...] = ("binds_levels",)
REQUIRED = (
    "policy_id", "jurisdiction_name", "jurisdiction_level", "state", "geoid", "geoid_layer", "stance",
    "instrument_type", "binding_level", "status", "title", "source_url", "source_kind", "source_title",
    "source_accessed",
)
TEXT_COLUMNS = (
    "jurisdiction_name", "title", "instrument_ref", "summary", "source_title", "notes",
)
ENUMS: dict[str, tuple[str, ...]] = {
    "jurisdiction_level": LEVELS,
    "geoid_layer": LAYERS,
    "stance": STANCES,
    "instrument_type": INSTRUMENT_TYPES,
    "binding_level": BINDING_LEVELS,
    "status": STATUSES,
    "relation": RELATIONS,
    "source_kind": SOURCE_KINDS,
    **{f: ("Y", "N") for f in FLAGS},
}
MAX_FIELD_CHARS = 4000
MAX_UPLOAD_BYTES = 2_000_000

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
# Markup: a tag opener, an HTML entity/character reference, or a script URL scheme.
_MARKUP_RE = re.compile(r"<\s*[a-zA-Z/!?]|&#?[a-zA-Z0-9]+;|javascript\s*:|data\s*:\s*text/html", re.I)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_URL_RE = re.compile(r"^https?://[^\s/$.?#<>\"'][^\s<>\"']*$", re.I)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as possible."""

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row if self.row is not None else '-'}:{self.column or '-'}: {self.reason}"


@dataclass
class PolicyTable:
    """Valid rows (one DataFrame, all text columns as ``str``) plus every problem found."""

    rows: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    source: str = "policies.csv"
    rows_read: int = 0

    @property
    def invalid_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems if p.row is not None and p.row > 1})


# ---------------------------------------------------------------------------- dates
def _date_problem(value: str, today: dt.date) -> str | None:
    parsed = parse_partial_date(value)
    if parsed is None:
        if DATE_RE.match(value):
            return _("impossible date {value}").format(value=repr(value))
        return _("malformed date {value}: use YYYY-MM-DD, YYYY-MM or YYYY").format(value=repr(value))
    y, m, d = parsed
    if y < 1776:
        return _("date {value} is before 1776").format(value=repr(value))
    if dt.date(y, m or 1, d or 1) > today:
        return _("date {value} is in the future").format(value=repr(value))
    return None


# ---------------------------------------------------------------------------- decoding
def _decode(data: bytes, name: str) -> tuple[str | None, Problem | None]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as exc:
            return None, Problem(name, None, None, _("file starts with a UTF-16 byte-order mark but cannot be decoded ({reason})").format(
                reason=exc.reason))
    if b"\x00" in data[:4096]:
        return None, Problem(name, None, None, _("file contains NUL bytes: it is binary, not a CSV text file"))
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, Problem(name, line, None, _("byte {byte} is not UTF-8: save the file as UTF-8 (CSV UTF-8 in "
                                                  "spreadsheet programs)").format(byte=f"{data[exc.start]:#04x}"))


# ---------------------------------------------------------------------------- loading
def load_policies(
    source: str | Path | bytes | None = None,
    *,
    name: str | None = None,
    max_bytes: int | None = None,
    today: dt.date | None = None,
) -> PolicyTable:
    """Read and validate a policies CSV (a path, or the raw bytes of an upload)."""
    from .settings import POLICIES_CSV

    today = today or dt.date.today()
    if source is None:
        source = POLICIES_CSV
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            return PolicyTable(_empty_frame(), [Problem(name, None, None, _("cannot read file: {reason}").format(
                reason=exc.strerror or exc))], name)
    else:
        data = bytes(source)
        name = name or "upload.csv"
    if max_bytes is not None and len(data) > max_bytes:
        return PolicyTable(_empty_frame(), [Problem(name, None, None, _("file is {size} bytes; the limit is {limit}").format(
            size=i18n.number(len(data)), limit=i18n.number(max_bytes)))], name)
    text, problem = _decode(data, name)
    if problem:
        return PolicyTable(_empty_frame(), [problem], name)
    return validate_text(text or "", name=name, today=today)


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in (*COLUMNS, "row")})


def validate_text(text: str, *, name: str = "policies.csv", today: dt.date | None = None) -> PolicyTable:
    today = today or dt.date.today()
    problems: list[Problem] = []
    if not text.strip():
        return PolicyTable(_empty_frame(), [Problem(name, None, None, _("file is empty: expected a header row"))], name)
    csv.field_size_limit(10_000_000)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        return PolicyTable(_empty_frame(), [Problem(name, 1, None, _("header is not valid CSV: {reason}").format(reason=exc))], name)
    header = [h.strip() for h in header]
    seen: set[str] = set()
    for h in header:
        if h in seen:
            problems.append(Problem(name, 1, h, _("duplicate column")))
        seen.add(h)
        if h not in COLUMNS:
            problems.append(Problem(name, 1, h or "(blank)", _("unknown column")))
    missing = [c for c in COLUMNS if c not in seen and c not in OPTIONAL_COLUMNS]
    for c in missing:
        problems.append(Problem(name, 1, c, _("missing column")))
    if any(p.reason in (_("duplicate column"),) for p in problems) or any(c in REQUIRED for c in missing):
        return PolicyTable(_empty_frame(), problems, name)

    index = {h: i for i, h in enumerate(header)}
    records: list[dict[str, str]] = []
    record_rows: list[int] = []
    row_no = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row_no += 1
            problems.append(Problem(name, row_no, None, _("not valid CSV: {reason}").format(reason=exc)))
            break
        row_no += 1
        if not any(v.strip() for v in values):
            continue  # blank line
        if len(values) != len(header):
            problems.append(Problem(name, row_no, None, _("has {n} fields; the header has {expected}").format(
                n=len(values), expected=len(header))))
            continue
        records.append({c: (values[index[c]].strip() if c in index else "") for c in COLUMNS})
        record_rows.append(row_no)

    bad: set[int] = set()
    ids: dict[str, int] = {}
    for rec, rno in zip(records, record_rows):
        row_problems = _row_problems(rec, rno, name, today)
        pid = rec["policy_id"]
        if pid and pid in ids:
            row_problems.append(Problem(name, rno, "policy_id", _("duplicate id {id} (first used on row {row})").format(
                id=repr(pid), row=ids[pid])))
        elif pid:
            ids[pid] = rno
        if row_problems:
            bad.add(rno)
            problems.extend(row_problems)
    for rec, rno in zip(records, record_rows):
        target = rec["relates_to"]
        if target and target not in ids:
            problems.append(Problem(name, rno, "relates_to", _("points to {id}, which is not a row in this file").format(id=repr(target))))
            bad.add(rno)
        elif target and target == rec["policy_id"]:
            problems.append(Problem(name, rno, "relates_to", _("a row cannot relate to itself")))
            bad.add(rno)

    good = [dict(rec, row=rno) for rec, rno in zip(records, record_rows) if rno not in bad]
    frame = pd.DataFrame(good, columns=[*COLUMNS, "row"]) if good else _empty_frame()
    return PolicyTable(frame, problems, name, rows_read=len(records))


def _row_problems(rec: dict[str, str], rno: int, name: str, today: dt.date) -> list[Problem]:
    out: list[Problem] = []

    def bad(column: str, reason: str) -> None:
        out.append(Problem(name, rno, column, reason))

    for column, value in rec.items():
        if len(value) > MAX_FIELD_CHARS:
            bad(column, _("field is {size} characters; the limit is {limit}").format(
                size=i18n.number(len(value)), limit=i18n.number(MAX_FIELD_CHARS)))
        if _CONTROL_RE.search(value):
            bad(column, _("contains control characters"))
    for column in REQUIRED:
        if not rec[column]:
            bad(column, _("required value is blank"))
    pid = rec["policy_id"]
    if pid and not _ID_RE.match(pid):
        bad("policy_id", _("ids use lower-case letters, digits, '.', '_' and '-' (at most 80)"))
    for column, allowed in ENUMS.items():
        value = rec[column]
        if value and value not in allowed:
            bad(column, _("unknown value {value}; expected one of: {allowed}").format(value=repr(value[:40]), allowed=", ".join(allowed)))
    state = rec["state"]
    if state and state not in STATE_FIPS:
        bad("state", _("unknown state {value}: use the two-letter postal code").format(value=repr(state[:10])))
    geoid, layer = rec["geoid"], rec["geoid_layer"]
    if geoid and layer in GEOID_LENGTH:
        n = GEOID_LENGTH[layer]
        if not (geoid.isdigit() and geoid.isascii() and len(geoid) == n):
            bad("geoid", _("a {layer} GEOID is {n} digits, zero-padded (got {value})").format(layer=layer, n=n, value=repr(geoid[:20])))
        elif state in STATE_FIPS and geoid[:2] != STATE_FIPS[state]:
            bad("geoid", _("GEOID {geoid} does not start with {state}'s FIPS code {fips}").format(geoid=geoid, state=state,
                                                                                                fips=STATE_FIPS[state]))
    level = rec["jurisdiction_level"]
    if level in LEVEL_LAYERS and layer in LAYERS and layer not in LEVEL_LAYERS[level]:
        bad("geoid_layer", _("a {level} cannot join to the {layer} layer (allowed: {allowed})").format(
            level=level, layer=layer, allowed=", ".join(LEVEL_LAYERS[level])))
    for column in ("date_adopted", "date_effective", "status_date", "source_accessed"):
        if rec[column]:
            reason = _date_problem(rec[column], today)
            if reason:
                bad(column, reason)
    if not rec["date_adopted"] and rec["status"] not in (*NEVER_IN_FORCE, ""):
        bad("date_adopted", _("required unless status is proposed or failed"))
    if rec["status"] in ENDED_STATUSES and not rec["status_date"]:
        bad("status_date", _("required when status is {status}: the day (or month, or year) it took that status").format(
            status=rec["status"]))
    if rec["status_date"] and rec["date_adopted"] and partial_before(rec["status_date"], rec["date_adopted"]):
        bad("status_date", _("is before date_adopted"))
    if rec["source_accessed"] and len(rec["source_accessed"]) != 10:
        bad("source_accessed", _("use a full date YYYY-MM-DD"))
    if rec["relation"] and not rec["relates_to"]:
        bad("relates_to", _("relation is set but relates_to is blank"))
    if rec["relates_to"] and not rec["relation"]:
        bad("relation", _("relates_to is set but relation is blank"))
    for column in ("source_url", "source_url_2"):
        if rec[column] and not _URL_RE.match(rec[column]):
            bad(column, _("must be an http:// or https:// address"))
    if rec["source_url_2"] and rec["source_url_2"] == rec["source_url"]:
        bad("source_url_2", _("is the same page as source_url; give a second, independent page"))
    if rec["source_kind"] in SOURCE_KINDS and rec["source_kind"] != "official" and not rec["source_url_2"]:
        bad("source_url_2", _("required when source_kind is {kind}: a second page confirming the date").format(kind=rec["source_kind"]))
    gs = rec["geoid_source"]
    if gs and gs not in ("census", "fips") and not _URL_RE.match(gs):
        bad("geoid_source", _("use census, fips, or the http(s) address of the page that gives the code"))
    for column in TEXT_COLUMNS + ("policy_id", "relates_to"):
        if _MARKUP_RE.search(rec[column]):
            bad(column, _("contains markup (HTML tags, entities or script URLs); write plain text"))
    reason = _binds_problem(rec["binds_levels"], level)
    if reason:
        bad("binds_levels", reason)
    return out


# ---------------------------------------------------------------------------- which levels an instrument binds
def _binds_problem(value: str, level: str) -> str | None:
    if not value:
        return None
    parts = value.split(";")
    unknown = [v for v in parts if v not in LEVELS]
    if unknown:
        return _("unknown level {value}: use ';'-separated values from {allowed} (blank means the row's own "
                 "level)").format(value=repr(unknown[0][:30]), allowed=";".join(LEVELS))
    if len(set(parts)) != len(parts):
        return _("a level is listed twice")
    if level in LEVELS and level != "state" and "state" in parts:
        return _("a {level} instrument cannot bind the state").format(level=level)
    return None


def binds_levels(value: str, level: str) -> tuple[str, ...]:
    """The levels an instrument binds (``binds_levels``, in LEVELS order); blank means the row's own level."""
    parts = {v for v in value.split(";") if v} or {level}
    return tuple(v for v in LEVELS if v in parts)


# ---------------------------------------------------------------------------- the related tables
def common_problems(rec: dict[str, str], *, required: Iterable[str] = (), enums: dict[str, Iterable[str]] | None = None,
                    dates: Iterable[str] = (), urls: Iterable[str] = (), text: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(column, reason) for the checks every small table shares: blanks, vocabularies, dates, links, markup."""
    bad = [(c, _("required value is blank")) for c in required if not rec[c]]
    for c, allowed in (enums or {}).items():
        allowed = tuple(allowed)
        if rec[c] and rec[c] not in allowed:
            bad.append((c, _("unknown value {value}; expected one of: {allowed}").format(
                value=repr(rec[c][:30]), allowed=", ".join(allowed))))
    for c in dates:
        if rec[c] and parse_partial_date(rec[c]) is None:
            bad.append((c, _("malformed date {value}: use YYYY-MM-DD, YYYY-MM or YYYY").format(value=repr(rec[c]))))
    for c in urls:
        if rec[c] and not _URL_RE.match(rec[c]):
            bad.append((c, _("must be an http:// or https:// address")))
    for c in text:
        if _MARKUP_RE.search(rec[c]):
            bad.append((c, _("contains markup (HTML tags, entities or script URLs); write plain text")))
    return bad


def read_checked_csv(path: Path, columns: tuple[str, ...],
                     row_problems: Callable[[dict[str, str]], list[tuple[str, str]]]) -> tuple[pd.DataFrame, list[Problem]]:
    """Read a small table: every column present, each row checked; bad rows reported as file:row:column and left out."""
    path = Path(path)
    empty = pd.DataFrame(columns=[*columns, "row"])
    if not path.exists():
        return empty, []
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        return empty, [Problem(path.name, 1, c, _("missing column")) for c in missing]
    rows: list[dict] = []
    problems: list[Problem] = []
    for n, raw in enumerate(reader, start=2):
        rec = {c: (raw.get(c) or "").strip() for c in columns}
        bad = row_problems(rec)
        problems.extend(Problem(path.name, n, c, r) for c, r in bad)
        if not bad:
            rows.append({**rec, "row": n})
    return pd.DataFrame(rows, columns=[*columns, "row"]), problems
