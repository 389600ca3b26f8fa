"""One builder for every link: the base path is honoured, views round-trip, the language is kept."""
from __future__ import annotations

import urllib.parse

from sanctuary_map.url_builder import Urls, root, site_path
from sanctuary_map.view import View, parse_query


def _query(url: str) -> dict:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def test_the_root_keeps_host_port_and_base_path_and_drops_the_page():
    assert root("https://maps.example.org:8443/sanctuary/Policies?state=CA", "/sanctuary/") == \
        "https://maps.example.org:8443/sanctuary/"
    assert root("http://127.0.0.1:8501/Place?j=unsd:0622710") == "http://127.0.0.1:8501/"
    assert root("") == "" and root("not a url") == ""


def test_every_link_is_on_the_base_path_and_reopens_its_view():
    links = Urls("https://maps.example.org/sanctuary")  # a missing trailing slash is added
    view = View(states=("CA",), start="2017-06-01", as_of="2020-01-15", focus="unsd:0622710", lang="es")
    for url in (links.map(view), links.place("unsd:0622710", view), links.compare(["place:0644000", "county:06037"], view),
                links.as_it_stood("2020-01-15", "unsd:0622710", "es"), links.embed(view, "abc123")):
        assert url.startswith("https://maps.example.org/sanctuary/"), url
        assert _query(url)["lang"] == "es", url
    assert parse_query(_query(links.map(view)))[0] == view
    assert links.place("unsd:0622710", view).startswith("https://maps.example.org/sanctuary/Place?j=unsd%3A0622710&")
    assert "focus" not in _query(links.place("unsd:0622710", view)), "a profile names its place with j="


def test_an_embed_is_frozen_at_its_day_and_tagged_with_the_version():
    q = _query(Urls("http://h/").embed(View(), "v1"))
    assert q["mode"] == "embed" and q["embed"] == "true" and q["v"] == "v1" and len(q["as_of"]) == 10


def test_relative_links_without_a_base():
    assert Urls().place("county:06037") == "Place?j=county%3A06037"
    assert Urls().map(View()) == "./" and Urls().map(View(as_of="2020-01-01")) == "./?as_of=2020-01-01"


def test_a_path_on_this_server_starts_at_its_base_path():
    assert site_path("", "/api/v1/map") == "/api/v1/map"
    assert site_path("/map/", "api/v1/map") == site_path("map", "/api/v1/map") == "/map/api/v1/map"
