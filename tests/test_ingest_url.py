"""`ingest-287g --url`: ICE's spreadsheet fetched from a local HTTP server (built in code), with a timeout, a size
limit and a content check.  After every failure the tables and captures are byte for byte what they were; after a
success they hold the new capture."""
from __future__ import annotations

import datetime as dt
import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sanctuary_map import agreements as ag
from sanctuary_map.cli import main

HEADER = ["STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED", "MOA", "ADDENDUM"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST = "participatingAgencies05012025am.xlsx"  # the capture already in the table
NEW = "participatingAgencies06092026pm.xlsx"  # ICE's current file on the server


def ice_xlsx(agencies: list[str], header: list[str] = HEADER) -> bytes:
    """ICE's layout: a title row, a blank row, the header, one row per agency."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["287(g) Participating Agencies"])
    ws.append([])
    ws.append(header)
    for a in agencies:
        ws.append(["FLORIDA", a, "County", "Orange County", "Task Force Model", dt.datetime(2025, 3, 1), "link"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


AGENCIES = ["Orange County Sheriff's Office", "Ocoee Police Department", "Apopka Police Department", "Winter Park Police"]
ROUTES: dict[str, tuple[int, str, bytes]] = {
    f"/doclib/{NEW}": (200, XLSX, ice_xlsx(AGENCIES[:3] + ["Maitland Police Department"])),
    "/287g": (200, "text/html; charset=utf-8",
              f'<html><body><a href="/doclib/{NEW}">287(g) participating agencies</a></body></html>'.encode()),
    "/broken.xlsx": (200, XLSX, b"PK\x03\x04 this is not really a workbook" * 10),
    "/not-xlsx.xlsx": (200, "application/octet-stream", b"%PDF-1.7 a PDF where the spreadsheet should be"),
    "/blocked.xlsx": (200, "text/html", b"<html><title>Access Denied</title></html>"),
    "/page-without-link": (200, "text/html", b"<html><body>The list has moved.</body></html>"),
    "/wrong-columns.xlsx": (200, XLSX, ice_xlsx(AGENCIES, header=["NAME", "COLOUR", "SIZE"])),
    "/empty-list.xlsx": (200, XLSX, ice_xlsx([])),
    "/truncated-participatingAgencies06102026am.xlsx": (200, XLSX, ice_xlsx(AGENCIES[:1])),
    "/huge.xlsx": (200, XLSX, b"PK\x03\x04" + b"\0" * 300_000),
}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/slow.xlsx":  # headers, then nothing for longer than the client waits
            self.send_response(200)
            self.send_header("Content-Type", XLSX)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"PK\x03\x04")
            self.wfile.flush()
            time.sleep(3)
            return
        if path == "/huge-unannounced.xlsx":  # no Content-Length: the limit is enforced while reading
            self.send_response(200)
            self.send_header("Content-Type", XLSX)
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"PK\x03\x04" + b"\0" * 10_000)
            return
        status, ctype, body = ROUTES.get(path, (404, "text/html", b"<html>Not Found</html>"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def index() -> pd.DataFrame:
    rows = [("state", "12", "Florida", "Florida", "FL", "12", ""),
            ("county", "12095", "Orange", "Orange County", "FL", "12", "12095")]
    return pd.DataFrame(rows, columns=["layer", "geoid", "name", "name_full", "state", "statefp", "counties"])


@pytest.fixture
def tables(tmp_path, monkeypatch, index) -> Path:
    """A data folder whose tables hold one earlier capture (ingested from a local file)."""
    class Boundaries:
        def __init__(self, _path):
            self.index = index

    monkeypatch.setattr("sanctuary_map.boundaries.load_boundaries", Boundaries)
    data = tmp_path / "data"
    data.mkdir()
    first = tmp_path / FIRST
    first.write_bytes(ice_xlsx(AGENCIES))
    assert main(["ingest-287g", str(first), *args(data)]) == 0
    return data


def args(data: Path) -> list[str]:
    return ["--agreements", str(data / "287g_agreements.csv"), "--snapshots", str(data / "287g_snapshots.csv"),
            "--geodata", str(data / "no-geodata")]


def state(data: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(data.iterdir())}


@pytest.mark.parametrize("path,extra,message", [
    ("/missing.xlsx", [], "HTTP 404"),
    ("/broken.xlsx", [], "cannot be read as an Excel workbook"),
    ("/not-xlsx.xlsx", [], "not an Excel workbook"),
    ("/blocked.xlsx", [], "an HTML page ('Access Denied'), not the spreadsheet"),
    ("/page-without-link", [], "no link to participatingAgencies"),
    ("/wrong-columns.xlsx", [], "no header row with STATE and LAW ENFORCEMENT AGENCY"),
    ("/empty-list.xlsx", [], "no valid row"),
    ("/truncated-participatingAgencies06102026am.xlsx", [], "fewer than 50% of the 4"),
    ("/huge.xlsx", ["--max-bytes", "200000"], "300,004 bytes announced, more than the limit of 200,000"),
    ("/huge-unannounced.xlsx", ["--max-bytes", "200000"], "more than the limit of 200,000 bytes"),
    ("/slow.xlsx", ["--timeout", "0.5"], "0.5 s"),
])
def test_a_failed_fetch_changes_nothing(server, tables, capsys, path, extra, message):
    before = state(tables)
    archive = tables.parent / "archive"
    code = main(["ingest-287g", "--url", server + path, *extra, "--archive", str(archive), *args(tables)])
    err = capsys.readouterr().err
    assert code == 1
    assert message in err and "error:" in err and "the tables are unchanged" in err
    assert "Traceback" not in err
    assert state(tables) == before  # the table and its captures, byte for byte; no temporary file left
    assert not archive.exists()


def test_unreachable_server_is_a_clear_error(tables, capsys):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    before = state(tables)
    assert main(["ingest-287g", "--url", f"http://127.0.0.1:{port}/x.xlsx", "--timeout", "2", *args(tables)]) == 1
    assert "cannot connect" in capsys.readouterr().err
    assert state(tables) == before


def test_only_http_urls(tables, capsys):
    assert main(["ingest-287g", "--url", f"file://{tables}/287g_agreements.csv", *args(tables)]) == 1
    assert "only http and https" in capsys.readouterr().err


def test_success_from_ices_page_appends_a_capture_then_the_same_file_is_a_no_op(server, tables, capsys):
    archive = tables.parent / "archive"
    assert main(["ingest-287g", "--url", server + "/287g", "--archive", str(archive), *args(tables)]) == 0
    out, err = capsys.readouterr()
    assert f"fetched {server}/doclib/{NEW}" in err  # the page's link was followed
    assert "1 new, 1 ended" in out and "Maitland Police Department" in out and "Winter Park Police" in out
    table = ag.load_agreements(tables / "287g_agreements.csv")
    assert list(table.snapshots["capture_date"]) == ["2025-05-01", "2026-06-09"]  # the date in ICE's file name
    last = table.snapshots.iloc[-1]
    assert last["file"] == NEW and last["path"] == f"{server}/doclib/{NEW}" and last["complete"] == "Y"
    assert len(last["sha256"]) == 64
    rows = table.rows.set_index("agency")
    assert rows.loc["Winter Park Police", "status"] == "ended" and rows.loc["Maitland Police Department", "status"] == "active"
    assert (archive / NEW).read_bytes() == ROUTES[f"/doclib/{NEW}"][2]
    # the next day's run finds the same file: nothing to do, nothing changed, exit 0 (so a schedule stays quiet)
    before = state(tables)
    assert main(["ingest-287g", "--url", server + f"/doclib/{NEW}", *args(tables)]) == 0
    assert "unchanged" in capsys.readouterr().err
    assert state(tables) == before
    # and a failure after a success keeps the last good capture
    assert main(["ingest-287g", "--url", server + "/missing.xlsx", *args(tables)]) == 1
    assert state(tables) == before


def test_a_shrunken_list_can_be_ingested_on_purpose(server, tables, capsys):
    url = server + "/truncated-participatingAgencies06102026am.xlsx"
    assert main(["ingest-287g", "--url", url, "--allow-shrink", *args(tables)]) == 0
    assert "0 new, 3 ended" in capsys.readouterr().out


def test_file_or_url_not_both(tables, capsys):
    assert main(["ingest-287g", str(tables / "x.xlsx"), "--url", "http://127.0.0.1:1/x", *args(tables)]) == 1
    assert main(["ingest-287g", *args(tables)]) == 1
    assert "either a FILE or --url" in capsys.readouterr().err


def test_a_second_ingest_at_the_same_time_is_refused(tables, capsys, tmp_path):
    before = state(tables)
    from sanctuary_map.agreements.command import _Lock

    with _Lock(tables / "287g_agreements.csv"):
        f = tmp_path / NEW
        f.write_bytes(ROUTES[f"/doclib/{NEW}"][2])
        assert main(["ingest-287g", str(f), *args(tables)]) == 1
    assert "another ingest" in capsys.readouterr().err
    assert state(tables) == before


def test_interrupted_write_keeps_the_old_tables(tables, monkeypatch, tmp_path, capsys):
    """A failure while writing (a full disk) leaves every table as it was and no temporary file behind."""
    before = state(tables)
    calls = {"n": 0}
    from sanctuary_map.agreements import table as store

    real = store._atomic_csv

    def flaky(frame, path):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real(frame, path)

    monkeypatch.setattr(store, "_atomic_csv", flaky)
    f = tmp_path / NEW
    f.write_bytes(ROUTES[f"/doclib/{NEW}"][2])
    assert main(["ingest-287g", str(f), *args(tables)]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert state(tables) == before


def test_the_schedule_runs_the_make_target_with_ices_address():
    """`make ingest-287g` passes ICE_287G_URL (default: ICE's page, the code's constant); the timer and the cron line
    run that target daily."""
    import subprocess

    from conftest import ROOT

    dry = subprocess.run(["make", "-n", "-C", str(ROOT), "ingest-287g"], capture_output=True, text=True).stdout
    assert f"ingest-287g --url '{ag.ICE_287G_URL}'" in dry
    dry = subprocess.run(["make", "-n", "-C", str(ROOT), "ingest-287g", "ICE_287G_URL=http://127.0.0.1:9/x.xlsx"],
                         capture_output=True, text=True).stdout
    assert "--url 'http://127.0.0.1:9/x.xlsx'" in dry
    service = (ROOT / "deploy" / "sanctuary-map-287g.service").read_text()
    timer = (ROOT / "deploy" / "sanctuary-map-287g.timer").read_text()
    cron = [line for line in (ROOT / "deploy" / "crontab").read_text().splitlines() if line and not line.startswith("#")]
    assert "Type=oneshot" in service and "ingest-287g" in service.split("ExecStart=")[1].splitlines()[0]
    assert "OnCalendar=*-*-* " in timer and "Persistent=true" in timer
    assert len(cron) == 1 and cron[0].split()[2:5] == ["*", "*", "*"] and "make ingest-287g" in cron[0]
