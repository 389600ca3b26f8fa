"""Tables the pages show, computed once here (pages only render them)."""
from __future__ import annotations

import pandas as pd

from .data import MapData
from .i18n import N_, _
from .selection import select
from .view import View
from .vocab import LAYER_SINGULAR, STATE_NAMES

DISTANCE_COLUMNS = (N_("Jurisdiction"), N_("Level"), N_("State"), N_("Miles (whole)"), N_("km (whole)"),
                    N_("Miles (mainland)"), N_("km (mainland)"), N_("Nearest part"), N_("100 mi of Mexican border"),
                    N_("100-mile border zone"), N_("Instruments"), N_("Boundary vintage"))
# A boundary's place against a 100-mile zone (the boundary index's words), as the table shows it.
ZONE_WORDS = {"inside": N_("inside"), "partly inside": N_("partly inside"), "outside": N_("outside")}
MAP_COLUMNS = (N_("Jurisdiction"), N_("Level"), N_("State"), N_("Direction"), N_("Instruments in force"))


def _level(layer: str) -> str:
    return _(LAYER_SINGULAR[layer]).capitalize()


def _zone(value) -> str:
    return _(ZONE_WORDS[value]) if value in ZONE_WORDS else value


def distance_table(data: MapData, view: View) -> pd.DataFrame:
    """Jurisdictions with an instrument in force, by distance to the border (readable column names, in the current
    language)."""
    shown = select(data, view).mapped
    cols = [_(c) for c in DISTANCE_COLUMNS]
    if shown.empty:
        return pd.DataFrame(columns=cols)
    first = shown.drop_duplicates(["geoid_layer", "geoid"])
    counts = shown.groupby(["geoid_layer", "geoid"]).size()
    rows = []
    for r in first.to_dict("records"):
        row = data.boundaries.lookup(r["geoid_layer"], r["geoid"]) if data.boundaries is not None else None
        if row is None:
            continue
        rows.append(dict(zip(cols, (
            r["jurisdiction_name"], _level(r["geoid_layer"]),
            STATE_NAMES.get(r["state"], r["state"]), row["border_miles"], row["border_km"],
            row["mainland_miles"], row["mainland_km"],
            _("mainland") if row["nearest_part_is_mainland"] else _("an outlying part (island)"),
            _zone(row["zone_mexico"]), _zone(row["zone_all"]),
            int(counts[(r["geoid_layer"], r["geoid"])]), int(row["vintage"]),
        ))))
    return pd.DataFrame(rows).sort_values(cols[4], kind="stable").reset_index(drop=True)


def map_table(data: MapData, view: View) -> pd.DataFrame:
    """What the map shows, as a table (its text alternative): one row per jurisdiction drawn with an instrument.
    Column names are in the current language except "Source", which the page relabels (its link column's key)."""
    from .vocab import STANCE_LABEL

    shown = select(data, view).mapped
    name, level, state, direction, items = (_(c) for c in MAP_COLUMNS)
    columns = [name, level, state, direction, items, "Source"]
    if shown.empty:
        return pd.DataFrame(columns=columns)
    plain = pd.DataFrame({"layer": shown["geoid_layer"].to_numpy(), "geoid": shown["geoid"].to_numpy(),
                          "name": shown["jurisdiction_name"].to_numpy(), "state": shown["state"].to_numpy(),
                          "stance": shown["stance"].map(lambda s: _(STANCE_LABEL[s])).to_numpy(),
                          "item": (shown["title"] + " (" + shown["date_adopted"] + ")").to_numpy(),
                          "source": shown["source_url"].to_numpy()})
    g = plain.groupby(["layer", "geoid"], sort=False)
    out = pd.DataFrame({
        name: g["name"].first(), level: g["layer"].first().map(lambda v: _(LAYER_SINGULAR[v]).capitalize()),
        state: g["state"].first().map(lambda s: STATE_NAMES.get(s, s)),
        direction: g["stance"].agg(lambda v: "; ".join(sorted(set(v)))),
        items: g["item"].agg("; ".join), "Source": g["source"].first()})
    return out.reset_index(drop=True)[columns].sort_values([state, level, name], kind="stable")
