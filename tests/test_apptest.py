"""Every page in-process with Streamlit's AppTest: no exception, filters change output, payload under budget."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT

TIMEOUT = 60
BUDGET = 1_500_000


@pytest.fixture(autouse=True)
def _offline_basemap(monkeypatch, real_geodata):
    monkeypatch.setenv("SANCTUARY_MAP_BASEMAP", "none")


def run(path: str, query: dict | None = None) -> AppTest:
    """Run a page as the app runs it: from the entry point, switched to the page."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if path != "app.py":
        at.switch_page(path)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def table_with(at: AppTest, column: str):
    """The page's dataframe that has ``column`` (data-health panels may show tables too)."""
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert tables, f"no table with column {column!r}"
    return tables[0]


def folium_component(at: AppTest):
    comps = [c for c in at.get("component_instance") if "script" in (c.proto.json_args or "")]
    assert len(comps) == 1
    return json.loads(comps[0].proto.json_args)


def test_map_page_payload_assets_and_filters():
    at = run("app.py")
    args = folium_component(at)
    assert len(args["script"].encode()) < BUDGET
    assert all(u.startswith("/app/static/") for u in args["js_links"] + args["css_links"]), args["js_links"]
    assert args["returned_objects"] == [], "panning must not rerun the script"
    assert "0644000" in args["script"] and "0622710" in args["script"]
    assert at.metric[0].value == "35 of 35"
    at.sidebar.multiselect[0].set_value(["statute"]).run()
    assert not at.exception
    assert at.metric[0].value == "7 of 35"  # CA, IL, OR (1987, 2021), WA, CO, NY statutes (NJ acts by AG directive)
    after = folium_component(at)["script"]
    assert "0644000" not in after and "sm-legend" not in after  # legend lives in html
    assert at.query_params["type"] in ("statute", ["statute"])


def test_jurisdiction_search_zooms_and_clearing_shows_the_country():
    at = run("app.py")
    assert at.selectbox[0].value == "unsd:0622710"  # the story's district by default
    assert "Distance to border" in folium_component(at)["script"]
    at.selectbox[0].set_value("place:3651000").run()
    assert at.query_params["focus"] in ("place:3651000", ["place:3651000"])
    assert "Distance to border" in folium_component(at)["script"]
    at.selectbox[0].set_value("none").run()
    assert not at.exception and at.query_params["focus"] in ("none", ["none"])
    assert "Distance to border" not in folium_component(at)["script"]


def test_border_distance_page_follows_the_filters():
    at = run("pages/2_Border_distance.py", {"level": "school_district"})
    df = table_with(at, "km")
    assert len(df) == 7 and set(df["level"]) == {"School district"}


def test_map_page_restores_filters_from_url():
    at = run("app.py", {"type": "board_resolution", "level": "school_district"})
    assert at.sidebar.multiselect[0].value == ["board_resolution"]
    assert at.metric[0].value.startswith("11 of")


def test_policies_page_table_filters_and_download():
    at = run("pages/1_Policies.py")
    assert len(table_with(at, "title")) == 37
    at.sidebar.multiselect[2].set_value(["state"]).run()
    df = table_with(at, "title")
    assert len(df) == 8 and set(df["jurisdiction_level"]) == {"state"}
    assert at.get("download_button")


def test_border_distance_page_sorted_with_method():
    at = run("pages/2_Border_distance.py")
    df = table_with(at, "km")
    assert list(df["km"]) == sorted(df["km"])
    lausd = df[df["geoid"] == "0622710"].iloc[0]
    assert lausd["nearest part"].startswith("an outlying part") and lausd["mainland_km"] > lausd["km"]
    text = " ".join(m.value for m in at.markdown)
    assert "geodesic" in text and "San Clemente Island" in text and "140 miles" in text
    ref = table_with(at, "reference point")
    assert "Los Angeles City Hall" in ref.iloc[0]["reference point"] and 100 < ref.iloc[0]["miles"] < 140


def test_about_page_lists_layer_vintages():
    at = run("pages/3_About.py")
    files = table_with(at, "file")
    assert "cb_2021_06_unsd_500k.zip" in set(files["file"]) and "cb_2019_06_place_500k.zip" in set(files["file"])
    assert "cb_*_17_unsd_*.zip" in " ".join(m.value for m in at.markdown)


def test_your_data_page_maps_an_upload_privately():
    from sanctuary_map import ui
    from sanctuary_map.policies import load_policies
    from test_policies import csv_text, row

    at = run("pages/4_Your_data.py")
    assert "Your file stays in this browser session" in " ".join(m.value for m in at.markdown)
    # The uploader cannot be driven from AppTest; the page stores the validated table in the session.
    at.session_state[ui.UPLOAD_KEY] = load_policies(csv_text([row(), row(policy_id="bad", geoid="1")]).encode(), name="mine.csv")
    at.switch_page("app.py").run()
    assert not at.exception
    assert at.metric[0].value == "1 of 1"
    assert any("mine.csv" in i.value for i in at.info)
    assert "0644000" in folium_component(at)["script"]


def test_broken_layer_names_the_fix(monkeypatch, tmp_path, real_geodata):
    import shutil

    from sanctuary_map import _paths

    broken = tmp_path / "geodata"
    shutil.copytree(real_geodata, broken)
    (broken / "unsd.web.parquet").write_bytes(b"PAR1 not really")
    monkeypatch.setattr(_paths, "GEODATA_DIR", broken)
    at = run("app.py")
    assert any("unsd layer is not shown" in w.value and "geodata build" in w.value for w in at.warning)
    assert "0644000" in folium_component(at)["script"], "the other layers keep working"


def test_missing_geodata_is_explained(monkeypatch, tmp_path):
    from sanctuary_map import _paths

    monkeypatch.setattr(_paths, "GEODATA_DIR", tmp_path / "nothing")
    at = run("app.py")
    assert any("has not been built" in e.value and "geodata build" in e.value for e in at.error)
