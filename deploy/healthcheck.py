"""Health of the public deployment, through each replica's ``/_stcore/health``.

    healthcheck.py watch --runtime DIR   # (run by supervisord) restart a replica that fails 3 checks in a row
    healthcheck.py wait --runtime DIR    # block until nginx and every replica answer (make serve-public DETACH=1)

nginx itself only notices a dead replica passively (max_fails); this watchdog also catches a live process that
no longer answers, and has supervisord restart it.
"""
from __future__ import annotations

import argparse
import sys
import time
import urllib.request
from pathlib import Path

# A replica busy with many reruns answers health late, not never: restart only after ~2 minutes of silence.
INTERVAL = 10.0
FAILURES = 6
TIMEOUT = 10.0


def replicas(runtime: Path) -> list[tuple[str, str]]:
    return [tuple(line.split()) for line in (runtime / "replicas.txt").read_text().splitlines() if line.strip()]  # type: ignore[misc]


def healthy(address: str, path: str = "/_stcore/health", timeout: float = TIMEOUT) -> bool:
    try:
        with urllib.request.urlopen(f"http://{address}{path}", timeout=timeout) as r:
            return r.status == 200
    except Exception:
        return False


def supervisor(runtime: Path):
    from xmlrpc.client import ServerProxy

    from supervisor.xmlrpc import SupervisorTransport

    transport = SupervisorTransport(None, None, f"unix://{runtime}/supervisor.sock")
    return ServerProxy("http://127.0.0.1", transport=transport).supervisor


def watch(runtime: Path) -> int:
    fails: dict[str, int] = {}
    rpc = supervisor(runtime)
    while True:
        time.sleep(INTERVAL)
        for name, address in replicas(runtime):
            try:
                state = rpc.getProcessInfo(f"replicas:{name}")["statename"]
            except Exception:
                continue
            if state != "RUNNING":  # starting, backing off or stopped: supervisord is already on it
                fails[name] = 0
                continue
            fails[name] = 0 if healthy(address) else fails.get(name, 0) + 1
            if fails[name] >= FAILURES:
                print(f"{name} at {address}: /_stcore/health failed {FAILURES} times; restarting", flush=True)
                try:
                    rpc.stopProcess(f"replicas:{name}")
                    rpc.startProcess(f"replicas:{name}", False)
                except Exception as exc:
                    print(f"restart of {name} failed: {exc}", flush=True)
                fails[name] = 0


def wait(runtime: Path, port: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    pending = dict(replicas(runtime))
    front = f"127.0.0.1:{port}"
    while time.monotonic() < deadline:
        pending = {n: a for n, a in pending.items() if not healthy(a, timeout=2)}
        if not pending and healthy(front, "/healthz", timeout=2):
            print(f"serving on http://{front}/ ({len(replicas(runtime))} replicas)")
            return 0
        time.sleep(0.5)
    print(f"not healthy after {timeout:.0f} s: {sorted(pending) or ['nginx']}; logs in {runtime}/logs", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=("watch", "wait"))
    p.add_argument("--runtime", type=Path, required=True)
    p.add_argument("--port", type=int, default=8080, help="nginx's port (wait)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds (wait)")
    a = p.parse_args(argv)
    return watch(a.runtime) if a.mode == "watch" else wait(a.runtime, a.port, a.timeout)


if __name__ == "__main__":
    sys.exit(main())
