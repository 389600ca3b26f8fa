"""Finding jurisdictions by name: every boundary in the index and every row of every table.

Typo-tolerant with ``rapidfuzz``; "Portland, OR" and "Portland OR" restrict to a state;
results carry the level, the state and whether a boundary and any record exist, so "no
policy recorded" is an answer, not "No results".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process, utils

from . import i18n
from .i18n import N_, _, ngettext
from .vocab import LAYER_SINGULAR, LEVEL_SINGULAR, STATE_FIPS, STATE_NAMES

_STATE_BY_NAME = {v.lower(): k for k, v in STATE_NAMES.items()}
_SUFFIX = re.compile(r"\s*,?\s*\b([A-Z]{2})\s*$")
_NOISE = re.compile(r"\b(city|town|village|borough|township|county|parish|municipality|of|the|cdp)\b")


# The capitalised layer names above, for the catalogue ("State", "County", "City or town" are vocab's level labels).
_LEVELS = (N_("Unified school district"), N_("Elementary school district"), N_("Secondary school district"))


def normalise(name: str) -> str:
    """Lower case, no punctuation, no 'City of' / 'County' words: 'City of St. Louis' -> 'st louis'."""
    s = utils.default_process(name or "")
    s = s.replace("saint ", "st ").replace("sainte ", "ste ")
    s = _NOISE.sub(" ", s)
    return re.sub(r"\s+", " ", s).strip()


def split_state(query: str) -> tuple[str, str | None]:
    """'Portland, OR' -> ('Portland', 'OR'); 'Portland Oregon' -> ('Portland', 'OR')."""
    q = query.strip()
    m = _SUFFIX.search(q)
    if m and m.group(1).upper() in STATE_FIPS:
        return q[: m.start()].strip(" ,"), m.group(1).upper()
    low = q.lower()
    for name, code in sorted(_STATE_BY_NAME.items(), key=lambda kv: -len(kv[0])):
        if low.endswith(" " + name) or low.endswith("," + name):
            return q[: len(q) - len(name)].strip(" ,"), code
    return q, None


@dataclass(frozen=True)
class Hit:
    key: str  # "layer:geoid" when it has a boundary in the index, else "record:<id>"
    name: str
    level: str  # readable level
    state: str
    score: float
    has_boundary: bool
    records: int  # instruments (policies) recorded for it in the table
    note: str = ""  # what else the tables say of it (a federal listing, a search record)
    exact: bool = False  # the query spells the name (or its start): safe to select without asking
    researched: str = ""  # the day a search of its records found nothing (data/searched.csv), if any

    def place(self) -> str:
        """'Patterson, California'."""
        return f"{self.name}, {STATE_NAMES.get(self.state, self.state)}" if self.state else self.name

    def label(self) -> str:
        agency = re.match(r"^287\(g\) agency \((.*)\)$", self.level)
        level = _("287(g) agency ({area})").format(area=agency.group(1)) if agency else _(self.level)
        bits = [level if self.level.startswith("287(g)") else level.lower(), self.state]
        if self.level.startswith("287(g)"):
            return f"{self.name} ({', '.join(b for b in bits if b)})"
        if self.records:
            bits.append(ngettext("{n} instrument", "{n} instruments", self.records).format(n=self.records))
        elif self.researched:
            bits.append(_("researched {day}: no instrument confirmed").format(day=i18n.day(self.researched)))
        else:
            bits.append(_("no policy recorded; not yet researched"))
        if self.note:
            bits.append(self.note)
        if not self.has_boundary:
            bits.append(_("no boundary on this server"))
        return f"{self.name} ({', '.join(b for b in bits if b)})"


def candidates(index: pd.DataFrame | None, policies: pd.DataFrame, agreements: pd.DataFrame | None = None,
               listings: pd.DataFrame | None = None, searched: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per findable name: every boundary in the index, table rows without one, 287(g) agencies
    (found by the agency's name, they lead to the area the agency polices) and every federal listing,
    placed on a boundary or not (a listing this server cannot place is still an answer)."""
    frames = []
    counts = policies.groupby(["geoid_layer", "geoid"]).size() if len(policies) else pd.Series(dtype=int)
    names = policies.drop_duplicates(["geoid_layer", "geoid"]).set_index(["geoid_layer", "geoid"])["jurisdiction_name"] \
        if len(policies) else pd.Series(dtype=str)
    if index is not None and len(index):
        idx = index[["layer", "geoid", "name", "name_full", "state"]].copy()
        # "Broward County", not "Broward"; cities keep their plain name ("Fresno", not "Fresno city").
        idx["name"] = idx["name_full"].where(idx["layer"] == "county", idx["name"])
        idx["key"] = idx["layer"] + ":" + idx["geoid"]
        pairs = list(zip(idx["layer"], idx["geoid"]))
        idx["records"] = [int(counts.get(p, 0)) for p in pairs]
        # The table's own name where it has one ("Los Angeles Unified School District", not the Census spelling).
        idx["display"] = [names.get(p, n) for p, n in zip(pairs, idx["name"])]
        idx["level"] = idx["layer"].map(lambda v: LAYER_SINGULAR[v].capitalize())  # translated where shown (_LEVELS)
        idx["has_boundary"] = True
        frames.append(idx[["key", "display", "name", "level", "state", "records", "has_boundary"]])
    known = set(frames[0]["key"]) if frames else set()
    if len(policies):
        rows = policies.drop_duplicates(["geoid_layer", "geoid"]).copy()
        rows["key"] = rows["geoid_layer"] + ":" + rows["geoid"]
        rows = rows[~rows["key"].isin(known)]
        rows["display"] = rows["jurisdiction_name"]
        rows["name"] = rows["jurisdiction_name"]
        rows["level"] = rows["jurisdiction_level"].map(LEVEL_SINGULAR)
        rows["records"] = [int(counts.get((a, b), 0)) for a, b in zip(rows["geoid_layer"], rows["geoid"])]
        rows["has_boundary"] = False
        frames.append(rows[["key", "display", "name", "level", "state", "records", "has_boundary"]])
    if agreements is not None and len(agreements):
        ag = agreements[agreements["geoid"] != ""].drop_duplicates(["agency", "state"])
        frames.append(pd.DataFrame({
            "key": ag["geoid_layer"] + ":" + ag["geoid"], "display": ag["agency"],
            "name": ag["agency"], "level": "287(g) agency (" + ag["geoid_name"].fillna("") + ")", "state": ag["state"],
            "records": 0, "has_boundary": [True] * len(ag)}))
    notes: dict[str, str] = {}
    if listings is not None and len(listings):
        from .vocab import FEDERAL_LIST_LABEL

        lst = listings.copy()
        lst["key"] = [f"{layer}:{geoid}" if geoid else f"record:{lst_}:{state}:{name}" for layer, geoid, lst_, state, name
                      in zip(lst["geoid_layer"], lst["geoid"], lst["list"], lst["state"], lst["name_as_published"])]
        for key, code in zip(lst["key"], lst["list"]):
            notes[key] = "; ".join(filter(None, [notes.get(key, ""), f"on the {FEDERAL_LIST_LABEL.get(code, code)}"]))
        seen = set().union(*(set(f["key"]) for f in frames)) if frames else set()
        extra = lst[~lst["key"].isin(seen)].drop_duplicates("key")
        if len(extra):
            name = extra["name_as_published"].map(lambda n: split_state(n.replace(",", " "))[0] or n)
            frames.append(pd.DataFrame({"key": extra["key"], "display": name, "name": name,
                                        "level": extra["jurisdiction_level"].map(lambda v: LEVEL_SINGULAR.get(v, v)),
                                        "state": extra["state"], "records": 0, "has_boundary": False}))
    if not frames:
        return pd.DataFrame(columns=["key", "display", "name", "level", "state", "records", "has_boundary", "note", "norm"])
    out = pd.concat(frames, ignore_index=True)
    out["note"] = out["key"].map(notes).fillna("")
    out["researched"] = ""
    if searched is not None and len(searched):
        done = searched[searched["result"] != "instruments_found"]
        days = dict(zip(done["layer"] + ":" + done["geoid"], done["date_searched"]))
        out["researched"] = out["key"].map(days).fillna("")
    out["norm"] = [normalise(f"{d} {n}" if d != n else d) for d, n in zip(out["display"], out["name"])]
    return out


def find(query: str, table: pd.DataFrame, limit: int = 10, min_score: float = 60) -> list[Hit]:
    """Best matches first; exact and prefix matches beat fuzzy ones; records break ties."""
    text, state = split_state(query)
    q = normalise(text)
    if not q or table.empty:
        return []
    pool = table if state is None else table[table["state"] == state]
    if pool.empty:
        return []
    scored = process.extract(q, pool["norm"].tolist(), scorer=fuzz.WRatio, limit=max(limit * 5, 50))
    hits = []
    for _match, score, pos in scored:
        row = pool.iloc[pos]
        norm = row["norm"]
        # How well the query spells the start of the name ("los angelos unified" ~ "los angeles unified ..."):
        # separates the place meant from the many names sharing a word with it.
        prefix = fuzz.ratio(q, norm[: len(q)])
        exact = norm == q or norm.startswith(q + " ") or norm.startswith(q) and len(q) >= 4
        bonus = 12 if norm == q else (6 if norm.startswith(q) else 0)
        final = 0.5 * score + 0.5 * prefix + bonus + min(row["records"], 5) * 0.5
        if final < min_score:
            continue
        hits.append((final + (50 if exact else 0), Hit(row["key"], row["display"], row["level"], row["state"],
                                                        round(min(100.0, final), 1), bool(row["has_boundary"]),
                                                        int(row["records"]), str(row.get("note", "") or ""), exact,
                                                        str(row.get("researched", "") or ""))))
    # Exact and prefix matches first, then the fuzzy ones.
    hits.sort(key=lambda fh: (-fh[0], -fh[1].records, fh[1].name))
    return [h for _, h in hits[:limit]]


@dataclass(frozen=True)
class Answer:
    """What a search box says: the hits, whether the first may be selected on its own, and a sentence."""

    hits: list[Hit]
    select: str  # the key to select without asking ('' when the reader must choose)
    message: str  # '' when the first hit is simply what was asked for
    tone: str = "info"  # info / warning


def answer(query: str, table: pd.DataFrame, *, missing_layers=None, limit: int = 12) -> Answer:
    """Honest search: an exact or prefix match is selected; a fuzzy best match is only offered ("did you mean");
    a place this server cannot draw says why.  ``missing_layers(state) -> list of readable layer names`` tells
    which boundary files this server lacks for a state."""
    hits = find(query, table, limit=limit)
    text, state = split_state(query)
    shown = text.strip()[:60]
    if not hits:
        lack = missing_layers(state) if (missing_layers and state) else []
        where = STATE_NAMES.get(state or "", state or "")
        if lack:
            said = _("Nothing found for “{query}”. This server's Census source has no {layers} boundaries for {state}, "
                     "and no table row matches.").format(query=shown, layers=", ".join(lack), state=where)
        else:
            said = _("Nothing found for “{query}”.").format(query=shown)
        return Answer([], "", said, "warning")
    top = hits[0]
    if not top.exact:
        return Answer(hits, "", _("No exact match for “{query}”; did you mean {place}? Pick it from the list to show "
                                  "it.").format(query=shown, place=top.place()), "warning")
    if not top.has_boundary:
        known = [ngettext("{n} instrument recorded", "{n} instruments recorded", top.records).format(n=top.records)
                 if top.records else "", top.note]
        facts = "; ".join(k for k in known if k) or _("in the tables")
        return Answer(hits, top.key, _("{place}: {facts}; its boundary is not in this server's Census source, so it "
                                       "cannot be drawn here.").format(place=top.place(), facts=facts), "info")
    return Answer(hits, top.key, "")


def shown_focus(focus: str, keys) -> str:
    """The place the Map page's search box starts on for a link's ``focus``: that place when the search knows it (one
    of ``keys``, the search table's), else the whole country ("none").  The page and its first view (firstview.py)
    both use it, so the map the page's HTML draws is the one the page then shows."""
    return focus if focus == "none" or focus in keys else "none"


def search_table(data) -> pd.DataFrame:
    """Everything findable in a MapData: the index, the policy table, 287(g) agencies, federal listings."""
    agreements = data.agreements.rows if data.agreements is not None else None
    listings = data.designations.rows if data.designations is not None else None
    return candidates(data.boundaries.index if data.boundaries is not None else None, data.policies, agreements, listings,
                      data.searched)


def resolve_name(name: str, state: str, layer: str, index: pd.DataFrame, cutoff: float = 92) -> tuple[str, float, str]:
    """(geoid, score, how) of the boundary in ``layer`` and ``state`` named ``name``; ('', 0, reason) if none."""
    pool = index[(index["layer"] == layer) & (index["state"] == state)]
    if pool.empty:
        return "", 0.0, f"no {layer} boundaries for {state} in this source"
    target = normalise(split_state(name)[0])
    norms = pool["name"].map(normalise)
    exact = pool[norms == target]
    if len(exact) == 1:
        return str(exact.iloc[0]["geoid"]), 100.0, "exact name"
    if len(exact) > 1:
        return "", 0.0, f"ambiguous: {len(exact)} boundaries named {name!r} in {state}"
    best = process.extractOne(target, norms.tolist(), scorer=fuzz.ratio)
    if best and best[1] >= cutoff:
        return str(pool.iloc[best[2]]["geoid"]), float(best[1]), f"fuzzy name ({best[1]:.0f})"
    return "", 0.0, f"no {layer} named {name!r} in {state}"
