"""The committed tables: load and validate, write (atomically), review and unresolved rows, summary."""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..policies import Problem
from ..vocab import MODELS, STATE_FIPS
from .names import agreement_key, name_similarity
from .schema import (
    AGREEMENT_COLUMNS,
    EVIDENCE,
    LAYERS,
    MATCHES,
    REVIEW_COLUMNS,
    SIGNED_SOURCES,
    SNAPSHOT_COLUMNS,
    STATUSES,
    UNRESOLVED_COLUMNS,
    AgreementError,
)


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
