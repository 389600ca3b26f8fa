"""The folium map for a (layers, policies, view).  No Streamlit here.

Safety: every user-supplied string reaches the browser only as JSON data; tooltips and
popups are built in the browser with ``textContent`` (never ``innerHTML``), and links are
made only from ``http(s)`` URLs.  The validator already rejects markup; this is the second
line of defence.
"""
from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement, Template
from folium.map import CustomPane, Layer
from folium.utilities import JsCode

from .geodata import Layers
from .policies import FLAG_GROUPS, FLAG_LABELS, RELATION_INVERSE
from .view import View, apply

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = {"state": "#E69F00", "county": "#56B4E9", "place": "#009E73", "school_district": "#CC79A7"}
LEVEL_LABEL = {"state": "States", "county": "Counties", "place": "Cities", "school_district": "School districts"}
LEVEL_SINGULAR = {"state": "State", "county": "County", "place": "City", "school_district": "School district"}
# States and counties are large: lighter fill so cities and districts stay readable on top.
FILL_OPACITY = {"state": 0.16, "county": 0.3, "place": 0.5, "school_district": 0.3}
# Drawn bottom to top: districts under cities (they often coincide, e.g. LAUSD and Los Angeles) with a
# dashed outline, so both stay visible.
DRAW_ORDER = ("state", "county", "school_district", "place")
DASH = {"school_district": "6 4"}
BORDER_COLOUR = "#D55E00"
ZONE_COLOUR = "#F0E442"
SEGMENT_COLOUR = "#000000"
BASEMAP_ENV = "SANCTUARY_MAP_BASEMAP"
BASEMAPS = {
    "osm": ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'),
    "none": (None, None),
}
CONUS_BOUNDS = [[24.4, -124.8], [49.4, -66.9]]
DEFAULT_FOCUS = "unsd:0622710"  # Los Angeles Unified: the story this map started from
SUMMARY_CHARS = 400


def basemap_setting() -> str:
    value = os.environ.get(BASEMAP_ENV, "osm").strip().lower()
    return value if value in BASEMAPS else "osm"


@dataclass(frozen=True)
class Assets:
    """Where the map's own JS/CSS come from (the app's origin; never a third-party CDN)."""

    js: tuple[tuple[str, str], ...]
    css: tuple[tuple[str, str], ...]

    @classmethod
    def served(cls, base: str = "/app/static") -> "Assets":
        return cls(js=(("leaflet", f"{base}/vendor/leaflet/leaflet.js"),
                       ("topojson", f"{base}/vendor/topojson-client/topojson-client.min.js")),
                   css=(("leaflet_css", f"{base}/vendor/leaflet/leaflet.css"), ("sanctuary_css", f"{base}/map.css")))


@dataclass
class MapData:
    layers: Layers
    policies: pd.DataFrame  # policies that join to a boundary (JoinResult.matched)


def _relations(policies: pd.DataFrame) -> dict[str, list[str]]:
    titles = dict(zip(policies["policy_id"], policies["title"]))
    out: dict[str, list[str]] = {}
    for r in policies.itertuples(index=False):
        if r.relates_to:
            out.setdefault(r.policy_id, []).append(f"{r.relation} {titles.get(r.relates_to, r.relates_to)}")
            out.setdefault(r.relates_to, []).append(f"{RELATION_INVERSE[r.relation]} {r.title}")
    return out


def _item(r, relations) -> dict:
    flags = [FLAG_LABELS[f] for g in FLAG_GROUPS.values() for f in g if getattr(r, f) == "Y"]
    url = r.source_url if r.source_url.lower().startswith(("http://", "https://")) else ""
    summary = r.summary if len(r.summary) <= SUMMARY_CHARS else r.summary[: SUMMARY_CHARS - 1] + "…"
    return {"t": r.title, "y": r.instrument_type.replace("_", " "), "d": r.date_adopted, "e": r.date_effective,
            "s": r.status.replace("_", " "), "m": summary, "u": url, "st": r.source_title,
            "r": relations.get(r.policy_id, []), "f": flags, "ref": r.instrument_ref}


def features(data: MapData, view: View) -> dict[str, gpd.GeoDataFrame]:
    """One GeoDataFrame per jurisdiction level, each feature carrying what tooltips/popups show."""
    shown = apply(view, data.policies)
    relations = _relations(data.policies)
    groups: dict[tuple[str, str], list] = {}
    for r in shown.sort_values("date_adopted").itertuples(index=False):
        groups.setdefault((r.geoid_layer, r.geoid), []).append(r)
    per_level: dict[str, list[dict]] = {}
    for (layer, geoid), rows in groups.items():
        gdf = data.layers.web.get(layer)
        if gdf is None:
            continue
        hit = gdf[gdf["geoid"] == geoid]
        if hit.empty:
            continue
        f = hit.iloc[0]
        level = rows[0].jurisdiction_level
        props = {
            "name": rows[0].jurisdiction_name, "census_name": f["name"], "level": LEVEL_SINGULAR[level],
            "key": f"{layer}:{geoid}", "n": len(rows), "items": [_item(r, relations) for r in rows],
        }
        if pd.notna(f.get("border_km")):
            props.update(km=round(float(f["border_km"]), 1), mi=round(float(f["border_miles"]), 1),
                         mkm=round(float(f["mainland_km"]), 1), mmi=round(float(f["mainland_miles"]), 1),
                         zone=f["zone"])
        per_level.setdefault(level, []).append({**props, "geometry": f.geometry})
    return {lvl: gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326") for lvl, rows in per_level.items()}


def feature_collections(data: MapData, view: View) -> dict[str, dict]:
    """GeoJSON FeatureCollections per level (what the map embeds); cacheable per (data, filters)."""
    return {lvl: json.loads(gdf.to_json(drop_id=True)) for lvl, gdf in features(data, view).items()}


# Builds tooltip and popup DOM from feature properties with textContent only.
_ON_EACH_FEATURE = JsCode("""
function(feature, layer) {
  var p = feature.properties;
  // Stable per-feature class (layer and digits only), e.g. "sm-unsd-0622710", set before the path is created.
  if (/^[a-z]+:[0-9]+$/.test(p.key)) layer.options.className = 'sm-f sm-' + p.key.replace(':', '-');
  function el(tag, text, cls) { var e = document.createElement(tag); if (text) e.textContent = text; if (cls) e.className = cls; return e; }
  var tip = el('div', null, 'sm-tip');
  tip.appendChild(el('strong', p.name));
  tip.appendChild(el('div', p.level + ' \\u00b7 ' + p.n + (p.n === 1 ? ' instrument' : ' instruments')));
  function short(t) { return t.length > 70 ? t.slice(0, 69) + '\u2026' : t; }
  var ul = el('ul'); p.items.slice(0, 3).forEach(function(it) { ul.appendChild(el('li', short(it.t) + (it.d ? ' (' + it.d + ')' : ''))); });
  if (p.items.length > 3) ul.appendChild(el('li', '+ ' + (p.items.length - 3) + ' more (click for details)'));
  tip.appendChild(ul);
  if (p.mi !== undefined) tip.appendChild(el('div', 'Border: ' + p.mi + ' mi (' + p.km + ' km) \\u00b7 100-mile zone: ' + p.zone, 'sm-dist'));
  layer.bindTooltip(tip, {sticky: true, className: 'sm-tooltip'});
  var pop = el('div', null, 'sm-popup');
  pop.appendChild(el('h4', p.name));
  pop.appendChild(el('div', p.level + (p.census_name && p.census_name !== p.name ? ' \\u00b7 Census: ' + p.census_name : ''), 'sm-sub'));
  p.items.forEach(function(it) {
    var box = el('div', null, 'sm-item');
    box.appendChild(el('div', it.t, 'sm-title'));
    box.appendChild(el('div', [it.y, it.ref, 'adopted ' + (it.d || 'unknown'), it.e ? 'effective ' + it.e : '', 'status: ' + it.s].filter(Boolean).join(' \\u00b7 '), 'sm-meta'));
    if (it.m) box.appendChild(el('div', it.m, 'sm-summary'));
    it.r.forEach(function(rel) { box.appendChild(el('div', '\\u21b3 ' + rel, 'sm-rel')); });
    if (it.f.length) box.appendChild(el('div', 'Restricts: ' + it.f.join(', '), 'sm-flags'));
    if (/^https?:\\/\\//i.test(it.u)) {
      var a = el('a', 'Source: ' + (it.st || it.u)); a.setAttribute('href', it.u); a.setAttribute('target', '_blank'); a.setAttribute('rel', 'noopener noreferrer nofollow');
      box.appendChild(a);
    }
    pop.appendChild(box);
  });
  if (p.mi !== undefined) pop.appendChild(el('div', 'Distance to the US\\u2013Mexico border: ' + p.mi + ' mi (' + p.km + ' km), straight line from the nearest edge; mainland ' + p.mmi + ' mi (' + p.mkm + ' km). 100-mile zone: ' + p.zone + '.', 'sm-dist'));
  layer.bindPopup(pop, {maxWidth: 380, maxHeight: 360});
}
""")

_LEGEND = """
{% macro html(this, kwargs) %}
<div class="sm-legend" aria-label="Map legend">
  <div class="sm-legend-title">{{ this.title }}</div>
  {% for label, colour, kind in this.entries %}
  <div class="sm-legend-row"><span class="sm-swatch sm-{{ kind }}" style="background:{{ colour }};border-color:{{ colour }}"></span>{{ label }}</div>
  {% endfor %}
</div>
{% endmacro %}
"""


class Legend(MacroElement):
    """A categorical legend; entries are our own constants (escaped anyway)."""

    _template = Template(_LEGEND)

    def __init__(self, title: str, entries: list[tuple[str, str, str]]):
        super().__init__()
        self._name = "Legend"
        self.title = html.escape(title)
        self.entries = [(html.escape(a), html.escape(b), c) for a, b, c in entries]


# ---------------------------------------------------------------------------- national county coverage
COVERAGE = {  # code -> (label, colour); a county may have several; the first present sets the fill
    "C": ("County policy", PALETTE["county"]),
    "L": ("City or school district inside", PALETTE["place"]),
    "S": ("Statewide instrument", PALETTE["state"]),
}


def county_coverage(data: MapData, view: View) -> dict[str, str]:
    """County GEOID -> coverage codes (C, L, S) under this view; counties with none are absent."""
    shown = apply(view, data.policies)
    counties = data.layers.web.get("county")
    if counties is None:
        return {}
    cov: dict[str, set[str]] = {}
    state_fips = set(shown.loc[shown["jurisdiction_level"] == "state", "geoid"])
    for geoid in counties.loc[counties["statefp"].isin(state_fips), "geoid"]:
        cov.setdefault(geoid, set()).add("S")
    for r in shown.itertuples(index=False):
        if r.geoid_layer == "county":
            cov.setdefault(r.geoid, set()).add("C" if r.jurisdiction_level == "county" else "L")
        elif r.geoid_layer != "state":
            gdf = data.layers.web.get(r.geoid_layer)
            hit = gdf[gdf["geoid"] == r.geoid] if gdf is not None and "counties" in gdf else None
            if hit is not None and len(hit) and hit.iloc[0]["counties"]:
                for c in hit.iloc[0]["counties"].split(","):
                    cov.setdefault(c, set()).add("L")
    return {g: "".join(k for k in COVERAGE if k in codes) for g, codes in cov.items()}


_COVERAGE_JS = """
{% macro script(this, kwargs) %}
// Thousands of county polygons: one canvas per pane, not thousands of SVG nodes.
var {{ this.get_name() }}_canvas = L.canvas({pane: {{ this.pane|tojson }}});
var {{ this.get_name() }} = L.geoJson(null, {
  pane: {{ this.pane|tojson }}, renderer: {{ this.get_name() }}_canvas,
  style: function(f) {
    var c = ({{ this.get_name() }}_cov)[f.properties.g] || '';
    var colours = {{ this.colours|tojson }};
    // Statewide-only counties stay light: the state layer already shows the statewide instrument.
    return c ? {fillColor: colours[c[0]], fillOpacity: c === 'S' ? 0.1 : 0.25, color: '#8a8a8a', weight: 0.4}
             : {fillOpacity: 0, color: '#b8b8b8', weight: 0.3};
  },
  onEachFeature: function(f, layer) {
    var c = ({{ this.get_name() }}_cov)[f.properties.g] || '';
    var labels = {{ this.labels|tojson }};
    var tip = document.createElement('div');
    var b = document.createElement('strong'); b.textContent = f.properties.n; tip.appendChild(b);
    var d = document.createElement('div');
    d.textContent = c ? c.split('').map(function(k) { return labels[k]; }).join('; ') : 'No policy in this view';
    tip.appendChild(d);
    layer.bindTooltip(tip, {sticky: true, className: 'sm-tooltip'});
  }
});
var {{ this.get_name() }}_cov = {{ this.coverage|tojson }};
(function(target, map) {
  // Decoding the topology (features, land, state borders) is the costly part: do it once per page,
  // not on every rerun (Streamlit re-creates the map in the same frame when filters change).
  var cache = window.smTopologyCache = window.smTopologyCache || {};
  function decode(topo) {
    var counties = topo.objects.data;
    return {
      features: topojson.feature(topo, counties),
      land: topojson.merge(topo, counties.geometries),
      borders: topojson.mesh(topo, counties, function(a, b) { return a === b || a.properties.g.slice(0, 2) !== b.properties.g.slice(0, 2); })
    };
  }
  function add(d) {
    // The base map comes from the same cached topology: land fill and state borders.
    var base = L.canvas({pane: 'smBase'});
    L.geoJson(d.land, {pane: 'smBase', renderer: base, interactive: false, style: {stroke: false, fillColor: '#f4f4f1', fillOpacity: 1}}).addTo(map);
    L.geoJson(d.borders, {pane: 'smBase', renderer: base, interactive: false, style: {color: '#8f8f8f', weight: 0.8, fill: false}}).addTo(map);
    target.addData(d.features);
    // Observable by tests and benchmarks: how many counties were drawn, and with which coverage.
    var drawn = {all: 0, covered: 0};
    target.eachLayer(function(l) { drawn.all++; if (({{ this.get_name() }}_cov)[l.feature.properties.g]) drawn.covered++; });
    window.smCountiesDrawn = drawn;
  }
  {% if this.url %}var key = {{ this.url|tojson }};
  cache[key] = cache[key] || fetch(key).then(function(r) { return r.json(); }).then(decode);
  cache[key].then(add);
  {% else %}add(decode({{ this.topology|safe }}));{% endif %}
})({{ this.get_name() }}, {{ this._parent.get_name() }});
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""


class CountyCoverage(Layer):
    """All US counties from a TopoJSON (fetched from the app's origin, or inlined for exports),
    shaded by policy coverage; only the small per-view coverage lookup is sent with each render."""

    _template = Template(_COVERAGE_JS)

    def __init__(self, coverage: dict[str, str], *, url: str | None = None, topology: str | None = None,
                 name: str = "Counties: coverage", pane: str = "smContext", show: bool = True):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "CountyCoverage"
        self.coverage, self.url, self.pane = coverage, url, pane
        # Inlined topology is our own build output (digits and Census names), serialised with "<" escaped.
        self.topology = topology.replace("<", "\\u003c") if topology else None
        self.colours = {k: v[1] for k, v in COVERAGE.items()}
        self.labels = {k: v[0] for k, v in COVERAGE.items()}


def _bounds(geom) -> list[list[float]]:
    minx, miny, maxx, maxy = geom.bounds
    return [[miny, minx], [maxy, maxx]]


def focus_feature(data: MapData, focus: str):
    """(properties row, geometry) of the focused ``layer:geoid`` if it is drawn."""
    if ":" not in focus:
        return None
    layer, geoid = focus.split(":", 1)
    gdf = data.layers.web.get(layer)
    if gdf is None:
        return None
    hit = gdf[gdf["geoid"] == geoid]
    return None if hit.empty else hit.iloc[0]


def build_map(
    data: MapData,
    view: View,
    *,
    basemap: str = "none",
    assets: Assets | None = None,
    show_zone: bool = True,
    county_topology: tuple[str | None, str | None] = (None, None),
    collections: dict[str, dict] | None = None,
    coverage: dict[str, str] | None = None,
    height: int | str = "100%",
    animate: bool = True,
) -> folium.Map:
    assets = assets or Assets.served()
    tiles, attr = BASEMAPS.get(basemap, BASEMAPS["none"])
    m = folium.Map(location=[37, -96], zoom_start=4, tiles=None, prefer_canvas=False, control_scale=True,
                   height=height, max_bounds=False,
                   # Snapshots are taken once the view settles; without animation it settles at once.
                   zoom_animation=animate, fade_animation=animate, marker_zoom_animation=animate)
    # Per-instance asset links (folium's class-level defaults point at public CDNs).
    m.default_js = list(assets.js)
    m.default_css = list(assets.css)
    if tiles:
        folium.TileLayer(tiles=tiles, attr=attr, name="OpenStreetMap", control=False, max_zoom=18).add_to(m)

    # Panes: opaque state base (300) < county coverage (350, hoverable) < policy layers (overlay, 400).
    CustomPane("smBase", z_index=300, pointer_events=False).add_to(m)
    CustomPane("smContext", z_index=350, pointer_events=True).add_to(m)
    url, topology = county_topology
    states = data.layers.web.get("state")
    if states is not None and not (url or topology):  # otherwise the base is derived from the county topology
        folium.GeoJson(
            states[["name", "geometry"]], name="US states (base)", control=False, interactive=False, pane="smBase",
            style_function=lambda f: {"fillColor": "#f4f4f1", "color": "#9a9a9a", "weight": 0.7, "fillOpacity": 1 if not tiles else 0.15},
        ).add_to(m)

    shown = lambda key: key not in view.hidden  # noqa: E731
    if url or topology:
        cov = coverage if coverage is not None else county_coverage(data, view)
        CountyCoverage(cov, url=url, topology=topology, show=shown("coverage")).add_to(m)

    zone = data.layers.zone
    if zone is not None and show_zone:
        folium.GeoJson(zone[["name", "geometry"]], name="100-mile border zone", interactive=False, show=shown("zone"),
                       style_function=lambda f: {"fillColor": ZONE_COLOUR, "color": "#b5a800", "weight": 1,
                                                 "fillOpacity": 0.25, "dashArray": "4 3"}).add_to(m)

    per_level = collections if collections is not None else feature_collections(data, view)
    for level in DRAW_ORDER:
        fc = per_level.get(level)
        if not fc or not fc["features"]:
            continue
        colour = PALETTE[level]
        folium.GeoJson(
            fc, name=f"{LEVEL_LABEL[level]} ({len(fc['features'])})", show=shown(level),
            style_function=lambda f, c=colour, o=FILL_OPACITY[level], d=DASH.get(level): {
                "fillColor": c, "color": c, "weight": 2 if d else 1.5, "fillOpacity": o, "dashArray": d},
            highlight_function=lambda f: {"weight": 3.5},
            on_each_feature=_ON_EACH_FEATURE, embed=True, zoom_on_click=False,
        ).add_to(m)

    border = data.layers.border
    if border is not None:
        folium.GeoJson(border[["name", "geometry"]], name="US\u2013Mexico land border", interactive=False, show=shown("border"),
                       style_function=lambda f: {"color": BORDER_COLOUR, "weight": 3}).add_to(m)

    bounds = CONUS_BOUNDS
    fr = focus_feature(data, view.focus)
    if fr is not None:
        bounds = _bounds(fr.geometry)
        if pd.notna(fr.get("border_km")):
            pts = json.loads(fr["nearest_points"])
            label = f"{fr['border_miles']:.1f} mi ({fr['border_km']:.1f} km) \u2014 straight line, nearest edge"
            seg = folium.FeatureGroup(name="Distance to border", show=shown("distance"))
            folium.PolyLine([[pts[0][1], pts[0][0]], [pts[1][1], pts[1][0]]], color=SEGMENT_COLOUR, weight=3,
                            dash_array="8 6", tooltip=folium.Tooltip(html.escape(label), permanent=True, sticky=False, direction="top",
                                                                     class_name="sm-seg-label")).add_to(seg)
            if not fr["nearest_part_is_mainland"]:
                mp = json.loads(fr["mainland_nearest_points"])
                ml = f"mainland: {fr['mainland_miles']:.1f} mi ({fr['mainland_km']:.1f} km)"
                folium.PolyLine([[mp[0][1], mp[0][0]], [mp[1][1], mp[1][0]]], color="#555555", weight=2,
                                dash_array="2 6", tooltip=folium.Tooltip(html.escape(ml), permanent=True, direction="right",
                                                                         class_name="sm-seg-label")).add_to(seg)
            seg.add_to(m)
            lats = [bounds[0][0], bounds[1][0], pts[1][1]]
            lons = [bounds[0][1], bounds[1][1], pts[1][0]]
            bounds = [[min(lats), min(lons)], [max(lats), max(lons)]]
    m.fit_bounds(bounds, padding=(20, 20))

    # The legend follows the filters and the layers switched on.
    entries = [(LEVEL_LABEL[lvl], PALETTE[lvl], "fill") for lvl in ("state", "county", "place", "school_district")
               if lvl in per_level and shown(lvl)]
    if border is not None and shown("border"):
        entries.append(("US\u2013Mexico land border", BORDER_COLOUR, "line"))
    if zone is not None and show_zone and shown("zone"):
        entries.append(("100-mile border zone", ZONE_COLOUR, "fill"))
    if (url or topology) and shown("coverage"):
        entries += [(f"County: {COVERAGE[k][0].lower()}", COVERAGE[k][1], "light") for k in ("S", "L", "C")]
    if fr is not None and pd.notna(fr.get("border_km")) and shown("distance"):
        entries.append(("Distance to border (selected)", SEGMENT_COLOUR, "dash"))
    Legend("Jurisdictions with a policy" if per_level else "No policy matches the filters", entries).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def map_payload_bytes(m: folium.Map) -> int:
    """Bytes of HTML/JS the map sends (what a browser downloads for the map itself)."""
    return len(m.get_root().render().encode())
