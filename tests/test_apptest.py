"""Every page in-process with Streamlit's AppTest, on the fixture world: no exception, filters and links work."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

import world
from conftest import ROOT

TIMEOUT = 120
PAGES = ["app.py", "pages/1_Policies.py", "pages/2_Border_distance.py", "pages/3_About.py", "pages/4_Your_data.py",
         "pages/5_Place.py", "pages/6_What_changed.py", "pages/7_Agreements_and_lists.py"]


@pytest.fixture(autouse=True)
def _world(world_env):
    yield


def run(path: str, query: dict | None = None) -> AppTest:
    """Run a page as the app runs it: from the entry point, switched to the page."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if path != "app.py":
        at.switch_page(path)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def map_payload(at: AppTest) -> dict:
    """What the living map received in this run (the components-v2 element's JSON data)."""
    comps = [c for c in at.get("bidi_component") if c.proto.component_name == "sanctuary_map.living_map"]
    assert len(comps) == 1
    return json.loads(comps[0].proto.json)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_runs(path):
    at = run(path)
    assert at.title or at.markdown


def test_map_page_sends_lookups_not_geometry_and_follows_filters():
    at = run("app.py")
    payload = map_payload(at)
    raw = json.dumps(payload)
    assert len(raw.encode()) < 100_000, "per render: lookups and addresses only"
    assert "coordinates" not in raw, "no geometry in a render"
    assert all(u.startswith("/app/static/") for u in payload["assets"]["js"] + payload["assets"]["css"])
    assert payload["config"]["lookup"]["place"]["0600001"] == "L"
    at.sidebar.multiselect[0].set_value(["requires_cooperation"]).run()
    assert not at.exception
    assert "0600001" not in map_payload(at)["config"]["lookup"].get("place", {})
    assert at.query_params["stance"] in ("requires_cooperation", ["requires_cooperation"])


def test_the_map_gets_the_words_to_answer_a_filter_click_at_once_and_the_link_of_its_view():
    at = run("app.py", {"lang": "es", "stance": "limits_cooperation"})
    words = map_payload(at)["filters"]
    assert words["url"] == "/api/v1/map" and words["query"]["stance"] in ("limits_cooperation", ["limits_cooperation"])
    assert words["query"]["lang"] == "es" and words["query"]["focus"] == map_payload(at)["focus"]["key"]
    # The answer must come from the same tables and boundary build (the API's X-Data-Build header), else it is not painted.
    from sanctuary_map.api import data_version, shipped_data

    assert words["build"] == data_version(shipped_data()) and len(words["build"]) > len(shipped_data().version)
    # Each filter widget by its key, with its URL parameter and the labels it shows (here in Spanish).
    direction = words["widgets"]["f_stances"]
    assert direction["param"] == "stance" and not direction["invert"]
    assert direction["labels"]["Limita la cooperación"] == "limits_cooperation"
    labels = {w: set(words["widgets"][w]["labels"]) for w in words["widgets"]}
    shown = {m.key: set(m.options) for m in at.sidebar.multiselect if m.key in words["widgets"]}
    assert shown and all(shown[k] == labels[k] for k in shown), "the labels the widgets show, exactly"
    assert words["widgets"]["f_layers"]["invert"] and words["widgets"]["f_layers"]["param"] == "hide"
    # An embed has no sidebar; an embed's map gets none.
    assert map_payload(run("app.py", {"mode": "embed"}))["filters"] is None


def test_hostile_and_out_of_range_links_show_a_notice_and_the_nearest_view():
    for query in ({"from": "1900"}, {"to": "2099"}, {"from": "1980"}, {"as_of": "3000-01-01"}, {"focus": "<script>"},
                  {"type": "nope"}, {"j": "x:y"}):
        at = run("app.py", query)
        assert not at.exception
    at = run("app.py", {"to": "2099", "type": ["statute", "bogus"]})
    texts = " ".join(i.value for i in at.info)
    assert "future" in texts and "bogus" in texts


def test_policies_table_uses_labels_and_counts_agree():
    at = run("pages/1_Policies.py", {"all": "1"})
    frame = at.dataframe[0].value
    assert "Requires cooperation" in set(frame["stance"]) and "ordinance" not in set(frame["instrument_type"])
    assert len(frame) == len(world.POLICIES)
    assert str(len(world.POLICIES)) in at.caption[0].value


def test_profile_and_compare_round_trip_through_the_url():
    at = run("pages/5_Place.py", {"j": "unsd:0600010", "compare": "place:0600001,county:06001"})
    assert any("Testville Unified" in h.value for h in at.header)
    assert at.query_params["j"] in ("unsd:0600010", ["unsd:0600010"])
    tables = [d.value for d in at.dataframe if "Testville (CA)" in d.value.columns]
    assert tables and "Alpha County (CA)" in tables[0].columns
    # The district's profile lists the state law addressed to schools, apart from its own instruments.
    assert any(h.value == "State and county law that applies here" for h in at.subheader)
    text = "\n".join(m.value for m in at.markdown)
    assert "**State safe schools act**" in text and "binds" in text
    # Readable on a phone: instruments as a list (title, facts, source link), a small map focused on the place.
    assert "[source](http" in text and "adopted " in text
    assert map_payload(at)["focus"]["key"] == "unsd:0600010"


def test_what_changed_counts_by_kind():
    at = run("pages/6_What_changed.py")
    at.radio[0].set_value("Since 2017-01-25").run()
    assert not at.exception
    labels = {m.label: m.value for m in at.metric}
    assert int(labels["Instruments"]) > 0 and int(labels["287(g) agreements"]) > 0 and int(labels["Federal lists"]) > 0


def test_embed_mode_shows_map_and_credit_only():
    at = run("app.py", {"mode": "embed", "as_of": "2020-01-01", "v": "oldversion"})
    assert map_payload(at)
    assert not at.sidebar.multiselect and "dataset version" in at.caption[0].value
    assert "updated since" in at.caption[0].value


def test_search_box_labels_follow_the_language_after_the_other_one_was_shown():
    # The place labels are made once per dataset and language: an English visit first must not leave English labels
    # in a Spanish one (nor the reverse).
    english = run("app.py", {"focus": "unsd:0600010"})
    spanish = run("app.py", {"focus": "unsd:0600010", "lang": "es"})
    again = run("app.py", {"focus": "unsd:0600010"})
    shown = [next(s for s in at.selectbox if s.value == "unsd:0600010") for at in (english, spanish, again)]
    labels = [s.format_func(s.value) for s in shown]
    assert "Testville Unified" in labels[0] and labels[0] == labels[2]
    assert labels[1] != labels[0] and "Testville Unified" in labels[1]
