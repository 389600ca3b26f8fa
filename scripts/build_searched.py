"""Build data/searched.csv ("researched, none found" as data) from the research search records.

    python scripts/build_searched.py CITIES.csv DISTRICTS.csv [--out data/searched.csv]

Each input row records one jurisdiction of a cited list (the 100 most populous cities, the 100 largest
school districts): what was searched, when, and the result.  A row whose notes say an instrument was found
but could not be verified (no date or no second page) is stored as ``leads_unverified``, never as
``none_found``.  After a merge, a ``none_found`` jurisdiction that now has rows in policies.csv becomes
``instruments_found``.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sanctuary_map.searched import COLUMNS  # noqa: E402

LISTS = {"cities": "100 most populous US cities (Census population estimates, Vintage 2023)",
         "districts": "100 largest US school districts by enrollment (NCES Common Core of Data, 2022-23)"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cities", type=Path)
    ap.add_argument("districts", type=Path)
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "searched.csv")
    ap.add_argument("--policies", type=Path, default=ROOT / "policies.csv")
    args = ap.parse_args(argv)
    keys = {(r["geoid_layer"], r["geoid"]) for r in csv.DictReader(args.policies.open(encoding="utf-8"))}
    out = []
    for kind, path in (("cities", args.cities), ("districts", args.districts)):
        for r in csv.DictReader(path.open(encoding="utf-8")):
            result = r["result"]
            if result == "none_found" and "NOT ADDED" in r["notes"]:
                result = "leads_unverified"
            if result != "instruments_found" and (r["layer"], r["geoid"]) in keys:
                result = "instruments_found"
            out.append({"jurisdiction_name": r["jurisdiction_name"], "layer": r["layer"], "geoid": r["geoid"],
                        "state": r["state"], "list": LISTS[kind], "list_rank": r["list_rank"],
                        "list_source": r["list_source"], "geoid_source": r["geoid_source"],
                        "date_searched": r["date_searched"], "searched": r["searched"], "result": result,
                        "notes": r["notes"]})
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(COLUMNS), lineterminator="\n")
        w.writeheader()
        w.writerows(out)
    print(f"wrote {args.out} ({len(out)} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
