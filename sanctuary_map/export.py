"""Snapshots and downloads for a (data, view): PNG, SVG, PDF, standalone HTML, CSV, GeoJSON.

One code path serves the Map page and ``python -m sanctuary_map export``.

* **PNG**: Chromium renders the standalone HTML (the same map as the page) without any map
  controls, with a title, a subtitle, a legend of only what is visible, a scale bar and a
  credit line (sources, as-of date, dataset version); presets set the size.  Metadata
  (view URL, as-of date, dataset version) go into iTXt chunks with Pillow.
* **SVG / PDF**: a vector drawing of the same jurisdictions (matplotlib, from the full
  geometry) for print layout, with the same title, legend and credit line.
* **Standalone HTML**: opens with no network: scripts inlined, and only the vector tiles
  of the snapshot's extent embedded (see :mod:`sanctuary_map.publish`).
"""
from __future__ import annotations

import concurrent.futures
import functools
import html
import io
import ipaddress
import json
import math
import urllib.parse
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

import pandas as pd

from . import i18n, publish
from .data import MapData
from .filters import describe
from .i18n import N_, _, ngettext
from .join import rows_for
from .mapping import CODE_COLOUR, CODE_LABEL, CONUS_BOUNDS, Assets, build_map, distance_section, focus_bounds, focus_row
from .policies import COLUMNS
from .selection import select
from .settings import settings
from .view import View, parse_query
from .vocab import (
    BORDER_COLOUR,
    LAYER_LEVEL,
    STATE_NAMES,
    THEMES,
    ZONE_COLOUR,
    themed,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SOURCES = N_("Instruments: Sanctuary Map policies table, every row citing its source. Boundaries: US Census Bureau. "
             "Border: Natural Earth (public domain).")


@dataclass(frozen=True)
class Preset:
    name: str
    width: int
    height: int
    scale: float = 1.0
    label: str = ""


PRESETS = {
    "article": Preset("article", 1600, 1000, 1.0, N_("Article (1600 × 1000)")),
    "social": Preset("social", 1200, 630, 1.0, N_("Social card (1200 × 630)")),
    "square": Preset("square", 1080, 1080, 1.0, N_("Square (1080 × 1080)")),
    "story": Preset("story", 1080, 1920, 1.0, N_("Story (1080 × 1920)")),
    "print": Preset("print", 1600, 1000, 3.0, N_("Print (4800 × 3000: 16 × 10 in at 300 dpi)")),
}  # labels translated where shown: _(PRESETS[k].label)
PRINT_DPI = 300


class ExportError(Exception):
    pass


def in_view_language(fn):
    """Runs ``fn(data, view, ...)`` in the view's language (``view.lang``; '' = the language already active): a
    snapshot's title, legend, subtitle, credit and alt text are in the language of the view it was asked for."""
    @functools.wraps(fn)
    def wrapper(data, view, *args, **kwargs):
        with i18n.using(view.lang or i18n.current()):
            return fn(data, view, *args, **kwargs)
    return wrapper


# ---------------------------------------------------------------------------- words and links
def is_public(url: str) -> bool:
    """A URL someone else can open: not localhost, not a private or loopback address."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if not host or host == "localhost" or host.endswith((".local", ".internal", ".localhost")):
        return False
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return "." in host
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified)


def site(base: str | None = None) -> str:
    """The address links are made on: ``base`` (the address the visitor used), else the configured public URL, else
    the local server."""
    return base or settings().public_url or "http://localhost:8501/"


def share_url(view: View, base: str | None = None) -> str:
    """The view's address on ``base`` (the address the visitor used), else the configured public URL."""
    base = site(base).split("?", 1)[0]
    query = urllib.parse.urlencode(view.to_query(), doseq=True)
    return base + ("?" + query if query else "")


def embed_snippet(data: MapData, view: View, embed_src: str, base: str | None, *, alt: str | None = None) -> str:
    """HTML for an article: a responsive frame (follows the host page's width, 5:4, at least 480 px tall) titled with
    the view, and a ``<noscript>`` fallback for readers without scripts: the view's snapshot image (the same picture
    as ``export --format png``, served by ``api/v1/snapshot.png``) with the description as its alt text, linking to
    the map."""
    from .url_builder import Urls

    url = html.escape(embed_src, quote=True)
    title = html.escape(_("Sanctuary Map: {title}").format(title=default_title(data, view)), quote=True)
    link = html.escape(share_url(view, base), quote=True)
    image = html.escape(Urls(site(base)).snapshot(view), quote=True)
    alt = html.escape(alt_text(data, view) if alt is None else alt, quote=True)
    return ('<div style="position:relative;width:100%;aspect-ratio:5/4;min-height:480px;max-height:90vh">'
            f'<iframe src="{url}" title="{title}" loading="lazy" '
            'style="position:absolute;inset:0;width:100%;height:100%;border:0"></iframe>'
            f'<noscript><a href="{link}"><img src="{image}" alt="{alt}" width="1600" height="1000" '
            'style="width:100%;height:auto"></a></noscript></div>')


def place_name(data: MapData, view: View) -> str:
    """'Boston, Massachusetts' for a focused view; '' for the whole country."""
    row = focus_row(data, view.focus or "")
    if row is None:
        return ""
    layer, geoid = (view.focus or "").split(":", 1)
    mine = rows_for(data.policies, layer, geoid)
    name = mine["jurisdiction_name"].iloc[0] if len(mine) else str(row.get("name_full") or row["name"])
    state = STATE_NAMES.get(str(row["state"]), str(row["state"]))
    return name if layer == "state" else f"{name}, {state}"


@in_view_language
def default_title(data: MapData, view: View) -> str:
    """The snapshot's title: the place when the view is focused."""
    place = place_name(data, view)
    if place:
        return _("{place}: immigration-enforcement cooperation policy").format(place=place)
    return _("Sanctuary Map: immigration-enforcement cooperation policy")


def _frame_keys(data: MapData, view: View) -> pd.MultiIndex | None:
    """(layer, GEOID) of the boundaries whose centre lies in the snapshot's extent; None: no limit (the whole
    country, or no boundary index)."""
    if data.boundaries is None or not view.focus or view.focus == "none":
        return None
    (s, w), (n, e) = snapshot_bounds(data, view)
    idx = data.boundaries.index
    inside = idx[(idx["lat"] >= s) & (idx["lat"] <= n) & (idx["lon"] >= w) & (idx["lon"] <= e)]
    return pd.MultiIndex.from_arrays([inside["layer"], inside["geoid"]])


def _in_frame(frame: pd.DataFrame, keys: pd.MultiIndex | None) -> pd.DataFrame:
    """The rows of ``frame`` (with geoid_layer, geoid) among ``keys`` (see :func:`_frame_keys`)."""
    if keys is None or not len(frame):
        return frame
    return frame[pd.MultiIndex.from_arrays([frame["geoid_layer"], frame["geoid"]]).isin(keys)]


def frame_extent(data: MapData, view: View, width: int = 1200, height: int = 800) -> tuple[float, float, float, float]:
    """(west, south, east, north) the snapshot shows: Leaflet's ``fitBounds`` (20 px padding, whole zooms) of the
    focus bounds on a ``width`` x ``height`` map, in Web Mercator."""
    (s, w), (n, e) = snapshot_bounds(data, view)

    def y(lat: float) -> float:
        lat = max(-85.0, min(85.0, lat))
        return (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2

    def lat_of(yy: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * yy))))

    bw, bh = max((e - w) / 360, 1e-9), max(y(s) - y(n), 1e-9)
    zoom = math.floor(math.log2(max(1e-9, min((width - 40) / (256 * bw), (height - 40) / (256 * bh)))))
    zoom = max(0, min(18, zoom))
    world = 256 * 2 ** zoom
    cx, cy = ((w + e) / 2 + 180) / 360, (y(s) + y(n)) / 2
    hx, hy = width / 2 / world, height / 2 / world
    return (cx - hx) * 360 - 180, lat_of(cy + hy), (cx + hx) * 360 - 180, lat_of(cy - hy)


LABEL_PLACES = 10  # the largest places in a local frame that get a name (fewer if they collide)


def frame_labels(data: MapData, view: View, width: int = 1200, height: int = 800) -> list[list]:
    """Place names from the project's own boundary index, for snapshots (no basemap needed, offline):
    ``[lat, lon, name, kind]`` in the order they are placed — the focused jurisdiction, then state names on
    national or regional frames, or the largest cities and towns in a local frame.  The browser drops any that would
    collide with one already placed."""
    b = data.boundaries
    if b is None or b.index.empty:
        return []
    west, south, east, north = frame_extent(data, view, width, height)
    idx = b.index
    inside = idx[(idx["lon"] > west) & (idx["lon"] < east) & (idx["lat"] > south) & (idx["lat"] < north)]
    out: list[list] = []
    focus = view.focus if view.focus and view.focus != "none" else ""
    if focus:
        layer, geoid = focus.split(":", 1)
        row = b.lookup(layer, geoid)
        if row is not None:
            out.append([round(float(row["lat"]), 5), round(float(row["lon"]), 5), str(row["name"]), "focus"])
    if east - west > 12:  # a national or regional frame: state names
        rows = inside[inside["layer"] == "state"].sort_values("area_km2", ascending=False)
        kind = "state"
    else:
        rows = inside[inside["layer"] == "place"].sort_values("area_km2", ascending=False).head(LABEL_PLACES * 2)
        kind = "place"
    for key, lat, lon, name in zip(rows["layer"] + ":" + rows["geoid"], rows["lat"], rows["lon"], rows["name"]):
        if key != focus:
            out.append([round(float(lat), 5), round(float(lon), 5), str(name), kind])
    return out


@in_view_language
def frame_legend(data: MapData, view: View, width: int = 1200, height: int = 800,
                 extent: tuple[float, float, float, float] | None = None) -> list:
    """The legend of what is in the frame: the view's selection narrowed to the boundaries whose extent meets the
    snapshot's visible extent (and the border and zone lines only where they cross it)."""
    from shapely.geometry import box

    from .selection import Lookups, legend_sections

    sel = select(data, view)
    if data.boundaries is None:
        return [(s, e) for s, e in sel.legend if e]
    west, south, east, north = extent or frame_extent(data, view, width, height)
    idx = data.boundaries.index
    meets = idx[(idx["minx"] <= east) & (idx["maxx"] >= west) & (idx["miny"] <= north) & (idx["maxy"] >= south)]
    keys = set(zip(meets["layer"], meets["geoid"]))

    def narrow(lookup: dict) -> dict:
        return {layer: {g: v for g, v in codes.items() if (layer, g) in keys} for layer, codes in lookup.items()
                if any((layer, g) in keys for g in codes)}

    lk = sel.lookups
    inside = Lookups(narrow(lk.lookup), lk.shown, {g: c for g, c in lk.coverage.items() if ("county", g) in keys}, [])
    ag, fed, res = narrow(sel.agreement_lookup), narrow(sel.federal_lookup), narrow(sel.researched_lookup)
    frame = box(west, south, east, north)
    shown = set(sel.layers_shown)
    b = data.boundaries
    if b.border is not None and "border" in shown and not b.border.intersects(frame).any():
        shown.discard("border")
    for key, layer in (("zone_mexico", "zone"), ("zone_all", "zone_all")):
        zone = b.zones.get(key)
        if zone is not None and layer in shown and not zone.boundary.intersects(frame).any():
            shown.discard(layer)
    sections = legend_sections(data, inside, frozenset(shown), bool(ag), bool(fed), bool(res), ag)
    sections += distance_section(focus_row(data, view.focus or ""), shown)  # the focus's line to the border
    return [(s, e) for s, e in sections if e]


# How many jurisdictions in the frame take each direction (alt text); {n} is the count.
ALT_COUNTS = (("limits_cooperation", N_("{n} that limit cooperation")), ("requires_cooperation", N_("{n} that require it")),
              ("mixed", N_("{n} that do both")))


@in_view_language
def alt_text(data: MapData, view: View) -> str:
    """A text alternative for a snapshot: what is shown, where, when and how many (PNG Description, page alt text)."""
    sel = select(data, view)
    place = place_name(data, view)
    keys, cols = _frame_keys(data, view), ["geoid_layer", "geoid"]  # only the columns counted: the rows are wide
    shown = _in_frame(sel.mapped[[*cols, "stance"]], keys).drop_duplicates(cols)
    counts = shown["stance"].value_counts().to_dict() if len(shown) else {}
    parts = [_(w).format(n=counts[s]) for s, w in ALT_COUNTS if counts.get(s)]
    n = len(shown)
    where = _("Map of {place} and its surroundings").format(place=place) if place else _("Map of the United States")
    text = ngettext("{map} as of {day}: {n} jurisdiction in the frame with instruments on cooperation with federal "
                    "immigration enforcement in force{counts}.",
                    "{map} as of {day}: {n} jurisdictions in the frame with instruments on cooperation with federal "
                    "immigration enforcement in force{counts}.", n).format(
        map=where, day=i18n.day(view.as_of_date()), n=n, counts=f" ({', '.join(parts)})" if parts else "")
    agreements = _in_frame(sel.agreements_drawn[cols], keys)
    if len(agreements):
        text += " " + _("{n} 287(g) agreements in force are outlined.").format(n=len(agreements))
    listings = _in_frame(sel.listings_drawn[cols], keys)
    if len(listings):
        k = len(listings)
        text += " " + ngettext("{n} place on a federal \u201csanctuary\u201d list is hatched.",
                               "{n} places on a federal \u201csanctuary\u201d list are hatched.", k).format(n=k)
    # The subtitle's 'Instruments, in force on …' reads 'instruments in force on …' inside the sentence.
    shown_words = sel.subtitle.replace(_("Instruments, in force"), _("instruments in force"))
    text += " " + _("Shown: {shown}. Sources: Sanctuary Map policies table; boundaries: US Census Bureau.").format(
        shown=shown_words)
    return text


@in_view_language
def credit_line(data: MapData, view: View, url: str | None = None) -> str:
    bits = [_(SOURCES), _("Data as of {day}").format(day=i18n.day(view.as_of_date())),
            _("dataset version {version}").format(version=data.version)]
    if url and is_public(url):
        bits.append(url)
    return " · ".join(bits)


# ---------------------------------------------------------------------------- data downloads
def _neutralise(value):
    """CSV formula injection: a cell starting with = + - @ is prefixed with ' so spreadsheets show it as text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> bytes:
    """Any table as CSV with spreadsheet formulas neutralised (every CSV download goes through here)."""
    return frame.map(_neutralise).to_csv(index=False).encode("utf-8")


def policies_csv(data: MapData, view: View) -> bytes:
    """The view's policies (with or without a boundary) as CSV, formula-safe."""
    rows = select(data, view).policies
    return safe_csv(rows[[c for c in COLUMNS if c in rows.columns]])


def agreements_csv(data: MapData, view: View) -> bytes:
    """The 287(g) agreements this view shows, formula-safe."""
    return safe_csv(select(data, view).agreements)


def listings_csv(data: MapData, view: View) -> bytes:
    """The federal listings in effect on the view's date, formula-safe."""
    from .designations import COLUMNS as LISTING_COLUMNS

    rows = select(data, view).listings
    return safe_csv(rows[[c for c in LISTING_COLUMNS if c in rows.columns]] if len(rows) else rows)


def boundaries_geojson(data: MapData, view: View, tolerance: float = 0.0005) -> bytes:
    """Every jurisdiction this view draws — with an instrument, and (when those layers are shown) a 287(g)
    agreement or a federal listing — full geometry lightly simplified, as GeoJSON (WGS84)."""
    import geopandas as gpd

    sel = select(data, view)
    shown, agreements, listings = sel.mapped, sel.agreements_drawn, sel.listings_drawn
    keys: dict[tuple[str, str], str] = {}
    for frame, name_col in ((shown, "jurisdiction_name"), (agreements, "geoid_name"), (listings, "name_as_published")):
        if len(frame):
            for layer, geoid, name in zip(frame["geoid_layer"], frame["geoid"], frame[name_col]):
                if geoid:
                    keys.setdefault((layer, geoid), name)
    feats = []
    for (layer, geoid), name in keys.items():
        geom = data.boundaries.geometry(layer, geoid) if data.boundaries is not None else None
        if geom is None:
            continue
        mine = rows_for(shown, layer, geoid)
        ags = rows_for(agreements, layer, geoid) if len(agreements) else agreements
        lst = rows_for(listings, layer, geoid) if len(listings) else listings
        feats.append({"jurisdiction": name, "level": LAYER_LEVEL[layer], "layer": layer, "geoid": geoid,
                      "stances": "; ".join(sorted(set(mine["stance"]))),
                      "instruments": "; ".join(f"{r.title} ({r.date_adopted})" for r in mine.itertuples()),
                      "source_urls": " ".join(mine["source_url"]),
                      "agreements_287g": "; ".join(f"{r.agency}: {r.model} (signed {r.signed_date or 'date not given'})"
                                                   for r in ags.itertuples()) if len(ags) else "",
                      "federal_listings": "; ".join(f"{r.list}: {r.name_as_published}" for r in lst.itertuples()) if len(lst) else "",
                      "geometry": geom.simplify(tolerance)})
    gdf = gpd.GeoDataFrame(feats, geometry="geometry", crs="EPSG:4326") if feats else gpd.GeoDataFrame(
        {"geometry": []}, geometry="geometry", crs="EPSG:4326")
    out = json.loads(gdf.to_json(drop_id=True))
    out.update(name="sanctuary_map", share_url=share_url(view), as_of=view.as_of_date(), dataset_version=data.version)
    return json.dumps(out).encode("utf-8")


# ---------------------------------------------------------------------------- standalone HTML
def snapshot_bounds(data: MapData, view: View) -> list[list[float]]:
    row = focus_row(data, view.focus or "")
    return focus_bounds(row) if row is not None else CONUS_BOUNDS


def _header(title: str, subtitle: str, credit: str) -> str:
    e = html.escape
    return (f'<div class="sm-export-head"><div class="sm-export-title">{e(title)}</div>'
            f'<div class="sm-export-sub">{e(subtitle)}</div></div>'
            f'<div class="sm-export-credit">{e(credit)}</div>')


@in_view_language
def standalone_html(data: MapData, view: View, *, title: str = "Sanctuary Map", subtitle: str | None = None,
                    width: int = 1200, height: int = 800, controls: bool = True, base_url: str | None = None,
                    panel: bool = False, theme: str = "light") -> str:
    """A single HTML file that opens without any network: assets and the extent's tiles inlined.  ``theme``
    ("light" or "dark") colours the page and the map furniture."""
    from branca.element import Element, Figure

    url = share_url(view, base_url)
    published, _summary = publish.inline(data, snapshot_bounds(data, view), width, height)
    try:
        assets, scripts = Assets.inline(), Assets.inline_scripts()
    except FileNotFoundError as exc:
        raise ExportError(str(exc)) from exc
    if theme not in THEMES:
        raise ExportError(f"theme must be one of {', '.join(THEMES)}, not {theme!r}")
    m = build_map(data, view, published, assets=assets, height="100%", animate=False, controls=controls, theme=theme)
    if not controls:  # a snapshot: the legend lists only what is in its frame
        from .mapping import Legend, themed_legend

        for child in list(m._children.values()):
            if isinstance(child, Legend):
                fresh = Legend(child.title, themed_legend(frame_legend(data, view, width, height), theme))
                child.sections = fresh.sections
                child.title = html.escape(_("In this map") if fresh.sections else _("Nothing in this frame matches"))
    root = cast(Figure, m.get_root())
    for i, script in enumerate(scripts):  # before the map's own header entries (added when it renders)
        root.header.add_child(Element(script), name=f"sm_inline_script_{i}")
    if controls:  # an offline page holds the tiles of its own zoom: zooming in over-zooms them, zooming out has none
        root.script.add_child(Element(f"SanctuaryMap.whenTilesDrawn(function () {{ {m.get_name()}.setMinZoom("
                                      f"{m.get_name()}.getZoom()); }});"))
    if not controls:  # a snapshot: names from the boundary index, placed without collisions
        labels = json.dumps(frame_labels(data, view, width, height)).replace("</", "<\\/")
        # Placed once the tiles have drawn (the map exists by then), in the same tick that says the map is ready.
        root.script.add_child(Element(f"SanctuaryMap.whenTilesDrawn(function () {{ SanctuaryMap.labels({m.get_name()}, "
                                      f"{labels}); }});"))
    root.header.add_child(Element(f'<meta name="sanctuary-map:view" content="{html.escape(url)}">'))
    root.header.add_child(Element(f'<meta name="sanctuary-map:as-of" content="{html.escape(view.as_of_date())}">'))
    root.header.add_child(Element(f'<meta name="sanctuary-map:dataset-version" content="{html.escape(data.version)}">'))
    root.header.add_child(Element(f"<title>{html.escape(title)}</title>"))
    root.header.add_child(Element('<meta name="viewport" content="width=device-width, initial-scale=1">'))
    if panel:  # one panel of small multiples: its date only; the sheet has the one legend, title and credit
        root.html.add_child(Element(f'<div class="sm-export-head sm-panel-head"><div class="sm-export-title">'
                                    f'{html.escape(title)}</div></div>'))
    else:
        root.html.add_child(Element(_header(title, subtitle if subtitle is not None else describe(view),
                                            credit_line(data, view, url))))
    if not controls:  # a snapshot: no zoom buttons, so the title block takes the left edge
        classes = ["sm-snapshot"] + (["sm-panel"] if panel else ["sm-wide"] if width > height * 1.2 else [])
        classes += ["sm-dark"] if theme == "dark" else []
        root.html.add_child(Element(f"<script>document.body.classList.add({', '.join(json.dumps(c) for c in classes)});"
                                    "</script>"))
    page = root.render()
    if i18n.current() != i18n.SOURCE:  # the page's language, for screen readers and hyphenation (English: unchanged)
        page = page.replace("<html>", f'<html lang="{i18n.current()}">', 1)
    return page


# ---------------------------------------------------------------------------- PNG
def png_metadata(png: bytes, items: dict[str, str], dpi: int | None = None) -> bytes:
    """Re-save the PNG with UTF-8 text chunks (iTXt) for each item (Pillow's PngInfo)."""
    from PIL import Image, PngImagePlugin

    img = Image.open(io.BytesIO(png))
    info = PngImagePlugin.PngInfo()
    for key, value in items.items():
        info.add_itxt(key, value)
    out = io.BytesIO()
    img.save(out, format="PNG", pnginfo=info, dpi=(dpi, dpi)) if dpi else img.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def png_text(png: bytes) -> dict[str, str]:
    """The text chunks of a PNG (for tests and users checking a snapshot's view URL)."""
    from PIL import Image

    img = Image.open(io.BytesIO(png))
    img.load()
    return {k: str(v) for k, v in getattr(img, "text", {}).items()}


def _chromium_shot(page_html: str, width: int, height: int, scale: float, pdf: bool = False) -> bytes:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=scale)
            page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(("data:", "about:", "blob:"))
                       else route.continue_())
            page.set_content(page_html, wait_until="load")
            page.wait_for_function("() => window.SanctuaryMap && window.SanctuaryMap.tilesReady === true", timeout=30000)
            page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim')", timeout=15000)
            if pdf:
                return page.pdf(width=f"{width}px", height=f"{height}px", print_background=True)
            return page.screenshot(type="png")
        finally:
            browser.close()


@in_view_language
def snapshot_png(data: MapData, view: View, *, preset: str = "article", width: int | None = None, height: int | None = None,
                 title: str = "Sanctuary Map", subtitle: str | None = None, base_url: str | None = None,
                 fallback: bool = False, theme: str = "light") -> tuple[bytes, str]:
    """(PNG bytes, renderer).  Chromium renders the map without controls.  If it fails, that is an
    :class:`ExportError` unless ``fallback`` asks for a static matplotlib rendering, which then says so on
    the image and in the PNG's metadata (``sanctuary-map:renderer``)."""
    p = PRESETS.get(preset, PRESETS["article"])
    w, h = width or p.width, height or p.height
    page_html = standalone_html(data, view, title=title, subtitle=subtitle, width=w, height=h, controls=False,
                                base_url=base_url, theme=theme)
    renderer = "chromium"
    try:
        if not Path(CHROMIUM).exists():
            raise FileNotFoundError(CHROMIUM)
        # Playwright's sync API must not run on a thread with an asyncio loop (Streamlit's may have one).
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            png = pool.submit(_chromium_shot, page_html, w, h, p.scale).result(timeout=90)
    except Exception as exc:
        reason = f"{exc.__class__.__name__}: {str(exc)[:200]}"
        if not fallback:
            raise ExportError(f"Chromium could not render the snapshot ({reason}). Install it with `make browser-deps`, "
                              "or ask for the static rendering (--fallback).") from exc
        renderer = f"matplotlib (fallback: Chromium failed with {exc.__class__.__name__})"
        theme = "light"  # the static rendering is drawn on white
        png = vector_snapshot(data, view, "png", width=w, height=h, title=title, subtitle=subtitle,
                              note=_("Static rendering (no browser available: {error}).").format(error=exc.__class__.__name__))
    meta = {"sanctuary-map:view": share_url(view, base_url), "sanctuary-map:as-of": view.as_of_date(),
            "sanctuary-map:dataset-version": data.version, "sanctuary-map:renderer": renderer,
            "sanctuary-map:theme": theme, "Title": title, "Description": alt_text(data, view),
            "sanctuary-map:legend": json.dumps([label for _s, e in frame_legend(data, view, w, h) for label, _c, _k in e])}
    return png_metadata(png, meta, dpi=PRINT_DPI if preset == "print" else None), renderer


@in_view_language
def small_multiples(data: MapData, view: View, dates: list[str], *, preset: str = "article", title: str = "Sanctuary Map",
                    base_url: str | None = None, theme: str = "light") -> bytes:
    """One image of the same view at several dates side by side, each panel labelled with its date only; the sheet
    has one title, one legend (what is in any panel's frame) and one credit line."""
    from PIL import Image, ImageDraw, ImageFont

    p = PRESETS.get(preset, PRESETS["article"])
    head, foot = 60, 64
    cols = min(len(dates), 2 if len(dates) == 4 else len(dates))
    rows = -(-len(dates) // cols)
    pw, ph = p.width // cols, (p.height - head - foot) // rows
    panels: list = []
    legend: dict[str, tuple[str, str]] = {}
    for d in dates:
        v = replace(view, as_of=d)
        page_html = standalone_html(data, v, title=i18n.day(d), width=pw, height=ph, controls=False, base_url=base_url,
                                    panel=True, theme=theme)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            png = pool.submit(_chromium_shot, page_html, pw, ph, 1.0).result(timeout=90)
        panels.append(Image.open(io.BytesIO(png)).convert("RGB"))
        for _section, entries in frame_legend(data, v, pw, ph):
            for label, colour, kind in entries:
                legend.setdefault(label, (themed(colour, theme), kind))
    ink = THEMES[theme]
    text, soft = ink["text"], ink["softText"]
    sheet = Image.new("RGB", (pw * cols, ph * rows + head + foot), ink["page"])
    for i, img in enumerate(panels):
        sheet.paste(img.resize((pw, ph)), ((i % cols) * pw, head + (i // cols) * ph))
    draw = ImageDraw.Draw(sheet)
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    small: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 24)
        small = ImageFont.truetype("DejaVuSans.ttf", 13)
    except OSError:
        font = small = ImageFont.load_default()
    draw.text((14, 8), title, fill=text, font=font)
    draw.text((14, 38), _("{what}, in force on each date shown").format(what=_filters_words(replace(view, as_of=dates[-1]))),
              fill=soft, font=small)
    # The one legend: a row of swatches under the panels.
    x, y = 14, head + ph * rows + 8
    for label, (colour, kind) in legend.items():
        label = label.split(" (")[0]
        tw = int(draw.textlength(label, font=small))
        if x + 26 + tw > sheet.width - 14:
            x, y = 14, y + 18
        if kind in ("line", "dash", "outline", "outline-dash", "outline-dot"):
            draw.line((x, y + 8, x + 18, y + 8), fill=colour, width=3)
        elif kind == "hatch":
            draw.rectangle((x, y + 2, x + 18, y + 14), outline=ink["ink"])
            for k in range(0, 18, 5):
                draw.line((x + k, y + 14, x + min(18, k + 12), y + 2), fill=ink["ink"])
        else:
            draw.rectangle((x, y + 2, x + 18, y + 14), fill=colour, outline=colour)
        draw.text((x + 24, y + 1), label, fill=text, font=small)
        x += 24 + tw + 18
    credit = credit_line(data, replace(view, as_of=dates[-1]), share_url(view, base_url)).replace(
        _("Data as of {day}").format(day=i18n.day(dates[-1])), _("Data as of each panel's date"))
    draw.text((14, sheet.height - 20), credit[:220], fill=soft, font=ImageFont.truetype("DejaVuSans.ttf", 10)
              if isinstance(small, ImageFont.FreeTypeFont) else small)
    out = io.BytesIO()
    sheet.save(out, format="PNG")
    alt = (_("Small multiples: {title}, at {dates}.").format(title=title, dates=", ".join(i18n.day(d) for d in dates))
           + " " + alt_text(data, replace(view, as_of=dates[-1])))
    return png_metadata(out.getvalue(), {"sanctuary-map:view": share_url(view, base_url), "sanctuary-map:as-of": ",".join(dates),
                                         "sanctuary-map:dataset-version": data.version, "sanctuary-map:theme": theme,
                                         "Title": title, "Description": alt,
                                         "sanctuary-map:legend": json.dumps(list(legend))})


def _filters_words(view: View) -> str:
    """The subtitle without its 'in force on <day>' (small multiples show several days)."""
    full = describe(view)
    pre, _sep, post = _("{what}, in force on {day}").replace("{day}", i18n.day(view.as_of_date())).partition("{what}")
    if _sep and full.startswith(pre) and full.endswith(post):
        return full[len(pre):len(full) - len(post)]
    return full


# ---------------------------------------------------------------------------- SVG / PDF (vector)
def _scale_bar(ax, lat: float) -> None:
    """A plain scale bar in the lower right: a round number of km (and miles) about a fifth of the width."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_deg = 111.32 * max(0.05, math.cos(math.radians(lat)))
    target = (x1 - x0) * km_per_deg / 5
    km = min((m * 10 ** e for e in range(-1, 5) for m in (1, 2, 5)), key=lambda v: abs(v - target))
    length = km / km_per_deg
    x, y = x1 - (x1 - x0) * 0.03 - length, y0 + (y1 - y0) * 0.04
    ax.plot([x, x + length], [y, y], color="black", linewidth=2.5, solid_capstyle="butt")
    ax.text(x + length / 2, y + (y1 - y0) * 0.012, f"{km:g} km ({km / 1.609344:.3g} mi)", ha="center", va="bottom", fontsize=8)


@in_view_language
def vector_snapshot(data: MapData, view: View, fmt: str, *, width: int = 1600, height: int = 1000,
                    title: str = "Sanctuary Map", subtitle: str | None = None, note: str = "") -> bytes:
    """A vector drawing (svg/pdf, or png as a fallback) of the jurisdictions in force, for print layout."""
    import matplotlib

    matplotlib.use("Agg")
    import geopandas as gpd
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    dpi = 100
    fig = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    ax = fig.add_axes((0.01, 0.07, 0.98, 0.80))
    bounds = snapshot_bounds(data, view)
    (s, w), (n, e) = bounds
    pad = max(e - w, n - s) * 0.08 + 0.05
    sel = select(data, view)
    lk = sel.lookups
    handles: list = []  # legend handles: patches for fills, lines for outlines
    if data.boundaries is not None:
        states = data.boundaries.full("state")
        states.plot(ax=ax, color="#f4f4f1", edgecolor="#9a9a9a", linewidth=0.5)
        for layer in ("state", "county", "unsd", "elsd", "scsd", "place"):
            codes = lk.lookup.get(layer)
            if not codes or LAYER_LEVEL[layer] not in sel.layers_shown:
                continue
            gdf = data.boundaries.full(layer)
            gdf = gdf[gdf["geoid"].isin(codes)]
            if gdf.empty:
                continue
            colours = gdf["geoid"].map(lambda g: CODE_COLOUR[codes[g]])
            alpha = {"state": 0.2, "county": 0.35}.get(layer, 0.55)
            gpd.GeoSeries(gdf.geometry.values).plot(ax=ax, color=list(colours), alpha=alpha, edgecolor=list(colours),
                                                    linewidth=0.6, linestyle="--" if layer in ("unsd", "elsd", "scsd") else "-")
        for code in ("L", "R", "M"):
            if any(code in v.values() for v in lk.lookup.values()):
                handles.append(Patch(color=CODE_COLOUR[code], label=_(CODE_LABEL[code])))
        if data.boundaries.border is not None and "border" not in view.hidden:
            data.boundaries.border.plot(ax=ax, color=BORDER_COLOUR, linewidth=1.8)
            handles.append(Patch(color=BORDER_COLOUR, label=_("US\u2013Mexico land border")))
        zone = data.boundaries.zones.get("zone_mexico")
        if zone is not None and "zone" not in view.hidden:
            zone.boundary.plot(ax=ax, color=ZONE_COLOUR, linewidth=1.2, linestyle="--")
            handles.append(Line2D([0], [0], color=ZONE_COLOUR, linestyle="--",
                                  label=_("Within 100 miles of the Mexican land border")))
    ax.set_xlim(w - pad, e + pad)
    ax.set_ylim(s - pad, n + pad)
    ax.set_aspect(1 / max(0.2, math.cos(math.radians((s + n) / 2))))
    ax.set_axis_off()
    _scale_bar(ax, (s + n) / 2)
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=9, frameon=True)
    fig.text(0.01, 0.955, title, fontsize=20, fontweight="bold", va="top")
    fig.text(0.01, 0.905, subtitle if subtitle is not None else describe(view), fontsize=11, va="top", color="#333")
    fig.text(0.01, 0.01, credit_line(data, view) + (f"\n{note}" if note else ""), fontsize=7.5, va="bottom", color="#333", wrap=True)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


# ---------------------------------------------------------------------------- CLI
def as_of_dates(text: str) -> list[str]:
    """Every date of ``--as-of d1,d2,…`` validated like a link's; a bad one is an error naming it."""
    out = []
    for d in (x.strip() for x in (text or "").split(",")):
        if not d:
            continue
        view, notices = parse_query({"as_of": d})
        if notices or len(d) != 10:
            raise ExportError(f"--as-of {d!r}: " + (" ".join(notices) or "use a full date YYYY-MM-DD"))
        out.append(view.as_of_date())
    return out


def export_cli(args) -> int:
    import sys

    from .data import load_map_data
    from .policies import load_policies
    from .view import from_args

    table = load_policies(Path(args.policies))
    for p in table.problems:
        print(f"invalid row left out: {p}", file=sys.stderr)
    as_of_list = as_of_dates(args.as_of)
    args.as_of = as_of_list[-1] if as_of_list else ""
    view, notices = from_args(args)
    for n in notices:
        print(f"note: {n}", file=sys.stderr)
    out = Path(args.out)
    data = load_map_data(table, Path(args.geodata), data_dir=Path(args.data))
    for p in data.problems:
        print(f"invalid row left out: {p}", file=sys.stderr)
    if args.format == "csv":
        out.write_bytes(policies_csv(data, view))
        print(f"wrote {out} ({len(select(data, view).policies)} policies)", file=sys.stderr)
        return 0
    if data.boundaries is None:
        raise ExportError(data.boundary_error or "boundary data unavailable")
    title = args.title or default_title(data, view)
    preset = PRESETS[args.preset]
    width, height = args.width or preset.width, args.height or preset.height
    if args.format == "geojson":
        out.write_bytes(boundaries_geojson(data, view))
    elif args.format == "html":
        out.write_text(standalone_html(data, view, title=title, subtitle=args.subtitle, width=width, height=height,
                                       theme=args.theme), encoding="utf-8")
    elif args.format in ("svg", "pdf"):
        if args.theme != "light":
            raise ExportError("--theme dark is for png and html snapshots; svg and pdf are drawn for print, on white")
        out.write_bytes(vector_snapshot(data, view, args.format, width=width, height=height, title=title,
                                        subtitle=args.subtitle))
    elif len(as_of_list) > 1:
        out.write_bytes(small_multiples(data, view, as_of_list, preset=args.preset, title=title, theme=args.theme))
    else:
        png, renderer = snapshot_png(data, view, preset=args.preset, width=args.width, height=args.height, title=title,
                                     subtitle=args.subtitle, fallback=getattr(args, "fallback", False), theme=args.theme)
        out.write_bytes(png)
        print(f"rendered with {renderer}", file=sys.stderr)
    print(f"wrote {out}", file=sys.stderr)
    return 0
