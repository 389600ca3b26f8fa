"""What the table covers: counts by state x level x stance, source quality, boundaries, partial dates."""
from __future__ import annotations

from urllib.parse import urlparse

import pandas as pd

from .data import MapData
from .vocab import LEVELS, STANCES

# Press-release wires that reprint an office's release word for word: such a row counts as official when the page
# names the office as author (the source title says so); the coverage report counts them apart so readers can judge.
# InsiderNJ is a news site, but its press-release section prints New Jersey offices' releases whole; only those pages
# are cited as official, so the host is counted here with the wires.
RELEASE_WIRES = ("einpresswire.com", "targetednews.com", "pubt.io", "redtowns.com", "prnewswire.com", "businesswire.com",
                 "insidernj.com")


def on_release_wire(url: str) -> bool:
    host = urlparse(url).netloc.lower().split(":")[0]
    return any(host == w or host.endswith("." + w) for w in RELEASE_WIRES)


def official_counts(policies: pd.DataFrame) -> tuple[int, int]:
    """Rows citing an official page first, and how many of those are an office's release reprinted by a wire."""
    official = policies["source_kind"] == "official"
    return int(official.sum()), int((official & policies["source_url"].map(on_release_wire)).sum())


def coverage(data: MapData) -> dict:
    p = data.policies
    by = p.groupby(["state", "jurisdiction_level", "stance"]).size()
    table: dict[str, dict[str, dict[str, int]]] = {}
    for (state, level, stance), n in by.items():
        table.setdefault(state, {}).setdefault(level, {})[stance] = int(n)
    statewide = sorted(set(p.loc[p["jurisdiction_level"] == "state", "state"]))
    districts = p[p["jurisdiction_level"] == "school_district"]
    official, via_wire = official_counts(p)
    partial = p[(p["date_adopted"] != "") & (p["date_adopted"].str.len() < 10)]
    unmatched = data.joined.unmatched if data.joined is not None else p.assign(reason=data.boundary_error or "no boundaries")
    return {
        "instruments": int(len(p)),
        "invalid_rows": len(data.table.invalid_rows),
        "states_with_statewide_instrument": len(statewide),
        "statewide_states": statewide,
        "states_any_level": int(p["state"].nunique()),
        "by_stance": {s: int((p["stance"] == s).sum()) for s in STANCES},
        "by_level": {lvl: int((p["jurisdiction_level"] == lvl).sum()) for lvl in LEVELS},
        "school_district_rows": int(len(districts)),
        "school_district_states": int(districts["state"].nunique()),
        "official_sources": official,
        "official_share": round(official / len(p), 4) if len(p) else 0.0,
        "official_via_release_wire": via_wire,
        "by_source_kind": {k: int(v) for k, v in p["source_kind"].value_counts().items()},
        "second_source_where_not_official": int(((p["source_kind"] != "official") & (p["source_url_2"] != "")).sum()),
        "without_boundary": [{"policy_id": r["policy_id"], "jurisdiction": r["jurisdiction_name"], "state": r["state"],
                              "reason": r["reason"]} for r in unmatched.to_dict("records")],
        "partial_dates": [{"policy_id": r["policy_id"], "date_adopted": r["date_adopted"]} for r in partial.to_dict("records")],
        "by_state_level_stance": table,
        "dataset_version": data.version,
    }


def _statewide_line(states: list[str]) -> str:
    """'43 states + DC: AL, ...' (DC counts as a state-level jurisdiction in the table, not as a state)."""
    n = len([s for s in states if s != "DC"])
    return f"statewide instruments in {n} states{' + DC' if 'DC' in states else ''}: {', '.join(states)}"


def coverage_text(report: dict) -> str:
    lines = [f"{report['instruments']} instruments ({report['invalid_rows']} invalid rows left out); dataset {report['dataset_version']}",
             _statewide_line(report['statewide_states']),
             "by stance: " + ", ".join(f"{k} {v}" for k, v in report["by_stance"].items()),
             "by level: " + ", ".join(f"{k} {v}" for k, v in report["by_level"].items()),
             f"school-district rows: {report['school_district_rows']} in {report['school_district_states']} states",
             f"official sources: {report['official_sources']} ({report['official_share']:.1%}; "
             f"{report.get('official_via_release_wire', 0)} of them an office's release reprinted by a press-release wire); by kind: "
             + ", ".join(f"{k} {v}" for k, v in report["by_source_kind"].items()),
             f"rows without a boundary in this source: {len(report['without_boundary'])}",
             f"rows with a month- or year-only adoption date: {len(report['partial_dates'])}",
             "", f"{'state':<6}{'level':<16}" + "".join(f"{s:>22}" for s in STANCES)]
    for state in sorted(report["by_state_level_stance"]):
        for level, counts in sorted(report["by_state_level_stance"][state].items()):
            lines.append(f"{state:<6}{level:<16}" + "".join(f"{counts.get(s, 0):>22}" for s in STANCES))
    lines.append("")
    lines += [f"  no boundary: {r['policy_id']} ({r['jurisdiction']}, {r['state']}): {r['reason']}" for r in report["without_boundary"]]
    return "\n".join(lines)
