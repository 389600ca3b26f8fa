"""Links: every URL parameter validated and clamped; the view round-trips; as-of boundaries hold."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import world
from sanctuary_map.view import EARLIEST, View, apply, in_force_mask, parse_query

TODAY = dt.date(2026, 11, 26)


def test_round_trip_through_the_url():
    v = View(types=("statute",), stances=("requires_cooperation",), states=("TX", "FL"), start="2017-01-01",
             end="2019-12-31", as_of="2020-06-30", include_inactive=True, focus="unsd:0622710", hidden=("zone",),
             models=("task_force",), lists=("doj_2025_08_05",))
    query = {k: v for k, v in v.to_query().items()}
    back, notices = parse_query(query, TODAY)
    assert back == v and notices == []


@pytest.mark.parametrize("query,field,expected,noticed", [
    ({"from": "1700"}, "start", EARLIEST.isoformat(), True),
    ({"from": "1900"}, "start", "1900-01-01", False),  # valid here; the page clamps it to the data's first year
    ({"to": "2099"}, "end", TODAY.isoformat(), True),
    ({"as_of": "2999-01-01"}, "as_of", "", True),  # clamped to today, which is the default
    ({"as_of": "1492-10-12"}, "as_of", EARLIEST.isoformat(), True),
    ({"as_of": "not-a-date"}, "as_of", "", True),
    ({"type": ["statute", "<script>"]}, "types", ("statute",), True),
    ({"focus": "javascript:alert(1)"}, "focus", "", True),
    ({"focus": "unsd:0622710"}, "focus", "unsd:0622710", False),
    ({"hide": ["zone", "everything"]}, "hidden", ("zone",), True),
    ({"from": "9" * 5000}, "start", "", True),
])
def test_hostile_and_out_of_range_links_give_the_nearest_valid_view(query, field, expected, noticed):
    view, notices = parse_query(query, TODAY)
    assert getattr(view, field) == expected
    assert bool(notices) == noticed, notices


def test_swapped_range_is_repaired():
    view, notices = parse_query({"from": "2020", "to": "2010"}, TODAY)
    assert (view.start, view.end) == ("2010-01-01", "2020-01-01") and notices


def _frame():
    return pd.DataFrame(world.POLICIES)


@pytest.mark.parametrize("policy_id,day,in_force", [
    ("testville-ord", "2024-12-03", False),  # adopted 2024-12-04
    ("testville-ord", "2024-12-04", True),
    ("testville-ord", "2024-12-05", True),
    ("sample-repealed", "2020-06-29", True),  # repealed 2020-06-30
    ("sample-repealed", "2020-06-30", False),
    ("beta-enjoined", "2019-07-14", True),  # enjoined 2019-07-15
    ("beta-enjoined", "2019-07-16", False),
    ("testville-res", "2016-11-30", False),  # month only: counts from 2016-12-01
    ("testville-res", "2016-12-01", True),
    ("failed-bill", "2020-01-01", False),  # never in force
])
def test_in_force_boundaries(policy_id, day, in_force):
    p = _frame()
    mask = in_force_mask(p, day)
    assert bool(mask[p["policy_id"] == policy_id].iloc[0]) is in_force


def test_tables_can_include_instruments_not_in_force():
    p = _frame()
    on_map = set(apply(View(), p, today=TODAY)["policy_id"])
    table = set(apply(View(include_inactive=True), p, today=TODAY, for_map=False)["policy_id"])
    assert "sample-repealed" not in on_map and "sample-repealed" in table and "failed-bill" in table
    assert set(apply(View(stances=("requires_cooperation",)), p, today=TODAY)["stance"]) == {"requires_cooperation"}
