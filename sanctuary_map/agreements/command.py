"""The ``ingest-287g`` command (:func:`ingest_cli`): a local file or ``--url``; nothing is written unless all is."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from pathlib import Path

from .fetch import FETCH_MAX_BYTES, FETCH_TIMEOUT, MIN_ROWS_RATIO, fetch_capture
from .history import ingest
from .parsing import date_from_name, read_capture
from .resolve import load_fbi_directory
from .schema import AgreementError
from .table import load_agreements, resolution_summary, write_tables


class _Lock:
    """An exclusive lock on the folder of the tables for one ingest: a second run at the same time is refused.
    (The folder, not a file: the tables are replaced by renaming, and no lock file is left behind.)"""

    def __init__(self, agreements: Path):
        import fcntl

        folder = Path(agreements).resolve().parent
        self.fd = os.open(folder, os.O_RDONLY)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(self.fd)
            raise AgreementError(f"another ingest into {folder} is running; try again when it has finished") from exc

    def __enter__(self) -> _Lock:
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)  # closing the descriptor releases the lock


def ingest_cli(args: argparse.Namespace) -> int:
    """``python -m sanctuary_map ingest-287g FILE [--captured YYYY-MM-DD]`` or ``ingest-287g --url URL``.

    ``args``: ``file`` or ``url``, ``captured`` (YYYY-MM-DD or None), ``agreements``, ``snapshots``
    (CSV paths), ``geodata`` (the built boundary directory) and, optionally, ``directory``
    (an FBI Law Enforcement Employees CSV, to find the county of municipal agencies, which
    ICE lists without one), ``timeout``, ``max_bytes``, ``allow_shrink`` and ``archive`` (a folder to
    keep each downloaded file in).  A URL is fetched into a temporary folder (see :func:`fetch_capture`)
    and read with the same validation as a local file.  Prints the report and the bad rows
    (``file:row: reason``) and writes the updated tables atomically; a file already ingested is reported
    and changes nothing (0).  Returns 1, changing nothing, when the download fails or is not ICE's list, the
    file (or the table, or the boundaries) cannot be read, the capture has no date or no valid row, or a
    complete list is less than half the size of the last one (``allow_shrink`` to ingest it anyway).
    """
    import shutil
    import sys

    def fail(message: str) -> int:
        print(f"error: {message}", file=sys.stderr)
        return 1

    url = getattr(args, "url", None) or ""
    file = getattr(args, "file", None) or ""
    if bool(url) == bool(file):
        return fail("give either a FILE or --url URL")
    captured = None
    if getattr(args, "captured", None):
        try:
            captured = dt.date.fromisoformat(str(args.captured))
        except ValueError:
            return fail(f"--captured {args.captured!r} is not a YYYY-MM-DD date")
    if not url:
        return _ingest_path(args, Path(file), captured, str(Path(file)))
    with tempfile.TemporaryDirectory(prefix="sanctuary-map-287g-") as tmp:
        try:
            download = fetch_capture(url, Path(tmp), timeout=float(getattr(args, "timeout", None) or FETCH_TIMEOUT),
                                     max_bytes=int(getattr(args, "max_bytes", None) or FETCH_MAX_BYTES))
        except AgreementError as exc:
            return fail(f"{exc} (the tables are unchanged)")
        print(f"fetched {download.url}: {download.bytes:,} bytes ({download.content_type})", file=sys.stderr)
        if captured is None and date_from_name(download.path.name) is None:
            captured = dt.datetime.now(dt.timezone.utc).date()  # no date in ICE's file name: the day it was fetched
        code = _ingest_path(args, download.path, captured, download.url)
        archive = getattr(args, "archive", None)
        if code == 0 and archive:
            Path(archive).mkdir(parents=True, exist_ok=True)
            target = Path(archive) / download.path.name
            if not target.exists():
                shutil.copy2(download.path, target)
                print(f"kept a copy in {target}", file=sys.stderr)
        return code


def _ingest_path(args: argparse.Namespace, path: Path, captured: dt.date | None, source: str) -> int:
    import sys

    from ..boundaries import GeodataError, load_boundaries

    def fail(message: str) -> int:
        print(f"error: {message} (the tables are unchanged)", file=sys.stderr)
        return 1

    try:
        capture = read_capture(path, captured)
    except AgreementError as exc:
        return fail(str(exc))
    for p in capture.problems:
        print(p)
    if capture.captured is None:
        return fail(f"{capture.file}: no capture date; run again with --captured YYYY-MM-DD")
    if not capture.rows:
        return fail(f"{capture.file}: no valid row ({capture.rows_read} read); a complete list without rows would end "
                    "every agreement")
    agreements = Path(args.agreements)
    snapshots = Path(args.snapshots) if getattr(args, "snapshots", None) else None
    try:
        lock = _Lock(agreements)
    except (AgreementError, OSError) as exc:
        return fail(str(exc))
    with lock:
        try:
            table = load_agreements(agreements, snapshots)
        except (AgreementError, OSError) as exc:
            return fail(str(exc))
        snaps = table.snapshots
        same = snaps[snaps["sha256"] == capture.sha256] if len(snaps) else snaps
        if capture.sha256 and len(same):
            print(f"{capture.file}: unchanged, the same file as the capture of {same['capture_date'].iloc[-1]} "
                  f"({same['file'].iloc[-1]}); nothing to do", file=sys.stderr)
            return 0
        complete = snaps[snaps["complete"] == "Y"] if len(snaps) else snaps
        last_rows = int(complete["rows"].iloc[-1]) if len(complete) and str(complete["rows"].iloc[-1]).isdigit() else 0
        if capture.complete and last_rows and len(capture.rows) < MIN_ROWS_RATIO * last_rows \
                and not getattr(args, "allow_shrink", False):
            return fail(f"{capture.file}: {len(capture.rows)} valid rows, fewer than {MIN_ROWS_RATIO:.0%} of the "
                        f"{last_rows} of the last complete list ({complete['capture_date'].iloc[-1]}); a truncated list "
                        "would end agreements that did not end. Check the file; --allow-shrink ingests it anyway")
        try:
            index = load_boundaries(Path(args.geodata)).index
            directory = load_fbi_directory(Path(args.directory)) if getattr(args, "directory", None) else None
            capture.path = source
            new_table, report = ingest(table, capture, index, directory)
        except (AgreementError, GeodataError, OSError, KeyError, ValueError) as exc:
            return fail(str(exc))
        for problem in table.problems:
            print(f"warning: {problem} (row left out)", file=sys.stderr)
        for line in report.lines():
            print(line)
        try:
            written = write_tables(new_table, agreements, snapshots)
        except OSError as exc:
            return fail(f"cannot write the tables ({exc})")
    summary = resolution_summary(new_table)
    print(f"wrote {', '.join(str(p) for p in written.values())}; {summary['agreements']} agreements, "
          f"{summary['resolved_pct']}% placed on the map", file=sys.stderr)
    return 0
