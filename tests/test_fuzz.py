"""The validator never crashes: random bytes, odd encodings, huge fields, many rows, formula values."""
from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_policies import csv_text, row

from sanctuary_map.policies import COLUMNS, MAX_FIELD_CHARS, load_policies, validate_text


def _check(table) -> None:
    """Always a result: valid rows, plus problems that each name the file (and row/column where known)."""
    assert list(table.rows.columns)[: len(COLUMNS)] == list(COLUMNS)
    assert len(table.rows) <= table.rows_read
    for p in table.problems:
        assert str(p).startswith(p.file + ":") and p.reason
    assert set(table.rows["row"]).isdisjoint(table.invalid_rows), "a row is either valid or explained"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_random_bytes(data):
    _check(load_policies(data, name="fuzz.csv"))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(COLUMNS), st.text(max_size=60), max_size=12))
def test_random_field_values(values):
    _check(validate_text(csv_text([row(**values)]), name="fuzz.csv"))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30), min_size=1, max_size=40))
def test_random_header_and_rows(cells):
    text = ",".join(cells) + "\n" + ",".join(reversed(cells)) + "\n"
    _check(validate_text(text, name="fuzz.csv"))


def test_encodings_and_boms():
    text = csv_text([row(jurisdiction_name="Ciudad de México")])
    for data in (text.encode("utf-8-sig"), text.encode("utf-16"), text.encode("utf-16-be"), text.encode("latin-1")):
        t = load_policies(data, name="enc.csv")
        _check(t)
    assert len(load_policies(text.encode("utf-16"), name="u16.csv").rows) == 1


def test_huge_field_and_unterminated_quote():
    t = validate_text(csv_text([row(summary="x" * (MAX_FIELD_CHARS + 1))]), name="big.csv")
    assert [(p.row, p.column) for p in t.problems] == [(2, "summary")]
    t = validate_text(csv_text([row()]) + '"unterminated,' + "y" * 50_000, name="q.csv")
    _check(t)
    assert len(t.rows) == 1


def test_duplicate_headers_are_named():
    t = validate_text(",".join(COLUMNS + ("title",)) + "\n", name="dup.csv")
    assert any(p.column == "title" and "duplicate" in p.reason for p in t.problems)


def test_formula_values_pass_validation_but_are_neutralised_on_export(tmp_path):
    from sanctuary_map.data import load_map_data
    from sanctuary_map.export import policies_csv
    from sanctuary_map.view import View

    t = validate_text(csv_text([row(notes="=1+2", summary="+SUM(A1)", instrument_ref="-3", source_title="@cmd")]), name="f.csv")
    assert t.problems == []
    data = load_map_data(t, tmp_path / "no-geodata", data_dir=tmp_path, with_related=False)
    out = policies_csv(data, View()).decode()
    assert "'=1+2" in out and "'+SUM(A1)" in out and "'-3" in out and "'@cmd" in out


def test_hundred_thousand_rows():
    header = csv_text([row()]).splitlines()[0]
    line = csv_text([row()]).splitlines()[1]
    lines = [line.replace("x-1", f"id-{i}", 1) for i in range(100_000)]
    start = time.perf_counter()
    t = validate_text(header + "\n" + "\n".join(lines) + "\n", name="big.csv")
    elapsed = time.perf_counter() - start
    assert len(t.rows) == 100_000 and t.problems == []
    print(f"100,000 rows validated in {elapsed:.1f} s")  # a figure, not a timed assertion
