"""Validation rules of policies.csv, on rows built in code."""
from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys

import pytest

from sanctuary_map.policies import COLUMNS, date_floor, load_policies, validate_text

TODAY = dt.date(2026, 11, 25)


def row(**over) -> dict:
    base = {c: "" for c in COLUMNS}
    base.update(policy_id="x-1", jurisdiction_name="City of Testville", jurisdiction_level="place", state="CA",
                geoid="0644000", geoid_layer="place", stance="limits_cooperation", instrument_type="ordinance",
                binding_level="law", status="in_effect", title="Test ordinance", date_adopted="2017-03-21",
                source_url="https://example.org/a", source_kind="official", source_title="Example",
                source_accessed="2026-11-25")
    base.update(over)
    return base


def csv_text(rows: list[dict], columns=COLUMNS) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def problems(rows, **kw):
    t = validate_text(csv_text(rows, **kw), name="t.csv", today=TODAY)
    return t, [(p.row, p.column) for p in t.problems], [str(p) for p in t.problems]


def test_shipped_table_is_valid():
    """The shipped table passes its own rules (its size is the coverage command's business, not a test's)."""
    t = load_policies()
    assert t.problems == [], [str(p) for p in t.problems[:5]]
    assert t.rows["source_url"].str.match(r"^https?://").all()
    not_official = t.rows[t.rows["source_kind"] != "official"]
    assert (not_official["source_url_2"] != "").all()


def test_valid_row_passes():
    t, locs, _ = problems([row()])
    assert locs == [] and len(t.rows) == 1


@pytest.mark.parametrize("column,value,reason", [
    ("jurisdiction_level", "city", "unknown value"),
    ("instrument_type", "decree", "unknown value"),
    ("status", "active", "unknown value"),
    ("no_status_inquiry", "yes", "unknown value"),
    ("date_adopted", "2017-02-30", "impossible date"),
    ("date_adopted", "21/03/2017", "malformed date"),
    ("date_adopted", "2031-01-01", "in the future"),
    ("geoid", "644000", "7 digits"),
    ("geoid", "06440OO", "7 digits"),
    ("geoid", "3651000", "does not start with CA"),
    ("source_url", "javascript:alert(1)", "http:// or https://"),
    ("source_url", "ftp://example.org/x", "http:// or https://"),
    ("title", "<img src=x onerror=alert(1)>", "contains markup"),
    ("summary", "see <script>alert(1)</script>", "contains markup"),
    ("notes", "a &lt;b&gt; entity", "contains markup"),
    ("state", "XX", "unknown state"),
    ("title", "", "required value is blank"),
    ("stance", "neutral", "unknown value"),
    ("stance", "", "required value is blank"),
    ("source_kind", "blog", "unknown value"),
    ("source_url_2", "not a url", "http:// or https://"),
    ("source_url_2", "https://example.org/a", "same page"),
    ("geoid_source", "wikipedia", "census, fips"),
    ("requires_287g", "maybe", "unknown value"),
    ("status_date", "2016-01-01", "before date_adopted"),
])
def test_each_rule_names_row_and_column(column, value, reason):
    t, locs, texts = problems([row(policy_id="ok"), row(policy_id="bad", **{column: value})])
    assert (3, column) in locs, texts
    assert any(reason in s for s in texts), texts
    assert list(t.rows["policy_id"]) == ["ok"], "the valid rest keeps working"
    assert any(s.startswith(f"t.csv:3:{column}: ") for s in texts)


def test_layer_must_fit_level_and_length():
    _, locs, _ = problems([row(jurisdiction_level="school_district", geoid_layer="place")])
    assert (2, "geoid_layer") in locs
    _, locs, _ = problems([row(jurisdiction_level="county", geoid_layer="county", geoid="06037")])
    assert locs == []
    _, locs, texts = problems([row(jurisdiction_level="state", geoid_layer="state", geoid="6")])
    assert (2, "geoid") in locs and "2 digits" in texts[0]


def test_duplicates_and_relations():
    rows = [row(policy_id="a"), row(policy_id="a"), row(policy_id="b", relates_to="zzz", relation="amends"),
            row(policy_id="c", relates_to="a"), row(policy_id="d", relates_to="a", relation="codifies")]
    t, locs, texts = problems(rows)
    assert (3, "policy_id") in locs and "first used on row 2" in " ".join(texts)
    assert (4, "relates_to") in locs and (5, "relation") in locs
    assert "d" in set(t.rows["policy_id"])


def test_partial_dates_allowed():
    _, locs, _ = problems([row(date_adopted="2016-02"), ])
    assert locs == []
    assert date_floor("2016-02") == "2016-02-01" and date_floor("2016") == "2016-01-01" and date_floor("") == ""


def test_header_problems():
    cols = [c for c in COLUMNS if c != "title"] + ["colour"]
    t, locs, texts = problems([row()], columns=cols)
    assert (1, "title") in locs and (1, "colour") in locs and len(t.rows) == 0
    dup = validate_text("policy_id,policy_id\n", name="d.csv", today=TODAY)
    assert any("duplicate column" in str(p) for p in dup.problems)


def test_wrong_field_count_and_blank_file():
    text = csv_text([row()]) + "a,b,c\n"
    t = validate_text(text, name="t.csv", today=TODAY)
    assert [(p.row, "fields" in p.reason) for p in t.problems] == [(3, True)] and len(t.rows) == 1
    assert "empty" in str(validate_text("", name="e.csv").problems[0])


@pytest.mark.parametrize("data,needle", [
    (b"\x00\x01\x02binary", "NUL"),
    ("policy_id\n".encode("utf-16"), "missing column"),
    ("jurisdiction_name\nCaf\xe9\n".encode("latin-1"), "not UTF-8"),
])
def test_encodings_give_clear_messages(data, needle):
    t = load_policies(data, name="up.csv", today=TODAY)
    assert any(needle in str(p) for p in t.problems), [str(p) for p in t.problems]


def test_bom_and_size_limit():
    ok = load_policies(b"\xef\xbb\xbf" + csv_text([row()]).encode(), name="bom.csv", today=TODAY)
    assert ok.problems == [] and len(ok.rows) == 1
    big = load_policies(b"x" * 100, name="big.csv", max_bytes=10)
    assert "limit" in str(big.problems[0])


def test_cli_exit_status(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(csv_text([row()]))
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text([row(), row(policy_id="y", geoid="12", date_adopted="2019-13-01")]))
    def run(p):
        return subprocess.run([sys.executable, "-m", "sanctuary_map", "validate", str(p)], capture_output=True, text=True)
    r = run(good)
    assert r.returncode == 0 and r.stdout == ""
    r = run(bad)
    assert r.returncode == 1
    assert "bad.csv:3:geoid:" in r.stdout and "bad.csv:3:date_adopted:" in r.stdout


@pytest.mark.parametrize("over,column,reason", [
    ({"source_kind": "news"}, "source_url_2", "required when source_kind is news"),
    ({"status": "repealed"}, "status_date", "required when status is repealed"),
    ({"status": "enjoined"}, "status_date", "required when status is enjoined"),
    ({"status": "failed", "date_adopted": ""}, None, None),
    ({"source_kind": "news", "source_url_2": "https://example.org/b"}, None, None),
    ({"status": "struck_down", "status_date": "2019"}, None, None),
])
def test_rules_between_columns(over, column, reason):
    _, locs, texts = problems([row(**over)])
    if column is None:
        assert locs == [], texts
    else:
        assert (2, column) in locs and any(reason in t for t in texts), texts


# Facts checked independently against the pages each row cites; an edit that changes one must be deliberate.
FACTS = {
    "la-city-ed20": ("2017-03-21", "codified"),
    "la-city-sanctuary-ordinance-2024": ("2024-12-04", "in_effect"),
    "lausd-res-093-16-17": ("2017-05-09", "in_effect"),
    "ca-sb54": ("2017-10-05", "in_effect"),
    "il-trust-act": ("2017-08-28", "amended"),
    "boston-trust-act-2014": ("2014-08-20", "amended"),
    "nyc-int-486-a": ("2014-11-14", "in_effect"),
    "cook-county-detainer-2011": ("2011-09-07", "in_effect"),
    "chicago-o2021-117": ("2021-01-27", "in_effect"),
    "or-hb3265": ("2021-07-19", "in_effect"),
    "wa-keep-washington-working": ("2019-05-21", "in_effect"),
    "nj-ag-directive-2018-6": ("2018-11-29", "in_effect"),
    "philadelphia-eo-5-16": ("2016-01-04", "in_effect"),
    "co-hb19-1124": ("2019-05-28", "in_effect"),
    "ny-protect-our-courts-act": ("2020-12-15", "in_effect"),
    "tx-sb4-2017": ("2017-05-07", "in_effect"),
    "tx-sb4-2023": ("2023-12-18", "enjoined"),
    "fl-sb168-2019": ("2019-06-14", "amended"),
    "ia-sf481-2018": ("2018-04-10", "in_effect"),
    "ms-sb2710-2017": ("2017-03-27", "in_effect"),
    "ga-hb1105-2024": ("2024-05-01", "in_effect"),
}


@pytest.mark.parametrize("policy_id", FACTS)
def test_known_facts_hold(policy_id):
    rows = load_policies().rows.set_index("policy_id")
    assert (rows.loc[policy_id, "date_adopted"], rows.loc[policy_id, "status"]) == FACTS[policy_id]


def test_known_relations_and_directions():
    rows = load_policies().rows.set_index("policy_id")
    assert rows.loc["la-city-sanctuary-ordinance-2024", ["relates_to", "relation"]].tolist() == ["la-city-ed20", "codifies"]
    assert rows.loc["tx-sb4-2017", "stance"] == "requires_cooperation" and rows.loc["ca-sb54", "stance"] == "limits_cooperation"
    assert rows.loc["tx-sb4-2023", "status_date"] == "2024-02-29"


def test_coverage_text_counts_dc_apart_and_keeps_a_decimal():
    """The coverage summary says '2 states + DC' (DC is listed but is not a state) and does not round 59.6 % up to 60 %."""
    from sanctuary_map.coverage import coverage_text

    report = {"instruments": 500, "invalid_rows": 0, "dataset_version": "x", "statewide_states": ["CA", "DC", "TX"],
              "states_with_statewide_instrument": 3, "by_stance": {}, "by_level": {}, "school_district_rows": 0,
              "school_district_states": 0, "official_sources": 298, "official_share": 298 / 500, "by_source_kind": {},
              "without_boundary": [], "partial_dates": [], "by_state_level_stance": {}}
    text = coverage_text(report)
    assert "in 2 states + DC: CA, DC, TX" in text
    assert "298 (59.6%;" in text


def test_coverage_counts_rows_sourced_to_a_release_wire():
    """An office's release reprinted by a wire counts as official but is counted apart; the agency's own site is not."""
    from sanctuary_map.coverage import on_release_wire

    assert on_release_wire("https://www.einpresswire.com/article/1/x") and on_release_wire("https://targetednews.com/pr_disp.php?pr_id=1")
    assert on_release_wire("https://www.insidernj.com/press-release/governor-x")  # releases reprinted whole
    assert not on_release_wire("https://gov.texas.gov/news/post/x") and not on_release_wire("https://notpubt.io.example.org/x")


def test_binds_levels_is_checked_and_optional():
    import world
    from sanctuary_map.policies import binds_levels

    def text(rows, columns=COLUMNS) -> str:
        out = io.StringIO()
        w = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        return out.getvalue()

    good = world.policy(policy_id="a", binds_levels="place")
    state = world.policy(policy_id="b", jurisdiction_level="state", geoid="06", geoid_layer="state",
                         binds_levels="state;county;place;school_district")
    bad = [world.policy(policy_id="c", binds_levels="city"), world.policy(policy_id="d", binds_levels="place;place"),
           world.policy(policy_id="e", binds_levels="state;place"), world.policy(policy_id="f", binds_levels="county,place")]
    t = validate_text(text([good, state, *bad]))
    assert {(p.row, p.column) for p in t.problems} == {(4, "binds_levels"), (5, "binds_levels"), (6, "binds_levels"),
                                                      (7, "binds_levels")}
    assert sorted(t.rows["policy_id"]) == ["a", "b"]
    # A table written before the column existed is still valid (the column reads blank: its own level).
    old = validate_text(text([good], [c for c in COLUMNS if c != "binds_levels"]))
    assert old.problems == [] and old.rows["binds_levels"].tolist() == [""]
    assert binds_levels("", "school_district") == ("school_district",)
    assert binds_levels("school_district;state", "state") == ("state", "school_district")


def test_shipped_state_rows_say_which_levels_they_bind():
    """Every state row of the shipped table binds at least the state; every local row binds no state."""
    from sanctuary_map.policies import binds_levels

    rows = load_policies().rows
    for r in rows.itertuples():
        levels = binds_levels(r.binds_levels, r.jurisdiction_level)
        if r.jurisdiction_level == "state":
            assert r.binds_levels and "state" in levels, r.policy_id
        else:
            assert "state" not in levels, r.policy_id
