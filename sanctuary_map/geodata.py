"""Build the boundary layers (GeoParquet) and their manifest from Census CB files.

For each layer two geometries are written:

* ``<layer>.parquet`` - full resolution, WGS84, every feature of the source files (for
  measuring and joining);
* ``<layer>.web.parquet`` - coverage-simplified (neighbours keep shared edges) with
  coordinates rounded to 1e-5 degrees, for drawing.  For places and school districts only
  the features a policy joins to are kept; states and counties are kept whole as context.

The manifest (``manifest.json``) records, per layer, the source file names, vintages,
sha256, feature counts, CRS, and the build time, plus every file the policies needed
that the source did not have.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import border as border_mod
from .census import NATIONAL, NATIONAL_LAYERS, CensusFile, Source, read_layer, sha256, wanted_label
from .policies import STATE_FIPS, PolicyTable

LAYER_ORDER = ("state", "county", "place", "unsd", "elsd", "scsd")
LAYER_TITLES = {
    "state": "States", "county": "Counties", "place": "Cities (places)",
    "unsd": "School districts (unified)", "elsd": "School districts (elementary)", "scsd": "School districts (secondary)",
}
# Coverage-simplification tolerance in degrees (~1 km for states, ~100 m for local layers).
TOLERANCE = {"state": 0.01, "county": 0.005, "place": 0.0005, "unsd": 0.0008, "elsd": 0.0008, "scsd": 0.0008}
WGS84 = "EPSG:4326"
MANIFEST = "manifest.json"
BORDER_FILE = "border.geojson"
COUNTY_TOPOLOGY = "county.topo.json"
# National county context: coarser than the county layer's web geometry, shared arcs, quantised.
COUNTY_TOPO_TOLERANCE = 0.01
COUNTY_TOPO_QUANTIZATION = 20_000
COUNTY_SHARE = 0.05  # a city/district "is in" a county holding at least this share of its area
ZONE_FILE = "border_zone.geojson"

Log = Callable[[str], None]


@dataclass
class Need:
    layer: str
    scope: str  # "us" or state FIPS
    policy_ids: list[str] = field(default_factory=list)


def needed_files(policies: pd.DataFrame) -> list[Need]:
    """National states and counties always; per-state places / school districts the policies reference."""
    needs: dict[tuple[str, str], Need] = {(layer, NATIONAL): Need(layer, NATIONAL) for layer in NATIONAL_LAYERS}
    for row in policies.itertuples(index=False):
        layer = row.geoid_layer
        scope = NATIONAL if layer in NATIONAL_LAYERS else STATE_FIPS.get(row.state, row.geoid[:2])
        needs.setdefault((layer, scope), Need(layer, scope)).policy_ids.append(row.policy_id)
    return sorted(needs.values(), key=lambda n: (LAYER_ORDER.index(n.layer), n.scope))


# Coordinate rounding for drawing: ~11 m for national layers, ~1 m for local ones.
GRID = {"state": 1e-4, "county": 1e-4, "place": 1e-5, "unsd": 1e-5, "elsd": 1e-5, "scsd": 1e-5}


def _web_geometry(gdf: gpd.GeoDataFrame, tolerance: float, grid: float = 1e-5) -> gpd.GeoSeries:
    geoms = gdf.geometry.make_valid() if not gdf.geometry.is_valid.all() else gdf.geometry
    try:
        simple = geoms.simplify_coverage(tolerance)
    except Exception:  # not a valid coverage (overlaps): fall back to per-feature simplification
        simple = geoms.simplify(tolerance, preserve_topology=True)
    rounded = shapely.set_precision(simple.values, grid, mode="pointwise")
    return gpd.GeoSeries(rounded, index=gdf.index, crs=gdf.crs)


def build(
    policies: PolicyTable,
    source: Source,
    out_dir: Path,
    *,
    log: Log = print,
    progress_factory=None,
) -> dict:
    """Build every layer the source has files for; report (never drop) what it lacks."""
    started = time.time()
    out_dir.mkdir(parents=True, exist_ok=True)
    needs = needed_files(policies.rows)
    found: dict[str, list[tuple[CensusFile, Path, Need]]] = {}
    missing = []
    for need in needs:
        f = source.locate(need.layer, need.scope)
        if f is None:
            missing.append({"layer": need.layer, "scope": need.scope, "wanted": wanted_label(need.layer, need.scope),
                            "policy_ids": need.policy_ids,
                            "reason": f"no {wanted_label(need.layer, need.scope)} file in source"})
            log(f"  not in source: {wanted_label(need.layer, need.scope)} (needed by {len(need.policy_ids)} policies)")
            continue
        bar = progress_factory(f.name) if progress_factory else None
        path = source.fetch(f, out_dir / "cache", bar)
        found.setdefault(need.layer, []).append((f, path, need))

    joined_keys = {(r.geoid_layer, r.geoid) for r in policies.rows.itertuples(index=False)}
    border = border_mod.border_line()
    zone = border_mod.border_zone(border)
    manifest_layers = {}
    counties = None  # the full county layer, once built (used by later layers and the topology)
    for layer in LAYER_ORDER:
        if layer not in found:
            continue
        parts, files = [], []
        for f, path, _need in found[layer]:
            log(f"  reading {f.name}")
            gdf = read_layer(path, f)
            src_crs = str(gdf.crs)
            files.append({"file": f.name, "scope": f.scope, "vintage": f.year, "resolution": f.resolution, "sha256": sha256(path),
                          "features": int(len(gdf)), "source_crs": src_crs})
            gdf["vintage"] = f.year
            parts.append(gdf.to_crs(WGS84))
        full = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=WGS84)
        # Distances for every boundary a policy joins to (full-resolution geometry).
        full = _add_distances(full, layer, joined_keys, border, zone, log)
        keep = full if layer in NATIONAL_LAYERS else full[full["geoid"].isin({g for lay, g in joined_keys if lay == layer})]
        web = keep.copy()
        if layer == "county":
            counties = full
        elif counties is not None:
            web["counties"] = _counties_touched(keep, counties)
        web["geometry"] = _web_geometry(keep, TOLERANCE[layer], GRID[layer])
        full.to_parquet(out_dir / f"{layer}.parquet")
        web.to_parquet(out_dir / f"{layer}.web.parquet")
        manifest_layers[layer] = {
            "title": LAYER_TITLES[layer], "files": files, "features": int(len(full)), "web_features": int(len(web)),
            "vintages": sorted({fi["vintage"] for fi in files}), "crs": WGS84,
            "simplification": f"coverage-preserving, tolerance {TOLERANCE[layer]} degrees; coordinates rounded to {GRID[layer]} degrees",
        }
        log(f"  {layer}: {len(full):,} features ({len(web):,} drawn)")

    if counties is not None:
        size = _write_county_topology(counties, out_dir)
        manifest_layers["county"]["topology"] = {"file": COUNTY_TOPOLOGY, "bytes": size,
                                                 "simplification": f"coverage-preserving, tolerance {COUNTY_TOPO_TOLERANCE} degrees",
                                                 "quantization": COUNTY_TOPO_QUANTIZATION}
    land = None
    if "state" in found:
        states = gpd.read_parquet(out_dir / "state.web.parquet")
        land = states.union_all()
    zone_clip = zone.intersection(land) if land is not None else zone
    gpd.GeoDataFrame({"name": ["US-Mexico land border"]}, geometry=[border], crs=WGS84).to_file(out_dir / BORDER_FILE, driver="GeoJSON")
    gpd.GeoDataFrame({"name": ["100-mile border zone"]}, geometry=[shapely.set_precision(zone_clip.simplify(0.005), 1e-4)],
                     crs=WGS84).to_file(out_dir / ZONE_FILE, driver="GeoJSON")
    manifest = {
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "build_seconds": round(time.time() - started, 1),
        "source": source.describe(),
        "policies": policies.source,
        "layers": manifest_layers,
        "missing": missing,
        "border": {"file": BORDER_FILE, "source": border_mod.BORDER_SOURCE, "licence": "public domain (Natural Earth)"},
        "border_zone": {"file": ZONE_FILE, "miles": border_mod.ZONE_MILES,
                        "method": "buffer of the land border line in EPSG:5070 (CONUS Albers), clipped to the states layer"},
        "distance_method": border_mod.METHOD,
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def _counties_touched(features: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> pd.Series:
    """For each city/district, the counties holding at least 5% of its area, as "06037,06059".

    County outlines are 1:5,000,000 and places 1:500,000, so edges disagree: overlaps under ~2% are
    mostly slivers (Boston "in" Middlesex). 5% keeps every borough of New York and drops the slivers;
    a real small share (Chicago's O'Hare corner in DuPage, ~1%) is missed, and documented.
    """
    pairs = gpd.sjoin(features[["geoid", "geometry"]].reset_index(), counties[["geoid", "geometry"]],
                      predicate="intersects", lsuffix="f", rsuffix="c")
    out: dict[int, list[str]] = {}
    for r in pairs.itertuples(index=False):
        geom = features.at[r.index, "geometry"]
        if geom.intersection(counties.at[r.index_c, "geometry"]).area >= COUNTY_SHARE * geom.area:
            out.setdefault(r.index, []).append(r.geoid_c)
    return pd.Series({i: ",".join(sorted(out.get(i, []))) for i in features.index}, dtype=object)


def _write_county_topology(c: gpd.GeoDataFrame, out_dir: Path) -> int:
    """All counties as one TopoJSON (shared arcs written once), for national coverage shading."""
    import topojson

    from .policies import STATE_FIPS

    abbr = {v: k for k, v in STATE_FIPS.items()}
    g = gpd.GeoDataFrame({"g": c["geoid"], "n": c["name"] + ", " + c["statefp"].map(abbr).fillna("")},
                         geometry=c.geometry.simplify_coverage(COUNTY_TOPO_TOLERANCE), crs=WGS84)
    topo = json.loads(topojson.Topology(g, prequantize=COUNTY_TOPO_QUANTIZATION, topology=True).to_json())
    for geom in topo["objects"]["data"]["geometries"]:
        geom.pop("id", None)
    text = json.dumps(topo, separators=(",", ":"))
    (out_dir / COUNTY_TOPOLOGY).write_text(text)
    return len(text)


def _add_distances(full, layer, joined_keys, border, zone, log) -> gpd.GeoDataFrame:
    cols = {"border_km": np.nan, "border_miles": np.nan, "mainland_km": np.nan, "mainland_miles": np.nan,
            "nearest_points": None, "mainland_nearest_points": None, "parts": 0,
            "nearest_part_is_mainland": None, "zone": None}
    for c, v in cols.items():
        full[c] = v
    full["nearest_points"] = full["nearest_points"].astype(object)
    full["mainland_nearest_points"] = full["mainland_nearest_points"].astype(object)
    targets = full.index[full["geoid"].isin({g for lay, g in joined_keys if lay == layer})]
    for i in targets:
        d = border_mod.measure(full.at[i, "geometry"], border, full.at[i, "statefp"], zone)
        full.at[i, "border_km"], full.at[i, "border_miles"] = d.km, d.miles
        full.at[i, "mainland_km"], full.at[i, "mainland_miles"] = d.mainland_km, d.mainland_miles
        full.at[i, "nearest_points"] = json.dumps(d.nearest_points)
        full.at[i, "mainland_nearest_points"] = json.dumps(d.mainland_nearest_points)
        full.at[i, "parts"] = d.parts
        full.at[i, "nearest_part_is_mainland"] = d.nearest_part_is_mainland
        full.at[i, "zone"] = d.zone
    if len(targets):
        log(f"  {layer}: measured {len(targets)} jurisdictions to the border")
    return full


# ---------------------------------------------------------------------------- reading built data
class GeodataError(Exception):
    """A built layer is missing or unreadable; the message names the fix."""


REBUILD = "python -m sanctuary_map geodata build"


def read_manifest(out_dir: Path) -> dict:
    path = out_dir / MANIFEST
    if not path.exists():
        raise GeodataError(f"{path} is missing: the geodata has not been built. Run `{REBUILD}` (or `make geodata`).")
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise GeodataError(f"{path} is unreadable ({exc}). Run `{REBUILD}` again.") from exc


def read_layer_file(out_dir: Path, layer: str, web: bool = True) -> gpd.GeoDataFrame:
    path = out_dir / f"{layer}{'.web' if web else ''}.parquet"
    if not path.exists():
        raise GeodataError(f"layer file {path.name} is missing from {out_dir}. Run `{REBUILD}`.")
    try:
        gdf = gpd.read_parquet(path)
    except Exception as exc:
        raise GeodataError(f"layer file {path.name} cannot be read ({exc.__class__.__name__}: {exc}); it may be truncated. Run `{REBUILD}`.") from exc
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise GeodataError(f"layer file {path.name} has CRS {gdf.crs}, expected EPSG:4326 (WGS84). Run `{REBUILD}`.")
    return gdf


@dataclass
class Layers:
    """Built layers that loaded, plus a message for every one that did not."""

    web: dict[str, gpd.GeoDataFrame]
    manifest: dict
    errors: dict[str, str]
    border: gpd.GeoDataFrame | None = None
    zone: gpd.GeoDataFrame | None = None
    county_topology: Path | None = None


def load_layers(out_dir: Path) -> Layers:
    manifest = read_manifest(out_dir)
    web, errors = {}, {}
    for layer in manifest.get("layers", {}):
        try:
            web[layer] = read_layer_file(out_dir, layer, web=True)
        except GeodataError as exc:
            errors[layer] = str(exc)
    border = zone = None
    for attr, fname in (("border", BORDER_FILE), ("zone", ZONE_FILE)):
        try:
            g = gpd.read_file(out_dir / fname)
            if attr == "border":
                border = g
            else:
                zone = g
        except Exception as exc:
            errors[attr] = f"{fname} is missing or unreadable ({exc.__class__.__name__}). Run `{REBUILD}`."
    topo = out_dir / COUNTY_TOPOLOGY
    if "county" in web and not topo.exists():
        errors["county_topology"] = f"{COUNTY_TOPOLOGY} is missing (national county shading off). Run `{REBUILD}`."
    return Layers(web, manifest, errors, border, zone, topo if topo.exists() else None)


def publish_topology(layers: Layers, static_dir: Path, url_base: str = "/app/static") -> str | None:
    """Copy the county topology into the served static folder under a content-hashed name; return its URL.

    Browsers fetch it once and cache it, so filter changes send only the small coverage lookup.
    """
    import hashlib

    if layers.county_topology is None:
        return None
    data = layers.county_topology.read_bytes()
    name = f"county-{hashlib.sha256(data).hexdigest()[:12]}.topo.json"
    target = static_dir / "generated" / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
    return f"{url_base}/generated/{name}"
