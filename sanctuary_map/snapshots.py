"""Snapshot images over HTTP: ``/api/v1/snapshot.png?<view>&preset=&theme=``, the picture an embed snippet's
``<noscript>`` shows (and what anyone may link as a picture of a view).

Rendered by :func:`sanctuary_map.export.snapshot_png` (Chromium, the same image as ``export --format png``), one
at a time, and kept on disk by (dataset version, view on its day, preset, theme): a view is drawn once per dataset
version and day.  A request that would wait too long for the renderer gets a 503 with ``Retry-After``.
"""
from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from .api import ApiError, Query, parse_view, single
from .data import MapData
from .view import View
from .vocab import THEMES

PRESETS = ("article", "social", "square")  # the web sizes (print and story are for the command line)
WAIT_SECONDS = 45.0
MAX_CACHED = 300
_render = threading.BoundedSemaphore(1)  # Chromium on a small server: one render at a time


@dataclass(frozen=True)
class SnapshotQuery:
    view: View
    preset: str
    theme: str


def parse_snapshot(query: Query) -> SnapshotQuery:
    """The view (the Map page's own parameters, validated strictly: a value the page would drop is a 400 here),
    the preset and the theme."""
    # The language was taken from the query for the whole answer (routes.endpoint): the image is drawn in it.
    view = parse_view(query, ("preset", "theme", "v"))
    preset = single(query, "preset", "article")
    if preset not in PRESETS:
        raise ApiError(400, f"preset must be one of {', '.join(PRESETS)}", "preset")
    theme = single(query, "theme", "light")
    if theme not in THEMES:
        raise ApiError(400, f"theme must be one of {', '.join(THEMES)}", "theme")
    return SnapshotQuery(replace(view, as_of=view.as_of_date()), preset, theme)


def cache_dir(data_geodata: Path) -> Path:
    return data_geodata / "snapshot-cache"


def cache_key(data: MapData, q: SnapshotQuery) -> str:
    from urllib.parse import urlencode

    text = "|".join([data.version, urlencode(q.view.to_query(), doseq=True), q.preset, q.theme])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def snapshot(data: MapData, q: SnapshotQuery, base: str, folder: Path) -> bytes:
    """The PNG of ``q`` (from the cache when drawn before); raises :class:`ApiError` 503 when the renderer is busy."""
    from .export import ExportError, default_title, snapshot_png

    path = folder / f"{cache_key(data, q)}.png"
    if path.exists():
        return path.read_bytes()
    if not _render.acquire(timeout=WAIT_SECONDS):
        raise ApiError(503, "the snapshot renderer is busy; try again in a minute", None)
    try:
        if path.exists():  # drawn while this request waited
            return path.read_bytes()
        try:
            png, _renderer = snapshot_png(data, q.view, preset=q.preset, title=default_title(data, q.view), base_url=base,
                                          theme=q.theme)
        except ExportError as exc:
            raise ApiError(503, "snapshots cannot be drawn on this server right now", None) from exc
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(png)
        tmp.replace(path)
        _prune(folder)
        return png
    finally:
        _render.release()


def _prune(folder: Path) -> None:
    """Keep the newest :data:`MAX_CACHED` images."""
    files = sorted(folder.glob("*.png"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[MAX_CACHED:]:
        old.unlink(missing_ok=True)
