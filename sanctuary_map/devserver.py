"""A real `streamlit run app.py` on a free loopback port, health-polled (no fixed sleep): for the browser tests and
the benchmarks.  Not for public serving (see deploy/ and `make serve-public`)."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .settings import ROOT

# The script has finished its run (Streamlit marks the app element): what a browser waits for after an action.
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Server:
    url: str  # base URL, no trailing slash
    proc: subprocess.Popen


@contextlib.contextmanager
def streamlit_app(env: dict[str, str], log: IO | None = None, *, timeout: float = 120.0) -> Iterator[Server]:
    """Start the app with ``env`` over this process's environment (``SANCTUARY_MAP_*`` settings of this process are
    dropped, so only ``env`` sets them); wait until ``/_stcore/health`` answers ok, yield the server, stop it after."""
    port = free_port()
    full = {**{k: v for k, v in os.environ.items() if not k.startswith("SANCTUARY_MAP_")}, **env}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, env=full, stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            name = getattr(log, "name", "")
            tail = Path(name).read_text()[-2000:] if name and Path(name).exists() else ""
            raise RuntimeError(f"streamlit did not become healthy:\n{tail}")
        time.sleep(0.2)  # the poll interval, not a wait for readiness
    try:
        yield Server(url, proc)
    finally:
        proc.terminate()
        proc.wait(20)
