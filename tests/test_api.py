"""The JSON API, the Atom feed and oEmbed: the typed functions on the fixture world, the routes through Starlette's
TestClient, and the real thing under `streamlit run app.py` (one command, one port: the app and the routes)."""
from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import feedparser
import jsonschema
import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.testclient import TestClient

import world
from conftest import ROOT, streamlit_server
from sanctuary_map import api, feed, oembed, routes
from sanctuary_map.events import changes as ledger_changes
from sanctuary_map.events import ledger
from sanctuary_map.profile import stack
from sanctuary_map.view import View

BASE = "http://testserver/"
TODAY = dt.date(2026, 12, 1)


def q(**params) -> dict[str, list[str]]:
    return {k: [str(v)] for k, v in params.items()}


def error_of(call) -> api.ApiError:
    with pytest.raises(api.ApiError) as info:
        call()
    return info.value


# ---------------------------------------------------------------------------- parameters
@pytest.mark.parametrize("params, parameter", [
    ({"lat": "abc", "lon": "1"}, "lat"),
    ({"lon": "-117.75"}, "lat"),
    ({"lat": "91", "lon": "0"}, "lat"),
    ({"lat": "33", "lon": "-181"}, "lon"),
    ({"lat": "nan", "lon": "0"}, "lat"),
    ({"lat": "1e400", "lon": "0"}, "lat"),
    ({"lat": "33.75", "lon": "-117.75", "as_of": "2020-13-01"}, "as_of"),
    ({"lat": "33.75", "lon": "-117.75", "as_of": "2021-02-30"}, "as_of"),
    ({"lat": "33.75", "lon": "-117.75", "as_of": "1700-01-01"}, "as_of"),
    ({"lat": "33.75", "lon": "-117.75", "as_of": "2099-01-01"}, "as_of"),
    ({"lat": "33.75", "lon": "-117.75", "as_of": "yesterday"}, "as_of"),
    ({"lat": "33.75", "lon": "-117.75", "stance": "limits"}, "stance"),
])
def test_at_refuses_bad_input_naming_the_parameter(params, parameter):
    err = error_of(lambda: api.parse_at(q(**params), TODAY))
    assert err.status == 400 and err.parameter == parameter and err.body() == {"error": err.error, "parameter": parameter}


def test_repeated_parameter_is_refused():
    err = error_of(lambda: api.parse_at({"lat": ["1", "2"], "lon": ["0"]}, TODAY))
    assert (err.status, err.parameter) == (400, "lat")


def test_at_query_defaults_to_today():
    assert api.parse_at(q(lat="33.75", lon="-117.75"), TODAY) == api.AtQuery(33.75, -117.75, TODAY.isoformat())


@pytest.mark.parametrize("key, status, parameter", [
    ("town:0600001", 400, "layer"), ("place:06x", 400, "geoid"), ("place:1", 400, "geoid"), ("0600001", 400, "key")])
def test_place_key_is_validated(key, status, parameter):
    err = error_of(lambda: api.parse_place(key, {}, TODAY))
    assert (err.status, err.parameter) == (status, parameter)


@pytest.mark.parametrize("params, parameter", [
    ({"since": "2020-02-01", "until": "2020-01-01"}, "since"), ({"since": "2020-1-1"}, "since"),
    ({"until": "2099-01-01"}, "until"), ({"kind": "policy,weather"}, "kind"), ({"state": "ZZ"}, "state"),
    ({"from": "2020-01-01"}, "from")])
def test_changes_query_is_validated(params, parameter):
    err = error_of(lambda: api.parse_changes(q(**params), TODAY))
    assert (err.status, err.parameter) == (400, parameter)


def test_changes_default_window_is_the_last_30_days():
    c = api.parse_changes({}, TODAY)
    assert (c.since, c.until) == ((TODAY - dt.timedelta(days=30)).isoformat(), TODAY.isoformat())


@pytest.mark.parametrize("params, parameter", [({}, "q"), ({"q": "x" * 101}, "q"), ({"q": "a", "limit": "0"}, "limit"),
                                               ({"q": "a", "limit": "x"}, "limit"), ({"q": "a", "page": "2"}, "page")])
def test_search_query_is_validated(params, parameter):
    assert error_of(lambda: api.parse_search(q(**params))).parameter == parameter


# ---------------------------------------------------------------------------- answers on the fixture world
def test_at_is_the_stack_of_the_what_applies_here_panel(world_data):
    lon, lat = world.IN_TESTVILLE
    body = api.at(world_data, api.AtQuery(lat, lon, TODAY.isoformat()), BASE)
    entries, note = stack(world_data, lon, lat, View(as_of=TODAY.isoformat()))
    assert [j["key"] for j in body["jurisdictions"]] == ["state:06", "county:06001", "place:0600001", "unsd:0600010"]
    assert [j["key"] for j in body["jurisdictions"]] == [e.key for e in entries]
    for j, e in zip(body["jurisdictions"], entries):
        assert [i["policy_id"] for i in j["instruments"]] == [i.policy_id for i in e.instruments]
        assert [i["policy_id"] for i in j["applies_here"]] == [i.policy_id for i in e.applies]
        assert len(j["agreements"]) == len(e.agreements) and len(j["listings"]) == len(e.listings)
        assert j["links"]["map"].startswith(BASE) and f"focus={urllib.parse.quote(e.key)}" in j["links"]["map"]
        assert j["zones"]["zone_mexico"] in ("inside", "partly inside", "outside")
    assert body["note"] == note and body["found"] and body["dataset_version"] == world_data.version
    county = body["jurisdictions"][1]
    assert county["listings"][0]["list"] == "doj_2025_08_05" and county["agreements"][0]["model"] == "jail_enforcement"
    unsd = body["jurisdictions"][3]
    assert unsd["distance"]["km"] >= 0 and "mainland" in unsd["distance"]["words"]
    assert body["distance"]["km"] > 0 and set(body["zones"]) == {"zone_mexico", "zone_all"}
    json.dumps(body, allow_nan=False)  # strict JSON: no NaN anywhere


def test_at_as_of_and_unincorporated_and_nowhere(world_data):
    lon, lat = world.IN_TESTVILLE
    before = api.at(world_data, api.AtQuery(lat, lon, "2016-01-01"), BASE)
    assert next(j for j in before["jurisdictions"] if j["layer"] == "place")["instruments"] == []
    lon, lat = world.UNINCORPORATED
    body = api.at(world_data, api.AtQuery(lat, lon, TODAY.isoformat()), BASE)
    unincorporated = next(j for j in body["jurisdictions"] if j["name"] == "Unincorporated area")
    assert unincorporated["key"] is None and unincorporated["links"] == {}
    nowhere = api.at(world_data, api.AtQuery(0.0, 0.0, TODAY.isoformat()), BASE)
    assert nowhere["found"] is False and nowhere["jurisdictions"] == [] and nowhere["message"]


def test_place_answers_the_profile_and_404s_the_unknown(world_data):
    p = api.place(world_data, api.PlaceQuery("unsd", "0600010", TODAY.isoformat()), BASE)
    assert p["key"] == "unsd:0600010" and [i["policy_id"] for i in p["instruments"]] == ["tusd-res"]
    assert p["distance"]["miles"] > 0 and p["timeline"] and p["links"]["profile"] == f"{BASE}Place?j=unsd%3A0600010&as_of=2026-12-01"
    no_boundary = api.place(world_data, api.PlaceQuery("place", "4835000", TODAY.isoformat()), BASE)
    assert no_boundary["name"] == "Lone Star City" and no_boundary["distance"] is None
    err = error_of(lambda: api.place(world_data, api.PlaceQuery("place", "0699999", TODAY.isoformat()), BASE))
    assert (err.status, err.parameter) == (404, "geoid")
    json.dumps(p, allow_nan=False)


def test_search_is_the_search_box(world_data):
    body = api.search(world_data, api.SearchQuery("Testville"), BASE)
    assert body["selected"] == body["hits"][0]["key"] and body["hits"][0]["name"] == "Testville"
    fuzzy = api.search(world_data, api.SearchQuery("Testvill Unifed"), BASE)
    assert fuzzy["selected"] is None and "did you mean" in fuzzy["message"]
    assert api.search(world_data, api.SearchQuery("Zzyzx Qwerty"), BASE)["hits"] == []


def test_changes_are_the_ledger_window(world_data):
    body = api.changes(world_data, api.ChangesQuery("2017-01-01", "2019-12-31"), BASE, TODAY)
    expected = ledger_changes(world_data, "2017-01-01", "2019-12-31")
    assert body["count"] == len(expected) > 5 and [e["summary"] for e in body["events"]] == list(expected["summary"])
    assert sum(body["counts_by_kind"].values()) == body["count"]
    for e in body["events"]:
        assert f"as_of={e['date'][:4]}" in e["links"]["map"]
        assert e["links"]["source"] == (e["source_url"] or None)
    oregon = api.changes(world_data, api.ChangesQuery("2017-01-01", "2019-12-31", state="OR"), BASE, TODAY)
    assert oregon["count"] and {e["state"] for e in oregon["events"]} == {"OR"}
    courts = api.changes(world_data, api.ChangesQuery("2017-01-01", "2019-12-31", kinds=("litigation",)), BASE, TODAY)
    assert courts["count"] == len(world.LITIGATION)


def _validator(doc: dict, name: str):
    return jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": doc["components"]})


def _map_view(data) -> dict:
    from sanctuary_map.firstview import results
    from sanctuary_map.publish import served

    return results(data, View(focus="unsd:0600010"), served(data, api.data_version(data)))


def test_openapi_document_describes_every_answer(world_data):
    doc = api.openapi(BASE)
    assert doc["openapi"].startswith("3.") and doc["info"]["title"]
    assert {"/api/v1/at", "/api/v1/place/{key}", "/api/v1/search", "/api/v1/changes", "/api/v1/map", "/api/v1/openapi.json",
            "/api/v1/snapshot.png", "/feed.atom", "/oembed"} == set(doc["paths"])
    for path in doc["paths"].values():
        for op in path.values():
            assert "200" in op["responses"] and op["operationId"]
    for schema in doc["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)
    lon, lat = world.IN_TESTVILLE
    samples = {
        "At": api.at(world_data, api.AtQuery(lat, lon, TODAY.isoformat()), BASE),
        "Place": api.place(world_data, api.PlaceQuery("unsd", "0600010", TODAY.isoformat()), BASE),
        "Search": api.search(world_data, api.SearchQuery("Springfield"), BASE),
        "Changes": api.changes(world_data, api.ChangesQuery("2017-01-01", "2025-12-31"), BASE, TODAY),
        "Error": api.ApiError(400, "x", "lat").body(),
        "OEmbed": oembed.oembed(world_data, oembed.parse_oembed(q(url=f"{BASE}?mode=embed"), [BASE]), BASE),
        "MapView": json.loads(json.dumps(_map_view(world_data))),
    }
    for name, sample in samples.items():
        _validator(doc, name).validate(sample)


# ---------------------------------------------------------------------------- the Atom feed
def test_feed_parses_with_links_to_the_map_and_the_source(world_data):
    body = feed.atom(world_data, BASE, today=TODAY)
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10" and parsed.feed.title.startswith("Sanctuary Map")
    events = ledger(world_data)
    events = events[events["sort_date"] <= TODAY.isoformat()]
    assert len(parsed.entries) == min(feed.ENTRIES, len(events)) >= 10
    assert len({e.id for e in parsed.entries}) == len(parsed.entries)
    dates = [e.updated for e in parsed.entries]
    assert dates == sorted(dates, reverse=True)
    for e in parsed.entries:
        assert e.link.startswith(BASE) and "as_of=" in e.link
        alternate = [link for link in e.links if link.rel == "alternate"]
        assert len(alternate) == 1 and e.title and e.summary
        day = e.updated[:10]
        assert f"as_of={day}" in e.link
    sources = [link.href for e in parsed.entries for link in e.links if link.rel == "related"]
    assert "https://example.org/order" in sources  # the court's injunction
    assert feedparser.parse(feed.atom(world_data, BASE, today=TODAY)).entries[0].id == parsed.entries[0].id  # stable ids


def test_state_feed_and_future_events(world_data):
    oregon = feedparser.parse(feed.atom(world_data, BASE, "OR", today=TODAY))
    assert oregon.entries and all(e.title.endswith(", OR") for e in oregon.entries)
    assert "Oregon" in oregon.feed.title
    early = feedparser.parse(feed.atom(world_data, BASE, today=dt.date(2018, 1, 1)))
    assert all(e.updated[:10] <= "2018-01-01" for e in early.entries)
    assert error_of(lambda: feed.parse_feed(q(state="Texas"))).parameter == "state"
    assert error_of(lambda: feed.parse_feed(q(limit="5"))).parameter == "limit"


# ---------------------------------------------------------------------------- oEmbed
def test_oembed_of_an_embed_link(world_data):
    url = f"{BASE}?as_of=2020-01-01&focus=unsd%3A0600010&mode=embed&embed=true&v=abcdef12"
    answer = oembed.oembed(world_data, oembed.parse_oembed(q(url=url, maxwidth="640"), [BASE]), BASE)
    assert answer["type"] == "rich" and answer["version"] == "1.0" and answer["provider_name"] == "Sanctuary Map"
    assert (answer["width"], answer["height"]) == (640, oembed.HEIGHT)
    assert answer["html"].startswith("<iframe ") and 'width="640"' in answer["html"]
    assert "as_of=2020-01-01&amp;focus=unsd%3A0600010&amp;mode=embed&amp;embed=true&amp;v=abcdef12" in answer["html"]
    assert "Testville Unified School District" in answer["title"] and "2020-01-01" in answer["title"]


@pytest.mark.parametrize("params, status", [
    ({}, 400),
    ({"url": f"{BASE}?as_of=2020-01-01"}, 400),  # not an embed
    ({"url": "https://evil.example/?mode=embed"}, 400),  # another site
    ({"url": "http://testserver:8080/?mode=embed"}, 400),  # another port
    ({"url": f"{BASE}Place?j=unsd:0600010&mode=embed"}, 400),  # not the Map page
    ({"url": "javascript:alert(1)//testserver/?mode=embed"}, 400),
    ({"url": f"{BASE}?mode=embed", "format": "xml"}, 501),
    ({"url": f"{BASE}?mode=embed", "maxwidth": "-5"}, 400),
    ({"url": f"{BASE}?mode=embed", "callback": "x"}, 400),
])
def test_oembed_refuses_what_is_not_our_embed(params, status):
    err = error_of(lambda: oembed.parse_oembed(q(**params), [BASE]))
    assert err.status == status and err.parameter


def test_oembed_never_echoes_the_link(world_data):
    url = f'{BASE}?mode=embed&as_of=2020-01-01"><script>alert(1)</script>&focus=x"onload="y'
    answer = oembed.oembed(world_data, oembed.parse_oembed(q(url=url), [BASE]), BASE)
    assert "<script" not in answer["html"] and "onload" not in answer["html"]


def test_discovery_link():
    page = f"{BASE}?mode=embed&as_of=2020-01-01"
    link = oembed.discovery_link(page, BASE, "A map")
    assert link.startswith('<link rel="alternate" type="application/json+oembed" href="http://testserver/oembed?url=')
    assert urllib.parse.quote(page, safe="") in link.replace("&amp;", "&") and 'title="A map"' in link
    html = oembed.inject_discovery(b"<html><head><title>x</title></head><body></body></html>", page, BASE)
    assert html.index(b"application/json+oembed") < html.index(b"</head>")
    assert oembed.inject_discovery(b"no head", page, BASE) == b"no head"


# ---------------------------------------------------------------------------- through HTTP (Starlette's TestClient)
INDEX = "<!doctype html><html><head><title>Streamlit</title></head><body>app</body></html>"


@pytest.fixture(scope="module")
def client(world_data):
    def index(request):
        return HTMLResponse(INDEX, headers={"ETag": '"index"'})

    source = routes.Source(lambda: world_data)
    app = Starlette(routes=[*routes.routes(source), Route("/", index), Route("/Policies", index)],
                    middleware=routes.middleware(source=source))
    with TestClient(app) as c:
        yield c


def test_http_at_with_cors_and_caching(client, world_data):
    lon, lat = world.IN_TESTVILLE
    r = client.get("/api/v1/at", params={"lat": lat, "lon": lon})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert [j["key"] for j in r.json()["jurisdictions"]][:3] == ["state:06", "county:06001", "place:0600001"]
    assert r.headers["access-control-allow-origin"] == "*" and r.headers["x-dataset-version"] == world_data.version
    assert "max-age=" in r.headers["cache-control"] and r.headers["etag"].startswith('W/"')
    again = client.get("/api/v1/at", params={"lat": lat, "lon": lon}, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == r.headers["etag"]
    other = client.get("/api/v1/at", params={"lat": lat, "lon": lon, "as_of": "2016-01-01"})
    assert other.headers["etag"] != r.headers["etag"]
    pre = client.options("/api/v1/at", headers={"Origin": "https://news.example", "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 204 and "GET" in pre.headers["access-control-allow-methods"]


@pytest.mark.parametrize("path, status, parameter", [
    ("/api/v1/at?lat=abc&lon=1", 400, "lat"),
    ("/api/v1/at?lat=33.7&lon=-117.7&as_of=2099-01-01", 400, "as_of"),
    ("/api/v1/at?lat=33.7&lon=-117.7&zoom=3", 400, "zoom"),
    ("/api/v1/place/town:0600001", 400, "layer"),
    ("/api/v1/place/place:0699999", 404, "geoid"),
    ("/api/v1/search", 400, "q"),
    ("/api/v1/changes?since=2020-02-01&until=2020-01-01", 400, "since"),
    ("/api/v1/changes?until=1492-10-12", 400, "until"),
    ("/api/v1/openapi.json?x=1", 400, "x"),
    ("/api/v1/nothing-here", 404, "path"),
    ("/api/v2/at", 404, "path"),
    ("/feed.atom?state=XX", 400, "state"),
    ("/oembed?url=https%3A%2F%2Fevil.example%2F%3Fmode%3Dembed", 400, "url"),
])
def test_http_errors_are_json_naming_the_parameter(client, path, status, parameter):
    r = client.get(path)
    assert r.status_code == status and r.headers["content-type"].startswith("application/json")
    assert r.json()["parameter"] == parameter and r.json()["error"]
    assert r.headers["cache-control"] == "no-store" and r.headers["access-control-allow-origin"] == "*"


def test_http_other_methods_and_faults_answer_json(world_data):
    def broken():
        raise RuntimeError("secret /path/to/file.py")

    with TestClient(Starlette(routes=routes.routes(routes.Source(broken))), raise_server_exceptions=False) as c:
        r = c.get("/api/v1/at", params={"lat": 1, "lon": 1})
        assert r.status_code == 500 and r.json() == {"error": "internal error; it has been logged", "parameter": None}
        assert "secret" not in r.text and "Traceback" not in r.text
        r = c.post("/api/v1/at")
        assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD, OPTIONS" and r.json()["error"]


def test_http_place_search_changes_openapi(client):
    assert client.get("/api/v1/place/unsd:0600010").json()["instruments"][0]["policy_id"] == "tusd-res"
    assert client.get("/api/v1/search", params={"q": "Springfield, OR"}).json()["hits"][0]["state"] == "OR"
    ch = client.get("/api/v1/changes", params={"since": "2019-01-01", "until": "2019-12-31", "kind": "litigation"}).json()
    assert ch["count"] == 2
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["servers"] == [{"url": "http://testserver"}] and "/api/v1/at" in doc["paths"]


def test_http_feed_and_oembed(client):
    r = client.get("/feed.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo and len(parsed.entries) >= 10 and all(e.link for e in parsed.entries)
    assert parsed.feed.links[0].href == "http://testserver/feed.atom"
    r = client.get("/oembed", params={"url": "http://testserver/?mode=embed&as_of=2020-01-01"})
    assert r.status_code == 200 and r.json()["type"] == "rich" and "<iframe" in r.json()["html"]


def test_http_embed_page_announces_its_oembed(client):
    r = client.get("/?mode=embed&as_of=2020-01-01", headers={"If-None-Match": '"index"'})
    assert r.status_code == 200 and "application/json+oembed" in r.text and "etag" not in r.headers
    href = r.text.split('type="application/json+oembed" href="')[1].split('"')[0].replace("&amp;", "&")
    assert client.get(href).json()["type"] == "rich"
    plain = client.get("/?as_of=2020-01-01")  # a page that is not an embed: the backend address, no discovery link
    assert "application/json+oembed" not in plain.text and "BACKEND_BASE_URL" in plain.text
    # Nothing else changed: the page is Streamlit's, with the backend script, the map's preloads and its first view
    # first in its head.
    added = routes.backend_script("") + routes.map_preloads("")
    first = plain.content.split(added, 1)[1].split(b"<title>", 1)[0]
    assert first.startswith(b'<script type="application/json" id="sm-first-view">')
    assert plain.content == INDEX.encode().replace(b"<head>", b"<head>" + added + first, 1)


def test_app_py_is_an_st_app_for_streamlit_run():
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app and found.import_string == "app:app"


# ---------------------------------------------------------------------------- the real server: `streamlit run app.py`
def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.fixture(scope="module")
def served(world_dir, world_geodata, tmp_path_factory):
    with streamlit_server(world_dir, world_geodata, tmp_path_factory.mktemp("api-server") / "streamlit.log") as url:
        yield url


def test_streamlit_run_serves_the_app_and_the_routes_on_one_port(served):
    status, headers, body = _get(served + "/")
    assert status == 200 and b"<div id=\"root\">" in body and b"oembed" not in body  # the app's page, unchanged
    lon, lat = world.IN_TESTVILLE
    status, headers, body = _get(f"{served}/api/v1/at?lat={lat}&lon={lon}")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*" and headers["ETag"]
    assert [j["key"] for j in json.loads(body)["jurisdictions"]] == ["state:06", "county:06001", "place:0600001", "unsd:0600010"]
    status, headers, body = _get(f"{served}/api/v1/at?lat=abc")
    assert status == 400 and json.loads(body) == {"error": json.loads(body)["error"], "parameter": "lat"}
    status, headers, body = _get(f"{served}/feed.atom")
    parsed = feedparser.parse(body)
    assert status == 200 and not parsed.bozo and len(parsed.entries) >= 10 and all(e.link for e in parsed.entries)
    embed = f"{served}/?mode=embed&as_of=2020-01-01"
    status, headers, body = _get(embed)
    assert status == 200 and b"application/json+oembed" in body
    status, headers, body = _get(f"{served}/oembed?url={urllib.parse.quote(embed, safe='')}")
    assert status == 200 and json.loads(body)["type"] == "rich" and "<iframe" in json.loads(body)["html"]


def test_pages_get_the_backend_address_and_other_paths_pass_through():
    from sanctuary_map.routes import PageHead, backend_script, inject_head

    page = inject_head(b"<html><head><title>x</title></head></html>", backend_script("/map"))
    assert page.startswith(b"<html><head><script>window.__streamlit=") and b'"/map/"' in page
    assert inject_head(b"no head", b"<script></script>") == b"no head"
    mw = PageHead(app=None, prefix="")  # type: ignore[arg-type]
    http = {"type": "http", "method": "GET"}
    assert mw._is_page({**http, "path": "/Policies"}) and mw._is_page({**http, "path": "/"})
    for path in ("/_stcore/health", "/app/static/generated/x.pmtiles", "/api/v1/at", "/feed.atom", "/favicon.png"):
        assert not mw._is_page({**http, "path": path}), path
    assert not PageHead(app=None, prefix="map")._is_page({**http, "path": "/Policies"})  # type: ignore[arg-type]


def test_http_answers_in_spanish_with_links_that_keep_the_language(client):
    en = client.get("/api/v1/place/unsd:0600010")
    es = client.get("/api/v1/place/unsd:0600010", params={"lang": "es"})
    assert es.status_code == 200 and es.headers["etag"] != en.headers["etag"]
    assert en.json()["level"] != es.json()["level"], "labels follow the language"
    assert es.json()["instruments"][0]["title"] == en.json()["instruments"][0]["title"], "titles stay as written"
    assert "lang=es" in es.json()["links"]["map"] and "lang=" not in en.json()["links"]["map"]
    bad = client.get("/api/v1/place/unsd:0600010", params={"lang": "fr"})
    assert bad.status_code == 400 and bad.json()["parameter"] == "lang"
    doc = client.get("/api/v1/openapi.json").json()
    assert any(p["name"] == "lang" for p in doc["paths"]["/api/v1/place/{key}"]["get"]["parameters"])


@pytest.fixture()
def snapshot_client(world_data, tmp_path):
    app = Starlette(routes=routes.routes(routes.Source(lambda: world_data), snapshot_cache=tmp_path / "cache"))
    with TestClient(app) as c:
        yield c, tmp_path / "cache"


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium not installed")
def test_http_snapshot_is_the_export_png_drawn_once_per_view(snapshot_client):
    from sanctuary_map.export import png_text

    client, cache = snapshot_client
    r = client.get("/api/v1/snapshot.png", params={"focus": "place:0600001", "preset": "social", "as_of": "2026-01-01"})
    assert r.status_code == 200 and r.headers["content-type"] == "image/png", r.text[:200]
    meta = png_text(r.content)
    assert "Testville" in meta["Title"] and meta["Description"] and meta["sanctuary-map:as-of"] == "2026-01-01"
    [drawn] = list(cache.glob("*.png"))
    before = drawn.stat().st_mtime_ns
    again = client.get("/api/v1/snapshot.png", params={"focus": "place:0600001", "preset": "social", "as_of": "2026-01-01"})
    assert again.content == r.content and drawn.stat().st_mtime_ns == before, "served from the cache, not drawn again"
    es = client.get("/api/v1/snapshot.png", params={"focus": "place:0600001", "preset": "social", "as_of": "2026-01-01",
                                                    "lang": "es"})
    assert "de 2026" in png_text(es.content)["Description"], "drawn in the asked language"


@pytest.mark.parametrize("params, parameter", [
    ({"preset": "print"}, "preset"), ({"theme": "sepia"}, "theme"), ({"stance": "sideways"}, "view"),
    ({"zoom": "3"}, "zoom"), ({"as_of": "2099-01-01"}, "view"),
])
def test_http_snapshot_refuses_what_the_page_would_drop(snapshot_client, params, parameter):
    client, cache = snapshot_client
    r = client.get("/api/v1/snapshot.png", params=params)
    assert r.status_code == 400 and r.json()["parameter"] == parameter and not cache.exists()


def test_http_snapshot_says_busy_instead_of_queueing_forever(snapshot_client, monkeypatch):
    from sanctuary_map import snapshots

    client, _cache = snapshot_client
    monkeypatch.setattr(snapshots, "WAIT_SECONDS", 0.05)
    assert snapshots._render.acquire(timeout=1)
    try:
        r = client.get("/api/v1/snapshot.png", params={"focus": "place:0600001"})
    finally:
        snapshots._render.release()
    assert r.status_code == 503 and r.headers["retry-after"] == "30" and "busy" in r.json()["error"]


def test_embed_snippet_falls_back_to_the_snapshot_image_without_scripts(world_data):
    from sanctuary_map.export import embed_snippet

    view = View(focus="place:0600001", as_of="2026-01-01")
    html_text = embed_snippet(world_data, view, "https://map.example/?mode=embed", "https://map.example/")
    noscript = html_text.split("<noscript>", 1)[1].split("</noscript>", 1)[0]
    assert '<img src="https://map.example/api/v1/snapshot.png?' in noscript and "focus=place%3A0600001" in noscript
    assert 'alt="' in noscript and "Testville" in noscript.split('alt="', 1)[1]
    assert '<a href="https://map.example/?' in noscript


def test_the_map_page_preloads_the_map_scripts_under_its_base_path(client):
    from sanctuary_map.mapping import Assets
    from sanctuary_map.routes import map_preloads

    head = client.get("/").text.split("</head>", 1)[0]
    for _name, url in Assets.served().js:
        assert f'<link rel="preload" as="script" href="{url}">' in head, url
    assert b'href="/map/app/static/vendor/leaflet/leaflet.js"' in map_preloads("/map")


# ---------------------------------------------------------------------------- the map's results for a view
def test_the_map_endpoint_answers_what_the_map_component_gets_for_that_view(client, world_data):
    from sanctuary_map import i18n
    from sanctuary_map.mapping import Assets, living_payload
    from sanctuary_map.publish import served

    view = View(stances=("requires_cooperation",), focus="unsd:0600010", lang="es")
    r = client.get("/api/v1/map", params=view.to_query())
    assert r.status_code == 200 and r.headers["x-dataset-version"] == world_data.version
    # The tables' version and the boundary build they were joined to: the living map paints only an answer from its own.
    assert r.headers["x-data-build"] == api.data_version(world_data)
    assert "X-Data-Build" in r.headers["access-control-expose-headers"]
    assert "max-age=" in r.headers["cache-control"] and r.headers["access-control-allow-origin"] == "*"
    from sanctuary_map.settings import settings

    with i18n.using("es"):
        expected = living_payload(world_data, view, served(world_data, api.data_version(world_data)),
                                  basemap=settings().basemap, assets=Assets.served())
    assert r.json() == json.loads(json.dumps(expected)), "the same results, words and addresses as the component's"
    assert r.json()["lang"] == "es" and r.json()["focus"]["key"] == "unsd:0600010"
    other = client.get("/api/v1/map", params={"stance": "limits_cooperation"}).json()
    assert other["config"]["lookup"] != r.json()["config"]["lookup"] and other["lang"] == "en"


@pytest.mark.parametrize("params, parameter", [
    ({"stance": "<script>"}, "view"),
    ({"as_of": "2099-01-01"}, "view"),
    ({"focus": "town:1"}, "view"),
    ({"zoom": "3"}, "zoom"),
])
def test_the_map_endpoint_refuses_what_the_page_would_drop(client, params, parameter):
    r = client.get("/api/v1/map", params=params)
    assert r.status_code == 400 and r.json()["parameter"] == parameter and "<script>" not in r.text


def test_the_map_endpoint_is_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["paths"]["/api/v1/map"]["get"]["operationId"] == "map"


# ---------------------------------------------------------------------------- the first view in the Map page's HTML
def _first_view(text: str) -> dict | None:
    m = re.search(r'<script type="application/json" id="sm-first-view">(.*?)</script>', text, re.S)
    return json.loads(m.group(1)) if m else None


def test_the_map_page_carries_the_first_view_of_its_link(client, world_data):
    from sanctuary_map.mapping import Assets

    plain = _first_view(client.get("/").text)
    requiring = _first_view(client.get("/", params={"stance": "requires_cooperation", "lang": "es"}).text)
    assert plain and requiring
    # The link's view, in the link's language: another filter gives other results, in Spanish.
    assert requiring["lang"] == "es" and plain["lang"] == "en"
    assert requiring["config"]["lookup"] != plain["config"]["lookup"]
    assert requiring["legend"]["title"] != plain["legend"]["title"]
    assert plain["height"] == 560 and plain["living"] == Assets.served().living
    head = client.get("/").text.split("</head>", 1)[0]
    assert f'<script type="module" src="{Assets.first_view()}"></script>' in head
    # The place the page's search box starts on: the link's when the search knows it, else the whole country (this
    # fixture world has no Los Angeles Unified, the page's default).
    assert _first_view(client.get("/", params={"focus": "unsd:0600010"}).text)["focus"]["key"] == "unsd:0600010"
    assert plain["focus"]["key"] == _first_view(client.get("/", params={"focus": "unsd:9999999"}).text)["focus"]["key"] == "none"
    # Other pages and embeds have no first view (an embed's frame is laid out by its component).
    assert _first_view(client.get("/Policies").text) is None
    assert _first_view(client.get("/", params={"mode": "embed"}).text) is None


def test_a_hostile_link_gives_a_first_view_that_cannot_close_its_script(client):
    r = client.get("/", params={"focus": "</script><script>alert(1)</script>", "stance": "<b>&amp;", "lang": "xx"})
    assert r.status_code == 200
    first = _first_view(r.text)
    assert first is not None and first["lang"] == "en"  # the nearest valid view
    body = r.text.split('id="sm-first-view">', 1)[1].split("</script>", 1)[0]
    assert "<" not in body and ">" not in body and "&" not in body
    assert "alert(1)" not in r.text.split("</head>", 1)[0].replace(body, "")


def test_script_json_escapes_what_could_end_a_script():
    from sanctuary_map.firstview import script_json

    value = {"t": "</script><!-- & \u2028 ünï"}
    text = script_json(value)
    assert "<" not in text and ">" not in text and "&" not in text and json.loads(text) == value


def test_without_the_first_view_or_when_it_fails_the_page_is_served_as_before(world_data, monkeypatch):
    from sanctuary_map import firstview
    from sanctuary_map.publish import served

    def index(request):
        return HTMLResponse(INDEX)

    def broken():
        raise RuntimeError("the data could not be read")

    for source, env in ((routes.Source(broken), "1"), (routes.Source(lambda: world_data), "0")):
        monkeypatch.setenv("SANCTUARY_MAP_FIRST_VIEW", env)
        app = Starlette(routes=[Route("/", index)], middleware=routes.middleware(source=source))
        with TestClient(app) as c:
            r = c.get("/")
        assert r.status_code == 200 and r.text.endswith("<body>app</body></html>") and _first_view(r.text) is None
        assert "Traceback" not in r.text and "window.__streamlit" in r.text
    monkeypatch.setenv("SANCTUARY_MAP_FIRST_VIEW", "1")
    assert firstview.snippet(world_data, "stance=nonsense&from=2017-13-45", served(world_data, "test"),
                             key="test").startswith(b'<script type="application/json" id="sm-first-view">')
