"""The boundary-index build on the fixture world: every layer, both file kinds, distances, zones, tiles, reasons."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

import world
from sanctuary_map import tiles
from sanctuary_map.boundaries import GeodataError, active_dir, load_boundaries
from sanctuary_map.census import CensusError, CensusFile, DirectorySource, read_layer
from sanctuary_map.distances import border_line, crs_for, measure

GEOD = Geod(ellps="WGS84")


def brute_force_km(geom, border, step_km: float = 0.5) -> float:
    """Reference distance: geodesic minimum over densified vertices of both shapes (slow; tests only)."""
    deg = step_km / 111.0
    poly = np.asarray(shapely.get_coordinates(shapely.segmentize(geom.boundary, deg)))
    line = np.asarray(shapely.get_coordinates(shapely.segmentize(border, deg)))
    # Pre-filter on an equirectangular approximation, then exact geodesics on the closest candidates.
    lat0 = np.radians(poly[:, 1].mean())
    d = np.hypot((poly[:, None, 0] - line[None, :, 0]) * np.cos(lat0), poly[:, None, 1] - line[None, :, 1])
    flat = np.argsort(d, axis=None)[:50]
    i, j = np.unravel_index(flat, d.shape)
    _, _, m = GEOD.inv(poly[i, 0], poly[i, 1], line[j, 0], line[j, 1])
    return float(np.min(m) / 1000.0)


def test_index_holds_every_boundary_of_every_file(world_geodata):
    b = load_boundaries(world_geodata)
    expected = {"state": world.STATES, "county": world.COUNTIES, "place": world.PLACES_06 + world.PLACES_41,
                "unsd": world.UNSD, "elsd": world.ELSD, "scsd": world.SCSD}
    for layer, records in expected.items():
        got = set(b.index.loc[b.index["layer"] == layer, "geoid"])
        assert got == {r["GEOID"] for r in records}, layer
    # The build does not depend on any policy table: a place no row names is in the index.
    assert b.lookup("place", "0600002")["name"] == "Sample City"
    kinds = {f["file"]: f["kind"] for layer in b.manifest["layers"].values() for f in layer["files"]}
    assert kinds["tl_2019_06_elsd.zip"] == "tl" and kinds["cb_2019_06_place_500k.zip"] == "cb"
    vintages = {layer: v["vintages"] for layer, v in b.manifest["layers"].items()}
    assert vintages["place"] == [2018, 2019] and vintages["elsd"] == [2019]


def test_missing_state_files_are_listed_not_guessed(world_geodata):
    m = json.loads((active_dir(world_geodata) / "manifest.json").read_text())
    missing = {(x["layer"], x["state"]) for x in m["missing"]}
    assert ("place", "TX") in missing and ("place", "CA") not in missing and ("unsd", "OR") in missing


def test_distances_match_a_brute_force_geodesic(world_geodata):
    b = load_boundaries(world_geodata)
    border = border_line()
    for layer, geoid in (("place", "0600001"), ("county", "06003"), ("unsd", "0600010")):
        row = b.lookup(layer, geoid)
        ref = brute_force_km(b.geometry(layer, geoid), border)
        assert row["border_km"] == pytest.approx(ref, rel=0.005), (layer, geoid)


def test_island_is_nearer_than_the_mainland_and_both_are_recorded(world_geodata):
    row = load_boundaries(world_geodata).lookup("unsd", "0600010")
    assert row["parts"] == 2 and not row["nearest_part_is_mainland"]
    assert row["border_km"] < row["mainland_km"]
    (a, bpt) = json.loads(row["nearest_points"])
    assert a[1] < 32.8  # measured from the island


def test_zones_and_county_overlaps(world_geodata):
    b = load_boundaries(world_geodata)
    near, far = b.lookup("county", "06005"), b.lookup("county", "41001")
    assert near["zone_mexico"] in ("inside", "partly inside") and far["zone_mexico"] == "outside"
    # Every fixture boundary touches the state outline's edge within 100 miles, except inland Oregon parts.
    assert b.lookup("place", "0600001")["zone_all"] == "inside"
    assert b.lookup("place", "0600001")["counties"] == "06001"
    assert set(b.lookup("scsd", "0600030")["counties"].split(",")) == {"06003"}


def test_point_stack_is_top_to_bottom(world_geodata):
    b = load_boundaries(world_geodata)
    keys = [f"{r.layer}:{r.geoid}" for r in b.containing(*world.IN_TESTVILLE).itertuples()]
    assert keys == ["state:06", "county:06001", "place:0600001", "unsd:0600010"]
    keys = [f"{r.layer}:{r.geoid}" for r in b.containing(*world.ELEMENTARY_AND_SECONDARY).itertuples()]
    assert keys == ["state:06", "county:06003", "place:0600002", "elsd:0600020", "scsd:0600030"]


def test_one_archive_holds_every_layer_and_subsets_stay_small(world_geodata):
    """Every layer's tiles are joined into one archive: a tile holds each layer drawn at its zoom, decodable as one
    vector tile (the browser fetches one header, one directory and one file per tile position)."""
    import gzip

    from mapbox_vector_tile import decode
    from pmtiles.reader import MemorySource, MmapSource, Reader

    archive = active_dir(world_geodata) / tiles.TILE_DIR / tiles.ARCHIVE
    assert sorted(p.name for p in archive.parent.iterdir()) == [tiles.ARCHIVE], "no per-layer parts left behind"
    assert set(tiles.layers_in(archive)) == {"state", "county", "place", "unsd", "elsd", "scsd"}
    with archive.open("rb") as fh:
        reader = Reader(MmapSource(fh))
        header = reader.header()
        assert (header["min_zoom"], header["max_zoom"]) == (0, tiles.MAX_ZOOM)
        x0, y0, _, _ = tiles.tile_range((-117.9, 33.8, -117.9, 33.8), 9)  # Testville, in every layer
        tile = decode(gzip.decompress(reader.get(9, x0, y0)))
        assert {"state", "county", "place", "unsd"} <= set(tile), sorted(tile)
        assert any(f["properties"]["g"] == "0600001" for f in tile["place"]["features"])
        x0, y0, _, _ = tiles.tile_range((-117.9, 33.8, -117.9, 33.8), 3)  # above the cities' first zoom
        assert set(decode(gzip.decompress(reader.get(3, x0, y0)))) == {"state", "county"}
    box = (-117.95, 33.55, -117.55, 33.95)
    sub = tiles.subset_boxes(archive, {9: box})
    assert sub and len(sub) < archive.stat().st_size
    x0, y0, x1, y1 = tiles.tile_range(box, 9)
    reader = Reader(MemorySource(sub))
    assert reader.get(9, x0, y0) is not None and reader.header()["min_zoom"] == 9


def test_unreadable_files_give_messages(tmp_path, world_geodata):
    bad = tmp_path / "cb_2021_us_state_5m.zip"
    bad.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(CensusError, match="not a readable zip"):
        read_layer(bad, CensusFile.parse(bad.name))
    with pytest.raises(CensusError, match="does not exist"):
        DirectorySource(tmp_path / "nowhere")
    with pytest.raises(GeodataError, match="geodata build"):
        load_boundaries(tmp_path)
    assert CensusFile.parse("tl_2019_17_unsd.zip").kind == "tl" and CensusFile.parse("cb_2019_06_place.zip") is None


def test_reference_points_use_their_own_state_crs():
    assert crs_for("06") == "EPSG:3310" and crs_for("48") == "EPSG:5070" and crs_for("02") == "EPSG:3338"
    border = border_line()
    # A point in Texas measured with its own projection agrees with the brute-force geodesic.
    pt = shapely.Point(-98.0, 29.4)
    d = measure(pt.buffer(0.001), border, "48")
    assert d.km == pytest.approx(brute_force_km(pt.buffer(0.001), border), rel=0.01)


def test_zone_cache_is_keyed_by_content_not_identity():
    from sanctuary_map.distances import mexico_zone

    a = shapely.LineString([(-117.0, 32.5), (-116.0, 32.5)])
    za = mexico_zone(a)
    del a  # Python may reuse the id for the next object
    b = shapely.LineString([(-100.0, 28.0), (-99.0, 27.0)])
    zb = mexico_zone(b)
    assert not za.equals(zb) and zb.contains(shapely.Point(-99.5, 27.5)) and not za.contains(shapely.Point(-99.5, 27.5))


def test_real_mirror_lausd_distance_when_available(tmp_path):
    """With the development mirror present: LAUSD's whole / mainland distances vs brute force (skipped elsewhere)."""
    from sanctuary_map.settings import DEV_CENSUS_MIRROR

    path = DEV_CENSUS_MIRROR / "cb_2021_06_unsd_500k.zip"
    if not path.exists():
        pytest.skip("no Census mirror here")
    gdf = read_layer(path, CensusFile.parse(path.name)).to_crs(4326)
    geom = gdf.loc[gdf["geoid"] == "0622710", "geometry"].iloc[0]
    border = border_line()
    d = measure(geom, border, "06")
    assert d.km == pytest.approx(brute_force_km(geom, border), rel=0.005)
    largest = max(geom.geoms, key=lambda p: gpd.GeoSeries([p], crs=4326).to_crs(3310).area.iloc[0])
    assert d.mainland_km == pytest.approx(brute_force_km(largest, border), rel=0.005)
    assert not d.nearest_part_is_mainland


def test_index_frame_has_documented_columns(world_geodata):
    from sanctuary_map.boundaries import INDEX_COLUMNS

    idx = pd.read_parquet(active_dir(world_geodata) / "index.parquet")
    assert list(idx.columns) == list(INDEX_COLUMNS)


def test_every_built_geometry_is_wgs84(world_geodata):
    for layer in ("state", "county", "place", "unsd", "elsd", "scsd"):
        assert gpd.read_parquet(active_dir(world_geodata) / "full" / f"{layer}.parquet").crs.to_epsg() == 4326, layer
    for name in ("border.geojson", "zone_mexico.geojson", "zone_all.geojson"):
        assert gpd.read_file(active_dir(world_geodata) / name).crs.to_epsg() == 4326, name
