"""Agreement keys and names: normalised (state, agency, model) keys, name similarity (``rapidfuzz``), readable ids."""
from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ..vocab import STATE_NAMES
from .schema import FUZZY_NAME_MIN, MODEL_ABBR

_ABBREVIATIONS = (
    (r"\bdept\b", "department"), (r"\bdepart[e]?n?ment\b|\bdepartent\b", "department"), (r"\bpd\b", "police department"),
    (r"\bso$", "sheriffs office"), (r"\bft\b", "fort"), (r"\bst\b", "saint"), (r"\bste\b", "sainte"),
    (r"\bmt\b", "mount"), (r"\bco\b", "county"), (r"\btwp\b", "township"), (r"\bpct\b", "precinct"),
    (r"\bdoc\b", "department of corrections"), (r"\bbocc\b", "board of county commissioners"),
    (r"\bsheriff office\b", "sheriffs office"), (r"\bsheriff s\b", "sheriffs"),
    (r"\bconstables s\b", "constables"), (r"\bconstable s\b", "constables"),
)
# Generic words dropped when comparing names by their distinctive part (the place).
_FILLER = frozenset(
    ["police", "department", "sheriffs", "sheriff", "office", "of", "the", "county", "city", "town", "village",
     "borough", "parish", "township", "services", "service", "public", "safety", "division", "corrections", "correctional",
     "board", "commissioners", "center", "and", "law", "enforcement", "agency"])


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def normalise_agency(name: str) -> str:
    """An agency name folded for comparison: case, accents, apostrophes, punctuation, abbreviations.

    "St. Lucie County Sheriff's Office", "ST LUCIE COUNTY SHERIFFS OFFICE" and
    "Saint Lucie Co. Sheriff Office" all become "saint lucie county sheriffs office".
    """
    s = _ascii(name.replace("’", "'")).lower().replace("&", " and ")
    s = re.sub(r"(\w)'(\w)", r"\1\2", s)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    for pattern, replacement in _ABBREVIATIONS:
        s = re.sub(pattern, replacement, s)
    s = re.sub(r"\s+", " ", s).strip()
    return re.sub(r"^the ", "", s)


def agreement_key(state: str, agency: str, model: str) -> str:
    """The stable key of an agreement: 'FL|saint lucie county sheriffs office|task_force'."""
    return f"{state.upper()}|{normalise_agency(agency)}|{model}"


# What kind of body an agency is; two names with different roles are never the same agency.
_ROLES = {
    "sheriff": "sheriff", "sheriffs": "sheriff", "police": "police", "corrections": "corrections",
    "correctional": "corrections", "correction": "corrections", "jail": "corrections", "detention": "corrections",
    "constable": "constable", "constables": "constable", "marshal": "marshal", "marshals": "marshal",
    "commissioners": "commissioners", "attorney": "attorney", "attorneys": "attorney", "patrol": "patrol",
    "guard": "guard", "trustees": "campus", "university": "campus", "college": "campus", "port": "port",
    "airport": "port", "safety": "safety",
}
_TYPO_PRONE = ("office", "department", "sheriffs", "police", "constables")


def _tokens(name: str, state: str) -> tuple[frozenset[str], str]:
    """(roles, distinctive words) of an agency name."""
    words = normalise_agency(name).split()
    words = [next((f for f in _TYPO_PRONE if len(w) >= 5 and fuzz.ratio(w, f) >= 85), w) for w in words]
    state_words = set(STATE_NAMES.get(state, "").lower().split())
    roles = frozenset(_ROLES[w] for w in words if w in _ROLES)
    kept = [w for w in words if w not in _FILLER and w not in state_words and w not in _ROLES]
    return roles, " ".join(sorted(kept))


def name_similarity(a: str, b: str, state: str) -> float:
    """0–100: how alike two agency names of one state are, judged on their distinctive words.

    'Calacasieu Parish Sheriffs Office' ~ 'Calcasieu Parish Sheriff's Office' scores 95;
    'Lake County Sheriff's Office' ~ 'Lee County Sheriff's Office' scores 57; names of
    different kinds of body ('… Sheriff's Office' ~ '… Department of Corrections') score 0.
    """
    (ra, da), (rb, db) = _tokens(a, state), _tokens(b, state)
    if ra != rb:
        return 0.0
    if da and db:
        return float(fuzz.ratio(da, db))
    if not da and not db:
        return float(fuzz.token_set_ratio(normalise_agency(a), normalise_agency(b)))
    return 0.0


def same_agency(a: str, b: str, state: str) -> float | None:
    """The similarity score when two names are taken for the same agency, else None.

    Accepted: same kind of body and distinctive words scoring >= FUZZY_NAME_MIN, or differing
    by one letter in a name of five or more ('Berrian' ~ 'Berrien').
    """
    score = name_similarity(a, b, state)
    if score >= FUZZY_NAME_MIN:
        return score
    da, db = _tokens(a, state)[1], _tokens(b, state)[1]
    if score > 0 and min(len(da), len(db)) >= 5 and Levenshtein.distance(da, db) <= 1:
        return score
    return None


def agreement_id(state: str, agency: str, model: str, taken: set[str]) -> str:
    """A readable id assigned at first sight and never changed: 'fl-saint-lucie-county-sheriffs-office-tfm'."""
    slug = re.sub(r"[^a-z0-9]+", "-", normalise_agency(agency)).strip("-")[:60].strip("-")
    base = f"{state.lower()}-{slug}-{MODEL_ABBR[model]}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
