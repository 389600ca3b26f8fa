"""The national boundary index: every boundary the Census source provides, built once.

The build does not depend on any table: it turns every layer the source has — states,
counties, places and unified / elementary / secondary school districts, from ``cb_`` or
``tl_`` files — into

* ``full/<layer>.parquet``: full-resolution geometry in WGS84, for measuring and for
  finding which jurisdictions contain a point;
* ``index.parquet``: one slim row per boundary (no geometry): ``layer``, ``geoid``, name,
  state, vintage, source file, bounding box, a point inside it, area, distance to the
  Mexican land border and its nearest points (whole and mainland), both 100-mile zones,
  and the counties it overlaps.  Every join — policies, uploads, 287(g) agreements,
  federal lists — runs against this index;
* ``tiles/boundaries.pmtiles``: vector tiles of every layer, for drawing (see :mod:`sanctuary_map.tiles`);
* the border line and the two zones as GeoJSON, and ``manifest.json`` recording every
  file used (name, kind, vintage, sha256, features, CRS) and every (layer, state) the
  source did not have.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import distances, tiles
from .census import CensusError, Source, read_layer, scopes_for, sha256, wanted_label
from .vocab import FIPS_STATE, LAYER_TITLES, LAYERS

WGS84 = distances.WGS84
MANIFEST = "manifest.json"
INDEX = "index.parquet"
FULL_DIR = "full"
# Versioned builds: each build writes versions/<id>/ and then points the `current` symlink at it in one rename, so a
# reader never sees a half-written folder; running sessions keep their version, new ones get the new one.
VERSIONS_DIR = "versions"
CURRENT = "current"
KEEP_VERSIONS = 3
_FLAT = (MANIFEST, INDEX, FULL_DIR, "tiles", "border.geojson", "zone_mexico.geojson", "zone_all.geojson")
BORDER_FILE = "border.geojson"
ZONE_FILES = {"zone_mexico": "zone_mexico.geojson", "zone_all": "zone_all.geojson"}
# A city or district "is in" a county holding at least this share of its area (edges of 1:500k places and
# 1:5M counties disagree; smaller overlaps are mostly slivers).
COUNTY_SHARE = 0.05
REBUILD = "python -m sanctuary_map geodata build"
INDEX_COLUMNS = ("layer", "geoid", "name", "name_full", "state", "statefp", "vintage", "file", "minx", "miny", "maxx",
                 "maxy", "lon", "lat", "area_km2", *distances.DISTANCE_COLUMNS, "zone_mexico", "zone_all", "counties")

Log = Callable[[str], None]


class GeodataError(Exception):
    """Built boundary data is missing or unreadable; the message names the fix."""


# ---------------------------------------------------------------------------- build
def _counties_of(features: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> pd.Series:
    """For each feature, the counties holding at least COUNTY_SHARE of its area, as '06037,06059'."""
    left = features[["geometry"]].reset_index(names="i")
    right = counties[["geoid", "geometry"]]
    pairs = gpd.sjoin(left, right, predicate="intersects", how="inner")
    if pairs.empty:
        return pd.Series("", index=features.index)
    geoms = features.geometry.loc[pairs["i"]].values
    shares = shapely.area(shapely.intersection(geoms, right.geometry.loc[pairs["index_right"]].values)) / shapely.area(geoms)
    keep = pairs.loc[shares >= COUNTY_SHARE]
    joined = keep.groupby("i")["geoid"].agg(lambda s: ",".join(sorted(s)))
    return joined.reindex(features.index).fillna("")


def _index_rows(gdf: gpd.GeoDataFrame, layer: str, border, zones: dict, counties: gpd.GeoDataFrame | None) -> pd.DataFrame:
    bounds = gdf.geometry.bounds
    points = gdf.geometry.representative_point()
    equal_area = gdf.geometry.to_crs("EPSG:6933")
    frame = pd.DataFrame({
        "layer": layer, "geoid": gdf["geoid"].values, "name": gdf["name"].values, "name_full": gdf["name_full"].values,
        "state": gdf["statefp"].map(FIPS_STATE).fillna("").values, "statefp": gdf["statefp"].values,
        "vintage": gdf["vintage"].values, "file": gdf["file"].values,
        "minx": bounds["minx"].values, "miny": bounds["miny"].values, "maxx": bounds["maxx"].values,
        "maxy": bounds["maxy"].values, "lon": points.x.values, "lat": points.y.values,
        "area_km2": np.round(equal_area.area.values / 1e6, 3),
    }, index=gdf.index)
    frame = frame.join(distances.measure_many(gdf.geometry, gdf["statefp"], border))
    for key, zone in zones.items():
        frame[key] = distances.zone_flags(gdf.geometry.values, zone)
    frame["counties"] = "" if counties is None or layer in ("state", "county") else _counties_of(gdf, counties)
    if layer == "county":
        frame["counties"] = frame["geoid"]
    return frame


def active_dir(root: Path) -> Path:
    """The folder readers use: the version `current` points to, or `root` itself (a flat folder: an older build,
    or one made with ``build(..., versioned=False)``)."""
    root = Path(root)
    cur = root / CURRENT
    if cur.is_symlink() or cur.is_dir():
        try:
            return cur.resolve(strict=True)
        except OSError:
            pass
    return root


def versions(root: Path) -> list[Path]:
    """Built versions under root, oldest first."""
    vdir = Path(root) / VERSIONS_DIR
    return sorted((p for p in vdir.iterdir() if p.is_dir()), key=lambda p: p.name) if vdir.is_dir() else []


def switch_to(root: Path, version_dir: Path) -> None:
    """Point `current` at version_dir atomically (a new symlink renamed over the old one)."""
    root = Path(root)
    tmp = root / f".{CURRENT}.{os.getpid()}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(version_dir, root), tmp)
    os.replace(tmp, root / CURRENT)


def prune(root: Path, keep: int = KEEP_VERSIONS) -> list[Path]:
    """Delete all but the newest `keep` versions (never the current one); returns what was deleted."""
    current = active_dir(root)
    old = [p for p in versions(root)[:-keep] if p.resolve() != current] if keep > 0 else []
    for p in old:
        shutil.rmtree(p, ignore_errors=True)
    return old


def build(source: Source, out_dir: Path, *, log: Log = print, progress_factory=None, versioned: bool = True) -> dict:
    """Build the index, full geometry, tiles, border and zones from every file the source has.  Versioned (the
    default): into ``out_dir/versions/<id>/``, then ``out_dir/current`` is switched to it and old versions pruned."""
    root = Path(out_dir)
    if not versioned:
        return _build(source, root, log=log, progress_factory=progress_factory)
    version = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"
    target = root / VERSIONS_DIR / version
    try:
        manifest = _build(source, target, log=log, progress_factory=progress_factory)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # a failed build leaves the current version as it was
        raise
    manifest["version"] = version
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2))
    switch_to(root, target)
    for name in _FLAT:  # files of an older, unversioned build beside the versions
        path = root / name
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
    for p in prune(root):
        log(f"  removed old build {p.name}")
    log(f"  now serving build {version}")
    return manifest


def _build(source: Source, out_dir: Path, *, log: Log = print, progress_factory=None) -> dict:
    started = time.time()
    out_dir = Path(out_dir)
    (out_dir / FULL_DIR).mkdir(parents=True, exist_ok=True)
    available = source.available()
    if ("state", "us") not in available or ("county", "us") not in available:
        raise CensusError(f"the source ({source.describe()}) has no national state or county file "
                          f"({wanted_label('state', 'us')}, {wanted_label('county', 'us')}); both are needed.")
    border = distances.border_line()
    manifest_layers: dict[str, dict] = {}
    kept: dict[str, gpd.GeoDataFrame] = {}  # states and counties stay in memory (zones, county overlaps)
    zones: dict = {}
    index_parts, parquets = [], {}
    for layer in LAYERS:
        files = sorted((f for (lay, _), f in available.items() if lay == layer), key=lambda f: f.scope)
        if not files:
            continue
        parts, records = [], []
        for f in files:
            bar = progress_factory(f.name) if progress_factory else None
            path = source.fetch(f, bar)
            gdf = read_layer(path, f)
            records.append({"file": f.name, "kind": f.kind, "description": f.description, "scope": f.scope,
                            "vintage": f.year, "sha256": sha256(path), "features": int(len(gdf)),
                            "source_crs": str(gdf.crs)})
            gdf["vintage"], gdf["file"] = f.year, f.name
            parts.append(gdf.to_crs(WGS84))
        full = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=WGS84)
        del parts
        full["geometry"] = shapely.make_valid(full.geometry.values)
        full = full[~full.geometry.is_empty].reset_index(drop=True)
        if layer == "state":
            land = shapely.union_all(full.geometry.values)
            zones = {"zone_mexico": distances.mexico_zones(border, land), "zone_all": distances.external_zones(full)}
        index_parts.append(_index_rows(full, layer, border, zones, kept.get("county")))
        parquets[layer] = out_dir / FULL_DIR / f"{layer}.parquet"
        full[["geoid", "name", "statefp", "geometry"]].to_parquet(parquets[layer])
        if layer in ("state", "county"):
            kept[layer] = full
        manifest_layers[layer] = {"title": LAYER_TITLES[layer], "files": records, "features": int(len(full)),
                                  "vintages": sorted({r["vintage"] for r in records}), "crs": WGS84}
        log(f"  {layer}: {len(full):,} boundaries from {len(files)} file(s), measured to the border")
        del full
    index = pd.concat(index_parts, ignore_index=True)
    index.to_parquet(out_dir / INDEX)

    del kept  # free the county and state frames before the tile worker starts
    log("  cutting vector tiles…")
    tile_info = tiles.build_tiles(parquets, out_dir / tiles.TILE_DIR, log=log)

    gpd.GeoDataFrame({"name": ["US-Mexico land border"]}, geometry=[border], crs=WGS84).to_file(out_dir / BORDER_FILE, driver="GeoJSON")
    for key, zone in zones.items():
        simple = shapely.set_precision(shapely.simplify(zone.drawn, 0.005), 1e-4)
        gpd.GeoDataFrame({"name": [distances.ZONE_LABELS[key]]}, geometry=[simple], crs=WGS84).to_file(
            out_dir / ZONE_FILES[key], driver="GeoJSON")
    missing = [{"layer": layer, "scope": scope, "state": FIPS_STATE.get(scope, scope), "wanted": wanted_label(layer, scope)}
               for layer in LAYERS for scope in scopes_for(layer) if (layer, scope) not in available
               and layer not in ("elsd", "scsd")]
    manifest = {
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "build_seconds": round(time.time() - started, 1),
        "source": source.describe(),
        "layers": manifest_layers,
        "available": sorted(f"{layer}:{scope}" for layer, scope in available),
        "missing": missing,
        "index": {"file": INDEX, "rows": int(len(index))},
        "tiles": tile_info,
        "border": {"file": BORDER_FILE, "source": distances.BORDER_SOURCE, "licence": "public domain (Natural Earth)"},
        "zones": {k: {"file": ZONE_FILES[k], "label": distances.ZONE_LABELS[k], "method": distances.ZONE_METHODS[k],
                      "test": distances.ZONE_TEST, "miles": distances.ZONE_MILES} for k in ZONE_FILES},
        "distance_method": distances.METHOD,
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


# ---------------------------------------------------------------------------- loading
def read_manifest(out_dir: Path) -> dict:
    path = active_dir(out_dir) / MANIFEST
    if not path.exists():
        raise GeodataError(f"{path} is missing: the boundary data has not been built. Run `{REBUILD}` (or `make geodata`).")
    try:
        manifest = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise GeodataError(f"{path} is unreadable ({exc}). Run `{REBUILD}` again.") from exc
    if "index" not in manifest:
        raise GeodataError(f"{path} is from an older version of the build. Run `{REBUILD}` again.")
    return manifest


@dataclass
class Boundaries:
    """The built boundary index plus what loaded and what did not (each with a message)."""

    directory: Path
    manifest: dict
    index: pd.DataFrame  # one row per boundary; see INDEX_COLUMNS
    errors: dict[str, str] = field(default_factory=dict)
    border: gpd.GeoDataFrame | None = None
    zones: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    tile_layers: tuple[str, ...] = ()  # the layers the tile archive holds (read once, at load)
    _keyed: pd.DataFrame | None = None
    _full: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    _by_geoid: dict[str, gpd.GeoSeries] = field(default_factory=dict)

    # ---- lookups (the one place a (layer, geoid) is looked up)
    @property
    def keyed(self) -> pd.DataFrame:
        if self._keyed is None:
            self._keyed = self.index.set_index(["layer", "geoid"], drop=False).sort_index()
        return self._keyed

    def lookup(self, layer: str, geoid: str) -> pd.Series | None:
        """The index row of one boundary, or None."""
        try:
            hit = self.keyed.loc[(layer, geoid)]
        except KeyError:
            return None
        return hit.iloc[0] if isinstance(hit, pd.DataFrame) else hit

    def has_file(self, layer: str, statefp: str) -> bool:
        scope = "us" if layer in ("state", "county") else statefp
        return f"{layer}:{scope}" in set(self.manifest.get("available", []))

    def layers(self) -> list[str]:
        return [layer for layer in LAYERS if layer in self.manifest.get("layers", {})]

    def full(self, layer: str) -> gpd.GeoDataFrame:
        """Full-resolution geometry of one layer (loaded on first use)."""
        if layer not in self._full:
            path = self.directory / FULL_DIR / f"{layer}.parquet"
            if not path.exists():
                raise GeodataError(f"{path} is missing. Run `{REBUILD}`.")
            try:
                self._full[layer] = gpd.read_parquet(path)
            except Exception as exc:
                raise GeodataError(f"{path.name} cannot be read ({exc.__class__.__name__}: {exc}); run `{REBUILD}`.") from exc
        return self._full[layer]

    def geometries(self, layer: str) -> gpd.GeoSeries:
        """Full-resolution geometry of one layer, indexed by GEOID (built once per layer)."""
        if layer not in self._by_geoid:
            self._by_geoid[layer] = self.full(layer).set_index("geoid")["geometry"]
        return self._by_geoid[layer]

    def geometry(self, layer: str, geoid: str):
        return self.geometries(layer).get(geoid)

    def containing(self, lon: float, lat: float) -> pd.DataFrame:
        """Index rows of every boundary containing the point, top (state) to bottom (school districts)."""
        bbox = self.index[(self.index["minx"] <= lon) & (self.index["maxx"] >= lon)
                          & (self.index["miny"] <= lat) & (self.index["maxy"] >= lat)]
        point = shapely.Point(lon, lat)
        rows = []
        for layer, group in bbox.groupby("layer", sort=False):
            geoms = self.geometries(layer).loc[group["geoid"]]
            inside = shapely.contains(geoms.values, point) | shapely.touches(geoms.values, point)
            rows.append(group[inside])
        out = pd.concat(rows) if rows else self.index.iloc[0:0]
        order = {layer: i for i, layer in enumerate(LAYERS)}
        return out.sort_values("layer", key=lambda s: s.map(order)).reset_index(drop=True)


def load_boundaries(out_dir: Path) -> Boundaries:
    """Read the index and the small layers; anything unreadable becomes a message, never a traceback.  A versioned
    folder is read at the version `current` names now; later reads of full geometry stay in that version."""
    out_dir = active_dir(Path(out_dir))
    manifest = read_manifest(out_dir)
    path = out_dir / INDEX
    try:
        index = pd.read_parquet(path)
    except Exception as exc:
        raise GeodataError(f"{path} cannot be read ({exc.__class__.__name__}); run `{REBUILD}`.") from exc
    missing_cols = [c for c in INDEX_COLUMNS if c not in index.columns]
    if missing_cols:
        raise GeodataError(f"{path} lacks columns {missing_cols}: it is from an older build. Run `{REBUILD}`.")
    b = Boundaries(out_dir, manifest, index)
    try:
        b.border = gpd.read_file(out_dir / BORDER_FILE)
    except Exception as exc:
        b.errors["border"] = f"{BORDER_FILE} is missing or unreadable ({exc.__class__.__name__}). Run `{REBUILD}`."
    for key, fname in ZONE_FILES.items():
        try:
            b.zones[key] = gpd.read_file(out_dir / fname)
        except Exception as exc:
            b.errors[key] = f"{fname} is missing or unreadable ({exc.__class__.__name__}). Run `{REBUILD}`."
    archive = out_dir / tiles.TILE_DIR / tiles.ARCHIVE
    b.tile_layers = tuple(tiles.layers_in(archive)) if archive.exists() else ()
    for layer in b.layers():
        if layer not in b.tile_layers:
            b.errors[f"tiles:{layer}"] = f"vector tiles for {LAYER_TITLES[layer].lower()} are missing. Run `{REBUILD}`."
    return b

