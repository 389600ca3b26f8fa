"""Every environment setting and project path, read in one place.

Paths are resolved from this file, never from the working directory.  Settings are read
when asked for (``Settings.from_env()``), so tests can pass their own environment.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Mapping
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from xyzservices import TileProvider

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
POLICIES_CSV = ROOT / "policies.csv"
DATA_DIR = ROOT / "data"
AGREEMENTS_CSV = DATA_DIR / "287g_agreements.csv"
AGREEMENT_SNAPSHOTS_CSV = DATA_DIR / "287g_snapshots.csv"
DESIGNATIONS_CSV = DATA_DIR / "federal_designations.csv"
LITIGATION_CSV = DATA_DIR / "litigation.csv"
SEARCHED_CSV = DATA_DIR / "searched.csv"
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
BASEMAP_KEY_ENV = "SANCTUARY_MAP_BASEMAP_KEY"  # API key for a provider that needs one (MapTiler, Thunderforest, CARTO...)
PUBLIC_URL_ENV = "SANCTUARY_MAP_PUBLIC_URL"
TIMING_ENV = "SANCTUARY_MAP_TIMING"
# "0" turns off the first view in the Map page's HTML (firstview.py): the map then waits for its component (benchmarks).
FIRST_VIEW_ENV = "SANCTUARY_MAP_FIRST_VIEW"
# Where the app reads its data (tests point these at fixtures built in code; the defaults are the project's).
POLICIES_ENV = "SANCTUARY_MAP_POLICIES"
GEODATA_ENV = "SANCTUARY_MAP_GEODATA"
DATA_ENV = "SANCTUARY_MAP_DATA"
# The basemap: 'none' (offline: the Census states are the base), 'osm' (OpenStreetMap's own tile servers: fine for
# development, not for public traffic, see deploy/), or any provider by its xyzservices name ('CartoDB.Positron',
# 'Stadia.AlidadeSmooth', 'MapTiler.Basic', 'Esri.WorldGrayCanvas'...; case-insensitive).
BASEMAPS = ("osm", "none")
BASEMAP_ALIASES = {"osm": "OpenStreetMap.Mapnik"}
OSM_TILE_HOST = "tile.openstreetmap.org"


def basemap_provider(name: str) -> "TileProvider | None":
    """The xyzservices provider of a basemap name, or None for 'none' and for names it does not know."""
    name = name.strip()
    if not name or name.lower() == "none":
        return None
    import xyzservices.providers as xyz  # folium's dependency; imported when a basemap is asked for

    try:
        return xyz.query_name(BASEMAP_ALIASES.get(name.lower(), name))
    except ValueError:
        return None


def basemap_name(name: str) -> str:
    """A basemap setting as stored: 'none', 'osm', or the provider's own spelling; '' when unknown."""
    name = name.strip()
    if name.lower() in BASEMAPS:
        return name.lower()
    provider = basemap_provider(name)
    return provider.name if provider is not None else ""


@lru_cache(maxsize=64)
def basemap_tiles(name: str, key: str = "") -> tuple[str, str] | None:
    """(Leaflet URL template, HTML attribution) of a basemap, or None: 'none', an unknown name, or a provider that
    needs an API key when none is given (its tiles would not load)."""
    provider = basemap_provider(name)
    if provider is None:
        return None
    token_fields = [k for k, v in provider.items() if isinstance(v, str) and v.startswith("<insert")]
    if token_fields and not key:
        return None
    url = provider.build_url(x="{x}", y="{y}", z="{z}", scale_factor="{r}", fill_subdomain=True,
                             **{k: key for k in token_fields})
    return url, provider.get("html_attribution") or provider.get("attribution", "")


def basemap_origin(name: str, key: str = "") -> str:
    """'https://host' the browser fetches basemap tiles from ('' for none): what the Content-Security-Policy allows."""
    tiles = basemap_tiles(name, key)
    if tiles is None:
        return ""
    parts = urlsplit(tiles[0])
    return f"{parts.scheme}://{parts.netloc}"


class _BasemapTiles(Mapping[str, tuple[str, str]]):
    """name -> (url, attribution), resolved through xyzservices with the configured API key (mapping.py reads it)."""

    def __getitem__(self, name: str) -> tuple[str, str]:
        tiles = basemap_tiles(name, settings().basemap_key)
        if tiles is None:
            raise KeyError(name)
        return tiles

    def __iter__(self) -> Iterator[str]:
        return iter(BASEMAPS[:1])

    def __len__(self) -> int:
        return 1


BASEMAP_TILES = _BasemapTiles()


@dataclass(frozen=True)
class Settings:
    census_source: str = ""  # '' = the Census website
    basemap: str = "osm"
    basemap_key: str = ""
    public_url: str = ""  # '' = not configured: links use the address the visitor used
    timing: bool = False
    first_view: bool = True
    policies: Path = POLICIES_CSV
    geodata: Path = GEODATA_DIR
    data: Path = DATA_DIR

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        basemap = basemap_name(env.get(BASEMAP_ENV, "osm")) or "osm"
        public = env.get(PUBLIC_URL_ENV, "").strip()
        if public and not public.startswith(("http://", "https://")):
            public = ""
        if public and not public.endswith("/"):
            public += "/"
        return cls(
            census_source=env.get(CENSUS_SOURCE_ENV, "").strip(),
            basemap=basemap,
            basemap_key=env.get(BASEMAP_KEY_ENV, "").strip(),
            public_url=public,
            timing=bool(env.get(TIMING_ENV, "").strip()),
            first_view=env.get(FIRST_VIEW_ENV, "").strip() != "0",
            policies=Path(env.get(POLICIES_ENV) or POLICIES_CSV),
            geodata=Path(env.get(GEODATA_ENV) or GEODATA_DIR),
            data=Path(env.get(DATA_ENV) or DATA_DIR),
        )


def settings() -> Settings:
    return Settings.from_env()
