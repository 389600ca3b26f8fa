"""Spanish: one catalogue covers every marked message; ?lang=es and --lang es reach every page, sentence and legend."""
from __future__ import annotations

import json
import re

import pytest
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from conftest import ROOT, world_args
from sanctuary_map import i18n
from sanctuary_map.filters import describe
from sanctuary_map.view import View, parse_query

# English UI words a Spanish page must not show (none of them occur in the fixture world's data).
ENGLISH = ["Filters", "Reset filters", "Find a place", "Direction", "Instrument type", "Download", "Share this view",
           "What applies", "in force on", "Whole country", "How this is measured", "Timeline", "Compare", "Period",
           "Adopted between", "Map layers", "federal lists", "Agreements", "instrument(s)", "Glossary", "Embed this map"]
PAGES = ["app.py", "pages/1_Policies.py", "pages/5_Place.py", "pages/6_What_changed.py", "pages/2_Border_distance.py",
         "pages/3_About.py", "pages/4_Your_data.py", "pages/7_Agreements_and_lists.py"]


# ---------------------------------------------------------------------------- the catalogue
@pytest.fixture(scope="module")
def marked() -> dict:
    return i18n.extract()


def test_every_marked_message_has_a_spanish_entry(marked):
    assert len(marked) > 100, "the extraction finds the code's messages"
    gaps = i18n.missing("es", marked)
    assert gaps == [], f"{len(gaps)} message(s) without Spanish, e.g. {gaps[:5]}"


def test_the_check_fails_when_an_entry_is_removed_or_breaks_a_placeholder(marked):
    with i18n.po_path("es").open("rb") as fh:
        catalog = read_po(fh, locale="es")
    with_field = next(m for m in marked if "{" in m and marked[m] is None)
    plain = next(m for m in marked if "{" not in m and marked[m] is None)
    catalog.delete(plain)
    catalog[with_field].string = "sin marcador"
    assert set(i18n.missing("es", marked, catalog)) == {plain, with_field}


def test_make_translations_keeps_the_template_in_step_with_the_code(marked):
    """The committed messages.pot (what translators receive) holds every message the code marks."""
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as fh:
        template = read_po(fh)
    assert set(marked) - {m.id if isinstance(m.id, str) else m.id[0] for m in template} == set()


# ---------------------------------------------------------------------------- language in links, words, dates
def test_lang_is_part_of_the_view_and_its_links():
    view, notices = parse_query({"lang": "es", "state": "CA"})
    assert view.lang == "es" and notices == []
    assert view.to_query()["lang"] == "es" and parse_query(view.to_query())[0] == view
    assert parse_query({"lang": "en"})[0].lang == "", "English is the default: not repeated in links"
    bad, notices = parse_query({"lang": "<script>"})
    assert bad.lang == "" and len(notices) == 1 and "<script>" not in notices[0].replace("`lang=<script>`", "")
    assert View(lang="es").filters_key() == View().filters_key(), "the language changes words, never rows"


def test_generated_sentences_are_spanish_messages_with_spanish_dates():
    view = View(states=("CA",), types=("board_resolution",), start="2017-06-01", end="2019-06-30", as_of="2020-01-15")
    english = describe(view)
    assert english == ("Board resolutions in California, adopted from 2017-06-01 to 2019-06-30, in force on 2020-01-15")
    with i18n.using("es"):
        spanish = describe(view)
        assert i18n.day("2020-01-15") == "15 de enero de 2020"
        assert i18n.number(1234.5, 1) == "1.234,5"
    assert "15 de enero de 2020" in spanish and "1 de junio de 2017" in spanish and "California" in spanish
    assert not re.search(r"\b(in force|adopted|from|in)\b", spanish), spanish
    assert describe(view) == english, "the language is restored after the block"


def test_vocabulary_labels_follow_the_language():
    from sanctuary_map.vocab import label

    with i18n.using("es"):
        assert label("limits_cooperation", "stance") == "Limita la cooperación"
        assert label("CA", "state") == "California", "state names are proper nouns"
    assert label("limits_cooperation", "stance") == "Limits cooperation"


# ---------------------------------------------------------------------------- pages under ?lang=es
@pytest.fixture()
def _world(world_env):
    yield


def _texts(at: AppTest) -> list[str]:
    """What a reader reads on the page: headings, text, notices, and every widget's label, help and options."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        out += [e.value for e in at.get(kind)]
    for kind in ("button", "multiselect", "selectbox", "text_input", "date_input", "toggle", "radio", "download_button",
                 "segmented_control", "expandable", "tab"):
        for e in at.get(kind):
            p = e.proto
            out += [getattr(p, "label", ""), getattr(p, "help", ""), getattr(p, "placeholder", "")]
            out += [str(o) for o in getattr(p, "options", [])]
    return [t for t in out if t]


@pytest.mark.parametrize("path", PAGES)
def test_spanish_pages_show_no_english_ui_strings(_world, path):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if path != "app.py":
        at.switch_page(path)
    at.query_params["lang"] = "es"
    if path == "pages/5_Place.py":
        at.query_params["j"] = "unsd:0600010"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    texts = _texts(at)
    assert texts, "the page shows text"
    found = sorted({w for w in ENGLISH for t in texts if re.search(r"\b" + re.escape(w) + r"\b", t)})
    assert found == [], f"English on the Spanish {path}: {found}"
    assert at.query_params["lang"] in ("es", ["es"]), "the language stays in the link"


def test_switching_language_in_the_sidebar_keeps_the_view(_world):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["state"] = "CA"
    at.run()
    assert at.sidebar.header[0].value == "Filters"
    at.sidebar.get("segmented_control")[0].set_value("es").run()
    assert not at.exception
    assert at.sidebar.header[0].value == "Filtros"
    assert at.query_params["lang"] in ("es", ["es"]) and at.query_params["state"] in ("CA", ["CA"])


# ---------------------------------------------------------------------------- snapshots
def test_spanish_snapshot_has_a_spanish_legend_title_and_description(world_dir, world_geodata, tmp_path):
    """`export --format png --lang es`: the legend drawn (recorded in the PNG's metadata), the title and the alt text."""
    from PIL import Image

    from sanctuary_map.cli import main

    out = tmp_path / "es.png"
    assert main(["export", "--format", "png", "--lang", "es", "--out", str(out),
                 *world_args(world_dir, world_geodata)]) == 0
    assert i18n.current() == "en", "the command's language ends with the command"
    meta = Image.open(out).text
    legend = json.loads(meta["sanctuary-map:legend"])
    assert "Limita la cooperación" in legend and "Limits cooperation" not in legend
    assert "en vigor" in meta["Description"] and "in force" not in meta["Description"]
