"""The two 100-mile zones at the coast: a coastal fixture built in code (never real data).

A state outline (the generalised coastline the drawn zone is clipped to) and jurisdictions whose more detailed
outlines reach past it into the water: they lie wholly within 100 miles of the boundary and read "inside"; one
that genuinely crosses the 100-mile line reads "partly inside"; within the lines' precision a boundary counts on
the side where it lies.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import box

from sanctuary_map import distances as d

# A fixture state whose west edge is its "coast"; every edge is external. Its middle is > 100 miles from all of them.
STATE = box(-110.0, 36.0, -100.0, 41.0)
COAST_CITY = box(-110.05, 38.0, -109.9, 38.1)  # its harbour reaches past the coastline into the water
STRADDLING = box(-108.3, 38.4, -107.9, 38.5)  # ~149-184 km from the coast: crosses the 100-mile (161 km) line
INLAND = box(-105.1, 38.4, -104.9, 38.5)  # ~430 km from every edge
LINE_KM = d.ZONE_MILES * d.KM_PER_MILE


def _states() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"geoid": ["08"]}, geometry=[STATE], crs=d.WGS84)


def _band(lo_km: float, hi_km: float):
    """A strip between ``lo_km`` and ``hi_km`` from the fixture coast (measured as the zone is buffered: EPSG:5070)."""
    edge = gpd.GeoSeries([shapely.LineString([(-110, 36), (-110, 41)])], crs=d.WGS84).to_crs(d.DEFAULT_CRS).iloc[0]
    ring = edge.buffer(hi_km * 1000, quad_segs=64).difference(edge.buffer(lo_km * 1000, quad_segs=64))
    cx, cy = gpd.GeoSeries([shapely.Point(-108, 38.5)], crs=d.WGS84).to_crs(d.DEFAULT_CRS).iloc[0].coords[0]
    strip = ring.intersection(shapely.box(cx - 300e3, cy - 10e3, cx + 300e3, cy + 10e3))
    return gpd.GeoSeries([shapely.segmentize(strip, 500)], crs=d.DEFAULT_CRS).to_crs(d.WGS84).iloc[0]


def _flags(zone: d.Zone, *geoms) -> list[str]:
    return list(d.zone_flags(np.array(geoms, dtype=object), zone))


def test_coastal_outline_past_the_coastline_reads_inside():
    zone = d.external_zones(_states())
    # The drawn zone stops at the coastline, so the harbour is not in it; the test is against the unclipped buffer.
    assert not zone.drawn.covers(COAST_CITY)
    assert _flags(zone, COAST_CITY, STRADDLING, INLAND) == ["inside", "partly inside", "outside"]


def test_boundaries_within_the_lines_precision_count_on_their_side():
    zone = d.external_zones(_states())
    tol = d.ZONE_TOLERANCE_KM
    assert _flags(zone, _band(150, LINE_KM + tol / 2), _band(150, LINE_KM + 3 * tol)) == ["inside", "partly inside"]
    assert _flags(zone, _band(LINE_KM - tol / 2, 200), _band(LINE_KM - 3 * tol, 200)) == ["outside", "partly inside"]


def test_mexican_border_zone_is_tested_unclipped_too():
    border = shapely.LineString([(-117.0, 32.6), (-106.5, 31.8)])
    land = box(-118.0, 32.7, -105.0, 36.0)  # a generalised outline that stops short of the line
    zone = d.mexico_zones(border, land)
    border_town = box(-115.6, 32.55, -115.4, 32.8)  # its outline reaches past the state outline to the line
    straddling = box(-112.0, 33.2, -111.8, 34.4)  # ~100-280 km north of the line
    far = box(-110.0, 35.5, -109.8, 35.8)
    assert not zone.drawn.covers(border_town)
    assert _flags(zone, border_town, straddling, far) == ["inside", "partly inside", "outside"]
