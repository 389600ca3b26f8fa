"""Reading one published list: ICE's ``.xlsx`` or an archived CSV (:func:`read_capture`), and the archive of
MOA files as partial captures (:func:`read_moa_archive`); bad rows are reported as ``file:row: reason``."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import urllib.parse
import zipfile
from collections.abc import Sequence
from pathlib import Path

from rapidfuzz import fuzz, process

from ..vocab import MODEL_LABEL, STATE_FIPS, STATE_NAMES
from .names import agreement_key, normalise_agency
from .schema import HEADER_SEARCH_ROWS, AgreementError, Capture, CaptureProblem, CaptureRow

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


# 287(g) was enacted on 1996-09-30: a signing date before it, or after today, is a typo in the source (ICE's list has
# carried "5025-07-07"); the cell is kept as published and the date left unknown.
FIRST_287G = dt.date(1996, 9, 30)


def parse_signed(value: object) -> tuple[str, str]:
    """(as published, ISO date or '') for a SIGNED cell: a date, an Excel serial or text; implausible dates give ''."""
    text, iso = _parse_signed(value)
    if iso and not (FIRST_287G.isoformat() <= iso <= dt.date.today().isoformat()):
        return text, ""
    return text, iso


def _parse_signed(value: object) -> tuple[str, str]:
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
