"""Shared fixtures.  Boundary fixtures for unit tests are built in code (tiny squares), never real data."""
from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from sanctuary_map import _paths

ROOT = _paths.ROOT
MIRROR = _paths.DEV_CENSUS_MIRROR


def write_cb_zip(directory: Path, name: str, records: list[dict], crs: str = "EPSG:4269") -> Path:
    """A Census-style CB zip (shapefile members named after the zip) holding ``records``."""
    stem = name[:-4]
    tmp = directory / f"_{stem}"
    tmp.mkdir(parents=True, exist_ok=True)
    gpd.GeoDataFrame(records, crs=crs).to_file(tmp / f"{stem}.shp")
    out = directory / name
    with zipfile.ZipFile(out, "w") as z:
        for member in tmp.iterdir():
            z.write(member, member.name)
    return out


def square(x: float, y: float, size: float = 0.1):
    return box(x, y, x + size, y + size)


@pytest.fixture(scope="session")
def real_geodata(tmp_path_factory) -> Path:
    """The project's built geodata (make geodata); built from the development mirror into a temp dir if absent."""
    if (_paths.GEODATA_DIR / "manifest.json").exists():
        return _paths.GEODATA_DIR
    if not MIRROR.exists():
        pytest.skip("no built geodata and no ../shared/census mirror to build it from")
    from sanctuary_map.census import open_source
    from sanctuary_map.geodata import build
    from sanctuary_map.policies import load_policies

    out = tmp_path_factory.mktemp("geodata")
    build(load_policies(), open_source(str(MIRROR), out / "cache"), out, log=lambda m: None)
    return out


@pytest.fixture(scope="session")
def real_layers(real_geodata):
    from sanctuary_map.geodata import load_layers

    return load_layers(real_geodata)


@pytest.fixture(scope="session")
def map_data(real_layers):
    from sanctuary_map.join import join
    from sanctuary_map.mapping import MapData
    from sanctuary_map.policies import load_policies

    table = load_policies()
    joined = join(table.rows, real_layers.web, real_layers.manifest)
    return MapData(real_layers, joined.matched)
