"""Border distances against a brute-force geodesic reference, on real built layers."""
from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import pytest
from shapely.geometry import box

from sanctuary_map import border

CASES = [("unsd", "0622710"), ("place", "0644000"), ("place", "0669000"), ("county", "06075"), ("unsd", "4110040")]


@pytest.fixture(scope="module")
def line():
    return border.border_line()


def test_border_is_the_land_boundary(line):
    minx, miny, maxx, maxy = line.bounds
    assert -117.2 < minx < -117.0 and -97.3 < maxx < -97.0  # Pacific (Tijuana) to the Gulf (Brownsville)
    assert 25.5 < miny < 26.2 and 32.5 < maxy < 32.8
    length = border.GEOD.geometry_length(line) / 1000
    # The surveyed border is ~3,140 km; Natural Earth 1:10m straightens Rio Grande meanders (~2,645 km).
    assert 2500 < length < 3300


@pytest.mark.parametrize("layer,geoid", CASES)
def test_distance_matches_brute_force(real_geodata, line, layer, geoid):
    full = gpd.read_parquet(real_geodata / f"{layer}.parquet")
    row = full[full["geoid"] == geoid].iloc[0]
    ref = border.brute_force_km(row.geometry, line)
    assert row["border_km"] == pytest.approx(ref, rel=0.005)
    assert row["border_miles"] == pytest.approx(row["border_km"] / 1.609344, abs=0.001)


def test_lausd_whole_vs_mainland(real_geodata):
    full = gpd.read_parquet(real_geodata / "unsd.parquet").set_index("geoid")
    lausd = full.loc["0622710"]
    assert lausd["parts"] >= 2 and not lausd["nearest_part_is_mainland"]  # San Clemente Island is nearest
    assert lausd["border_km"] < lausd["mainland_km"]
    assert 100 < lausd["mainland_miles"] < 110  # the San Pedro tip, ~106 mi in the research notes


def test_states_on_the_border_touch_it(real_geodata):
    states = gpd.read_parquet(real_geodata / "state.parquet").set_index("geoid")
    assert states.loc["06", "border_km"] == 0 and states.loc["06", "zone"] == "partly inside"
    assert states.loc["17", "border_km"] > 1000


def test_touching_polygon_is_zero_and_zone_flags(line):
    x, y = line.coords[0]
    touching = box(x - 0.05, y - 0.05, x + 0.05, y + 0.05)  # straddles the line
    assert touching.intersects(line)
    assert border.measure(touching, line, "06").km == 0
    zone = border.border_zone(line)
    assert border.zone_flag(touching, zone) == "inside"
    far = box(-90, 45, -89.9, 45.1)
    assert border.zone_flag(far, zone) == "outside"


def test_distance_cli(real_geodata):
    args = [sys.executable, "-m", "sanctuary_map", "distance", "--geodata", str(real_geodata)]
    r = subprocess.run([*args, "--geoid", "0622710", "--layer", "unsd"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert {"name", "km", "miles", "mainland_km", "mainland_miles", "nearest_points", "method", "border_source", "vintage"} <= set(d)
    assert d["name"] == "Los Angeles Unified School District" and d["vintage"] == 2021
    assert len(d["nearest_points"]) == 2 and all(len(p) == 2 for p in d["nearest_points"])
    for bad in (["--geoid", "0000000", "--layer", "unsd"], ["--geoid", "0622710", "--layer", "tract"]):
        r = subprocess.run([*args, *bad], capture_output=True, text=True)
        assert r.returncode == 1 and r.stderr.startswith("error: ")
