"""What the maintainers' scripts share: reading policies.csv and research notes, applying reviewed notes row by row,
and writing the table only when it passes the project's validator."""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sanctuary_map.policies import COLUMNS, validate_text  # noqa: E402

POLICIES = ROOT / "policies.csv"


def read_rows(path: Path) -> list[dict]:
    """A CSV file's rows, blanks as ''."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "") for k, v in r.items()} for r in csv.DictReader(fh)]


def apply_notes(files: list[Path], skip: set[str], apply: Callable[[dict], str]) -> int:
    """Each row of each notes file through ``apply`` (which returns "applied" or why not), except the policy_ids in
    ``skip``; every row not applied is reported with its file and line.  Returns how many were applied."""
    done = 0
    for path in files:
        for n, note in enumerate(read_rows(path), start=2):
            what = "skipped after review" if note["policy_id"] in skip else apply(note)
            if what != "applied":
                print(f"{path.name}:{n} {note['policy_id']}{' ' + note['column'] if note.get('column') else ''}: {what}")
            done += what == "applied"
    return done


def write_if_valid(rows: list[dict], path: Path, *, dry_run: bool) -> bool:
    """Write ``rows`` as the policy table at ``path`` if the result passes the validator (else print every problem
    and write nothing); with ``dry_run``, only check.  Returns whether the table is valid."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    w.writeheader()
    w.writerows({c: r.get(c, "") for c in COLUMNS} for r in rows)
    problems = validate_text(buf.getvalue(), name=str(path)).problems
    for p in problems:
        print(f"problem: {p}")
    if problems:
        print("nothing written: the table would not validate")
        return False
    if not dry_run:
        path.write_text(buf.getvalue(), encoding="utf-8")
    return True
