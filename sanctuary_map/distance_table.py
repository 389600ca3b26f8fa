"""The Border distance page's table and named reference points."""
from __future__ import annotations

import pandas as pd
from shapely.geometry import Point

from . import border as border_mod
from .geodata import Layers
from .mapping import LEVEL_SINGULAR
from .view import View, apply

# Named reference points; coordinates as published by the cited page.
REFERENCE_POINTS = (
    {"name": "Los Angeles City Hall (200 N Spring St)", "lon": -118.2430, "lat": 34.0536,
     "source": "https://en.wikipedia.org/wiki/Los_Angeles_City_Hall", "press": "LAUSD 'roughly 140 miles (225 km)' (BBC, 2024)"},
)


def reference_distance(point: dict, layers: Layers) -> dict:
    """Geodesic distance from a named point to the built border line (the same line the map draws)."""
    border = layers.border.geometry.iloc[0]
    zone = layers.zone.geometry.iloc[0] if layers.zone is not None else None
    d = border_mod.measure(Point(point["lon"], point["lat"]), border, "06", zone)
    return {"reference point": point["name"], "lon, lat": f"{point['lon']}, {point['lat']}",
            "miles": round(d.miles, 1), "km": round(d.km, 1), "coordinates source": point["source"],
            "press figure for comparison": point["press"]}


def distance_table(layers: Layers, matched: pd.DataFrame, view: View) -> pd.DataFrame:
    shown = apply(view, matched)
    rows = []
    for (layer, geoid), grp in shown.groupby(["geoid_layer", "geoid"]):
        gdf = layers.web.get(layer)
        hit = gdf[gdf["geoid"] == geoid] if gdf is not None else None
        if hit is None or hit.empty or pd.isna(hit.iloc[0]["border_km"]):
            continue
        f, first = hit.iloc[0], grp.iloc[0]
        rows.append({
            "jurisdiction": first["jurisdiction_name"], "level": LEVEL_SINGULAR[first["jurisdiction_level"]],
            "state": first["state"], "layer": layer, "geoid": geoid,
            "miles": f["border_miles"], "km": f["border_km"], "mainland_miles": f["mainland_miles"], "mainland_km": f["mainland_km"],
            "parts": int(f["parts"]), "nearest part": "mainland" if f["nearest_part_is_mainland"] else "an outlying part (island)",
            "100-mile zone": f["zone"], "instruments": len(grp), "vintage": int(f["vintage"]),
        })
    cols = ["jurisdiction", "level", "state", "layer", "geoid", "miles", "km", "mainland_miles", "mainland_km", "parts",
            "nearest part", "100-mile zone", "instruments", "vintage"]
    return pd.DataFrame(rows, columns=cols).sort_values("km", kind="stable").reset_index(drop=True)
