"""What applies here and profiles: the whole stack, unincorporated areas, elementary + secondary districts."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import world
from conftest import world_args
from sanctuary_map import i18n
from sanctuary_map.profile import compare_table, profile, stack
from sanctuary_map.view import View


def test_stack_lists_every_level_with_its_instruments(world_data):
    entries, note = stack(world_data, *world.IN_TESTVILLE, View())
    assert [e.key for e in entries] == ["state:06", "county:06001", "place:0600001", "unsd:0600010"]
    by_key = {e.key: e for e in entries}
    assert [i.policy_id for i in by_key["place:0600001"].instruments] == ["testville-res", "testville-ord"]
    assert by_key["county:06001"].stances == {"requires_cooperation"}
    assert by_key["county:06001"].listings and by_key["county:06001"].agreements
    assert "limit" in note.lower() or "requir" in note.lower()


def test_unincorporated_point(world_data):
    entries, _ = stack(world_data, *world.UNINCORPORATED, View())
    names = [e.name for e in entries]
    assert "Unincorporated area" in names
    assert [e.key for e in entries if e.key] == ["state:06", "county:06003", "scsd:0600030"]


def test_elementary_and_secondary_districts(world_data):
    entries, _ = stack(world_data, *world.ELEMENTARY_AND_SECONDARY, View())
    assert {"elsd:0600020", "scsd:0600030"} <= {e.key for e in entries}


def test_as_of_changes_the_stack(world_data):
    before = stack(world_data, *world.IN_TESTVILLE, View(as_of="2016-01-01"))[0]
    place = next(e for e in before if e.layer == "place")
    assert place.instruments == []


def test_profile_json_has_the_promised_parts(world_dir, world_geodata):
    r = subprocess.run([sys.executable, "-m", "sanctuary_map", "profile", "--geoid", "0600010", "--layer", "unsd", "--json",
                        *world_args(world_dir, world_geodata)], capture_output=True, text=True, check=True)
    p = json.loads(r.stdout)
    assert p["key"] == "unsd:0600010" and p["instruments"][0]["policy_id"] == "tusd-res"
    assert "outlying part" in p["distance"] and "mainland" in p["distance"]
    assert {o["key"] for o in p["overlapping"]} >= {"state:06", "county:06001", "place:0600001"}
    assert p["timeline"] and p["dataset_version"] and p["as_of"]


def test_profile_of_a_row_without_boundary(world_data):
    p = profile(world_data, "place", "4835000", View())
    assert p["name"] == "Lone Star City" and "not in this server" in p["note"]
    assert profile(world_data, "place", "9999999", View()) is None


def test_compare(world_data):
    t = compare_table(world_data, ["place:0600001", "county:06001"], View())
    assert list(t.columns) == ["Testville (CA)", "Alpha County (CA)"]
    assert t.loc["Direction", "Alpha County (CA)"] == "Requires cooperation"
    assert t.loc["Federal listings", "Alpha County (CA)"] == "Justice Department list (2025-08-05)", "a name, not a code"
    with i18n.using("es"):
        es = compare_table(world_data, ["place:0600001", "county:06001"], View(lang="es"))
    assert "Departamento de Justicia" in es.loc["Inclusiones en listas federales", "Alpha County (CA)"]


def test_typed_coordinates_and_offline_addresses_give_clear_answers(monkeypatch):
    import urllib.request

    from sanctuary_map.geocode import GeocodeError, locate

    assert locate("34.0537, -118.2428") == (-118.2428, 34.0537)
    assert locate(" 34.0537 -118.2428 ") == (-118.2428, 34.0537)
    with pytest.raises(GeocodeError, match="out of range"):
        locate("123, 456")

    def offline(*a, **k):
        raise OSError("network unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(GeocodeError, match="cannot be reached"):
        locate("200 N Spring St, Los Angeles, CA")


def test_summary_agrees_in_number(world_data):
    """'1 that limits cooperation' but '2 that limit cooperation' — what a reader sees at the top of a profile."""
    from sanctuary_map.profile import summarise

    entries, _ = stack(world_data, *world.IN_TESTVILLE, View())
    by_key = {e.key: e for e in entries}
    place, district = by_key["place:0600001"], by_key["unsd:0600010"]
    assert "2 instruments in force: 2 that limit cooperation." in summarise(place)
    assert "1 instrument in force: 1 that limits cooperation." in summarise(district)


# ---------------------------------------------------------------------------- the law that binds a jurisdiction
def _ids(instruments) -> list[str]:
    return [i.policy_id if hasattr(i, "policy_id") else i["policy_id"] for i in instruments]


def _binding(level: str, geoid: str, layer: str = "state") -> list[str]:
    """Fixture rows in force today that bind ``level`` and belong to (layer, geoid), in adoption order."""
    from sanctuary_map.policies import binds_levels

    rows = [p for p in world.POLICIES if p["geoid_layer"] == layer and p["geoid"] == geoid and p["status"] == "in_effect"
            and level in binds_levels(p["binds_levels"], p["jurisdiction_level"])]
    return [p["policy_id"] for p in sorted(rows, key=lambda p: p["date_adopted"])]


def test_stack_lists_the_state_and_county_law_that_applies(world_data):
    entries, _ = stack(world_data, *world.IN_TESTVILLE, View())
    by_key = {e.key: e for e in entries}
    assert by_key["state:06"].applies == []  # the state's own instruments are its own, not "applied"
    place, district, county = by_key["place:0600001"], by_key["unsd:0600010"], by_key["county:06001"]
    # The city: state law binding cities, then Alpha County's measure that binds the cities in it.
    assert _ids(place.applies) == _binding("place", "06") + _binding("place", "06001", "county")
    assert {i.applies_as for i in place.applies} == {"state law that applies here", "county law that applies here"}
    assert "state-schools-law" not in _ids(place.applies)
    # The district: the law addressed to schools first, then the state law binding the police who serve it.
    assert _ids(district.applies)[: len(_binding("school_district", "06"))] == _binding("school_district", "06")
    assert set(_ids(district.applies)) == set(_binding("school_district", "06")) | set(_binding("place", "06"))
    assert "alpha-requires" not in _ids(district.applies)  # binds cities, not districts
    assert _ids(county.applies) == _binding("county", "06")
    assert all(i.applies_from == "Calfornia Test" for i in district.applies)


def test_district_profile_names_the_state_law_that_applies(world_data):
    p = profile(world_data, "unsd", "0600010", View())
    assert _ids(p["applies_here"])[0] == "state-schools-law"
    assert p["applies_here"][0]["applies_as"] == "state law that applies here"
    assert "school districts" in p["applies_here"][0]["binds"]
    assert "State law that applies here (Calfornia Test): State safe schools act" in p["summary"]
    assert [i["policy_id"] for i in p["instruments"]] == ["tusd-res"]  # its own instruments stay apart


def test_state_law_that_applies_follows_the_as_of_date(world_data):
    before = profile(world_data, "unsd", "0600010", View(as_of="2018-01-01"))
    assert "state-schools-law" not in _ids(before["applies_here"]) and "state-law" in _ids(before["applies_here"])


def test_compare_lists_the_state_and_county_law_that_applies(world_data):
    t = compare_table(world_data, ["place:0600001", "unsd:0600010"], View())
    assert "State safe schools act" in t.loc["State law that applies here", "Testville Unified School District (CA)"]
    assert "State safe schools act" not in t.loc["State law that applies here", "Testville (CA)"]
    assert "Alpha County detainer resolution" in t.loc["County law that applies here", "Testville (CA)"]
