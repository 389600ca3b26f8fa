"""The small related tables: a bad row is named by file, row and column and left out; the rest loads."""
from __future__ import annotations

import world
from sanctuary_map.designations import COLUMNS as DESIGNATION_COLUMNS
from sanctuary_map.designations import load_designations
from sanctuary_map.litigation import COLUMNS as LITIGATION_COLUMNS
from sanctuary_map.litigation import load_litigation


def test_bad_litigation_rows_are_named_and_left_out(tmp_path):
    good = dict(world.LITIGATION[0])
    rows = [good, {**good, "date": "2019-13-40"}, {**good, "event": "won"}, {**good, "policy_id": "nope"},
            {**good, "summary": "<script>x</script>"}, {**good, "source_url": "javascript:alert(1)"}]
    path = world.write_csv(tmp_path / "litigation.csv", LITIGATION_COLUMNS, rows)
    frame, problems = load_litigation(path, {p["policy_id"] for p in world.POLICIES})
    assert list(frame["row"]) == [2]
    assert {(p.row, p.column) for p in problems} == {(3, "date"), (4, "event"), (5, "policy_id"), (6, "summary"),
                                                      (7, "source_url")}
    assert all(str(p).startswith(f"litigation.csv:{p.row}:{p.column}: ") for p in problems)


def test_bad_designation_rows_and_missing_columns(tmp_path):
    good = dict(world.DESIGNATIONS[0])
    rows = [good, {**good, "list": "cia_list"}, {**good, "geoid": "123"}, {**good, "date_listed": ""}]
    table = load_designations(world.write_csv(tmp_path / "d.csv", DESIGNATION_COLUMNS, rows))
    assert list(table.rows["row"]) == [2]
    assert {(p.row, p.column) for p in table.problems} == {(3, "list"), (4, "geoid"), (5, "date_listed")}
    broken = load_designations(world.write_csv(tmp_path / "e.csv", DESIGNATION_COLUMNS[:-1], rows))
    assert broken.rows.empty and [(p.row, p.column) for p in broken.problems] == [(1, "notes")]
