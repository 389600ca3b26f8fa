"""Snapshots and downloads: what a reporter, an editor and an analyst take away."""
from __future__ import annotations

import io
import json
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest

from sanctuary_map.export import (boundaries_geojson, png_text, policies_csv, share_url, snapshot_png,
                                  standalone_html, _static_png)
from sanctuary_map.mapping import PALETTE
from sanctuary_map.view import View


def test_csv_has_filtered_rows_and_neutralises_formulas(map_data):
    view = View(levels=("school_district",))
    df = pd.read_csv(io.BytesIO(policies_csv(map_data.policies, view)), dtype=str, keep_default_na=False)
    assert len(df) == 11 and set(df["jurisdiction_level"]) == {"school_district"}
    p = map_data.policies.head(1).copy()
    p["summary"] = "=HYPERLINK(\"http://evil\")"
    p["notes"] = "@SUM(1)"
    out = pd.read_csv(io.BytesIO(policies_csv(p, View())), dtype=str, keep_default_na=False)
    assert out.loc[0, "summary"].startswith("'=") and out.loc[0, "notes"].startswith("'@")


def test_every_csv_download_is_formula_safe():
    from sanctuary_map.export import safe_csv

    out = pd.read_csv(io.BytesIO(safe_csv(pd.DataFrame({"jurisdiction": ["=cmd|' /C calc'!A0", "Plain"], "km": [1.5, 2.0]}))),
                      dtype=str)
    assert out.loc[0, "jurisdiction"].startswith("'=") and out.loc[1, "jurisdiction"] == "Plain" and out.loc[0, "km"] == "1.5"


def test_geojson_reads_back_with_the_filtered_boundaries(map_data, tmp_path):
    path = tmp_path / "b.geojson"
    path.write_bytes(boundaries_geojson(map_data, View(types=("statute",))))
    gdf = gpd.read_file(path)
    assert len(gdf) == 6 and set(gdf["jurisdiction_level"]) == {"state"}  # OR has two statutes, one boundary and gdf.crs.to_epsg() == 4326
    assert "type=statute" in json.loads(path.read_text())["share_url"]


def test_standalone_html_has_no_network_links_and_records_its_view(map_data):
    view = View(states=("CA",), focus="unsd:0622710")
    page = standalone_html(map_data, view, data_date="2026-11-25")
    assert 'src="data:text/javascript;base64,' in page
    assert "/app/static" not in page and "https://cdn" not in page
    import html

    assert html.escape(share_url(view)) in page and "state=CA" in share_url(view)
    assert "Filters: state: CA" in page and "US Census Bureau" in page


def _pixels_near(png: bytes, colour: str, tol: int = 40) -> int:
    import matplotlib.image as mpimg
    import numpy as np

    img = mpimg.imread(io.BytesIO(png), format="png")[..., :3] * 255
    target = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(img - target).max(axis=2) < tol).sum())


def test_static_png_fallback_draws_layers(map_data):
    png = _static_png(map_data, View(focus="place:0644000"), 800, 600, "T", "static note")
    import matplotlib.image as mpimg

    img = mpimg.imread(io.BytesIO(png), format="png")
    assert img.shape[:2] == (600, 800)
    assert _pixels_near(png, PALETTE["place"], tol=60) > 50


@pytest.mark.browser
def test_png_snapshot_size_colour_and_metadata(map_data):
    import shutil

    if not shutil.which("chromium"):
        pytest.skip("Chromium not installed")
    view = View(levels=("place",), focus="place:0644000")
    png, renderer = snapshot_png(map_data, view, width=900, height=700, data_date="2026-11-25")
    assert renderer == "chromium"
    import matplotlib.image as mpimg

    img = mpimg.imread(io.BytesIO(png), format="png")
    assert img.shape[:2] == (700, 900)
    assert img[..., :3].std() > 0.05, "not blank"
    # Where is Los Angeles in that frame?  Lay out the same HTML at the same size and ask the browser.
    from playwright.sync_api import sync_playwright

    from sanctuary_map.export import CHROMIUM, CHROMIUM_ARGS

    page_html = standalone_html(map_data, view, data_date="2026-11-25", height="700px")

    def locate():
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pg = b.new_page(viewport={"width": 900, "height": 700})
            pg.set_content(page_html)
            pg.wait_for_selector("path.sm-place-0644000", state="attached")
            found = pg.locator("path.sm-place-0644000").bounding_box()
            b.close()
            return found

    import concurrent.futures

    # Own thread: a session-wide Playwright (browser tests) may hold this thread's event loop.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        box = pool.submit(locate).result(timeout=60)
    x0, y0 = int(box["x"]), int(box["y"])
    x1, y1 = int(box["x"] + box["width"]), int(box["y"] + box["height"])
    inside = img[y0:y1, x0:x1, :3] * 255
    r, g, bl = inside[..., 0], inside[..., 1], inside[..., 2]
    greenish = (g > r + 50) & (g > bl + 10)  # the city colour #009E73 blended over the light ground
    assert greenish.mean() > 0.25, greenish.mean()
    outside = img[:, :, :3] * 255
    assert ((outside[..., 1] > outside[..., 0] + 50) & (outside[..., 1] > outside[..., 2] + 10)).mean() < greenish.mean()
    assert png_text(png)["sanctuary-map:view"] == share_url(view)


def test_export_cli_with_another_policies_file(tmp_path, real_geodata):
    from test_policies import csv_text, row

    other = tmp_path / "mine.csv"
    other.write_text(csv_text([row(policy_id="mine", jurisdiction_name="My LA"),
                               row(policy_id="broken", geoid="12")]))
    out = tmp_path / "mine.geojson"
    r = subprocess.run([sys.executable, "-m", "sanctuary_map", "export", "--format", "geojson", "--out", str(out),
                        "--policies", str(other), "--geodata", str(real_geodata)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "mine.csv:3:geoid" in r.stderr
    gdf = gpd.read_file(out)
    assert list(gdf["name"]) == ["My LA"]
    csv_out = tmp_path / "f.csv"
    r = subprocess.run([sys.executable, "-m", "sanctuary_map", "export", "--format", "csv", "--out", str(csv_out),
                        "--type", "statute"], capture_output=True, text=True)
    assert r.returncode == 0 and len(pd.read_csv(csv_out)) == 7
