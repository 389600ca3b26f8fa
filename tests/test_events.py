"""The event ledger: derived from every table, partial dates kept and sorted, windows, the changes command."""
from __future__ import annotations

import json
import subprocess
import sys

import world
from conftest import world_args
from sanctuary_map.events import changes, date_ceil, ledger


def test_ledger_has_events_from_every_table(world_data):
    ev = ledger(world_data)
    kinds = set(ev["kind"])
    assert {"policy", "litigation", "federal", "287g"} <= kinds
    ids = set(ev["source_id"])
    assert {p["policy_id"] for p in world.POLICIES if p["date_adopted"]} <= ids
    repealed = ev[(ev["source_id"] == "sample-repealed") & (ev["event"] == "repealed")]
    assert repealed["date"].tolist() == ["2020-06-30"]
    assert ev[(ev["source_id"] == "beta-enjoined") & (ev["event"] == "court_injunction")]["date"].tolist() == ["2019-07-15"]
    withdrawn = ev[(ev["kind"] == "federal") & (ev["event"] == "withdrawn")]
    assert withdrawn["date"].tolist() == ["2025-06-01"]


def test_partial_dates_stay_partial_and_sort_at_the_start_of_their_period(world_data):
    ev = ledger(world_data)
    res = ev[(ev["source_id"] == "testville-res") & (ev["event"] == "adopted")].iloc[0]
    assert res["date"] == "2016-12" and res["sort_date"] == "2016-12-01" and res["end_date"] == "2016-12-31"
    assert list(ev["sort_date"]) == sorted(ev["sort_date"])
    assert date_ceil("2016-02") == "2016-02-29" and date_ceil("2019") == "2019-12-31"


def test_window_includes_a_partial_date_whose_period_overlaps(world_data):
    got = changes(world_data, "2016-12-15", "2016-12-20")
    assert "testville-res" in set(got["source_id"])
    assert "testville-ord" not in set(got["source_id"])


def test_287g_first_seen_and_ended(world_data):
    ev = ledger(world_data)
    ag = ev[ev["kind"] == "287g"]
    ended = ag[ag["event"] == "287g_ended"]
    assert len(ended) == sum(1 for a in world.AGREEMENTS if a["status"] == "ended")
    assert set(ag["event"]) >= {"287g_signed", "287g_first_seen"}


def test_changes_command_prints_iso_csv_and_json(world_dir, world_geodata):
    base = [sys.executable, "-m", "sanctuary_map", "changes", "--from", "2019-01-01", "--to", "2020-12-31",
            *world_args(world_dir, world_geodata)]
    out = subprocess.run(base, capture_output=True, text=True, check=True).stdout
    header = out.splitlines()[0].split(",")
    assert header[:6] == ["date", "event", "jurisdiction_name", "geoid", "geoid_layer", "state"] and "source_url" in header
    rows = json.loads(subprocess.run(base + ["--format", "json"], capture_output=True, text=True, check=True).stdout)
    assert {r["source_id"] for r in rows} >= {"beta-enjoined", "sample-repealed"}
    assert all(r["date"][:4] in ("2019", "2020") for r in rows)
