"""Shared fixtures: the fixture world (built in code) and its built boundary index; hermetic settings."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import pytest

from sanctuary_map import settings as paths
from sanctuary_map.devserver import streamlit_app

ROOT = paths.ROOT
MIRROR = paths.DEV_CENSUS_MIRROR
sys.path.insert(0, str(Path(__file__).parent))

import world  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _hermetic_settings():
    """Tests never depend on SANCTUARY_MAP_* settings of the shell that runs them."""
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("SANCTUARY_MAP_")}
    yield
    os.environ.update(saved)


@pytest.fixture(scope="session")
def world_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("world")
    world.write_census(root / "census")
    world.write_tables(root)
    return root


@pytest.fixture(scope="session")
def world_geodata(world_dir) -> Path:
    """The fixture world's boundary index, built by the real build (tiles included)."""
    from sanctuary_map.boundaries import active_dir, build
    from sanctuary_map.census import open_source

    out = world_dir / "geodata"
    if not (active_dir(out) / "manifest.json").exists():
        build(open_source(str(world_dir / "census"), out / "cache"), out, log=lambda m: None)
    return out


@pytest.fixture(scope="session")
def world_data(world_dir, world_geodata):
    from sanctuary_map.data import load_map_data

    return load_map_data(world_dir / "policies.csv", world_geodata, data_dir=world_dir / "data")


@pytest.fixture()
def world_env(monkeypatch, world_dir, world_geodata):
    """Point the app at the fixture world (for AppTest and command-line runs)."""
    monkeypatch.setenv("SANCTUARY_MAP_POLICIES", str(world_dir / "policies.csv"))
    monkeypatch.setenv("SANCTUARY_MAP_GEODATA", str(world_geodata))
    monkeypatch.setenv("SANCTUARY_MAP_DATA", str(world_dir / "data"))
    monkeypatch.setenv("SANCTUARY_MAP_BASEMAP", "none")
    return world_dir


def world_args(world_dir: Path, world_geodata: Path) -> list[str]:
    return ["--policies", str(world_dir / "policies.csv"), "--geodata", str(world_geodata), "--data", str(world_dir / "data")]


@contextlib.contextmanager
def streamlit_server(world_dir: Path, geodata: Path, log: Path):
    """A real `streamlit run app.py` on a free loopback port, on the fixture world (offline basemap, no public URL),
    health-polled (no fixed sleep); yields its base URL and stops it afterwards."""
    env = {"SANCTUARY_MAP_BASEMAP": "none", "SANCTUARY_MAP_POLICIES": str(world_dir / "policies.csv"),
           "SANCTUARY_MAP_GEODATA": str(geodata), "SANCTUARY_MAP_DATA": str(world_dir / "data")}
    with log.open("w") as fh, streamlit_app(env, fh, timeout=60) as server:
        yield server.url
