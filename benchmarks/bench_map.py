"""Benchmark: this app's map (a) vs the obvious approach (b), measured in one run.

(b) is what a newcomer would write: ``GeoDataFrame.explore()`` on the same layers read from the
unsimplified Census geometry (national states and counties plus every joined city and school
district), rebuilt on each Streamlit rerun.  Both use the same self-hosted Leaflet (explore's CDN
links are swapped for local ones, otherwise it would draw nothing offline) and no basemap.

Prints one table of medians and the ratio (b)/(a).  Not a test: figures, not assertions.

    .venv/bin/python benchmarks/bench_map.py [--runs 5]
"""
from __future__ import annotations

import argparse
import concurrent.futures
import functools
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SANCTUARY_MAP_BASEMAP", "none")

from sanctuary_map import _paths  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
LOCAL_ASSETS = (("leaflet", "/vendor/leaflet/leaflet.js"),)
LOCAL_CSS = (("leaflet_css", "/vendor/leaflet/leaflet.css"),)


# ---------------------------------------------------------------------------- the two map builders
def build_app_map(topology_url: str = "/generated/county.topo.json"):
    """(a): the app's map for the default national view (all policies, no focus)."""
    from sanctuary_map.geodata import load_layers
    from sanctuary_map.join import join
    from sanctuary_map.mapping import Assets, MapData, build_map
    from sanctuary_map.policies import load_policies
    from sanctuary_map.view import View

    layers = load_layers(_paths.GEODATA_DIR)
    table = load_policies()
    data = MapData(layers, join(table.rows, layers.web, layers.manifest).matched)
    assets = Assets(js=(("leaflet", "/vendor/leaflet/leaflet.js"), ("topojson", "/vendor/topojson-client/topojson-client.min.js")),
                    css=(("leaflet_css", "/vendor/leaflet/leaflet.css"), ("sanctuary_css", "/map.css")))
    return build_map(data, View(), basemap="none", assets=assets, county_topology=(topology_url, None))


@functools.lru_cache(maxsize=1)
def _full_layers():
    import geopandas as gpd

    from sanctuary_map.geodata import load_layers

    layers = load_layers(_paths.GEODATA_DIR)
    out = {}
    for name in ("state", "county", "place", "unsd"):
        full = gpd.read_parquet(_paths.GEODATA_DIR / f"{name}.parquet")
        if name in ("place", "unsd"):  # the joined ones, as in (a)
            full = full[full["geoid"].isin(layers.web[name]["geoid"])]
        out[name] = full[["geoid", "name", "geometry"]]
    return out


def build_explore_map():
    """(b): explore() on unsimplified Census geometry, every layer, tooltips on."""
    layers = _full_layers()
    m = layers["state"].explore(tiles=None, name="States", style_kwds={"fillOpacity": 0.1})
    for name, colour in (("county", "#56B4E9"), ("place", "#009E73"), ("unsd", "#CC79A7")):
        layers[name].explore(m=m, name=name, color=colour)
    m.default_js = list(LOCAL_ASSETS)
    m.default_css = list(LOCAL_CSS)
    return m


def render(m) -> str:
    return m.get_root().render()


# ---------------------------------------------------------------------------- measurements
def timed(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def peak_rss_mb(which: str) -> float:
    """Peak resident memory of a fresh process that loads the data and builds + renders one map."""
    # VmHWM belongs to the new address space; ru_maxrss would carry the parent's peak across fork+exec.
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(Path(__file__).parent)!r})
        import bench_map
        bench_map.render(bench_map.{which}())
        print([l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM")][0])
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


def serve(directory: Path):
    handler = functools.partial(_Quiet, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


FIRST_POLYGON = "() => [...document.querySelectorAll('path.leaflet-interactive')].some(p => (p.getAttribute('d') || '').length > 20)"
# (a) draws counties on a canvas and reports the count; (b) draws one SVG path per feature.
ALL_COUNTIES = ("() => (window.smCountiesDrawn && window.smCountiesDrawn.all >= 3234)"
                " || document.querySelectorAll('path.leaflet-interactive').length >= 3234")


def first_polygon_seconds(url: str, runs: int, condition: str = FIRST_POLYGON) -> float:
    """Navigation start until ``condition`` holds (default: a drawn polygon), cold cache each time.

    Timed by the page's own clock: ``performance.now()`` counts from the navigation start, so the
    figure excludes the test driver's overhead (which is the same for both maps).
    """
    from playwright.sync_api import sync_playwright

    def go():
        times = []
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for _ in range(runs):
                ctx = b.new_context(viewport={"width": 1200, "height": 800})
                page = ctx.new_page()
                page.goto(url, wait_until="commit")
                stamp = page.wait_for_function(f"() => ({condition})() && performance.now()", timeout=120_000, polling="raf")
                times.append(stamp.json_value() / 1000)
                ctx.close()
            b.close()
        return statistics.median(times)

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(go).result()


OBVIOUS_APP = """
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium
import sys
sys.path.insert(0, {bench!r})
import bench_map

layers = st.cache_data(bench_map._full_layers)()
kinds = st.multiselect("Layers", ["county", "place", "unsd"], default=["county", "place", "unsd"])
m = layers["state"].explore(tiles=None, name="States")
for name in kinds:
    layers[name].explore(m=m, name=name)
st_folium(m, returned_objects=[], height=600)
"""


def rerun_seconds(script: Path, widget_values: list, runs: int, page: str | None = None) -> float:
    """Server time of a filter-change rerun (Streamlit AppTest, in-process): median over ``runs`` changes."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(script), default_timeout=300)
    if page:
        at.switch_page(page)
    at.run()
    times = []
    for i in range(runs):
        widget = at.sidebar.multiselect[0] if len(at.sidebar.multiselect) else at.multiselect[0]
        widget.set_value(widget_values[i % len(widget_values)])
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
        assert not at.exception, at.exception
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = args.runs
    from sanctuary_map.geodata import read_manifest

    manifest = read_manifest(_paths.GEODATA_DIR)
    print(f"Data: built {manifest['built_at']}; counties {manifest['layers']['county']['features']:,}; runs per figure: {runs}")

    rows = {}
    a_time, a_map = timed(lambda: render(build_app_map()), runs)
    b_time, b_map = timed(lambda: render(build_explore_map()), runs)
    topo_bytes = (_paths.GEODATA_DIR / "county.topo.json").stat().st_size
    rows["Map data per render (bytes)"] = (len(a_map.encode()), len(b_map.encode()))
    rows["First visit incl. cached static files (bytes)"] = (len(a_map.encode()) + topo_bytes, len(b_map.encode()))
    rows["Python: build + render map (s)"] = (a_time, b_time)

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        shutil.copytree(_paths.VENDOR_DIR, site / "vendor")
        shutil.copy(_paths.STATIC_DIR / "map.css", site / "map.css")
        (site / "generated").mkdir()
        shutil.copy(_paths.GEODATA_DIR / "county.topo.json", site / "generated" / "county.topo.json")
        (site / "a.html").write_text(a_map)
        (site / "b.html").write_text(b_map)
        httpd, base = serve(site)
        try:
            rows["Navigation to first drawn polygon, Chromium (s)"] = (
                first_polygon_seconds(base + "/a.html", runs), first_polygon_seconds(base + "/b.html", runs))
            rows["Navigation to all 3,234 counties drawn, Chromium (s)"] = (
                first_polygon_seconds(base + "/a.html", runs, ALL_COUNTIES),
                first_polygon_seconds(base + "/b.html", runs, ALL_COUNTIES))
        finally:
            httpd.shutdown()

    with tempfile.TemporaryDirectory() as tmp:
        obvious = Path(tmp) / "obvious_app.py"
        obvious.write_text(OBVIOUS_APP.format(bench=str(Path(__file__).parent)))
        a_rerun = rerun_seconds(ROOT / "app.py", [["statute"], ["ordinance", "board_resolution"], []], runs)
        b_rerun = rerun_seconds(obvious, [["county"], ["place", "unsd"], ["county", "place", "unsd"]], runs)
    rows["Filter-change rerun, server time (s)"] = (a_rerun, b_rerun)
    rows["Peak memory, build + render process (MB)"] = (peak_rss_mb("build_app_map"), peak_rss_mb("build_explore_map"))

    width = max(len(k) for k in rows)
    print(f"\n{'measure (median)':<{width}}  {'(a) this app':>14}  {'(b) explore()':>14}  {'(b)/(a)':>8}")
    print("-" * (width + 44))
    for k, (a, b) in rows.items():
        fmt = (lambda v: f"{v:,.0f}") if "bytes" in k else (lambda v: f"{v:,.3f}" if v < 100 else f"{v:,.0f}")
        print(f"{k:<{width}}  {fmt(a):>14}  {fmt(b):>14}  {b / a:>7.1f}x")
    print(json.dumps({k: v for k, v in rows.items()}), file=sys.stderr)


if __name__ == "__main__":
    main()
