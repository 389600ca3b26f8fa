"""Merge research files (one per region or level, same columns as policies.csv) into policies.csv.

    python scripts/merge_research.py RESEARCH.csv [RESEARCH.csv ...] [--policies policies.csv] [--dry-run]

Rows are appended in file order.  A row is skipped, and said so, when its policy_id is already used, or
when the table already holds the same instrument (same jurisdiction key, adoption date, type and reference, or
same key and title).  The merged table must pass the project's validator, else nothing is written.  The research
files themselves are working notes and are not committed; every row carries its sources.
"""
from __future__ import annotations

import re

from policy_rows import arguments, read_rows, write_if_valid

from sanctuary_map.policies import COLUMNS


def _title(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", value.lower()).strip()


def _same_day(r: dict) -> tuple | None:
    """A row's key for "the same instrument adopted the same day": jurisdiction, date, type and reference (two bills
    signed the same day differ by their numbers); rows without a date (a bill that failed) are told apart by title."""
    if not r["date_adopted"]:
        return None
    return (r["geoid_layer"], r["geoid"], r["date_adopted"], r["instrument_type"], _title(r["instrument_ref"]))


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__, argv)
    rows = read_rows(args.policies)
    ids = {r["policy_id"] for r in rows}
    by_date = {day for day in map(_same_day, rows) if day is not None}
    by_title = {(r["geoid_layer"], r["geoid"], _title(r["title"])) for r in rows}
    added = 0
    for path in args.files:
        for n, r in enumerate(read_rows(path), start=2):
            r = {c: (r.get(c) or "").strip() for c in COLUMNS}
            why = ""
            if r["policy_id"] in ids:
                why = "policy_id already used"
            elif (day := _same_day(r)) is not None and day in by_date:
                why = "same jurisdiction, adoption date, type and reference as a row already there"
            elif (r["geoid_layer"], r["geoid"], _title(r["title"])) in by_title:
                why = "same jurisdiction and title as a row already there"
            elif r["jurisdiction_level"] == "state" and r["binds_levels"] and "state" not in r["binds_levels"].split(";"):
                why = "a state row binds the state too: add 'state' to binds_levels (tests/test_policies.py)"
            if why:
                print(f"skipped {path.name}:{n} {r['policy_id']}: {why}")
                continue
            rows.append(r)
            ids.add(r["policy_id"])
            if (day := _same_day(r)) is not None:
                by_date.add(day)
            by_title.add((r["geoid_layer"], r["geoid"], _title(r["title"])))
            added += 1
    if not write_if_valid(rows, args.policies, dry_run=args.dry_run):
        return 1
    print(f"{added} rows added; {len(rows)} rows in all")
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
