"""Every link the app writes — share, embed, place profile, comparison, "the map as it stood" — from one builder.

A :class:`Urls` starts from one base: the address the visitor used (scheme, host, port and Streamlit's
``server.baseUrlPath``), or the configured public URL, or nothing (links relative to the current page's folder).
Views become query strings through :meth:`sanctuary_map.view.View.to_query` only, so a link keeps every filter,
the focus and the language, and reopens the same view.
"""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, replace
from typing import Iterable, Mapping

from .view import View

# Streamlit's address of each page (from its file name: pages/5_Place.py -> /Place).
PAGE_PATH = {"map": "", "policies": "Policies", "place": "Place", "changes": "What_changed",
             "agreements": "Agreements_and_lists", "border": "Border_distance", "about": "About", "your_data": "Your_data"}


def root(url: str | None, base_path: str = "") -> str:
    """The app's root ('https://host:port/base/') from any address on it ('' for relative links)."""
    if not url:
        return ""
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    base = base_path.strip("/")
    return f"{parts.scheme}://{parts.netloc}/" + (base + "/" if base else "")


def site_path(base_path: str, path: str) -> str:
    """``path`` on this server, from its root (``server.baseUrlPath`` first): '/base/api/v1/map'."""
    base = base_path.strip("/")
    return ("/" + base if base else "") + "/" + path.lstrip("/")


@dataclass(frozen=True)
class Urls:
    """Links on one app root: absolute when ``base`` is an address, else relative ('?as_of=…', 'Place?j=…')."""

    base: str = ""

    def __post_init__(self) -> None:
        base = (self.base or "").split("?", 1)[0].split("#", 1)[0]
        object.__setattr__(self, "base", base if not base or base.endswith("/") else base + "/")

    def _at(self, path: str, query: Mapping[str, object] | None = None) -> str:
        """``path`` on the root with ``query`` (empty values left out)."""
        text = urllib.parse.urlencode({k: v for k, v in (query or {}).items() if v not in (None, "", [], ())}, doseq=True)
        return (self.base + path or "./") + ("?" + text if text else "")

    def page(self, name: str, query: Mapping[str, object] | None = None) -> str:
        return self._at(PAGE_PATH[name], query)

    def map(self, view: View) -> str:
        """The Map page showing ``view`` (its filters, date, focus, layers and language)."""
        return self.page("map", view.to_query())

    def place(self, key: str, view: View | None = None) -> str:
        """A jurisdiction's profile (``Place?j=unsd:0622710``), keeping the view's filters and language."""
        query = dict((view or View()).to_query())
        query.pop("focus", None)
        return self.page("place", {"j": key, **query})

    def compare(self, keys: Iterable[str], view: View | None = None) -> str:
        query = dict((view or View()).to_query())
        query.pop("focus", None)
        return self.page("place", {**query, "compare": ",".join(keys)})

    def as_it_stood(self, day: str, focus: str = "", lang: str = "") -> str:
        """The map on a past day, focused on a jurisdiction if given."""
        return self.map(View(as_of=day, focus=focus, lang=lang))

    def snapshot(self, view: View, preset: str = "article", theme: str = "light") -> str:
        """The view's picture (``api/v1/snapshot.png``), frozen at its as-of date, as the embed's ``<noscript>`` image."""
        frozen = replace(view, as_of=view.as_of_date())
        return self._at("api/v1/snapshot.png", {**frozen.to_query(), "preset": preset if preset != "article" else "",
                                                "theme": theme if theme != "light" else ""})

    def embed(self, view: View, version: str) -> str:
        """The view as an embed: frozen at its as-of date (today's if none) and tagged with the dataset version;
        Streamlit's ``embed=true`` hides its toolbar, ``mode=embed`` makes the page show the map, legend and credit."""
        frozen = replace(view, as_of=view.as_of_date())
        return self.page("map", {**frozen.to_query(), "mode": "embed", "embed": "true", "v": version})
