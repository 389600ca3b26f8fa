"""Dated court events about the policy table's instruments (``data/litigation.csv``).

One row per event (a suit filed, an injunction, a dismissal, a decision...), tied to a
``policy_id``; the event ledger turns them into history.  Validated like the policy table:
problems are ``file:row:column: reason`` and bad rows are left out.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from .policies import _MARKUP_RE, _URL_RE, Problem, parse_partial_date
from .vocab import LITIGATION_EVENTS, SOURCE_KINDS

COLUMNS = ("policy_id", "date", "event", "court", "case_name", "summary", "source_url", "source_kind")


def load_litigation(path: Path, policy_ids: set[str]) -> tuple[pd.DataFrame, list[Problem]]:
    name = Path(path).name
    if not Path(path).exists():
        return pd.DataFrame(columns=[*COLUMNS, "row"]), []
    problems: list[Problem] = []
    text = Path(path).read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return pd.DataFrame(columns=[*COLUMNS, "row"]), [Problem(name, 1, c, "missing column") for c in missing]
    rows = []
    for n, rec in enumerate(reader, start=2):
        rec = {c: (rec.get(c) or "").strip() for c in COLUMNS}
        bad = []
        if rec["policy_id"] not in policy_ids:
            bad.append(("policy_id", f"{rec['policy_id']!r} is not a row of the policy table"))
        if parse_partial_date(rec["date"]) is None:
            bad.append(("date", f"malformed date {rec['date']!r}: use YYYY-MM-DD, YYYY-MM or YYYY"))
        if rec["event"] not in LITIGATION_EVENTS:
            bad.append(("event", f"unknown value {rec['event'][:30]!r}; expected one of: {', '.join(LITIGATION_EVENTS)}"))
        if not _URL_RE.match(rec["source_url"]):
            bad.append(("source_url", "must be an http:// or https:// address"))
        if rec["source_kind"] not in SOURCE_KINDS:
            bad.append(("source_kind", f"expected one of: {', '.join(SOURCE_KINDS)}"))
        for c in ("court", "case_name", "summary"):
            if _MARKUP_RE.search(rec[c]):
                bad.append((c, "contains markup; write plain text"))
        problems.extend(Problem(name, n, c, r) for c, r in bad)
        if not bad:
            rows.append({**rec, "row": n})
    return pd.DataFrame(rows, columns=[*COLUMNS, "row"]), problems
