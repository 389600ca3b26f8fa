"""What the app shows of the agreements: loading for the map, in force on a day, per jurisdiction, ledger events,
counts."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import i18n
from ..i18n import _
from ..join import rows_for
from ..policies import Problem
from ..vocab import MODEL_LABEL
from .schema import AgreementError
from .table import AgreementTable, load_agreements

# Colour of a boundary holding agreements of several models: the widest in scope first.
MODEL_PRIORITY = ("task_force", "jail_enforcement", "warrant_service_officer", "other")


def load_for_map(path: Path, boundaries: object | None = None) -> AgreementTable:
    """The committed table for the app; a table that cannot be read gives an empty one with the problem."""
    try:
        table = load_agreements(Path(path))
    except AgreementError as exc:
        table = AgreementTable.empty()
        table.problems.append(Problem(Path(path).name, None, None, str(exc)))
    index = getattr(boundaries, "index", None)
    if index is not None and len(table.rows):
        known = set(zip(index["layer"].astype(str), index["geoid"].astype(str)))
        placed = table.rows["geoid"] != ""
        missing = placed & ~pd.Series([(a, b) in known for a, b in zip(table.rows["geoid_layer"], table.rows["geoid"])],
                                      index=table.rows.index)
        for rno in table.rows.index[missing]:
            r = table.rows.loc[rno]
            table.problems.append(Problem(table.source, None, "geoid", f"{r['agreement_id']}: {r['geoid_layer']} "
                                          f"{r['geoid']} is not in the boundary index (shown in tables, not on the map)"))
    return table


def began(rows: pd.DataFrame) -> pd.Series:
    """The first day an agreement is known to exist: its signing date, or its first sighting if earlier or unknown."""
    first = rows["first_seen"]
    signed = rows["signed_date"]
    return signed.where((signed != "") & ((first == "") | (signed <= first)), first)


def active_on(table: AgreementTable, as_of: str) -> pd.DataFrame:
    """Agreements in force on ``as_of`` (ISO day): begun by then, and not ended — an ended agreement counts
    through the last capture it was in (``ended_after``); what happened until ``ended_by`` is unknown."""
    rows = table.rows
    if rows.empty:
        return rows
    start = began(rows)
    live = (rows["status"] == "active") | (rows["ended_after"] >= as_of)
    return rows[(start != "") & (start <= as_of) & live]


def for_jurisdiction(shown: pd.DataFrame, layer: str, geoid: str) -> list[dict]:
    """The agreements of a view's selection (``Selection.agreements``) placed on one boundary, as plain dicts."""
    if shown.empty:
        return []
    rows = rows_for(shown, layer, geoid)
    out = []
    for r in rows.sort_values(["agency", "model"]).to_dict("records"):
        out.append({**r, "signed": r["signed_date"] or r["signed"], "model_label": MODEL_LABEL.get(r["model"], r["model"])})
    return out


def ledger_rows(table: AgreementTable) -> list[dict]:
    """Dated events for the ledger: signed, first on ICE's list (after the first capture), gone from it."""
    rows = table.rows
    if rows.empty:
        return []
    first_capture = min(table.snapshots["capture_date"], default="") if len(table.snapshots) else ""
    first_capture = first_capture or rows["first_seen"].min()
    out: list[dict] = []
    for r in rows.to_dict("records"):
        model = MODEL_LABEL.get(r["model"], r["model"])
        label = f"{r['agency']}: {_(model)}"
        base = {"kind": "287g", "jurisdiction_name": r["geoid_name"] or r["agency"], "geoid": r["geoid"],
                "geoid_layer": r["geoid_layer"], "state": r["state"], "source_id": r["agreement_id"], "stance": "",
                "source_url": r["moa_url"]}
        if r["signed_date"]:
            said = (_("{agreement} — signed (date from ICE's list)") if r["signed_source"] == "ice_list"
                    else _("{agreement} — signed (date from the MOA file name)"))
            out.append({**base, "date": r["signed_date"], "event": "287g_signed", "summary": said.format(agreement=label)})
        if r["first_seen"] and r["first_seen"] > first_capture:
            said = (_("{agreement} — first seen in ICE's list") if r["evidence"] == "ice_list"
                    else _("{agreement} — first seen in the archive of ICE's MOA files"))
            out.append({**base, "date": r["first_seen"], "event": "287g_first_seen", "summary": said.format(agreement=label)})
        if r["status"] == "ended":
            out.append({**base, "date": r["ended_by"] or r["ended_after"], "event": "287g_ended",
                        "summary": _("{agreement} — gone from ICE's list (last seen {day})").format(
                            agreement=label, day=i18n.day(r["ended_after"]))})
    return out


def counts_by_model_and_state(rows: pd.DataFrame) -> pd.DataFrame:
    """Agreements by state (rows) and model (columns), with totals: "how many, by model and by state"."""
    from ..vocab import MODELS, STATE_NAMES

    if rows.empty:
        return pd.DataFrame(columns=["State", *(MODEL_LABEL[m] for m in MODELS), "Total"])
    table = pd.crosstab(rows["state"], rows["model"]).reindex(columns=list(MODELS), fill_value=0)
    table.columns = [MODEL_LABEL[m] for m in table.columns]
    table["Total"] = table.sum(axis=1)
    table = table.sort_values("Total", ascending=False, kind="stable")
    table.loc["All states"] = table.sum()
    table.index = [STATE_NAMES.get(s, s) for s in table.index]
    return table.rename_axis("State").reset_index()


def last_complete_capture(table: AgreementTable) -> str:
    """The date of the last complete ICE list among the captures ('' if none)."""
    snaps = table.snapshots
    if snaps is None or not len(snaps) or "complete" not in snaps:
        return ""
    done = snaps.loc[snaps["complete"] == "Y", "capture_date"]
    return str(done.max()) if len(done) else ""
