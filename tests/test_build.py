"""The geodata build and the join, on tiny boundary fixtures built in code (not real Census shapes)."""
from __future__ import annotations


import geopandas as gpd
import pytest

from conftest import square, write_cb_zip
from sanctuary_map.census import CensusError, CensusFile, DirectorySource, open_source, read_layer
from sanctuary_map.geodata import GeodataError, build, load_layers
from sanctuary_map.join import join
from sanctuary_map.policies import validate_text
from test_policies import csv_text, row


@pytest.fixture()
def source_dir(tmp_path):
    d = tmp_path / "census"
    d.mkdir()
    # Fixture shapes: unit squares near Los Angeles, named like Census files.
    write_cb_zip(d, "cb_2021_us_state_5m.zip", [
        {"GEOID": "06", "NAME": "Fixturestate", "STATEFP": "06", "STUSPS": "CA", "ALAND": 1, "AWATER": 0, "geometry": square(-119, 33, 2)},
        {"GEOID": "17", "NAME": "Otherstate", "STATEFP": "17", "STUSPS": "IL", "ALAND": 1, "AWATER": 0, "geometry": square(-90, 40, 2)}])
    write_cb_zip(d, "cb_2021_us_county_5m.zip", [
        {"GEOID": "06037", "NAME": "Fixture County", "STATEFP": "06", "ALAND": 1, "AWATER": 0, "geometry": square(-119, 33, 1)},
        {"GEOID": "06059", "NAME": "Neighbour County", "STATEFP": "06", "ALAND": 1, "AWATER": 0, "geometry": square(-118, 33, 1)}])
    write_cb_zip(d, "cb_2018_06_place_500k.zip", [
        {"GEOID": "0644000", "NAME": "Old vintage", "STATEFP": "06", "ALAND": 1, "AWATER": 0, "geometry": square(-118.5, 33.9)}])
    write_cb_zip(d, "cb_2019_06_place_500k.zip", [
        {"GEOID": "0644000", "NAME": "Fixture City", "STATEFP": "06", "ALAND": 1, "AWATER": 0, "geometry": square(-118.5, 33.9)},
        {"GEOID": "0600001", "NAME": "Unused City", "STATEFP": "06", "ALAND": 1, "AWATER": 0, "geometry": square(-118.0, 33.5)}])
    write_cb_zip(d, "cb_2021_06_unsd_500k.zip", [
        {"GEOID": "0622710", "NAME": "Fixture Unified", "STATEFP": "06", "ALAND": 1, "AWATER": 0, "geometry": square(-118.6, 33.8, 0.3)}])
    return d


def policies_fixture():
    rows = [row(policy_id="city"),
            row(policy_id="district", jurisdiction_level="school_district", geoid_layer="unsd", geoid="0622710"),
            row(policy_id="county", jurisdiction_level="county", geoid_layer="county", geoid="06037"),
            row(policy_id="state", jurisdiction_level="state", geoid_layer="state", geoid="06"),
            row(policy_id="cps", jurisdiction_level="school_district", geoid_layer="unsd", geoid="1709930", state="IL"),
            row(policy_id="ghost", geoid="0699999")]
    return validate_text(csv_text(rows), name="fixture.csv")


def test_build_picks_newest_vintage_reports_missing_and_joins(source_dir, tmp_path):
    out = tmp_path / "geodata"
    table = policies_fixture()
    manifest = build(table, open_source(str(source_dir), out / "cache"), out, log=lambda m: None)
    assert set(manifest["layers"]) == {"state", "county", "place", "unsd"}
    place = manifest["layers"]["place"]
    assert [f["file"] for f in place["files"]] == ["cb_2019_06_place_500k.zip"]  # newest vintage first
    assert place["files"][0]["vintage"] == 2019 and len(place["files"][0]["sha256"]) == 64
    assert manifest["layers"]["state"]["vintages"] == [2021]
    assert manifest["missing"] == [{"layer": "unsd", "scope": "17", "wanted": "cb_*_17_unsd_*.zip", "policy_ids": ["cps"],
                                    "reason": "no cb_*_17_unsd_*.zip file in source"}]
    assert not (out / "cache").exists() or not any((out / "cache").iterdir()), "directory sources are read in place"
    layers = load_layers(out)
    assert set(layers.web["place"]["geoid"]) == {"0644000"}, "web layer keeps only joined places"
    assert len(layers.web["county"]) == 2, "context layers are kept whole"
    full = gpd.read_parquet(out / "place.parquet")
    assert len(full) == 2 and full.crs.to_epsg() == 4326 and "GEOID" not in full.columns
    result = join(table.rows, layers.web, layers.manifest)
    assert set(result.matched["policy_id"]) == {"city", "district", "county", "state"}
    reasons = dict(zip(result.unmatched["policy_id"], result.unmatched["reason"]))
    assert reasons["cps"] == "boundary source not available: no cb_*_17_unsd_*.zip file in source"
    assert "GEOID 0699999 is not in the place layer" in reasons["ghost"]
    assert len(result.matched) + len(result.unmatched) == len(table.rows), "nothing dropped"
    # distances were measured for joined boundaries only
    unsd = layers.web["unsd"].set_index("geoid")
    assert unsd.loc["0622710", "border_km"] > 100 and unsd.loc["0622710", "vintage"] == 2021


def test_truncated_and_wrong_files_give_clear_errors(source_dir, tmp_path):
    bad = source_dir / "cb_2021_06_unsd_500k.zip"
    bad.write_bytes(bad.read_bytes()[:200])
    with pytest.raises(CensusError, match=r"cb_2021_06_unsd_500k.zip .*not a readable zip.*truncated"):
        read_layer(bad, CensusFile.parse(bad.name))
    with pytest.raises(CensusError, match="does not exist"):
        DirectorySource(tmp_path / "nowhere")
    nogeoid = write_cb_zip(tmp_path, "cb_2020_06_elsd_500k.zip", [{"NAME": "x", "geometry": square(0, 0)}])
    with pytest.raises(CensusError, match="no GEOID column"):
        read_layer(nogeoid, CensusFile.parse(nogeoid.name))


def test_website_source_offline_says_what_to_do(tmp_path, monkeypatch):
    import urllib.request

    def refuse(*a, **k):
        raise OSError("network unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    src = open_source(None, tmp_path)
    with pytest.raises(CensusError, match="--source DIR"):
        src.locate("state", "us")


def test_source_setting_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("SANCTUARY_MAP_CENSUS_SOURCE", str(tmp_path))
    assert open_source(None, tmp_path).describe() == f"directory {tmp_path}"
    assert open_source("https://mirror.example/cb/", tmp_path).describe() == "mirror https://mirror.example/cb/"
    monkeypatch.delenv("SANCTUARY_MAP_CENSUS_SOURCE")
    assert open_source(None, tmp_path).describe().startswith("Census website")


def test_broken_built_layer_is_reported_and_others_load(source_dir, tmp_path):
    out = tmp_path / "geodata"
    build(policies_fixture(), open_source(str(source_dir), out / "cache"), out, log=lambda m: None)
    (out / "place.web.parquet").write_bytes(b"PAR1 truncated")
    (out / "unsd.web.parquet").unlink()
    layers = load_layers(out)
    assert "truncated" in layers.errors["place"] and "python -m sanctuary_map geodata build" in layers.errors["place"]
    assert "missing" in layers.errors["unsd"]
    assert {"state", "county"} <= set(layers.web)
    result = join(policies_fixture().rows, layers.web, {**layers.manifest, "_load_errors": layers.errors})
    assert "place layer failed to load" in dict(zip(result.unmatched.policy_id, result.unmatched.reason))["city"]
    (out / "manifest.json").unlink()
    with pytest.raises(GeodataError, match="has not been built"):
        load_layers(out)


def test_wrong_crs_layer_is_refused(source_dir, tmp_path):
    out = tmp_path / "geodata"
    build(policies_fixture(), open_source(str(source_dir), out / "cache"), out, log=lambda m: None)
    g = gpd.read_parquet(out / "county.web.parquet").to_crs(3857)
    g.to_parquet(out / "county.web.parquet")
    assert "expected EPSG:4326" in load_layers(out).errors["county"]
