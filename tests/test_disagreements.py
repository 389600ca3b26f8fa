"""Where sources disagree, on the fixture world: each conflict once, both sources given."""
from __future__ import annotations

from sanctuary_map.disagreements import disagreements
from sanctuary_map.view import View


def test_conflicts_are_listed_with_both_sources(world_data):
    table = disagreements(world_data, View(as_of="2025-09-01"))
    by = {(r["Jurisdiction"], r["Conflict"]) for r in table.to_dict("records")}
    # A county that requires cooperation inside a state whose law limits it.
    assert any(j == "Alpha County" and "inside a state" in c for j, c in by)
    # Listed by the Justice Department while requiring cooperation, and while holding a 287(g) agreement.
    assert any(j == "Alpha County, CA" and "requires" in c for j, c in by)
    assert any(j == "Alpha County, CA" and "287(g)" in c for j, c in by)
    assert table["Source A"].str.startswith("https://").all() and (table["Source B"] != "").all()


def test_no_conflict_before_the_listing(world_data):
    table = disagreements(world_data, View(as_of="2025-01-01"))
    assert not any("listed" in c for c in table["Conflict"])
