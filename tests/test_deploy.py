"""The public deployment (deploy/): rendered nginx and supervisord configuration, the basemap setting, and an
opt-in live run (SANCTUARY_MAP_LIVE_DEPLOY=1, needs Debian's nginx) of nginx + replicas on the fixture world."""
from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT
from sanctuary_map import publish
from sanctuary_map import settings as app_settings


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


render = _load("deploy_render", ROOT / "deploy" / "render.py")
healthcheck = _load("deploy_healthcheck", ROOT / "deploy" / "healthcheck.py")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def rendered(tmp_path: Path, **kw) -> dict[str, str]:
    return render.render(render.Options(port=18080, replicas=3, runtime=tmp_path / "rt", **kw))


def location(conf: str, head: str) -> str:
    """The text of the nginx location block that starts with `head` (braces balanced)."""
    start = conf.index(head)
    depth, i = 0, conf.index("{\n", start)
    for j in range(i, len(conf)):
        depth += {"{": 1, "}": -1}.get(conf[j], 0)
        if depth == 0:
            return conf[start:j + 1]
    raise AssertionError(f"unbalanced block after {head!r}")


# ---------------------------------------------------------------------------- rendering
def test_every_placeholder_is_filled(tmp_path):
    for name, text in rendered(tmp_path).items():
        assert "{{" not in text, name


def test_websocket_upgrade_and_limits_on_the_stream(tmp_path):
    conf = rendered(tmp_path)["nginx.conf"]
    block = location(conf, "location = /_stcore/stream")
    assert "proxy_set_header Upgrade $http_upgrade;" in block
    assert "proxy_set_header Connection $connection_upgrade;" in block
    assert "proxy_http_version 1.1;" in block
    assert re.search(r"limit_req zone=sm_ws burst=\d+ nodelay;", block)
    assert "limit_conn sm_conn" in block
    assert re.search(r"map \$http_upgrade \$connection_upgrade \{\s*default upgrade;", conf)


def test_sticky_sessions_over_every_replica(tmp_path):
    conf = rendered(tmp_path)["nginx.conf"]
    upstream = location(conf, "upstream sanctuary_app")
    assert "hash $sm_route consistent;" in upstream
    assert re.findall(r"server 127\.0\.0\.1:(\d+)", upstream) == ["18081", "18082", "18083"]
    page = location(conf, "location / {")
    assert "add_header Set-Cookie $sm_set_route;" in page
    assert "sm_route=$request_id; Path=/; HttpOnly; SameSite=Lax" in conf


def test_hashed_publications_are_immutable_and_others_are_not(tmp_path):
    conf = rendered(tmp_path)["nginx.conf"]
    head = next(line.strip()[:-1].strip() for line in conf.splitlines() if "location ~" in line and "generated" in line)
    block = location(conf, head)
    assert 'add_header Cache-Control "public, max-age=31536000, immutable" always;' in block
    pattern = re.compile(head.split('"')[1].replace("(?<", "(?P<"))
    # The names sanctuary_map actually publishes (content-hashed) match; an unhashed name does not.
    url = publish._hashed_copy('{"a": 1}', "details", ".json", tmp_path)
    assert pattern.match(url), url
    assert pattern.match("/app/static/generated/county-8e50a9d11585.pmtiles")
    assert not pattern.match("/app/static/generated/county.pmtiles")
    assert not pattern.match("/app/static/js/sanctuary-map.js")
    other = location(conf, "location /app/static/ {")
    assert "immutable" not in other and "max-age=300" in other
    assert f"alias {app_settings.STATIC_DIR}/;" in other


def test_security_headers_on_pages(tmp_path):
    files = rendered(tmp_path)
    page = location(files["nginx.conf"], "location / {")
    assert "include " + str(tmp_path / "rt" / "security-headers.conf") in page
    headers = files["security-headers.conf"]
    assert 'add_header X-Content-Type-Options "nosniff" always;' in headers
    assert 'add_header Referrer-Policy "strict-origin-when-cross-origin" always;' in headers
    csp = re.search(r'add_header Content-Security-Policy "([^"]+)" always;', page).group(1)
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert csp.endswith("frame-ancestors $sm_frame_ancestors")
    assert "https:" not in csp  # no basemap: the page talks to its own site only


def test_only_embed_mode_may_be_framed_elsewhere(tmp_path):
    conf = rendered(tmp_path, embed_ancestors="https://news.example")["nginx.conf"]
    frame = location(conf, 'map "$arg_mode:$arg_embed" $sm_frame_ancestors')
    assert "default \"'self'\";" in frame
    assert '"~^embed:" "https://news.example";' in frame and '"~:true$" "https://news.example";' in frame


def test_csp_allows_the_configured_basemap_host(tmp_path):
    page = location(rendered(tmp_path, basemap="Stadia.AlidadeSmooth")["nginx.conf"], "location / {")
    assert "img-src 'self' data: blob: https://tiles.stadiamaps.com;" in page


def test_openstreetmaps_own_tiles_and_keyless_keyed_providers_are_refused(tmp_path):
    with pytest.raises(SystemExit, match="tile.openstreetmap.org"):
        rendered(tmp_path, basemap="osm")
    with pytest.raises(SystemExit, match="API key"):
        rendered(tmp_path, basemap="MapTiler.Basic")
    page = location(rendered(tmp_path, basemap="MapTiler.Basic", basemap_key="k")["nginx.conf"], "location / {")
    assert "https://api.maptiler.com" in page
    with pytest.raises(SystemExit, match="unknown basemap"):
        rendered(tmp_path, basemap="No.Such")


def test_upload_cap_and_limit(tmp_path):
    conf = rendered(tmp_path)["nginx.conf"]
    block = location(conf, "location /_stcore/upload_file")
    # Streamlit's own cap (.streamlit/config.toml maxUploadSize, MB) plus room for the multipart form.
    mb = int(re.search(r"maxUploadSize = (\d+)", (ROOT / ".streamlit" / "config.toml").read_text()).group(1))
    assert f"client_max_body_size {mb + 1}m;" in block
    assert "limit_req zone=sm_upload" in block
    assert re.search(r"server \{[^}]*client_max_body_size 64k;", conf)


def test_loopback_exempt_from_limits_unless_told(tmp_path):
    assert "127.0.0.0/8 1;" in rendered(tmp_path)["nginx.conf"]
    assert "127.0.0.0/8 1;" not in rendered(tmp_path, limit_exempt=())["nginx.conf"]


def test_gzip_for_text_not_for_tile_archives(tmp_path):
    conf = rendered(tmp_path)["nginx.conf"]
    types = re.search(r"gzip_types([^;]+);", conf).group(1).split()
    assert {"text/css", "application/javascript", "application/json", "application/geo+json"} <= set(types)
    assert "application/octet-stream" not in types


def test_supervisor_runs_each_replica_nginx_and_the_watchdog(tmp_path):
    conf = rendered(tmp_path, basemap="none")["supervisord.conf"]
    for i, port in enumerate((18081, 18082, 18083)):
        block = conf.split(f"[program:app-{i}]")[1].split("\n[")[0]
        assert f"--server.port {port}" in block and "--server.address 127.0.0.1" in block
        assert "autorestart=true" in block
        assert 'SANCTUARY_MAP_BASEMAP="none"' in block
    assert "[program:nginx]" in conf and "[program:health]" in conf
    assert "programs=app-0,app-1,app-2" in conf
    assert rendered(tmp_path)["replicas.txt"].split() == ["app-0", "127.0.0.1:18081", "app-1", "127.0.0.1:18082",
                                                          "app-2", "127.0.0.1:18083"]


def test_runtime_folder_never_in_the_repo():
    with pytest.raises(SystemExit):
        render.write(render.Options(runtime=ROOT / "deploy" / "rt"), {})


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (make serve-public installs it)")
def test_nginx_accepts_the_rendered_config(tmp_path):
    options = render.Options(port=18080, replicas=2, runtime=tmp_path / "rt", basemap="Stadia.AlidadeSmooth")
    runtime = render.write(options, render.render(options))
    out = subprocess.run([NGINX, "-t", "-e", str(runtime / "logs" / "nginx-error.log"), "-c", str(runtime / "nginx.conf")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


# ---------------------------------------------------------------------------- the basemap setting
def test_basemap_by_provider_name_with_key():
    s = app_settings.Settings.from_env({"SANCTUARY_MAP_BASEMAP": "cartodb.positron", "SANCTUARY_MAP_BASEMAP_KEY": "K"})
    assert (s.basemap, s.basemap_key) == ("CartoDB.Positron", "K")
    url, attribution = app_settings.basemap_tiles(s.basemap, s.basemap_key)
    assert url.startswith("https://a.basemaps.cartocdn.com/") and url.endswith("{y}{r}.png?key=K")
    assert "CARTO" in attribution and "OpenStreetMap" in attribution
    assert app_settings.basemap_tiles("CartoDB.Positron") is None  # needs a key: no broken tiles


def test_basemap_defaults_and_unknown_names():
    assert app_settings.Settings.from_env({}).basemap == "osm"
    assert app_settings.Settings.from_env({"SANCTUARY_MAP_BASEMAP": "NONE"}).basemap == "none"
    assert app_settings.Settings.from_env({"SANCTUARY_MAP_BASEMAP": "No.Such"}).basemap == "osm"
    assert app_settings.basemap_tiles("none") is None
    assert app_settings.basemap_tiles("osm")[0] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert app_settings.basemap_origin("Esri.WorldGrayCanvas") == "https://server.arcgisonline.com"


def test_mapping_reads_the_basemap_table_from_settings(monkeypatch):
    from sanctuary_map import mapping

    monkeypatch.setenv("SANCTUARY_MAP_BASEMAP_KEY", "K2")
    assert mapping.BASEMAP_TILES.get("none") is None
    assert mapping.BASEMAP_TILES.get("MapTiler.Basic")[0].endswith("key=K2")


# ---------------------------------------------------------------------------- live (opt-in)
def _free_block(n: int) -> int:
    """A port p with p..p+n free on loopback."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + n < 65000 and all(render.port_free(base + i) for i in range(n + 1)):
            return base
    raise RuntimeError("no free block of ports")


def _request(url: str, method: str = "GET", headers: dict | None = None, data: bytes | None = None):
    req = urllib.request.Request(url, method=method, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def _upgrade_status(port: int) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall((f"GET /_stcore/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   f"Origin: http://127.0.0.1:{port}\r\nSec-WebSocket-Protocol: streamlit\r\n\r\n").encode())
        return int(s.recv(200).split(b" ", 2)[1])


@pytest.fixture(scope="module")
def public(tmp_path_factory, world_dir, world_geodata):
    if not os.environ.get("SANCTUARY_MAP_LIVE_DEPLOY"):
        pytest.skip("live deployment test: set SANCTUARY_MAP_LIVE_DEPLOY=1 (starts nginx and 2 replicas)")
    if NGINX is None:
        pytest.skip("nginx is not installed (make serve-public installs it)")
    try:
        import supervisor  # noqa: F401
    except ImportError:
        pytest.skip("supervisor is not installed (pip install -r requirements-deploy.txt)")
    port = _free_block(2)
    # Limits on for every client (no loopback exemption), tight enough to see them answer 429.
    options = render.Options(port=port, replicas=2, runtime=tmp_path_factory.mktemp("public") / "rt",
                             listen=f"127.0.0.1:{port}", limit_exempt=(), ws_rate="1r/s", ws_burst=4)
    runtime = render.write(options, render.render(options))
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SANCTUARY_MAP_")},
           "SANCTUARY_MAP_POLICIES": str(world_dir / "policies.csv"), "SANCTUARY_MAP_GEODATA": str(world_geodata),
           "SANCTUARY_MAP_DATA": str(world_dir / "data")}
    supervisord = Path(sys.executable).parent / "supervisord"
    proc = subprocess.Popen([str(supervisord), "-n", "-c", str(runtime / "supervisord.conf")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        assert healthcheck.wait(runtime, port, 90) == 0, (runtime / "logs").iterdir()
        yield port, runtime
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)


def test_live_headers_stream_static_and_limits(public):
    port, runtime = public
    base = f"http://127.0.0.1:{port}"
    status, headers, _ = _request(base + "/", "HEAD")
    assert status == 200
    assert headers["X-Content-Type-Options"] == "nosniff" and "Referrer-Policy" in headers
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]
    assert "sm_route=" in headers["Set-Cookie"]
    assert "frame-ancestors *" in _request(base + "/?mode=embed", "HEAD")[1]["Content-Security-Policy"]

    # A whole session over the websocket, through nginx (route cookie, upgrade), with the load client's protocol.
    load_ws = _load("load_ws", ROOT / "benchmarks" / "load_ws.py")

    async def one() -> float:
        s = load_ws.Session("127.0.0.1", port, 60)
        await s.connect(load_ws.MAP_QUERY)
        try:
            return await s.run(load_ws.MAP_QUERY)
        finally:
            await s.close()

    assert asyncio.run(one()) > 0

    # Tile archives straight from disk: 206 for a Range, immutable, and no upstream in the access log.
    archives = sorted((ROOT / "static" / "generated").glob("*-" + "[0-9a-f]" * 12 + ".pmtiles"),
                      key=lambda p: p.stat().st_mtime)
    assert archives, "the app published no tile archive"
    path = f"/app/static/generated/{archives[-1].name}"
    status, headers, body = _request(base + path, headers={"Range": "bytes=0-99"})
    assert status == 206 and len(body) == 100
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    time.sleep(0.5)
    log = [line for line in (runtime / "logs" / "access.log").read_text().splitlines() if path in line]
    assert log and all("upstream=-" in line for line in log)

    assert _request(base + "/healthz")[0] == 200
    assert _request(base + "/_stcore/upload_file/x/y", "PUT", data=b"x" * (4 * 2**20))[0] == 413
    statuses = [_upgrade_status(port) for _ in range(10)]
    assert 429 in statuses and 101 in statuses
