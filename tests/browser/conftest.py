"""A real `streamlit run` on a free loopback port, health-polled, and headless Chromium (Debian's)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import streamlit_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
LOCAL = ("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def server(world_dir, world_geodata, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium); `make test` installs it")
    # The fixture world (built in code), offline basemap, and no public URL: links use the address the visitor used.
    with streamlit_server(world_dir, world_geodata, tmp_path_factory.mktemp("server") / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    pg = ctx.new_page()
    pg.external_requests = []
    pg.dialogs = []
    pg.on("request", lambda r: None if r.url.startswith(LOCAL) else pg.external_requests.append(r.url))
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    ctx.close()


def wait_idle(page) -> None:
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60000)


MAP = ".sm-living-map"


def map_frame(page):
    """The living map is part of the page (a components-v2 element, no iframe)."""
    return page


def tiles_ready(page) -> None:
    """Wait until the map's vector tiles have drawn (the map sets SanctuaryMap.tilesReady) and the map is the map
    component's (a cold visit's first view, drawn from the page's HTML, is adopted by the component when it mounts)."""
    page.wait_for_function("() => !!window.SanctuaryMap && window.SanctuaryMap.tilesReady === true", timeout=60000)
    page.wait_for_function("() => !window.__smInstant && !!document.querySelector('.sm-living-host .sm-living-map')",
                           timeout=60000)


def map_point(page, lat: float, lon: float) -> tuple[float, float]:
    """Page coordinates of a lat/lon on the map (through Leaflet's own projection)."""
    return tuple(page.evaluate("([lat, lon]) => { var m = SanctuaryMap.map, p = m.latLngToContainerPoint([lat, lon]);"
                               " var r = m.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }",
                               [lat, lon]))  # type: ignore[return-value]
