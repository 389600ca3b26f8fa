"""What the maintainers' scripts share: reading policies.csv and research notes, applying reviewed notes row by row,
and writing the table only when it passes the project's validator."""
from __future__ import annotations

import argparse
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


def arguments(doc: str, argv: list[str] | None, *, skip_help: str = "") -> argparse.Namespace:
    """The maintainers' scripts' common command line: notes files, --policies, --dry-run (and --skip when asked)."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--policies", type=Path, default=POLICIES)
    if skip_help:
        ap.add_argument("--skip", default="", help=skip_help)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args(argv)
    args.skip = {s.strip() for s in getattr(args, "skip", "").split(",") if s.strip()}
    return args


def patch_table(doc: str, argv: list[str] | None, make_apply: Callable[[list[dict]], Callable[[dict], str]],
                done_message: Callable[[int, list[dict]], str]) -> int:
    """Read the table, apply each reviewed note (``make_apply(rows)`` gives the function for one note), write the
    table if it validates and print ``done_message(applied, rows)``.  The exit status of a script."""
    args = arguments(doc, argv, skip_help="comma-separated policy_ids not to apply (after a spot check)")
    rows = read_rows(args.policies)
    done = apply_notes(args.files, args.skip, make_apply(rows))
    if not write_if_valid(rows, args.policies, dry_run=args.dry_run):
        return 1
    print(done_message(done, rows))
    return 0
