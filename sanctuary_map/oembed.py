"""oEmbed (https://oembed.com) for the Map page's embed links (``/?mode=embed...``); no web server here.

``/oembed?url=EMBED_URL`` answers a ``rich`` oEmbed whose HTML is an iframe of that embed, rebuilt from the
link's validated view (never echoed back), frozen at its as-of date and tagged with the dataset version, as
the page's own embed snippet is (:func:`embed_src`).  URLs of another site, or of this site but not an embed,
are refused with a 400 naming ``url``.

Discovery: :func:`discovery_link` is the ``<link rel="alternate" type="application/json+oembed">`` an embed
page announces itself with.  Consumers read it from the HTML the server sends, which for a Streamlit page is
the same static ``index.html`` for every URL; :mod:`sanctuary_map.routes` therefore writes it into that page's
``<head>`` for embed URLs (:func:`inject_discovery`).
"""
from __future__ import annotations

import html
import re
import urllib.parse
from dataclasses import dataclass, replace

from .api import ApiError, Query, check_params, parse_int, single
from .data import MapData
from .view import View, parse_query

PROVIDER = "Sanctuary Map"
# The embed shows a 520-px map, its legend and a credit line.
WIDTH, HEIGHT = 800, 600
MAX_SIZE = 10_000
_VERSION_RE = re.compile(r"^[0-9a-f]{6,16}$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_embed_query(query: str | dict) -> bool:
    """An embed link: our ``mode=embed`` or Streamlit's own ``embed=true`` (what the page itself checks)."""
    q = urllib.parse.parse_qs(query) if isinstance(query, str) else query
    return "embed" in q.get("mode", []) or "true" in [v.lower() for v in q.get("embed", [])]


def _site(url: str) -> tuple[str, str, int | None, str]:
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        port = -1
    return parts.scheme.lower(), (parts.hostname or "").lower(), port, parts.path or "/"


def on_site(url: str, bases: list[str]) -> bool:
    """True when ``url`` is the Map page (the root) of one of ``bases`` (each the site's root, ending with '/')."""
    scheme, host, port, path = _site(url)
    for base in filter(None, bases):
        b_scheme, b_host, b_port, b_path = _site(base)
        if host and (scheme, host, port) == (b_scheme, b_host, b_port) and path.rstrip("/") == b_path.rstrip("/"):
            return True
    return False


@dataclass(frozen=True)
class OEmbedQuery:
    url: str
    view: View
    version: str  # the dataset version the link was made with ('' = current)
    maxwidth: int
    maxheight: int


def parse_oembed(query: Query, bases: list[str]) -> OEmbedQuery:
    """Validate ``/oembed``'s parameters; ``bases`` are the roots this site answers for (the request's, the public URL)."""
    check_params(query, ("url", "maxwidth", "maxheight", "format"))
    fmt = single(query, "format", "json").lower()
    if fmt == "xml":
        raise ApiError(501, "only format=json is implemented", "format")
    if fmt != "json":
        raise ApiError(400, f"format={fmt[:20]!r} is not an oEmbed format (json)", "format")
    url = single(query, "url")
    if not url:
        raise ApiError(400, "parameter 'url' is required: an embed link of this site (…/?mode=embed…)", "url")
    if len(url) > 4000 or not url.lower().startswith(("http://", "https://")):
        raise ApiError(400, "url must be an http(s) embed link of this site", "url")
    if not on_site(url, bases):
        raise ApiError(400, "url is not a page of this site's map; only its own embed links can be embedded", "url")
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    if not is_embed_query(q):
        raise ApiError(400, "url is not an embed link: it needs mode=embed (copy it from the map's embed snippet)", "url")
    view, _notices = parse_query(q)  # the nearest valid view, as the page itself opens it
    version = (q.get("v") or [""])[0]
    return OEmbedQuery(url, view, version if _VERSION_RE.match(version) else "",
                       parse_int(single(query, "maxwidth"), "maxwidth", 1, MAX_SIZE, WIDTH),
                       parse_int(single(query, "maxheight"), "maxheight", 1, MAX_SIZE, HEIGHT))


def embed_src(view: View, base: str | None, version: str) -> str:
    """An embed link of ``view`` (absolute with a base, else relative to the address used): frozen at its as-of date
    (today's if none) and tagged with the dataset version."""
    from .export import share_url

    url = share_url(replace(view, as_of=view.as_of_date()), base)
    # Streamlit's own embed=true hides its toolbar; mode=embed makes the app show the map, legend and credit only.
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode({"mode": "embed", "embed": "true", "v": version})


def title(data: MapData, view: View) -> str:
    from .export import default_title

    return f"{default_title(data, view)}, in force on {view.as_of_date()}"


def oembed(data: MapData, q: OEmbedQuery, base: str) -> dict:
    """The oEmbed ``rich`` answer: an iframe of the embed, at most maxwidth × maxheight."""
    width, height = min(WIDTH, q.maxwidth), min(HEIGHT, q.maxheight)
    src = embed_src(q.view, base, q.version or data.version)
    name = title(data, q.view)
    frame = (f'<iframe src="{html.escape(src)}" width="{width}" height="{height}" title="{html.escape(name)}" '
             'style="border:0" loading="lazy" referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe>')
    return {"version": "1.0", "type": "rich", "title": name, "provider_name": PROVIDER, "provider_url": base,
            "html": frame, "width": width, "height": height, "cache_age": 3600, "dataset_version": data.version}


def discovery_href(page_url: str, base: str) -> str:
    return f"{base}oembed?" + urllib.parse.urlencode({"url": page_url, "format": "json"})


def discovery_link(page_url: str, base: str, name: str = "") -> str:
    """The ``<link>`` by which an embed page at ``page_url`` announces its oEmbed (``base``: the site's root URL)."""
    label = f' title="{html.escape(name)}"' if name else ""
    return (f'<link rel="alternate" type="application/json+oembed" href="{html.escape(discovery_href(page_url, base))}"'
            f"{label}>")


def inject_discovery(page: bytes, page_url: str, base: str) -> bytes:
    """``page`` (an HTML document) with the discovery link written just before ``</head>`` (unchanged without one)."""
    marker = b"</head>"
    at = page.lower().find(marker)
    if at < 0:
        return page
    return page[:at] + discovery_link(page_url, base, PROVIDER).encode("utf-8") + page[at:]
