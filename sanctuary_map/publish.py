"""Static files a map needs, either published for the served app or inlined for a snapshot.

Served: the tile archives, the instrument details of a dataset version and the border and
zone outlines are placed under ``static/generated/`` with content-hashed names, so browsers
fetch each once and cache it; a render then sends only lookups and addresses.

Inlined (standalone HTML, PNG): only the tiles covering the snapshot's extent at the zoom it
shows are embedded (copied unchanged from the archives), with the details and outlines.
"""
from __future__ import annotations

import base64
import hashlib
import json
import math
from pathlib import Path

from . import i18n, tiles
from . import settings as paths
from .boundaries import BORDER_FILE, ZONE_FILES
from .data import MapData
from .keep import Kept
from .mapping import Published, details


def _hashed_copy(text: str, stem: str, suffix: str, static_dir: Path) -> str:
    data = text.encode("utf-8")
    name = f"{stem}-{hashlib.sha256(data).hexdigest()[:12]}{suffix}"
    target = static_dir / "generated" / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
    return f"{paths.STATIC_URL}/generated/{name}"


def publish_boundaries(data: MapData, static_dir: Path = paths.STATIC_DIR) -> Published:
    """Tiles and outlines: they change only with a rebuild (call once per build)."""
    if data.boundaries is None:
        return Published()
    directory = data.boundaries.directory
    url = tiles.publish(directory / tiles.TILE_DIR, static_dir, paths.STATIC_URL)
    held = data.boundaries.tile_layers if url else ()
    overlays: dict[str, str | dict] = {}
    for key, fname in {"border": BORDER_FILE, **ZONE_FILES}.items():
        path = directory / fname
        if path.exists() and key not in data.boundaries.errors:
            overlays[key] = _hashed_copy(path.read_text(), key, ".geojson", static_dir)
    return Published({"url": url} if url else None, None, overlays, layers=held)


SERVED_KEEP = 3
_served: Kept[Published] = Kept(SERVED_KEEP)


def served(data: MapData, key: str) -> Published:
    """What the served app's pages and the page head (:mod:`firstview`) share for the shipped data: its tiles,
    outlines and English details, published once per ``key`` (the shipped data's files and build); thread-safe."""
    def make() -> Published:
        published = publish_boundaries(data)
        published.details_url = publish_details(data)
        return published

    return _served.get(key, make)


def publish_details(data: MapData, static_dir: Path = paths.STATIC_DIR, lang: str = i18n.SOURCE) -> str:
    """Instrument details of the shipped dataset (never of an upload: those stay in the session), in ``lang``
    (English by default, whatever language the caller runs in: a map in another language asks for its own file
    through :func:`sanctuary_map.mapping.details_url`)."""
    with i18n.using(lang):
        text = json.dumps(details(data), separators=(",", ":"))
    return _hashed_copy(text, "details" if i18n.normalise(lang) == i18n.SOURCE else f"details-{i18n.normalise(lang)}",
                        ".json", static_dir)


def _merc(lat: float) -> float:
    lat = max(-85.0, min(85.0, lat))
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _visible(cx: float, cy_merc: float, z: int, width: int, height: int) -> tuple[float, float, float, float]:
    """Lon/lat box a width x height map shows at zoom z around (cx, mercator y), plus one tile of margin."""
    world = 256 * 2 ** z
    half_x = (width / 2 + 256) / world * 360.0
    half_y = (height / 2 + 256) / world * 2 * math.pi

    def lat(y: float) -> float:
        return math.degrees(math.atan(math.sinh(y)))

    return (max(-180.0, cx - half_x), max(-85.0, lat(cy_merc - half_y)), min(180.0, cx + half_x), min(85.0, lat(cy_merc + half_y)))


def zoom_for(bounds: list[list[float]], width: int, height: int) -> int:
    """The web-mercator zoom Leaflet's fitBounds picks for lat/lon bounds in a width x height frame."""
    (s, w), (n, e) = bounds
    span_x = max((e - w) / 360.0, 1e-9)
    span_y = max((_merc(n) - _merc(s)) / (2 * math.pi), 1e-9)
    z = min(math.log2((width - 40) / 256 / span_x), math.log2((height - 40) / 256 / span_y))
    return max(0, min(18, int(math.floor(z))))


def inline(data: MapData, bounds: list[list[float]], width: int, height: int) -> tuple[Published, dict]:
    """Everything a snapshot needs, embedded: the tiles a reader sees at its zoom (zooming in over-zooms them),
    details of what it shows, and the outlines simplified to the frame's scale.

    Returns the Published record and a summary (tile bytes per layer, zooms) for the docs and tests.
    """
    if data.boundaries is None:
        return Published(), {}
    z = zoom_for(bounds, width, height)
    (s, w), (n, e) = bounds
    cx, cy = (w + e) / 2, _merc((s + n) / 2)
    # The tiles of what is visible at the frame's zoom (a tile of zoom z is drawn at z + LEVEL_DIFF); layers not
    # drawn at this scale (cities and districts are points then) are not in those tiles; zooming in past the
    # embedded zoom over-zooms them (vector: sharp, with the detail of this zoom).
    archive = data.boundaries.directory / tiles.TILE_DIR / tiles.ARCHIVE
    dz = max(0, min(tiles.MAX_ZOOM, z - tiles.LEVEL_DIFF))
    blob = tiles.subset_boxes(archive, {dz: _visible(cx, cy, z, width, height)}) if archive.exists() else None
    spec = {"b64": base64.b64encode(blob).decode(), "key": "inline:boundaries", "maxzoom": dz} if blob else None
    held = tuple(layer for layer in data.boundaries.tile_layers if tiles.ZOOMS.get(layer, (0, 0))[0] <= dz) if blob else ()
    overlays: dict[str, str | dict] = {}
    for key, fname in {"border": BORDER_FILE, **ZONE_FILES}.items():
        path = data.boundaries.directory / fname
        if path.exists():
            overlays[key] = simplified(json.loads(path.read_text()), pixel_degrees(z))
    return Published(spec, None, overlays, layers=held), {"zoom": z, "tile_bytes": len(blob) if blob else 0,
                                                           "layers": list(held)}


def pixel_degrees(z: int) -> float:
    """Degrees of longitude one screen pixel spans at web-mercator zoom ``z`` (256-pixel tiles)."""
    return 360.0 / (256 * 2 ** z)


def simplified(collection: dict, tolerance: float) -> dict:
    """A GeoJSON FeatureCollection with each geometry simplified to ``tolerance`` degrees (half a pixel at the
    frame's zoom is invisible) and coordinates rounded to match: the snapshot's outlines look the same and
    weigh a fraction."""
    from shapely.geometry import mapping, shape

    digits = max(2, min(6, int(-math.log10(tolerance)) + 2))

    def rounded(coords):
        if isinstance(coords, (int, float)):
            return round(coords, digits)
        return [rounded(c) for c in coords]

    features = []
    for f in collection.get("features", []):
        geom = f.get("geometry")
        if geom:
            simple = shape(geom).simplify(tolerance / 2, preserve_topology=True)
            if simple.is_empty:
                continue
            g = mapping(simple)
            geom = {"type": g["type"], "coordinates": rounded(g["coordinates"])}
        features.append({**f, "geometry": geom})
    return {**collection, "features": features}
