"""Command line: ``python -m sanctuary_map {validate,geodata,join-report,distance,export}``."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import _paths
from .policies import load_policies


class _Bar:
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


def cmd_validate(args) -> int:
    table = load_policies(Path(args.csv))
    for p in table.problems:
        print(p)
    bad = len(table.invalid_rows)
    print(f"{table.source}: {table.rows_read} rows read, {len(table.rows)} valid, {bad} invalid, {len(table.problems)} problems",
          file=sys.stderr)
    return 1 if table.problems else 0


def cmd_build(args) -> int:
    from .census import CensusError, open_source
    from .geodata import build

    out = Path(args.out)
    table = load_policies(Path(args.policies))
    for p in table.problems:
        print(f"warning: {p} (row left out)", file=sys.stderr)
    try:
        source = open_source(args.source, out / "cache")
        print(f"Building geodata from {source.describe()} into {out}", file=sys.stderr)
        manifest = build(table, source, out, log=lambda m: print(m, file=sys.stderr), progress_factory=_Bar)
    except CensusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    n = sum(len(m["policy_ids"]) for m in manifest["missing"])
    print(f"Built {len(manifest['layers'])} layers in {manifest['build_seconds']} s; "
          f"{len(manifest['missing'])} needed files not in source ({n} policies reported, not dropped).", file=sys.stderr)
    return 0


def cmd_join_report(args) -> int:
    from .geodata import GeodataError, load_layers
    from .join import join

    table = load_policies(Path(args.policies))
    try:
        layers = load_layers(Path(args.geodata))
    except GeodataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    result = join(table.rows, layers.web, {**layers.manifest, "_load_errors": layers.errors})
    if args.json:
        print(json.dumps({"matched": result.matched[["policy_id", "geoid_layer", "geoid", "boundary_name", "vintage"]].to_dict("records"),
                          "unmatched": result.unmatched[["policy_id", "geoid_layer", "geoid", "reason"]].to_dict("records")}, indent=2))
    else:
        print("\n".join(result.report_lines()))
    for p in table.problems:
        print(f"invalid row (not joined): {p}")
    return 0


def cmd_distance(args) -> int:
    from .distance import DistanceError, distance_record

    try:
        rec = distance_record(Path(args.geodata), args.layer, args.geoid)
    except DistanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(rec, indent=2))
    return 0


def cmd_export(args) -> int:
    from .export import ExportError, export_cli

    try:
        return export_cli(args)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sanctuary_map", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a policies CSV; prints file:row:column: reason")
    p.add_argument("csv", nargs="?", default=str(_paths.POLICIES_CSV))
    p.set_defaults(func=cmd_validate)

    g = sub.add_parser("geodata", help="build boundary layers from Census files")
    gsub = g.add_subparsers(dest="geodata_command", required=True)
    b = gsub.add_parser("build", help="download/read Census CB files and write geodata/")
    b.add_argument("--source", help="Census website (default), a local directory, or a mirror URL "
                                    "(also SANCTUARY_MAP_CENSUS_SOURCE)")
    b.add_argument("--policies", default=str(_paths.POLICIES_CSV))
    b.add_argument("--out", default=str(_paths.GEODATA_DIR))
    b.set_defaults(func=cmd_build)

    j = sub.add_parser("join-report", help="list which policies join to a boundary, and why others do not")
    j.add_argument("--policies", default=str(_paths.POLICIES_CSV))
    j.add_argument("--geodata", default=str(_paths.GEODATA_DIR))
    j.add_argument("--json", action="store_true")
    j.set_defaults(func=cmd_join_report)

    d = sub.add_parser("distance", help="distance from a jurisdiction to the US-Mexico land border (JSON)")
    d.add_argument("--geoid", required=True)
    d.add_argument("--layer", required=True, help="state, county, place, unsd, elsd or scsd")
    d.add_argument("--geodata", default=str(_paths.GEODATA_DIR))
    d.set_defaults(func=cmd_distance)

    e = sub.add_parser("export", help="export the map (png, html) or data (csv, geojson) for a filtered view")
    from .view import add_view_arguments

    e.add_argument("--format", required=True, choices=("png", "html", "csv", "geojson"))
    e.add_argument("--out", required=True)
    e.add_argument("--policies", default=str(_paths.POLICIES_CSV))
    e.add_argument("--geodata", default=str(_paths.GEODATA_DIR))
    e.add_argument("--width", type=int, default=1200)
    e.add_argument("--height", type=int, default=800)
    add_view_arguments(e)
    e.set_defaults(func=cmd_export)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
