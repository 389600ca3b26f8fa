"""`release`: a GeoPackage GDAL opens, the tables, a datapackage.json whose resources exist with matching hashes."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from conftest import world_args
from sanctuary_map import release
from sanctuary_map.cli import main


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def bundle(world_data, tmp_path_factory) -> tuple[Path, release.Release]:
    out = tmp_path_factory.mktemp("release") / "bundle"
    return out, release.write_release(world_data, out)


def test_geopackage_opens_with_gdal_and_has_the_layers(bundle, world_data):
    out, rel = bundle
    layers = dict(pyogrio.list_layers(out / release.GPKG))
    assert len(layers) >= 3
    assert {"jurisdictions", "instruments", "agreements_287g", "federal_listings", "events", "zones", "unplaced"} <= set(layers)
    assert layers["unplaced"] is None  # a plain table
    assert layers["events"] == "Point" and layers["zones"] == "MultiPolygon"
    inst = pyogrio.read_dataframe(out / release.GPKG, layer="instruments")
    assert sorted(inst["policy_id"]) == sorted(world_data.joined.matched["policy_id"])
    assert inst.crs.to_epsg() == 4326 and inst.geometry.notna().all() and inst.geometry.is_valid.all()
    # the direction in force on the release day, from the same selection as the map
    j = pyogrio.read_dataframe(out / release.GPKG, layer="jurisdictions").set_index("key")
    assert j.loc["place:0600001", "instruments"] == (world_data.matched["geoid"] == "0600001").sum()
    assert set(j["stance_in_force"]) <= {"", "limits_cooperation", "requires_cooperation", "mixed"}
    for name, count in rel.layers.items():
        assert pyogrio.read_info(out / release.GPKG, layer=name)["features"] == count


def test_rows_without_a_boundary_are_a_plain_table_and_counted_in_the_readme(bundle, world_data):
    out, rel = bundle
    unplaced = pd.read_csv(out / "csv" / "unplaced.csv", dtype=str, keep_default_na=False)
    assert "tx-no-boundary" in set(unplaced.loc[unplaced["table"] == "policies", "id"])
    assert (unplaced["reason"] != "").all()
    assert rel.unplaced["policies"] == len(world_data.joined.unmatched)
    readme = (out / release.README).read_text()
    assert f"| `policies` | {len(world_data.joined.unmatched)} of {len(world_data.policies)} |" in readme
    assert rel.version in readme and world_data.version == rel.version


def test_datapackage_resources_exist_with_matching_checksums(bundle):
    out, rel = bundle
    package = json.loads((out / release.DATAPACKAGE).read_text())
    assert package["version"] == rel.version and package["resources"]
    paths = set()
    for res in package["resources"]:
        path = out / res["path"]
        assert path.exists(), res["path"]
        assert res["hash"] == f"sha256:{sha256(path)}" and res["bytes"] == path.stat().st_size
        assert res["sources"], res["name"]
        paths.add(res["path"])
        if res["type"] == "table":
            assert all(f["type"] in ("string", "integer", "number", "boolean", "date") for f in res["schema"]["fields"])
    assert {"csv/policies.csv", "parquet/policies.parquet", "csv/287g_agreements.csv", "csv/events.csv", release.GPKG} <= paths
    policies = next(r for r in package["resources"] if r["name"] == "policies")
    stance = next(f for f in policies["schema"]["fields"] if f["name"] == "stance")
    assert stance["constraints"]["enum"] == ["limits_cooperation", "requires_cooperation", "mixed"] and stance["description"]
    ag = next(r for r in package["resources"] if r["name"] == "287g-agreements")
    assert {lic["name"] for lic in ag["licenses"]} == {"other-pd", "CC-BY-4.0"}
    # SHA256SUMS covers every other file, in sha256sum's format
    sums = dict(reversed(line.split("  ", 1)) for line in (out / release.CHECKSUMS).read_text().splitlines())
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {release.CHECKSUMS}
    assert set(sums) == files
    assert all(sums[f] == sha256(out / f) for f in files)


def test_frictionless_validates_the_package_and_catches_a_changed_file(bundle, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    out, _ = bundle
    report = frictionless.Package(str(out / release.DATAPACKAGE)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    with (copy / release.GPKG).open("ab") as fh:  # a file resource: only its size and hash can tell
        fh.write(b"\0")
    bad = frictionless.Package(str(copy / release.DATAPACKAGE)).validate()
    assert not bad.valid
    assert [t.name for t in bad.tasks if not t.valid] == ["geopackage"]


def test_cli_release_and_refusal_of_a_foreign_folder(world_dir, world_geodata, tmp_path, capsys):
    out = tmp_path / "rel"
    assert main(["release", "--out", str(out), *world_args(world_dir, world_geodata)]) == 0
    assert "GeoPackage layers" in capsys.readouterr().out
    first = (out / release.CHECKSUMS).read_text()
    assert main(["release", "--out", str(out), *world_args(world_dir, world_geodata)]) == 0  # an earlier release is replaced
    assert (out / release.CHECKSUMS).read_text() == first  # same data, same day: same bytes
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no partial folders left
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    assert main(["release", "--out", str(foreign), *world_args(world_dir, world_geodata)]) == 1
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]


def test_without_boundaries_the_release_is_refused_and_nothing_is_written(world_dir, tmp_path, capsys):
    out = tmp_path / "rel"
    args = ["--policies", str(world_dir / "policies.csv"), "--geodata", str(tmp_path / "no-geodata"), "--data",
            str(world_dir / "data")]
    assert main(["release", "--out", str(out), *args]) == 1
    assert "geodata build" in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.iterdir())
