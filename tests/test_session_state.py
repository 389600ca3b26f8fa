"""Session state that cannot break: random sequences of uploads, filter changes, page switches and
"use the published table again", driven through AppTest; no step may show an exception element.

Widget values derived from one table must stay valid when the table changes (the upload crash:
a slider kept the published table's years while its bounds came from the upload)."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule
from streamlit.testing.v1 import AppTest

import world
from conftest import ROOT
from sanctuary_map.policies import COLUMNS

PAGES = ["app.py", "pages/1_Policies.py", "pages/4_Your_data.py", "pages/5_Place.py", "pages/6_What_changed.py",
         "pages/7_Agreements_and_lists.py"]


def csv_bytes(rows: list[dict], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS), extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


UPLOADS = {
    # A narrow, early year range (the table the crash needed: every row older than the published table's).
    "old_years": csv_bytes([world.policy(policy_id="old", date_adopted="1979-03-01"),
                            world.policy(policy_id="old2", date_adopted="1979-11-27")]),
    "valid_and_broken": csv_bytes([world.policy(policy_id="ok"), world.policy(policy_id="bad", stance="maybe")]),
    "future_only": csv_bytes([world.policy(policy_id="new", date_adopted="2026-01-05")]),
    "empty": b"",
    "header_only": csv_bytes([]),
    "wrong_encoding": csv_bytes([world.policy(policy_id="latin", jurisdiction_name="Pe\u00f1a")], "latin-1"),
    "garbage": bytes(range(256)) * 40,
    "oversized": b"policy_id\n" + b"x" * 2_100_000,
}


def _no_exception(at: AppTest, step: str) -> None:
    assert not at.exception, (step, [e.message for e in at.exception])


class Reader(RuleBasedStateMachine):
    @initialize()
    def open_app(self):
        self.at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        self.at.run()
        _no_exception(self.at, "open")

    def _go(self, page: str) -> None:
        self.at.switch_page(page)
        self.at.run()
        _no_exception(self.at, f"open {page}")

    @rule(kind=st.sampled_from(sorted(UPLOADS)))
    def upload(self, kind):
        self._go("pages/4_Your_data.py")
        self.at.file_uploader[0].upload(f"{kind}.csv", UPLOADS[kind], "text/csv").run()
        _no_exception(self.at, f"upload {kind}")

    @rule(page=st.sampled_from(PAGES))
    def switch_page(self, page):
        self._go(page)

    @rule(stances=st.lists(st.sampled_from(["limits_cooperation", "requires_cooperation"]), unique=True, max_size=2),
          first=st.dates(min_value=dt.date(1776, 7, 4), max_value=dt.date.today()))
    def change_filters(self, stances, first):
        if not self.at.multiselect or not self.at.date_input:
            return
        self.at.multiselect(key="f_stances").set_value(stances)
        self.at.date_input(key="f_range_adopted").set_value((first, dt.date.today()))
        self.at.run()
        _no_exception(self.at, f"filters {stances} from {first}")

    @rule()
    def reset_filters(self):
        buttons = [b for b in self.at.button if b.label == "Reset filters"]
        if buttons:
            buttons[0].click().run()
            _no_exception(self.at, "reset filters")

    @rule()
    def published_again(self):
        self._go("pages/4_Your_data.py")
        buttons = [b for b in self.at.button if b.label == "Use the published table again"]
        if buttons:
            buttons[0].click().run()
            _no_exception(self.at, "published table again")


TestReader = Reader.TestCase
TestReader.settings = settings(max_examples=4, stateful_step_count=6, deadline=None,
                               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _world(world_env):
    yield


def _uploaded(name: str, content: bytes) -> AppTest:
    """The app after uploading ``content`` as ``name`` on "Your data" (checked to raise nothing)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/4_Your_data.py")
    at.run()
    at.file_uploader[0].upload(name, content, "text/csv").run()
    _no_exception(at, "upload")
    return at


def test_an_upload_of_old_rows_then_every_page():
    """The reported crash, step by step: upload rows older than the published table, then visit every page."""
    at = _uploaded("old.csv", UPLOADS["old_years"])
    assert any("2 valid row(s)" in s.value for s in at.success)
    # Reset: the filters start again from the uploaded table (its 1979 rows), then the table changes under them.
    next(b for b in at.button if b.label == "Reset filters").click().run()
    _no_exception(at, "reset")
    for page in PAGES:
        at.switch_page(page)
        at.run()
        _no_exception(at, page)
    at.switch_page("pages/4_Your_data.py")
    at.run()
    next(b for b in at.button if b.label == "Use the published table again").click().run()
    _no_exception(at, "published again")
    at.switch_page("app.py")
    at.run()
    _no_exception(at, "map after")


def test_a_broken_row_is_named_by_row_and_column_and_the_valid_row_is_kept():
    at = _uploaded("mixed.csv", UPLOADS["valid_and_broken"])
    assert any("1 valid row(s)" in s.value and "1 row(s) left out" in s.value for s in at.success)
    problems = [df.value for df in at.dataframe if "problem" in df.value.columns]
    assert problems and any((p["row"] == 3).any() and (p["column"] == "stance").any() for p in problems)
