"""Protocol-level load client: N Streamlit sessions over the app's own websocket protocol, no browser.

Each session does what a reader's browser does on the wire (streamlit.proto BackMsg / ForwardMsg, as the Streamlit
front end sends them): GET the page (which sets nginx's route cookie), open ``/_stcore/stream``, ask for a run of
the Map page with a query string and wait for ``script_finished``; then change three sidebar filters (reruns with
widget states: Direction, Instrument type, Level), and open the Place profile page (``?j=...``).  The time of each
run is measured from the BackMsg to the ForwardMsg that ends it, so it includes any queueing on the server.

Sessions stay open until all have finished, so the servers' memory is read while they hold every session.

    .venv/bin/python benchmarks/load_ws.py --url http://127.0.0.1:8080 --sessions 100
    .venv/bin/python benchmarks/load_ws.py --sessions 100 --compare 1,3 --port 8090   # starts both set-ups itself

Bounded: at most MAX_SESSIONS sessions, a fixed list of runs each, every wait timed out, a deadline for the whole
run; loopback addresses only.  The last line is ``sessions=N failed=F p50=... p95=...`` (seconds).
"""
from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates

ROOT = Path(__file__).resolve().parents[1]
MAX_SESSIONS = 1000
MAP_QUERY = "as_of=2026-01-01&stance=limits_cooperation,requires_cooperation"
FILTERS = (("Direction", 1), ("Instrument type", 0), ("Level", 2))  # widget label, option index to pick
PLACE_QUERY = "j=unsd:0622710"
EARLY = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
OK = (ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
      ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


# ---------------------------------------------------------------------------- safety
def loopback_only(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "ws") or not parts.hostname:
        raise SystemExit(f"refusing {url!r}: http:// or ws:// on a loopback address only")
    host = parts.hostname
    try:
        addresses = {ipaddress.ip_address(host)}
    except ValueError:
        addresses = {ipaddress.ip_address(info[4][0]) for info in socket.getaddrinfo(host, None)}
    if not addresses or not all(a.is_loopback for a in addresses):
        raise SystemExit(f"refusing {url!r}: this load client only targets loopback addresses (127.0.0.0/8, ::1)")
    return host, parts.port or 80


# ---------------------------------------------------------------------------- one session
@dataclass
class Widget:
    id: str
    kind: str
    options: list[str] = field(default_factory=list)


@dataclass
class Result:
    runs: list[tuple[str, float]] = field(default_factory=list)
    error: str = ""


class Session:
    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.ws: websockets.ClientConnection | None = None
        self.widgets: dict[str, Widget] = {}
        self.pages: dict[str, str] = {}  # url path name -> page_script_hash
        self.query = ""
        self.states: dict[str, WidgetState] = {}
        self.errors: list[str] = []

    async def cookie(self, path: str) -> str:
        """GET the page as a browser would; returns the Cookie header to send (nginx's route cookie, if any)."""
        reader, writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), self.timeout)
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nConnection: close\r\n"
                         "User-Agent: sanctuary-map-load-ws\r\n\r\n".encode())
            await writer.drain()
            head = (await asyncio.wait_for(reader.read(65536), self.timeout)).split(b"\r\n\r\n", 1)[0].decode("latin-1")
        finally:
            writer.close()
        status = head.split(" ", 2)[1] if " " in head else "?"
        if status != "200":
            raise RuntimeError(f"GET {path}: HTTP {status}")
        cookies = re.findall(r"(?im)^set-cookie:\s*([^;\r\n]+)", head)
        return "; ".join(cookies)

    async def connect(self, query: str) -> None:
        cookie = await self.cookie("/?" + query)
        headers = {"Origin": f"http://{self.host}:{self.port}"}
        if cookie:
            headers["Cookie"] = cookie
        self.ws = await asyncio.wait_for(websockets.connect(
            f"ws://{self.host}:{self.port}/_stcore/stream", subprotocols=["streamlit"],  # type: ignore[list-item]
            additional_headers=headers, max_size=64 * 2**20, compression=None, open_timeout=self.timeout),
            self.timeout)

    async def run(self, query: str, page_hash: str = "", fresh_widgets: bool = False) -> float:
        """One script run: send rerun_script, read ForwardMsgs until its script_finished. Returns seconds."""
        assert self.ws is not None
        if fresh_widgets:
            self.states.clear()
        msg = BackMsg(rerun_script=ClientState(
            query_string=query, page_script_hash=page_hash,
            widget_states=WidgetStates(widgets=list(self.states.values())),
            context_info=ContextInfo(timezone="UTC", timezone_offset=0, locale="en-US",
                                     url=f"http://{self.host}:{self.port}/?{query}", is_embedded=False)))
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        deadline = started + self.timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no script_finished within {self.timeout:.0f} s")
            data = await asyncio.wait_for(self.ws.recv(), left)
            fwd = ForwardMsg()
            fwd.ParseFromString(data if isinstance(data, bytes) else data.encode())
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                self.pages = {p.url_pathname or p.page_name: p.page_script_hash for p in fwd.new_session.app_pages}
                self.widgets.clear()
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                self.element(fwd.delta.new_element)
            elif kind == "script_finished":
                if fwd.script_finished == EARLY:
                    continue
                if fwd.script_finished not in OK:
                    raise RuntimeError(f"script finished with status {fwd.script_finished}")
                if self.errors:
                    raise RuntimeError("exception shown: " + self.errors[0][:200])
                return time.perf_counter() - started

    def element(self, el) -> None:
        kind = el.WhichOneof("type")
        if kind == "exception":
            self.errors.append(f"{el.exception.type}: {el.exception.message}")
        elif kind == "multiselect":
            self.widgets[el.multiselect.label] = Widget(el.multiselect.id, kind, list(el.multiselect.options))

    def pick(self, label: str, index: int) -> None:
        w = self.widgets.get(label)
        if w is None or not w.options:
            raise RuntimeError(f"no multiselect {label!r} on the page (saw {sorted(self.widgets)[:8]})")
        state = WidgetState(id=w.id)
        state.string_array_value.data.extend([w.options[min(index, len(w.options) - 1)]])
        self.states[w.id] = state

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def visit(host: str, port: int, timeout: float, delay: float, hold: asyncio.Event, result: Result) -> None:
    await asyncio.sleep(delay)  # readers arrive over the ramp, not in one instant
    s = Session(host, port, timeout)
    try:
        await s.connect(MAP_QUERY)
        result.runs.append(("map", await s.run(MAP_QUERY)))
        for label, index in FILTERS:
            s.pick(label, index)
            result.runs.append((f"filter {label}", await s.run(s.query or MAP_QUERY)))
        place = next((h for name, h in s.pages.items() if name.lower() == "place"), "")
        if not place:
            raise RuntimeError(f"no Place page among {sorted(s.pages)}")
        result.runs.append(("place", await s.run(PLACE_QUERY, place, fresh_widgets=True)))
    except Exception as exc:  # every failure is counted and reported, none stops the others
        result.error = f"{type(exc).__name__}: {exc}"[:300]
    try:
        await asyncio.wait_for(hold.wait(), timeout * 2)  # hold the session open while memory is read
    except asyncio.TimeoutError:
        pass
    finally:
        try:
            await asyncio.wait_for(s.close(), 5)
        except Exception:
            pass


# ---------------------------------------------------------------------------- the servers' memory
def streamlit_pids(ports: list[int]) -> dict[int, int]:
    """port -> pid of the `streamlit run` process serving it (by its command line), from /proc."""
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        args = [a.decode(errors="replace") for a in argv if a]
        if "streamlit" not in " ".join(args[:3]) or "run" not in args:
            continue
        port = 8501
        for i, a in enumerate(args):
            if a == "--server.port" and i + 1 < len(args):
                port = int(args[i + 1])
            elif a.startswith("--server.port="):
                port = int(a.split("=", 1)[1])
        if port in ports:
            found[port] = int(entry.name)
    return found


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, peak RSS) in MB of a process, from /proc/PID/status (psutil is not needed)."""
    rss = hwm = float("nan")
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss, hwm


def server_ports(port: int, runtime: Path | None) -> list[int]:
    runtime = runtime or Path(f"/tmp/sanctuary-map-public-{port}")
    listing = runtime / "replicas.txt"
    if listing.exists():
        return [int(line.split(":")[-1]) for line in listing.read_text().split() if ":" in line]
    return [port]


# ---------------------------------------------------------------------------- one load run
def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


async def load(url: str, sessions: int, ramp: float, timeout: float, deadline: float, runtime: Path | None) -> dict:
    host, port = loopback_only(url)
    ports = server_ports(port, runtime)
    pids = streamlit_pids(ports)
    # Warm-up: one session straight to each process (not counted), so the baseline includes its loaded data.
    for p in ports:
        warm = Result()
        await visit(host, p, timeout, 0.0, _set(asyncio.Event()), warm)
        if warm.error:
            print(f"warm-up on port {p}: {warm.error}", file=sys.stderr)
    await asyncio.sleep(1.0)
    before = {p: memory_mb(pid)[0] for p, pid in pids.items()}
    hold = asyncio.Event()
    results = [Result() for _ in range(sessions)]
    t0 = time.perf_counter()
    tasks = [asyncio.create_task(visit(host, port, timeout, ramp * i / max(1, sessions), hold, r))
             for i, r in enumerate(results)]

    async def all_done() -> None:
        while sum(1 for r in results if r.error or len(r.runs) == 2 + len(FILTERS)) < sessions:
            await asyncio.sleep(0.2)

    try:
        await asyncio.wait_for(all_done(), deadline)
    except asyncio.TimeoutError:
        for r in results:
            if not r.error and len(r.runs) < 2 + len(FILTERS):
                r.error = f"deadline of {deadline:.0f} s passed"
    wall = time.perf_counter() - t0
    await asyncio.sleep(1.0)
    during = {p: memory_mb(pid) for p, pid in pids.items()}
    hold.set()
    await asyncio.wait(tasks, timeout=30)
    times = [t for r in results for _, t in r.runs]
    failed = [r.error for r in results if r.error]
    return {"url": url, "sessions": sessions, "failed": len(failed), "errors": failed, "times": times,
            "by_step": _by_step(results), "wall": wall, "before": before, "during": during, "ports": ports,
            "pids": pids}


def _set(event: asyncio.Event) -> asyncio.Event:
    event.set()
    return event


def _by_step(results: list[Result]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for r in results:
        for step, t in r.runs:
            out.setdefault(step, []).append(t)
    return out


def report(r: dict) -> str:
    lines = [f"== {r['url']}: {r['sessions']} sessions, {len(r['ports'])} process(es), {r['wall']:.1f} s wall"]
    for step, ts in r["by_step"].items():
        lines.append(f"  {step:<22} n={len(ts):<4} p50={pct(ts, .5):.2f} s  p95={pct(ts, .95):.2f} s  max={max(ts):.2f} s")
    lines.append(f"  all runs               n={len(r['times']):<4} p50={pct(r['times'], .5):.2f} s  "
                 f"p95={pct(r['times'], .95):.2f} s")
    grown = 0.0
    for p in r["ports"]:
        if p not in r["during"]:
            lines.append(f"  process on :{p}: not found on this machine (memory not read)")
            continue
        rss, hwm = r["during"][p]
        base = r["before"].get(p, float("nan"))
        grown += rss - base
        lines.append(f"  process on :{p} (pid {r['pids'][p]}): RSS {base:.0f} MB idle -> {rss:.0f} MB holding sessions, "
                     f"peak {hwm:.0f} MB")
    if r["during"] and r["sessions"]:
        per = grown / r["sessions"]
        base = statistics.mean(r["before"].values())
        fit = int((1024 - base) / per) if per > 0 else 0
        lines.append(f"  memory per session: {per:.2f} MB -> one replica holds ~{fit} sessions in 1 GB "
                     f"(after its {base:.0f} MB idle)")
    for e in sorted(set(r["errors"]))[:5]:
        lines.append(f"  failure: {e} (x{r['errors'].count(e)})")
    return "\n".join(lines)


def last_line(r: dict) -> str:
    return (f"sessions={r['sessions']} failed={r['failed']} p50={pct(r['times'], .5):.2f} "
            f"p95={pct(r['times'], .95):.2f}")


# ---------------------------------------------------------------------------- --compare: start each set-up
def serve(replicas: int, port: int) -> None:
    subprocess.run(["make", "-s", "serve-public", f"REPLICAS={replicas}", f"PORT={port}", "DETACH=1",
                    "LISTEN=127.0.0.1"], cwd=ROOT, check=True, env={**os.environ, "SANCTUARY_MAP_BASEMAP": "none"})


def unserve(port: int) -> None:
    subprocess.run(["make", "-s", "stop-public", f"PORT={port}"], cwd=ROOT, check=False)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default="http://127.0.0.1:8080", help="the app or its nginx (loopback only)")
    p.add_argument("--sessions", type=int, default=100)
    p.add_argument("--ramp", type=float, default=None, help="seconds over which sessions arrive (default N/10)")
    p.add_argument("--timeout", type=float, default=180.0, help="seconds allowed for one run")
    p.add_argument("--deadline", type=float, default=900.0, help="seconds allowed for the whole load")
    p.add_argument("--runtime", type=Path, default=None, help="serve-public's runtime folder (to find replicas)")
    p.add_argument("--compare", default="", help="e.g. 1,3: start serve-public with each REPLICAS in turn "
                                                 "on --port and load it")
    p.add_argument("--port", type=int, default=8090, help="nginx port for --compare")
    a = p.parse_args(argv)
    if not 1 <= a.sessions <= MAX_SESSIONS:
        raise SystemExit(f"--sessions must be 1..{MAX_SESSIONS}")
    ramp = a.sessions / 10 if a.ramp is None else a.ramp
    if not a.compare:
        r = asyncio.run(load(a.url, a.sessions, ramp, a.timeout, a.deadline, a.runtime))
        print(report(r))
        print(last_line(r))
        return 0 if r["failed"] == 0 else 1
    results = []
    for n in [int(x) for x in a.compare.split(",")]:
        url = f"http://127.0.0.1:{a.port}"
        serve(n, a.port)
        try:
            r = asyncio.run(load(url, a.sessions, ramp, a.timeout, a.deadline, None))
        finally:
            unserve(a.port)
        r["replicas"] = n
        print(report(r), flush=True)
        print(f"replicas={n} " + last_line(r), flush=True)
        results.append(r)
    print("| replicas | sessions | failed | p50 (s) | p95 (s) | RSS per process holding them (MB) |")
    print("|---|---|---|---|---|---|")
    for r in results:
        rss = ", ".join(f"{r['during'][p][0]:.0f}" for p in r["ports"] if p in r["during"])
        print(f"| {r['replicas']} | {r['sessions']} | {r['failed']} | {pct(r['times'], .5):.2f} | "
              f"{pct(r['times'], .95):.2f} | {rss} |")
    # The last line is the last set-up's (the replicas); the exit status counts every set-up's failures.
    print(last_line(results[-1]))
    return 0 if all(r["failed"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
