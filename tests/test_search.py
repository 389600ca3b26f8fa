"""Search finds everything: misspellings, same names in two states, places without policy or boundary."""
from __future__ import annotations

import subprocess
import sys

from conftest import world_args
from sanctuary_map.search import candidates, find, normalise, split_state


def table(data):
    return candidates(data.boundaries.index, data.policies)


def test_misspelling_finds_the_place(world_data):
    hits = find("Testvile Unifed", table(world_data))
    assert hits[0].key == "unsd:0600010"


def test_same_name_in_two_states_is_disambiguated(world_data):
    t = table(world_data)
    both = {h.key for h in find("Springfield", t)}
    assert {"place:0600003", "place:4100003"} <= both
    assert [h.key for h in find("Springfield, OR", t)][0] == "place:4100003"
    assert [h.key for h in find("Springfield Oregon", t)][0] == "place:4100003"
    assert split_state("Portland, ME") == ("Portland", "ME")


def test_places_without_policy_and_rows_without_boundary_are_answers(world_data):
    t = table(world_data)
    quiet = find("Springfield, CA", t)[0]
    assert quiet.key == "place:0600003" and quiet.records == 0 and "no policy recorded" in quiet.label()
    lone = find("Lone Star City", t)[0]
    assert not lone.has_boundary and lone.records == 1 and "no boundary" in lone.label()


def test_level_is_shown_and_whole_country_is_not_a_match(world_data):
    hits = find("Alpha", table(world_data))
    assert hits[0].key == "county:06001" and hits[0].level == "County"
    assert find("", table(world_data)) == []
    assert normalise("City of St. Louis") == "st louis"


def test_find_command(world_dir, world_geodata):
    r = subprocess.run([sys.executable, "-m", "sanctuary_map", "find", "Tstville", *world_args(world_dir, world_geodata)],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "place:0600001" in r.stdout.splitlines()[0]


def test_287g_agencies_are_found_by_name_and_lead_to_their_area(world_data):
    t = candidates(world_data.boundaries.index, world_data.policies, world_data.agreements.rows)
    hit = find("Gamma County Sherif", t)[0]
    assert hit.key == "county:06005" and hit.level.startswith("287(g) agency")
