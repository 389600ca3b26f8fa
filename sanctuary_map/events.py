"""One dated ledger of everything that happened, derived from all tables (never kept by hand).

Policies give adoption, taking effect, and their later status (amended, codified, superseded,
repealed, enjoined, struck down, expired, failed) and relations; the litigation table gives
court events; 287(g) agreements give signing, first appearance on ICE's list and ending;
federal lists give listing and withdrawal.  Dates stay as precise as their source: a month-
only date is kept as ``YYYY-MM`` and sorts at the start of its month.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .data import MapData
from .dates import date_ceil, date_floor, parse_partial_date  # noqa: F401  (date_ceil re-exported)
from .i18n import N_, _
from .vocab import (
    FEDERAL_LIST_LABEL,
    INSTRUMENT_LABEL,
    LITIGATION_LABEL,
    RELATION_INVERSE,
    STATUS_LABEL,
    word,
)

COLUMNS = ("date", "event", "kind", "jurisdiction_name", "geoid", "geoid_layer", "state", "source_id", "stance", "summary",
           "source_url")
# English labels (N_: translated where shown, see event_label); the court events read "Court: <litigation label>".
EVENT_LABEL = {
    "adopted": N_("Adopted"), "effective": N_("Took effect"), "amended": N_("Amended"), "codified": N_("Codified"),
    "superseded": N_("Superseded"), "repealed": N_("Repealed"), "enjoined": N_("Blocked by a court"),
    "struck_down": N_("Struck down"), "expired": N_("Expired"), "failed": N_("Failed"),
    **{f"court_{k}": f"Court: {v}" for k, v in LITIGATION_LABEL.items()},
    "287g_signed": N_("287(g) agreement signed"), "287g_first_seen": N_("287(g) agreement first on ICE's list"),
    "287g_ended": N_("287(g) agreement gone from ICE's list"), "listed": N_("Named on a federal list"),
    "withdrawn": N_("Federal listing withdrawn"),
}
KINDS = {"policy": N_("Instruments"), "litigation": N_("Court cases"), "287g": N_("287(g) agreements"),
         "federal": N_("Federal lists")}



def event_label(event: str) -> str:
    """An event code in words, in the current language."""
    if event.startswith("court_") and event[6:] in LITIGATION_LABEL:
        return _("Court: {event}").format(event=_(LITIGATION_LABEL[event[6:]]))
    return _(EVENT_LABEL.get(event, event))


def _policy_events(p: pd.DataFrame) -> list[dict]:
    out = []
    titles = dict(zip(p["policy_id"], p["title"]))
    status_dated = {(r["policy_id"]) for r in p.to_dict("records") if r["status_date"]}
    for r in p.to_dict("records"):
        base = {"kind": "policy", "jurisdiction_name": r["jurisdiction_name"], "geoid": r["geoid"],
                "geoid_layer": r["geoid_layer"], "state": r["state"], "source_id": r["policy_id"], "stance": r["stance"],
                "source_url": r["source_url"]}
        what = f"{_(INSTRUMENT_LABEL.get(r['instrument_type'], r['instrument_type']))}: {r['title']}"
        if r["date_adopted"]:
            out.append({**base, "date": r["date_adopted"], "event": "adopted", "summary": what})
        if r["date_effective"] and r["date_effective"] != r["date_adopted"]:
            out.append({**base, "date": r["date_effective"], "event": "effective", "summary": what})
        if r["status_date"] and r["status"] in ("amended", "codified", "superseded", "repealed", "enjoined", "struck_down",
                                                  "expired", "failed"):
            out.append({**base, "date": r["status_date"], "event": r["status"],
                        "summary": f"{what} — {_(STATUS_LABEL[r['status']]).lower()}"})
        target = r["relates_to"]
        if target and r["relation"] in ("amends", "codifies", "supersedes") and target not in status_dated and r["date_adopted"]:
            t = p[p["policy_id"] == target]
            if len(t):
                t0 = t.iloc[0]
                out.append({**base, "jurisdiction_name": t0["jurisdiction_name"], "geoid": t0["geoid"],
                            "geoid_layer": t0["geoid_layer"], "state": t0["state"], "source_id": target,
                            "stance": t0["stance"], "date": r["date_adopted"],
                            "event": {"amends": "amended", "codifies": "codified", "supersedes": "superseded"}[r["relation"]],
                            "summary": f"{titles[target]} — {_(RELATION_INVERSE[r['relation']])} {r['title']}"})
    return out


def _litigation_events(lit: pd.DataFrame, p: pd.DataFrame) -> list[dict]:
    by_id = p.set_index("policy_id")
    out = []
    for r in lit.to_dict("records"):
        if r["policy_id"] not in by_id.index:
            continue
        pol = by_id.loc[r["policy_id"]]
        out.append({"date": r["date"], "event": f"court_{r['event']}", "kind": "litigation",
                    "jurisdiction_name": pol["jurisdiction_name"], "geoid": pol["geoid"], "geoid_layer": pol["geoid_layer"],
                    "state": pol["state"], "source_id": r["policy_id"], "stance": pol["stance"],
                    "summary": f"{r['case_name']} ({r['court']}): {r['summary']}".strip(), "source_url": r["source_url"]})
    return out


def _agreement_events(data: MapData) -> list[dict]:
    if data.agreements is None:
        return []
    from .agreements import ledger_rows

    return ledger_rows(data.agreements)


def _federal_events(data: MapData) -> list[dict]:
    t = data.designations
    if t is None or not len(t.rows):
        return []
    out = []
    for r in t.rows.to_dict("records"):
        base = {"kind": "federal", "jurisdiction_name": r["name_as_published"], "geoid": r["geoid"],
                "geoid_layer": r["geoid_layer"], "state": r["state"], "source_id": r["list"], "stance": "",
                "source_url": r["source_url"]}
        out.append({**base, "date": r["date_listed"], "event": "listed",
                    "summary": _("Named on the {list} as “{name}”").format(list=word(FEDERAL_LIST_LABEL, r["list"]),
                                                                            name=r["name_as_published"])})
        if r["date_withdrawn"]:
            out.append({**base, "date": r["date_withdrawn"], "event": "withdrawn",
                        "summary": _("{list}: listing of “{name}” withdrawn").format(
                            list=word(FEDERAL_LIST_LABEL, r["list"]), name=r["name_as_published"])})
    return out


def ledger(data: MapData) -> pd.DataFrame:
    """Every event, oldest first; ``date`` keeps the source's precision, ``sort_date`` is its first day."""
    rows = (_policy_events(data.policies) + _litigation_events(data.litigation, data.policies) + _agreement_events(data)
            + _federal_events(data))
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["sort_date"] = frame["date"].map(date_floor)
    frame["end_date"] = frame["date"].map(date_ceil)
    frame["event_label"] = frame["event"].map(event_label)
    frame = frame[frame["sort_date"] != ""]
    return frame.sort_values(["sort_date", "end_date", "kind", "jurisdiction_name"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Window:
    start: str  # ISO day, inclusive
    end: str

    def contains(self, frame: pd.DataFrame) -> pd.Series:
        """Events whose date (or period, for a partial date) overlaps the window."""
        return (frame["end_date"] >= self.start) & (frame["sort_date"] <= self.end)


def changes(data: MapData, start: str, end: str, kinds: tuple[str, ...] = ()) -> pd.DataFrame:
    ev = ledger(data)
    ev = ev[Window(start, end).contains(ev)]
    if kinds:
        ev = ev[ev["kind"].isin(kinds)]
    return ev.reset_index(drop=True)

