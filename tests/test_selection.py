"""The filter registry and the one Selection per view: page, CLI and every export give the same rows."""
from __future__ import annotations

import argparse
import dataclasses
import io
import json

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctuary_map import cli, export
from sanctuary_map.filters import FILTERS, RANGES, describe
from sanctuary_map.selection import select
from sanctuary_map.view import View, add_view_arguments, from_args, parse_query

DAYS = st.dates(min_value=__import__("datetime").date(2010, 1, 1), max_value=__import__("datetime").date(2026, 1, 1))


def test_every_view_field_is_a_registered_filter_with_a_param_and_a_flag():
    assert {f.name for f in dataclasses.fields(View)} == {f.name for f in FILTERS}
    assert len({f.param for f in FILTERS}) == len(FILTERS) and len({f.flag for f in FILTERS}) == len(FILTERS)
    assert all(lo.kind == "from" and hi.kind == "to" for lo, hi in RANGES.values())


def test_day_precise_links_stay_day_precise_in_the_url_and_the_cli():
    view, notices = parse_query({"from": "2017-06-01", "to": "2019-06-30"})
    assert notices == [] and (view.start, view.end) == ("2017-06-01", "2019-06-30")
    assert parse_query(view.to_query())[0] == view
    parser = argparse.ArgumentParser()
    add_view_arguments(parser)
    cli_view, _ = from_args(parser.parse_args(["--from", "2017-06-01", "--to", "2019-06-30"]))
    assert cli_view == view
    assert "adopted from 2017-06-01 to 2019-06-30" in describe(view)


def test_the_description_names_every_active_filter():
    view = View(states=("CA",), models=("task_force",), lists=("doj_2025_08_05",), restrictions=("Schools",),
                signed_from="2025-01-20")
    words = describe(view)
    for phrase in ("California", "Task Force", "Justice Department", "schools", "signed on or after 2025-01-20"):
        assert phrase in words, (phrase, words)


def test_a_state_filter_applies_to_agreements_and_listings_too(world_data):
    whole = select(world_data, View())
    assert len(whole.agreements) and len(whole.listings), "the fixture world has agreements and listings"
    for state, fips in (("CA", "06"), ("OR", "41")):
        sel = select(world_data, View(states=(state,)))
        for frame in (sel.policies, sel.mapped, sel.agreements, sel.listings):
            assert set(frame["state"]) <= {state} if len(frame) else True
        gj = json.loads(export.boundaries_geojson(world_data, View(states=(state,))))
        assert all(f["properties"]["geoid"].startswith(fips) for f in gj["features"])
        agreements = pd.read_csv(io.BytesIO(export.agreements_csv(world_data, View(states=(state,)))), dtype=str) \
            if len(sel.agreements) else pd.DataFrame({"state": []})
        assert set(agreements["state"]) <= {state}
    assert select(world_data, View(states=("OR",))).agreements.empty or \
        len(select(world_data, View(states=("OR",))).agreements) < len(whole.agreements)


def test_selection_is_computed_once_per_view(world_data):
    a = select(world_data, View(stances=("limits_cooperation",), focus="county:06037"))
    b = select(world_data, View(stances=("limits_cooperation",)))
    assert a is b, "the focus does not change any row"
    assert select(world_data, View(stances=("requires_cooperation",))) is not a


def test_two_threads_asking_for_the_same_new_view_compute_it_once(world_data, monkeypatch):
    """A filter change: the map's request to the API and the page's rerun ask for the same selection at once."""
    import threading
    import time

    from sanctuary_map import selection

    computed, real = [], selection._compute

    def slow(data, view):
        computed.append(view)
        time.sleep(0.2)  # long enough for the second thread to arrive while the first computes
        return real(data, view)

    monkeypatch.setattr(selection, "_compute", slow)
    view = View(stances=("mixed",), as_of="2019-06-30")
    got: list = []
    threads = [threading.Thread(target=lambda: got.append(select(world_data, view))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(computed) == 1 and len(got) == 2 and got[0] is got[1]
    assert not world_data.selections._making, "nothing is left waiting"


def test_a_failed_selection_is_not_cached_and_the_next_request_tries_again(world_data, monkeypatch):
    from sanctuary_map import selection

    view, real = View(stances=("mixed",), as_of="2018-01-31"), selection._compute
    monkeypatch.setattr(selection, "_compute", lambda data, v: (_ for _ in ()).throw(RuntimeError("disk")))
    try:
        select(world_data, view)
    except RuntimeError:
        pass
    else:
        raise AssertionError("the error reaches the caller")
    monkeypatch.setattr(selection, "_compute", real)
    assert select(world_data, view).view.as_of == "2018-01-31" and not world_data.selections._making


def test_hidden_layers_leave_the_legend_and_the_downloads(world_data):
    shown = select(world_data, View())
    hidden = select(world_data, View(hidden=("agreements", "federal")))
    assert any("287(g)" in e for e in shown.legend_entries())
    assert not any("287(g)" in e or "federal" in e for e in hidden.legend_entries())
    assert hidden.agreements_drawn.empty and hidden.listings_drawn.empty


def _rows_of_csv(blob: bytes) -> set[str]:
    return set(pd.read_csv(io.BytesIO(blob), dtype=str, keep_default_na=False)["policy_id"]) if blob.strip() else set()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stances=st.lists(st.sampled_from(["limits_cooperation", "requires_cooperation", "mixed"]), unique=True, max_size=2),
       states=st.lists(st.sampled_from(["CA", "OR", "TX"]), unique=True, max_size=2),
       start=st.one_of(st.none(), DAYS), end=st.one_of(st.none(), DAYS), as_of=st.one_of(st.none(), DAYS),
       inactive=st.booleans())
def test_page_cli_and_export_give_the_same_rows(world_data, world_dir, world_geodata, tmp_path_factory, stances, states,
                                                start, end, as_of, inactive):
    query: dict[str, object] = {"stance": stances, "state": states, "all": "1" if inactive else ""}
    argv = [*(a for s in stances for a in ("--stance", s)), *(a for s in states for a in ("--state", s))]
    for name, value, flag in (("from", start, "--from"), ("to", end, "--to"), ("as_of", as_of, "--as-of")):
        if value:
            query[name] = value.isoformat()
            argv += [flag, value.isoformat()]
    if inactive:
        argv.append("--all")
    view, _ = parse_query(query)  # what a link (and so the page) shows
    page_rows = set(select(world_data, view).policies["policy_id"])
    out = tmp_path_factory.mktemp("cli") / "rows.csv"
    from conftest import world_args

    assert cli.main(["export", "--format", "csv", "--out", str(out), *world_args(world_dir, world_geodata), *argv]) == 0
    assert _rows_of_csv(out.read_bytes()) == page_rows
    assert _rows_of_csv(export.policies_csv(world_data, view)) == page_rows


def test_bad_as_of_dates_are_refused_by_name(world_dir, world_geodata, tmp_path, capsys):
    from conftest import world_args

    out = tmp_path / "x.png"
    code = cli.main(["export", "--format", "png", "--out", str(out), "--as-of", "2016-01-01,2016-13-45",
                     *world_args(world_dir, world_geodata)])
    assert code != 0 and not out.exists()
    assert "2016-13-45" in capsys.readouterr().err
