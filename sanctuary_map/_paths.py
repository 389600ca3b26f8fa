"""Project locations, resolved from this file (never from the working directory)."""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
POLICIES_CSV = ROOT / "policies.csv"
GEODATA_DIR = ROOT / "geodata"
STATIC_DIR = ROOT / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
NODE_MODULES = ROOT / "node_modules"
# The development mirror of Census files sits beside the project checkout.
DEV_CENSUS_MIRROR = ROOT.parent / "shared" / "census"
