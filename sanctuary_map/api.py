"""The open JSON API's answers (``/api/v1/...``), built by the same functions as the pages; no web server here.

Each endpoint is one typed function of ``(data, query, base)`` that validates its query and returns a
JSON-ready dict, so it can be tested without a server; :mod:`sanctuary_map.routes` only wraps them in HTTP.

* ``at``: the stack at a point — :func:`sanctuary_map.profile.stack`, the function behind the Map page's
  "what applies here" panel — with each jurisdiction's numeric border distance (:func:`distances.distance_record`),
  the point's own distance to the border and whether it lies in the two 100-mile zones;
* ``place``: :func:`sanctuary_map.profile.profile` of one ``layer:geoid``;
* ``search``: :func:`sanctuary_map.search.answer` (the Map page's "Find a place");
* ``changes``: :func:`sanctuary_map.events.changes` between two days (the What changed page);
* ``openapi``: the OpenAPI 3.1 document of all of it (plus ``/feed.atom`` and ``/oembed``).

Unlike a shared link, which opens the nearest valid view, the API refuses what it cannot answer exactly:
:class:`ApiError` names the parameter (``lat=abc``, a date outside 1776-07-04..today, an unknown layer or
parameter) and the routes turn it into a 400 (or 404) with ``{"error": ..., "parameter": ...}``.

:func:`shipped_data` loads the shipped tables once per process and again only when one of their files changes
(the same files the page's loader watches), so the API and the pages can share one copy.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from . import i18n
from . import settings as paths
from .data import MapData, load_map_data
from .events import KINDS
from .filters import EARLIEST, FILTERS
from .keep import Kept
from .url_builder import Urls
from .view import _FOCUS_RE, View, parse_query
from .vocab import LAYERS, STATE_FIPS

API_VERSION = "v1"
API_PREFIX = f"/api/{API_VERSION}"
TITLE = "Sanctuary Map API"
# Raised when the shape of any answer changes: part of every ETag, so caches never mix two shapes.
API_REVISION = "1"
Query = Mapping[str, Sequence[str]]  # parameter -> every value given (a repeated parameter is refused)
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
MAX_QUERY = 100  # characters of a search
DEFAULT_CHANGE_DAYS = 30


class ApiError(Exception):
    """A request the API cannot answer: HTTP status, a sentence, and the parameter at fault (if one is)."""

    def __init__(self, status: int, error: str, parameter: str | None = None):
        super().__init__(error)
        self.status, self.error, self.parameter = status, error, parameter

    def body(self) -> dict:
        return {"error": self.error, "parameter": self.parameter}


# ---------------------------------------------------------------------------- the shipped data, once per process
SHIPPED_KEEP = 2  # a rebuild: the new build, and the one running sessions finish on
_shipped: Kept[MapData] = Kept(SHIPPED_KEEP)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def shipped_key(geodata: Path | None = None) -> str:
    """What decides whether the shipped data must be read again: the configured files and their times, and the
    boundary build (the current one unless a session is still on an earlier one)."""
    from .boundaries import active_dir

    cfg = paths.settings()
    geodata = geodata or active_dir(cfg.geodata)
    files = [cfg.policies, geodata / "manifest.json", *sorted(cfg.data.glob("*.csv"))]
    return "|".join(f"{f}:{_mtime(f)}" for f in files)


def shipped_data(key: str | None = None, geodata: Path | None = None) -> MapData:
    """The shipped tables and boundary index (``SANCTUARY_MAP_*`` settings), read once per ``key`` and shared by the
    pages and the API (one copy per process; the last SHIPPED_KEEP builds); thread-safe."""
    from .boundaries import active_dir

    cfg = paths.settings()
    geodata = geodata or active_dir(cfg.geodata)
    key = key or shipped_key(geodata)
    return _shipped.get(key, lambda: load_map_data(cfg.policies, geodata, data_dir=cfg.data))


def data_version(data: MapData) -> str:
    """The dataset version plus the boundary build it was joined to: what every cached answer is keyed on."""
    built = str(data.boundaries.manifest.get("built_at", "")) if data.boundaries is not None else "no-boundaries"
    return f"{data.version}-{hashlib.sha256(built.encode()).hexdigest()[:6]}"


# ---------------------------------------------------------------------------- parameters
def check_params(query: Query, allowed: Sequence[str]) -> None:
    """Unknown parameters are refused (a typo would otherwise be silently ignored); so is a repeated one."""
    for name, values in query.items():
        if name not in allowed:
            expected = ", ".join(allowed) if allowed else "none"
            raise ApiError(400, f"unknown parameter {name[:40]!r}; this endpoint takes: {expected}", name[:40])
        if len(values) > 1:
            raise ApiError(400, f"parameter {name!r} is given {len(values)} times; give it once", name)


VIEW_PARAMS = frozenset(f.param for f in FILTERS)


def parse_view(query: Query, own: Sequence[str] = ()) -> View:
    """The Map page's own parameters (a share link's), validated strictly: a value the page would drop is a 400 here.
    Parameters of the endpoint itself (``own``) are left to its caller; the view is in the answer's language (taken
    from the query for the whole answer, see routes.endpoint)."""
    check_params({k: v for k, v in query.items() if k not in VIEW_PARAMS}, own)  # a filter may repeat (stance=…&stance=…)
    view, notices = parse_query({k: list(v) for k, v in query.items() if k in VIEW_PARAMS})
    if notices:
        raise ApiError(400, notices[0], "view")
    return replace(view, lang="" if i18n.current() == i18n.SOURCE else i18n.current())


def single(query: Query, name: str, default: str = "") -> str:
    values = query.get(name) or []
    return str(values[0]).strip() if values else default


def parse_number(value: str, name: str, low: float, high: float) -> float:
    if not value:
        raise ApiError(400, f"parameter {name!r} is required (a number from {low:g} to {high:g})", name)
    if not _NUMBER_RE.match(value):
        raise ApiError(400, f"{name}={value[:30]!r} is not a number (decimal degrees, e.g. 34.0522)", name)
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        raise ApiError(400, f"{name}={value[:30]} is outside {low:g}..{high:g}", name)
    return number


def parse_int(value: str, name: str, low: int, high: int, default: int) -> int:
    if not value:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise ApiError(400, f"{name}={value[:30]!r} is not a whole number from {low} to {high}", name)
    return int(value)


def parse_day(value: str, name: str, today: dt.date) -> dt.date:
    """A full ISO day between 1776-07-04 (the earliest any filter accepts) and today, or an ApiError."""
    if not _DAY_RE.match(value):
        raise ApiError(400, f"{name}={value[:30]!r} is not a date (use YYYY-MM-DD)", name)
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, f"{name}={value[:30]!r} is not a real day", name) from None
    if day < EARLIEST or day > today:
        raise ApiError(400, f"{name}={value} is outside {EARLIEST.isoformat()}..{today.isoformat()} (today)", name)
    return day


def parse_as_of(query: Query, today: dt.date) -> str:
    value = single(query, "as_of")
    return parse_day(value, "as_of", today).isoformat() if value else today.isoformat()


def parse_key(key: str) -> tuple[str, str]:
    """``layer:geoid`` of a path: an unknown layer or a malformed GEOID is a 400 naming which."""
    layer, sep, geoid = key.partition(":")
    if not sep:
        raise ApiError(400, f"{key[:40]!r} is not a jurisdiction key LAYER:GEOID such as unsd:0622710", "key")
    if layer not in LAYERS:
        raise ApiError(400, f"unknown layer {layer[:20]!r}; expected one of: {', '.join(LAYERS)}", "layer")
    if not _FOCUS_RE.match(f"{layer}:{geoid}"):
        raise ApiError(400, f"{geoid[:20]!r} is not a GEOID (2 to 7 digits)", "geoid")
    return layer, geoid


def parse_state(query: Query, name: str = "state") -> str:
    value = single(query, name).upper()
    if value and value not in STATE_FIPS:
        raise ApiError(400, f"{name}={value[:10]!r} is not a state's two-letter code (e.g. TX)", name)
    return value


# ---------------------------------------------------------------------------- links and JSON
def plain(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, NaN / NA to None, dataclasses and frames to dicts and lists."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return plain(value.to_dict("records"))
    if hasattr(value, "__dataclass_fields__"):
        return plain(asdict(value))
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def dumps(value: Any) -> bytes:
    return json.dumps(plain(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def markup_safe(text: str) -> str:
    """JSON text with ``<``, ``>`` and ``&`` written as escapes (the same JSON): it can sit in a ``<script>`` and never
    carries markup, even when it quotes what a visitor sent (an error naming a bad value)."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def map_url(base: str, as_of: str = "", focus: str = "") -> str:
    """The Map page as of a day, on a jurisdiction, in the answer's language: the same address a shared link has."""
    return Urls(base).map(View(as_of=as_of, focus=focus, lang=_page_lang()))


def profile_url(base: str, key: str, as_of: str = "") -> str:
    return Urls(base).place(key, View(as_of=as_of, lang=_page_lang()))


def _page_lang() -> str:
    lang = i18n.current()
    return "" if lang == i18n.SOURCE else lang


def parse_lang(query: dict[str, list[str]]) -> str:
    """The answer's language (``lang``: labels and generated sentences; error messages stay English), taken out of
    ``query`` so each endpoint's own parameters are checked as before."""
    values = query.pop("lang", [])
    if not values:
        return i18n.SOURCE
    if len(values) > 1 or values[0] not in i18n.LANGS:
        raise ApiError(400, f"lang must be one of {', '.join(i18n.LANGS)}", "lang")
    return values[0]


def _links(base: str, key: str, as_of: str) -> dict:
    if not _FOCUS_RE.match(key):
        return {}
    return {"map": map_url(base, as_of, key), "profile": profile_url(base, key, as_of),
            "api": f"{base}{API_PREFIX.lstrip('/')}/place/{key}" + (f"?as_of={as_of}" if as_of else "")}


def _distance(data: MapData, layer: str, geoid: str, words: str) -> dict | None:
    from .distances import distance_record

    row = data.boundaries.lookup(layer, geoid) if data.boundaries is not None and geoid else None
    if row is None or pd.isna(row.get("border_km")):
        return None
    rec = distance_record(row)
    keep = ("km", "miles", "mainland_km", "mainland_miles", "nearest_points", "parts", "nearest_part_is_mainland")
    return {"words": words, **{k: rec[k] for k in keep}, "method": rec["method"]}


# ---------------------------------------------------------------------------- /api/v1/at
@dataclass(frozen=True)
class AtQuery:
    lat: float
    lon: float
    as_of: str  # ISO day


def parse_at(query: Query, today: dt.date | None = None) -> AtQuery:
    today = today or dt.date.today()
    check_params(query, ("lat", "lon", "as_of"))
    lat = parse_number(single(query, "lat"), "lat", -90, 90)
    lon = parse_number(single(query, "lon"), "lon", -180, 180)
    return AtQuery(lat, lon, parse_as_of(query, today))


def _point_facts(data: MapData, lon: float, lat: float, statefp: str) -> tuple[dict | None, dict]:
    """The point's own distance to the border line (as the Border page measures reference points) and its zones."""
    import shapely

    from .distances import ZONE_LABELS, measure

    b = data.boundaries
    if b is None:
        return None, {}
    point = shapely.Point(lon, lat)
    distance = None
    if b.border is not None and len(b.border):
        d = measure(point, b.border.geometry.iloc[0], statefp or None)
        distance = {"km": round(float(d.km), 3), "miles": round(float(d.miles), 3),
                    "nearest_points": d.nearest_points}
    zones = {key: {"label": ZONE_LABELS.get(key, key), "inside": bool(shapely.covers(frame.geometry.values, point).any())}
             for key, frame in b.zones.items()}
    return distance, zones


def at(data: MapData, q: AtQuery, base: str) -> dict:
    """Everything that applies at a point on a day: :func:`profile.stack`, the Map page's "what applies here"."""
    from .profile import stack

    view = View(as_of=q.as_of)
    entries, note = stack(data, q.lon, q.lat, view)
    jurisdictions = []
    for e in entries:
        jurisdictions.append({
            "key": e.key or None, "layer": e.layer, "geoid": e.geoid or None, "name": e.name, "level": e.level,
            "state": e.state, "instruments": e.instruments, "applies_here": e.applies, "agreements": e.agreements,
            "listings": e.listings, "distance": _distance(data, e.layer, e.geoid, e.distance),
            "zones": {"zone_mexico": e.zone_mexico or None, "zone_all": e.zone_all or None} if e.key else None,
            "note": e.note, "research": e.research, "links": _links(base, e.key, q.as_of)})
    statefp = next((e.geoid for e in entries if e.layer == "state"), "")
    distance, zones = _point_facts(data, q.lon, q.lat, statefp) if entries else (None, {})
    return plain({
        "api": API_VERSION, "dataset_version": data.version, "as_of": q.as_of,
        "point": {"lat": q.lat, "lon": q.lon}, "found": bool(entries),
        "message": "" if entries else "No US boundary here in this server's Census source.",
        "note": note, "jurisdictions": jurisdictions,
        "counts": {"jurisdictions": sum(1 for e in entries if e.key),
                   "instruments": sum(len(e.instruments) for e in entries),
                   "agreements": sum(len(e.agreements) for e in entries),
                   "listings": sum(len(e.listings) for e in entries)},
        "distance": distance, "zones": zones,
        "links": {"map": map_url(base, q.as_of, next((e.key for e in reversed(entries) if e.key), ""))},
    })


# ---------------------------------------------------------------------------- /api/v1/place/{layer}:{geoid}
@dataclass(frozen=True)
class PlaceQuery:
    layer: str
    geoid: str
    as_of: str


def parse_place(key: str, query: Query, today: dt.date | None = None) -> PlaceQuery:
    check_params(query, ("as_of",))
    layer, geoid = parse_key(key)
    return PlaceQuery(layer, geoid, parse_as_of(query, today or dt.date.today()))


def place(data: MapData, q: PlaceQuery, base: str) -> dict:
    """The profile of one jurisdiction (the Place page); a well-formed key nobody knows is a 404."""
    from .profile import profile

    p = profile(data, q.layer, q.geoid, View(as_of=q.as_of))
    if p is None:
        raise ApiError(404, f"{q.layer}:{q.geoid} is neither in the boundary index nor in the policy table", "geoid")
    words = p.pop("distance")
    return plain({"api": API_VERSION, **p, "layer": q.layer, "geoid": q.geoid,
                  "distance": _distance(data, q.layer, q.geoid, words) or ({"words": words} if words else None),
                  "links": _links(base, f"{q.layer}:{q.geoid}", q.as_of)})


# ---------------------------------------------------------------------------- /api/v1/search
_search_tables: Kept[pd.DataFrame] = Kept(4)


def kept_search_table(data: MapData) -> pd.DataFrame:
    """The search's table of places for ``data``, built once per loaded data (the API's search and the first view)."""
    from .search import search_table

    return _search_tables.get((id(data), data.version), lambda: search_table(data))


@dataclass(frozen=True)
class SearchQuery:
    q: str
    limit: int = 10


def parse_search(query: Query) -> SearchQuery:
    check_params(query, ("q", "limit"))
    q = single(query, "q")
    if not q:
        raise ApiError(400, "parameter 'q' is required (a place name, e.g. 'Los Angeles Unified' or 'Portland, OR')", "q")
    if len(q) > MAX_QUERY:
        raise ApiError(400, f"parameter 'q' is longer than {MAX_QUERY} characters", "q")
    return SearchQuery(q, parse_int(single(query, "limit"), "limit", 1, 50, 10))


def search(data: MapData, q: SearchQuery, base: str) -> dict:
    """Find a place by name, typo-tolerant: the answer the Map page's search box gives."""
    from .profile import missing_layers
    from .search import answer

    said = answer(q.q, kept_search_table(data), missing_layers=lambda s: missing_layers(data, s), limit=q.limit)
    hits = [{**asdict(h), "label": h.label(), "place": h.place(), "links": _links(base, h.key, "")} for h in said.hits]
    return plain({"api": API_VERSION, "dataset_version": data.version, "query": q.q, "selected": said.select or None,
                  "message": said.message, "hits": hits})


# ---------------------------------------------------------------------------- /api/v1/changes
EVENT_FIELDS = ("date", "event", "event_label", "kind", "jurisdiction_name", "state", "geoid_layer", "geoid", "source_id",
                "stance", "summary", "source_url")


def event_record(row: Mapping[str, Any], base: str, today: dt.date) -> dict:
    """One ledger event for readers of the API and the feed: its fields, the map as of that day, its source."""
    key = f"{row['geoid_layer']}:{row['geoid']}" if row.get("geoid") else ""
    day = min(str(row["sort_date"]), today.isoformat())
    rec = {k: row.get(k, "") for k in EVENT_FIELDS}
    rec["key"] = key if _FOCUS_RE.match(key) else None
    rec["links"] = {"map": map_url(base, day, rec["key"] or ""), "source": row.get("source_url") or None,
                    **({"profile": profile_url(base, key, day)} if rec["key"] else {})}
    return rec


@dataclass(frozen=True)
class ChangesQuery:
    since: str
    until: str
    kinds: tuple[str, ...] = ()
    state: str = ""


def parse_changes(query: Query, today: dt.date | None = None) -> ChangesQuery:
    today = today or dt.date.today()
    check_params(query, ("since", "until", "kind", "state"))
    until = parse_day(single(query, "until"), "until", today) if single(query, "until") else today
    since = (parse_day(single(query, "since"), "since", today) if single(query, "since")
             else max(EARLIEST, until - dt.timedelta(days=DEFAULT_CHANGE_DAYS)))
    if since > until:
        raise ApiError(400, f"since={since} is after until={until}", "since")
    kinds = tuple(k.strip() for k in single(query, "kind").split(",") if k.strip())
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise ApiError(400, f"unknown kind {bad[0][:20]!r}; expected one or more of: {', '.join(KINDS)}", "kind")
    return ChangesQuery(since.isoformat(), until.isoformat(), kinds, parse_state(query))


def changes(data: MapData, q: ChangesQuery, base: str, today: dt.date | None = None) -> dict:
    """Every dated event between two days (inclusive; a month-only date counts if its month overlaps)."""
    from .events import changes as ledger_changes

    today = today or dt.date.today()
    ev = ledger_changes(data, q.since, q.until, q.kinds)
    if q.state:
        ev = ev[ev["state"] == q.state]
    return plain({"api": API_VERSION, "dataset_version": data.version, "since": q.since, "until": q.until,
                  "kinds": list(q.kinds) or list(KINDS), "state": q.state or None, "count": len(ev),
                  "counts_by_kind": {k: int((ev["kind"] == k).sum()) for k in KINDS},
                  "events": [event_record(r, base, today) for r in ev.to_dict("records")]})


# ---------------------------------------------------------------------------- /api/v1/openapi.json
def _param(name: str, where: str, schema: dict, description: str, required: bool = False, example: Any = None) -> dict:
    p = {"name": name, "in": where, "required": required, "description": description, "schema": schema}
    if example is not None:
        p["example"] = example
    return p


_DAY = {"type": "string", "format": "date", "pattern": _DAY_RE.pattern}
_LANG = _param("lang", "query", {"enum": sorted(i18n.LANGS), "default": i18n.SOURCE},
               "Language of labels and generated sentences (policy titles and quotes stay in their own language; "
               "error messages are English).")
_AS_OF = _param("as_of", "query", _DAY, "What was in force that day (YYYY-MM-DD, 1776-07-04 to today; default today).")
_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}


def _obj(props: dict, required: Sequence[str] = (), extra: bool = True) -> dict:
    return {"type": "object", "properties": props, "required": list(required), "additionalProperties": extra}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(item: dict) -> dict:
    return {"type": "array", "items": item}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {"400": {"$ref": "#/components/responses/BadRequest"}, "304": {"description": "Not modified (If-None-Match)"}}


def schemas() -> dict:
    instrument = _obj({k: _STR for k in ("policy_id", "title", "type", "stance", "status", "adopted", "effective", "summary",
                                        "source_url", "source_title", "source_kind", "source_url_2", "binds", "applies_as",
                                        "applies_from")} | {"does": _array(_STR)}, ("policy_id", "title", "stance", "source_url"))
    links = _obj({"map": _STR, "profile": _STR, "api": _STR, "source": _NSTR})
    distance = {"type": ["object", "null"], "properties": {
        "words": _STR, "km": {"type": "number"}, "miles": {"type": "number"}, "mainland_km": {"type": "number"},
        "mainland_miles": {"type": "number"}, "nearest_points": _array(_array({"type": "number"})),
        "parts": {"type": "integer"}, "nearest_part_is_mainland": {"type": "boolean"}, "method": _STR}}
    jurisdiction = _obj({
        "key": _NSTR, "layer": {"enum": list(LAYERS)}, "geoid": _NSTR, "name": _STR, "level": _STR, "state": _STR,
        "instruments": _array(_ref("Instrument")), "applies_here": _array(_ref("Instrument")),
        "agreements": _array({"type": "object"}), "listings": _array({"type": "object"}), "distance": _ref("Distance"),
        "zones": {"type": ["object", "null"]}, "note": _STR, "research": _STR, "links": _ref("Links")},
        ("key", "layer", "name", "level", "state", "instruments", "applies_here", "agreements", "listings"))
    event = _obj({**{k: _STR for k in EVENT_FIELDS}, "key": _NSTR, "links": _ref("Links")},
                 ("date", "event", "kind", "jurisdiction_name", "summary", "links"))
    return {
        "Error": _obj({"error": _STR, "parameter": _NSTR}, ("error", "parameter"), extra=False),
        "Instrument": instrument, "Links": links, "Distance": distance, "Jurisdiction": jurisdiction, "Event": event,
        "At": _obj({"api": _STR, "dataset_version": _STR, "as_of": _DAY,
                    "point": _obj({"lat": {"type": "number"}, "lon": {"type": "number"}}, ("lat", "lon")),
                    "found": {"type": "boolean"}, "message": _STR, "note": _STR,
                    "jurisdictions": _array(_ref("Jurisdiction")), "counts": {"type": "object"},
                    "distance": {"type": ["object", "null"]}, "zones": {"type": "object"}, "links": _ref("Links")},
                   ("dataset_version", "as_of", "point", "jurisdictions", "counts")),
        "Place": _obj({"key": _STR, "name": _STR, "level": _STR, "state": _STR, "summary": _STR, "as_of": _DAY,
                       "dataset_version": _STR, "instruments": _array(_ref("Instrument")),
                       "applies_here": _array(_ref("Instrument")), "all_instruments": _array(_ref("Instrument")),
                       "agreements": _array({"type": "object"}), "listings": _array({"type": "object"}),
                       "distance": _ref("Distance"), "overlapping": _array({"type": "object"}),
                       "timeline": _array({"type": "object"}), "links": _ref("Links")},
                      ("key", "name", "level", "state", "as_of", "instruments", "timeline")),
        "MapView": _obj({"config": _obj({"lookup": {"type": "object"}, "shown": {"type": "object"},
                                         "coverage": {"type": "object"}, "asOf": _DAY}, ("lookup", "shown", "asOf")),
                         "lang": _STR, "groups": _array({"type": "object"}), "toggles": _array({"type": "object"}),
                         "overlays": _array({"type": "object"}), "shown": _array(_STR),
                         "legend": _obj({"title": _STR, "sections": _array({"type": "array"})}, ("title", "sections")),
                         "focus": _obj({"key": _STR, "bounds": _array(_array({"type": "number"})),
                                        "segments": _array({"type": "object"})}, ("key", "bounds")),
                         "basemap": {"type": ["object", "null"]}, "assets": {"type": "object"}, "living": _STR},
                        ("config", "lang", "legend", "focus", "shown")),
        "Search": _obj({"query": _STR, "selected": _NSTR, "message": _STR, "hits": _array(_obj(
            {"key": _STR, "name": _STR, "level": _STR, "state": _STR, "score": {"type": "number"},
             "has_boundary": {"type": "boolean"}, "records": {"type": "integer"}, "exact": {"type": "boolean"},
             "label": _STR, "place": _STR, "links": _ref("Links")}, ("key", "name", "level", "label")))},
                       ("query", "hits")),
        "Changes": _obj({"since": _DAY, "until": _DAY, "kinds": _array({"enum": list(KINDS)}), "state": _NSTR,
                         "count": {"type": "integer"}, "counts_by_kind": {"type": "object"}, "events": _array(_ref("Event"))},
                        ("since", "until", "count", "events")),
        "OEmbed": _obj({"version": {"const": "1.0"}, "type": {"const": "rich"}, "html": _STR,
                        "width": {"type": "integer"}, "height": {"type": "integer"}, "title": _STR,
                        "provider_name": _STR, "provider_url": _STR}, ("version", "type", "html", "width", "height")),
    }


def openapi(base: str) -> dict:
    """The OpenAPI 3.1 document of the API, the feed and oEmbed, served at ``/api/v1/openapi.json``."""
    v1 = API_PREFIX
    ok = "200"
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": f"{API_VERSION}.{API_REVISION}",
                 "description": ("What applies where: US state, county, city and school-district policy on cooperation "
                                 "with federal immigration enforcement, 287(g) agreements and federal lists. Every answer "
                                 "carries the dataset version; responses are cacheable (ETag, Cache-Control) and open to "
                                 "any origin (CORS, GET only). Bad input gets a 400 with {error, parameter}."),
                 "license": {"name": "See the project's data/README.md for each table's licence"}},
        "servers": [{"url": base.rstrip("/") or "/"}],
        "paths": {
            f"{v1}/at": {"get": {
                "summary": "Everything that applies at a point", "operationId": "at",
                "description": "State, county, city (or 'unincorporated area') and school districts containing the point, "
                               "each with its instruments in force, the state and county law that applies there, 287(g) "
                               "agreements, federal listings, zones and distance to the US-Mexico border.",
                "parameters": [_param("lat", "query", {"type": "number", "minimum": -90, "maximum": 90}, "Latitude (WGS84)",
                                      True, 34.0522),
                               _param("lon", "query", {"type": "number", "minimum": -180, "maximum": 180},
                                      "Longitude (WGS84)", True, -118.2437), _AS_OF, _LANG],
                "responses": {ok: _json(_ref("At"), "The stack at the point"), **_ERRORS}}},
            f"{v1}/place/{{key}}": {"get": {
                "summary": "The profile of one jurisdiction", "operationId": "place",
                "parameters": [_param("key", "path", {"type": "string", "pattern": _FOCUS_RE.pattern},
                                      "LAYER:GEOID, e.g. unsd:0622710 (layers: " + ", ".join(LAYERS) + ")", True,
                                      "unsd:0622710"), _AS_OF, _LANG],
                "responses": {ok: _json(_ref("Place"), "The profile"), **_ERRORS,
                              "404": {"$ref": "#/components/responses/NotFound"}}}},
            f"{v1}/search": {"get": {
                "summary": "Find jurisdictions by name (typo-tolerant)", "operationId": "search",
                "parameters": [_param("q", "query", {"type": "string", "maxLength": MAX_QUERY},
                                      "A name; 'Portland, OR' narrows to a state", True, "Los Angelos Unified"),
                               _param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
                                      "Most hits returned"), _LANG],
                "responses": {ok: _json(_ref("Search"), "Best matches first"), **_ERRORS}}},
            f"{v1}/changes": {"get": {
                "summary": "Dated events between two days", "operationId": "changes",
                "parameters": [_param("since", "query", _DAY, f"First day (default: {DEFAULT_CHANGE_DAYS} days before until)"),
                               _param("until", "query", _DAY, "Last day (default: today)"),
                               _param("kind", "query", {"type": "string"}, "Comma-separated kinds: " + ", ".join(KINDS)),
                               _param("state", "query", {"enum": sorted(STATE_FIPS)}, "Two-letter state code"), _LANG],
                "responses": {ok: _json(_ref("Changes"), "Events, oldest first"), **_ERRORS}}},
            f"{v1}/map": {"get": {
                "summary": "What the map draws for a view (the living map's answer to a filter change)",
                "operationId": "map",
                "description": "The Map page's own parameters (copy them from a share link). The answer is what the map "
                               "component receives for that view: lookups of layer and GEOID to the direction drawn, "
                               "county coverage, 287(g) models and federal listings, the ids of the entries shown, the "
                               "legend and the focus, with the addresses of the static tiles and details. Results only: "
                               "no filter rules.",
                "parameters": [_AS_OF, _param("focus", "query", {"type": "string", "pattern": _FOCUS_RE.pattern},
                                              "A jurisdiction to frame, LAYER:GEOID", example="unsd:0622710"),
                               _param("stance", "query", {"type": "string"}, "A direction (repeatable), as in a share link",
                                      example="requires_cooperation"), _LANG],
                "responses": {ok: _json(_ref("MapView"), "The map's results for the view"), **_ERRORS}}},
            f"{v1}/snapshot.png": {"get": {
                "summary": "A snapshot image of a view (the embed snippet's <noscript> picture)", "operationId": "snapshot",
                "description": "The Map page's own parameters (as_of, stance, type, level, focus, lang, ...: copy them from "
                               "a share link), a web preset and a light or dark page. Drawn once per dataset version, view "
                               "and day, then served from a cache; 503 with Retry-After while the renderer is busy.",
                "parameters": [_AS_OF, _param("focus", "query", {"type": "string", "pattern": _FOCUS_RE.pattern},
                                              "A jurisdiction to frame, LAYER:GEOID", example="place:2507000"),
                               _param("preset", "query", {"enum": ["article", "social", "square"], "default": "article"},
                                      "Size: article 1600x1000, social 1200x630, square 1080x1080"),
                               _param("theme", "query", {"enum": ["light", "dark"], "default": "light"}, "Page colour"),
                               _LANG],
                "responses": {ok: {"description": "PNG with Title and Description (alt text) metadata",
                                   "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}},
                              **_ERRORS, "503": {"description": "The renderer is busy; retry after the Retry-After seconds"}}}},
            f"{v1}/openapi.json": {"get": {"summary": "This document", "operationId": "openapi",
                                           "responses": {ok: {"description": "OpenAPI 3.1"}}}},
            "/feed.atom": {"get": {
                "summary": "Atom feed of the latest events", "operationId": "feed",
                "parameters": [_param("state", "query", {"enum": sorted(STATE_FIPS)}, "Only one state's events"), _LANG],
                "responses": {ok: {"description": "Atom 1.0", "content": {"application/atom+xml": {"schema": _STR}}},
                              **_ERRORS}}},
            "/oembed": {"get": {
                "summary": "oEmbed for embed links (?mode=embed)", "operationId": "oembed",
                "parameters": [_param("url", "query", _STR, "An embed URL of this site", True),
                               _param("maxwidth", "query", {"type": "integer", "minimum": 1}, "Largest width"),
                               _param("maxheight", "query", {"type": "integer", "minimum": 1}, "Largest height"),
                               _param("format", "query", {"enum": ["json"]}, "Only json")],
                "responses": {ok: _json(_ref("OEmbed"), "A rich oEmbed with an iframe"), **_ERRORS,
                              "501": {"$ref": "#/components/responses/BadRequest"}}}},
        },
        "components": {
            "schemas": schemas(),
            "responses": {"BadRequest": _json(_ref("Error"), "Bad input: the error names the parameter"),
                          "NotFound": _json(_ref("Error"), "No such jurisdiction")},
        },
    }
