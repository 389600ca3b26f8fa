"""Tables the pages show, computed once here (pages only render them)."""
from __future__ import annotations

import pandas as pd

from .data import MapData
from .selection import select
from .view import View
from .vocab import LAYER_SINGULAR, STATE_NAMES


def distance_table(data: MapData, view: View) -> pd.DataFrame:
    """Jurisdictions with an instrument in force, by distance to the border (readable column names)."""
    shown = select(data, view).mapped
    if shown.empty:
        return pd.DataFrame(columns=["Jurisdiction", "Level", "State", "Miles (whole)", "km (whole)", "Miles (mainland)",
                                     "km (mainland)", "Nearest part", "100 mi of Mexican border", "100-mile border zone",
                                     "Instruments", "Boundary vintage"])
    first = shown.drop_duplicates(["geoid_layer", "geoid"])
    counts = shown.groupby(["geoid_layer", "geoid"]).size()
    rows = []
    for r in first.to_dict("records"):
        row = data.boundaries.lookup(r["geoid_layer"], r["geoid"]) if data.boundaries is not None else None
        if row is None:
            continue
        rows.append({
            "Jurisdiction": r["jurisdiction_name"], "Level": LAYER_SINGULAR[r["geoid_layer"]].capitalize(),
            "State": STATE_NAMES.get(r["state"], r["state"]), "Miles (whole)": row["border_miles"], "km (whole)": row["border_km"],
            "Miles (mainland)": row["mainland_miles"], "km (mainland)": row["mainland_km"],
            "Nearest part": "mainland" if row["nearest_part_is_mainland"] else "an outlying part (island)",
            "100 mi of Mexican border": row["zone_mexico"], "100-mile border zone": row["zone_all"],
            "Instruments": int(counts[(r["geoid_layer"], r["geoid"])]), "Boundary vintage": int(row["vintage"]),
        })
    return pd.DataFrame(rows).sort_values("km (whole)", kind="stable").reset_index(drop=True)


def map_table(data: MapData, view: View) -> pd.DataFrame:
    """What the map shows, as a table (its text alternative): one row per jurisdiction drawn with an instrument."""
    from .vocab import STANCE_LABEL

    shown = select(data, view).mapped
    columns = ["Jurisdiction", "Level", "State", "Direction", "Instruments in force", "Source"]
    if shown.empty:
        return pd.DataFrame(columns=columns)
    plain = pd.DataFrame({"layer": shown["geoid_layer"].to_numpy(), "geoid": shown["geoid"].to_numpy(),
                          "name": shown["jurisdiction_name"].to_numpy(), "state": shown["state"].to_numpy(),
                          "stance": shown["stance"].map(STANCE_LABEL).to_numpy(),
                          "item": (shown["title"] + " (" + shown["date_adopted"] + ")").to_numpy(),
                          "source": shown["source_url"].to_numpy()})
    g = plain.groupby(["layer", "geoid"], sort=False)
    out = pd.DataFrame({
        "Jurisdiction": g["name"].first(), "Level": g["layer"].first().map(lambda v: LAYER_SINGULAR[v].capitalize()),
        "State": g["state"].first().map(lambda s: STATE_NAMES.get(s, s)),
        "Direction": g["stance"].agg(lambda v: "; ".join(sorted(set(v)))),
        "Instruments in force": g["item"].agg("; ".join), "Source": g["source"].first()})
    return out.reset_index(drop=True)[columns].sort_values(["State", "Level", "Jurisdiction"], kind="stable")
