"""ICE 287(g) agreements: reading captures, keys, resolution, history.  Every fixture is built here."""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sanctuary_map import agreements as ag
from sanctuary_map.selection import _agreement_lookup
from sanctuary_map.view import View, agreements_shown
from sanctuary_map.vocab import MODELS

HEADER = ["STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE", "SIGNED", "MOA", "ADDENDUM"]
SAFELINK = ("https://gcc02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.ice.gov%2Fdoclib%2F287gMOA"
            "%2FLACoSO_JEM_MOA_05.08.25.pdf&data=05%7C02&reserved=0")


def write_xlsx(path: Path, rows: list[list], *, title: bool = True, trailing_blank: int = 3) -> Path:
    """ICE's layout: an optional title row and a blank row above the header, blank rows after the data."""
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append(["287(g) Participating Agencies"])
        ws.append([])
    ws.append(HEADER)
    for r in rows:
        ws.append(r[:7])
        link = r[7] if len(r) > 7 else None
        if link:
            ws.cell(row=ws.max_row, column=7).hyperlink = link
    last = ws.max_row
    for k in range(1, trailing_blank + 1):  # formatted but empty cells: rows openpyxl still reads
        ws.cell(row=last + k, column=1).number_format = "@"
    wb.save(path)
    return path


@pytest.fixture
def index() -> pd.DataFrame:
    """A tiny boundary index: California with two counties and a place; Florida with one county."""
    rows = [
        ("state", "06", "California", "California", "CA", "06", ""),
        ("county", "06037", "Los Angeles", "Los Angeles County", "CA", "06", "06037"),
        ("county", "06073", "San Diego", "San Diego County", "CA", "06", "06073"),
        ("place", "0644000", "Los Angeles", "Los Angeles", "CA", "06", "06037"),
        ("state", "12", "Florida", "Florida", "FL", "12", ""),
        ("county", "12095", "Orange", "Orange County", "FL", "12", "12095"),
    ]
    return pd.DataFrame(rows, columns=["layer", "geoid", "name", "name_full", "state", "statefp", "counties"])


@pytest.fixture
def directory() -> pd.DataFrame:
    records = [{"zip_code": "32703", "city": "Apopka", "state": "FL", "county": "Orange County"}]
    return ag.postal_directory(records)


# ---------------------------------------------------------------------------- reading
def test_read_xlsx_with_title_row_blank_rows_and_bad_rows(tmp_path):
    path = write_xlsx(tmp_path / "participatingAgencies060920263pm.xlsx", [
        ["CALIFORNIA", "Los Angeles County Sheriff's Office", "County", "Los Angeles County", "Jail Enforcement Model",
         dt.datetime(2025, 5, 8), "link", SAFELINK],
        ["CALIFORNIA", "San Diego County Sheriff's Office", "County", "San Diego County", "Task Force Model ",
         "05/082025", "link pending"],
        ["CALIFORNIA", None, "County", "Orange County", "Task Force Model", dt.datetime(2025, 5, 1), "link"],
        ["UTAHJ", "Tooele County Sheriff's Office", "County", "Tooele County", "Warrant Service Officer",
         "7/7/2025", "link"],
        ["ATLANTIS", "Nowhere Police Department", "Municipality", "#N/A", "Task Force Model", "", ""],
    ])
    cap = ag.read_capture(path)
    assert cap.captured == dt.date(2026, 6, 9)  # from the file name
    assert [r.agency for r in cap.rows] == ["Los Angeles County Sheriff's Office", "San Diego County Sheriff's Office",
                                           "Tooele County Sheriff's Office"]
    first, second, third = cap.rows
    assert first.model == "jail_enforcement" and first.signed_date == "2025-05-08"
    assert first.moa_url == "https://www.ice.gov/doclib/287gMOA/LACoSO_JEM_MOA_05.08.25.pdf"  # unwrapped
    assert first.row == 4  # title, blank, header, then the first record
    assert second.model == "task_force" and second.signed == "05/082025" and second.signed_date == ""
    assert third.state == "UT" and third.signed_date == "2025-07-07"
    problems = [str(p) for p in cap.problems]
    name = path.name
    assert f"{name}:5: unparseable date '05/082025' (San Diego County Sheriff's Office)" in problems
    assert f"{name}:6: missing agency: row left out" in problems
    assert any(p.startswith(f"{name}:7: unknown state 'UTAHJ'") for p in problems)
    assert any(p.startswith(f"{name}:8: unknown state 'ATLANTIS'") for p in problems)
    assert cap.rows_read == 5  # blank rows and the header are not counted


def test_read_old_csv_layout_and_capture_date_column(tmp_path):
    path = tmp_path / "archive.csv"
    path.write_text(
        "capture_date,state,agency,support,signed,link,addendum\n"
        "2024-03-01,FLORIDA,Orange County Sheriff's Office,Warrant Service Officer,10/15/2019,"
        "https://www.ice.gov/doclib/287gMOA/x.pdf,\n"
        "2024-03-01,FLORIDA,,Task Force Model,1/2/2024,,\n"
        "2024-03-01,CALIFORNIA,Los Angeles Police Department,Jail Enforcement Model,not a date,,\n",
        encoding="utf-8")
    cap = ag.read_capture(path)
    assert cap.captured == dt.date(2024, 3, 1)
    assert [(r.state, r.model, r.signed_date) for r in cap.rows] == [
        ("FL", "warrant_service_officer", "2019-10-15"), ("CA", "jail_enforcement", "")]
    assert cap.rows[0].moa_url.endswith("/x.pdf")
    assert "archive.csv:3: missing agency: row left out" in [str(p) for p in cap.problems]
    assert any(str(p).startswith("archive.csv:4: unparseable date 'not a date'") for p in cap.problems)


def test_read_ice_layout_csv_without_a_date_reports_it(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(",".join(HEADER) + "\nFLORIDA,Apopka Police Department,Municipality,#N/A,TFM,2025-04-01,link,\n",
                    encoding="utf-8")
    cap = ag.read_capture(path)
    assert cap.captured is None
    assert str(cap.problems[0]).startswith("export.csv:-: no capture date")
    assert cap.rows[0].county == "" and cap.rows[0].model == "task_force"
    assert ag.read_capture(path, dt.date(2025, 5, 1)).captured == dt.date(2025, 5, 1)


@pytest.mark.parametrize("content,suffix", [
    (b"PK\x03\x04 this is not really a workbook", ".xlsx"),
    (b"not a workbook at all", ".xlsx"),
    (b"name,colour\nfoo,blue\n", ".csv"),
    (b"", ".csv"),
])
def test_unreadable_file_raises(tmp_path, content, suffix):
    path = tmp_path / f"broken{suffix}"
    path.write_bytes(content)
    with pytest.raises(ag.AgreementError, match="broken"):
        ag.read_capture(path)


def test_missing_file_raises(tmp_path):
    with pytest.raises(ag.AgreementError, match="no such file"):
        ag.read_capture(tmp_path / "nope.xlsx")


def test_duplicate_rows_are_reported(tmp_path):
    row = ["FLORIDA", "Orange County Sheriff's Office", "County", "Orange County", "Task Force Model",
           dt.datetime(2025, 2, 26), "link"]
    cap = ag.read_capture(write_xlsx(tmp_path / "dup05012025am.xlsx", [row, [*row[:1], "ORANGE COUNTY SHERIFFS OFFICE",
                                                                             *row[2:]]], title=False))
    assert len(cap.rows) == 1
    assert any("repeats row 2" in str(p) and str(p).startswith("dup05012025am.xlsx:3:") for p in cap.problems)


@pytest.mark.parametrize("name,expected", [
    ("participatingAgencies060920263pm.xlsx", dt.date(2026, 6, 9)),
    ("participatingAgencies07182025pm.xlsx", dt.date(2025, 7, 18)),
    ("agreements_20251013_060751", dt.date(2025, 10, 13)),
    ("participatingAgencies.xlsx", None),
])
def test_date_from_name(name, expected):
    assert ag.date_from_name(name) == expected


@pytest.mark.parametrize("text,code", [
    ("Task Force Model", "task_force"), ("Task Force Model ", "task_force"), ("JEM", "jail_enforcement"),
    ("Warrant Services Officer", "warrant_service_officer"), ("Jail Enforcement", "jail_enforcement"),
    ("Something new", "other"), ("", "other"),
])
def test_models_normalised_to_vocab_codes(text, code):
    assert ag.normalise_model(text) == code
    assert code in MODELS


def test_moa_file_names():
    assert ag.moa_file_date("LakeClarkShoresPDFL_TFM_MOA_042925.pdf") == "2025-04-29"
    assert ag.moa_file_date("287gWSO_BakerCoFl2019-10-15.pdf") == "2019-10-15"
    assert ag.moa_file_date("ClayCoSheriffsOffice_TFM_MOA_02.26.2025.pdf") == "2025-02-26"
    assert ag.moa_file_date("FranklinCoSheriffsOfficeAL_TFM_MOA_1162025.pdf") == ""  # ambiguous
    assert ag.moa_file_date("X_TFM_MOA_12312026.pdf", before=dt.date(2026, 6, 1)) == ""  # after capture
    assert ag.moa_file_model("287gJEM_MesaPoliceDeptAZ_06-08-2020.pdf") == "jail_enforcement"
    assert ag.moa_file_model("indianRiverCountySherrifsOffice_TF_MOA_03122025.pdf") == "task_force"
    assert ag.moa_file_model("MOA_Between_ICE_FloridaNatGuard_04022025.pdf") == "other"


# ---------------------------------------------------------------------------- keys
def test_agreement_key_tolerates_case_punctuation_and_abbreviations():
    a = ag.agreement_key("FL", "St. Lucie County Sheriff's Office", "task_force")
    assert a == ag.agreement_key("FL", "ST LUCIE COUNTY SHERIFFS OFFICE", "task_force")
    assert a == ag.agreement_key("fl", "Saint Lucie Co. Sheriff Office", "task_force")
    assert ag.agreement_key("FL", "Apopka Police Dept", "task_force") == \
        ag.agreement_key("FL", "Apopka Police Department", "task_force")
    assert a != ag.agreement_key("FL", "St. Lucie County Sheriff's Office", "warrant_service_officer")


def test_same_agency_accepts_typos_and_rejects_different_bodies():
    assert ag.same_agency("Calacasieu Parish Sheriff's Office", "Calcasieu Parish Sheriffs Office", "LA")
    assert ag.same_agency("Berrian County Sheriff's Offic", "Berrien County Sheriff's Office", "MI")
    assert ag.same_agency("City of Melbourne Police Department", "Melbourne Police Department", "FL") == 100
    assert ag.same_agency("Lake County Sheriff's Office", "Lee County Sheriff's Office", "FL") is None
    assert ag.same_agency("Harris County Sheriff's Office", "Harrison County Sheriff's Office", "TX") is None
    assert ag.same_agency("Okaloosa County Sheriff's Office", "Okaloosa County Department of Corrections", "FL") is None


# ---------------------------------------------------------------------------- resolution
def test_resolve_county_sheriff(index):
    r = ag.resolve("Los Angeles County Sheriff's Office", "CA", "Los Angeles County", "County", index)
    assert (r.geoid, r.layer, r.match, r.score) == ("06037", "county", "county_exact", None)
    # no COUNTY column: the county in the name
    assert ag.resolve("San Diego County Sheriff's Office", "CA", "", "", index).geoid == "06073"


def test_resolve_place_by_name(index):
    r = ag.resolve("Los Angeles Police Department", "CA", "#N/A", "Municipality", index)
    assert (r.geoid, r.layer, r.match) == ("0644000", "place", "place_exact")
    r = ag.resolve("City of Los Angles Police Department", "CA", "", "Municipality", index)
    assert (r.geoid, r.match) == ("0644000", "place_fuzzy") and r.score is not None and r.score < 100


def test_resolve_place_falls_back_to_county(index):
    r = ag.resolve("Pasadena Police Department", "CA", "Los Angeles County", "Municipality", index)
    assert (r.geoid, r.match) == ("06037", "place_unmatched_county")
    r = ag.resolve("Winter Park Police Department", "FL", "Orange County", "Municipality", index)
    assert (r.geoid, r.layer, r.match) == ("12095", "county", "place_not_in_source_county")
    assert "place boundary not in source: resolved to county" in r.note


def test_resolve_state_agency(index):
    for agency, kind in (("California Highway Patrol", ""), ("California Department of Corrections", ""),
                         ("University of California Police Department", "State Agency")):
        r = ag.resolve(agency, "CA", "", kind, index)
        assert (r.geoid, r.layer, r.match) == ("06", "state", "state_agency"), agency


def test_resolve_other_agencies_use_the_county_column(index):
    r = ag.resolve("Orlando International Airport Police", "FL", "Orange County", "County", index)
    assert (r.geoid, r.match) == ("12095", "county_exact")


def test_resolve_fuzzy_county_typo(index):
    r = ag.resolve("San Deigo County Sheriff's Office", "CA", "San Deigo County", "County", index)
    assert (r.geoid, r.match) == ("06073", "county_fuzzy") and 90 <= r.score < 100


def test_resolve_unresolved_keeps_a_reason(index):
    r = ag.resolve("Albemarle District Jail", "CA", "Albemarle County", "County", index)
    assert (r.geoid, r.match) == ("", "unresolved") and "Albemarle County" in r.note
    r = ag.resolve("Apopka Police Department", "FL", "#N/A", "Municipality", index)
    assert r.match == "unresolved"


def test_resolve_uses_a_directory_when_no_county_is_given(index, directory):
    r = ag.resolve("Apopka Police Department", "FL", "", "Municipality", index, directory)
    assert (r.geoid, r.match) == ("12095", "county_directory") and "ZIP 32703" in r.note


# ---------------------------------------------------------------------------- history
def row(agency: str, model: str = "Task Force Model", county: str = "Orange County", signed=dt.datetime(2025, 3, 1),
        state: str = "FLORIDA", kind: str = "County") -> list:
    return [state, agency, kind, county, model, signed, "link"]


def ingest_files(tmp_path, index, *captures: tuple[str, list[list]]):
    table, reports = ag.AgreementTable.empty(), []
    for name, rows in captures:
        table, report = ag.ingest(table, ag.read_capture(write_xlsx(tmp_path / name, rows)), index)
        reports.append(report)
    return table, reports


def by_agency(table: ag.AgreementTable) -> dict[str, dict]:
    return {r["agency"]: r for r in table.rows.to_dict("records")}


def test_ended_new_and_renamed_across_two_captures(tmp_path, index):
    table, (first, second) = ingest_files(
        tmp_path, index,
        ("participatingAgencies05012025am.xlsx", [row("Orange County Sheriff's Office"),
                                                  row("Winter Garden Police Department", county="Orange County"),
                                                  row("Ocoee Police Department")]),
        ("participatingAgencies05152025am.xlsx", [row("Orange County Sheriff's Office"),
                                                  row("Winter Gardin Police Department"),
                                                  row("Maitland Police Department")]),
    )
    assert len(first.new) == 3 and not first.ended
    assert len(second.new) == 1 and "Maitland" in second.new[0]
    assert len(second.ended) == 1 and "Ocoee" in second.ended[0]
    rows = by_agency(table)
    ocoee = rows["Ocoee Police Department"]
    assert (ocoee["status"], ocoee["ended_after"], ocoee["ended_by"]) == ("ended", "2025-05-01", "2025-05-15")
    renamed = rows["Winter Gardin Police Department"]
    assert renamed["agreement_id"] == "fl-winter-garden-police-department-tfm"  # the id never changes
    assert renamed["former_names"] == "Winter Garden Police Department"
    assert (renamed["first_seen"], renamed["last_seen"], renamed["status"]) == ("2025-05-01", "2025-05-15", "active")
    changes = [c for c in second.changed if c.what == "name"]
    assert len(changes) == 1 and changes[0].score is not None
    review = ag.review_rows(table)
    assert review[review["kind"] == "agency_renamed"]["matched_name"].tolist() == ["Winter Garden Police Department"]
    sheriff = rows["Orange County Sheriff's Office"]
    assert (sheriff["geoid"], sheriff["captures"], sheriff["source_file"]) == (
        "12095", "2", "participatingAgencies05152025am.xlsx")
    assert table.snapshots["capture_date"].tolist() == ["2025-05-01", "2025-05-15"]
    assert table.snapshots["ended"].tolist() == ["0", "1"]


def test_changed_model_and_signed_date(tmp_path, index):
    table, (_, second) = ingest_files(
        tmp_path, index,
        ("a05012025am.xlsx", [row("Orange County Sheriff's Office", "Task Force Model")]),
        ("a05152025am.xlsx", [row("Orange County Sheriff's Office", "Warrant Service Officer",
                                  signed=dt.datetime(2025, 5, 10))]),
    )
    assert {c.what for c in second.changed} == {"model", "signed"}
    assert not second.new and not second.ended
    (rec,) = table.rows.to_dict("records")
    assert (rec["model"], rec["signed_date"], rec["agreement_id"]) == (
        "warrant_service_officer", "2025-05-10", "fl-orange-county-sheriffs-office-tfm")
    assert "model task_force -> warrant_service_officer" in rec["history"]


def test_an_ended_agreement_can_return(tmp_path, index):
    _, reports = ingest_files(
        tmp_path, index,
        ("a05012025am.xlsx", [row("Orange County Sheriff's Office"), row("Ocoee Police Department")]),
        ("a05152025am.xlsx", [row("Orange County Sheriff's Office")]),
        ("a06012025am.xlsx", [row("Orange County Sheriff's Office"), row("Ocoee Police Department")]),
    )
    assert len(reports[1].ended) == 1 and len(reports[2].returned) == 1 and not reports[2].new


def test_partial_capture_never_ends_anything(tmp_path, index):
    table, _ = ingest_files(tmp_path, index, ("a05012025am.xlsx", [row("Orange County Sheriff's Office"),
                                                                   row("Ocoee Police Department")]))
    partial = ag.Capture("moa.json#x", dt.date(2025, 6, 1), complete=False, kind="moa_archive", rows=[
        ag.CaptureRow(1, "Maitland Police Department", "FL", "", "", "", "task_force", "", "2025-05-20", "")])
    table, report = ag.ingest(table, partial, index)
    assert not report.ended and len(report.new) == 1
    rows = by_agency(table)
    assert rows["Maitland Police Department"]["evidence"] == "moa_archive"
    assert rows["Maitland Police Department"]["signed_source"] == "moa_file_name"
    assert rows["Ocoee Police Department"]["status"] == "active"


def test_older_or_repeated_capture_is_refused(tmp_path, index):
    table, _ = ingest_files(tmp_path, index, ("a05152025am.xlsx", [row("Orange County Sheriff's Office")]))
    older = ag.read_capture(write_xlsx(tmp_path / "a05012025am.xlsx", [row("Orange County Sheriff's Office")]))
    with pytest.raises(ag.AgreementError, match="before the latest capture"):
        ag.ingest(table, older, index)
    with pytest.raises(ag.AgreementError, match="already ingested"):
        ag.ingest(table, ag.read_capture(tmp_path / "a05152025am.xlsx"), index)


def test_unresolved_agreements_stay_in_the_table(tmp_path, index):
    table, report = ingest_files(tmp_path, index, ("a05012025am.xlsx", [
        row("Apopka Police Department", county="#N/A", kind="Municipality")]))
    assert len(table.rows) == 1 and table.rows.iloc[0]["match"] == "unresolved"
    assert len(report[0].unresolved) == 1
    out = ag.unresolved_rows(table)
    assert out["agency"].tolist() == ["Apopka Police Department"] and out["reason"].iloc[0]


# ---------------------------------------------------------------------------- the table on disk
def test_save_and_load_round_trip_with_validation(tmp_path, index):
    table, _ = ingest_files(tmp_path, index, ("a05012025am.xlsx", [row("Orange County Sheriff's Office"),
                                                                   row("Ocoee Police Department")]))
    path = tmp_path / "287g_agreements.csv"
    ag.write_tables(table, path)
    loaded = ag.load_agreements(path)
    assert not loaded.problems and len(loaded.rows) == 2 and len(loaded.snapshots) == 1
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[1, "model"] = "task_farce"
    frame.loc[1, "last_seen"] = "2025-13-01"
    frame.to_csv(path, index=False)
    loaded = ag.load_agreements(path)
    assert len(loaded.rows) == 1
    problems = [str(p) for p in loaded.problems]
    assert any(p.startswith("287g_agreements.csv:3:model: 'task_farce' is not one of") for p in problems)
    assert "287g_agreements.csv:3:last_seen: '2025-13-01' is not a YYYY-MM-DD date" in problems


def test_load_missing_table_is_empty_and_bad_header_raises(tmp_path):
    assert ag.load_agreements(tmp_path / "none.csv").rows.empty
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ag.AgreementError, match="missing columns"):
        ag.load_agreements(bad)


# ---------------------------------------------------------------------------- command
def cli_args(tmp_path, file: Path, captured: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(file=str(file), captured=captured, agreements=str(tmp_path / "287g_agreements.csv"),
                              snapshots=str(tmp_path / "287g_snapshots.csv"), geodata=str(tmp_path / "geodata"))


@pytest.fixture
def fake_boundaries(monkeypatch, index):
    class Boundaries:
        def __init__(self, _path):
            self.index = index

    monkeypatch.setattr("sanctuary_map.boundaries.load_boundaries", Boundaries)


def test_ingest_cli_writes_tables_and_reports(tmp_path, capsys, fake_boundaries):
    first = write_xlsx(tmp_path / "participatingAgencies.xlsx", [
        row("Orange County Sheriff's Office"), row("Ocoee Police Department"), row("", model="Task Force Model")])
    assert ag.ingest_cli(cli_args(tmp_path, first, "2025-05-01")) == 0
    out = capsys.readouterr().out
    assert "participatingAgencies.xlsx:6: missing agency: row left out" in out
    assert "2 new, 0 ended" in out
    second = write_xlsx(tmp_path / "participatingAgencies05152025am.xlsx", [row("Orange County Sheriff's Office")])
    assert ag.ingest_cli(cli_args(tmp_path, second)) == 0
    out = capsys.readouterr().out
    assert "0 new, 1 ended" in out and "Ocoee Police Department" in out
    for name in ("287g_agreements.csv", "287g_snapshots.csv", "287g_review.csv", "287g_unresolved.csv"):
        assert (tmp_path / name).exists()
    assert len(ag.load_agreements(tmp_path / "287g_agreements.csv").snapshots) == 2


def test_ingest_cli_fails_cleanly(tmp_path, capsys, fake_boundaries):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"garbage")
    assert ag.ingest_cli(cli_args(tmp_path, broken)) == 1
    assert "broken.xlsx" in capsys.readouterr().err
    undated = write_xlsx(tmp_path / "participatingAgencies.xlsx", [row("Orange County Sheriff's Office")])
    assert ag.ingest_cli(cli_args(tmp_path, undated)) == 1
    assert "--captured" in capsys.readouterr().err
    assert ag.ingest_cli(cli_args(tmp_path, undated, "2025-02-30")) == 1
    assert not (tmp_path / "287g_agreements.csv").exists()


# ---------------------------------------------------------------------------- map, profile and ledger helpers
def _View(as_of: str, models: tuple[str, ...] = ()) -> View:
    return View(as_of=as_of, models=models)


def test_map_helpers_follow_the_history(tmp_path, index):
    table, _ = ingest_files(
        tmp_path, index,
        ("a05012025am.xlsx", [row("Orange County Sheriff's Office", signed=dt.datetime(2025, 4, 1)),
                              row("Orange County Sheriff's Office", "Warrant Service Officer", signed=""),
                              row("Los Angeles County Sheriff's Office", state="CALIFORNIA", county="Los Angeles County")]),
        ("a06012025am.xlsx", [row("Orange County Sheriff's Office", signed=dt.datetime(2025, 4, 1)),
                              row("Orange County Sheriff's Office", "Warrant Service Officer", signed="")]),
    )
    assert len(ag.active_on(table, "2025-02-01")) == 0  # before signing or first sight
    assert len(ag.active_on(table, "2025-05-01")) == 3  # an ended agreement counts through its last capture
    assert len(ag.active_on(table, "2025-07-01")) == 2  # Los Angeles ended after 2025-05-01
    assert _agreement_lookup(agreements_shown(_View("2025-07-01"), table)) == {"county": {"12095": "task_force"}}
    only_wso = _agreement_lookup(agreements_shown(_View("2025-07-01", ("warrant_service_officer",)), table))
    assert only_wso == {"county": {"12095": "warrant_service_officer"}}
    found = ag.for_jurisdiction(agreements_shown(_View("2025-05-01"), table), "county", "06037")
    assert [a["agency"] for a in found] == ["Los Angeles County Sheriff's Office"]
    events = ag.ledger_rows(table)
    assert {e["event"] for e in events} == {"287g_signed", "287g_ended"}  # nothing first seen after the first capture
    ended = next(e for e in events if e["event"] == "287g_ended")
    assert (ended["date"], ended["geoid"]) == ("2025-06-01", "06037")


def test_load_for_map_reports_boundaries_missing_from_the_index(tmp_path, index):
    table, _ = ingest_files(tmp_path, index, ("a05012025am.xlsx", [row("Orange County Sheriff's Office")]))
    path = tmp_path / "287g_agreements.csv"
    ag.write_tables(table, path)

    class Boundaries:
        def __init__(self, frame):
            self.index = frame

    assert not ag.load_for_map(path, Boundaries(index)).problems
    smaller = index[index["geoid"] != "12095"]
    problems = ag.load_for_map(path, Boundaries(smaller)).problems
    assert len(problems) == 1 and "12095" in str(problems[0])
    bad = tmp_path / "bad.csv"
    bad.write_text("a\n1\n", encoding="utf-8")
    loaded = ag.load_for_map(bad)
    assert loaded.rows.empty and loaded.problems


def test_county_equivalents_independent_cities_parishes_boroughs():
    rows = [("county", "29510", "St. Louis", "St. Louis city", "MO"), ("county", "29189", "St. Louis", "St. Louis County", "MO"),
            ("county", "51760", "Richmond", "Richmond city", "VA"), ("county", "51159", "Richmond", "Richmond County", "VA"),
            ("county", "22071", "Orleans", "Orleans Parish", "LA"), ("county", "02150", "Kodiak Island",
                                                                     "Kodiak Island Borough", "AK")]
    index = pd.DataFrame([(*r, r[1][:2], r[1]) for r in rows],
                         columns=["layer", "geoid", "name", "name_full", "state", "statefp", "counties"])
    cases = [("City of St. Louis Sheriff's Office", "MO", "", "29510"),
             ("St. Louis County Sheriff's Office", "MO", "", "29189"),
             ("Richmond City Sheriff's Office", "VA", "", "51760"),
             ("Richmond County Sheriff's Office", "VA", "Richmond County", "51159"),
             ("Richmond Sheriff's Office", "VA", "Richmond", "51159"),  # bare name: the county, not the city
             ("Orleans Parish Sheriff's Office", "LA", "", "22071"),
             ("Kodiak Police Department", "AK", "Kodiak Island Borough", "02150")]
    for agency, state, county, geoid in cases:
        assert ag.resolve(agency, state, county, "", index).geoid == geoid, agency


def test_an_impossible_signing_date_is_kept_as_published_but_not_used():
    from sanctuary_map.agreements.parsing import parse_signed

    assert parse_signed("5025-07-07") == ("5025-07-07", "")  # a typo in ICE's list: not a date in force
    assert parse_signed("1990-01-01")[1] == ""  # before 287(g) existed
    assert parse_signed("2025-07-07") == ("2025-07-07", "2025-07-07")
