"""The filter model and the rendered map HTML (what a browser would receive)."""
from __future__ import annotations

import re


from sanctuary_map.mapping import MapData, build_map, features, map_payload_bytes
from sanctuary_map.policies import validate_text
from sanctuary_map.view import View, apply
from test_policies import csv_text, row

PAYLOAD_BUDGET = 1_500_000


def test_query_roundtrip_and_tolerance():
    v = View(types=("ordinance", "statute"), levels=("place",), states=("CA",), statuses=("in_effect",),
             restrictions=("Schools",), start="2016-01-01", end="2020-12-31", focus="unsd:0622710")
    assert View.from_query(v.to_query()) == v
    assert View.from_query({"type": ["decree", "ordinance"], "from": "not-a-date", "level": "galaxy"}) == View(types=("ordinance",))
    assert View().to_query() == {}


def test_apply_filters(map_data):
    p = map_data.policies
    assert len(apply(View(), p)) == len(p)
    only = apply(View(types=("board_resolution",)), p)
    assert set(only["instrument_type"]) == {"board_resolution"}
    schools = apply(View(restrictions=("Schools",)), p)
    assert len(schools) and (schools[["campus_access_protocol", "student_data_protection", "staff_training",
                                      "family_communication"]] == "Y").any(axis=1).all()
    recent = apply(View(start="2024-01-01"), p)
    assert set(recent["policy_id"]) >= {"la-city-sanctuary-ordinance-2024", "lausd-2024-11-19"}
    assert (recent["date_adopted"] >= "2024").all()
    assert "lausd-2016-02-safe-zone" in set(apply(View(start="2016-02-01", end="2016-02-28"), p)["policy_id"])


def test_map_html_draws_la_with_local_assets_only(map_data):
    m = build_map(map_data, View(focus="unsd:0622710"), basemap="none")
    page = m.get_root().render()
    assert "0644000" in page and "0622710" in page
    assert "Los Angeles Unified School District" in page and "City of Los Angeles" in page
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls and all(u.startswith("/app/static/") for u in urls), urls
    assert "cdn" not in page.lower() and "tile.openstreetmap" not in page
    for name in ("States (", "Cities (", "School districts (", "100-mile border zone", "US\u2013Mexico land border"):
        assert name in page
    assert "sm-legend" in page and "Distance to border (selected)" in page
    assert "straight line, nearest edge" in page and "74.3 mi (119.7 km)" in page
    assert map_payload_bytes(m) < PAYLOAD_BUDGET


def test_filter_changes_drawn_features(map_data):
    all_keys = {k for g in features(map_data, View()).values() for k in g["key"]}
    statutes = {k for g in features(map_data, View(types=("statute",))).values() for k in g["key"]}
    assert "place:0644000" in all_keys and "unsd:0622710" in all_keys
    assert statutes and statutes < all_keys and all(k.startswith("state:") for k in statutes)
    m = build_map(map_data, View(types=("statute",)), basemap="none").get_root().render()
    assert "0644000" not in m and "Jurisdictions with a policy" in m


def test_popup_lists_relations_and_sources(map_data):
    la = features(map_data, View())["place"].set_index("key").loc["place:0644000"]
    titles = [i["t"] for i in la["items"]]
    assert titles[0].startswith("Standing with Immigrants")  # oldest first
    ed20 = la["items"][0]
    assert any(r.startswith("codified by Sanctuary City Ordinance") for r in ed20["r"])
    assert ed20["u"].startswith("https://") and ed20["d"] == "2017-03-21"


def test_osm_basemap_is_a_setting(map_data, monkeypatch):
    from sanctuary_map.mapping import basemap_setting

    monkeypatch.setenv("SANCTUARY_MAP_BASEMAP", "none")
    assert basemap_setting() == "none"
    monkeypatch.delenv("SANCTUARY_MAP_BASEMAP")
    assert basemap_setting() == "osm"
    page = build_map(map_data, View(), basemap="osm").get_root().render()
    assert "tile.openstreetmap.org" in page


HOSTILE = ["Evil <img src=x onerror=alert(1)> town", "</script><script>alert(2)</script>", "javascript:alert(3)"]


def test_hostile_text_never_reaches_the_page_as_markup(map_data):
    """Rows with markup are refused by validation; values that slip through are only JSON data, built with textContent."""
    rows = [row(policy_id=f"h{i}", jurisdiction_name=t, title=t) for i, t in enumerate(HOSTILE)]
    table = validate_text(csv_text(rows), name="hostile.csv")
    assert len(table.rows) == 0 and len(table.problems) >= 3
    # Defence in depth: force a hostile title into the drawn data and check the page.
    p = map_data.policies.copy()
    p.loc[p["policy_id"] == "la-city-ed20", "title"] = HOSTILE[1] + HOSTILE[0]
    page = build_map(MapData(map_data.layers, p), View(), basemap="none").get_root().render()
    assert "alert(2)" in page, "the text is there, as data"
    assert "</script><script>alert(2)" not in page and "<img src=x" not in page, "but never as markup"
    assert "innerHTML" not in page


def test_county_coverage_codes(map_data):
    from sanctuary_map.mapping import county_coverage

    cov = county_coverage(map_data, View())
    assert cov["06037"] == "LS"  # Los Angeles County: LA city / LAUSD inside, and California's statewide law
    assert cov["17031"] == "CLS"  # Cook County: its own ordinance, Chicago inside, Illinois TRUST Act
    assert cov["06075"] == "CLS" and "48201" not in cov  # San Francisco; Harris County TX has nothing
    assert set(cov[c] for c in ("36005", "36047", "36061", "36081", "36085")) == {"LS"}  # NYC's boroughs; NY statute
    only_state = county_coverage(map_data, View(levels=("state",)))
    assert only_state["06037"] == "S" and len([c for c in only_state if c.startswith("06")]) == 58


def test_county_topology_is_fetched_not_embedded(map_data):
    url = "/app/static/generated/county-abc.topo.json"
    page = build_map(map_data, View(), basemap="none", county_topology=(url, None)).get_root().render()
    assert f'var key = "{url}"' in page and "fetch(key)" in page and "Counties: coverage" in page
    assert map_payload_bytes(build_map(map_data, View(), basemap="none", county_topology=(url, None))) < 700_000
