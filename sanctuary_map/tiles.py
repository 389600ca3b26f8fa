"""Vector tiles for drawing every boundary: one PMTiles archive per layer.

GDAL (bundled with pyogrio) cuts each layer into Mapbox Vector Tiles at the zooms that suit
it and writes a single-file PMTiles archive, simplifying per zoom.  The app serves the
archives as static files (Streamlit answers HTTP Range requests), and the browser reads them
with ``protomaps-leaflet`` (npm), self-hosted like Leaflet.  Each tile feature carries only
``g`` (GEOID) and ``n`` (name): what a jurisdiction *means* under the current filters comes
with each render as a small lookup, so a filter change never touches the tiles.

Snapshots (standalone HTML, PNG) embed only the tiles their extent needs:
:func:`subset` copies them, unchanged, from the built archives into small in-memory ones.
"""
from __future__ import annotations

import hashlib
import io
import math
import os
import shutil
from pathlib import Path
from typing import Callable

import geopandas as gpd
import pyogrio

TILE_DIR = "tiles"
# (min zoom, max zoom) written for each layer.  The browser draws a tile of zoom z on the screen at zoom z + 1
# (each 4096-unit tile fills 512 screen pixels: a quarter of the requests of 256-pixel tiles, which matters
# because browsers open at most six connections to one host), and over-zooms past the maximum.
ZOOMS = {"state": (0, 5), "county": (2, 7), "place": (6, 10), "unsd": (4, 9), "elsd": (4, 9), "scsd": (4, 9)}
LEVEL_DIFF = 1
# One worker process cuts the tiles while the build goes on: two would finish a few seconds sooner but take the
# build past 1 GB of memory on the development mirror (benchmarks/bench_map.py measures both).
WORKERS = 1
# Below a layer's minimum zoom its jurisdictions are drawn as points (see mapping.py).
# GDAL simplifies in tile units (4096 per tile): 4 units is a quarter of a pixel on a 256-px tile, invisible, and
# halves the bytes of a screen view; the top zoom keeps 1 unit, as it is over-zoomed further in.
SIMPLIFY = {"SIMPLIFICATION": "4", "SIMPLIFICATION_MAX_ZOOM": "1"}
Log = Callable[[str], None]


def _write_layer(layer: str, parquet: str, target: str) -> tuple[str, float]:
    """Cut one layer (in a worker process, so the build process can free its memory meanwhile)."""
    import time

    started = time.time()
    gdf = gpd.read_parquet(parquet)
    lo, hi = ZOOMS[layer]
    geoms = gdf.geometry
    if layer != "state":
        # Drawing never needs more than ~10 m: pre-simplifying keeps GDAL's per-tile clipping cheap
        # (TIGER/Line files are full resolution). Shared edges stay shared (coverage simplification).
        try:
            geoms = geoms.simplify_coverage(0.0001)
        except Exception:
            geoms = geoms.simplify(0.0001, preserve_topology=True)
    slim = gpd.GeoDataFrame({"g": gdf["geoid"].values, "n": gdf["name"].values}, geometry=geoms.values, crs=gdf.crs)
    Path(target).unlink(missing_ok=True)
    pyogrio.write_dataframe(slim, target, driver="PMTiles", layer=layer,
                            dataset_options={"MINZOOM": str(lo), "MAXZOOM": str(hi), "NAME": layer,
                                             "DESCRIPTION": f"Sanctuary Map boundaries: {layer}", **SIMPLIFY})
    return layer, time.time() - started


def build_tiles(parquets: dict[str, Path], out_dir: Path, *, log: Log = print) -> dict:
    """One archive per layer from the full-geometry GeoParquet files, cut in a worker process."""
    import concurrent.futures
    import multiprocessing

    out_dir.mkdir(parents=True, exist_ok=True)
    info = {}
    jobs = {layer: (str(path), str(out_dir / f"{layer}.pmtiles")) for layer, path in parquets.items()}
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=WORKERS, mp_context=ctx) as pool:
        futures = [pool.submit(_write_layer, layer, src, dst) for layer, (src, dst) in jobs.items()]
        for fut in concurrent.futures.as_completed(futures):
            layer, seconds = fut.result()
            target = Path(jobs[layer][1])
            lo, hi = ZOOMS[layer]
            info[layer] = {"file": f"{TILE_DIR}/{layer}.pmtiles", "min_zoom": lo, "max_zoom": hi,
                           "bytes": target.stat().st_size, "seconds": round(seconds, 1)}
            log(f"  tiles {layer}: z{lo}-{hi}, {target.stat().st_size / 1e6:.1f} MB in {seconds:.1f} s")
    return dict(sorted(info.items()))


def publish(tile_dir: Path, static_dir: Path, url_base: str) -> dict[str, str]:
    """Place each archive in the served folder under a content-hashed name; return layer -> URL.

    A hard link where possible (no copy of several MB); browsers cache by name, so a rebuild gets new names.
    """
    out = {}
    target_dir = static_dir / "generated"
    target_dir.mkdir(parents=True, exist_ok=True)
    for archive in sorted(Path(tile_dir).glob("*.pmtiles")):
        h = hashlib.sha256()
        with archive.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        name = f"{archive.stem}-{h.hexdigest()[:12]}.pmtiles"
        target = target_dir / name
        if not target.exists():
            tmp = target.with_suffix(".tmp")
            tmp.unlink(missing_ok=True)
            try:
                os.link(archive, tmp)
            except OSError:
                shutil.copyfile(archive, tmp)
            tmp.replace(target)
        out[archive.stem] = f"{url_base}/generated/{name}"
    return out


# ---------------------------------------------------------------------------- snapshot subsets
def tile_range(bounds: tuple[float, float, float, float], z: int) -> tuple[int, int, int, int]:
    """x0, y0, x1, y1 (inclusive) of the web-mercator tiles covering lon/lat bounds at zoom z."""
    minx, miny, maxx, maxy = bounds
    n = 2 ** z

    def tx(lon: float) -> int:
        return min(n - 1, max(0, int((lon + 180.0) / 360.0 * n)))

    def ty(lat: float) -> int:
        lat = max(-85.0511, min(85.0511, lat))
        r = math.radians(lat)
        return min(n - 1, max(0, int((1.0 - math.asinh(math.tan(r)) / math.pi) / 2.0 * n)))

    return tx(minx), ty(maxy), tx(maxx), ty(miny)


def subset_boxes(archive: Path, wanted: dict[int, tuple[float, float, float, float]]) -> bytes | None:
    """A small PMTiles archive with only the tiles of ``archive`` covering, at each zoom, its lon/lat box (bytes unchanged)."""
    from pmtiles.reader import MmapSource, Reader
    from pmtiles.tile import zxy_to_tileid
    from pmtiles.writer import Writer

    with open(archive, "rb") as fh:
        reader = Reader(MmapSource(fh))
        header = reader.header()
        found = []
        for z, bounds in sorted(wanted.items()):
            if z < header["min_zoom"] or z > header["max_zoom"]:
                continue
            x0, y0, x1, y1 = tile_range(bounds, z)
            for x in range(x0, x1 + 1):
                for y in range(y0, y1 + 1):
                    data = reader.get(z, x, y)
                    if data:
                        found.append((zxy_to_tileid(z, x, y), bytes(data)))
        if not found:
            return None
        metadata = reader.metadata()
    minx = min(b[0] for b in wanted.values())
    miny = min(b[1] for b in wanted.values())
    maxx = max(b[2] for b in wanted.values())
    maxy = max(b[3] for b in wanted.values())
    buf = io.BytesIO()
    writer = Writer(buf)
    for tileid, data in sorted(found):
        writer.write_tile(tileid, data)
    new_header = {k: header[k] for k in ("tile_type", "tile_compression", "center_zoom")}
    new_header.update(min_lon_e7=int(minx * 1e7), min_lat_e7=int(miny * 1e7), max_lon_e7=int(maxx * 1e7),
                      max_lat_e7=int(maxy * 1e7), center_lon_e7=int((minx + maxx) / 2 * 1e7),
                      center_lat_e7=int((miny + maxy) / 2 * 1e7))
    writer.finalize(new_header, metadata)
    return buf.getvalue()
