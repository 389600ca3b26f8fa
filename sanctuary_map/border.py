"""The US-Mexico land border, distances to it, and the 100-mile border zone.

The border line is the set of TopoJSON arcs that the United States (ISO 840) and Mexico
(ISO 484) share in Natural Earth's 1:10m countries, as packaged by npm ``world-atlas``
(public domain).  Shared arcs are exactly the land boundary: no coastline is included.

Distances follow the engineering notes: nearest points are found in a projected CRS
suited to the region (California Albers, EPSG:3310, for California; CONUS Albers,
EPSG:5070, elsewhere), then the segment between them is measured on the WGS84 ellipsoid
with ``pyproj.Geod.inv``.  Degrees and Web Mercator are never used to measure.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import LineString, MultiLineString, Point
from shapely.ops import linemerge, nearest_points

from ._paths import NODE_MODULES

GEOD = Geod(ellps="WGS84")
KM_PER_MILE = 1.609344
ZONE_MILES = 100.0
WORLD_ATLAS = NODE_MODULES / "world-atlas" / "countries-10m.json"
BORDER_SOURCE = "Natural Earth 1:10m countries via npm world-atlas 2.0.2 (public domain): arcs shared by the United States and Mexico"
METHOD = ("Shortest straight-line distance from the jurisdiction's polygon (full-resolution Census geometry, all parts) "
          "to the US-Mexico land border line; nearest points found in EPSG:3310 (California) or EPSG:5070 (elsewhere), "
          "length measured as a geodesic on the WGS84 ellipsoid. Boundaries within 1 km of the line (its precision) count as touching it: 0.")
USA, MEXICO = "840", "484"
# The 1:10m border line is quantised to ~0.2-0.4 km and Census outlines are generalised differently:
# a boundary closer than this touches the border (distance 0) rather than sitting "0.3 km" away.
TOUCH_KM = 1.0


class BorderError(Exception):
    pass


def _decode_arcs(topo: dict) -> list[np.ndarray]:
    tr = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        a = np.asarray(arc, dtype=float)
        if tr:
            a = np.cumsum(a, axis=0) * tr["scale"] + tr["translate"]
        arcs.append(a)
    return arcs


def _arc_ids(geometry: dict) -> set[int]:
    ids: set[int] = set()

    def walk(x):
        if isinstance(x, list):
            for y in x:
                walk(y)
        else:
            ids.add(x if x >= 0 else ~x)

    walk(geometry.get("arcs", []))
    return ids


def border_line(path: Path = WORLD_ATLAS) -> LineString | MultiLineString:
    """The US-Mexico land border in lon/lat (WGS84)."""
    if not path.exists():
        raise BorderError(f"{path} is missing: install the front-end packages with `make assets` (npm install).")
    topo = json.loads(path.read_text())
    geoms = {g.get("id"): g for g in topo["objects"]["countries"]["geometries"]}
    if USA not in geoms or MEXICO not in geoms:
        raise BorderError(f"{path} has no United States / Mexico geometries")
    shared = sorted(_arc_ids(geoms[USA]) & _arc_ids(geoms[MEXICO]))
    if not shared:
        raise BorderError(f"{path}: the United States and Mexico share no arcs")
    arcs = _decode_arcs(topo)
    return linemerge([LineString(arcs[i]) for i in shared])


def _project(geom, crs: str):
    t = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def _unproject(geom, crs: str):
    t = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def crs_for(statefp: str | None) -> str:
    return "EPSG:3310" if statefp == "06" else "EPSG:5070"


def geodesic_km(a: Point, b: Point) -> float:
    _, _, metres = GEOD.inv(a.x, a.y, b.x, b.y)
    return metres / 1000.0


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
    zone: str  # inside / partly inside / outside the 100-mile zone

    def as_dict(self) -> dict:
        return asdict(self)


def _nearest(poly_p, border_p, crs: str) -> tuple[float, list[list[float]]]:
    if poly_p.intersects(border_p):
        p = _unproject(shapely.intersection(poly_p, border_p).representative_point(), crs)
        return 0.0, [[round(p.x, 6), round(p.y, 6)], [round(p.x, 6), round(p.y, 6)]]
    a, b = nearest_points(poly_p, border_p)
    a, b = _unproject(a, crs), _unproject(b, crs)
    km = geodesic_km(a, b)
    return (0.0 if km < TOUCH_KM else km), [[round(a.x, 6), round(a.y, 6)], [round(b.x, 6), round(b.y, 6)]]


def measure(geom, border, statefp: str | None, zone=None) -> Distance:
    """Distance from one (multi)polygon in lon/lat to the border line; see the module docstring."""
    crs = crs_for(statefp)
    gp, bp = _project(geom, crs), _project(border, crs)
    km, pts = _nearest(gp, bp, crs)
    parts = list(getattr(gp, "geoms", [gp]))
    largest = max(parts, key=lambda p: p.area)
    main_km, main_pts = _nearest(largest, bp, crs)
    nearest_part = min(parts, key=lambda p: p.distance(bp))
    if zone is None:
        zone = border_zone(border)
    return Distance(
        km=round(km, 3), miles=round(km / KM_PER_MILE, 3), nearest_points=pts,
        mainland_km=round(main_km, 3), mainland_miles=round(main_km / KM_PER_MILE, 3), mainland_nearest_points=main_pts,
        parts=len(parts), nearest_part_is_mainland=nearest_part is largest,
        nearest_part_area_km2=round(nearest_part.area / 1e6, 2), zone=zone_flag(geom, zone),
    )


_ZONE_CACHE: dict[int, object] = {}


def border_zone(border, miles: float = ZONE_MILES):
    """Everything within ``miles`` of the land border (lon/lat polygon), buffered in EPSG:5070."""
    key = id(border)
    if key not in _ZONE_CACHE:
        proj = _project(border, "EPSG:5070")
        _ZONE_CACHE[key] = _unproject(proj.buffer(miles * KM_PER_MILE * 1000, quad_segs=32), "EPSG:5070")
    return _ZONE_CACHE[key]


def zone_flag(geom, zone) -> str:
    if zone.contains(geom):
        return "inside"
    if zone.intersects(geom):
        return "partly inside"
    return "outside"


def brute_force_km(geom, border, step_km: float = 0.5) -> float:
    """Reference distance: geodesic minimum over densified vertices of both shapes (slow, for tests)."""
    from shapely import segmentize

    crs = crs_for(None)
    deg = step_km / 111.0
    poly_pts = np.asarray(shapely.get_coordinates(segmentize(geom.boundary, deg)))
    line_pts = np.asarray(shapely.get_coordinates(segmentize(border, deg)))
    # Cheap pre-filter in projected metres, then exact geodesics on the closest candidates.
    gp = np.asarray(shapely.get_coordinates(_project(shapely.MultiPoint(poly_pts), crs)))
    lp = np.asarray(shapely.get_coordinates(_project(shapely.MultiPoint(line_pts), crs)))
    best = np.inf
    chunk = 2000
    cand = []
    for i in range(0, len(gp), chunk):
        d = np.hypot(gp[i:i + chunk, None, 0] - lp[None, :, 0], gp[i:i + chunk, None, 1] - lp[None, :, 1])
        j = np.unravel_index(np.argsort(d, axis=None)[:20], d.shape)
        cand.extend(zip(j[0] + i, j[1]))
    for i, j in cand:
        _, _, m = GEOD.inv(poly_pts[i, 0], poly_pts[i, 1], line_pts[j, 0], line_pts[j, 1])
        best = min(best, m / 1000.0)
    return float(best)
