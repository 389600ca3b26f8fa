"""Give rows an official first source, from re-sourcing notes (one per research pass).

    python scripts/apply_resourcing.py PATCH.csv [PATCH.csv ...] [--skip ID,ID] [--policies policies.csv] [--dry-run]

A patch file has the columns policy_id, source_url, source_title, source_accessed, date_check, note: an official
page (legislature, council or board record, governor or AG, court) read for that row.  For each row the official
page becomes source_url (source_kind official); the previous first source becomes source_url_2, and a previous
source_url_2 is kept in the notes, so no page is lost.  What the official page says about the date is appended to
the notes.  Rows already official are left alone.  The table must pass the validator, else nothing is written.
"""
from __future__ import annotations

from policy_rows import patch_table


def apply(rows: list[dict], patch: dict) -> str:
    """Apply one patch row in place; returns what was done (or why not)."""
    row = next((r for r in rows if r["policy_id"] == patch["policy_id"]), None)
    if row is None:
        return "no such policy_id"
    if row["source_kind"] == "official":
        return "already official"
    url = patch["source_url"].strip()
    if not url.startswith(("http://", "https://")):
        return "not an http(s) address"
    if url == row["source_url"]:  # the first source was official all along: only its kind changes
        row["source_kind"] = "official"
        row["notes"] = (row["notes"] + " " if row["notes"] else "") + f"First source reclassified as official: {patch['note'].strip()}"
        return "applied"
    kept = "" if url == row["source_url_2"] else row["source_url_2"]  # the second page was the official one: swap
    row["source_url_2"], row["source_url"] = row["source_url"], url
    row["source_kind"] = "official"
    row["source_title"] = patch["source_title"].strip()
    row["source_accessed"] = patch["source_accessed"].strip()
    note = f"Official source added {row['source_accessed']}: {patch['note'].strip()} Date on that page: {patch['date_check'].strip()}."
    if kept:
        note += f" Earlier second source: {kept}"
    row["notes"] = (row["notes"] + " " if row["notes"] else "") + note
    return "applied"


def _report(done: int, rows: list[dict]) -> str:
    official = sum(r["source_kind"] == "official" for r in rows)
    return f"{done} row(s) re-sourced; official first sources: {official} of {len(rows)} ({100 * official / len(rows):.1f} %)"


def main(argv: list[str] | None = None) -> int:
    return patch_table(__doc__, argv, lambda rows: (lambda patch: apply(rows, patch)), _report)


if __name__ == "__main__":
    raise SystemExit(main())
