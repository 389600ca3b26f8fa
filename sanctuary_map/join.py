"""Join any table with (layer, GEOID) columns to the boundary index.  Nothing is dropped silently.

Policies, uploads, 287(g) agreements and federal designations all join here, against the
same national index (every boundary the Census source provides), and every row that does
not join is returned with the reason in words.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .boundaries import Boundaries
from .census import wanted_label
from .vocab import LAYERS, NATIONAL_LAYERS, STATE_FIPS

BOUNDARY_COLUMNS = ("boundary_name", "vintage", "lon", "lat", "minx", "miny", "maxx", "maxy", "border_km",
                    "border_miles", "mainland_km", "mainland_miles", "zone_mexico", "zone_all", "counties")


@dataclass
class JoinResult:
    matched: pd.DataFrame  # the rows that join, with BOUNDARY_COLUMNS added
    unmatched: pd.DataFrame  # the rest, with a ``reason`` column

    def report_lines(self, id_column: str = "policy_id", name_column: str = "jurisdiction_name") -> list[str]:
        total = len(self.matched) + len(self.unmatched)
        lines = [f"{len(self.matched)} of {total} rows join to a boundary"]
        for r in self.unmatched.to_dict("records"):
            lines.append(f"  unmatched {r.get(id_column, '')} ({r['_layer']} {r['_geoid']}, {r.get(name_column, '')}): {r['reason']}")
        return lines


def rows_for(frame: pd.DataFrame, layer: str, geoid: str, layer_column: str = "geoid_layer") -> pd.DataFrame:
    """The rows of any joined table that belong to one boundary: the one place a (layer, GEOID) key is matched."""
    return frame[(frame[layer_column] == layer) & (frame["geoid"] == geoid)]


def _reason(boundaries: Boundaries, layer: str, geoid: str, state: str) -> str:
    if layer not in LAYERS:
        return f"unknown layer {layer!r}"
    statefp = STATE_FIPS.get(state, geoid[:2])
    if not geoid:
        return ("no GEOID given, and this source has no boundary file to find it by name (with the Census website as "
                "source it resolves)" if not boundaries.has_file(layer, statefp) else "no GEOID given, and no boundary of that name")
    scope = "us" if layer in NATIONAL_LAYERS else statefp
    if not boundaries.has_file(layer, statefp):
        return (f"boundary file not in source: no {wanted_label(layer, scope)} in {boundaries.manifest.get('source', 'the source')} "
                f"(with the Census website as source it joins)")
    files = [f["file"] for f in boundaries.manifest["layers"].get(layer, {}).get("files", []) if f["scope"] == scope]
    return f"GEOID {geoid} is not in the {layer} layer ({', '.join(files) or 'no file'})"


def join(rows: pd.DataFrame, boundaries: Boundaries, *, layer_column: str = "geoid_layer", geoid_column: str = "geoid",
         state_column: str = "state") -> JoinResult:
    """Match each row to its boundary on (layer, GEOID), or say why it does not match."""
    left = rows.copy()
    left["_layer"] = left[layer_column].fillna("").astype(str)
    left["_geoid"] = left[geoid_column].fillna("").astype(str)
    right = boundaries.index.rename(columns={"layer": "_layer", "geoid": "_geoid", "name": "boundary_name"})
    right = right[["_layer", "_geoid", *BOUNDARY_COLUMNS]].drop_duplicates(["_layer", "_geoid"])
    merged = left.merge(right, on=["_layer", "_geoid"], how="left", indicator=True)
    hit = merged["_merge"] == "both"
    matched = merged[hit].drop(columns=["_merge", "_layer", "_geoid"]).reset_index(drop=True)
    missed = merged[~hit][[*left.columns]].copy()
    missed["reason"] = [_reason(boundaries, r["_layer"], r["_geoid"], str(r.get(state_column, "") or ""))
                        for r in missed.to_dict("records")]
    return JoinResult(matched, missed.reset_index(drop=True))
