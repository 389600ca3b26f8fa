"""The HTTP routes served beside the app by the same server: the JSON API, the Atom feed and oEmbed (Starlette).

``app.py`` hands :func:`routes` and :func:`middleware` to ``st.App``, which ``streamlit run app.py`` serves (one
command, one port).  The handlers are thin: parse the query with the typed functions of :mod:`api`,
:mod:`feed` and :mod:`oembed`, answer from the shipped data, and add what HTTP needs:

* CORS for GET (``Access-Control-Allow-Origin: *``; OPTIONS preflights answered);
* ``ETag`` (weak: the gzip layer may re-encode) keyed on the dataset version, the boundary build, the day (the
  default as-of date is today), the site address and the request, so ``If-None-Match`` gets a 304 before any
  work; ``Cache-Control: public, max-age=300``;
* every error as JSON ``{"error": ..., "parameter": ...}``: 400 for bad input, 404 for unknown keys and paths
  under ``/api/``, 405 for other methods, 500 (logged) for a fault — never a traceback or an HTML page.

Handlers are plain functions, so Starlette runs them in its thread pool, off the event loop that carries the
app's websockets.  :class:`EmbedDiscovery` writes the oEmbed discovery link into the page the server sends for
embed URLs (the app's script cannot: every Streamlit URL is served the same static ``index.html``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import logging
import threading
import urllib.parse
from pathlib import Path
from typing import Any, Callable

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import api, feed, i18n, oembed, snapshots
from . import settings as paths
from .data import MapData
from .view import View

log = logging.getLogger(__name__)
JSON = "application/json; charset=utf-8"
MAX_AGE = 300
METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag, X-Dataset-Version, X-Data-Build"}
PREFLIGHT = {**CORS, "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
             "Access-Control-Allow-Headers": "Accept, If-None-Match", "Access-Control-Max-Age": "86400"}


class Source:
    """Where answers come from: the shipped data (:func:`api.shipped_data`, re-read when a file changes) or a
    given loader (tests).  One lock: answers are made one at a time.  The caches they share are thread-safe
    (:mod:`keep`), but the answers are CPU-bound Python and pandas, so side by side they only contend for the GIL:
    14 different requests at once took 1.25 s in all (median answer 0.8 s) without the lock, 0.8 s (median 0.3 s)
    with it (stop 37, rounds 2-6 of 6).  A rendered image (``slow``) is made outside it."""

    def __init__(self, loader: Callable[[], MapData] | None = None):
        self.loader = loader or api.shipped_data
        self.lock = threading.Lock()

    def get(self) -> MapData:
        return self.loader()


def site_base(request: Request, prefix: str = "") -> str:
    """The site's root URL for links: the configured public URL, else the address the client used."""
    configured = paths.settings().public_url
    if configured:
        return configured
    return f"{request.url.scheme}://{request.url.netloc}{prefix}/"


def _query(request: Request) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in request.query_params.multi_items():
        out.setdefault(k, []).append(v)
    return out


def error_response(exc: api.ApiError, extra: dict[str, str] | None = None) -> Response:
    return Response(api.markup_safe(api.dumps(exc.body()).decode("utf-8")), exc.status, media_type=JSON,
                    headers={**CORS, "Cache-Control": "no-store", **(extra or {})})


def _etag(build: str, request: Request, base: str) -> str:
    """The answer's ETag: the API revision, the data and boundary build (``api.data_version``), the day and the request."""
    query = sorted(request.query_params.multi_items())
    key = "|".join([api.API_REVISION, build, dt.date.today().isoformat(), base, request.url.path,
                    urllib.parse.urlencode(query)])
    return 'W/"' + hashlib.sha256(key.encode()).hexdigest()[:20] + '"'


def _not_modified(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


Parse = Callable[[dict[str, list[str]], Request], Any]
Answer = Callable[[MapData, Any, str], bytes]


def endpoint(source: Source, parse: Parse, answer: Answer, media_type: str = JSON, prefix: str = "", *,
             slow: bool = False):
    """One GET endpoint: validate (no data needed), then answer from the data, with CORS and caching headers.
    A ``slow`` answer (a rendered image) is made after the data lock is released, so it holds no other request."""

    def handle(request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=PREFLIGHT)
        if request.method not in ("GET", "HEAD"):
            return error_response(api.ApiError(405, f"method {request.method} is not allowed; use GET"),
                                  {"Allow": "GET, HEAD, OPTIONS"})
        try:
            query = _query(request)
            with i18n.using(api.parse_lang(query)):  # labels and sentences in the asked language
                parsed = parse(query, request)
                base = site_base(request, prefix)
                with source.lock:
                    data = source.get()
                    build = api.data_version(data)
                    etag = _etag(build, request, base)
                    headers = {**CORS, "ETag": etag, "Cache-Control": f"public, max-age={MAX_AGE}",
                               "X-Dataset-Version": data.version, "X-Data-Build": build}
                    if _not_modified(request.headers.get("if-none-match"), etag):
                        return Response(status_code=304, headers=headers)
                    if not slow:
                        body = answer(data, parsed, base)
                if slow:
                    body = answer(data, parsed, base)
        except api.ApiError as exc:
            return error_response(exc, {"Retry-After": "30"} if exc.status == 503 else None)
        except Exception:  # a fault of ours: logged with its traceback, answered without one
            log.exception("%s %s failed", request.method, request.url.path)
            return error_response(api.ApiError(500, "internal error; it has been logged"))
        return Response(body, media_type=media_type, headers=headers)

    return handle


def _no_params(allowed: tuple[str, ...] = ()) -> Parse:
    def parse(query, request):
        api.check_params(query, allowed)

    return parse


def _unknown_path(request: Request) -> Response:
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=PREFLIGHT)
    return error_response(api.ApiError(404, f"no such endpoint: {request.url.path[:80]} (see {api.API_PREFIX}/openapi.json)",
                                       "path"))


def routes(source: Source | None = None, prefix: str = "", snapshot_cache: Path | None = None) -> list[BaseRoute]:
    """Every route: ``/api/v1/at``, ``/api/v1/place/{layer}:{geoid}``, ``/api/v1/search``, ``/api/v1/changes``,
    ``/api/v1/map``, ``/api/v1/snapshot.png``, ``/api/v1/openapi.json``, ``/feed.atom`` and ``/oembed`` (under ``prefix``, Streamlit's
    ``server.baseUrlPath``); snapshot images are cached in ``snapshot_cache`` (default: beside the built geodata)."""
    source = source or Source()
    prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
    v1 = prefix + api.API_PREFIX

    def ep(parse: Parse, answer: Answer, media_type: str = JSON, slow: bool = False):
        return endpoint(source, parse, answer, media_type, prefix, slow=slow)

    def png(data: MapData, q: snapshots.SnapshotQuery, base: str) -> bytes:
        return snapshots.snapshot(data, q, base, snapshot_cache or snapshots.cache_dir(paths.settings().geodata))

    def json_answer(build: Callable[[MapData, Any, str], dict]) -> Answer:
        return lambda data, parsed, base: api.dumps(build(data, parsed, base))

    def map_results(data: MapData, view: View, base: str) -> bytes:
        # What the map component would receive for the view: the living map answers a filter change with it before
        # the page's rerun arrives (living.js); the same selection, cache and files as the pages (one key, see first_view).
        from . import firstview
        from .publish import served

        published = served(data, api.data_version(data))
        out = firstview.results(data, view, published, root=prefix, basemap=paths.settings().basemap)
        return json.dumps(out, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    def oembed_parse(query, request):
        return oembed.parse_oembed(query, [site_base(request, prefix), paths.settings().public_url])

    handlers: list[tuple[str, Callable]] = [
        (f"{v1}/at", ep(lambda q, r: api.parse_at(q), json_answer(api.at))),
        (f"{v1}/place/{{key}}", ep(lambda q, r: api.parse_place(r.path_params["key"], q), json_answer(api.place))),
        (f"{v1}/search", ep(lambda q, r: api.parse_search(q), json_answer(api.search))),
        (f"{v1}/changes", ep(lambda q, r: api.parse_changes(q), json_answer(api.changes))),
        (f"{v1}/map", ep(lambda q, r: api.parse_view(q), map_results)),
        (f"{v1}/snapshot.png", ep(lambda q, r: snapshots.parse_snapshot(q), png, "image/png", slow=True)),
        (f"{v1}/openapi.json", ep(_no_params(), json_answer(lambda d, p, b: api.openapi(b)))),
        (f"{prefix}/feed.atom", ep(lambda q, r: feed.parse_feed(q), lambda d, state, b: feed.atom(d, b, state),
                                   feed.MEDIA_TYPE)),
        (f"{prefix}/oembed", ep(oembed_parse, json_answer(oembed.oembed))),
    ]
    out: list[BaseRoute] = [Route(path, handler, methods=METHODS) for path, handler in handlers]
    out.append(Route(prefix + "/api/{rest:path}", _unknown_path, methods=METHODS))
    return out


# Paths that are never a page: Streamlit's own endpoints, static files, and this module's routes.
_NOT_PAGES = ("/_stcore/", "/app/", "/static/", "/component/", "/media/", "/api/", "/feed.atom", "/oembed")


def backend_script(root: str) -> bytes:
    """An inline script telling Streamlit's front end where its server is.  Without it, a page opened by a direct
    link (``/Policies``) first probes ``/Policies/_stcore/health`` and ``host-config`` (two 404s in the console,
    Streamlit issue #7074) before finding the server at the root."""
    base = json.dumps(root.rstrip("/") + "/")
    return (f"<script>window.__streamlit=Object.assign({{}},window.__streamlit,"
            f"{{BACKEND_BASE_URL:window.location.origin+{base}}});</script>").encode("utf-8")


def map_preloads(root: str) -> bytes:
    """``<link rel=preload>`` for the living map's scripts and styles: the browser fetches them while Streamlit's own
    front end starts, instead of after the map component has mounted (the component's script tags then find them
    fetched)."""
    from .mapping import Assets

    assets = Assets.served(base=root.rstrip("/") + paths.STATIC_URL)
    links = [f'<link rel="preload" as="script" href="{html.escape(url, quote=True)}">' for _k, url in assets.js]
    links += [f'<link rel="preload" as="style" href="{html.escape(url, quote=True)}">' for _k, url in assets.css]
    return "".join(links).encode("utf-8")


def first_view(source: Source, query_string: str, root: str) -> bytes:
    """The Map page's first view for this link (:mod:`firstview`), from the data the pages read."""
    from . import firstview
    from .publish import served

    cfg = paths.settings()
    if not cfg.first_view:
        return b""
    data = source.get()
    key = api.data_version(data)
    # The key the pages publish under too (ui._published): one set of files, published once per process.
    return firstview.snippet(data, query_string, served(data, key), key=key, root=root, basemap=cfg.basemap)


def inject_head(page: bytes, snippet: bytes) -> bytes:
    """``page`` with ``snippet`` first in its ``<head>`` (before the app's scripts); unchanged without a head."""
    at = page.lower().find(b"<head>")
    if at < 0:
        return page
    at += len(b"<head>")
    return page[:at] + snippet + page[at:]


class PageHead:
    """ASGI middleware for the HTML page Streamlit serves at every page path: the backend address first in its
    ``<head>`` (no probing 404s on direct links), on the Map page the first view of its link (:mod:`firstview`: the
    map is drawn before Streamlit's front end has started) and, for an embed URL (``/?mode=embed...``), the oEmbed discovery
    link.  The request reaches the app without ``Accept-Encoding`` and conditional headers, so the page comes back
    whole and uncompressed (a few KB); its ETag and Last-Modified are dropped, since its body changed."""

    def __init__(self, app: ASGIApp, prefix: str = "", source: Source | None = None):
        self.app = app
        self.root = "/" + prefix.strip("/") if prefix.strip("/") else ""
        self.source = source or Source()

    def _is_page(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return False
        path = scope["path"]
        if self.root:
            if path != self.root and not path.startswith(self.root + "/"):
                return False
            path = path[len(self.root):] or "/"
        last = path.rstrip("/").rsplit("/", 1)[-1]
        return not path.startswith(_NOT_PAGES) and "." not in last

    def _is_embed(self, scope: Scope) -> bool:
        return (scope["path"] in (self.root + "/", self.root or "/")
                and oembed.is_embed_query(scope.get("query_string", b"").decode("latin-1")))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._is_page(scope):
            await self.app(scope, receive, send)
            return
        embed = self._is_embed(scope)
        map_page = scope["path"] in (self.root + "/", self.root or "/")  # the Map page (and its embeds) draws the map
        drop = {b"accept-encoding", b"if-none-match", b"if-modified-since"}
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k.lower() not in drop]}
        request = Request(scope)
        base = site_base(request, self.root)
        page_url = str(request.url)
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = [(k, v) for k, v in start.get("headers", [])]
            is_html = any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)
            if start.get("status") == 200 and is_html and body:
                head = backend_script(self.root) + (map_preloads(self.root) if map_page else b"")
                if map_page and not embed:  # the map drawn at once; an embed's frame is laid out by the component
                    try:
                        query = scope.get("query_string", b"").decode("latin-1")
                        head += await anyio.to_thread.run_sync(first_view, self.source, query, self.root)
                    except Exception:  # never a broken page: the component draws the map as before
                        log.exception("first view")
                body = inject_head(body, head)
                if embed:
                    body = oembed.inject_discovery(body, page_url, base)
                headers = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"etag", b"last-modified")]
                headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


EmbedDiscovery = PageHead  # the name it had when it only wrote the discovery link


def middleware(prefix: str = "", source: Source | None = None) -> list:
    """What ``st.App`` wraps the app with: :class:`PageHead` (its first view drawn from ``source``)."""
    from starlette.middleware import Middleware

    return [Middleware(PageHead, prefix=prefix, source=source)]
