"""Search records: "researched, none found" as data (``data/searched.csv``).

Each row says that someone searched the sources for a jurisdiction's instruments, when, what
was searched and with what result, for the jurisdictions of a cited list (the most populous
cities, the largest school districts).  A jurisdiction with no instrument in the policy table
then reads "no instrument found as of <date>" instead of "not yet researched", on the map, in
profiles and in search.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import i18n
from .i18n import _
from .policies import Problem, common_problems, read_checked_csv
from .vocab import LAYERS, SEARCH_RESULTS, STATE_FIPS

COLUMNS = ("jurisdiction_name", "layer", "geoid", "state", "list", "list_rank", "list_source", "geoid_source",
           "date_searched", "searched", "result", "notes")


def load_searched(path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    def problems(rec: dict[str, str]) -> list[tuple[str, str]]:
        bad = common_problems(rec, required=("jurisdiction_name", "layer", "state", "date_searched", "searched", "result"),
                              enums={"layer": LAYERS, "result": tuple(SEARCH_RESULTS), "state": tuple(STATE_FIPS)},
                              dates=("date_searched",), text=("jurisdiction_name", "searched", "notes"))
        if rec["geoid"] and not (rec["geoid"].isdigit() and rec["geoid"][:2] == STATE_FIPS.get(rec["state"], "")):
            bad.append(("geoid", f"GEOID {rec['geoid'][:12]!r} does not start with {rec['state']}'s FIPS code"))
        return bad

    return read_checked_csv(path, COLUMNS, problems)


def record_for(table: pd.DataFrame | None, layer: str, geoid: str) -> dict | None:
    """The search record of one jurisdiction, if any (the latest)."""
    if table is None or table.empty or not geoid:
        return None
    hit = table[(table["layer"] == layer) & (table["geoid"] == geoid)]
    return None if hit.empty else hit.sort_values("date_searched").iloc[-1].to_dict()


def research_status(record: dict | None) -> str:
    """A sentence for a jurisdiction with no instrument in the table."""
    if record is None:
        return _("Not yet researched: no search of this jurisdiction's records is on file.")
    day = i18n.day(record["date_searched"])
    if record["result"] == "none_found":
        return _("No instrument found as of {day} (searched: {searched}).").format(day=day, searched=record["searched"][:160])
    if record["result"] == "leads_unverified":
        return _("Searched on {day}: leads were found but none could be confirmed with a dated page, so none is "
                 "listed yet.").format(day=day)
    return _("Searched on {day}: instruments found (see the table).").format(day=day)
