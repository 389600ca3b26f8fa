"""Vector tiles for drawing every boundary: one PMTiles archive holding every layer.

GDAL (bundled with pyogrio) cuts each layer into Mapbox Vector Tiles from the zoom that suits it up to
:data:`MAX_ZOOM`, simplifying per zoom; the layers' tiles are then joined into one archive (a vector tile is a
list of layers, so the tiles of one position are joined by concatenating them). One archive means one header and
one directory for the browser to fetch, one request per tile position, and a tile painted as soon as its one file
has arrived. The app serves it as a static file (Streamlit and nginx answer HTTP Range requests), and the browser
reads it with ``protomaps-leaflet`` (npm), self-hosted like Leaflet. Each feature carries only ``g`` (GEOID) and
``n`` (name): what a jurisdiction *means* under the current filters comes with each render as a small lookup, so a
filter change never touches the tiles.

Snapshots (standalone HTML, PNG) embed only the tiles their extent needs: :func:`subset_boxes` copies them,
unchanged, from the built archive into a small in-memory one.
"""
from __future__ import annotations

import gzip
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
ARCHIVE = "boundaries.pmtiles"
# The browser draws a tile of zoom z on the screen at zoom z + 1 (each 4096-unit tile fills 512 screen pixels: a
# quarter of the requests of 256-pixel tiles, which matters because browsers open at most six connections to one
# host), and over-zooms past MAX_ZOOM. Every layer goes up to MAX_ZOOM, so one tile of the archive holds every
# layer drawn at its zoom (a layer cannot be over-zoomed on its own inside one archive). At zoom 9 a tile unit is
# ~16 m, finer than the 1:500k cartographic outlines and the ~10 m pre-simplification, and two screen pixels at
# street level (z14); zoom 10 would double the build's cutting time (states and counties) for nothing visible.
MAX_ZOOM = 9
LEVEL_DIFF = 1
# (min zoom, max zoom) of each layer. Below its minimum zoom a layer's jurisdictions are drawn as points (mapping.py).
# School districts start at 5 (drawn from screen zoom 6, a state's scale): on the whole country's map they would be
# a third of the first tiles' vertices here and most of them in a national build (~13,000 districts), for shapes a
# few pixels wide; there, the districts with an instrument are points and the counties carry their coverage.
ZOOMS = {"state": (0, MAX_ZOOM), "county": (2, MAX_ZOOM), "place": (6, MAX_ZOOM), "unsd": (5, MAX_ZOOM),
         "elsd": (5, MAX_ZOOM), "scsd": (5, MAX_ZOOM)}
# One worker process cuts the tiles while the build goes on: two would finish a few seconds sooner but take the
# build past 1 GB of memory on the development mirror (benchmarks/bench_map.py measures both).
WORKERS = 1
# GDAL simplifies in tile units (4096 per tile): 4 units is half a pixel on the 512-pixel tile drawn, invisible, and
# halves the bytes of a screen view; the top zoom keeps 1 unit, as it is over-zoomed further in.
SIMPLIFY = {"SIMPLIFICATION": "4", "SIMPLIFICATION_MAX_ZOOM": "1"}
# What a PMTiles reader asks for first (header and root directory; the pmtiles npm package reads 16 KB): the page's
# head asks for the same bytes early (mapping.prefetch_script), and the writer keeps the root directory within them.
HEADER_BYTES = 16384
Log = Callable[[str], None]


def _write_layer(layer: str, parquet: str, target: str) -> tuple[str, float]:
    """Cut one layer into its own archive (in a worker process, so the build process can free its memory meanwhile)."""
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
    # One feature per part: GDAL cuts a feature into every tile of its bounding box, and a multipolygon spanning
    # the antimeridian (Alaska's Aleutians) would otherwise span the world at every zoom.
    slim = gpd.GeoDataFrame({"g": gdf["geoid"].values, "n": gdf["name"].values}, geometry=geoms.values,
                            crs=gdf.crs).explode(index_parts=False)
    Path(target).unlink(missing_ok=True)
    pyogrio.write_dataframe(slim, target, driver="PMTiles", layer=layer,
                            dataset_options={"MINZOOM": str(lo), "MAXZOOM": str(hi), "NAME": layer,
                                             "DESCRIPTION": f"Sanctuary Map boundaries: {layer}", **SIMPLIFY})
    return layer, time.time() - started


def join_archives(parts: dict[str, Path], target: Path) -> None:
    """One archive from one archive per layer: the tiles of each position concatenated, in ``parts``' order.

    A Mapbox Vector Tile is a protobuf message whose layers are a repeated field, so two encoded tiles
    concatenated are one tile holding both layers (the protobuf rule for repeated fields); each part's tiles are
    gzip-compressed, so they are decompressed, joined and compressed again.
    """
    from pmtiles.reader import MmapSource, Reader, all_tiles
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    joined: dict[int, list[bytes]] = {}
    layers, bounds = [], []
    for layer, path in parts.items():
        with open(path, "rb") as fh:
            reader = Reader(MmapSource(fh))
            header = reader.header()
            if header["tile_compression"] != Compression.GZIP or header["tile_type"] != TileType.MVT:
                raise ValueError(f"{path}: expected gzip-compressed vector tiles")
            layers.extend(reader.metadata().get("vector_layers", []))
            bounds.append([header[k] for k in ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7")])
            for (z, x, y), data in all_tiles(reader.get_bytes):
                joined.setdefault(zxy_to_tileid(z, x, y), []).append(gzip.decompress(data))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    with tmp.open("wb") as out:
        writer = Writer(out)
        for tileid in sorted(joined):
            writer.write_tile(tileid, gzip.compress(b"".join(joined[tileid]), mtime=0))
        minx, miny = min(b[0] for b in bounds), min(b[1] for b in bounds)
        maxx, maxy = max(b[2] for b in bounds), max(b[3] for b in bounds)
        new_header = {"tile_type": TileType.MVT, "tile_compression": Compression.GZIP, "center_zoom": 4,
                      "min_lon_e7": minx, "min_lat_e7": miny, "max_lon_e7": maxx, "max_lat_e7": maxy,
                      "center_lon_e7": (minx + maxx) // 2, "center_lat_e7": (miny + maxy) // 2}
        writer.finalize(new_header, {"name": "Sanctuary Map boundaries", "format": "pbf", "vector_layers": layers})
    tmp.replace(target)


def layers_in(archive: Path) -> list[str]:
    """The layers an archive holds (its metadata's vector layers)."""
    from pmtiles.reader import MmapSource, Reader

    with open(archive, "rb") as fh:
        return [v["id"] for v in Reader(MmapSource(fh)).metadata().get("vector_layers", [])]


def build_tiles(parquets: dict[str, Path], out_dir: Path, *, log: Log = print) -> dict:
    """The one archive of every layer, from the full-geometry GeoParquet files (each layer cut in a worker process,
    then joined). Returns, per layer, its zooms and cutting time, and the archive's file and size."""
    import concurrent.futures
    import multiprocessing
    import time

    out_dir.mkdir(parents=True, exist_ok=True)
    parts_dir = out_dir / "parts"
    parts_dir.mkdir(exist_ok=True)
    info: dict = {"layers": {}}
    jobs = {layer: (str(path), str(parts_dir / f"{layer}.pmtiles")) for layer, path in parquets.items()}
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=WORKERS, mp_context=ctx) as pool:
        futures = [pool.submit(_write_layer, layer, src, dst) for layer, (src, dst) in jobs.items()]
        for fut in concurrent.futures.as_completed(futures):
            layer, seconds = fut.result()
            lo, hi = ZOOMS[layer]
            size = Path(jobs[layer][1]).stat().st_size
            info["layers"][layer] = {"min_zoom": lo, "max_zoom": hi, "bytes": size, "seconds": round(seconds, 1)}
            log(f"  tiles {layer}: z{lo}-{hi}, {size / 1e6:.1f} MB in {seconds:.1f} s")
    started = time.time()
    order = [layer for layer in ZOOMS if layer in jobs]
    join_archives({layer: Path(jobs[layer][1]) for layer in order}, out_dir / ARCHIVE)
    shutil.rmtree(parts_dir)
    size = (out_dir / ARCHIVE).stat().st_size
    log(f"  tiles joined into {ARCHIVE}: {size / 1e6:.1f} MB in {time.time() - started:.1f} s")
    info.update(file=f"{TILE_DIR}/{ARCHIVE}", bytes=size, layers=dict(sorted(info["layers"].items())))
    return info


def publish(tile_dir: Path, static_dir: Path, url_base: str) -> str | None:
    """Place the archive in the served folder under a content-hashed name; return its URL (None if not built).

    A hard link where possible (no copy of several MB); browsers cache by name, so a rebuild gets a new name.
    """
    archive = Path(tile_dir) / ARCHIVE
    if not archive.exists():
        return None
    h = hashlib.sha256()
    with archive.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    target_dir = static_dir / "generated"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{archive.stem}-{h.hexdigest()[:12]}.pmtiles"
    if not target.exists():
        tmp = target.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        try:
            os.link(archive, tmp)
        except OSError:
            shutil.copyfile(archive, tmp)
        tmp.replace(target)
    return f"{url_base}/generated/{target.name}"


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
