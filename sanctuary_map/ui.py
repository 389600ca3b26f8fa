"""The only module that imports Streamlit: cached loaders, the shared sidebar, panels and widgets.

Pages are thin: ``page = ui.start("Title")`` loads what every page needs (data, view, static
addresses) and draws the sidebar; the page then calls the package and renders.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import streamlit as st

from . import settings as paths
from .data import MapData, load_map_data
from .mapping import Published
from .policies import PolicyTable
from .publish import publish_boundaries, publish_details
from .settings import settings
from .view import LAYER_KEYS, EARLIEST, View, parse_query
from .vocab import (
    FEDERAL_LIST_LABEL, FEDERAL_LISTS, FLAG_GROUPS, INSTRUMENT_LABEL, INSTRUMENT_TYPES, LEVEL_LABEL, LEVELS, MODEL_LABEL,
    MODELS, STANCE_LABEL, STANCES, STATE_NAMES, STATUS_LABEL, STATUSES,
)

# Our own navigation (labels we choose; the default one would call the home page "app").
PAGES = (
    ("app.py", "Map", ":material/map:"),
    ("pages/1_Policies.py", "Policies", ":material/table:"),
    ("pages/5_Place.py", "Place profile & compare", ":material/location_on:"),
    ("pages/6_What_changed.py", "What changed", ":material/history:"),
    ("pages/7_Agreements_and_lists.py", "287(g) & federal lists", ":material/gavel:"),
    ("pages/2_Border_distance.py", "Border distance", ":material/straighten:"),
    ("pages/4_Your_data.py", "Your data", ":material/upload_file:"),
    ("pages/3_About.py", "About & methods", ":material/info:"),
)
FILTER_KEYS = {"types": "f_types", "levels": "f_levels", "states": "f_states", "statuses": "f_statuses",
               "stances": "f_stances", "restrictions": "f_restrictions", "models": "f_models", "lists": "f_lists",
               "years": "f_years", "as_of": "f_as_of", "include_inactive": "f_all", "layers": "f_layers"}
UPLOAD_KEY = "uploaded_policies"
LAYER_LABELS = {"state": "States", "county": "Counties", "place": "Cities and towns", "school_district": "School districts",
                "coverage": "County coverage", "agreements": "287(g) agreements", "federal": "Federal lists",
                "zone": "100 mi of Mexican border", "zone_all": "100-mile border zone (all borders)",
                "border": "Border line", "distance": "Distance line"}
# Served by this app (a :material: icon would make browsers fetch it from a third-party font host).
FAVICON = str(paths.STATIC_DIR / "favicon.png")


# ---------------------------------------------------------------------------- cached loaders
def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _shipped_key() -> str:
    files = [paths.POLICIES_CSV, paths.GEODATA_DIR / "manifest.json", *sorted(paths.DATA_DIR.glob("*.csv"))]
    return "|".join(f"{f.name}:{_mtime(f)}" for f in files)


@st.cache_resource(show_spinner="Loading policies and boundaries…")
def _shipped(key: str) -> MapData:
    # Shared read-only across sessions: nothing downstream mutates these frames.
    return load_map_data()


@st.cache_resource(show_spinner=False)
def _published(key: str) -> Published:
    data = _shipped(key)
    pub = publish_boundaries(data)
    pub.details_url = publish_details(data)
    return pub


def _upload_data(table: PolicyTable, upload_key: str, shipped: MapData) -> MapData:
    """An upload joins against the same boundary index (kept in the session: never published)."""
    cached = st.session_state.get("_upload_data")
    if cached is not None and cached[0] == upload_key:
        return cached[1]
    data = load_map_data(table, boundaries=shipped.boundaries)
    st.session_state["_upload_data"] = (upload_key, data)
    return data


@dataclass
class Page:
    data: MapData
    view: View
    published: Published  # static addresses (details inlined for uploads)
    uploaded: bool
    notices: list[str]

    @property
    def data_key(self) -> str:
        return self.data.version


@st.cache_data(show_spinner=False)
def _page_css(mtime: float) -> str:
    return (paths.STATIC_DIR / "app.css").read_text(encoding="utf-8")


def start(name: str) -> Page:
    """Load data (the session's upload if any, else the shipped tables), draw the sidebar, show problems."""
    st.session_state["_run_started"] = time.perf_counter()
    st.html(f"<style>{_page_css(_mtime(paths.STATIC_DIR / 'app.css'))}</style>")
    st.session_state["_page"] = name
    key = _shipped_key()
    shipped = _shipped(key)
    published = _published(key)
    upload = st.session_state.get(UPLOAD_KEY)
    data = shipped
    if upload is not None:
        data = _upload_data(upload, st.session_state.get(UPLOAD_KEY + "_key", ""), shipped)
        published = replace(published, details_url=None)
    view, notices = sidebar(data)
    page = Page(data, view, published, upload is not None, notices)
    show_data_health(page)
    return page


# ---------------------------------------------------------------------------- sidebar / URL
def min_year(data: MapData) -> int:
    years = data.policies["date_adopted"].str[:4]
    years = pd.to_numeric(years[years != ""], errors="coerce").dropna()
    return int(min(years.min(), 1985)) if len(years) else 1985


def _view_from_url() -> tuple[View, list[str]]:
    """The view in the URL, validated and clamped (once per session; then widgets own it)."""
    if "view" in st.session_state:
        return st.session_state["view"], []
    query = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    return parse_query(query)


def sidebar(data: MapData) -> tuple[View, list[str]]:
    """Filters shared by every page; they live in the URL so a copied link restores the view."""
    current, notices = _view_from_url()
    today = dt.date.today()
    lo, hi = min_year(data), today.year
    y0 = int(current.start[:4]) if current.start else lo
    y1 = int(current.end[:4]) if current.end else hi
    if y0 < lo or y1 > hi or y0 > hi or y1 < lo:
        notices.append(f"The adoption years in the link are outside the data ({lo}–{hi}); showing the nearest valid range.")
    y0, y1 = max(lo, min(y0, hi)), min(hi, max(y1, lo))
    initial = {
        "types": list(current.types), "levels": list(current.levels), "states": list(current.states),
        "statuses": list(current.statuses), "stances": list(current.stances), "restrictions": list(current.restrictions),
        "models": list(current.models), "lists": list(current.lists), "years": (y0, y1),
        "as_of": dt.date.fromisoformat(current.as_of) if current.as_of else today,
        "include_inactive": current.include_inactive,
        "layers": [k for k in LAYER_KEYS if k not in current.hidden],
    }
    for name, key in FILTER_KEYS.items():
        # Re-assigning keeps widget state alive when the user switches pages.
        st.session_state[key] = st.session_state[key] if key in st.session_state else initial[name]
    states = sorted(set(data.policies["state"]) | set(st.session_state[FILTER_KEYS["states"]]))
    with st.sidebar:
        for target, label, icon in PAGES:
            st.page_link(target, label=label, icon=icon)
        st.header("Filters")
        st.date_input("In force on", key=FILTER_KEYS["as_of"], min_value=EARLIEST, max_value=today, format="YYYY-MM-DD",
                      help="The map and tables show what was in force that day: adopted by then, not yet repealed, "
                           "struck down or blocked.")
        st.multiselect("Direction", STANCES, key=FILTER_KEYS["stances"], format_func=STANCE_LABEL.get,
                       placeholder="Both directions")
        st.multiselect("Instrument type", INSTRUMENT_TYPES, key=FILTER_KEYS["types"], format_func=INSTRUMENT_LABEL.get,
                       placeholder="All types")
        st.multiselect("What it does", list(FLAG_GROUPS), key=FILTER_KEYS["restrictions"], placeholder="Anything",
                       help="Instruments with at least one restriction or requirement in the chosen groups.")
        st.multiselect("Level", LEVELS, key=FILTER_KEYS["levels"], format_func=LEVEL_LABEL.get, placeholder="All levels")
        st.multiselect("State", states, key=FILTER_KEYS["states"], format_func=lambda s: STATE_NAMES.get(s, s),
                       placeholder="All states")
        st.multiselect("Status", STATUSES, key=FILTER_KEYS["statuses"], format_func=STATUS_LABEL.get, placeholder="Any status")
        st.slider("Adopted between", lo, hi, key=FILTER_KEYS["years"])
        st.toggle("Tables: also list instruments not in force that day", key=FILTER_KEYS["include_inactive"],
                  help="Repealed, struck down, blocked, failed or not yet adopted. The map always shows what was in force.")
        with st.expander("287(g) and federal lists"):
            st.multiselect("287(g) model", MODELS, key=FILTER_KEYS["models"], format_func=MODEL_LABEL.get,
                           placeholder="All models")
            st.multiselect("Federal list", FEDERAL_LISTS, key=FILTER_KEYS["lists"], format_func=FEDERAL_LIST_LABEL.get,
                           placeholder="Both lists")
        st.multiselect("Map layers shown", LAYER_KEYS, key=FILTER_KEYS["layers"], format_func=LAYER_LABELS.get,
                       help="Also in the map's layer control; snapshots and shared links use this choice.")
        if st.button("Reset filters", width="stretch"):
            for key in FILTER_KEYS.values():
                del st.session_state[key]
            st.session_state["view"] = View(focus=current.focus)
            st.query_params.clear()
            st.rerun()
    s = st.session_state
    a0, a1 = s[FILTER_KEYS["years"]]
    as_of = s[FILTER_KEYS["as_of"]]
    view = View(
        types=tuple(s[FILTER_KEYS["types"]]), levels=tuple(s[FILTER_KEYS["levels"]]), states=tuple(s[FILTER_KEYS["states"]]),
        statuses=tuple(s[FILTER_KEYS["statuses"]]), stances=tuple(s[FILTER_KEYS["stances"]]),
        restrictions=tuple(s[FILTER_KEYS["restrictions"]]), models=tuple(s[FILTER_KEYS["models"]]),
        lists=tuple(s[FILTER_KEYS["lists"]]),
        start=f"{a0}-01-01" if a0 > lo else "", end=f"{a1}-12-31" if a1 < hi else "",
        as_of="" if as_of == today else as_of.isoformat(), include_inactive=bool(s[FILTER_KEYS["include_inactive"]]),
        focus=current.focus, hidden=tuple(k for k in LAYER_KEYS if k not in s[FILTER_KEYS["layers"]]),
    )
    set_view(view)
    return view, notices


def set_view(view: View) -> None:
    st.session_state["view"] = view
    query = view.to_query()
    existing = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    normal = {k: (v if isinstance(v, list) else [v]) for k, v in query.items()}
    if existing != normal:
        st.query_params.from_dict(query)


def table_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Codes -> labels in every column a reader sees (never ``ag_directive``; always "AG directive")."""
    out = frame.copy()
    maps = {"stance": STANCE_LABEL, "instrument_type": INSTRUMENT_LABEL, "status": STATUS_LABEL,
            "jurisdiction_level": {k: v for k, v in zip(LEVELS, ("State", "County", "City or town", "School district"))},
            "state": STATE_NAMES}
    for col, mapping in maps.items():
        if col in out:
            out[col] = out[col].map(lambda v, m=mapping: m.get(v, v))
    return out


# ---------------------------------------------------------------------------- panels
def show_data_health(page: Page) -> None:
    data = page.data
    for n in page.notices:
        st.info(n, icon=":material/link:")
    if page.uploaded:
        st.info(f"Showing your uploaded table `{data.table.source}` (private to this browser session). "
                "Go to *Your data* to switch back to the published table.", icon=":material/upload_file:")
    if data.boundary_error:
        st.error(f"Boundary data unavailable: {data.boundary_error}", icon=":material/map:")
    elif data.boundaries is not None:
        for layer, message in data.boundaries.errors.items():
            st.warning(f"{layer.replace('_', ' ').capitalize()}: {message}", icon=":material/warning:")
    problems = data.table.problems + data.problems
    if problems:
        n = len(data.table.invalid_rows)
        with st.expander(f"⚠️ {len(problems)} problem(s) in the data: {n} policy row(s) left out, "
                         f"{len(data.table.rows)} valid row(s) shown", expanded=page.uploaded):
            st.dataframe(pd.DataFrame([{"file": p.file, "row": p.row, "column": p.column, "problem": p.reason}
                                       for p in problems]), hide_index=True, width="stretch")


def counts_caption(page: Page, shown: int) -> str:
    """One sentence that makes counts agree across pages (or says why they differ)."""
    data = page.data
    total = len(data.policies)
    drawn = len(data.matched)
    without = total - drawn
    return (f"{shown} instrument(s) in this view, of {total} in the table. {drawn} have a boundary on this server's map; "
            f"{without} are listed in the tables but their boundary file is not in this server's Census source.")


def share_base() -> str | None:
    """The address the visitor used, unless a public URL is configured."""
    configured = settings().public_url
    if configured:
        return configured
    try:
        url = st.context.url
    except Exception:
        return None
    return url.split("?", 1)[0] if url else None


def share_box(view: View) -> None:
    from .export import share_url

    st.caption("Share this view (copy with the button at the right of the box):")
    st.code(share_url(view, share_base()), language=None, wrap_lines=True)


def map_downloads(page: Page, view: View) -> None:
    """Snapshot and data downloads; files are produced only when the user asks."""
    from .export import PRESETS, boundaries_geojson, describe, policies_csv, snapshot_png, standalone_html, vector_snapshot

    data = page.data
    with st.expander("Download a snapshot or the data", icon=":material/download:"):
        c1, c2, c3 = st.columns([2, 2, 1])
        title = c1.text_input("Title", value="Sanctuary Map", max_chars=120)
        subtitle = c2.text_input("Subtitle", value=describe(view), max_chars=200)
        preset = c3.selectbox("Size", list(PRESETS), format_func=lambda k: PRESETS[k].label)
        b1, b2, b3, b4, b5, b6 = st.columns(6)
        with b1:
            if st.button("Prepare PNG", width="stretch"):
                with st.spinner("Rendering the map in a headless browser…"):
                    png, renderer = snapshot_png(data, view, preset=preset, title=title, subtitle=subtitle, base_url=share_base())
                st.session_state["png"] = (png, renderer, view, preset, title, subtitle)
            got = st.session_state.get("png")
            if got and got[2:] == (view, preset, title, subtitle):
                st.download_button("Download PNG", got[0], "sanctuary-map.png", "image/png", width="stretch")
                if got[1] != "chromium":
                    st.caption("Static rendering: no browser was available on the server.")
        b2.download_button("SVG (print)", lambda: vector_snapshot(data, view, "svg", title=title, subtitle=subtitle),
                           "sanctuary-map.svg", "image/svg+xml", width="stretch")
        b3.download_button("PDF (print)", lambda: vector_snapshot(data, view, "pdf", title=title, subtitle=subtitle),
                           "sanctuary-map.pdf", "application/pdf", width="stretch")
        b4.download_button("HTML (offline)", lambda: standalone_html(data, view, title=title, subtitle=subtitle,
                                                                     base_url=share_base()).encode(),
                           "sanctuary-map.html", "text/html", width="stretch",
                           help="A standalone map file that opens without any network.")
        b5.download_button("Data (CSV)", lambda: policies_csv(data.policies, view), "sanctuary-map-policies.csv", "text/csv",
                           width="stretch")
        b6.download_button("Boundaries (GeoJSON)", lambda: boundaries_geojson(data, view), "sanctuary-map-boundaries.geojson",
                           "application/geo+json", width="stretch")


def log_run_time(page: str) -> None:
    """With SANCTUARY_MAP_TIMING=1, log each script run's server time (used by the benchmarks)."""
    started = st.session_state.get("_run_started")
    if settings().timing and started is not None:
        print(f"sanctuary-map-timing page={page} ms={1000 * (time.perf_counter() - started):.1f}", flush=True)


def upload_key(data: bytes) -> str:
    return "upload:" + hashlib.sha256(data).hexdigest()



# ---------------------------------------------------------------------------- search and "what applies here"
@st.cache_resource(show_spinner=False, max_entries=8)
def _search_table(version: str, _data: MapData) -> pd.DataFrame:
    from .search import candidates

    return candidates(_data.boundaries.index if _data.boundaries is not None else None, _data.policies)


def search_table(page: Page) -> pd.DataFrame:
    return _search_table(page.data.version, page.data)


def jurisdiction_search(page: Page, focus: str) -> str:
    """A search box that finds every jurisdiction (any boundary, any table row), typo-tolerant; returns the focus."""
    from .search import find

    table = search_table(page)
    labels = dict(zip(table["key"], table["display"] + " (" + table["level"].str.lower() + ", " + table["state"] + ")"))
    c1, c2, c3 = st.columns([3, 3, 1], vertical_alignment="bottom")
    query = c1.text_input("Find a place", key="find_query", placeholder="City, county, school district or state — e.g. Fresno, "
                          "Portland OR, Chicago Public Schools", help="Typos are fine. Add a state to narrow: 'Portland, OR'.")
    current = focus if focus in labels or focus == "none" else "none"
    options = ["none"]
    hits = find(query, table, limit=12) if query.strip() else []
    option_labels = {"none": "Whole country (no place selected)"}
    for h in hits:
        options.append(h.key)
        option_labels[h.key] = h.label()
    if current not in options:
        options.insert(1, current)
        option_labels[current] = labels.get(current, current)
    if query.strip() and not hits:
        c2.warning(f"Nothing found for “{query[:60]}”.", icon=":material/search_off:")
        return current
    index = options.index(hits[0].key) if hits else options.index(current)
    picked = c2.selectbox("Show", options, index=index, format_func=lambda k: option_labels.get(k, k),
                          key=f"find_pick_{query}", help="Zooms to the place; its straight-line distance to the border is drawn.")
    if c3.button("Profile", width="stretch", disabled=picked in ("none", "") or picked.startswith("record"),
                 help="Open this place's profile page."):
        st.session_state["profile_key"] = picked
        st.switch_page("pages/5_Place.py")
    return picked


def clicked_point(value) -> tuple[float, float] | None:
    """(lon, lat) of the last map click reported by st_folium, validated."""
    try:
        lc = (value or {}).get("last_clicked") or {}
        lat, lon = float(lc["lat"]), float(lc["lng"])
    except (TypeError, KeyError, ValueError, AttributeError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lon, lat


def render_entry(e, *, compact: bool = False) -> None:
    """One jurisdiction of a stack or profile: its instruments with stance, dates, status and source links."""
    from .vocab import MODEL_LABEL as ML, STANCE_LABEL as SL

    st.markdown(f"**{e.name}** · {e.level}" + (f" · _{e.note}_" if e.note else ""))
    if not e.instruments and e.geoid:
        st.caption("No instrument recorded in force on this date.")
    for i in e.instruments:
        src = f"[source]({i.source_url})" if i.source_url.startswith(("http://", "https://")) else ""
        st.markdown(f"- **{SL[i.stance]}** — {i.title} ({i.type}; adopted {i.adopted or 'date unknown'}"
                    f"{'; effective ' + i.effective if i.effective else ''}; {i.status.lower()}) {src}")
        if not compact and i.does:
            st.caption("Does: " + ", ".join(i.does))
    for a in e.agreements:
        st.markdown(f"- **287(g)** — {a.get('agency', '')}: {ML.get(a.get('model', ''), a.get('model', ''))}"
                    f"{', signed ' + a['signed'] if a.get('signed') else ''}")
    for d in e.listings:
        st.markdown(f"- **Federal list** — named on the {FEDERAL_LIST_LABEL[d['list']]} as “{d['name_as_published']}” "
                    f"[source]({d['source_url']})")
    if e.distance:
        zones = []
        if e.zone_mexico in ("inside", "partly inside"):
            zones.append(f"{e.zone_mexico} 100 miles of the Mexican land border")
        if e.zone_all in ("inside", "partly inside"):
            zones.append(f"{e.zone_all} the 100-mile border zone (all external boundaries)")
        st.caption(f"Border: {e.distance}." + (" " + "; ".join(zones).capitalize() + "." if zones else ""))


def what_applies_here(page: Page, value) -> None:
    """The whole stack at the clicked point, under the map."""
    from .profile import stack

    point = clicked_point(value)
    with st.container(border=True):
        if point is None:
            st.markdown("**What applies here?** Click anywhere on the map: the state, county, city (or unincorporated "
                        "area) and school districts at that spot are listed here with their instruments, 287(g) "
                        "agreements and federal listings.")
            return
        lon, lat = point
        entries, note = stack(page.data, lon, lat, page.view)
        st.markdown(f"**What applies at {lat:.4f}, {lon:.4f}** (in force on {page.view.as_of_date()})")
        if not entries:
            st.caption("No US boundary here in this server's Census source.")
            return
        if note:
            st.warning(note, icon=":material/gavel:")
        for e in entries:
            render_entry(e, compact=True)
