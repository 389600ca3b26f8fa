"""'Researched, none found' is data: profiles, search, the stack and the map tell it from 'not yet researched'."""
from __future__ import annotations

import world
from sanctuary_map.profile import profile, stack
from sanctuary_map.search import find, search_table
from sanctuary_map.searched import load_searched
from sanctuary_map.selection import select
from sanctuary_map.view import View

SEARCHED = world.SEARCHED[0]
KEY = (SEARCHED["layer"], SEARCHED["geoid"])


def _unresearched_boundary(data):
    """A boundary of the fixture index with no policy row and no search record."""
    rows = set(zip(data.policies["geoid_layer"], data.policies["geoid"]))
    done = set(zip(data.searched["layer"], data.searched["geoid"]))
    idx = data.boundaries.index
    for layer, geoid in zip(idx["layer"], idx["geoid"]):
        if layer in ("place", "county") and (layer, geoid) not in rows | done:
            return layer, geoid
    raise AssertionError("the fixture world has an unresearched boundary")


def test_profiles_say_researched_or_not_yet(world_data):
    p = profile(world_data, *KEY, View())
    assert f"No instrument found as of {SEARCHED['date_searched']}" in p["summary"]
    other = profile(world_data, *_unresearched_boundary(world_data), View())
    assert "Not yet researched" in other["summary"] and "No instrument found as of" not in other["summary"]


def test_search_labels_tell_the_two_apart(world_data):
    table = search_table(world_data)
    hit = next(h for h in find("Springfield, CA", table) if h.key == ":".join(KEY))
    assert f"researched {SEARCHED['date_searched']}" in hit.label()
    layer, geoid = _unresearched_boundary(world_data)
    other = next(h for h in find(world_data.boundaries.lookup(layer, geoid)["name"], table) if h.key == f"{layer}:{geoid}")
    assert "not yet researched" in other.label()


def test_the_map_draws_researched_places_apart_with_a_legend_entry(world_data):
    sel = select(world_data, View())
    assert sel.researched_lookup[KEY[0]][KEY[1]] == SEARCHED["date_searched"]
    assert any("Researched" in e for e in sel.legend_entries())
    layer, geoid = _unresearched_boundary(world_data)
    assert geoid not in sel.researched_lookup.get(layer, {})


def test_the_stack_at_a_point_says_it(world_data):
    entries, _ = stack(world_data, -117.3, 34.3, View())  # inside Springfield, California
    spring = next(e for e in entries if (e.layer, e.geoid) == KEY)
    assert spring.research.startswith("No instrument found as of")


def test_a_bad_search_record_is_named_and_the_rest_load(tmp_path):
    bad = dict(SEARCHED, result="maybe", geoid="4100003")
    path = world.write_csv(tmp_path / "searched.csv", list(SEARCHED), [SEARCHED, bad])
    table, problems = load_searched(path)
    assert len(table) == 1
    assert {(p.row, p.column) for p in problems} == {(3, "result"), (3, "geoid")}
