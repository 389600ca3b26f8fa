"""Distances: the US-Mexico land border, the two 100-mile zones, measuring, reference points.

The border line is the set of arcs that the United States (ISO 840) and Mexico (ISO 484)
share in Natural Earth's 1:10m countries, as packaged by npm ``world-atlas`` (public
domain), read with GDAL's TopoJSON driver: shared arcs are exactly the land boundary, so
the intersection of the two outlines is the border and no coastline is included.

Measuring follows the engineering notes: nearest points are found in a projected CRS suited
to the region (California Albers EPSG:3310 in California, Alaska Albers EPSG:3338 in
Alaska, Hawaii Albers ESRI:102007 in Hawaii, CONUS Albers EPSG:5070 elsewhere), then the
segment between them is measured on the WGS84 ellipsoid with ``pyproj.Geod.inv``.
Degrees and Web Mercator are never used to measure.  :func:`measure_many` does every
polygon of a layer at once (vectorised), which is how the build measures the whole index.

Two zones:

* ``zone_mexico``: land within 100 miles of the Mexican land border line;
* ``zone_all``: the "100-mile border zone" of 8 CFR 287.1 as advocates and the agency draw it:
  within 100 miles of any external boundary (both land borders, the coasts and the Great
  Lakes shores), here the outer edge of the Census state outlines.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

from . import i18n
from .i18n import N_, _
from .settings import NODE_MODULES

GEOD = Geod(ellps="WGS84")
KM_PER_MILE = 1.609344
ZONE_MILES = 100.0
WGS84 = "EPSG:4326"
WORLD_ATLAS = NODE_MODULES / "world-atlas" / "countries-10m.json"
BORDER_SOURCE = N_("Natural Earth 1:10m countries via npm world-atlas 2.0.2 (public domain): arcs shared by the United States and Mexico")
METHOD = N_("Shortest straight-line distance from the jurisdiction's polygon (full-resolution Census geometry, all parts) "
          "to the US-Mexico land border line; nearest points found in an equal-area projection for the state "
          "(EPSG:3310 California, EPSG:3338 Alaska, ESRI:102007 Hawaii, EPSG:5070 elsewhere), length measured as a "
          "geodesic on the WGS84 ellipsoid. Boundaries within 1 km of the line (its precision) count as touching it: 0.")
ZONE_LABELS = {
    "zone_mexico": N_("Within 100 miles of the Mexican land border"),
    "zone_all": N_("The 100-mile border zone (all external boundaries)"),
}
ZONE_METHODS = {
    "zone_mexico": N_("buffer of the land border line by 100 miles in EPSG:5070 (CONUS Albers), clipped to the states"),
    "zone_all": N_("buffer by 100 miles of the outer edge of the Census state outlines (both land borders, the coasts "
                 "and the Great Lakes shores; inland lakes excluded), each region in its own equal-area projection, "
                 "clipped to the states; islands west of the 180th meridian are left out"),
}
# The zones are drawn clipped to the 1:5M state outlines, but whether a jurisdiction is inside is decided against the
# unclipped buffer: a coastal city's 1:500k outline reaches past the 1:5M coastline (harbours, piers, water areas), which
# says nothing about its distance from the boundary. Both lines are generalised (the outer edge is simplified by ~1 km,
# the 1:10m border quantised to ~0.2-0.4 km), so a boundary within that precision of the 100-mile line counts on the
# side where it lies: "inside" when wholly within 100 miles + ZONE_TOLERANCE_KM, "partly inside" when it also reaches
# closer than 100 miles - ZONE_TOLERANCE_KM, "outside" otherwise.
ZONE_TOLERANCE_KM = 1.0
# A translated message cannot be an f-string: the tolerance is written out (the assert keeps the two together).
ZONE_TEST = N_("A boundary reads inside when it lies wholly within 100 miles of the line (the buffer itself, not "
               "clipped to the generalised 1:5M coastline, so coastal outlines that reach into the water still count "
               "as inside), partly inside when it crosses the 100-mile line by more than 1 km "
               "(the lines' precision), outside otherwise")
assert f"more than {ZONE_TOLERANCE_KM:g} km" in ZONE_TEST
USA, MEXICO = "840", "484"
# The 1:10m border line is quantised to ~0.2-0.4 km and Census outlines are generalised differently:
# a boundary closer than this touches the border (distance 0) rather than sitting "0.3 km" away.
TOUCH_KM = 1.0
REGION_CRS = {"06": "EPSG:3310", "02": "EPSG:3338", "15": "ESRI:102007"}
DEFAULT_CRS = "EPSG:5070"


class BorderError(Exception):
    pass


def crs_for(statefp: str | None) -> str:
    return REGION_CRS.get(statefp or "", DEFAULT_CRS)


# ---------------------------------------------------------------------------- the line and the zones
def border_line(path: Path = WORLD_ATLAS):
    """The US-Mexico land border in lon/lat (WGS84), read with GDAL's TopoJSON driver."""
    if not path.exists():
        raise BorderError(f"{path} is missing: install the front-end packages with `make assets` (npm install).")
    countries = gpd.read_file(path, layer="countries")
    by_id = dict(zip(countries["id"].astype(str), countries.geometry))
    if USA not in by_id or MEXICO not in by_id:
        raise BorderError(f"{path} has no United States / Mexico geometries")
    shared = shapely.intersection(by_id[USA].boundary, by_id[MEXICO].boundary)
    lines = [g for g in getattr(shared, "geoms", [shared]) if g.geom_type in ("LineString", "MultiLineString")]
    if not lines:
        raise BorderError(f"{path}: the United States and Mexico share no boundary")
    return shapely.line_merge(shapely.union_all(lines))


@dataclass(frozen=True)
class Zone:
    """One 100-mile zone: what the map draws, and the two unclipped buffers its flags are tested against."""
    drawn: object  # within `miles` of the line, clipped to the state outlines (land)
    reach: object  # within `miles` + ZONE_TOLERANCE_KM, unclipped: a boundary wholly in it reads "inside"
    core: object  # within `miles` - ZONE_TOLERANCE_KM, unclipped: a boundary reaching it reads at least "partly inside"


_TOLERANCE_MILES = ZONE_TOLERANCE_KM / KM_PER_MILE


@functools.lru_cache(maxsize=8)
def _zone_from_wkb(wkb: bytes, miles: float):
    line = gpd.GeoSeries([shapely.from_wkb(wkb)], crs=WGS84).to_crs(DEFAULT_CRS)
    return line.buffer(miles * KM_PER_MILE * 1000, quad_segs=32).to_crs(WGS84).iloc[0]


def mexico_zone(border, miles: float = ZONE_MILES):
    """Everything within ``miles`` of the land border line (lon/lat polygon, not clipped to land).

    Cached by the line's content (its WKB), never by object identity: Python reuses ids.
    """
    return _zone_from_wkb(shapely.to_wkb(border), miles)


def mexico_zones(border, land, miles: float = ZONE_MILES) -> Zone:
    """The Mexican-border zone: drawn clipped to ``land``, tested against the unclipped buffers."""
    return Zone(shapely.intersection(mexico_zone(border, miles), land),
                mexico_zone(border, miles + _TOLERANCE_MILES), mexico_zone(border, miles - _TOLERANCE_MILES))


def _land(states: gpd.GeoDataFrame):
    return shapely.union_all(shapely.make_valid(states.geometry.values))


def _external_buffer(land, miles: float):
    """Within ``miles`` of the outer edge of ``land`` (coasts, Great Lakes, both land borders), on both sides of it."""
    parts = [p for p in getattr(land, "geoms", [land]) if p.geom_type == "Polygon" and p.bounds[2] < 0]
    zones = []
    for p in parts:
        # Holes are inland lakes and slivers, not external; ~1 km of simplification is invisible in a 100-mile buffer.
        outer = shapely.simplify(shapely.LineString(p.exterior.coords), 0.01)
        lon, lat = outer.centroid.x, outer.centroid.y
        crs = "EPSG:3338" if lat > 50 else ("ESRI:102007" if lon < -150 else DEFAULT_CRS)
        g = gpd.GeoSeries([outer], crs=WGS84).to_crs(crs).buffer(miles * KM_PER_MILE * 1000, quad_segs=8)
        zones.append(shapely.make_valid(g.to_crs(WGS84).iloc[0]))
    return shapely.make_valid(shapely.union_all(zones))


def external_zones(states: gpd.GeoDataFrame, miles: float = ZONE_MILES) -> Zone:
    """The all-boundaries zone: drawn clipped to the state outlines, tested against the unclipped buffers."""
    land = _land(states)
    return Zone(shapely.intersection(_external_buffer(land, miles), land),
                _external_buffer(land, miles + _TOLERANCE_MILES), _external_buffer(land, miles - _TOLERANCE_MILES))


def zone_flags(geoms: np.ndarray, zone: Zone) -> np.ndarray:
    """'inside' / 'partly inside' / 'outside' for each geometry (vectorised), tested as ZONE_TEST says."""
    shapely.prepare(zone.reach)
    shapely.prepare(zone.core)
    inside = shapely.covers(zone.reach, geoms)
    touches = shapely.intersects(zone.core, geoms)
    return np.where(inside, "inside", np.where(touches, "partly inside", "outside"))


# ---------------------------------------------------------------------------- measuring
@dataclass
class Distance:
    km: float
    miles: float
    nearest_points: list[list[float]]  # [[lon, lat] on the jurisdiction, [lon, lat] on the border]
    mainland_km: float
    mainland_miles: float
    mainland_nearest_points: list[list[float]]
    parts: int
    nearest_part_is_mainland: bool
    nearest_part_area_km2: float


DISTANCE_COLUMNS = ("border_km", "border_miles", "mainland_km", "mainland_miles", "nearest_points",
                    "mainland_nearest_points", "parts", "nearest_part_is_mainland", "nearest_part_area_km2")


def _segments_km(lines: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Geodesic length (km) of each 2-point projected segment, and its endpoints in lon/lat."""
    ends = gpd.GeoSeries(lines, crs=crs).to_crs(WGS84).values
    xy = shapely.get_coordinates(ends).reshape(-1, 2, 2)
    _az, _back, metres = GEOD.inv(xy[:, 0, 0], xy[:, 0, 1], xy[:, 1, 0], xy[:, 1, 1])
    km = np.asarray(metres) / 1000.0
    return np.where(km < TOUCH_KM, 0.0, km), np.round(xy, 6)


def measure_many(geoms: gpd.GeoSeries, statefp: pd.Series, border) -> pd.DataFrame:
    """Distance columns (see DISTANCE_COLUMNS) for every polygon, index-aligned with ``geoms``.

    Each polygon part is matched to its nearest border segment through an STRtree of the line's
    segments, so every exact distance is one part against one segment (not against the whole line).
    """
    out = pd.DataFrame(index=geoms.index, columns=list(DISTANCE_COLUMNS), dtype=object)
    crs_of = statefp.map(crs_for)
    for crs, idx in crs_of.groupby(crs_of).groups.items():
        gp = geoms.loc[idx].to_crs(crs)
        bp = gpd.GeoSeries([border], crs=WGS84).to_crs(crs).iloc[0]
        pieces = []
        for line in shapely.get_parts(bp):
            xy = shapely.get_coordinates(line)
            pieces.append(shapely.linestrings(np.stack([xy[:-1], xy[1:]], axis=1)))
        segs = np.concatenate(pieces)
        tree = shapely.STRtree(segs)
        parts, owner = shapely.get_parts(gp.values, return_index=True)
        (pi, si), dist = tree.query_nearest(parts, return_distance=True, all_matches=False)
        seg_of = np.empty(len(parts), dtype=int)
        seg_of[pi] = si
        part_dist = np.empty(len(parts))
        part_dist[pi] = dist
        frame = pd.DataFrame({"owner": owner, "area": shapely.area(parts), "dist": part_dist})
        largest = frame.groupby("owner")["area"].idxmax().to_numpy()
        nearest = frame.groupby("owner")["dist"].idxmin().to_numpy()
        km, pts = _segments_km(shapely.shortest_line(parts[nearest], segs[seg_of[nearest]]), crs)
        main_km, main_pts = _segments_km(shapely.shortest_line(parts[largest], segs[seg_of[largest]]), crs)
        sub = out.loc[idx]
        sub["border_km"] = np.round(km, 3)
        sub["border_miles"] = np.round(km / KM_PER_MILE, 3)
        sub["mainland_km"] = np.round(main_km, 3)
        sub["mainland_miles"] = np.round(main_km / KM_PER_MILE, 3)
        sub["nearest_points"] = [json.dumps(p.tolist()) for p in pts]
        sub["mainland_nearest_points"] = [json.dumps(p.tolist()) for p in main_pts]
        sub["parts"] = frame.groupby("owner").size().to_numpy()
        sub["nearest_part_is_mainland"] = largest == nearest
        sub["nearest_part_area_km2"] = np.round(frame["area"].to_numpy()[nearest] / 1e6, 2)
        out.loc[idx] = sub
    for c in ("border_km", "border_miles", "mainland_km", "mainland_miles", "nearest_part_area_km2"):
        out[c] = out[c].astype(float)
    out["parts"] = out["parts"].astype(int)
    out["nearest_part_is_mainland"] = out["nearest_part_is_mainland"].astype(bool)
    return out


def measure(geom, border, statefp: str | None) -> Distance:
    """One geometry (lon/lat) to the border line: the same computation as :func:`measure_many`."""
    row = measure_many(gpd.GeoSeries([geom], crs=WGS84), pd.Series([statefp or ""]), border).iloc[0]
    return Distance(
        km=row["border_km"], miles=row["border_miles"], nearest_points=json.loads(row["nearest_points"]),
        mainland_km=row["mainland_km"], mainland_miles=row["mainland_miles"],
        mainland_nearest_points=json.loads(row["mainland_nearest_points"]), parts=int(row["parts"]),
        nearest_part_is_mainland=bool(row["nearest_part_is_mainland"]),
        nearest_part_area_km2=float(row["nearest_part_area_km2"]),
    )


def distance_record(row: pd.Series) -> dict:
    """The JSON the ``distance`` command prints for one boundary-index row."""
    return {
        "name": row["name"], "layer": row["layer"], "geoid": row["geoid"], "state": row["state"],
        "km": float(row["border_km"]), "miles": float(row["border_miles"]),
        "mainland_km": float(row["mainland_km"]), "mainland_miles": float(row["mainland_miles"]),
        "nearest_points": json.loads(row["nearest_points"]),
        "mainland_nearest_points": json.loads(row["mainland_nearest_points"]),
        "parts": int(row["parts"]), "nearest_part_is_mainland": bool(row["nearest_part_is_mainland"]),
        "nearest_part_area_km2": float(row["nearest_part_area_km2"]),
        "border_zone_100_miles": row["zone_mexico"], "external_border_zone_100_miles": row["zone_all"],
        "method": METHOD, "border_source": BORDER_SOURCE, "vintage": int(row["vintage"]), "boundary_file": row["file"],
    }


def fixed(value: float, digits: int = 1) -> str:
    """A distance for readers: '2012.3' in English (no grouping, as the site always wrote it), the language's own
    separators otherwise ('2012,3')."""
    return f"{value:.{digits}f}" if i18n.current() == i18n.SOURCE else i18n.number(value, digits)


def describe_distance(row: pd.Series, noun: str | None = None) -> str:
    """Plain words: '74.3 mi, measured from an outlying part of the district (an island of 148 km²); 103.8 mi from its
    mainland'.  ``noun`` is the level in the current language (default: 'jurisdiction')."""
    noun = noun or _("jurisdiction")
    miles, km = fixed(row["border_miles"]), fixed(row["border_km"])
    if row["parts"] > 1 and not row["nearest_part_is_mainland"]:
        return _("{miles} mi ({km} km), measured from an outlying part of the {noun} (a separate piece of {area} km², "
                 "such as an island); {mainland_miles} mi ({mainland_km} km) from its mainland").format(
            miles=miles, km=km, noun=noun, area=i18n.number(row["nearest_part_area_km2"], 0),
            mainland_miles=fixed(row["mainland_miles"]), mainland_km=fixed(row["mainland_km"]))
    return _("{miles} mi ({km} km) from its nearest edge").format(miles=miles, km=km)


# ---------------------------------------------------------------------------- reference points
@dataclass(frozen=True)
class ReferencePoint:
    name: str
    lon: float
    lat: float
    statefp: str
    source: str
    press: str


# Named reference points; coordinates as published by the cited page.
REFERENCE_POINTS = (
    ReferencePoint("Los Angeles City Hall (200 N Spring St)", -118.2430, 34.0536, "06",
                   "https://en.wikipedia.org/wiki/Los_Angeles_City_Hall", "LAUSD 'roughly 140 miles (225 km)' (BBC, 2024)"),
)


def reference_distance(point: ReferencePoint, border) -> dict:
    """Geodesic distance from a named point to the border line, projected in the CRS of the point's own state."""
    d = measure(shapely.Point(point.lon, point.lat), border, point.statefp)
    return {"reference point": point.name, "lon, lat": f"{point.lon}, {point.lat}", "miles": round(d.miles, 1),
            "km": round(d.km, 1), "coordinates source": point.source, "press figure for comparison": point.press}

