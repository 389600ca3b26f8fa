"""Join policies to boundaries on (Census layer, GEOID).  Nothing is dropped silently."""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from .census import NATIONAL, NATIONAL_LAYERS, wanted_label
from .policies import STATE_FIPS


@dataclass
class JoinResult:
    matched: pd.DataFrame  # policy rows with boundary name and vintage
    unmatched: pd.DataFrame  # policy rows with a ``reason``

    def report_lines(self) -> list[str]:
        lines = [f"{len(self.matched)} of {len(self.matched) + len(self.unmatched)} policies join to a boundary"]
        for r in self.unmatched.itertuples(index=False):
            lines.append(f"  unmatched {r.policy_id} ({r.geoid_layer} {r.geoid}, {r.jurisdiction_name}): {r.reason}")
        return lines


def join(policies: pd.DataFrame, layers: dict[str, gpd.GeoDataFrame], manifest: dict) -> JoinResult:
    """Match each policy to exactly one boundary, or say why not."""
    missing = {(m["layer"], m["scope"]): m for m in manifest.get("missing", [])}
    broken = manifest.get("_load_errors", {})
    matched, unmatched = [], []
    for row in policies.to_dict("records"):
        layer, geoid = row["geoid_layer"], row["geoid"]
        scope = NATIONAL if layer in NATIONAL_LAYERS else STATE_FIPS.get(row["state"], geoid[:2])
        gdf = layers.get(layer)
        if layer in broken:
            reason = f"{layer} layer failed to load: {broken[layer]}"
        elif (layer, scope) in missing:
            reason = f"boundary source not available: {missing[(layer, scope)]['reason']}"
        elif gdf is None:
            reason = f"no {wanted_label(layer, scope)} file in the built geodata; rebuild with `python -m sanctuary_map geodata build`"
        else:
            hits = gdf[gdf["geoid"] == geoid]
            if len(hits) == 1:
                hit = hits.iloc[0]
                matched.append({**row, "boundary_name": hit["name"], "vintage": int(hit["vintage"])})
                continue
            reason = (f"GEOID {geoid} matches {len(hits)} boundaries in the {layer} layer" if len(hits)
                      else f"GEOID {geoid} is not in the {layer} layer (vintage {sorted(gdf['vintage'].unique().tolist())})")
        unmatched.append({**row, "reason": reason})
    cols = list(policies.columns)
    return JoinResult(pd.DataFrame(matched, columns=[*cols, "boundary_name", "vintage"]),
                      pd.DataFrame(unmatched, columns=[*cols, "reason"]))
