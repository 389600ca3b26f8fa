"""Folding one capture into the table (:func:`ingest`): matching by key, name and model; new, ended, returned and
changed agreements (:class:`IngestReport`); :func:`replay` of many captures."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from ..vocab import MODEL_LABEL
from .names import agreement_id, agreement_key, normalise_agency, same_agency
from .resolve import Resolution, resolve
from .schema import AGREEMENT_COLUMNS, RESIGNED_DAYS, SNAPSHOT_COLUMNS, AgreementError, Capture, CaptureProblem, CaptureRow
from .table import AgreementTable, _frame


@dataclass
class Change:
    agreement_id: str
    agency: str
    state: str
    what: str          # 'name', 'model' or 'signed'
    before: str
    after: str
    score: float | None = None

    def __str__(self) -> str:
        extra = f" (approximate name match, {self.score:.0f})" if self.score is not None else ""
        return f"{self.state} {self.agency}: {self.what} {self.before or '(blank)'!s} -> {self.after or '(blank)'}{extra}"


@dataclass
class IngestReport:
    """What one capture changed."""

    file: str
    captured: str
    kind: str
    complete: bool
    rows: int
    new: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    problems: list[CaptureProblem] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = (f"{self.file} (captured {self.captured}, {self.rows} rows"
                f"{'' if self.complete else ', partial: absences end nothing'}): "
                f"{len(self.new)} new, {len(self.ended)} ended, {len(self.changed)} changed, "
                f"{len(self.returned)} returned, {len(self.problems)} bad rows")
        out = [head]
        for title, items in (("new", self.new), ("ended", self.ended), ("returned", self.returned),
                             ("changed", [str(c) for c in self.changed]),
                             ("not placed on the map", self.unresolved)):
            if items:
                out.append(f"  {title} ({len(items)}):")
                out.extend(f"    {x}" for x in items)
        return out


def _describe(rec: dict) -> str:
    return f"{rec['state']} {rec['agency']} — {MODEL_LABEL.get(rec['model'], rec['model'])} [{rec['agreement_id']}]"


def _append(rec: dict, column: str, text: str, sep: str) -> None:
    rec[column] = sep.join(x for x in (rec[column], text) if x)


def _set_resolution(rec: dict, res: Resolution) -> None:
    rec.update(geoid=res.geoid, geoid_layer=res.layer, geoid_name=res.name, match=res.match, match_note=res.note,
               match_score="" if res.score is None else f"{res.score:.0f}")


@dataclass
class _Matching:
    """How the rows of one capture map onto known agreements (indexes into the records)."""

    matched: dict[int, CaptureRow] = field(default_factory=dict)
    renamed: dict[int, float] = field(default_factory=dict)
    remodelled: set[int] = field(default_factory=set)
    new: list[CaptureRow] = field(default_factory=list)


def _check_order(table: AgreementTable, capture: Capture) -> str:
    if capture.captured is None:
        raise AgreementError(f"{capture.file}: no capture date; give one (YYYY-MM-DD)")
    day = capture.captured.isoformat()
    last = table.last_capture
    if last and day < last:
        raise AgreementError(f"{capture.file}: captured {day}, before the latest capture already ingested "
                             f"({last}); rebuild the table from the archives to insert an older capture")
    if capture.sha256 and (capture.sha256, day) in set(zip(table.snapshots["sha256"], table.snapshots["capture_date"])):
        raise AgreementError(f"{capture.file}: this exact file is already ingested for {day}")
    return day


def _match_keys(records: list[dict], capture: Capture) -> _Matching:
    by_key = {agreement_key(r["state"], r["agency"], r["model"]): i for i, r in enumerate(records)}
    m = _Matching()
    for row in capture.rows:
        i = by_key.get(agreement_key(row.state, row.agency, row.model))
        if i is not None and i not in m.matched:
            m.matched[i] = row
        else:
            m.new.append(row)
    return m


def _match_names(records: list[dict], capture: Capture, m: _Matching) -> None:
    """Approximate names, same state and model; a complete capture only takes agreements it has not matched."""
    pools: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        pools[(r["state"], r["model"])].append(i)
    rest: list[CaptureRow] = []
    for row in m.new:
        pool = pools.get((row.state, row.model), [])
        if capture.complete:
            pool = [i for i in pool if i not in m.matched]
        scored = sorted(((s, i) for i in pool if (s := same_agency(row.agency, records[i]["agency"], row.state))),
                        reverse=True)
        if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            rest.append(row)
        elif scored[0][1] not in m.matched:  # (a partial capture may sight one agreement twice: once is enough)
            m.matched[scored[0][1]] = row
            m.renamed[scored[0][1]] = scored[0][0]
    m.new = rest


def _drop_unmodelled(records: list[dict], m: _Matching) -> None:
    """Partial captures: an MOA file naming no model, for an agency already known, adds nothing."""
    known: dict[str, list[str]] = defaultdict(list)
    for r in records:
        known[r["state"]].append(r["agency"])
    m.new = [row for row in m.new if row.model != "other" or not any(
        same_agency(row.agency, other, row.state) for other in known[row.state])]


def _match_models(records: list[dict], m: _Matching) -> None:
    """Complete captures: one agreement of an agency vanished and one of another model appeared -> changed model."""
    vanished: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        if i not in m.matched and r["status"] == "active":
            vanished[(r["state"], normalise_agency(r["agency"]))].append(i)
    appeared: dict[tuple[str, str], list[CaptureRow]] = defaultdict(list)
    for row in m.new:
        appeared[(row.state, normalise_agency(row.agency))].append(row)
    for key, rows in appeared.items():
        gone = vanished.get(key, [])
        if len(rows) == 1 and len(gone) == 1:
            m.matched[gone[0]] = rows[0]
            m.remodelled.add(gone[0])
            m.new.remove(rows[0])


def _snapshot(capture: Capture, day: str, report: IngestReport) -> dict[str, str]:
    return {
        "capture_date": day, "file": capture.file, "kind": capture.kind, "complete": "Y" if capture.complete else "N",
        "rows": str(len(capture.rows)), "problems": str(len(capture.problems)), "new": str(len(report.new)),
        "ended": str(len(report.ended)), "changed": str(len(report.changed)), "returned": str(len(report.returned)),
        "repository": capture.repository, "path": capture.path, "commit": capture.commit, "sha256": capture.sha256,
    }


def ingest(table: AgreementTable, capture: Capture, index: pd.DataFrame,
           directory: pd.DataFrame | None = None) -> tuple[AgreementTable, IngestReport]:
    """Fold one capture into the table; return the new table and what changed.

    Complete capture: rows are matched to known agreements by key, then — for the rest —
    by approximate name among the same state's agreements of the same model that this
    capture has not matched (a changed name, listed for review), then as a changed model
    (one agreement of an agency vanished, one of another model appeared).  Unmatched rows
    are new; known active agreements the capture lacks are ended (``ended_after`` = the
    last capture they were in, ``ended_by`` = this one).  A partial capture only adds
    sightings and new agreements.  Captures must be ingested oldest first.
    """
    day = _check_order(table, capture)
    records = [dict(r) for r in table.rows.to_dict("records")]
    known = len(records)
    report = IngestReport(capture.file, day, capture.kind, capture.complete, len(capture.rows),
                          problems=list(capture.problems))
    m = _match_keys(records, capture)
    _match_names(records, capture, m)
    if capture.complete:
        _match_models(records, m)
    else:
        _drop_unmodelled(records, m)
    for i, row in m.matched.items():
        _update(records[i], row, capture, day, report, m.renamed.get(i), i in m.remodelled, index, directory)
    taken = {r["agreement_id"] for r in records}
    placed = {(r["state"], normalise_agency(r["agency"])): r for r in records if r["match"] != "unresolved"}
    for row in m.new:
        rec = _new_record(row, capture, day, taken, index, directory, placed)
        taken.add(rec["agreement_id"])
        records.append(rec)
        report.new.append(_describe(rec))
        if rec["match"] == "unresolved":
            report.unresolved.append(f"{_describe(rec)}: {rec['match_note']}")
    if capture.complete:
        for i, rec in enumerate(records[:known]):
            if i not in m.matched and rec["status"] == "active":
                rec.update(status="ended", ended_after=rec["last_seen"], ended_by=day)
                _append(rec, "history", f"{day}: not in the list (ended after {rec['last_seen']})", "; ")
                report.ended.append(_describe(rec))
    snapshot = _frame([_snapshot(capture, day, report)], SNAPSHOT_COLUMNS)
    snapshots = pd.concat([table.snapshots, snapshot], ignore_index=True) if len(table.snapshots) else snapshot
    return AgreementTable(_frame(records, AGREEMENT_COLUMNS), snapshots, list(table.problems), table.source), report


def _new_record(row: CaptureRow, capture: Capture, day: str, taken: set[str], index: pd.DataFrame,
                directory: pd.DataFrame | None, placed: dict[tuple[str, str], dict]) -> dict:
    rec = {c: "" for c in AGREEMENT_COLUMNS}
    rec.update(
        agreement_id=agreement_id(row.state, row.agency, row.model, taken), agency=row.agency, state=row.state,
        county=row.county, agency_type=row.agency_type, model=row.model, signed=row.signed,
        signed_date=row.signed_date, signed_source=_signed_source(row, capture), first_seen=day, last_seen=day,
        status="active", captures="1", evidence="ice_list" if capture.complete else "moa_archive",
        source_file=capture.file, captured=day, moa_url=row.moa_url,
    )
    res = resolve(row.agency, row.state, row.county, row.agency_type, index, directory)
    sibling = placed.get((row.state, normalise_agency(row.agency)))
    if res.match == "unresolved" and sibling is not None:  # the agency's other agreement was placed
        res = Resolution(sibling["geoid"], sibling["geoid_layer"], sibling["match"],
                         f"as {sibling['agreement_id']}: {sibling['match_note']}",
                         float(sibling["match_score"]) if sibling["match_score"] else None, sibling["geoid_name"])
    _set_resolution(rec, res)
    return rec


def _signed_source(row: CaptureRow, capture: Capture) -> str:
    if not row.signed_date:
        return ""
    return "ice_list" if capture.kind == "ice_list" else "moa_file_name"


def _update(rec: dict, row: CaptureRow, capture: Capture, day: str, report: IngestReport, fuzzy: float | None,
            remodelled: bool, index: pd.DataFrame, directory: pd.DataFrame | None) -> None:
    before = (rec["agency"], rec["county"], rec["agency_type"])
    if rec["status"] == "ended":
        report.returned.append(_describe(rec))
        _append(rec, "history", f"{day}: back in the list (had ended after {rec['ended_after']})", "; ")
        rec.update(status="active", ended_after="", ended_by="")
    rec["last_seen"] = max(rec["last_seen"], day)
    rec["captures"] = str(int(rec["captures"] or 0) + 1)
    rec.update(source_file=capture.file, captured=day)
    if not capture.complete:
        if not rec["moa_url"]:
            rec["moa_url"] = row.moa_url
        if row.signed_date and not rec["signed_date"]:
            rec.update(signed_date=row.signed_date, signed_source="moa_file_name")
        elif row.signed_date and rec["signed_date"] and (
                dt.date.fromisoformat(row.signed_date) - dt.date.fromisoformat(rec["signed_date"])).days > RESIGNED_DAYS:
            report.changed.append(Change(rec["agreement_id"], rec["agency"], rec["state"], "signed",
                                         rec["signed_date"], row.signed_date))
            _append(rec, "history", f"{day}: MOA file dated {row.signed_date} (was {rec['signed_date']})", "; ")
            rec.update(signed_date=row.signed_date, signed_source="moa_file_name")
        if fuzzy is not None and row.agency != rec["agency"]:
            _append(rec, "history", f"{day}: MOA archive names it {row.agency!r} ({fuzzy:.0f})", "; ")
        return
    rec["evidence"] = "ice_list"
    if fuzzy is not None and row.agency != rec["agency"]:
        report.changed.append(Change(rec["agreement_id"], rec["agency"], rec["state"], "name", rec["agency"],
                                     row.agency, fuzzy))
        _append(rec, "former_names", rec["agency"], " | ")
        _append(rec, "history", f"{day}: name {rec['agency']!r} -> {row.agency!r} (approximate, {fuzzy:.0f})", "; ")
    if remodelled:
        report.changed.append(Change(rec["agreement_id"], rec["agency"], rec["state"], "model", rec["model"], row.model))
        _append(rec, "history", f"{day}: model {rec['model']} -> {row.model}", "; ")
    if row.signed_date and rec["signed_date"] and row.signed_date != rec["signed_date"]:
        report.changed.append(Change(rec["agreement_id"], rec["agency"], rec["state"], "signed", rec["signed_date"],
                                     row.signed_date))
        _append(rec, "history", f"{day}: signed {rec['signed_date']} -> {row.signed_date}", "; ")
    rec.update(agency=row.agency, model=row.model)
    if row.signed_date:
        rec.update(signed=row.signed, signed_date=row.signed_date, signed_source="ice_list")
    elif row.signed:  # unparseable: keep ICE's text; a date read from an MOA file name stays
        rec["signed"] = row.signed
        if rec["signed_source"] == "ice_list":
            rec.update(signed_date="", signed_source="")
    if row.county:
        rec["county"] = row.county
    if row.agency_type:
        rec["agency_type"] = row.agency_type
    if row.moa_url:
        rec["moa_url"] = row.moa_url
    if (rec["agency"], rec["county"], rec["agency_type"]) != before or rec["match"] == "unresolved":
        res = resolve(rec["agency"], rec["state"], rec["county"], rec["agency_type"], index, directory)
        if res.match != "unresolved" or rec["match"] == "unresolved":  # never lose a placement
            _set_resolution(rec, res)


def replay(captures: Iterable[Capture], index: pd.DataFrame, directory: pd.DataFrame | None = None,
           table: AgreementTable | None = None) -> tuple[AgreementTable, list[IngestReport]]:
    """Ingest captures oldest first (complete before partial on the same day)."""
    table = table or AgreementTable.empty()
    reports = []
    ordered = sorted(captures, key=lambda c: (c.captured or dt.date.min, not c.complete))
    for cap in ordered:
        table, report = ingest(table, cap, index, directory)
        reports.append(report)
    return table, reports
