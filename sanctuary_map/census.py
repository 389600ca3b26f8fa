"""US Census Bureau boundary files: names, sources, reading.  Everything Census-specific lives here.

Two kinds of file are accepted, named as the Census publishes them:

* cartographic boundary files, ``cb_<year>_<scope>_<layer>_<resolution>.zip`` under
  ``https://www2.census.gov/geo/tiger/GENZ<year>/shp/`` (generalised, clipped to the shoreline);
* TIGER/Line files, ``tl_<year>_<scope>_<layer>.zip`` under
  ``https://www2.census.gov/geo/tiger/TIGER<year>/<LAYER>/`` (full resolution, not clipped).

``scope`` is ``us`` or a two-digit state FIPS code.  A *source* is where the files come from:
the Census website (default), a local directory, or a mirror URL holding the same file
names.  Census column names are renamed once, in :func:`read_layer`.
"""
from __future__ import annotations

import hashlib
import re
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import geopandas as gpd

from .settings import CENSUS_SOURCE_ENV
from .vocab import LAYERS, NATIONAL_LAYERS, STATE_FIPS

CENSUS_WEBSITE = "https://www2.census.gov/geo/tiger/"
NATIONAL = "us"
# Newest first; the build takes the newest vintage a source has for each layer and scope.
VINTAGES = tuple(range(2024, 2013, -1))
FILE_RE = re.compile(r"^(?P<kind>cb|tl)_(?P<year>\d{4})_(?P<scope>us|\d{2})_(?P<layer>[a-z]+)(?:_(?P<res>500k|5m|20m))?\.zip$")
# Preference among files for the same layer and scope: generalised 1:500k first (drawn and measured
# well), then TIGER/Line (full resolution), then coarser generalisations.
RANK = {("cb", "500k"): 0, ("tl", ""): 1, ("cb", "5m"): 2, ("cb", "20m"): 3}
# The one place Census column names are mapped to ours.
RENAME = {"GEOID": "geoid", "NAME": "name", "NAMELSAD": "name_full", "STATEFP": "statefp", "ALAND": "aland_m2",
          "AWATER": "awater_m2"}
KEEP = ("geoid", "name", "name_full", "statefp", "aland_m2", "awater_m2", "geometry")
CENSUS_CRS = "EPSG:4269"  # NAD83, as Census files are published

Progress = Callable[[int, int | None], None]


class CensusError(Exception):
    """A Census file is missing, broken or unexpected; the message says what to do."""


@dataclass(frozen=True)
class CensusFile:
    kind: str  # "cb" or "tl"
    year: int
    scope: str  # "us" or a 2-digit state FIPS code
    layer: str
    resolution: str = ""  # cb only

    @property
    def name(self) -> str:
        if self.kind == "tl":
            return f"tl_{self.year}_{self.scope}_{self.layer}.zip"
        return f"cb_{self.year}_{self.scope}_{self.layer}_{self.resolution}.zip"

    @property
    def rank(self) -> tuple[int, int]:
        return RANK.get((self.kind, self.resolution), 9), -self.year

    @classmethod
    def parse(cls, name: str) -> "CensusFile | None":
        m = FILE_RE.match(name)
        if not m or m["layer"] not in LAYERS or (m["kind"] == "cb") != bool(m["res"]):
            return None
        return cls(m["kind"], int(m["year"]), m["scope"], m["layer"], m["res"] or "")

    def website_url(self) -> str:
        if self.kind == "tl":
            return f"{CENSUS_WEBSITE}TIGER{self.year}/{self.layer.upper()}/{self.name}"
        return f"{CENSUS_WEBSITE}GENZ{self.year}/shp/{self.name}"

    @property
    def description(self) -> str:
        return ("TIGER/Line (full resolution)" if self.kind == "tl"
                else f"cartographic boundary 1:{self.resolution.replace('k', ',000').replace('m', ',000,000')}")


def scopes_for(layer: str) -> tuple[str, ...]:
    return (NATIONAL,) if layer in NATIONAL_LAYERS else tuple(sorted(STATE_FIPS.values()))


def wanted_label(layer: str, scope: str) -> str:
    return f"cb_*_{scope}_{layer}_*.zip or tl_*_{scope}_{layer}.zip"


def best(files: Iterable[CensusFile]) -> dict[tuple[str, str], CensusFile]:
    """The preferred file for each (layer, scope) among ``files``."""
    out: dict[tuple[str, str], CensusFile] = {}
    for f in files:
        key = (f.layer, f.scope)
        if key not in out or f.rank < out[key].rank:
            out[key] = f
    return out


class Source:
    """Where Census files come from.  ``describe()`` is recorded in the manifest."""

    def available(self) -> dict[tuple[str, str], CensusFile]:  # pragma: no cover - interface
        raise NotImplementedError

    def fetch(self, f: CensusFile, progress: Progress | None = None) -> Path:  # pragma: no cover
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover
        raise NotImplementedError


class DirectorySource(Source):
    def __init__(self, path: Path):
        self.path = Path(path)
        if not self.path.is_dir():
            raise CensusError(f"Census source directory {self.path} does not exist. "
                              f"Pass --source DIR (or set {CENSUS_SOURCE_ENV}) to a folder holding cb_*.zip or tl_*.zip files.")

    def available(self) -> dict[tuple[str, str], CensusFile]:
        return best(f for f in (CensusFile.parse(p.name) for p in self.path.iterdir()) if f)

    def fetch(self, f: CensusFile, progress: Progress | None = None) -> Path:
        # Read in place: nothing from the source is copied into the project.
        src = self.path / f.name
        if progress:
            progress(src.stat().st_size, src.stat().st_size)
        return src

    def describe(self) -> str:
        return f"directory {self.path}"


class HttpSource(Source):
    """The Census website (its own folder layout) or a flat mirror URL holding the same file names."""

    def __init__(self, base: str, cache_dir: Path, census_layout: bool):
        self.base = base if base.endswith("/") else base + "/"
        self.cache_dir = Path(cache_dir)
        self.census_layout = census_layout

    def url(self, f: CensusFile) -> str:
        return f.website_url() if self.census_layout else self.base + f.name

    def _exists(self, f: CensusFile) -> bool:
        if (self.cache_dir / f.name).exists():
            return True
        try:
            with urllib.request.urlopen(urllib.request.Request(self.url(f), method="HEAD"), timeout=20):
                return True
        except urllib.error.HTTPError:
            return False
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise CensusError(
                f"Cannot reach {self.describe()} ({getattr(exc, 'reason', exc)}). Without internet, point the build at a "
                f"folder of Census files: --source DIR or {CENSUS_SOURCE_ENV}=DIR.") from exc

    def available(self) -> dict[tuple[str, str], CensusFile]:
        """Every layer in every state: the newest generalised file the site has (a HEAD request each)."""
        out = {}
        for layer in LAYERS:
            res = "5m" if layer in NATIONAL_LAYERS else "500k"
            for scope in scopes_for(layer):
                for year in VINTAGES:
                    f = CensusFile("cb", year, scope, layer, res)
                    if self._exists(f):
                        out[(layer, scope)] = f
                        break
        return out

    def fetch(self, f: CensusFile, progress: Progress | None = None) -> Path:
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
    """Turn the source setting (option, else the configured setting, else the Census website) into a Source."""
    from .settings import settings

    setting = setting or settings().census_source
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
    """Read one Census zip, check it, and rename Census columns to ours (the only place this happens)."""
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
        raise CensusError(f"{what} holds no .shp file; is it really a Census boundary zip?")
    try:
        gdf = gpd.read_file(f"zip://{path}")
    except Exception as exc:  # pyogrio raises several types for broken shapefiles
        raise CensusError(f"{what} cannot be read as a shapefile ({exc}); replace the file.") from exc
    if "GEOID" not in gdf.columns:
        raise CensusError(f"{what} has no GEOID column; expected a Census boundary file.")
    if gdf.crs is None:
        raise CensusError(f"{what} has no coordinate reference system (.prj missing); expected NAD83 ({CENSUS_CRS}).")
    gdf = gdf.rename(columns=RENAME)
    for col in KEEP:
        if col not in gdf.columns:
            gdf[col] = None
    gdf = gdf[list(KEEP)].copy()
    gdf["name_full"] = gdf["name_full"].fillna(gdf["name"])
    gdf["geoid"] = gdf["geoid"].astype(str)
    # School-district files carry placeholder "Remainder"/"not defined" polygons (LEA code ZZZZZ).
    gdf = gdf[~gdf["geoid"].str.endswith("ZZZZZ")]
    return gdf
