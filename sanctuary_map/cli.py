"""Every command in one place: ``python -m sanctuary_map COMMAND``.

validate · geodata build · join-report · coverage · distance · find · profile · changes ·
ingest-287g · export · release
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from . import settings as paths


class Bar:
    """A plain-text progress bar on stderr (one line per file)."""

    def __init__(self, label: str, stream=sys.stderr):
        self.label, self.stream, self.last = label, stream, -1

    def __call__(self, done: int, total: int | None) -> None:
        if total:
            pct = int(100 * done / total)
            if pct != self.last:
                self.last = pct
                fill = pct // 4
                end = "\n" if done >= total else ""
                self.stream.write(f"\r  {self.label:<32} [{'#' * fill}{'.' * (25 - fill)}] {pct:3d}% {done / 1e6:6.1f} MB{end}")
                self.stream.flush()
        else:
            self.stream.write(f"\r  {self.label:<32} {done / 1e6:6.1f} MB")
            self.stream.flush()


def _err(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _data(args, with_related: bool = True):
    from .data import load_map_data

    data = load_map_data(Path(args.policies), Path(args.geodata), data_dir=Path(args.data), with_related=with_related)
    for p in data.table.problems + data.problems:
        print(f"invalid row left out: {p}", file=sys.stderr)
    return data


# ---------------------------------------------------------------------------- commands
def cmd_validate(args) -> int:
    from .policies import load_policies

    table = load_policies(Path(args.csv))
    for p in table.problems:
        print(p)
    print(f"{table.source}: {table.rows_read} rows read, {len(table.rows)} valid, {len(table.invalid_rows)} invalid, "
          f"{len(table.problems)} problems", file=sys.stderr)
    return 1 if table.problems else 0


def cmd_build(args) -> int:
    from .boundaries import build
    from .census import CensusError, open_source

    out = Path(args.out)
    try:
        source = open_source(args.source, out / "cache")
        print(f"Building the boundary index from {source.describe()} into {out}", file=sys.stderr)
        manifest = build(source, out, log=lambda m: print(m, file=sys.stderr), progress_factory=Bar)
    except CensusError as exc:
        return _err(str(exc))
    print(f"Built {len(manifest['layers'])} layers, {manifest['index']['rows']:,} boundaries in {manifest['build_seconds']} s; "
          f"{len(manifest['missing'])} state files not in the source (their rows are reported, not dropped).", file=sys.stderr)
    return 0


def cmd_join_report(args) -> int:
    data = _data(args, with_related=False)
    if data.joined is None:
        return _err(data.boundary_error or "no boundary data")
    if args.json:
        print(json.dumps({"matched": data.joined.matched[["policy_id", "geoid_layer", "geoid", "boundary_name", "vintage"]]
                          .to_dict("records"),
                          "unmatched": data.joined.unmatched[["policy_id", "geoid_layer", "geoid", "reason"]].to_dict("records")},
                         indent=2, default=str))
    else:
        print("\n".join(data.joined.report_lines()))
    return 0


def cmd_coverage(args) -> int:
    from .coverage import coverage, coverage_text

    report = coverage(_data(args, with_related=False))
    print(json.dumps(report, indent=2) if args.json else coverage_text(report))
    return 0


def cmd_distance(args) -> int:
    from .boundaries import GeodataError, load_boundaries
    from .distances import distance_record
    from .vocab import LAYERS

    if args.layer not in LAYERS:
        return _err(f"unknown layer {args.layer!r}; expected one of: {', '.join(LAYERS)}")
    try:
        boundaries = load_boundaries(Path(args.geodata))
    except GeodataError as exc:
        return _err(str(exc))
    row = boundaries.lookup(args.layer, args.geoid)
    if row is None:
        return _err(f"GEOID {args.geoid!r} is not in the {args.layer} layer of the boundary index")
    print(json.dumps(distance_record(row), indent=2))
    return 0


def cmd_find(args) -> int:
    from .search import find, search_table

    data = _data(args)
    hits = find(args.query, search_table(data), limit=args.limit)
    if args.json:
        print(json.dumps([{**h.__dict__, "label": h.label()} for h in hits], indent=2))
    else:
        if not hits:
            print(f"no match for {args.query!r}")
        for h in hits:
            print(f"{h.score:5.1f}  {h.key:<16} {h.label()}")
    return 0 if hits else 1


def cmd_profile(args) -> int:
    from .profile import profile
    from .view import View

    data = _data(args)
    result = profile(data, args.layer, args.geoid, View(as_of=args.as_of or ""))
    if result is None:
        return _err(f"{args.layer}:{args.geoid} is neither in the boundary index nor in the policy table")
    if args.json:
        print(json.dumps(result, indent=2, default=str))
        return 0
    print(f"{result['name']} ({result['level']}, {result['state']}) as of {result['as_of']}")
    print(result["summary"])
    for i in result["instruments"]:
        print(f"  - {i['title']} [{i['stance']}] adopted {i['adopted']} · {i['status']} · {i['source_url']}")
    for a in result["agreements"]:
        print(f"  - 287(g): {a}")
    for d in result["listings"]:
        print(f"  - federal list {d['list']}: {d['name_as_published']}")
    if result["overlapping"]:
        print("  overlaps: " + ", ".join(f"{o['name']} ({o['level'].lower()})" for o in result["overlapping"]))
    return 0


def cmd_changes(args) -> int:
    from .events import changes
    from .view import parse_query

    _view, notices = parse_query({"from": args.start, "to": args.end})
    for n in notices:
        print(f"note: {n}", file=sys.stderr)
    start, end = _view.start or "1776-07-04", _view.end or _view.as_of_date()
    ev = changes(_data(args), start, end, tuple(args.kind or ()))
    cols = ["date", "event", "jurisdiction_name", "geoid", "geoid_layer", "state", "source_id", "summary", "source_url"]
    if args.format == "json":
        print(json.dumps(ev[cols].to_dict("records"), indent=2))
    else:
        buf = io.StringIO()
        ev[cols].to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL)
        sys.stdout.write(buf.getvalue())
    print(f"{len(ev)} events from {start} to {end}", file=sys.stderr)
    return 0


def cmd_ingest(args) -> int:
    from .agreements import ingest_cli

    return ingest_cli(args)


def cmd_release(args) -> int:
    from .release import release_cli

    return release_cli(args)


def cmd_export(args) -> int:
    from .export import ExportError, export_cli

    try:
        return export_cli(args)
    except ExportError as exc:
        return _err(str(exc))


# ---------------------------------------------------------------------------- parser
def _data_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--policies", default=str(paths.POLICIES_CSV), help="policies CSV (default: the shipped table)")
    p.add_argument("--geodata", default=str(paths.GEODATA_DIR), help="built boundary index (default: geodata/)")
    p.add_argument("--data", default=str(paths.DATA_DIR), help="folder of the related tables (default: data/)")


def parser() -> argparse.ArgumentParser:
    from .agreements import FETCH_MAX_BYTES, FETCH_TIMEOUT
    from .export import PRESETS
    from .view import add_view_arguments
    from .vocab import THEMES

    ap = argparse.ArgumentParser(prog="python -m sanctuary_map", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a policies CSV; prints file:row:column: reason")
    p.add_argument("csv", nargs="?", default=str(paths.POLICIES_CSV))
    p.set_defaults(func=cmd_validate)

    g = sub.add_parser("geodata", help="build the national boundary index from Census files")
    gsub = g.add_subparsers(dest="geodata_command", required=True)
    b = gsub.add_parser("build", help="read every Census file the source has; write index, geometry, tiles, manifest")
    b.add_argument("--source", help=f"Census website (default), a local directory, or a mirror URL (also {paths.CENSUS_SOURCE_ENV})")
    b.add_argument("--out", default=str(paths.GEODATA_DIR))
    b.set_defaults(func=cmd_build)

    j = sub.add_parser("join-report", help="which policy rows join to a boundary, and why the others do not")
    _data_options(j)
    j.add_argument("--json", action="store_true")
    j.set_defaults(func=cmd_join_report)

    c = sub.add_parser("coverage", help="counts by state x level x stance, source quality, boundaries, partial dates")
    _data_options(c)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_coverage)

    d = sub.add_parser("distance", help="distance from any boundary in the index to the US-Mexico land border (JSON)")
    d.add_argument("--geoid", required=True)
    d.add_argument("--layer", required=True, help="state, county, place, unsd, elsd or scsd")
    d.add_argument("--geodata", default=str(paths.GEODATA_DIR))
    d.set_defaults(func=cmd_distance)

    f = sub.add_parser("find", help="find jurisdictions by name (typo-tolerant; 'Portland, OR' narrows by state)")
    f.add_argument("query")
    f.add_argument("--limit", type=int, default=10)
    f.add_argument("--json", action="store_true")
    _data_options(f)
    f.set_defaults(func=cmd_find)

    pr = sub.add_parser("profile", help="everything about one jurisdiction: instruments, agreements, listings, distance")
    pr.add_argument("--geoid", required=True)
    pr.add_argument("--layer", required=True)
    pr.add_argument("--as-of", dest="as_of", default="")
    pr.add_argument("--json", action="store_true")
    _data_options(pr)
    pr.set_defaults(func=cmd_profile)

    ch = sub.add_parser("changes", help="the event ledger between two dates (CSV or JSON)")
    ch.add_argument("--from", dest="start", default="", help="YYYY-MM-DD (default: the beginning)")
    ch.add_argument("--to", dest="end", default="", help="YYYY-MM-DD (default: today)")
    ch.add_argument("--kind", action="append", choices=("policy", "litigation", "287g", "federal"))
    ch.add_argument("--format", choices=("csv", "json"), default="csv")
    _data_options(ch)
    ch.set_defaults(func=cmd_changes)

    i = sub.add_parser("ingest-287g", help="add an ICE 287(g) spreadsheet (a file, or fetched with --url) to the history")
    i.add_argument("file", nargs="?", default="", help="an ICE spreadsheet (xlsx) or an older CSV capture")
    i.add_argument("--url", default="", help="fetch ICE's current spreadsheet: its URL, or ICE's 287(g) page, whose link to "
                                             "participatingAgencies….xlsx is followed (make ingest-287g uses the page)")
    i.add_argument("--timeout", type=float, default=FETCH_TIMEOUT, help="--url: seconds allowed to connect, per read and in all")
    i.add_argument("--max-bytes", dest="max_bytes", type=int, default=FETCH_MAX_BYTES,
                   help="--url: largest download accepted, in bytes")
    i.add_argument("--allow-shrink", dest="allow_shrink", action="store_true",
                   help="ingest a complete list with fewer than half the rows of the last one (refused by default)")
    i.add_argument("--archive", default=None, help="--url: keep each downloaded file in this folder")
    i.add_argument("--captured", default=None, help="capture date YYYY-MM-DD (default: from the file name)")
    i.add_argument("--agreements", default=str(paths.AGREEMENTS_CSV))
    i.add_argument("--snapshots", default=str(paths.AGREEMENT_SNAPSHOTS_CSV))
    i.add_argument("--geodata", default=str(paths.GEODATA_DIR))
    i.add_argument("--directory", default=None,
                   help="optional CSV of the FBI's law-enforcement agency list, to place city police ICE lists without a county")
    i.set_defaults(func=cmd_ingest)

    e = sub.add_parser("export", help="a snapshot (png, svg, pdf, html) or the data (csv, geojson) of a view")
    e.add_argument("--format", required=True, choices=("png", "svg", "pdf", "html", "csv", "geojson"))
    e.add_argument("--out", required=True)
    e.add_argument("--preset", choices=tuple(PRESETS), default="article", help="image size (png/svg/pdf)")
    e.add_argument("--theme", choices=tuple(THEMES), default="light", help="png/html: a light or a dark page")
    e.add_argument("--width", type=int, default=None)
    e.add_argument("--height", type=int, default=None)
    e.add_argument("--title", default="")
    e.add_argument("--subtitle", default=None, help="default: the filters in words")
    e.add_argument("--fallback", action="store_true",
                   help="png: draw a static (matplotlib) rendering if Chromium fails, and say so in the PNG metadata "
                        "(default: a Chromium failure is an error)")
    _data_options(e)
    add_view_arguments(e)
    e.set_defaults(func=cmd_export)

    r = sub.add_parser("release", help="a versioned data bundle: GeoPackage, CSV and Parquet tables, datapackage.json, checksums")
    r.add_argument("--out", required=True, help="folder to write (created; an earlier release there is replaced)")
    _data_options(r)
    r.set_defaults(func=cmd_release)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from . import i18n

    try:
        with i18n.using(getattr(args, "lang", "")):  # `--lang es`: every word the command writes (legends, titles, notices)
            return args.func(args)
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0
