"""Placing an agency on the map: a state, county or Census place GEOID from the boundary index (with the FBI and
postal directories for agencies listed without a county), or ``unresolved`` with the reason."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

from ..vocab import STATE_FIPS, STATE_NAMES
from .names import _ascii, normalise_agency
from .parsing import _blank
from .schema import FUZZY_COUNTY_MIN, FUZZY_PLACE_MIN


@dataclass(frozen=True)
class Resolution:
    """Where an agency sits on the map: a GEOID of ``layer``, how it was found, and a note."""

    geoid: str
    layer: str
    match: str
    note: str = ""
    score: float | None = None  # for approximate (fuzzy) matches, 0–100
    name: str = ""              # the boundary's name ('Franklin County', 'Los Angeles', 'Florida')


# Unmistakably state-level bodies, and phrases that are state-level when the name starts with the state.
_STATE_STRONG_RE = re.compile(
    r"state police|state patrol|highway patrol|national guard|state guard|attorney general|state attorney|"
    r"state auditor|state fire marshal|capitol police|military department")
_STATE_WEAK_RE = re.compile(
    r"bureau of investigation|department of public safety|department of correction|wildlife|fish and game|"
    r"marine resources|alcoholic beverage|alcohol and tobacco|department of law enforcement|homeland security|"
    r"division of criminal investigation|department of safety|bureau of narcotics|gaming control|crime information|"
    r"department of justice|department of agriculture|department of revenue|department of transportation|"
    r"lottery|financial services|environmental protection|law enforcement division")
_COUNTY_RE = re.compile(r"\bsheriffs?\b|\bcounty\b|\bparish\b|\bborough\b|\bjail\b|\bdetention\b|\bcorrection|"
                        r"\bdistrict attorney|\bcommissioners\b")
_CAMPUS_RE = re.compile(r"universit|college|\bschools?\b|board of trustees")
_OTHER_RE = re.compile(r"port authority|\bport\b|airport|aviation|constable|transit|\bauthority\b|tribal|"
                       r"nation\b|harbor|\bmarshal|district attorney|judicial|circuit")
_MUNICIPAL_RE = re.compile(r"\bpolice\b|public safety|\bcity of\b|\btown of\b|\bvillage of\b|\bmarshal")
_COUNTY_SUFFIX_RE = re.compile(r"\s+(county|parish|borough|census area|city and borough|municipality|municipio)$")
_PLACE_STRIP_RE = re.compile(
    r"\b(police departe?ment|police dept|police services|police|department of public safety|public safety department|"
    r"public safety|department|marshals? office|marshal)\b")


def agency_kind(agency: str, agency_type: str, state: str) -> str:
    """'state', 'county', 'municipal' or 'other' (campus, port, constable, transit…)."""
    n = normalise_agency(agency)
    t = agency_type.strip().lower()
    state_name = STATE_NAMES.get(state, "").lower()
    starts_with_state = bool(state_name) and (n.startswith(state_name + " ") or n == state_name)
    local = re.search(r"\bcounty\b|\bparish\b", n)
    if _CAMPUS_RE.search(n):
        return "state" if t == "state agency" else "other"
    if _STATE_STRONG_RE.search(n) and not local:
        return "state"
    if re.search(r"\bconstables?\b", n):  # Pennsylvania's "state constables" are local officers
        return "other"
    if t == "state agency":
        return "state"
    rest = n.removeprefix(state_name)
    if starts_with_state and (_STATE_WEAK_RE.search(n) or not (_MUNICIPAL_RE.search(rest) or _COUNTY_RE.search(n))):
        return "state"
    if _STATE_WEAK_RE.search(n) and re.match(r"(department|division|bureau|office) of ", n):
        return "state"  # 'Department of Public Safety', as ICE wrote Texas's once
    if re.search(r"\bsheriffs?\b", n):
        return "county"
    if _OTHER_RE.search(n):
        return "other"
    if _COUNTY_RE.search(n) and not re.search(r"\b(city|town|village) of\b", n):
        return "county"
    if _MUNICIPAL_RE.search(n) or t == "municipality":
        return "municipal"
    return "county" if t == "county" else "other"


def _norm_place(text: str) -> str:
    s = _ascii(text).lower().replace("&", " and ")
    s = re.sub(r"(\w)'(\w)", r"\1\2", s)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    s = re.sub(r"\bsaint\b", "st", s)
    s = re.sub(r"\bste\b", "ste", s)
    s = re.sub(r"\bft\b", "fort", s)
    s = re.sub(r"\bmt\b", "mount", s)
    return re.sub(r"\s+", " ", s).strip()


def _norm_county(text: str) -> str:
    """'City of St. Louis' -> 'st louis city'; 'Miami-Dade County' -> 'miami dade county'."""
    s = _norm_place(text)
    m = re.match(r"^city of (.+)$", s)
    if m:
        s = f"{m[1]} city"
    return s


@dataclass
class _CountyLookup:
    full: dict[str, str]                 # 'richmond city' -> geoid
    bare: dict[str, list[str]]           # 'richmond' -> [geoids]
    names: dict[str, str]                # geoid -> name_full


class _IndexCache:
    """Per-state lookups built once from the boundary index."""

    def __init__(self, index: pd.DataFrame):
        self.index = index
        self._counties: dict[str, _CountyLookup] = {}
        self._places: dict[str, dict[str, list[tuple[str, str]]]] = {}
        layer = index["layer"].astype(str)
        self.place_states = set(index.loc[layer == "place", "state"].astype(str))
        self.state_geoids = set(index.loc[layer == "state", "geoid"].astype(str))
        self.county_rows = index.loc[layer == "county", ["geoid", "name", "name_full", "state"]].astype(str)
        self.place_rows = index.loc[layer == "place", ["geoid", "name", "name_full", "state", "counties"]].astype(str) \
            if "counties" in index.columns else index.loc[layer == "place", ["geoid", "name", "name_full", "state"]]

    def counties(self, state: str) -> _CountyLookup:
        if state not in self._counties:
            rows = self.county_rows[self.county_rows["state"] == state]
            full: dict[str, str] = {}
            bare: dict[str, list[str]] = defaultdict(list)
            names: dict[str, str] = {}
            for geoid, name, name_full in zip(rows["geoid"], rows["name"], rows["name_full"]):
                full[_norm_county(name_full)] = geoid
                bare[_norm_place(name)].append(geoid)
                names[geoid] = name_full
            self._counties[state] = _CountyLookup(full, dict(bare), names)
        return self._counties[state]

    def places(self, state: str) -> dict[str, list[tuple[str, str]]]:
        if state not in self._places:
            rows = self.place_rows[self.place_rows["state"] == state]
            lookup: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for geoid, name in zip(rows["geoid"], rows["name"]):
                lookup[_norm_place(name)].append((geoid, name))
            self._places[state] = dict(lookup)
        return self._places[state]


_CACHES: dict[int, _IndexCache] = {}


def _cache(index: pd.DataFrame) -> _IndexCache:
    cache = _CACHES.get(id(index))
    if cache is None or cache.index is not index:
        cache = _CACHES[id(index)] = _IndexCache(index)
    return cache


_ADDFIPS: list = []


def _addfips_county(text: str, state: str) -> str | None:
    try:
        if not _ADDFIPS:
            import addfips

            _ADDFIPS.append(addfips.AddFIPS())
        return _ADDFIPS[0].get_county_fips(text, state=state)
    except (ImportError, KeyError, ValueError, TypeError, AttributeError):  # no answer
        return None


def match_county(text: str, state: str, index: pd.DataFrame, *, fuzzy: bool = True
                 ) -> tuple[str, str, float] | None:
    """(geoid, name_full, score) of the county ``text`` names in ``state``; None when nothing is close.

    Exact on the full name ('Richmond city', 'Orleans Parish'), then on the bare name when
    it is unique in the state (or the county when a same-named independent city exists),
    then addfips, then rapidfuzz (score < 100: to review).
    """
    if not text or _blank(text):
        return None
    lookup = _cache(index).counties(state)
    if not lookup.full:
        return None
    wanted = _norm_county(text)
    if wanted in lookup.full:
        geoid = lookup.full[wanted]
        return geoid, lookup.names[geoid], 100.0
    bare = _COUNTY_SUFFIX_RE.sub("", wanted)
    as_city = bare.endswith(" city") and bare.removesuffix(" city") in lookup.bare
    hits = lookup.bare.get(bare, [])
    if len(hits) == 1 and not as_city:
        return hits[0], lookup.names[hits[0]], 100.0
    if len(hits) > 1:
        counties = [g for g in hits if not lookup.names[g].lower().endswith(" city")]
        if len(counties) == 1:
            return counties[0], lookup.names[counties[0]], 100.0
    fips = _addfips_county(text, state)
    if fips and fips in lookup.names:
        return fips, lookup.names[fips], 100.0
    if not fuzzy:
        return None
    # approximate: typos ('Lampass', 'Dogulas'); the first letter must agree ('North' is not 'Worth')
    choices = [k for k in lookup.full if k[:1] == wanted[:1]]
    best = process.extractOne(wanted, choices, scorer=fuzz.ratio)
    if best and best[1] >= FUZZY_COUNTY_MIN:
        geoid = lookup.full[best[0]]
        return geoid, lookup.names[geoid], float(best[1])
    bare_choices = {_COUNTY_SUFFIX_RE.sub("", k): v for k, v in lookup.full.items() if k[:1] == bare[:1]}
    best = process.extractOne(bare, list(bare_choices), scorer=fuzz.ratio)
    if best and best[1] >= FUZZY_COUNTY_MIN:
        geoid = bare_choices[best[0]]
        return geoid, lookup.names[geoid], float(best[1])
    return None


def counties_in_name(agency: str) -> list[str]:
    """County names an agency name holds, longest first.

    'Palm Beach County Sheriff's Office' -> ['palm beach county', 'beach county'];
    'City of St. Louis Sheriff's Office' and 'St. Louis City Sheriff's Office' -> ['st louis city', 'louis city']
    (independent cities are county equivalents).
    """
    n = re.sub(r"\bcity of ((?:[a-z]+ ){0,2}?[a-z]+)(?= sheriff| jail| correction| detention|$)", r"\1 city",
               _norm_place(agency))
    kinds = ("county", "parish", "borough", "city")
    words = n.split()
    out: list[str] = []
    for i, word in enumerate(words):
        if word not in kinds or i == 0 or words[i - 1] in kinds:
            continue
        before = words[max(0, i - 3):i]
        stops = [k for k, w in enumerate(before) if w in (*kinds, "of", "the", "and")]
        before = before[stops[-1] + 1:] if stops else before
        out.extend(" ".join(before[k:]) + f" {word}" for k in range(len(before)))
    return out


def place_names(agency: str) -> list[str]:
    """Candidate place names in a municipal agency's name, most specific first.

    'City of Miami Springs Police Department' -> ['miami springs'];
    'Ashdown City Police Department' -> ['ashdown city', 'ashdown'].
    """
    n = _norm_place(agency)
    n = re.sub(r"^(the )?(city|town|village|borough|township) of ", "", n)
    n = re.sub(r"\b(city|town|village|borough|township) of\b", " ", n)
    n = _PLACE_STRIP_RE.sub(" ", n)
    n = re.sub(r"\s+", " ", n).strip()
    out = [n] if n else []
    shorter = re.sub(r" (city|town|village|borough|township|twp)$", "", n)
    if shorter and shorter != n:
        out.append(shorter)
    return out


def _directory_names(agency: str, kind: str) -> list[str]:
    n = _norm_place(agency)
    names = [n, *place_names(agency)]
    if kind in ("other", "county"):
        bare = re.sub(r"^(district )?board of trustees of (the )?|\bboard of trustees$", "", n)
        names.append(re.sub(r"\s+", " ", _PLACE_STRIP_RE.sub(" ", bare)).strip())
    return [x for x in dict.fromkeys(names) if x]


def _directory_county(agency: str, state: str, kind: str, directory: pd.DataFrame | None
                      ) -> tuple[str, str] | None:
    """(county name, note) from the agency directory, when exactly one county fits.

    Exact names only, tier by tier (the FBI's agency list before postal town names); a
    campus with several entries (branch campuses) takes the one with the most staff.
    """
    if directory is None or directory.empty:
        return None
    rows = directory[directory["state"] == state]
    wanted = _directory_names(agency, kind)
    for _, tier in rows.groupby("priority", sort=True):
        hits = tier[tier["norm"].isin(wanted)]
        if kind == "municipal":
            city = hits[hits["kind"] == "city"]
            hits = city if not city.empty else hits
        counties = sorted(set(hits["county"]) - {""})
        if len(counties) > 1 and set(hits["kind"]) == {"campus"} and hits["norm"].nunique() == 1:
            hits = hits.sort_values("staff", ascending=False).head(1)
            counties = [hits.iloc[0]["county"]]
        if len(counties) == 1:
            first = hits[hits["county"] == counties[0]].iloc[0]
            return counties[0], f"county from {first['source']} ({first['ori']}: {first['name']})"
        if len(counties) > 1:
            return None  # ambiguous: several places of that name
    return None


def resolve(agency: str, state: str, county: str, agency_type: str, index: pd.DataFrame,
            directory: pd.DataFrame | None = None) -> Resolution:
    """Place one agency on the map using the boundary ``index`` (see the module's rules).

    * state agencies (state police, highway patrol, corrections, national guard, attorney
      general, ICE TYPE 'State Agency' without a county for campuses…) -> the state;
    * sheriffs, county jails and other county agencies -> the county (COUNTY column, else
      the agency name, else the optional agency ``directory``);
    * municipal police -> the Census place by name within the state when the index has
      places for that state, else the county ('place_not_in_source_county');
    * everything else (campus police, ports, constables, transit) -> the county.
    """
    state = state.upper()
    kind = agency_kind(agency, agency_type, state)
    if kind == "state":
        fips = STATE_FIPS.get(state, "")
        if fips and fips in _cache(index).state_geoids:
            return Resolution(fips, "state", "state_agency", "state agency: resolved to the state",
                              name=STATE_NAMES.get(state, state))
        return Resolution("", "", "unresolved", f"state {state} is not in the boundary index")
    if kind == "municipal":
        found = _resolve_place(agency, state, index)
        if found is not None:
            return found
    return _resolve_county(agency, state, county, kind, index, directory)


def _resolve_place(agency: str, state: str, index: pd.DataFrame) -> Resolution | None:
    cache = _cache(index)
    if state not in cache.place_states:
        return None
    lookup = cache.places(state)
    for candidate in place_names(agency):
        hits = lookup.get(candidate, [])
        if len(hits) == 1:
            return Resolution(hits[0][0], "place", "place_exact", f"Census place {hits[0][1]!r}", name=hits[0][1])
    for candidate in place_names(agency)[:1]:
        best = process.extract(candidate, list(lookup), scorer=fuzz.ratio, limit=2)
        if best and best[0][1] >= FUZZY_PLACE_MIN and (len(best) == 1 or best[1][1] < best[0][1]):
            hits = lookup[best[0][0]]
            if len(hits) == 1:
                return Resolution(hits[0][0], "place", "place_fuzzy",
                                  f"Census place {hits[0][1]!r} ~ {candidate!r} (approximate)", float(best[0][1]),
                                  hits[0][1])
    return None


def _resolve_county(agency: str, state: str, county: str, kind: str, index: pd.DataFrame,
                    directory: pd.DataFrame | None) -> Resolution:
    cache = _cache(index)
    municipal = kind == "municipal"
    if municipal:
        match_kind = "place_unmatched_county" if state in cache.place_states else "place_not_in_source_county"
        lead = ("no Census place of that name in the index: resolved to county" if state in cache.place_states
                else "place boundary not in source: resolved to county")
    else:
        match_kind, lead = "", ""
    sources: list[tuple[str, str]] = []
    if county:
        parts = [p for p in re.split(r"\s*(?:,|/|;|&|\band\b)\s*", county) if p.strip()] or [county]
        sources.append((parts[0], f"COUNTY column {county!r}" + (" (first of several)" if len(parts) > 1 else "")))
    if not municipal:
        named = [(c, "the agency name") for c in counties_in_name(agency)]
        # a sheriff or county jail is the county its name says, whatever the COUNTY column holds
        sources = [*named, *sources] if kind == "county" else [*sources, *named]
    for fuzzy in (False, True):
        for text, note in sources:
            found = match_county(text, state, index, fuzzy=fuzzy)
            if found:
                geoid, name_full, score = found
                exact = score >= 100
                mk = match_kind or ("county_exact" if exact else "county_fuzzy")
                detail = f"{name_full} from {note}" + ("" if exact else f" ~ {text!r} (approximate, {score:.0f})")
                other = match_county(county, state, index, fuzzy=False) if county and "COUNTY" not in note else None
                if other and other[0] != geoid:
                    detail += f" (the COUNTY column says {county!r})"
                return Resolution(geoid, "county", mk, "; ".join(x for x in (lead, detail) if x),
                                  None if exact else score, name_full)
    via = _directory_county(agency, state, kind, directory)
    if via:
        found = match_county(via[0], state, index)
        if found:
            geoid, name_full, score = found
            return Resolution(geoid, "county", "county_directory",
                              "; ".join(x for x in (lead, f"{name_full}: {via[1]}") if x),
                              None if score >= 100 else score, name_full)
    if sources:
        reason = f"county {', '.join(repr(t) for t, _ in sources[:2])} not found in {state}"
    else:
        reason = "no county given, none in the agency name and none in the agency directory"
    return Resolution("", "", "unresolved", reason)


def load_fbi_directory(path: Path) -> pd.DataFrame:
    """An agency directory from the FBI's Law Enforcement Employees file (ori, pub_agency_name,
    state_abbr, county_name, agency_type_name): columns state, name, norm, county, kind, ori.

    Used only to find the county of an agency whose capture gave none.  A name such as
    'Marion Township, Beaver County' keeps its county; multi-county agencies keep the first.
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    kinds = {"City": "city", "County": "county", "University or College": "campus"}
    names = raw["pub_agency_name"].str.strip()
    qualifier = names.str.extract(r",\s*(?P<q>[^,]+ County)$")["q"].fillna("")
    county = raw["county_name"].str.split(",").str[0].str.strip().str.title()
    county = county.where(qualifier == "", qualifier.str.replace(r"\s+County$", "", regex=True))
    bare = names.str.replace(r",\s*[^,]+ County$", "", regex=True)
    out = pd.DataFrame({
        "state": raw["state_abbr"].str.strip().str.upper(), "name": names,
        "norm": [_norm_place(n) for n in bare], "county": county.where(~county.str.upper().isin(
            ["NOT SPECIFIED", ""]), ""),
        "kind": raw["agency_type_name"].map(kinds).fillna("other"), "ori": raw["ori"],
        "staff": pd.to_numeric(raw.get("total_pe_ct", pd.Series(0, index=raw.index)), errors="coerce").fillna(0),
        "source": "the FBI agency list", "priority": 1,
    })
    return out.drop_duplicates(["state", "norm", "county", "kind"]).reset_index(drop=True)


def postal_directory(records: Iterable[dict]) -> pd.DataFrame:
    """A fallback directory of postal town names (dicts with zip_code, city, state, county),
    used after the FBI list: a town found under ZIP codes of one county only gives that county.
    """
    rows = [{"state": str(r.get("state", "")).upper(), "name": f"{r.get('city', '')}, ZIP {r.get('zip_code', '')}",
             "norm": _norm_place(str(r.get("city", ""))), "county": str(r.get("county") or ""),
             "kind": "city", "ori": f"ZIP {r.get('zip_code', '')}", "staff": 0, "source": "postal town names",
             "priority": 2} for r in records if r.get("city") and r.get("county")]
    return pd.DataFrame(rows).drop_duplicates(["state", "norm", "county"]).reset_index(drop=True)
