"""Render the public deployment's configuration (nginx + supervisord) into a runtime folder outside the repo.

    .venv/bin/python deploy/render.py --port 8080 --replicas 3 [--runtime /tmp/sanctuary-map-public-8080]

Templates live beside this file (``*.template``, placeholders ``{{NAME}}``); the rendered copies go to the runtime
folder (default ``/tmp/sanctuary-map-public-PORT``) with its ``logs/`` and ``tmp/``.  ``make serve-public`` calls
this, then starts supervisord on the result.  Prints the runtime folder.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
sys.path.insert(0, str(ROOT))

from sanctuary_map import settings as app_settings  # noqa: E402

PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")
DEFAULT_EXEMPT = ("127.0.0.0/8", "::1")


@dataclass
class Options:
    port: int = 8080
    replicas: int = 3
    app_port: int = 0  # first replica's port; 0 = port + 1
    listen: str = ""  # nginx listen directive; '' = the port on every address
    runtime: Path | None = None
    basemap: str = "none"
    basemap_key: str = ""
    embed_ancestors: str = "*"  # who may frame ?mode=embed pages (CSP frame-ancestors sources)
    referrer_policy: str = "strict-origin-when-cross-origin"
    limit_exempt: tuple[str, ...] = DEFAULT_EXEMPT
    ws_rate: str = "2r/s"  # new websocket connections per client, sustained
    ws_burst: int = 20
    conn_per_client: int = 50  # open connections (websockets) per client
    upload_rate: str = "6r/m"
    upload_burst: int = 3
    upload_max: str = ""  # '' = Streamlit's server.maxUploadSize (.streamlit/config.toml) + 1 MB for the form
    workers: str = "auto"
    python: str = sys.executable
    nginx: str = field(default_factory=lambda: shutil.which("nginx") or "/usr/sbin/nginx")

    @property
    def runtime_dir(self) -> Path:
        return self.runtime or Path(f"/tmp/sanctuary-map-public-{self.port}")

    @property
    def app_ports(self) -> list[int]:
        first = self.app_port or self.port + 1
        return [first + i for i in range(self.replicas)]


def streamlit_static() -> Path:
    spec = importlib.util.find_spec("streamlit")
    if spec is None or spec.origin is None:
        raise SystemExit("streamlit is not installed in this Python")
    return Path(spec.origin).parent / "static"


def upload_max(options: Options) -> str:
    if options.upload_max:
        return options.upload_max
    config = ROOT / ".streamlit" / "config.toml"
    mb = 200  # Streamlit's default
    if config.exists():
        mb = int(tomllib.loads(config.read_text()).get("server", {}).get("maxUploadSize", mb))
    return f"{mb + 1}m"


def basemap_origin(options: Options) -> str:
    """The basemap's https origin for the CSP; refuses OpenStreetMap's own tile servers (their usage policy forbids
    heavy use by applications) and a provider that needs a key when none is set."""
    name = options.basemap.strip() or "none"
    if name.lower() == "none":
        return ""
    if app_settings.basemap_provider(name) is None:
        raise SystemExit(f"unknown basemap {name!r}: use 'none' or an xyzservices provider name, e.g. CartoDB.Positron")
    origin = app_settings.basemap_origin(name, options.basemap_key)
    if not origin:
        raise SystemExit(f"basemap {name!r} needs an API key: set SANCTUARY_MAP_BASEMAP_KEY")
    if origin.endswith("//" + app_settings.OSM_TILE_HOST):
        raise SystemExit(f"basemap {name!r} is OpenStreetMap's own tile server ({app_settings.OSM_TILE_HOST}), whose "
                         "usage policy forbids heavy use by applications: choose another provider or 'none'")
    return origin


def csp(options: Options) -> str:
    """The pages' Content-Security-Policy (frame-ancestors is added by nginx, per request)."""
    base = basemap_origin(options)
    extra = f" {base}" if base else ""
    # Streamlit's front end needs inline styles, its charts (Vega) compile expressions at run time, and custom
    # components (v2, the living map) load their JS as blob: modules.
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob:{extra}",
        "font-src 'self' data:",
        f"connect-src 'self'{extra}",
        "worker-src 'self' blob:",
        "frame-src 'self' blob: data:",
        "media-src 'self' blob: data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ])


def fill(template: str, values: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        if m.group(1) not in values:
            raise KeyError(f"no value for {{{{{m.group(1)}}}}}")
        return values[m.group(1)]

    return PLACEHOLDER.sub(one, template)


def user_directive() -> str:
    if os.geteuid() != 0:
        return "# not root: workers run as the current user"
    for name in ("www-data", "nobody"):
        try:
            pwd.getpwnam(name)
            return f"user {name};"
        except KeyError:
            continue
    return "user nobody;"


def supervisor_value(text: str) -> str:
    return text.replace("%", "%%").replace('"', "")


def render(options: Options) -> dict[str, str]:
    """File name -> text of every rendered file."""
    if not 1 <= options.replicas <= 16:
        raise SystemExit("REPLICAS must be between 1 and 16")
    runtime = options.runtime_dir
    values = {
        "RUNTIME": str(runtime),
        "ROOT": str(ROOT),
        "PYTHON": options.python,
        "NGINX": options.nginx,
        "STATIC_DIR": str(app_settings.STATIC_DIR),
        "STREAMLIT_STATIC": str(streamlit_static()),
        "USER_DIRECTIVE": user_directive(),
        "WORKERS": options.workers,
        "LISTEN": options.listen or str(options.port),
        "LIMIT_EXEMPT_LINES": "\n".join(f"        {a} 1;" for a in options.limit_exempt),
        "WS_RATE": options.ws_rate,
        "WS_BURST": str(options.ws_burst),
        "CONN_PER_CLIENT": str(options.conn_per_client),
        "UPLOAD_RATE": options.upload_rate,
        "UPLOAD_BURST": str(options.upload_burst),
        "UPLOAD_MAX": upload_max(options),
        "EMBED_ANCESTORS": options.embed_ancestors,
        "REFERRER_POLICY": options.referrer_policy,
        "CSP": csp(options),
        "UPSTREAM_SERVERS": "\n".join(f"        server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;"
                                      for p in options.app_ports),
    }
    names = [f"app-{i}" for i in range(options.replicas)]
    program = (DEPLOY / "app-program.conf.template").read_text()
    values["APP_PROGRAMS"] = "".join(
        fill(program, {**values, "NAME": name, "APP_PORT": str(port), "BASEMAP": supervisor_value(options.basemap)})
        for name, port in zip(names, options.app_ports))
    values["APP_NAMES"] = ",".join(names)
    return {
        "nginx.conf": fill((DEPLOY / "nginx.conf.template").read_text(), values),
        "security-headers.conf": fill((DEPLOY / "security-headers.conf.template").read_text(), values),
        "supervisord.conf": fill((DEPLOY / "supervisord.conf.template").read_text(), values),
        "replicas.txt": "".join(f"{n} 127.0.0.1:{p}\n" for n, p in zip(names, options.app_ports)),
    }


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is no conflict
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def write(options: Options, files: dict[str, str]) -> Path:
    runtime = options.runtime_dir
    if str(runtime.resolve()).startswith(str(ROOT) + os.sep) and not str(runtime.resolve()).startswith(str(ROOT / "build")):
        raise SystemExit("the runtime folder must be outside the repository (or under build/)")
    for sub in ("logs", "tmp"):
        (runtime / sub).mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o755)
    for name, text in files.items():
        path = runtime / name
        tmp = path.with_suffix(path.suffix + ".new")
        tmp.write_text(text)
        tmp.chmod(0o600 if name == "supervisord.conf" else 0o644)
        tmp.replace(path)
    return runtime


def parse(argv: list[str] | None = None) -> tuple[Options, argparse.Namespace]:
    env = os.environ
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--replicas", type=int, default=3)
    p.add_argument("--app-port", type=int, default=0, help="first replica's loopback port (default PORT+1)")
    p.add_argument("--listen", default="", help="nginx listen value (default: PORT on every address)")
    p.add_argument("--runtime", type=Path, default=None)
    p.add_argument("--basemap", default=env.get(app_settings.BASEMAP_ENV, "none"))
    p.add_argument("--embed-ancestors", default="*", help="CSP frame-ancestors sources for embed mode")
    p.add_argument("--limit-exempt", default=" ".join(DEFAULT_EXEMPT),
                   help="addresses/CIDRs not limited (space-separated; '' to limit every client)")
    p.add_argument("--ws-rate", default="2r/s")
    p.add_argument("--ws-burst", type=int, default=20)
    p.add_argument("--conn-per-client", type=int, default=50)
    p.add_argument("--upload-max", default="")
    p.add_argument("--workers", default="auto")
    p.add_argument("--check", action="store_true", help="also run nginx -t on the result")
    a = p.parse_args(argv)
    options = Options(port=a.port, replicas=a.replicas, app_port=a.app_port, listen=a.listen, runtime=a.runtime,
                      basemap=a.basemap, basemap_key=env.get(app_settings.BASEMAP_KEY_ENV, ""),
                      embed_ancestors=a.embed_ancestors, limit_exempt=tuple(a.limit_exempt.split()),
                      ws_rate=a.ws_rate, ws_burst=a.ws_burst, conn_per_client=a.conn_per_client,
                      upload_max=a.upload_max, workers=a.workers)
    return options, a


def main(argv: list[str] | None = None) -> int:
    options, a = parse(argv)
    busy = [p for p in [options.port, *options.app_ports] if not port_free(p)]
    if busy:
        raise SystemExit(f"ports already in use: {busy} (another serve-public? `make stop-public PORT={options.port}`)")
    runtime = write(options, render(options))
    if a.check:
        subprocess.run([options.nginx, "-t", "-q", "-e", str(runtime / "logs" / "nginx-error.log"),
                        "-c", str(runtime / "nginx.conf")], check=True)
    print(runtime)
    return 0


if __name__ == "__main__":
    sys.exit(main())
