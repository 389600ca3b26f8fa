"""The main pages under ?lang=es in a real browser: no English UI string anywhere a reader can see, the map's
legend and "what applies here" popup included; the switch keeps the language across pages."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from test_i18n import ENGLISH

from .conftest import map_point, tiles_ready, wait_idle

# What the map itself says in English (legend, popup, tooltip), on top of the pages' words.
MAP_ENGLISH = ["Instruments in force", "Map legend", "What applies here", "Loading what applies here", "Click for everything",
               "No instrument recorded", "adopted", "County coverage"]


def _english_in(text: str, words: list[str] = ENGLISH) -> list[str]:
    return sorted({w for w in words if re.search(r"\b" + re.escape(w) + r"\b", text)})


@pytest.mark.parametrize("path", ["/?lang=es", "/Policies?lang=es", "/Place?j=unsd:0600010&lang=es",
                                  "/What_changed?lang=es"])
def test_spanish_pages_show_no_english_ui_strings(server, page, path):
    page.goto(server + path)
    wait_idle(page)
    if path.startswith("/?") or path.startswith("/Place"):
        tiles_ready(page)
    body = page.locator("body")
    expect(body).to_contain_text("Filtros")
    text = body.inner_text()
    assert _english_in(text) == [], (path, _english_in(text))
    assert "lang=es" in page.url


def test_the_spanish_map_popup_and_legend(server, page):
    page.goto(server + "/?lang=es&focus=place:0600001&as_of=2026-01-01")
    wait_idle(page)
    tiles_ready(page)
    legend = page.locator(".sm-legend")
    expect(legend).to_contain_text("Instrumentos en vigor")
    x, y = map_point(page, 33.75, -117.75)  # Testville
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    expect(popup).not_to_contain_text("Loading")
    assert _english_in(popup.inner_text(), MAP_ENGLISH) == [], popup.inner_text()
    assert _english_in(legend.inner_text(), ENGLISH + MAP_ENGLISH) == [], legend.inner_text()
