"""What applies at a point, and a profile of one jurisdiction: the whole stack, each part with its sources.

``stack(data, lon, lat, view)`` lists every jurisdiction containing the point, top to bottom
(state, county, city or "unincorporated", school districts), each with its instruments in
force on the view's date, its 287(g) agreements and federal listings, and says in words where
a state law preempts local policy.  ``profile(data, layer, geoid, view)`` is the same for one
jurisdiction plus its timeline, overlapping jurisdictions and border distance.

Every jurisdiction below the state also lists the higher-level law that applies to it (``applies``):
the state's instruments in force whose ``binds_levels`` include its level, and its counties'
instruments that bind its level (a county ordinance binding the cities in it).  A school district
also gets the state law binding county and city police, the officers who would answer a call at its
schools (they are marked with whom they bind).  See :func:`applies_here`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from . import i18n
from .data import MapData
from .distances import describe_distance
from .i18n import N_, _, ngettext
from .join import rows_for
from .policies import binds_levels
from .selection import select
from .view import View
from .vocab import (
    FEDERAL_LIST_LABEL,
    FLAG_LABELS,
    FLAGS,
    INSTRUMENT_LABEL,
    LAYER_LEVEL,
    LAYER_SINGULAR,
    LEVEL_SINGULAR,
    SCHOOL_LAYERS,
    STANCE_LABEL,
    STATE_FIPS,
    STATE_NAMES,
    STATUS_LABEL,
    word,
)


@dataclass
class Instrument:
    policy_id: str
    title: str
    type: str
    stance: str
    status: str
    adopted: str
    effective: str
    summary: str
    does: list[str]
    source_url: str
    source_title: str
    source_kind: str
    source_url_2: str
    binds: str = ""  # "state, counties, cities" (readable binds_levels)
    applies_as: str = ""  # "state law that applies here" / "county law that applies here" when it is not its own
    applies_from: str = ""  # the jurisdiction the instrument belongs to, when it is not its own


# Stored translated on each Instrument (``_(APPLIES_AS[k])``); compare with the translated value.
APPLIES_AS = {"state": N_("state law that applies here"), "county": N_("county law that applies here")}
_BINDS_WORD = {"state": N_("the state"), "county": N_("counties"), "place": N_("cities and towns"),
               "school_district": N_("school districts")}
# Which ``binds_levels`` make a state instrument apply to a jurisdiction of each level (see applies_here).
STATE_LAW_FOR = {"county": ("county",), "place": ("place",), "school_district": ("school_district", "county", "place")}


@dataclass
class Entry:
    key: str  # "layer:geoid"
    layer: str
    geoid: str
    name: str
    level: str  # readable
    state: str
    instruments: list[Instrument] = field(default_factory=list)
    agreements: list[dict] = field(default_factory=list)
    listings: list[dict] = field(default_factory=list)
    distance: str = ""
    zone_mexico: str = ""
    zone_all: str = ""
    note: str = ""
    applies: list[Instrument] = field(default_factory=list)  # state and county law that applies here
    research: str = ""  # for a jurisdiction with no row in the table: researched (none found, when) or not yet

    @property
    def stances(self) -> set[str]:
        return {i.stance for i in self.instruments}


def _binds_words(r: dict) -> str:
    return ", ".join(_(_BINDS_WORD[v]) for v in binds_levels(str(r.get("binds_levels") or ""), r["jurisdiction_level"]))


def _instruments(rows: pd.DataFrame, applies_as: str = "") -> list[Instrument]:
    out = []
    for r in rows.sort_values("date_adopted").to_dict("records"):
        out.append(Instrument(
            r["policy_id"], r["title"], _(INSTRUMENT_LABEL.get(r["instrument_type"], r["instrument_type"])), r["stance"],
            _(STATUS_LABEL.get(r["status"], r["status"])), r["date_adopted"], r["date_effective"], r["summary"],
            [_(FLAG_LABELS[f]) for f in FLAGS if r.get(f) == "Y"], r["source_url"], r["source_title"], r["source_kind"],
            r["source_url_2"], _binds_words(r), applies_as, r["jurisdiction_name"] if applies_as else ""))
    return out


def _binding(rows: pd.DataFrame, levels: tuple[str, ...]) -> pd.DataFrame:
    """The rows whose binds_levels include any of ``levels`` (blank binds_levels: the row's own level)."""
    if rows.empty:
        return rows
    binds = [binds_levels(str(b or ""), lvl) for b, lvl in zip(rows["binds_levels"], rows["jurisdiction_level"])]
    return rows[[any(v in levels for v in b) for b in binds]]


def applies_here(in_force: pd.DataFrame, layer: str, statefp: str, counties: list[str]) -> list[Instrument]:
    """The state and county instruments in force (rows of ``in_force``) that apply to a jurisdiction below the state.

    State instruments apply when their ``binds_levels`` include the jurisdiction's level (for a school
    district, also those binding county or city police: STATE_LAW_FOR); county instruments, of the counties
    the jurisdiction lies in, when they bind its level.  Those binding the jurisdiction's own level come first.
    """
    level = LAYER_LEVEL.get(layer, "")
    if level not in STATE_LAW_FOR or in_force.empty:
        return []
    out: list[Instrument] = []
    state = rows_for(in_force, "state", statefp)
    own = _binding(state, (level,))
    out += _instruments(own, word(APPLIES_AS, "state"))
    out += _instruments(_binding(state.drop(own.index), STATE_LAW_FOR[level]), word(APPLIES_AS, "state"))
    if level != "county":
        for c in counties:
            out += _instruments(_binding(rows_for(in_force, "county", c), (level,)), word(APPLIES_AS, "county"))
    return out


def _related(data: MapData, view: View, layer: str, geoid: str) -> tuple[list[dict], list[dict]]:
    from .agreements import for_jurisdiction

    sel = select(data, view)
    agreements = for_jurisdiction(sel.agreements, layer, geoid)
    listings: list[dict] = []
    if len(sel.listings):
        d = rows_for(sel.listings, layer, geoid)
        listings = d[["list", "name_as_published", "date_listed", "date_withdrawn", "source_url", "notes"]].to_dict("records")
    return agreements, listings


def entry(data: MapData, row: pd.Series, view: View, shown: pd.DataFrame, in_force: pd.DataFrame | None = None) -> Entry:
    layer, geoid = row["layer"], row["geoid"]
    mine = rows_for(shown, layer, geoid)
    name = mine["jurisdiction_name"].iloc[0] if len(mine) else row["name"]
    agreements, listings = _related(data, view, layer, geoid)
    e = Entry(f"{layer}:{geoid}", layer, geoid, name, _(LAYER_SINGULAR[layer]).capitalize(), row["state"], _instruments(mine),
              agreements, listings, zone_mexico=str(row["zone_mexico"]), zone_all=str(row["zone_all"]))
    counties = [c for c in str(row["counties"] or "").split(",") if c and c != geoid]
    e.applies = applies_here(in_force if in_force is not None else shown, layer, str(row["statefp"]), counties)
    if pd.notna(row["border_km"]):
        e.distance = describe_distance(row, _(LAYER_SINGULAR[layer]))
    e.research = research_line(data, layer, geoid)
    return e


def research_line(data: MapData, layer: str, geoid: str) -> str:
    """'' when the table has rows for the jurisdiction; else whether anyone searched for them, and when."""
    from .searched import record_for, research_status

    if layer == "state" or len(rows_for(data.policies, layer, geoid)):
        return ""
    return research_status(record_for(data.searched, layer, geoid))


def preemption_note(entries: list[Entry]) -> str:
    """Words for the reader when a state law bans local limits (or mandates them) where local policy says otherwise."""
    state = next((e for e in entries if e.layer == "state"), None)
    if state is None:
        return ""
    bans_flag = word(FLAG_LABELS, "bans_sanctuary_policies")  # Instrument.does holds translated labels
    bans = [i for i in state.instruments if bans_flag in i.does or i.stance == "requires_cooperation"]
    local_limits = [e for e in entries if e.layer != "state" and "limits_cooperation" in e.stances]
    if bans and local_limits:
        names = ", ".join(e.name for e in local_limits)
        return _("{state} law requires cooperation ({title}); where it bans sanctuary policies it overrides the local "
                 "limits recorded here for {names}.").format(state=STATE_NAMES.get(state.state, state.state),
                                                              title=bans[0].title, names=names)
    limits = [i for i in state.instruments if i.stance == "limits_cooperation"]
    local_req = [e for e in entries if e.layer != "state" and "requires_cooperation" in e.stances]
    if limits and local_req:
        names = ", ".join(e.name for e in local_req)
        return _("{state} law limits cooperation ({title}); local measures requiring cooperation ({names}) operate "
                 "within that state law, which binds local agencies.").format(
                     state=STATE_NAMES.get(state.state, state.state), title=limits[0].title, names=names)
    return ""


def missing_layers(data: MapData, state: str) -> list[str]:
    """Readable names of the local boundary layers this server's Census source lacks for a state."""
    if data.boundaries is None or state not in STATE_FIPS:
        return []
    fips = STATE_FIPS[state]
    out = []
    if not data.boundaries.has_file("place", fips):
        out.append(word(LAYER_SINGULAR, "place"))
    if not any(data.boundaries.has_file(layer, fips) for layer in SCHOOL_LAYERS):
        out.append(_("school district"))
    return out


def stack(data: MapData, lon: float, lat: float, view: View) -> tuple[list[Entry], str]:
    """Every jurisdiction containing the point, state to school districts, plus a preemption note."""
    if data.boundaries is None:
        return [], ""
    rows = data.boundaries.containing(lon, lat)
    sel = select(data, view)
    entries = [entry(data, r, view, sel.mapped, sel.in_force) for _idx, r in rows.iterrows()]
    layers = {e.layer for e in entries}
    if entries and "place" not in layers and data.boundaries.has_file("place", entries[0].geoid[:2]):
        county = next((e.geoid for e in entries if e.layer == "county"), "")
        entries.insert(min(2, len(entries)), Entry("", "place", "", _("Unincorporated area"), word(LEVEL_SINGULAR, "place"),
                                                   entries[0].state, note=_("no city or town: the county governs here"),
                                                   applies=applies_here(sel.in_force, "place", entries[0].geoid[:2],
                                                                        [county] if county else [])))
    note = preemption_note(entries)
    lack = missing_layers(data, entries[0].state) if entries else []
    if lack:
        name = STATE_NAMES.get(entries[0].state, entries[0].state)
        note = " ".join(filter(None, [note, _("This server's Census source has no {layers} boundaries for {state}, so the "
                                              "city and school district here cannot be listed; their instruments are in the "
                                              "Policies table.").format(layers=i18n.join_or(lack), state=name)]))
    return entries, note


def timeline(data: MapData, layer: str, geoid: str) -> pd.DataFrame:
    from .events import ledger

    ev = ledger(data)
    return rows_for(ev, layer, geoid).reset_index(drop=True)


def profile(data: MapData, layer: str, geoid: str, view: View) -> dict | None:
    """Everything about one jurisdiction (JSON-ready), or None if it is neither in the index nor in the table."""
    row = data.boundaries.lookup(layer, geoid) if data.boundaries is not None else None
    rows = rows_for(data.policies, layer, geoid)
    if row is None and rows.empty:
        return None
    sel = select(data, view)
    shown = sel.mapped if row is not None else sel.in_force
    if row is None:  # in the table, but its boundary file is not in this source
        first = rows.iloc[0]
        agreements, listings = _related(data, view, layer, geoid)
        e = Entry(f"{layer}:{geoid}", layer, geoid, first["jurisdiction_name"], _(LAYER_SINGULAR[layer]).capitalize(),
                  first["state"], _instruments(rows_for(sel.in_force, layer, geoid)), agreements, listings,
                  note=_("its boundary file is not in this server's Census source"),
                  applies=applies_here(sel.in_force, layer, STATE_FIPS.get(first["state"], geoid[:2]), []))
        overlapping: list[dict] = []
    else:
        e = entry(data, row, view, shown, sel.in_force)
        overlapping = overlaps(data, row)
    in_force = [i for i in e.instruments]
    e.research = research_line(data, layer, geoid)
    summary = summarise(e)
    return {"key": e.key, "name": e.name, "level": e.level, "state": e.state, "summary": summary,
            "as_of": view.as_of_date(), "dataset_version": data.version,
            "instruments": [asdict(i) for i in in_force],
            "applies_here": [asdict(i) for i in e.applies],
            "all_instruments": [asdict(i) for i in _instruments(rows)],
            "agreements": e.agreements, "listings": e.listings, "distance": e.distance,
            "zone_mexico": e.zone_mexico, "zone_all": e.zone_all, "overlapping": overlapping, "note": e.note,
            "research": e.research,
            "timeline": timeline(data, layer, geoid).to_dict("records")}


def _stance_count(stance: str, n: int) -> str:
    """'1 that limits cooperation' / '2 that limit cooperation' (one message per direction, so it agrees in number)."""
    if stance == "limits_cooperation":
        text = ngettext("{n} that limits cooperation", "{n} that limit cooperation", n)
    elif stance == "requires_cooperation":
        text = ngettext("{n} that requires cooperation", "{n} that require cooperation", n)
    else:
        text = ngettext("{n} that does both", "{n} that do both", n)
    return text.format(n=n)


# The federal lists as a profile summary names them ("Named on {lists}.").
_LIST_NAMED = {"doj_2025_08_05": N_("the Justice Department's 2025 list"), "dhs_2025_05_29": N_("the withdrawn DHS list")}


def summarise(e: Entry) -> str:
    parts = []
    if not e.instruments:
        parts.append(_("No instrument of its own is recorded for {name} in force on this date.").format(name=e.name))
        if e.research:
            parts.append(e.research)
    else:
        by: dict[str, list[Instrument]] = {}
        for i in e.instruments:
            by.setdefault(i.stance, []).append(i)
        n = len(e.instruments)
        parts.append(ngettext("{name} has {n} instrument in force: {breakdown}.",
                              "{name} has {n} instruments in force: {breakdown}.", n).format(
            name=e.name, n=n, breakdown="; ".join(_stance_count(k, len(v)) for k, v in by.items())))
    if e.applies:
        parts.append(applies_sentence(e.applies))
    if e.agreements:
        n = len(e.agreements)
        parts.append(ngettext("{n} 287(g) agreement in force.", "{n} 287(g) agreements in force.", n).format(n=n))
    if e.listings:
        lists = i18n.join_and([_(_LIST_NAMED[k]) for k in sorted({d["list"] for d in e.listings})])
        parts.append(_("Named on {lists}.").format(lists=lists))
    if e.distance:
        parts.append(_("Distance to the US–Mexico border: {distance}.").format(distance=e.distance))
    return " ".join(parts)


def applies_sentence(applies: list[Instrument], most: int = 6) -> str:
    """'State law that applies here (California): California Values Act; …' per source, the first ``most`` named."""
    out = []
    for code, kind in APPLIES_AS.items():
        kind = _(kind)  # as stored on the Instrument
        for source in dict.fromkeys(i.applies_from for i in applies if i.applies_as == kind):
            these = [i for i in applies if i.applies_as == kind and i.applies_from == source]
            named = "; ".join(i.title for i in these[:most])
            extra = len(these) - most
            if code == "state":
                text = (_("State law that applies here ({source}): {titles}; and {more} more.") if extra > 0
                        else _("State law that applies here ({source}): {titles}."))
            else:
                text = (_("County law that applies here ({source}): {titles}; and {more} more.") if extra > 0
                        else _("County law that applies here ({source}): {titles}."))
            out.append(text.format(source=source, titles=named, more=extra))
    return " ".join(out)


def overlaps(data: MapData, row: pd.Series) -> list[dict]:
    """Jurisdictions that share area with this one: its state, its counties, and cities/districts in those counties
    whose boxes intersect (a light-weight list; the map click gives the exact stack at a point)."""
    if data.boundaries is None:
        return []
    idx = data.boundaries.index
    out = []
    state = data.boundaries.lookup("state", row["statefp"])
    if row["layer"] != "state" and state is not None:
        out.append({"key": f"state:{row['statefp']}", "name": state["name"], "level": word(LEVEL_SINGULAR, "state")})
    for c in str(row["counties"]).split(","):
        if c and row["layer"] != "county":
            hit = data.boundaries.lookup("county", c)
            if hit is not None:
                out.append({"key": f"county:{c}", "name": hit["name_full"] or hit["name"], "level": word(LEVEL_SINGULAR, "county")})
    if row["layer"] in ("place", *SCHOOL_LAYERS):
        others = idx[idx["layer"].isin(["place", *SCHOOL_LAYERS]) & (idx["layer"] != row["layer"])
                     & (idx["statefp"] == row["statefp"])]
        box = others[(others["minx"] < row["maxx"]) & (others["maxx"] > row["minx"]) & (others["miny"] < row["maxy"])
                     & (others["maxy"] > row["miny"])]
        if len(box) and data.boundaries is not None:
            import shapely

            geom = data.boundaries.geometry(row["layer"], row["geoid"])
            for r in box.itertuples():
                g = data.boundaries.geometry(r.layer, r.geoid)
                if geom is not None and g is not None and shapely.intersection(geom, g).area > 0.02 * min(geom.area, g.area):
                    out.append({"key": f"{r.layer}:{r.geoid}", "name": r.name,
                                "level": _(LAYER_SINGULAR[r.layer]).capitalize()})
    return out


def compare_table(data: MapData, keys: list[str], view: View) -> pd.DataFrame:
    """2-4 jurisdictions side by side (one column each): what they do, when, agreements, listings, distance."""
    from .vocab import FLAG_GROUPS

    cols = {}
    for key in keys[:4]:
        layer, geoid = key.split(":", 1)
        p = profile(data, layer, geoid, view)
        if p is None:
            continue
        inst = p["instruments"]
        dates = sorted(i["adopted"] for i in inst if i["adopted"])
        does = {d for i in inst for d in i["does"]}  # translated labels (see _instruments)
        col = {_("Level"): p["level"], _("State"): STATE_NAMES.get(p["state"], p["state"]),
               _("Direction"): ", ".join(sorted({word(STANCE_LABEL, i["stance"]) for i in inst})) or _("none recorded"),
               _("Instruments in force"): len(inst), _("First adopted"): i18n.day(dates[0]) if dates else "",
               _("Latest adopted"): i18n.day(dates[-1]) if dates else ""}
        for group, flags in FLAG_GROUPS.items():
            col[_(group)] = ", ".join(_(FLAG_LABELS[f]) for f in flags if _(FLAG_LABELS[f]) in does) or "—"
        col[_("State law that applies here")] = "; ".join(
            i["title"] for i in p["applies_here"] if i["applies_as"] == word(APPLIES_AS, "state")) or "—"
        col[_("County law that applies here")] = "; ".join(
            i["title"] for i in p["applies_here"] if i["applies_as"] == word(APPLIES_AS, "county")) or "—"
        col[_("287(g) agreements")] = len(p["agreements"])
        col[_("Federal listings")] = ", ".join(sorted({word(FEDERAL_LIST_LABEL, d["list"]) for d in p["listings"]})) or "—"
        col[_("Border distance")] = p["distance"] or "—"
        cols[f"{p['name']} ({p['state']})"] = col
    return pd.DataFrame(cols).astype(str)
