"""A real `streamlit run` on a free loopback port, health-polled, and headless Chromium (Debian's)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
LOCAL = ("http://127.0.0.1", "http://localhost", "data:", "blob:", "about:")

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(world_dir, world_geodata, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium); `make test` installs it")
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    # The fixture world (built in code), offline basemap, and no public URL: links use the address the visitor used.
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SANCTUARY_MAP_")},
           "SANCTUARY_MAP_BASEMAP": "none", "SANCTUARY_MAP_POLICIES": str(world_dir / "policies.csv"),
           "SANCTUARY_MAP_GEODATA": str(world_geodata), "SANCTUARY_MAP_DATA": str(world_dir / "data")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:  # health polling, not a fixed sleep
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"streamlit did not become healthy:\n{log.read_text()[-2000:]}")
        time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(10)


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
    """Wait until the map's vector tiles have drawn (the map sets SanctuaryMap.tilesReady)."""
    page.wait_for_function("() => !!window.SanctuaryMap && window.SanctuaryMap.tilesReady === true", timeout=60000)


def map_point(page, lat: float, lon: float) -> tuple[float, float]:
    """Page coordinates of a lat/lon on the map (through Leaflet's own projection)."""
    return tuple(page.evaluate("([lat, lon]) => { var m = SanctuaryMap.map, p = m.latLngToContainerPoint([lat, lon]);"
                               " var r = m.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }",
                               [lat, lon]))  # type: ignore[return-value]
