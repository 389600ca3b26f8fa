"""Every environment setting and project path, read in one place.

Paths are resolved from this file, never from the working directory.  Settings are read
when asked for (``Settings.from_env()``), so tests can pass their own environment.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
POLICIES_CSV = ROOT / "policies.csv"
DATA_DIR = ROOT / "data"
AGREEMENTS_CSV = DATA_DIR / "287g_agreements.csv"
AGREEMENT_SNAPSHOTS_CSV = DATA_DIR / "287g_snapshots.csv"
DESIGNATIONS_CSV = DATA_DIR / "federal_designations.csv"
LITIGATION_CSV = DATA_DIR / "litigation.csv"
GEODATA_DIR = ROOT / "geodata"
STATIC_DIR = ROOT / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
JS_DIR = STATIC_DIR / "js"
TEMPLATE_DIR = PACKAGE_DIR / "templates"
NODE_MODULES = ROOT / "node_modules"
# The development mirror of Census files sits beside the project checkout.
DEV_CENSUS_MIRROR = ROOT.parent / "shared" / "census"
# The URL path under which Streamlit serves STATIC_DIR (server.enableStaticServing).
STATIC_URL = "/app/static"

CENSUS_SOURCE_ENV = "SANCTUARY_MAP_CENSUS_SOURCE"
BASEMAP_ENV = "SANCTUARY_MAP_BASEMAP"
PUBLIC_URL_ENV = "SANCTUARY_MAP_PUBLIC_URL"
TIMING_ENV = "SANCTUARY_MAP_TIMING"
# Where the app reads its data (tests point these at fixtures built in code; the defaults are the project's).
POLICIES_ENV = "SANCTUARY_MAP_POLICIES"
GEODATA_ENV = "SANCTUARY_MAP_GEODATA"
DATA_ENV = "SANCTUARY_MAP_DATA"
BASEMAPS = ("osm", "none")


@dataclass(frozen=True)
class Settings:
    census_source: str = ""  # '' = the Census website
    basemap: str = "osm"
    public_url: str = ""  # '' = not configured: links use the address the visitor used
    timing: bool = False
    policies: Path = POLICIES_CSV
    geodata: Path = GEODATA_DIR
    data: Path = DATA_DIR

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        basemap = env.get(BASEMAP_ENV, "osm").strip().lower()
        public = env.get(PUBLIC_URL_ENV, "").strip()
        if public and not public.startswith(("http://", "https://")):
            public = ""
        if public and not public.endswith("/"):
            public += "/"
        return cls(
            census_source=env.get(CENSUS_SOURCE_ENV, "").strip(),
            basemap=basemap if basemap in BASEMAPS else "osm",
            public_url=public,
            timing=bool(env.get(TIMING_ENV, "").strip()),
            policies=Path(env.get(POLICIES_ENV) or POLICIES_CSV),
            geodata=Path(env.get(GEODATA_ENV) or GEODATA_DIR),
            data=Path(env.get(DATA_ENV) or DATA_DIR),
        )


def settings() -> Settings:
    return Settings.from_env()
