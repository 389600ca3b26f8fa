"""The folium map for a (data, view).  No Streamlit here; JavaScript and templates live in files.

Every boundary is drawn from vector tiles (one PMTiles archive per Census layer, see
:mod:`sanctuary_map.tiles`).  What this module sends with each render is small: the
lookups that say which boundaries have an instrument under the current view and with what
stance, the county coverage, 287(g) and federal-list lookups, and the addresses of the
static files (tiles, instrument details, border and zones), which browsers fetch once.

Safety: every user-supplied string reaches the browser only as JSON data (``tojson``
escapes ``<``, ``>``, ``&`` and quotes); tooltips and popups are built with ``textContent``
in ``static/js/sanctuary-map.js``, and links are made only from http(s) URLs.
"""
from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, cast

import folium
import pandas as pd
from branca.element import Element, Figure, MacroElement, Template
from folium.map import CustomPane, Layer

from . import i18n, tiles
from . import settings as paths
from .data import MapData
from .distances import describe_distance, fixed
from .i18n import N_, _, ngettext
from .selection import CODE_COLOUR, CODE_LABEL, STANCE_CODE, select
from .view import View
from .vocab import (
    BORDER_COLOUR,
    FEDERAL_LIST_LABEL,
    FLAG_LABELS,
    FLAGS,
    INSTRUMENT_LABEL,
    LAYER_SINGULAR,
    MODEL_COLOUR,
    MODEL_DASH,
    MODEL_LABEL,
    RELATION_INVERSE,
    SEGMENT_COLOUR,
    STANCE_LABEL,
    STATUS_LABEL,
    THEMES,
    ZONE_ALL_COLOUR,
    ZONE_COLOUR,
    themed,
    word,
)

BASEMAP_TILES = paths.BASEMAP_TILES  # name -> (url, attribution) through xyzservices (settings.py)
CONUS_BOUNDS = [[24.4, -124.8], [49.4, -66.9]]
DEFAULT_FOCUS = "unsd:0622710"  # Los Angeles Unified: the story this map started from
SUMMARY_CHARS = 400
# Fill opacity, outline width and dash per layer: big areas light so cities and districts stay readable on top.
STYLES = {
    "state": {"fill": 0.14, "width": 1.2, "dash": None, "outline_from": 0},
    "county": {"fill": 0.3, "width": 1.2, "dash": None, "outline_from": 7},
    "place": {"fill": 0.5, "width": 1.5, "dash": None, "outline_from": 9},
    "unsd": {"fill": 0.25, "width": 2.0, "dash": [6, 4], "outline_from": 8},
    "elsd": {"fill": 0.25, "width": 2.0, "dash": [3, 3], "outline_from": 8},
    "scsd": {"fill": 0.25, "width": 2.0, "dash": [8, 3], "outline_from": 8},
}
# Groups drawn from the tiles, bottom to top: (key, title in the layer control, kind, Census layers).
GROUPS = (
    ("coverage", N_("Counties: what applies there"), "coverage", ("county",)),
    ("agreements", N_("287(g) agreements"), "agreements", ("state", "county", "place")),
    ("state", N_("States with an instrument"), "policy", ("state",)),
    ("county", N_("Counties with an instrument"), "policy", ("county",)),
    ("school_district", N_("School districts with an instrument"), "policy", ("unsd", "elsd", "scsd")),
    ("place", N_("Cities and towns with an instrument"), "policy", ("place",)),
    ("federal", N_("On a federal \u201csanctuary\u201d list"), "federal", ("state", "county", "place")),
)
# The forward words of a relation ("amends <title>"); the inverse ones are vocab.RELATION_INVERSE.
RELATION_FORWARD = {"amends": N_("amends"), "codifies": N_("codifies"), "reaffirms": N_("reaffirms"),
                    "supersedes": N_("supersedes"), "implements": N_("implements")}
ATTRIBUTION = N_("Boundaries: US Census Bureau")


@dataclass(frozen=True)
class Assets:
    """Where the map's own JS/CSS come from (the app's origin or inlined; never a third-party CDN)."""

    js: tuple[tuple[str, str], ...]
    css: tuple[tuple[str, str], ...]
    # The living map's ES module (static/js/living.js), which the map component and the page's first view import.
    living: str = ""

    @classmethod
    def served(cls, base: str = paths.STATIC_URL) -> "Assets":
        return cls(js=(("leaflet", f"{base}/vendor/leaflet/leaflet.js"), ("pmtiles", f"{base}/vendor/pmtiles/pmtiles.js"),
                       ("protomaps", f"{base}/vendor/protomaps-leaflet/protomaps-leaflet.js"),
                       ("sanctuary", f"{base}/js/sanctuary-map.js")),
                   css=(("leaflet_css", f"{base}/vendor/leaflet/leaflet.css"), ("sanctuary_css", f"{base}/map.css")),
                   living=f"{base}/js/living.js")

    @classmethod
    def first_view(cls, base: str = paths.STATIC_URL) -> str:
        """The module that draws a cold visit's first view from the page's HTML (static/js/instant-map.js)."""
        return f"{base}/js/instant-map.js"

    @classmethod
    def inline(cls) -> "Assets":
        """The stylesheets as data: URIs; the scripts go into the page as text (:meth:`inline_scripts`)."""

        def uri(path: Path, mime: str) -> str:
            if not path.exists():
                raise FileNotFoundError(f"{path} is missing: install the front-end assets with `make assets`.")
            return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode()

        v = paths.VENDOR_DIR
        return cls(js=(), css=(("leaflet_css", uri(v / "leaflet" / "leaflet.css", "text/css")),
                               ("sanctuary_css", uri(paths.STATIC_DIR / "map.css", "text/css"))))

    @staticmethod
    def inline_scripts() -> list[str]:
        """The scripts of an offline page as ``<script>`` elements holding their text, in load order (a third smaller
        than base64 data: URIs).  A ``</script`` inside a script (in a string or comment) is written ``<\\/script``."""
        v = paths.VENDOR_DIR
        out = []
        for path in (v / "leaflet" / "leaflet.js", v / "pmtiles" / "pmtiles.js",
                     v / "protomaps-leaflet" / "protomaps-leaflet.js", paths.JS_DIR / "sanctuary-map.js"):
            if not path.exists():
                raise FileNotFoundError(f"{path} is missing: install the front-end assets with `make assets`.")
            text = re.sub(r"</(script)", r"<\\/\1", path.read_text(encoding="utf-8"), flags=re.IGNORECASE)
            out.append(f"<script>{text}</script>")
        return out


@dataclass
class Published:
    """Addresses of the static files a served map uses (tiles, details, border and zones)."""

    archive: dict | None = None  # the tile archive: {"url": ...} (served) or {"b64": ..., "key": ..., "maxzoom": ...}
    details_url: str | None = None
    overlays: dict[str, str | dict] = field(default_factory=dict)  # border / zone_mexico / zone_all -> URL or GeoJSON
    localised: dict[str, str] = field(default_factory=dict)  # language -> its details file (details_url is English)
    layers: tuple[str, ...] = ()  # the layers the archive holds (an embedded one: those drawn at its zoom)


def _template(name: str) -> Template:
    return Template((paths.TEMPLATE_DIR / name).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------- what the render sends
def _item(r: dict, relations: dict[str, list[str]]) -> dict:
    summary = r["summary"] if len(r["summary"]) <= SUMMARY_CHARS else r["summary"][: SUMMARY_CHARS - 1] + "\u2026"
    url = r["source_url"] if r["source_url"].lower().startswith(("http://", "https://")) else ""
    return {"t": r["title"], "y": word(INSTRUMENT_LABEL, r["instrument_type"]), "d": i18n.day(r["date_adopted"]),
            "e": i18n.day(r["date_effective"]), "s": word(STATUS_LABEL, r["status"]), "m": summary, "u": url,
            "st": r["source_title"], "r": relations.get(r["policy_id"], []), "ref": r["instrument_ref"],
            "f": [_(FLAG_LABELS[f]) for f in FLAGS if r.get(f) == "Y"], "stance": r["stance"], "c": STANCE_CODE[r["stance"]]}



def _relations(policies: pd.DataFrame) -> dict[str, list[str]]:
    titles = dict(zip(policies["policy_id"], policies["title"]))
    out: dict[str, list[str]] = {}
    for r in policies[policies["relates_to"] != ""].to_dict("records"):
        out.setdefault(r["policy_id"], []).append(
            f"{word(RELATION_FORWARD, r['relation'])} {titles.get(r['relates_to'], r['relates_to'])}")
        out.setdefault(r["relates_to"], []).append(f"{_(RELATION_INVERSE[r['relation']])} {r['title']}")
    return out


def details(data: MapData) -> dict:
    """Everything popups show, for every joined instrument, in the current language (published once per dataset
    version and language: see :func:`details_url`)."""
    matched = data.matched
    relations = _relations(data.policies)
    policies = {r["policy_id"]: _item(r, relations) for r in matched.to_dict("records")}
    jurisdictions = {}
    for r in matched.drop_duplicates(["geoid_layer", "geoid"]).to_dict("records"):
        key = f"{r['geoid_layer']}:{r['geoid']}"
        jurisdictions[key] = {"n": r["jurisdiction_name"]}
    if data.boundaries is not None:
        for key in jurisdictions:
            layer, geoid = key.split(":")
            row = data.boundaries.lookup(layer, geoid)
            if row is not None and pd.notna(row["border_km"]):
                jurisdictions[key]["d"] = describe_distance(row, _(LAYER_SINGULAR[layer]))
    return {"policies": policies, "jurisdictions": jurisdictions, "agreements": agreement_details(data),
            "federal": federal_details(data)}


def agreement_details(data: MapData) -> dict[str, list[dict]]:
    """Every placed 287(g) agreement, with its row label ``i``: a view's config lists the labels it shows."""
    if data.agreements is None or not len(data.agreements.rows):
        return {}
    from .agreements import began

    rows = data.agreements.rows
    rows = rows[rows["geoid"] != ""].assign(_began=began(rows))
    out: dict[str, list[dict]] = {}
    for i, r in zip(rows.index, rows.to_dict("records")):
        out.setdefault(f"{r['geoid_layer']}:{r['geoid']}", []).append(
            {"i": int(i), "a": r["agency"], "m": word(MODEL_LABEL, r["model"]), "k": r["model"],
             "s": i18n.day(r["signed_date"]), "b": r["_began"], "e": r["ended_after"] if r["status"] == "ended" else ""})
    return out


def _row_ids(rows: pd.DataFrame) -> list[list[int]]:
    """Row labels of a selection's placed agreements or listings (which detail entries the view shows), as runs."""
    if rows.empty:
        return []
    return runs(int(i) for i in rows.index[rows["geoid"] != ""])


def runs(labels) -> list[list[int]]:
    """Integers as ``[first, last]`` runs of consecutive values (``[0, 1, 2, 5]`` -> ``[[0, 2], [5, 5]]``): the rows a
    view shows are mostly consecutive, so a few pairs stand for thousands of labels (the browser expands them)."""
    out: list[list[int]] = []
    for n in sorted(set(labels)):
        if out and n == out[-1][1] + 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


def in_runs(pairs) -> set[int]:
    """The labels ``runs`` stands for."""
    return {n for first, last in pairs for n in range(first, last + 1)}


def grouped(lookup: Mapping[str, str]) -> dict[str, list[str]]:
    """``{geoid: value}`` as ``{value: [geoid, ...]}``: the same lookup in about half the bytes (the browser
    inverts it once, ``SanctuaryMap.expand``)."""
    out: dict[str, list[str]] = {}
    for geoid, value in lookup.items():
        out.setdefault(str(value), []).append(geoid)
    return {v: sorted(g) for v, g in sorted(out.items())}


def federal_details(data: MapData) -> dict[str, list[dict]]:
    t = data.designations
    if t is None or t.joined is None:
        return {}
    out: dict[str, list[dict]] = {}
    for i, r in zip(t.joined.matched.index, t.joined.matched.to_dict("records")):
        out.setdefault(f"{r['geoid_layer']}:{r['geoid']}", []).append(
            {"i": int(i), "l": word(FEDERAL_LIST_LABEL, r["list"]), "k": r["list"], "n": r["name_as_published"], "u": r["source_url"],
             "f": r["date_listed"], "w": r["date_withdrawn"]})
    return out


def js_strings() -> dict[str, str]:
    """Every word static/js/sanctuary-map.js and living-map.js show, in the current language (the JS holds keys only).
    ``{n}``, ``{day}``... are filled in by the JS; ``...One`` / ``...Other`` are a count's two forms."""
    return {
        "instrumentsOne": ngettext("{n} instrument", "{n} instruments", 1),
        "instrumentsOther": ngettext("{n} instrument", "{n} instruments", 2),
        "researchedNone": _("researched {day}: no instrument found"),
        "noneInView": _("no instrument recorded in this view"),
        "more": _("+ {n} more (click for details)"),
        "agreementsOne": ngettext("287(g): {n} agreement", "287(g): {n} agreements", 1),
        "agreementsOther": ngettext("287(g): {n} agreement", "287(g): {n} agreements", 2),
        "onFederalList": _("On a federal list: {lists}"),
        "toBorder": _("To the US\u2013Mexico border: {distance}"),
        "clickHint": _("Click for everything that applies here"),
        "loading": _("Loading what applies here\u2026"),
        "jurisdiction": _("Jurisdiction"),
        "whatApplies": _("What applies here"),
        "detailsFailed": _("The instrument details could not be loaded; reload the page to see them."),
        "noBoundary": _("No boundary here in this view."),
        "researchedNoneLong": _("Researched {day}: no instrument found in the sources searched."),
        "noneInViewLong": _("No instrument recorded in this view."),
        "adopted": _("adopted {day}"),
        "adoptedUnknown": _("adopted date unknown"),
        "effective": _("effective {day}"),
        "source": _("Source: {title}"),
        "agreement": _("287(g): {agency} \u00b7 {model}"),
        "agreementSigned": _("287(g): {agency} \u00b7 {model} \u00b7 signed {day}"),
        "listed": _("Listed: {list} (as \u201c{name}\u201d)"),
        "sourceLink": _("source"),
        "distance": _("Distance to the US\u2013Mexico border: {distance}"),
        "legendLabel": _("Map legend"),
        "mapLabel": _("Map of immigration-enforcement cooperation policy; the table under the map lists what it shows"),
        "loadFailed": _("The map could not load: {error}. The table below lists what it shows."),
        "assetFailed": _("could not load {url}"),
    }


def details_url(data: MapData, published: Published) -> str | None:
    """The served details file in the current language: ``published.details_url`` is the English one (as
    :func:`sanctuary_map.publish.publish_details` writes it, whatever language is active); another language's is
    published on first use and remembered on ``published``."""
    if not published.details_url or i18n.current() == i18n.SOURCE:
        return published.details_url
    lang = i18n.current()
    if lang not in published.localised:
        from .publish import publish_details

        published.localised[lang] = publish_details(data, lang=lang)
    return published.localised[lang]


class MapConfig(TypedDict, total=False):
    """The configuration the browser scripts read (``cfg.<key>`` in static/js/): every key defined here, once.
    tests/test_mapping.py checks that the scripts read no other key and that :func:`map_config` sends these."""

    lookup: dict[str, dict[str, str]]  # layer -> geoid -> stance code, the policies in force
    shown: dict[str, list[str]]  # layer:geoid -> ids of the instruments shown there
    coverage: dict[str, list[str]]  # code of what applies -> the county geoids (grouped: the smallest form)
    points: list  # [lat, lon, name, code] of small places and districts drawn as points when zoomed out
    researched: dict[str, dict[str, str]]  # layer -> geoid -> day searched, nothing found
    agreements: dict[str, dict[str, list[str]]]  # layer -> 287(g) model -> geoids (grouped)
    federal: dict[str, dict[str, int]]  # layer -> geoid -> federal listing (1)
    agreementsShown: list[list[int]]  # row labels of the agreements the view shows, as [first, last] runs
    federalShown: list[list[int]]  # row labels of the listings the view shows, as runs
    asOf: str  # the view's day, YYYY-MM-DD
    colours: dict[str, str]  # stance code -> colour
    stanceLabels: dict[str, str]
    modelColours: dict[str, str]  # 287(g) model -> outline colour (themed)
    modelDash: dict[str, list[float] | None]
    layerLabels: dict[str, str]
    styles: dict  # layer -> fill opacity, outline width, dash, zoom the outlines start
    maxZoom: int  # the archive's deepest zoom (past it, its tiles are over-zoomed)
    levelDiff: int
    archive: dict | None  # the tile archive of every layer (address, or inlined tiles in snapshots)
    attribution: str
    baseOpacity: float
    lang: str
    t: dict[str, str]  # the scripts' words, translated (js_strings)
    theme: dict[str, str]  # the map furniture's colours (vocab.THEMES)
    details: dict  # instrument details inlined (snapshots) ...
    detailsUrl: str | None  # ... or their static file (the served map)


# Keys the scripts set on the configuration themselves, at run time (never sent from Python).
JS_RUNTIME_KEYS = frozenset({"detailsReady", "detailsLoaded", "detailsFailed"})


def map_config(data: MapData, view: View, published: Published) -> MapConfig:
    """What a render sends: the view's selection as lookups, plus static addresses (no filter rules)."""
    sel = select(data, view)
    lk, agreements, federal = sel.lookups, sel.agreement_lookup, sel.federal_lookup
    cfg: MapConfig = {"researched": sel.researched_lookup,
        "lookup": lk.lookup, "shown": lk.shown, "coverage": grouped(lk.coverage), "points": lk.points,
        "agreements": {layer: grouped(by_geoid) for layer, by_geoid in agreements.items()}, "federal": federal,
        "asOf": view.as_of_date(),
        "agreementsShown": _row_ids(sel.agreements), "federalShown": _row_ids(sel.listings),
        "colours": CODE_COLOUR, "stanceLabels": {k: _(v) for k, v in {**STANCE_LABEL, **CODE_LABEL}.items()},
        "modelColours": MODEL_COLOUR, "modelDash": MODEL_DASH,
        "layerLabels": {layer: _(LAYER_SINGULAR[layer]).capitalize() for layer in LAYER_SINGULAR},
        "styles": STYLES, "maxZoom": tiles.MAX_ZOOM, "levelDiff": tiles.LEVEL_DIFF,
        "archive": published.archive, "attribution": _(ATTRIBUTION),
        "baseOpacity": 1.0, "lang": i18n.current(), "t": js_strings(), "theme": THEMES["light"],
    }
    if published.details_url:
        cfg["detailsUrl"] = details_url(data, published)
    else:
        cfg["details"] = shown_details(details(data), cfg)
    return cfg


def shown_details(full: dict, cfg: Mapping) -> dict:
    """Of the popups' details, only what ``cfg`` shows (an embedded snapshot carries nothing it cannot show): the
    instruments, agreements and listings its lookups name, and the jurisdictions they are at."""
    shown = cfg.get("shown", {})
    ids = {i for v in shown.values() for i in v}

    def pick(entries: dict[str, list[dict]], wanted: set[int]) -> dict[str, list[dict]]:
        out = {k: [e for e in v if e["i"] in wanted] for k, v in entries.items()}
        return {k: v for k, v in out.items() if v}

    agreements = pick(full["agreements"], in_runs(cfg.get("agreementsShown", [])))
    federal = pick(full["federal"], in_runs(cfg.get("federalShown", [])))
    keys = set(shown) | set(agreements) | set(federal)
    return {"policies": {k: v for k, v in full["policies"].items() if k in ids},
            "jurisdictions": {k: v for k, v in full["jurisdictions"].items() if k in keys},
            "agreements": agreements, "federal": federal}


# ---------------------------------------------------------------------------- folium elements
class Config(MacroElement):
    _template = _template("config.js.j2")

    def __init__(self, config: Mapping):
        super().__init__()
        self._name = "SmConfig"
        self.config = config


class Tiles(MacroElement):
    """The one canvas layer that draws every group from the tile archives (each tile decoded once)."""

    _template = _template("tiles.js.j2")

    def __init__(self, config_var: str, groups: list[dict]):
        super().__init__()
        self._name = "SmTiles"
        self.config_var, self.groups = config_var, groups


class TileGroup(Layer):
    """A group's entry in the layer control (policy stance, coverage, 287(g), federal lists): it switches the
    group's paint rules in :class:`Tiles` on and off."""

    _template = _template("tile_group.js.j2")

    def __init__(self, key: str, title: str, show: bool = True):
        super().__init__(name=title, overlay=True, control=True, show=show)
        self._name = f"SmGroup_{key}"
        self.group = {"key": key}


class Points(Layer):
    _template = _template("points.js.j2")

    def __init__(self, config_var: str, pane: str, show: bool = True):
        super().__init__(name=_("Cities and districts (points when zoomed out)"), overlay=True, control=False, show=show)
        self._name = "SmPoints"
        self.config_var, self.pane = config_var, pane


class GeoJsonOverlay(Layer):
    """A small line/area overlay (border, zones): fetched once from a static file, or inlined in snapshots."""

    _template = _template("geojson_overlay.js.j2")

    def __init__(self, name: str, style: dict, pane: str, url: str | None = None, data: dict | None = None, show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "SmGeoJson"
        self.style, self.pane, self.url, self.data = style, pane, url, data


class InitialView(MacroElement):
    """The map's first view (Leaflet's fitBounds, 20 px padding, no animation), added before every layer."""

    _template = _template("initial_view.js.j2")

    def __init__(self, bounds: list[list[float]]):
        super().__init__()
        self._name = "SmInitialView"
        self.bounds = bounds


class Interact(MacroElement):
    _template = _template("interact.js.j2")

    def __init__(self, config_var: str, layer_vars: list[str]):
        super().__init__()
        self._name = "SmInteract"
        self.config_var, self.layer_vars = config_var, layer_vars


class Legend(MacroElement):
    """A legend of only what is visible; entries are our own constants (escaped anyway)."""

    _template = _template("legend.html.j2")

    def __init__(self, title: str, sections: list[tuple[str, list[tuple[str, str, str]]]]):
        super().__init__()
        self._name = "Legend"
        self.aria_label = html.escape(_("Map legend"), quote=True)
        self.title = html.escape(title)
        self.sections = [(html.escape(s), [(html.escape(a), html.escape(b), c) for a, b, c in e]) for s, e in sections if e]


# ---------------------------------------------------------------------------- the map
def focus_row(data: MapData, focus: str) -> pd.Series | None:
    """The boundary-index row of the focused ``layer:geoid`` (any boundary in the index)."""
    if data.boundaries is None or ":" not in focus:
        return None
    layer, geoid = focus.split(":", 1)
    return data.boundaries.lookup(layer, geoid)


def focus_bounds(row: pd.Series) -> list[list[float]]:
    """The jurisdiction's own extent: its distance line is drawn but does not decide the zoom."""
    return [[float(row["miny"]), float(row["minx"])], [float(row["maxy"]), float(row["maxx"])]]


OVERLAY_STYLES = {
    "zone_mexico": (N_("Within 100 miles of the Mexican land border"), "zone",
                    {"color": ZONE_COLOUR, "weight": 2.5, "fill": False, "fillOpacity": 0, "dashArray": "6 4"}),
    "zone_all": (N_("100-mile border zone (all external boundaries)"), "zone_all",
                 {"color": ZONE_ALL_COLOUR, "weight": 1.5, "fill": False, "fillOpacity": 0, "dashArray": "2 4"}),
    "border": (N_("US\u2013Mexico land border"), "border", {"color": BORDER_COLOUR, "weight": 3}),
}


def tile_groups(published: Published, cfg: Mapping) -> tuple[list[dict], list[tuple[str, str]]]:
    """The tile layer's paint groups (bottom to top) and the (key, title) of each one the layer control switches."""
    groups = [{"key": "base", "kind": "base", "layers": ["state"]}] if "state" in published.layers else []
    toggles = []
    for key, title, kind, layers in GROUPS:
        present = [x for x in layers if x in published.layers]
        if not present or key == "agreements" and not cfg.get("agreements") or key == "federal" and not cfg.get("federal"):
            continue
        groups.append({"key": key, "kind": kind, "layers": present})
        toggles.append((key, _(title)))
    return groups, toggles


def distance_segments(row: pd.Series) -> list[dict]:
    """The focused jurisdiction's straight line(s) to the border, with their labels ([lat, lon] pairs)."""
    if row is None or not pd.notna(row["border_km"]):
        return []
    pts = json.loads(row["nearest_points"])
    miles, km = fixed(row["border_miles"]), fixed(row["border_km"])
    out = [{"points": [[pts[0][1], pts[0][0]], [pts[1][1], pts[1][0]]], "colour": SEGMENT_COLOUR, "weight": 3,
            "dash": "8 6", "direction": "top",
            "label": _("{miles} mi ({km} km) to the US\u2013Mexico border \u2014 straight line, nearest edge").format(
                miles=miles, km=km),
            "short": _("{miles} mi to the US\u2013Mexico border").format(miles=miles)}]
    if not row["nearest_part_is_mainland"]:
        mp = json.loads(row["mainland_nearest_points"])
        out.append({"points": [[mp[0][1], mp[0][0]], [mp[1][1], mp[1][0]]], "colour": "#555555", "weight": 2, "dash": "2 6",
                    "direction": "right",
                    "label": _("mainland: {miles} mi ({km} km)").format(miles=fixed(row["mainland_miles"]),
                                                                        km=fixed(row["mainland_km"])),
                    "short": _("mainland: {miles} mi").format(miles=fixed(row["mainland_miles"]))})
    return out


def distance_section(row: pd.Series | None, shown) -> list:
    """The legend's entry for the focused jurisdiction's line to the border, when it is drawn ([] otherwise)."""
    if row is None or pd.isna(row["border_km"]) or "distance" not in shown:
        return []
    return [("", [(_("Distance to the US\u2013Mexico border (selected)"), SEGMENT_COLOUR, "dash")])]


def map_legend(data: MapData, view: View, row: pd.Series | None) -> tuple[str, list]:
    sel = select(data, view)
    sections = list(sel.legend) + distance_section(row, sel.layers_shown)
    title = _("Jurisdictions with an instrument") if sel.lookups.lookup else _("No instrument matches the filters")
    return title, [(s, e) for s, e in sections if e]


def themed_legend(sections: list, theme: str) -> list:
    """Legend sections with each swatch's colour as ``theme`` draws it (:func:`vocab.themed`)."""
    return [(title, [(label, themed(colour, theme), kind) for label, colour, kind in entries]) for title, entries in sections]


def living_payload(data: MapData, view: View, published: Published, *, basemap: str = "none",
                   assets: Assets | None = None) -> dict:
    """Everything the living map (one Leaflet map per page visit, see static/js/living-map.js) receives on a rerun:
    the view's results as lookups, the paint groups, overlays, legend and focus.  JSON only; no filter rules."""
    assets = assets or Assets.served()
    cfg = map_config(data, view, published)
    tiles_url = BASEMAP_TILES.get(basemap)
    if tiles_url:
        cfg = {**cfg, "baseOpacity": 0.15}
    groups, toggles = tile_groups(published, cfg)
    shown = select(data, view).layers_shown
    row = focus_row(data, view.focus or "")
    title, legend = map_legend(data, view, row)
    overlays = [{"key": key, "view_key": vk, "name": _(name), "style": style, "url": published.overlays.get(key)}
                for key, (name, vk, style) in OVERLAY_STYLES.items() if published.overlays.get(key) is not None]
    return {
        "config": cfg, "lang": i18n.current(), "groups": groups,
        "toggles": [{"key": k, "title": t, "show": k in shown} for k, t in toggles],
        "overlays": overlays, "shown": sorted(shown),
        "legend": {"title": title, "sections": legend},
        "focus": {"key": view.focus or "", "bounds": focus_bounds(row) if row is not None else CONUS_BOUNDS,
                  "segments": distance_segments(row) if "distance" in shown else []},
        "basemap": {"url": tiles_url[0], "attribution": tiles_url[1]} if tiles_url else None,
        "assets": {"js": [u for _k, u in assets.js], "css": [u for _k, u in assets.css]},
        "living": assets.living,
    }


_PREFETCH = _template("prefetch.js.j2")


def prefetch_script(published: Published) -> str | None:
    """The inline script that asks for the served tile archive's header and root directory from the page's head, so
    the map's first tiles need not wait for the scripts to load and the map to start (None for embedded tiles)."""
    url = (published.archive or {}).get("url")
    if not url:
        return None
    # The address is written with tojson, which escapes "<", so nothing in it can close the script.
    return "<script>" + _PREFETCH.render(url=url, length=tiles.HEADER_BYTES) + "</script>"


def build_map(
    data: MapData,
    view: View,
    published: Published,
    *,
    basemap: str = "none",
    assets: Assets | None = None,
    height: int | str = "100%",
    animate: bool = True,
    controls: bool = True,
    config: dict | None = None,
    theme: str = "light",
) -> folium.Map:
    """The folium map of ``view``.  ``theme`` ("light" or "dark", :data:`vocab.THEMES`) colours the map furniture of a
    snapshot; the live map is light."""
    assets = assets or Assets.served()
    tiles_url = BASEMAP_TILES.get(basemap)
    m = folium.Map(location=[37, -96], zoom_start=4, tiles=None, control_scale=True, height=height,
                   zoom_control=controls, zoom_animation=animate, fade_animation=animate, marker_zoom_animation=animate)
    # Per-instance asset links (folium's class-level defaults point at public CDNs).
    m.default_js = list(assets.js)
    m.default_css = list(assets.css)
    early = prefetch_script(published)
    if early:
        cast(Figure, m.get_root()).header.add_child(Element(early), name="sm_prefetch", index=0)
    if tiles_url:
        folium.TileLayer(tiles=tiles_url[0], attr=tiles_url[1], name="OpenStreetMap", control=False, max_zoom=18).add_to(m)
    shown = {k for k in ("state", "county", "place", "school_district", "coverage", "agreements", "federal", "zone",
                         "zone_all", "border", "distance") if k not in view.hidden}
    bounds = CONUS_BOUNDS
    row = focus_row(data, view.focus or "")
    if row is not None:
        bounds = focus_bounds(row)
    m.add_child(InitialView(bounds))
    cfg = config if config is not None else map_config(data, view, published)
    if tiles_url:
        cfg = {**cfg, "baseOpacity": 0.15}
    cfg = {**cfg, "theme": THEMES[theme], "modelColours": {m: themed(c, theme) for m, c in cfg["modelColours"].items()}}
    conf = Config(cfg)
    m.add_child(conf)
    CustomPane("smTiles", z_index=400, pointer_events=False).add_to(m)
    CustomPane("smOverlay", z_index=450, pointer_events=False).add_to(m)
    CustomPane("smPoints", z_index=460, pointer_events=True).add_to(m)
    var = conf.get_name()
    groups, toggle_keys = tile_groups(published, cfg)
    toggles = [TileGroup(key, title, show=key in shown) for key, title in toggle_keys]
    tiles_layer = Tiles(var, groups)
    m.add_child(tiles_layer)
    for toggle in toggles:
        toggle.add_to(m)
    layer_vars = [tiles_layer.get_name()]
    Points(var, "smPoints", show=bool({"place", "school_district"} & shown)).add_to(m)

    for key, (name, view_key, style) in OVERLAY_STYLES.items():
        spec = published.overlays.get(key)
        if spec is None:
            continue
        url, inline = (spec, None) if isinstance(spec, str) else (None, spec)
        style = {**style, "color": themed(str(style["color"]), theme)}
        GeoJsonOverlay(_(name), style, "smOverlay", url=url, data=inline, show=view_key in shown).add_to(m)

    if row is not None:
        segments = distance_segments(row)
        if segments:
            seg = folium.FeatureGroup(name=_("Distance to border"), show="distance" in shown)
            for s in segments:
                folium.PolyLine(s["points"], color=themed(s["colour"], theme), weight=s["weight"], dash_array=s["dash"],
                                tooltip=folium.Tooltip(html.escape(s["label"]), permanent=True, sticky=False,
                                                       direction=s["direction"], class_name="sm-seg-label")).add_to(seg)
            seg.add_to(m)
    m.add_child(Interact(var, layer_vars))

    title, sections = map_legend(data, view, row)
    Legend(title, themed_legend(sections, theme)).add_to(m)
    if controls:
        folium.LayerControl(collapsed=True).add_to(m)
    return m

