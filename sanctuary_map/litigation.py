"""Dated court events about the policy table's instruments (``data/litigation.csv``).

One row per event (a suit filed, an injunction, a dismissal, a decision...), tied to a
``policy_id``; the event ledger turns them into history.  Validated like the policy table:
problems are ``file:row:column: reason`` and bad rows are left out.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .policies import Problem, common_problems, read_checked_csv
from .vocab import LITIGATION_EVENTS, SOURCE_KINDS

COLUMNS = ("policy_id", "date", "event", "court", "case_name", "summary", "source_url", "source_kind")


def load_litigation(path: Path, policy_ids: set[str]) -> tuple[pd.DataFrame, list[Problem]]:
    def problems(rec: dict[str, str]) -> list[tuple[str, str]]:
        bad = [] if rec["policy_id"] in policy_ids else [("policy_id", f"{rec['policy_id']!r} is not a row of the policy table")]
        return bad + common_problems(rec, required=("date", "event", "source_url", "source_kind"),
                                     enums={"event": LITIGATION_EVENTS, "source_kind": SOURCE_KINDS}, dates=("date",),
                                     urls=("source_url",), text=("court", "case_name", "summary"))

    return read_checked_csv(path, COLUMNS, problems)
