"""The rendered map (HTML) on the fixture world: lookups, assets, escaping, legend, payload."""
from __future__ import annotations

import json
import re

import pytest

from sanctuary_map import tiles
from sanctuary_map.mapping import Assets, Published, agreement_details, build_map, in_runs, map_config, runs
from sanctuary_map.publish import publish_boundaries
from sanctuary_map.selection import select
from sanctuary_map.view import View


@pytest.fixture(scope="module")
def published(world_data, tmp_path_factory):
    pub = publish_boundaries(world_data, tmp_path_factory.mktemp("static"))
    pub.details_url = "/app/static/generated/details-test.json"
    return pub


def config_of(html: str) -> dict:
    m = re.search(r"SanctuaryMap\.configure\((\{.*?\})\);\n", html, re.S)
    return json.loads(m.group(1))


def test_lookups_follow_filters_and_as_of(world_data):
    lk = select(world_data, View()).lookups
    assert lk.lookup["place"] == {"0600001": "L", "4100003": "L"} and lk.lookup["county"] == {"06001": "R"}
    assert "0600002" not in lk.lookup.get("place", {})  # repealed
    assert lk.shown["place:0600001"] == ["testville-res", "testville-ord"]
    assert lk.coverage["06001"] == "M"  # its own requirement plus a city and a district that limit
    # A county with nothing of its own is coloured by its state's law, worked out here (the browser only paints).
    assert lk.coverage["06005"] == "L"
    past = select(world_data, View(as_of="2019-07-01")).lookups
    assert {"0600001", "0600002"} <= set(past.lookup["place"]) and past.lookup["county"]["06003"] == "R"
    only = select(world_data, View(stances=("requires_cooperation",))).lookups
    assert set(only.lookup) == {"county"}


def test_map_html_uses_own_assets_tiles_and_small_lookups(world_data, published):
    m = build_map(world_data, View(focus="unsd:0600010"), published)
    html = m.get_root().render()
    assert "cdn" not in html.lower() and "unpkg" not in html and "jsdelivr" not in html
    assert all(u.startswith("/app/static/") for _, u in Assets.served().js)
    cfg = config_of(html)
    # One archive holds every layer: one header and directory to fetch, one request per tile position.
    assert cfg["archive"]["url"].endswith(".pmtiles") and "archives" not in cfg
    # The page's head asks for the archive's header and root directory before any script loads.
    head = html[:html.index("</head>")]
    early = head.index("SanctuaryMapPrefetch")
    assert early < head.index("leaflet.js") and f'"{cfg["archive"]["url"]}"' in head[early:early + 600]
    assert f"bytes=0-{tiles.HEADER_BYTES - 1}" in head
    assert set(published.layers) == {"state", "county", "place", "unsd", "elsd", "scsd"}
    assert cfg["detailsUrl"].endswith(".json") and "details" not in cfg
    # Lookups travel grouped by value ({model: [geoids]}), the browser inverts them (SanctuaryMap.expand).
    assert "06001" in cfg["agreements"]["county"]["jail_enforcement"] and cfg["federal"]["county"]["06001"] == 1
    # The popup's agreements and listings are the ones the view selected, named by row; no date or model rule in JS.
    rows = agreement_details(world_data)

    def at(config: dict, key: str) -> set[int]:
        return {e["i"] for e in rows.get(key, [])} & in_runs(config["agreementsShown"])

    assert at(cfg, "county:06001") and cfg["federalShown"]
    assert "models" not in cfg and "signedFrom" not in cfg
    wso = config_of(build_map(world_data, View(models=("warrant_service_officer",)), published).get_root().render())
    assert not at(wso, "county:06001") and at(wso, "place:0600001")
    ended = config_of(build_map(world_data, View(as_of="2025-05-20"), published).get_root().render())
    assert at(ended, "county:06005") and not at(cfg, "county:06005")
    # The selected district's distance line is labelled, naming which border.
    assert "to the US\u2013Mexico border" in html or "to the US\\u2013Mexico border" in html
    assert len(html.encode()) < 100_000


def test_hostile_names_reach_the_page_only_as_escaped_json(world_data, published, monkeypatch):
    import pandas as pd

    data = world_data
    bad = "</script><img src=x onerror=alert(1)>"
    policies = data.policies.copy()
    policies.loc[policies["policy_id"] == "testville-ord", "title"] = bad
    from sanctuary_map.data import MapData
    from sanctuary_map.join import join

    evil = MapData(data.table.__class__(policies), data.boundaries, None, join(policies, data.boundaries),
                   pd.DataFrame(), "v")
    html = build_map(evil, View(), Published(published.archive, None, published.overlays, layers=published.layers)).get_root().render()
    assert bad not in html and "\\u003c/script\\u003e" in html


def test_legend_shows_only_what_is_visible(world_data, published):
    html = build_map(world_data, View(hidden=("agreements", "federal", "zone_all")), published).get_root().render()
    start = html.index('class="sm-legend"')
    legend = html[start:html.index("</details>", start)]
    assert "Limits cooperation" in legend and "Requires cooperation" in legend and "Mixed" not in legend
    assert "287(g)" not in legend and "federal" not in legend and "all external" not in legend
    empty = build_map(world_data, View(states=("WY",)), published).get_root().render()
    assert "No instrument matches the filters" in empty


def test_inline_config_carries_details_for_uploads(world_data, published):
    cfg = map_config(world_data, View(), Published(published.archive, None, {}, layers=published.layers))
    assert cfg["details"]["policies"]["testville-ord"]["t"] == "Testville sanctuary ordinance"
    assert "outlying part" in cfg["details"]["jurisdictions"]["unsd:0600010"]["d"]


def test_the_scripts_read_only_the_config_keys_defined_in_python(world_data, published):
    """Every `cfg.<key>` the browser scripts read is a key of MapConfig (or one they set themselves), and
    map_config sends only MapConfig keys: one definition of the names, no single letters whose meanings drift."""
    import re

    from sanctuary_map.mapping import JS_RUNTIME_KEYS, MapConfig
    from sanctuary_map.settings import JS_DIR, TEMPLATE_DIR

    scripts = [*JS_DIR.glob("*.js"), *TEMPLATE_DIR.glob("*.j2")]
    read = {k for f in scripts for k in re.findall(r"\bcfg\.([A-Za-z_]\w*)", f.read_text())}
    read |= {k for f in scripts for k in re.findall(r"\bdata\.config\.([A-Za-z_]\w*)", f.read_text())}
    defined = set(MapConfig.__annotations__)
    assert read, "the scripts were read"
    assert read - defined - JS_RUNTIME_KEYS == set(), f"keys read in JS but not defined in MapConfig: {read - defined}"
    sent = set(map_config(world_data, View(), published))
    assert sent <= defined, f"sent but not defined: {sent - defined}"
    assert {"lookup", "colours", "theme", "t", "asOf"} <= sent


def test_row_labels_travel_as_runs():
    assert runs([5, 0, 1, 2, 2, 9, 10]) == [[0, 2], [5, 5], [9, 10]]
    assert runs([]) == [] and in_runs([[0, 2], [5, 5]]) == {0, 1, 2, 5}
