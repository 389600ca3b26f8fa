"""Benchmark, one run, three ways to draw the same map, plus the build and the reruns.

(a) this app: vector tiles (one PMTiles archive holding every layer) styled by small per-render lookups;
(b) the previous approach: the drawn jurisdictions embedded as GeoJSON in every render
    (coverage-simplified, coordinates rounded, as the app did before the boundary index);
(c) ``GeoDataFrame.explore()`` on the same jurisdictions, unsimplified, every render.

Prints figures and ratios (never assertions): bytes per render, tile bytes per screen view at
several zooms, first policy polygon after navigation (browser), server time for a filter change,
an as-of change and the map with ~1,900 287(g) agreements (AppTest, in-process), the full build of
the boundary index (seconds, peak memory of the whole process tree), and archive sizes for the
source and projected for the nation.

    .venv/bin/python benchmarks/bench_map.py [--runs 5] [--source DIR] [--skip-build] [--skip-browser]
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
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SANCTUARY_MAP_BASEMAP", "none")

from sanctuary_map import settings as paths  # noqa: E402
from sanctuary_map import tiles  # noqa: E402
from sanctuary_map.boundaries import active_dir  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
VIEW = (1400, 900)
# Screen views for tile bytes: (zoom, lon, lat) from the whole country to a few city blocks.
SCREENS = [(4, -96.0, 38.0), (6, -118.2, 34.0), (8, -118.2, 34.05), (10, -118.25, 34.05), (12, -118.25, 34.05),
           (9, -87.7, 41.85), (11, -122.68, 45.52)]


# ---------------------------------------------------------------------------- the three renders
@functools.lru_cache(maxsize=1)
def data():
    from sanctuary_map.data import load_map_data

    return load_map_data()


@functools.lru_cache(maxsize=1)
def published():
    """Static files are published once per build (as the app's cached loader does), not per render."""
    from sanctuary_map.publish import publish_boundaries

    pub = publish_boundaries(data(), Path(tempfile.gettempdir()) / "sm-bench-static")
    pub.details_url = "/app/static/generated/details.json"
    return pub


def render_tiles(view=None) -> str:
    from sanctuary_map.mapping import build_map
    from sanctuary_map.view import View

    return build_map(data(), view or View(), published()).get_root().render()


@functools.lru_cache(maxsize=1)
def drawn_geometry():
    """Every jurisdiction with an instrument in force, full resolution (what (b) and (c) draw)."""
    import geopandas as gpd
    import pandas as pd

    from sanctuary_map.view import View, apply

    d = data()
    shown = apply(View(), d.matched).drop_duplicates(["geoid_layer", "geoid"])
    parts = []
    for layer, grp in shown.groupby("geoid_layer"):
        full = d.boundaries.full(layer)
        parts.append(full[full["geoid"].isin(grp["geoid"])].assign(layer=layer))
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs="EPSG:4326")


def render_geojson() -> str:
    """(b) the previous approach: simplified GeoJSON of the drawn jurisdictions in every render."""
    import folium
    import shapely

    g = drawn_geometry().copy()
    tol = {"state": 0.01, "county": 0.005, "place": 0.0005, "unsd": 0.0008, "elsd": 0.0008, "scsd": 0.0008}
    grid = {"state": 1e-4, "county": 1e-4}
    g["geometry"] = [shapely.set_precision(geom.simplify(tol[layer]), grid.get(layer, 1e-5))
                     for geom, layer in zip(g.geometry, g["layer"])]
    m = folium.Map(tiles=None, location=[37, -96], zoom_start=4)
    m.default_js, m.default_css = [("leaflet", "/vendor/leaflet/leaflet.js")], [("leaflet_css", "/vendor/leaflet/leaflet.css")]
    for layer, grp in g.groupby("layer"):
        folium.GeoJson(grp[["geoid", "name", "geometry"]], name=layer,
                       tooltip=folium.GeoJsonTooltip(["name"])).add_to(m)
    return m.get_root().render()


def render_explore() -> str:
    """(c) explore() on the same jurisdictions, unsimplified."""
    g = drawn_geometry()
    m = g[["geoid", "name", "layer", "geometry"]].explore(column="layer", tiles=None)
    m.default_js, m.default_css = [("leaflet", "/vendor/leaflet/leaflet.js")], [("leaflet_css", "/vendor/leaflet/leaflet.css")]
    return m.get_root().render()


def timed(fn, runs: int):
    times, out = [], None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


# ---------------------------------------------------------------------------- tiles per screen
def tile_bytes_per_screen() -> list[tuple[str, int, int]]:
    """(view, tile count, bytes) a 1400 x 900 view fetches from the archive at that zoom."""
    from pmtiles.reader import MmapSource, Reader

    from sanctuary_map.publish import _merc, _visible

    out = []
    for z, lon, lat in SCREENS:
        total, count = 0, 0
        box = _visible(lon, _merc(lat), z, *VIEW)
        dz = min(z - tiles.LEVEL_DIFF, tiles.MAX_ZOOM)
        with open(active_dir(paths.GEODATA_DIR) / tiles.TILE_DIR / tiles.ARCHIVE, "rb") as fh:
            reader = Reader(MmapSource(fh))
            x0, y0, x1, y1 = tiles.tile_range(box, dz)
            for x in range(x0, x1 + 1):
                for y in range(y0, y1 + 1):
                    t = reader.get(dz, x, y)
                    if t:
                        total += len(t)
                        count += 1
        out.append((f"z{z} @ {lon:.2f},{lat:.2f}", count, total))
    return out


# ---------------------------------------------------------------------------- browser: first polygon
class _Quiet(http.server.SimpleHTTPRequestHandler):
    """A static server that answers HTTP Range requests (PMTiles readers need them, as Streamlit provides)."""

    def log_message(self, *a):
        pass

    def send_head(self):
        rng = self.headers.get("Range", "")
        path = Path(self.translate_path(self.path))
        if not rng.startswith("bytes=") or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        start_s, _, end_s = rng[6:].partition("-")
        start, end = int(start_s or 0), min(int(end_s or size - 1), size - 1)
        fh = path.open("rb")
        fh.seek(start)
        self.send_response(206)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        import io

        data = fh.read(end - start + 1)
        fh.close()
        return io.BytesIO(data)


def first_polygon_seconds(runs: int) -> dict[str, float]:
    """Navigation start to the first policy polygon drawn, cold cache, by the page's own clock.

    (a) waits for the first policy polygon painted from its tiles (window.SanctuaryMap.firstPolicyPaint); (b) and (c) for
    a drawn SVG path.  Each page is the
    standalone render served from a local folder with the self-hosted assets (so (a) fetches its
    archives over HTTP range requests like the app).
    """
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="sm-bench-"))
    shutil.copytree(paths.STATIC_DIR, tmp / "app" / "static", dirs_exist_ok=True)
    shutil.copytree(paths.VENDOR_DIR, tmp / "vendor", dirs_exist_ok=True)
    pub_dir = Path(tempfile.gettempdir()) / "sm-bench-static" / "generated"
    shutil.copytree(pub_dir, tmp / "app" / "static" / "generated", dirs_exist_ok=True)
    from sanctuary_map.publish import publish_details

    details = publish_details(data(), tmp / "app" / "static")
    (tmp / "a.html").write_text(render_tiles().replace("/app/static/generated/details.json", details))
    (tmp / "b.html").write_text(render_geojson())
    (tmp / "c.html").write_text(render_explore())
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    conditions = {"a": "window.SanctuaryMap && window.SanctuaryMap.firstPolicyPaint !== undefined",
                  "b": "[...document.querySelectorAll('path.leaflet-interactive')].some(p => (p.getAttribute('d')||'').length > 20)"}
    conditions["c"] = conditions["b"]

    def go():
        res = {}
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for key, cond in conditions.items():
                times = []
                for _ in range(runs):
                    ctx = b.new_context(viewport={"width": VIEW[0], "height": VIEW[1]})
                    page = ctx.new_page()
                    page.goto(f"{base}/{key}.html", wait_until="commit")
                    stamp = page.wait_for_function(f"() => ({cond}) && performance.now()", timeout=120_000, polling="raf")
                    times.append(stamp.json_value() / 1000)
                    ctx.close()
                res[key] = statistics.median(times)
            b.close()
        return res

    try:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(go).result()
    finally:
        httpd.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------- server reruns (AppTest)
def rerun_seconds(runs: int) -> dict[str, float]:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    out = {}
    stances = [["requires_cooperation"], ["limits_cooperation"], []]
    times = []
    for i in range(runs):
        t = time.perf_counter()
        at.sidebar.multiselect(key="f_stances").set_value(stances[i % 3]).run()
        times.append(time.perf_counter() - t)
    out["filter change (direction)"] = statistics.median(times)
    import datetime as dt

    days = [dt.date(2016, 1, 1), dt.date(2019, 6, 30), dt.date(2022, 1, 1), dt.date(2025, 2, 1)]
    times = []
    for i in range(runs):
        t = time.perf_counter()
        at.sidebar.date_input(key="f_as_of").set_value(days[i % len(days)]).run()
        times.append(time.perf_counter() - t)
    out["as-of date change"] = statistics.median(times)
    return out


def agreements_payload() -> tuple[int, int]:
    """(agreements in force today, bytes of one render with the 287(g) layer on)."""
    from sanctuary_map.agreements import active_on
    from sanctuary_map.view import View

    d = data()
    n = len(active_on(d.agreements, View().as_of_date())) if d.agreements is not None else 0
    return n, len(render_tiles(View()).encode())


# ---------------------------------------------------------------------------- build
def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (from /proc)."""
    total = 0
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS"):
                    total += int(line.split()[1])
        except OSError:
            pass
        stack.extend(children.get(p, []))
    return total / 1024


def build_figures(source: str) -> dict:
    out = Path(tempfile.mkdtemp(prefix="sm-build-"))
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "sanctuary_map", "geodata", "build", "--source", source, "--out", str(out)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, tree_rss_mb(proc.pid))
        time.sleep(0.1)
    seconds = time.perf_counter() - t
    manifest = json.loads((active_dir(out) / "manifest.json").read_text())
    shutil.rmtree(out, ignore_errors=True)
    return {"seconds": seconds, "peak_mb": peak, "manifest": manifest}


# National counts for the projection (Census 2020-vintage files, from the Census Bureau's own totals):
NATION = {"state": 56, "county": 3234, "place": 32_000, "unsd": 10_900, "elsd": 1_900, "scsd": 480}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--source", default=str(paths.DEV_CENSUS_MIRROR))
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--skip-browser", action="store_true")
    args = ap.parse_args()

    print("## Bytes per render (the map's HTML; tiles, details and outlines are static files fetched once)\n")
    rows = []
    for label, fn in (("(a) vector tiles + lookups", render_tiles), ("(b) GeoJSON in every render", render_geojson),
                      ("(c) GeoDataFrame.explore()", render_explore)):
        secs, html = timed(fn, max(1, args.runs // 2))
        rows.append((label, len(html.encode()), secs))
    base = rows[0][1]
    print("| approach | bytes per render | x (a) | server build+render (s) |\n|---|---:|---:|---:|")
    for label, size, secs in rows:
        print(f"| {label} | {size:,} | {size / base:.1f} | {secs:.3f} |")
    n_agree, size = agreements_payload()
    print(f"\nWith the 287(g) layer ({n_agree:,} agreements in force today) the render is {size:,} bytes: "
          "their counties are styled through the same lookup, not drawn as features.\n")

    print("## Tile bytes per 1400 x 900 screen view (all archives drawn at that zoom, as stored, gzip)\n")
    print("| view | tiles | bytes |\n|---|---:|---:|")
    for view, count, size in tile_bytes_per_screen():
        print(f"| {view} | {count} | {size:,} |")

    if not args.skip_browser:
        print("\n## First policy polygon after navigation (cold cache, page's own clock, median of runs)\n")
        res = first_polygon_seconds(args.runs)
        print("| approach | seconds | x (a) |\n|---|---:|---:|")
        for key, label in (("a", "(a) vector tiles"), ("b", "(b) GeoJSON"), ("c", "(c) explore()")):
            print(f"| {label} | {res[key]:.2f} | {res[key] / res['a']:.1f} |")

    print("\n## Server time per rerun (AppTest, map page, median)\n")
    for label, secs in rerun_seconds(args.runs).items():
        print(f"* {label}: {secs:.3f} s")

    if not args.skip_build:
        print("\n## Full build of the boundary index\n")
        b = build_figures(args.source)
        m = b["manifest"]
        print(f"* {m['index']['rows']:,} boundaries from {sum(len(v['files']) for v in m['layers'].values())} files: "
              f"{b['seconds']:.1f} s wall, peak memory {b['peak_mb']:.0f} MB (whole process tree, tile workers included)")
        print("\n| layer | features here | archive here | bytes per feature | nation (features) | projected archive |")
        print("|---|---:|---:|---:|---:|---:|")
        total_here, total_nation = 0, 0
        for layer, info in m["tiles"]["layers"].items():
            feats = m["layers"][layer]["features"]
            per = info["bytes"] / max(1, feats)
            proj = per * NATION[layer]
            total_here += info["bytes"]
            total_nation += proj
            print(f"| {layer} | {feats:,} | {info['bytes'] / 1e6:.1f} MB | {per:,.0f} | {NATION[layer]:,} | {proj / 1e6:.0f} MB |")
        print(f"| all (layers cut apart) | | {total_here / 1e6:.1f} MB | | | {total_nation / 1e6:.0f} MB |")
        print(f"| **the joined archive** | | {m['tiles']['bytes'] / 1e6:.1f} MB | | | |")


if __name__ == "__main__":
    main()
