"""Snapshots and downloads on the fixture world: sizes, no controls, titles, credits, metadata, vector, data."""
from __future__ import annotations

import io
import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from conftest import world_args
from sanctuary_map import export
from sanctuary_map.view import View

CHROMIUM = Path(export.CHROMIUM).exists()


def render_and_evaluate(steps: list[tuple[str, int, int, str]]) -> list:
    """Open each (html, width, height, js) in one Chromium, wait for its tiles, and return what each js gives.

    In its own thread: the full suite's browser tests keep an event loop running in this one (Playwright's sync API)."""
    def run() -> list:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=export.CHROMIUM, args=export.CHROMIUM_ARGS)
            page = browser.new_page()
            seen = []
            for html, width, height, js in steps:
                page.set_viewport_size({"width": width, "height": height})
                page.set_content(html, wait_until="load")
                page.wait_for_function("() => window.SanctuaryMap && window.SanctuaryMap.tilesReady === true", timeout=30000)
                seen.append(page.evaluate(js))
            browser.close()
            return seen

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def test_words_links_and_credit(world_data):
    v = View(types=("board_resolution",), states=("CA",), as_of="2020-01-01")
    assert export.describe(v) == "Board resolutions in California, in force on 2020-01-01"
    assert export.is_public("https://map.example.org/x") and not export.is_public("http://localhost:8501/")
    assert not export.is_public("http://127.0.0.1:9000/") and not export.is_public("http://10.0.0.2/")
    assert "8765" in export.share_url(v, "http://127.0.0.1:8765/")
    credit = export.credit_line(world_data, v, "http://localhost:8501/?x")
    assert world_data.version in credit and "2020-01-01" in credit and "localhost" not in credit
    assert "https://map.example.org" in export.credit_line(world_data, v, "https://map.example.org/?a=1")


def test_standalone_html_embeds_only_the_extent_tiles_and_no_network(world_data):
    html = export.standalone_html(world_data, View(focus="place:0600001"), title="T <b>", controls=False)
    assert "T &lt;b&gt;" in html and "<b>" not in html.split("<body>")[1].split("sm-export-title")[0] + ""
    markup = re.sub(r"<script>.*?</script>", "<script></script>", html, flags=re.S)  # the inlined scripts' text aside
    assert not re.search(r"""(src|href)=["']https?://""", markup), "no external asset"
    assert "<script src=" not in markup and html.count("<script>") >= 4, "the scripts are in the page, as text"
    assert '"b64"' in html and "/app/static" not in html and "(window.SanctuaryMapPrefetch =" not in html, "nothing to fetch offline"
    assert 'name="sanctuary-map:dataset-version"' in html


def test_offline_pages_carry_only_their_zoom_what_they_show_and_outlines_at_their_scale(world_data):
    """The offline page weighs what its frame needs: one zoom of tiles (zooming in over-zooms them), the details of
    the instruments it shows, and the border and zones simplified to its scale."""
    import base64

    from pmtiles.reader import MemorySource, Reader

    from sanctuary_map import publish, tiles
    from sanctuary_map.mapping import map_config

    view = View(focus="place:0600001")
    bounds = export.snapshot_bounds(world_data, view)
    published, summary = publish.inline(world_data, bounds, 900, 600)
    z = summary["zoom"]
    spec = published.archive
    want = min(tiles.MAX_ZOOM, z - tiles.LEVEL_DIFF)
    reader = Reader(MemorySource(base64.b64decode(spec["b64"])))
    header = reader.header()
    assert spec["maxzoom"] == want and header["min_zoom"] == header["max_zoom"] == want, (header, want)
    # The layers drawn at that zoom (cities and districts start deeper: below it they are points).
    assert set(published.layers) == {layer for layer, (lo, _) in tiles.ZOOMS.items() if lo <= want}
    assert {v["id"] for v in reader.metadata()["vector_layers"]} >= set(published.layers)
    cfg = map_config(world_data, view, published)
    shown = {i for ids in cfg["shown"].values() for i in ids}
    assert shown and set(cfg["details"]["policies"]) == shown, "details of what the map shows, no more"
    assert set(published.overlays) == {"border", "zone_mexico", "zone_all"}


def test_outlines_are_simplified_within_half_a_pixel():
    import math

    from shapely.geometry import Polygon, shape

    from sanctuary_map import publish

    ring = [(-100 + math.cos(a / 400 * math.tau), 40 + math.sin(a / 400 * math.tau)) for a in range(400)]  # built here
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "zone"}, "geometry": {"type": "Polygon", "coordinates": [ring + ring[:1]]}}]}
    tolerance = publish.pixel_degrees(5)
    out = publish.simplified(collection, tolerance)
    simple = shape(out["features"][0]["geometry"])
    assert len(simple.exterior.coords) < 100 and out["features"][0]["properties"] == {"name": "zone"}
    assert simple.hausdorff_distance(Polygon(ring)) <= tolerance, "no visible change at the frame's zoom"


@pytest.mark.skipif(not CHROMIUM, reason="Chromium not installed")
@pytest.mark.parametrize("preset,size", [("social", (1200, 630)), ("square", (1080, 1080)), ("print", (4800, 3000))])
def test_png_presets_titles_and_metadata(world_data, preset, size):
    png, renderer = export.snapshot_png(world_data, View(focus="unsd:0600010"), preset=preset, title="Fixture title")
    assert renderer == "chromium"
    img = Image.open(io.BytesIO(png))
    assert img.size == size
    meta = export.png_text(png)
    assert meta["sanctuary-map:dataset-version"] == world_data.version and meta["sanctuary-map:as-of"]
    assert "focus=unsd%3A0600010" in meta["sanctuary-map:view"]
    assert meta["sanctuary-map:renderer"] == "chromium"
    # A text alternative: what, where, when and how many.
    assert meta["Description"].startswith("Map of Testville Unified School District, California")
    assert meta["Description"] == export.alt_text(world_data, View(focus="unsd:0600010"))
    assert meta["Title"] == "Fixture title"
    if preset == "print":
        assert round(img.info["dpi"][0]) == 300
    # Not blank: the map draws more than a couple of colours.
    assert len(img.convert("RGB").resize((200, 120)).getcolors(20000) or []) > 20


@pytest.mark.skipif(not CHROMIUM, reason="Chromium not installed")
def test_snapshot_has_no_controls_but_a_title_legend_and_credit(world_data):
    html = export.standalone_html(world_data, View(), title="No controls", controls=False)
    [seen] = render_and_evaluate([(html, 900, 600, """() => ({
        controls: document.querySelectorAll('.leaflet-control-zoom, .leaflet-control-layers').length,
        title: document.querySelector('.sm-export-title').innerText,
        legend: document.querySelectorAll('.sm-legend').length,
        scale: document.querySelectorAll('.leaflet-control-scale').length,
        credit: document.querySelector('.sm-export-credit').innerText})""")])
    assert seen["controls"] == 0 and seen["title"] == "No controls"
    assert seen["legend"] == 1 and seen["scale"] == 1 and "dataset version" in seen["credit"]


def test_vector_snapshots(world_data):
    svg = export.vector_snapshot(world_data, View(), "svg", title="Vector")
    assert svg.startswith(b"<?xml") and b"Vector" in svg and b"dataset version" in svg
    pdf = export.vector_snapshot(world_data, View(), "pdf", title="Vector")
    assert pdf.startswith(b"%PDF")


def test_csv_and_geojson_follow_the_view(world_data):
    view = View(stances=("requires_cooperation",), include_inactive=True)
    frame = pd.read_csv(io.BytesIO(export.policies_csv(world_data, view)), dtype=str)
    assert set(frame["stance"]) == {"requires_cooperation"}
    assert set(frame["policy_id"]) == {p for p, s in zip(world_data.policies["policy_id"], world_data.policies["stance"])
                                       if s == "requires_cooperation"}
    evil = world_data.policies.copy()
    evil.loc[0, "notes"] = "=HYPERLINK(\"http://evil.example\")"
    assert b"'=HYPERLINK" in export.safe_csv(evil)
    gj = json.loads(export.boundaries_geojson(world_data, View()))
    keys = {(f["properties"]["layer"], f["properties"]["geoid"]) for f in gj["features"]}
    assert ("place", "0600001") in keys and ("place", "0600002") not in keys
    assert gj["dataset_version"] == world_data.version


@pytest.mark.skipif(not CHROMIUM, reason="Chromium not installed")
def test_cli_social_preset_and_small_multiples(world_dir, world_geodata, tmp_path, capsys):
    from sanctuary_map import cli

    out = tmp_path / "x.png"
    data_args = world_args(world_dir, world_geodata)
    assert cli.main(["export", "--format", "png", "--preset", "social", "--out", str(out), "--title", "CLI", *data_args]) == 0
    assert "rendered with chromium" in capsys.readouterr().err
    assert Image.open(out).size == (1200, 630)
    assert export.png_text(out.read_bytes())["sanctuary-map:renderer"] == "chromium"
    multi = tmp_path / "m.png"
    dates = "2016-01-01,2019-01-01,2022-01-01,2026-01-01"
    assert cli.main(["export", "--format", "png", "--preset", "social", "--out", str(multi), "--as-of", dates,
                     "--title", "Then and now", *data_args]) == 0
    img = Image.open(multi).convert("RGB")
    assert img.size == (1200, 630) and export.png_text(multi.read_bytes())["sanctuary-map:as-of"] == dates
    first, last = img.crop((0, 60, 600, 345)), img.crop((600, 345, 1200, 630))
    assert list(first.getdata()) != list(last.getdata()), "the panels show different dates"
    meta = export.png_text(multi.read_bytes())
    assert json.loads(meta["sanctuary-map:legend"]) and meta["Title"] == "Then and now"
    assert meta["Description"].startswith("Small multiples: Then and now")
    svg = tmp_path / "x.svg"
    assert cli.main(["export", "--format", "svg", "--out", str(svg), *data_args]) == 0
    assert svg.read_bytes().startswith(b"<?xml")


def test_geojson_and_csv_include_agreements_and_listings_when_shown(world_data):
    gj = json.loads(export.boundaries_geojson(world_data, View(as_of="2025-06-01")))
    by_key = {(f["properties"]["layer"], f["properties"]["geoid"]): f["properties"] for f in gj["features"]}
    assert "Alpha County Sheriff" in by_key[("county", "06001")]["agreements_287g"]
    assert ("county", "06005") in by_key  # an agreement alone puts a county on the map
    hidden = json.loads(export.boundaries_geojson(world_data, View(as_of="2025-06-01", hidden=("agreements",))))
    assert ("county", "06005") not in {(f["properties"]["layer"], f["properties"]["geoid"]) for f in hidden["features"]}
    rows = pd.read_csv(io.BytesIO(export.agreements_csv(world_data, View(as_of="2025-06-01", models=("task_force",)))), dtype=str)
    assert set(rows["model"]) == {"task_force"}
    listed = pd.read_csv(io.BytesIO(export.listings_csv(world_data, View(as_of="2025-08-06"))), dtype=str)
    assert set(listed["list"]) == {"doj_2025_08_05"}  # the DHS listing was withdrawn on 2025-06-01


def test_signed_window_filters_agreements(world_data):
    from sanctuary_map.view import agreements_shown

    assert set(agreements_shown(View(as_of="2025-06-01", signed_from="2025-02-15"), world_data.agreements)["agency"]) == {
        "Gamma County Sheriff's Office"}
    assert set(agreements_shown(View(as_of="2025-06-01", signed_to="2025-02-15"), world_data.agreements)["agency"]) == {
        "Alpha County Sheriff's Office"}


def test_titles_name_the_focused_place_and_alt_text_counts_what_is_in_the_frame(world_data):
    assert export.default_title(world_data, View(focus="place:0600001")).startswith("Testville, California:")
    assert "Sanctuary Map" in export.default_title(world_data, View())
    focused = export.alt_text(world_data, View(focus="place:0600001"))
    national = export.alt_text(world_data, View())
    assert "as of " in focused and "jurisdiction" in focused and national.startswith("Map of the United States")
    only = export.alt_text(world_data, View(stances=("requires_cooperation",)))
    assert "that limit cooperation" not in only and "Requires cooperation" not in only


def test_a_chromium_failure_is_an_error_unless_a_fallback_is_asked(world_data, monkeypatch):
    monkeypatch.setattr(export, "CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(export.ExportError, match="Chromium"):
        export.snapshot_png(world_data, View(), preset="social")
    png, renderer = export.snapshot_png(world_data, View(), preset="social", fallback=True)
    assert renderer.startswith("matplotlib") and export.png_text(png)["sanctuary-map:renderer"] == renderer


def test_the_legend_lists_only_what_is_in_the_frame(world_data):
    oregon = View(focus="place:4100003", as_of="2025-06-01")  # Springfield, Oregon: far from the border and 287(g)
    whole = export.select(world_data, oregon).legend_entries()
    framed = [label for _, e in export.frame_legend(world_data, oregon, 1200, 630) for label, _, _ in e]
    assert "Requires cooperation" in whole and any(x.startswith("287(g)") for x in whole)
    assert "Limits cooperation" in framed
    assert "Requires cooperation" not in framed and not any(x.startswith("287(g)") for x in framed)
    assert "US\u2013Mexico land border" not in framed and not any("100 miles" in x or "100-mile" in x for x in framed)
    assert "Distance to the US\u2013Mexico border (selected)" in framed  # the focused place's own line
    testville = [label for _, e in export.frame_legend(world_data, View(focus="place:0600001", as_of="2025-06-01"), 1200, 630)
                 for label, _, _ in e]
    assert "Requires cooperation" in testville and "287(g): Jail Enforcement Model (outline)" in testville
    assert "287(g): Task Force Model (outline)" in whole and "287(g): Task Force Model (outline)" not in testville
    page = export.standalone_html(world_data, oregon, title="Springfield", width=1200, height=630, controls=False)
    legend = page.split('class="sm-legend"', 1)[1].split("</details>", 1)[0]
    assert "Limits cooperation" in legend and "Requires cooperation" not in legend and "287(g)" not in legend
    assert legend.count("sm-legend-row") == len(framed)


@pytest.mark.skipif(not CHROMIUM, reason="Chromium not installed")
def test_wide_snapshots_put_the_legend_beside_the_map_and_panels_have_none(world_data):
    view = View(focus="place:4100003", as_of="2025-06-01")
    wide = export.standalone_html(world_data, view, title="Wide", width=1200, height=630, controls=False)
    panel = export.standalone_html(world_data, view, title="2025-06-01", width=600, height=285, controls=False, panel=True)
    seen, shown = render_and_evaluate([
        (wide, 1200, 630, """() => { const m = document.querySelector('.folium-map').getBoundingClientRect();
            const l = document.querySelector('.sm-legend').getBoundingClientRect();
            return {mapRight: m.right, legendLeft: l.left, legendBottom: l.bottom}; }"""),
        (panel, 600, 285, """() => [...document.querySelectorAll('.sm-legend, .sm-export-credit')]
            .map((e) => getComputedStyle(e).display)""")])
    assert seen["legendLeft"] >= seen["mapRight"] - 1 and seen["legendBottom"] <= 630
    assert shown and set(shown) == {"none"}


def test_presets_include_story_and_print_at_300_dpi():
    assert (export.PRESETS["story"].width, export.PRESETS["story"].height) == (1080, 1920)
    p = export.PRESETS["print"]
    assert (p.width * p.scale, p.height * p.scale) == (4800, 3000) and export.PRINT_DPI == 300


def test_snapshot_labels_name_the_focus_first_and_only_places_in_the_frame(world_data):
    """Place names come from the boundary index (no basemap): the focused place first, then places inside the frame."""
    view = View(focus="place:0600001")
    labels = export.frame_labels(world_data, view, 1200, 630)
    assert labels[0][2:] == ["Testville", "focus"]
    west, south, east, north = export.frame_extent(world_data, view, 1200, 630)
    assert all(west < lon < east and south < lat < north for lat, lon, _name, kind in labels if kind != "focus")
    assert len({name for _lat, _lon, name, _kind in labels}) == len(labels), "each name once"
    page = export.standalone_html(world_data, view, controls=False, width=1200, height=630)
    assert "SanctuaryMap.labels(" in page and '"Testville", "focus"' in page
    assert "SanctuaryMap.labels(" not in export.standalone_html(world_data, view, controls=True), "the live map has none"


@pytest.mark.skipif(not CHROMIUM, reason="Chromium not installed")
def test_rendered_snapshot_places_labels_without_overlap(world_data):
    page_html = export.standalone_html(world_data, View(focus="place:0600001"), controls=False, width=900, height=600)
    [boxes] = render_and_evaluate([(page_html, 900, 600, """() => [...document.querySelectorAll('.sm-label')]
        .map(e => { const r = e.getBoundingClientRect(); return [e.textContent, r.left, r.top, r.right, r.bottom]; })""")])
    assert boxes and boxes[0][0] == "Testville"
    for i, a in enumerate(boxes):
        assert 0 <= a[1] and a[3] <= 900 and 0 <= a[2] and a[4] <= 600, a
        for b in boxes[i + 1:]:
            assert a[3] < b[1] or b[3] < a[1] or a[4] < b[2] or b[4] < a[2], (a, b)


@pytest.mark.skipif(not CHROMIUM, reason="Chromium not installed")
def test_a_dark_snapshot_has_a_dark_page_light_ink_and_says_so(world_data):
    from sanctuary_map.vocab import FEDERAL_COLOUR, THEMES

    view = View(focus="place:0600001")
    page_html = export.standalone_html(world_data, view, controls=False, width=900, height=600, theme="dark")
    [seen] = render_and_evaluate([(page_html, 900, 600, """() => ({
        dark: document.body.classList.contains('sm-dark'),
        page: getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor,
        title: getComputedStyle(document.querySelector('.sm-export-title')).color,
        label: getComputedStyle(document.querySelector('.sm-label')).color,
        ink: SanctuaryMap._cfg.theme.ink})""")])
    assert seen["dark"] and seen["page"] == "rgb(22, 24, 29)", seen  # THEMES["dark"]["page"]
    assert seen["label"] == "rgb(244, 244, 244)" and seen["title"] == "rgb(238, 238, 238)", seen  # light text
    assert seen["ink"] == THEMES["dark"]["ink"] != FEDERAL_COLOUR
    png, _renderer = export.snapshot_png(world_data, view, preset="social", theme="dark")
    assert export.png_text(png)["sanctuary-map:theme"] == "dark"
    light, _r = export.snapshot_png(world_data, view, preset="social")
    mean = [sum(Image.open(io.BytesIO(b)).convert("L").getdata()) / (1200 * 630) for b in (png, light)]
    assert mean[0] < 90 < mean[1], f"a dark frame is dark, a light one light (mean luminance {mean})"
    with pytest.raises(export.ExportError, match="theme"):
        export.standalone_html(world_data, view, theme="sepia")
