"""The first view in the page: the Map page's HTML carries the results of the view its link asks for, so a cold
visit's map is drawn before Streamlit's front end has started (static/js/instant-map.js draws it; the map component
adopts that same map when it mounts, see static/js/living.js).

:func:`snippet` is what :class:`sanctuary_map.routes.PageHead` writes into the ``<head>``: a JSON script element
(``id="sm-first-view"``) with exactly what the component receives on the page's first run for that link
(:func:`sanctuary_map.mapping.living_payload`), and the module that draws it.  The link's query is read with the
same parser as the page's (:func:`sanctuary_map.view.parse_query`: a hostile or out-of-range link gives the nearest
valid view), in the link's language.  Anything that goes wrong leaves the page as it was: the component then draws
the map as it always could.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import logging
import urllib.parse

from . import i18n
from . import settings as paths
from .api import kept_search_table, markup_safe
from .data import MapData
from .keep import Kept
from .mapping import DEFAULT_FOCUS, Assets, Published, living_payload
from .search import shown_focus
from .view import View, parse_query

log = logging.getLogger(__name__)
MAP_HEIGHT = 560  # the Map page's map (app.py); the first view takes the same room
CACHE_KEEP = 64
_cache: Kept[bytes] = Kept(CACHE_KEEP)  # (data key, query, root, basemap, day) -> the <head> addition
_keys: Kept[frozenset[str]] = Kept(2)  # dataset version -> the search's place keys


def payload(data: MapData, query: dict[str, list[str]], published: Published, *, root: str = "", basemap: str = "none",
            today: dt.date | None = None) -> dict:
    """What the map component receives on the Map page's first run for a link with ``query``."""
    view, _notices = parse_query(query, today=today)
    keys = _keys.get(data.version, lambda: frozenset(kept_search_table(data)["key"]))
    # The page's search box starts on the link's place (else Los Angeles Unified) when it knows it, else the country.
    view = view.with_focus(shown_focus(view.focus or DEFAULT_FOCUS, keys))
    with i18n.using((query.get("lang") or [""])[0]):
        out = results(data, view, published, root=root, basemap=basemap)
    out["height"] = MAP_HEIGHT
    return out


def results(data: MapData, view: View, published: Published, *, root: str = "", basemap: str = "none") -> dict:
    """What the map component receives for ``view`` (in the current language), with the static files' addresses under
    ``root``: the first view, and the API's answer to a filter change (``/api/v1/map``, see living.js)."""
    return living_payload(data, view, published, basemap=basemap, assets=Assets.served(base=root + paths.STATIC_URL))


def script_json(value: dict) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``<`` (so no ``</script>``) and no ``&``."""
    return markup_safe(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def snippet(data: MapData, query_string: str, published: Published, *, key: str, root: str = "",
            basemap: str = "none", today: dt.date | None = None) -> bytes:
    """The ``<head>`` addition for the Map page at ``?query_string`` (b"" when there is no map to draw), cached per
    ``key`` (the shipped data's version and build), query, site root and day."""
    if data.boundaries is None:
        return b""
    today = today or dt.date.today()
    query = urllib.parse.parse_qs(query_string[:4000], keep_blank_values=True)
    cache_key = (key, tuple(sorted((k, tuple(v)) for k, v in query.items())), root, basemap, today)

    def make() -> bytes:
        first = payload(data, query, published, root=root, basemap=basemap, today=today)
        src = html.escape(Assets.first_view(base=root + paths.STATIC_URL), quote=True)
        living = html.escape(first["living"], quote=True)
        return (f'<script type="application/json" id="sm-first-view">{script_json(first)}</script>'
                f'<link rel="modulepreload" href="{living}"><script type="module" src="{src}"></script>').encode("utf-8")

    try:
        return _cache.get(cache_key, make)
    except Exception:  # never a broken page: the component draws the map as before (and the next visit tries again)
        log.exception("first view for ?%s", query_string[:200])
        return b""
