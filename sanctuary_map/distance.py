"""Distance records for one jurisdiction, read from the built layers (CLI and pages)."""
from __future__ import annotations

import json
from pathlib import Path

from . import border
from .geodata import GeodataError, read_layer_file, read_manifest
from .policies import LAYERS


class DistanceError(Exception):
    pass


def distance_record(geodata: Path, layer: str, geoid: str) -> dict:
    if layer not in LAYERS:
        raise DistanceError(f"unknown layer {layer!r}; expected one of: {', '.join(LAYERS)}")
    try:
        manifest = read_manifest(geodata)
        gdf = read_layer_file(geodata, layer, web=True)
    except GeodataError as exc:
        raise DistanceError(str(exc)) from exc
    hits = gdf[gdf["geoid"] == geoid]
    if hits.empty:
        raise DistanceError(f"GEOID {geoid!r} is not a mapped boundary in the {layer} layer "
                            f"(only boundaries that a policy joins to are measured)")
    row = hits.iloc[0]
    if row["border_km"] != row["border_km"]:  # NaN: context feature, not measured
        raise DistanceError(f"GEOID {geoid} in the {layer} layer has no policy, so it was not measured")
    return {
        "name": row["name"],
        "layer": layer,
        "geoid": geoid,
        "km": float(row["border_km"]),
        "miles": float(row["border_miles"]),
        "mainland_km": float(row["mainland_km"]),
        "mainland_miles": float(row["mainland_miles"]),
        "nearest_points": json.loads(row["nearest_points"]),
        "mainland_nearest_points": json.loads(row["mainland_nearest_points"]),
        "parts": int(row["parts"]),
        "nearest_part_is_mainland": bool(row["nearest_part_is_mainland"]),
        "border_zone_100_miles": row["zone"],
        "method": border.METHOD,
        "border_source": border.BORDER_SOURCE,
        "vintage": int(row["vintage"]),
        "boundary_file": next((f["file"] for f in manifest["layers"][layer]["files"]
                              if f.get("scope") in ("us", row["statefp"])), None),
    }
