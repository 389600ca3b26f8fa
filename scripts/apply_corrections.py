"""Correct dates and statuses from research notes, each backed by the page that gives the value.

    python scripts/apply_corrections.py CORRECTIONS.csv [...] [--skip ID,ID] [--policies policies.csv] [--dry-run]

A corrections file has the columns policy_id, column, old_value, new_value, source_url, evidence, where column is
date_adopted, date_effective, status or status_date.  A correction applies only while the table still holds
old_value (otherwise it is reported, not applied).  Each applied correction leaves a note: the column, the value
it replaced, the page and what it says.  A page that is not yet one of the row's sources is named in the note.
The corrected table must pass the validator, else nothing is written.
"""
from __future__ import annotations

import datetime as dt

from policy_rows import patch_table

CORRECTABLE = ("date_adopted", "date_effective", "status", "status_date")


def correct(rows: dict[str, dict], fix: dict, today: str) -> str:
    row = rows.get(fix["policy_id"])
    column, old, new = fix["column"].strip(), fix["old_value"].strip(), fix["new_value"].strip()
    if row is None:
        return "no such policy_id"
    if column not in CORRECTABLE:
        return f"column {column!r} is not one of {', '.join(CORRECTABLE)}"
    if row[column] != old:
        return f"table holds {row[column]!r}, not {old!r}: not applied"
    if new == old:
        return "no change"
    url = fix["source_url"].strip()
    if not url.startswith(("http://", "https://")):
        return "no source page"
    row[column] = new
    note = f"{column} {'set to' if not old else f'{old} corrected to'} {new} on {today} from {url}: {fix['evidence'].strip()}"
    row["notes"] = (row["notes"] + " " if row["notes"] else "") + note
    return "applied"


def main(argv: list[str] | None = None) -> int:
    today = dt.date.today().isoformat()

    def corrector(table: list[dict]):
        rows = {r["policy_id"]: r for r in table}
        return lambda fix: correct(rows, fix, today)

    return patch_table(__doc__, argv, corrector, lambda done, _rows: f"{done} correction(s) applied")


if __name__ == "__main__":
    raise SystemExit(main())
