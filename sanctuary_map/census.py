"""US Census Bureau cartographic boundary (CB) files: names, sources, reading.

Everything Census-specific lives here.  Files are named as the Census publishes them,
``cb_<year>_<state FIPS or us>_<layer>_<resolution>.zip``, under
``https://www2.census.gov/geo/tiger/GENZ<year>/shp/``.  A *source* is where those files
come from: the Census website (default), a local directory, or a mirror URL holding the
same file names.  Census column names are renamed once, in :func:`read_layer`.
"""
from __future__ import annotations

import hashlib
import os
import re
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import geopandas as gpd

CENSUS_WEBSITE = "https://www2.census.gov/geo/tiger/"
SOURCE_ENV = "SANCTUARY_MAP_CENSUS_SOURCE"
NATIONAL = "us"
NATIONAL_LAYERS = ("state", "county")
# Newest first; the build takes the newest vintage a source has for each layer and scope.
VINTAGES = tuple(range(2024, 2013, -1))
RESOLUTIONS = {"state-wide": ("500k",), "national": ("500k", "5m", "20m")}
FILE_RE = re.compile(r"^cb_(?P<year>\d{4})_(?P<scope>us|\d{2})_(?P<layer>[a-z]+)_(?P<res>500k|5m|20m)\.zip$")
# The one place Census column names are mapped to ours.
RENAME = {
    "GEOID": "geoid", "NAME": "name", "STATEFP": "statefp", "STUSPS": "state",
    "ALAND": "aland_m2", "AWATER": "awater_m2",
}
KEEP = ("geoid", "name", "statefp", "aland_m2", "awater_m2", "geometry")
CENSUS_CRS = "EPSG:4269"  # NAD83, as the CB files are published

Progress = Callable[[int, int | None], None]


class CensusError(Exception):
    """A Census file is missing, broken or unexpected; the message says what to do."""


@dataclass(frozen=True)
class CensusFile:
    year: int
    scope: str  # "us" or a 2-digit state FIPS code
    layer: str
    resolution: str

    @property
    def name(self) -> str:
        return f"cb_{self.year}_{self.scope}_{self.layer}_{self.resolution}.zip"

    @classmethod
    def parse(cls, name: str) -> "CensusFile | None":
        m = FILE_RE.match(name)
        if not m:
            return None
        return cls(int(m["year"]), m["scope"], m["layer"], m["res"])

    def website_url(self) -> str:
        return f"{CENSUS_WEBSITE}GENZ{self.year}/shp/{self.name}"


def candidates(layer: str, scope: str) -> list[CensusFile]:
    """Every name a file for (layer, scope) may have, preferred first."""
    kind = "national" if scope == NATIONAL else "state-wide"
    return [CensusFile(y, scope, layer, r) for y in VINTAGES for r in RESOLUTIONS[kind]]


def wanted_label(layer: str, scope: str) -> str:
    return f"cb_*_{scope}_{layer}_*.zip"


class Source:
    """Where Census files come from.  ``describe()`` is recorded in the manifest."""

    def locate(self, layer: str, scope: str) -> CensusFile | None:  # pragma: no cover - interface
        raise NotImplementedError

    def fetch(self, f: CensusFile, dest: Path, progress: Progress | None = None) -> Path:  # pragma: no cover
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover
        raise NotImplementedError


class DirectorySource(Source):
    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.is_dir():
            raise CensusError(f"Census source directory {self.path} does not exist. "
                              f"Pass --source DIR (or set {SOURCE_ENV}) to a folder holding cb_*.zip files.")
        self._files = {f.name: f for f in (CensusFile.parse(p.name) for p in self.path.iterdir()) if f}

    def locate(self, layer: str, scope: str) -> CensusFile | None:
        for c in candidates(layer, scope):
            if c.name in self._files:
                return c
        return None

    def fetch(self, f: CensusFile, dest: Path, progress: Progress | None = None) -> Path:
        src = self.path / f.name
        size = src.stat().st_size
        if progress:
            progress(0, size)
        # Read in place: nothing from the source is copied into the project.
        if progress:
            progress(size, size)
        return src

    def describe(self) -> str:
        return f"directory {self.path}"


class HttpSource(Source):
    """The Census website (``GENZ<year>/shp/`` layout) or a flat mirror URL."""

    def __init__(self, base: str, cache_dir: Path, census_layout: bool):
        self.base = base if base.endswith("/") else base + "/"
        self.cache_dir = Path(cache_dir)
        self.census_layout = census_layout

    def url(self, f: CensusFile) -> str:
        return f.website_url() if self.census_layout else self.base + f.name

    def locate(self, layer: str, scope: str) -> CensusFile | None:
        errors = []
        for c in candidates(layer, scope):
            if (self.cache_dir / c.name).exists():
                return c
            try:
                req = urllib.request.Request(self.url(c), method="HEAD")
                with urllib.request.urlopen(req, timeout=20):
                    return c
            except urllib.error.HTTPError as exc:
                if exc.code != 404:
                    errors.append(f"{c.name}: HTTP {exc.code}")
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                raise CensusError(
                    f"Cannot reach {self.describe()} ({getattr(exc, 'reason', exc)}). Without internet, point the build at a "
                    f"folder of Census files: --source DIR or {SOURCE_ENV}=DIR.") from exc
        return None

    def fetch(self, f: CensusFile, dest: Path, progress: Progress | None = None) -> Path:
        target = self.cache_dir / f.name
        if target.exists():
            return target
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".part")
        try:
            with urllib.request.urlopen(self.url(f), timeout=60) as resp, tmp.open("wb") as out:
                total = int(resp.headers.get("Content-Length") or 0) or None
                done = 0
                while chunk := resp.read(1 << 16):
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            tmp.unlink(missing_ok=True)
            raise CensusError(f"Download of {self.url(f)} failed ({getattr(exc, 'reason', exc)}); run the build again, "
                              f"or use --source DIR with a folder holding {f.name}.") from exc
        tmp.replace(target)
        return target

    def describe(self) -> str:
        return "Census website " + CENSUS_WEBSITE if self.census_layout else f"mirror {self.base}"


def open_source(setting: str | None, cache_dir: Path) -> Source:
    """Turn the source setting (option, else environment, else the Census website) into a Source."""
    setting = setting or os.environ.get(SOURCE_ENV) or ""
    if not setting or setting.rstrip("/") in (CENSUS_WEBSITE.rstrip("/"), "census", "web"):
        return HttpSource(CENSUS_WEBSITE, cache_dir, census_layout=True)
    if setting.startswith(("http://", "https://")):
        return HttpSource(setting, cache_dir, census_layout=False)
    return DirectorySource(Path(setting).expanduser())


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_layer(path: Path, f: CensusFile) -> gpd.GeoDataFrame:
    """Read one CB zip, check it, and rename Census columns to ours (the only place this happens)."""
    what = f"{f.name} ({path})"
    if not path.exists():
        raise CensusError(f"{what} is missing; run `python -m sanctuary_map geodata build` again.")
    try:
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()
            members = z.namelist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise CensusError(f"{what} is not a readable zip ({exc}); it may be truncated. "
                          f"Replace it with a fresh copy from the Census website.") from exc
    if bad:
        raise CensusError(f"{what}: member {bad} is corrupt (CRC mismatch); replace the file.")
    if not any(m.endswith(".shp") for m in members):
        raise CensusError(f"{what} holds no .shp file; is it really a Census cartographic boundary zip?")
    try:
        gdf = gpd.read_file(f"zip://{path}")
    except Exception as exc:  # pyogrio raises several types for broken shapefiles
        raise CensusError(f"{what} cannot be read as a shapefile ({exc}); replace the file.") from exc
    if "GEOID" not in gdf.columns:
        raise CensusError(f"{what} has no GEOID column; expected a Census cartographic boundary file.")
    if gdf.crs is None:
        raise CensusError(f"{what} has no coordinate reference system (.prj missing); expected NAD83 ({CENSUS_CRS}).")
    gdf = gdf.rename(columns=RENAME)
    for col in KEEP:
        if col not in gdf.columns:
            gdf[col] = None
    gdf = gdf[list(KEEP)].copy()
    gdf["geoid"] = gdf["geoid"].astype(str)
    gdf["layer"] = f.layer
    return gdf

