"""One :class:`Selection` per (dataset version, view): every row any output shows, worked out once.

The map, the Policies table, profiles, the stack at a point, charts, captions and every
download (CSV, GeoJSON, PNG, SVG, PDF, HTML) take their rows from :func:`select`, so the
same link gives the same rows everywhere.  The browser receives results (lookups of
``layer -> geoid -> category``), never filter rules.

Selections are cached on the :class:`~sanctuary_map.data.MapData` they were computed from
(a bounded LRU), keyed by what decides the rows: the filters, the as-of day and the hidden
layers, and the language its words (legend, subtitle) are in.  The focus (which place is selected) does not change
any row.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from . import i18n, tiles
from .data import MapData
from .filters import describe
from .i18n import _
from .view import View, agreements_shown, apply, listings_shown
from .vocab import (
    BORDER_COLOUR,
    LAYER_KEYS,
    MODEL_COLOUR,
    MODEL_LABEL,
    MODEL_SWATCH,
    RESEARCHED_COLOUR,
    STANCE_COLOUR,
    STANCE_LABEL,
    ZONE_ALL_COLOUR,
    ZONE_COLOUR,
)

STANCE_CODE = {"limits_cooperation": "L", "requires_cooperation": "R", "mixed": "M"}
CODE_COLOUR = {code: STANCE_COLOUR[stance] for stance, code in STANCE_CODE.items()}
CODE_LABEL = {code: STANCE_LABEL[stance] for stance, code in STANCE_CODE.items()}  # translated where shown
POLICY_LAYERS = ("state", "county", "place", "school_district")
LegendSection = tuple[str, list[tuple[str, str, str]]]


@dataclass
class Lookups:
    lookup: dict[str, dict[str, str]]  # layer -> geoid -> stance code
    shown: dict[str, list[str]]  # "layer:geoid" -> policy ids shown
    coverage: dict[str, str]  # county geoid -> codes from the county itself and the places/districts inside
    points: list[list]  # [lat, lon, key, code, min zoom]: places and districts drawn as points when zoomed out


@dataclass
class Selection:
    """What a view shows, for every consumer."""

    view: View  # the view without its focus
    version: str
    policies: pd.DataFrame  # rows for tables and CSV (with or without a boundary; inactive ones if asked)
    in_force: pd.DataFrame  # instruments in force on the day that pass the filters (with or without a boundary)
    mapped: pd.DataFrame  # of those, the ones drawn: with a boundary
    agreements: pd.DataFrame  # 287(g) agreements in force that pass the filters
    listings: pd.DataFrame  # federal listings in effect that pass the filters
    lookups: Lookups
    agreement_lookup: dict[str, dict[str, str]]  # layer -> geoid -> model
    federal_lookup: dict[str, dict[str, int]]  # layer -> geoid -> 1
    researched_lookup: dict[str, dict[str, str]]  # layer -> geoid -> day searched (in words), where nothing was found
    layers_shown: frozenset[str]
    legend: list[LegendSection]
    subtitle: str

    @property
    def agreements_drawn(self) -> pd.DataFrame:
        return self.agreements if "agreements" in self.layers_shown else self.agreements.iloc[0:0]

    @property
    def listings_drawn(self) -> pd.DataFrame:
        return self.listings if "federal" in self.layers_shown else self.listings.iloc[0:0]

    def legend_entries(self) -> list[str]:
        return [label for _s, entries in self.legend for label, _c, _k in entries]


def cache_key(view: View) -> tuple:
    return (view.filters_key(), view.as_of_date(), view.hidden, i18n.normalise(view.lang or i18n.current()))


def select(data: MapData, view: View) -> Selection:
    """The view's selection, computed once per (dataset version, view) and then served from the cache.  Thread-safe:
    when two threads ask for the same new view at once (a filter change: the map's request to the API and the page's
    rerun), one computes it and the other waits for it (:class:`keep.Kept`)."""
    key = cache_key(view)

    def make() -> Selection:
        with i18n.using(key[-1]):
            return _compute(data, replace(view, focus=""))

    return data.selections.get(key, make)


def _compute(data: MapData, view: View) -> Selection:
    mapped = apply(view, data.matched).sort_values("date_adopted", kind="stable")
    agreements = agreements_shown(view, data.agreements)
    listings = listings_shown(view, data.designations)
    shown = frozenset(k for k in LAYER_KEYS if k not in view.hidden)
    lk = _lookups(mapped, _county_geoids(data))
    ag = _agreement_lookup(agreements)
    fed = _federal_lookup(listings)
    res = _researched_lookup(data, lk)
    legend = legend_sections(data, lk, shown, bool(ag), bool(fed), bool(res), ag)
    in_force = apply(view, data.policies)
    # The table's rows are those in force too, unless the view asks for inactive ones (the same rows: taken once).
    table = apply(view, data.policies, for_map=False) if view.include_inactive else in_force
    return Selection(view, data.version, table, in_force, mapped, agreements, listings, lk, ag, fed, res, shown, legend,
                     describe(view))


def _researched_lookup(data: MapData, lk: Lookups) -> dict[str, dict[str, str]]:
    """Jurisdictions searched with nothing found (data/searched.csv) and no instrument drawn in this view."""
    t = data.searched
    out: dict[str, dict[str, str]] = {}
    if t is None or t.empty:
        return out
    done = t[(t["result"] != "instruments_found") & (t["geoid"] != "")]
    for layer, geoid, day in zip(done["layer"], done["geoid"], done["date_searched"]):
        if geoid not in lk.lookup.get(layer, {}):
            out.setdefault(layer, {})[geoid] = i18n.day(day)  # shown as written in the view's language
    return out


# ---------------------------------------------------------------------------- lookups sent to the browser
def _combine(codes) -> str:
    c = set(codes)
    return "M" if "M" in c or {"L", "R"} <= c else next(iter(c))


def _county_geoids(data: MapData) -> list[str]:
    b = data.boundaries
    if b is None or b.index.empty:
        return []
    return b.index.loc[b.index["layer"] == "county", "geoid"].tolist()


def _lookups(shown: pd.DataFrame, all_counties: list[str] | None = None) -> Lookups:
    """One code per jurisdiction, the ids shown, county coverage, points.  A county's coverage combines its own
    instruments, those of the places and districts inside it, and its state's (every county of the state), so the
    browser paints the result as sent."""
    if shown.empty:
        return Lookups({}, {}, {}, [])
    shown = shown.assign(_key=shown["geoid_layer"] + ":" + shown["geoid"], _c=shown["stance"].map(STANCE_CODE))
    codes = shown.groupby("_key", sort=False)["_c"].agg(_combine)
    ids = shown.groupby("_key", sort=False)["policy_id"].agg(list).to_dict()
    first = shown.drop_duplicates("_key").set_index("_key")
    lookup: dict[str, dict[str, str]] = {}
    for key, code in codes.items():
        layer, geoid = str(key).split(":")
        lookup.setdefault(layer, {})[geoid] = code
    coverage: dict[str, set[str]] = {}
    local = first[first["geoid_layer"] != "state"]
    for counties, code in zip(local["counties"], codes[local.index]):
        for county in str(counties).split(","):
            if county:
                coverage.setdefault(county, set()).add(code)
    statewide = lookup.get("state", {})
    for county in all_counties or ():
        if county[:2] in statewide:
            coverage.setdefault(county, set()).add(statewide[county[:2]])
    cov = {g: _combine(c) for g, c in coverage.items()}
    pts = first[~first["geoid_layer"].isin(["state", "county"])]
    points = [[round(float(lat), 4), round(float(lon), 4), key, codes[key], tiles.ZOOMS[layer][0] + tiles.LEVEL_DIFF]
              for key, lat, lon, layer in zip(pts.index, pts["lat"], pts["lon"], pts["geoid_layer"])]
    return Lookups(lookup, ids, cov, points)


def _agreement_lookup(rows: pd.DataFrame) -> dict[str, dict[str, str]]:
    """layer -> geoid -> model (one model per boundary, in the order of ``agreements.MODEL_PRIORITY``)."""
    from .agreements import MODEL_PRIORITY

    if rows.empty:
        return {}
    rows = rows.loc[rows["geoid"] != "", ["geoid_layer", "geoid", "model"]]
    rank = {m: i for i, m in enumerate(MODEL_PRIORITY)}
    rows = rows.assign(_r=rows["model"].map(lambda m: rank.get(m, 9))).sort_values("_r", kind="stable")
    rows = rows.drop_duplicates(["geoid_layer", "geoid"])
    out: dict[str, dict[str, str]] = {}
    for layer, geoid, model in zip(rows["geoid_layer"], rows["geoid"], rows["model"]):
        out.setdefault(layer, {})[geoid] = model
    return out


def _federal_lookup(rows: pd.DataFrame) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for layer, geoid in zip(rows.get("geoid_layer", []), rows.get("geoid", [])):
        out.setdefault(layer, {})[geoid] = 1
    return out


# ---------------------------------------------------------------------------- the legend of what is there
def legend_sections(data: MapData, lk: Lookups, shown_layers: frozenset[str] | set[str], has_agreements: bool,
                    has_federal: bool, has_researched: bool = False,
                    agreement_models: dict[str, dict[str, str]] | None = None) -> list[LegendSection]:
    codes = {c for layer in lk.lookup.values() for c in layer.values()}
    policy_layers = set(POLICY_LAYERS) & set(shown_layers)
    stance_rows = [(_(CODE_LABEL[c]), CODE_COLOUR[c], "fill") for c in ("L", "R", "M") if c in codes] if policy_layers else []
    context = []
    if "coverage" in shown_layers and (lk.coverage or lk.lookup.get("state")):
        context.append((_("County: an instrument applies there (lighter)"), "#8a8a8a", "light"))
    if "school_district" in shown_layers and any(k in lk.lookup for k in ("unsd", "elsd", "scsd")):
        context.append((_("School district (dashed outline)"), "#555555", "dash"))
    if has_researched and policy_layers:
        context.append((_("Researched: no instrument found (grey, dotted)"), RESEARCHED_COLOUR, "researched"))
    if has_agreements and "agreements" in shown_layers:
        present = {m for layer in agreement_models.values() for m in layer.values()} if agreement_models else set()
        context += [(_("287(g): {model} (outline)").format(model=_(MODEL_LABEL[m])), MODEL_COLOUR[m], MODEL_SWATCH[m])
                    for m in ("jail_enforcement", "task_force", "warrant_service_officer", "other")
                    if m in present or not agreement_models and m != "other"]
    if has_federal and "federal" in shown_layers:
        context.append((_("On a federal \u201csanctuary\u201d list (hatched)"), "#000000", "hatch"))
    lines = []
    if data.boundaries is not None and data.boundaries.border is not None and "border" in shown_layers:
        lines.append((_("US\u2013Mexico land border"), BORDER_COLOUR, "line"))
    zones = data.boundaries.zones if data.boundaries is not None else {}
    if "zone" in shown_layers and "zone_mexico" in zones:
        lines.append((_("Within 100 miles of the Mexican land border (dashed line)"), ZONE_COLOUR, "dash"))
    if "zone_all" in shown_layers and "zone_all" in zones:
        lines.append((_("100-mile border zone, all external boundaries (dotted line)"), ZONE_ALL_COLOUR, "dash"))
    return [(_("Instruments in force"), stance_rows), ("", context), ("", lines)]
