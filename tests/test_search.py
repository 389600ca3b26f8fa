"""Search finds everything: misspellings, same names in two states, places without policy or boundary."""
from __future__ import annotations

import subprocess
import sys

import world
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


def full_table(data):
    from sanctuary_map.search import search_table

    return search_table(data)


def test_a_fuzzy_best_match_is_offered_never_selected(world_data):
    from sanctuary_map.search import answer

    said = answer("Springfeld", full_table(world_data))
    assert said.select == "" and said.hits, "a misspelling is not selected on its own"
    assert said.message.startswith("No exact match for \u201cSpringfeld\u201d; did you mean Springfield, ")
    exact = answer("Springfield, OR", full_table(world_data))
    assert exact.select == "place:4100003" and exact.message == ""


def test_exact_and_prefix_matches_come_before_fuzzy_ones(world_data):
    hits = find("Testville", full_table(world_data))
    firsts = [h for h in hits if h.exact]
    assert firsts and hits[: len(firsts)] == firsts, "every exact or prefix match ranks above every fuzzy one"


def test_a_listed_place_without_a_boundary_says_so_in_words(world_data):
    from sanctuary_map.profile import missing_layers
    from sanctuary_map.search import answer

    said = answer("Paterson NJ", full_table(world_data), missing_layers=lambda s: missing_layers(world_data, s))
    assert said.hits and said.hits[0].name == "Paterson" and not said.hits[0].has_boundary
    assert "Paterson, New Jersey" in said.message and "Justice Department" in said.message
    assert "boundary is not in this server's Census source" in said.message
    nothing = answer("Nowhereville, NJ", full_table(world_data), missing_layers=lambda s: missing_layers(world_data, s))
    assert nothing.select == "" and "no city or town" in nothing.message and "New Jersey" in nothing.message


def test_the_stack_names_the_layers_this_server_lacks(world_data):
    from sanctuary_map.profile import missing_layers, stack
    from sanctuary_map.view import View

    assert missing_layers(world_data, "CA") == []
    lon, lat = world.IN_TESTVILLE
    _entries, note = stack(world_data, lon, lat, View())
    assert "Census source has no" not in note  # California's places and districts are here
    assert missing_layers(world_data, "OR") == ["school district"]  # the fixture has Oregon's places, not its districts
    _entries, note = stack(world_data, -122.0, 43.0, View())
    assert "Census source has no school district boundaries for Oregon" in note
