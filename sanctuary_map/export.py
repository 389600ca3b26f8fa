"""Snapshots and data downloads for a (layers, policies, view): PNG, standalone HTML, CSV, GeoJSON.

One code path serves the Map page and ``python -m sanctuary_map export``.
"""
from __future__ import annotations

import base64
import concurrent.futures
import datetime as dt
import html
import io
import json
import os
import struct
import urllib.parse
import zlib
from pathlib import Path

import pandas as pd

from . import _paths
from .mapping import Assets, MapData, PALETTE, LEVEL_LABEL, build_map, features
from .policies import COLUMNS
from .view import View, apply

PUBLIC_URL_ENV = "SANCTUARY_MAP_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://localhost:8501/"
CREDITS = ("Boundaries: US Census Bureau cartographic boundary files. Border: Natural Earth (public domain). "
           "Policies: Sanctuary Map policies.csv, each row cites its source.")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ExportError(Exception):
    pass


def share_url(view: View, base: str | None = None) -> str:
    base = base or os.environ.get(PUBLIC_URL_ENV, DEFAULT_PUBLIC_URL)
    query = urllib.parse.urlencode(view.to_query(), doseq=True)
    return base + ("?" + query if query else "")


# ---------------------------------------------------------------------------- data
def _neutralise(value):
    """CSV formula injection: a cell starting with = + - @ is prefixed with ' so spreadsheets show it as text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> bytes:
    """Any table as CSV with spreadsheet formulas neutralised (every CSV download goes through here)."""
    return frame.map(_neutralise).to_csv(index=False).encode("utf-8")


def policies_csv(policies: pd.DataFrame, view: View) -> bytes:
    """The filtered policies (including those without a boundary) as CSV, formula-safe."""
    rows = apply(view, policies)
    return safe_csv(rows[[c for c in COLUMNS if c in rows.columns]])


def boundaries_geojson(data: MapData, view: View) -> bytes:
    """Joined boundaries drawn for this view, with their instruments, as GeoJSON (WGS84)."""
    per_level = features(data, view)
    feats = []
    for level, gdf in per_level.items():
        for rec in json.loads(gdf.to_json(drop_id=True))["features"]:
            p = rec["properties"]
            items = p.pop("items")
            p["jurisdiction_level"] = level
            p["instruments"] = "; ".join(f"{i['t']} ({i['d']})" for i in items)
            p["source_urls"] = " ".join(i["u"] for i in items if i["u"])
            rec["properties"] = p
            feats.append(rec)
    return json.dumps({"type": "FeatureCollection", "name": "sanctuary_map", "features": feats,
                       "share_url": share_url(view)}).encode("utf-8")


# ---------------------------------------------------------------------------- standalone HTML
def _data_uri(path: Path, mime: str) -> str:
    if not path.exists():
        raise ExportError(f"{path} is missing: install the front-end assets with `make assets`.")
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode()


def inline_assets() -> Assets:
    leaflet = _paths.VENDOR_DIR / "leaflet"
    topojson = _paths.VENDOR_DIR / "topojson-client" / "topojson-client.min.js"
    return Assets(js=(("leaflet", _data_uri(leaflet / "leaflet.js", "text/javascript")),
                      ("topojson", _data_uri(topojson, "text/javascript"))),
                  css=(("leaflet_css", _data_uri(leaflet / "leaflet.css", "text/css")),
                       ("sanctuary_css", _data_uri(_paths.STATIC_DIR / "map.css", "text/css"))))


def _header_block(view: View, title: str, data_date: str) -> str:
    e = html.escape
    return (f'<div class="sm-export-head" style="position:absolute;z-index:1000;top:10px;left:54px;right:260px;'
            f'background:rgba(255,255,255,.94);padding:6px 10px;border-radius:6px;font:12px/1.35 system-ui,sans-serif;'
            f'box-shadow:0 1px 4px rgba(0,0,0,.3)"><div style="font-size:16px;font-weight:700">{e(title)}</div>'
            f'<div>Filters: {e(view.describe())}</div><div>Data as of {e(data_date)} · {e(CREDITS)}</div>'
            f'<div>View: <a href="{e(share_url(view))}">{e(share_url(view))}</a></div></div>')


def standalone_html(data: MapData, view: View, *, title: str = "Sanctuary Map", data_date: str | None = None,
                    basemap: str = "none", height: int | str = "100%") -> str:
    """A single HTML file that opens without any network: assets inlined, same layers/tooltips/popups."""
    from branca.element import Element

    topo = data.layers.county_topology.read_text() if data.layers.county_topology else None
    m = build_map(data, view, basemap=basemap, assets=inline_assets(), height=height, animate=False,
                  county_topology=(None, topo))
    root = m.get_root()
    root.header.add_child(Element(f'<meta name="sanctuary-map:view" content="{html.escape(share_url(view))}">'))
    root.header.add_child(Element(f"<title>{html.escape(title)}</title>"))
    m.get_root().html.add_child(Element(_header_block(view, title, data_date or dt.date.today().isoformat())))
    return root.render()


# ---------------------------------------------------------------------------- PNG
def _png_with_text(png: bytes, key: str, value: str) -> bytes:
    """Insert an iTXt chunk (UTF-8) before IEND."""
    data = key.encode("latin-1") + b"\x00\x00\x00\x00\x00" + value.encode("utf-8")
    chunk = struct.pack(">I", len(data)) + b"iTXt" + data + struct.pack(">I", zlib.crc32(b"iTXt" + data) & 0xFFFFFFFF)
    i = png.rfind(b"IEND") - 4
    return png[:i] + chunk + png[i:]


def png_text(png: bytes) -> dict[str, str]:
    """Read iTXt/tEXt chunks (for tests and users checking a snapshot's view URL)."""
    out, pos = {}, 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind, body = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        if kind == b"iTXt":
            key, rest = body.split(b"\x00", 1)
            out[key.decode("latin-1")] = rest[4:].split(b"\x00", 1)[-1].decode("utf-8") if rest[4:5] != b"" else ""
        elif kind == b"tEXt":
            key, val = body.split(b"\x00", 1)
            out[key.decode("latin-1")] = val.decode("latin-1")
        pos += 12 + length
    return out


def _chromium_png(page_html: str, width: int, height: int) -> bytes:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(("data:", "about:")) else route.continue_())
            page.set_content(page_html, wait_until="load")
            page.wait_for_selector("path.leaflet-interactive", state="attached", timeout=15000)
            page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim')", timeout=15000)
            return page.screenshot(type="png")
        finally:
            browser.close()


def _static_png(data: MapData, view: View, width: int, height: int, title: str, note: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    dpi = 100
    fig, ax = plt.subplots(figsize=(width / dpi, height / dpi), dpi=dpi)
    per_level = features(data, view)
    bounds = None
    states = data.layers.web.get("state")
    handles = []
    for level, gdf in per_level.items():
        b = gdf.total_bounds
        bounds = b if bounds is None else [min(bounds[0], b[0]), min(bounds[1], b[1]), max(bounds[2], b[2]), max(bounds[3], b[3])]
    if bounds is None:
        bounds = [-124.8, 24.4, -66.9, 49.4]
    pad = max(bounds[2] - bounds[0], bounds[3] - bounds[1]) * 0.1 + 0.05
    if states is not None:
        states.plot(ax=ax, color="#f4f4f1", edgecolor="#9a9a9a", linewidth=0.5)
    for level, gdf in per_level.items():
        gdf.plot(ax=ax, color=PALETTE[level], alpha=0.55, edgecolor=PALETTE[level])
        handles.append(Patch(color=PALETTE[level], label=LEVEL_LABEL[level]))
    if data.layers.border is not None:
        data.layers.border.plot(ax=ax, color="#D55E00", linewidth=2)
    ax.set_xlim(bounds[0] - pad, bounds[2] + pad)
    ax.set_ylim(bounds[1] - pad, bounds[3] + pad)
    ax.set_axis_off()
    ax.legend(handles=handles, loc="lower left", title="Jurisdictions with a policy")
    fig.suptitle(title, fontsize=14, fontweight="bold")
    fig.text(0.01, 0.01, f"Filters: {view.describe()}\n{CREDITS}\n{note}", fontsize=7, va="bottom")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def snapshot_png(data: MapData, view: View, *, width: int = 1200, height: int = 800, title: str = "Sanctuary Map",
                 data_date: str | None = None) -> tuple[bytes, str]:
    """(PNG bytes, renderer).  Chromium renders the same map HTML; matplotlib is the fallback."""
    page_html = standalone_html(data, view, title=title, data_date=data_date, height=f"{height}px")
    renderer = "chromium"
    try:
        if not Path(CHROMIUM).exists():
            raise FileNotFoundError(CHROMIUM)
        # Playwright's sync API must not run on a thread with an asyncio loop (Streamlit's may have one).
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            png = pool.submit(_chromium_png, page_html, width, height).result(timeout=60)
    except Exception as exc:  # no browser here: a static rendering of the same layers, and say so
        renderer = "matplotlib"
        png = _static_png(data, view, width, height, title, f"Static rendering (no browser available: {exc.__class__.__name__}).")
    return _png_with_text(png, "sanctuary-map:view", share_url(view)), renderer


# ---------------------------------------------------------------------------- CLI
def export_cli(args) -> int:
    import sys

    from .geodata import GeodataError, load_layers
    from .join import join
    from .policies import load_policies
    from .view import from_args

    table = load_policies(Path(args.policies))
    for p in table.problems:
        print(f"invalid row left out: {p}", file=sys.stderr)
    view = from_args(args)
    out = Path(args.out)
    if args.format == "csv":
        out.write_bytes(policies_csv(table.rows, view))
        print(f"wrote {out} ({len(apply(view, table.rows))} policies)", file=sys.stderr)
        return 0
    try:
        layers = load_layers(Path(args.geodata))
    except GeodataError as exc:
        raise ExportError(str(exc)) from exc
    joined = join(table.rows, layers.web, {**layers.manifest, "_load_errors": layers.errors})
    data = MapData(layers, joined.matched)
    if args.format == "geojson":
        out.write_bytes(boundaries_geojson(data, view))
    elif args.format == "html":
        out.write_text(standalone_html(data, view, data_date=layers.manifest.get("built_at", "")[:10]), encoding="utf-8")
    else:
        png, renderer = snapshot_png(data, view, width=args.width, height=args.height,
                                     data_date=layers.manifest.get("built_at", "")[:10])
        out.write_bytes(png)
        print(f"rendered with {renderer}", file=sys.stderr)
    print(f"wrote {out}", file=sys.stderr)
    return 0
