"""The only module that imports Streamlit: cached loaders, the shared sidebar, panels."""
from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from . import _paths
from .geodata import GeodataError, Layers, load_layers, publish_topology
from .join import JoinResult, join
from .mapping import LEVEL_LABEL, MapData, county_coverage, feature_collections
from .policies import FLAG_GROUPS, INSTRUMENT_TYPES, LEVELS, STATUSES, PolicyTable, load_policies
from .view import View

# Our own navigation (labels we choose; the default one would call the home page "app").
PAGES = (
    ("app.py", "Map", ":material/map:"),
    ("pages/1_Policies.py", "Policies", ":material/table:"),
    ("pages/2_Border_distance.py", "Border distance", ":material/straighten:"),
    ("pages/4_Your_data.py", "Your data", ":material/upload_file:"),
    ("pages/3_About.py", "About & methods", ":material/info:"),
)
FILTER_KEYS = {"types": "f_types", "levels": "f_levels", "states": "f_states", "statuses": "f_statuses",
               "restrictions": "f_restrictions", "years": "f_years"}
MIN_YEAR = 1985
UPLOAD_KEY = "uploaded_policies"
TIMING_ENV = "SANCTUARY_MAP_TIMING"
# Served by this app (a :material: icon would make browsers fetch it from a third-party font host).
FAVICON = str(_paths.STATIC_DIR / "favicon.png")


# ---------------------------------------------------------------------------- cached loaders
@st.cache_data(show_spinner="Reading policies…")
def _load_table(path: str, mtime: float) -> PolicyTable:
    return load_policies(Path(path))


@st.cache_resource(show_spinner="Loading boundary layers…")
def _load_layers(path: str, mtime: float) -> Layers:
    # Shared read-only across sessions: nothing downstream mutates these frames.
    return load_layers(Path(path))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


@st.cache_resource(show_spinner=False)
def _topology_url(path: str, mtime: float) -> str | None:
    layers = _load_layers(path, mtime)
    return publish_topology(layers, _paths.STATIC_DIR)


def county_topology_url() -> str | None:
    return _topology_url(str(_paths.GEODATA_DIR), _mtime(_paths.GEODATA_DIR / "manifest.json"))


@st.cache_data(max_entries=32, show_spinner=False)
def _joined(data_key: str, _table: PolicyTable, _layers: Layers) -> JoinResult:
    return join(_table.rows, _layers.web, {**_layers.manifest, "_load_errors": _layers.errors})


def _filters_key(view: View) -> str:
    """The part of a view that decides what is drawn (not the focus or the hidden layers)."""
    return json.dumps(View(**{**view.__dict__, "focus": "", "hidden": ()}).to_query(), sort_keys=True)


@st.cache_data(max_entries=256, show_spinner=False)
def _collections(data_key: str, filters_key: str, _map_data, _view: View) -> dict:
    return feature_collections(_map_data, _view)


@st.cache_data(max_entries=256, show_spinner=False)
def _coverage(data_key: str, filters_key: str, _map_data, _view: View) -> dict:
    return county_coverage(_map_data, _view)


@dataclass
class AppData:
    table: PolicyTable
    layers: Layers | None
    geodata_error: str | None
    joined: JoinResult | None
    view: View
    uploaded: bool = False
    data_key: str = ""  # identity of (policies, geodata): the cache key for everything derived from them

    def map_data(self) -> MapData:
        return MapData(self.layers, self.joined.matched)

    def collections(self, map_data: MapData, view: View) -> dict:
        return _collections(self.data_key, _filters_key(view), map_data, view)

    def coverage(self, map_data: MapData, view: View) -> dict:
        return _coverage(self.data_key, _filters_key(view), map_data, view)


def load_app() -> AppData:
    """Load data (the session's upload if any, else the shipped table), draw the sidebar, show problems."""
    st.session_state["_run_started"] = time.perf_counter()
    upload = st.session_state.get(UPLOAD_KEY)
    if upload is not None:
        table = upload
        table_key = st.session_state.get(UPLOAD_KEY + "_key") or f"upload:{id(upload)}"
    else:
        table = _load_table(str(_paths.POLICIES_CSV), _mtime(_paths.POLICIES_CSV))
        table_key = f"shipped:{_mtime(_paths.POLICIES_CSV)}"
    layers, error = None, None
    try:
        layers = _load_layers(str(_paths.GEODATA_DIR), _mtime(_paths.GEODATA_DIR / "manifest.json"))
    except GeodataError as exc:
        error = str(exc)
    joined = None
    data_key = f"{table_key}|{layers.manifest.get('built_at') if layers else 'none'}"
    if layers is not None:
        joined = _joined(data_key, table, layers)
    view = sidebar(table.rows)
    data = AppData(table, layers, error, joined, view, uploaded=upload is not None, data_key=data_key)
    show_data_health(data)
    return data


# ---------------------------------------------------------------------------- sidebar / URL
def _view_from_state() -> View:
    if "view" in st.session_state:
        return st.session_state["view"]
    return View.from_query({k: st.query_params.get_all(k) for k in st.query_params.keys()})


def sidebar(policies: pd.DataFrame) -> View:
    """Filters shared by every page; they live in the URL so a copied link restores the view."""
    current = _view_from_state()
    this_year = dt.date.today().year
    initial = {
        "types": list(current.types), "levels": list(current.levels), "states": list(current.states),
        "statuses": list(current.statuses), "restrictions": list(current.restrictions),
        "years": (int(current.start[:4]) if current.start else MIN_YEAR, int(current.end[:4]) if current.end else this_year),
    }
    for name, key in FILTER_KEYS.items():
        # Re-assigning keeps widget state alive when the user switches pages.
        st.session_state[key] = st.session_state[key] if key in st.session_state else initial[name]
    states = sorted(policies["state"].unique()) if len(policies) else []
    with st.sidebar:
        for target, label, icon in PAGES:
            st.page_link(target, label=label, icon=icon)
        st.header("Filters")
        st.multiselect("Instrument type", INSTRUMENT_TYPES, key=FILTER_KEYS["types"], format_func=_label,
                       placeholder="All types")
        st.multiselect("Restriction category", list(FLAG_GROUPS), key=FILTER_KEYS["restrictions"],
                       placeholder="Any restriction", help="Shows instruments with at least one restriction in the chosen groups.")
        st.multiselect("Level", LEVELS, key=FILTER_KEYS["levels"], format_func=lambda v: LEVEL_LABEL[v], placeholder="All levels")
        st.multiselect("State", sorted(set(states) | set(st.session_state[FILTER_KEYS["states"]])), key=FILTER_KEYS["states"],
                       placeholder="All states")
        st.multiselect("Status", STATUSES, key=FILTER_KEYS["statuses"], format_func=_label, placeholder="Any status")
        st.slider("Adopted between", MIN_YEAR, this_year, key=FILTER_KEYS["years"])
        if st.button("Reset filters", width="stretch"):
            for key in FILTER_KEYS.values():
                del st.session_state[key]
            st.session_state["view"] = View(focus=current.focus, hidden=current.hidden)
            st.query_params.clear()
            st.rerun()
    y0, y1 = st.session_state[FILTER_KEYS["years"]]
    view = View(
        types=tuple(st.session_state[FILTER_KEYS["types"]]), levels=tuple(st.session_state[FILTER_KEYS["levels"]]),
        states=tuple(st.session_state[FILTER_KEYS["states"]]), statuses=tuple(st.session_state[FILTER_KEYS["statuses"]]),
        restrictions=tuple(st.session_state[FILTER_KEYS["restrictions"]]),
        start=f"{y0}-01-01" if y0 > MIN_YEAR else "", end=f"{y1}-12-31" if y1 < this_year else "",
        focus=current.focus, hidden=current.hidden,
    )
    set_view(view)
    return view


def set_view(view: View) -> None:
    st.session_state["view"] = view
    query = view.to_query()
    existing = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    normal = {k: (v if isinstance(v, list) else [v]) for k, v in query.items()}
    if existing != normal:
        st.query_params.from_dict(query)


def _label(value: str) -> str:
    return value.replace("_", " ").replace("ag ", "AG ").capitalize()


# ---------------------------------------------------------------------------- panels
def show_data_health(data: AppData) -> None:
    if data.uploaded:
        st.info(f"Showing your uploaded table `{data.table.source}` (private to this browser session). "
                "Go to *Your data* to switch back to the published table.", icon=":material/upload_file:")
    if data.geodata_error:
        st.error(f"Boundary data unavailable: {data.geodata_error}", icon=":material/map:")
    elif data.layers is not None:
        for layer, message in data.layers.errors.items():
            st.warning(f"The {layer.replace('_', ' ')} layer is not shown: {message}", icon=":material/warning:")
    if data.table.problems:
        n = len(data.table.invalid_rows)
        with st.expander(f"⚠️ {len(data.table.problems)} problem(s) in `{data.table.source}`: "
                         f"{n} row(s) left out, {len(data.table.rows)} valid row(s) shown", expanded=data.uploaded):
            st.dataframe(pd.DataFrame([{"file": p.file, "row": p.row, "column": p.column, "problem": p.reason}
                                       for p in data.table.problems]), hide_index=True, width="stretch")
    if data.joined is not None and len(data.joined.unmatched):
        with st.expander(f"{len(data.joined.unmatched)} policy row(s) have no boundary on the map"):
            st.dataframe(data.joined.unmatched[["policy_id", "jurisdiction_name", "geoid_layer", "geoid", "reason"]],
                         hide_index=True, width="stretch")


# ---------------------------------------------------------------------------- map page helpers
def jurisdiction_choices(collections: dict) -> dict[str, str]:
    """``layer:geoid`` -> label, for every jurisdiction drawn under the current filters."""
    from .mapping import LEVEL_SINGULAR

    out = {}
    for level, fc in collections.items():
        for f in fc["features"]:
            p = f["properties"]
            out[p["key"]] = f"{p['name']} ({LEVEL_SINGULAR[level].lower()}, {p['key'].split(':')[1]})"
    return dict(sorted(out.items(), key=lambda kv: kv[1]))


def map_downloads(map_data, view: View, all_policies: pd.DataFrame) -> None:
    """Download buttons; files are produced only when the user asks (PNG and HTML take a moment)."""
    from .export import boundaries_geojson, policies_csv, share_url, snapshot_png, standalone_html

    stamp = map_data.layers.manifest.get("built_at", "")[:10]
    st.markdown(f"**Share this view:** `{share_url(view)}`")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        if st.button("Prepare PNG snapshot", width="stretch"):
            with st.spinner("Rendering the map in a headless browser…"):
                png, renderer = snapshot_png(map_data, view, data_date=stamp)
            st.session_state["png"] = (png, renderer, view)
        if "png" in st.session_state and st.session_state["png"][2] == view:
            png, renderer, _ = st.session_state["png"]
            st.download_button("Download PNG", png, "sanctuary-map.png", "image/png", width="stretch")
            if renderer != "chromium":
                st.caption("Static rendering: no browser was available on the server.")
    with c2:
        st.download_button("Download HTML", lambda: standalone_html(map_data, view, data_date=stamp).encode(),
                           "sanctuary-map.html", "text/html", width="stretch",
                           help="A standalone map file that opens without any network.")
    with c3:
        st.download_button("Download data (CSV)", lambda: policies_csv(all_policies, view), "sanctuary-map-policies.csv",
                           "text/csv", width="stretch")
    with c4:
        st.download_button("Download boundaries (GeoJSON)", lambda: boundaries_geojson(map_data, view),
                           "sanctuary-map-boundaries.geojson", "application/geo+json", width="stretch")


def log_run_time(page: str) -> None:
    """With SANCTUARY_MAP_TIMING=1, log each script run's server time (used by benchmarks/load_test.py)."""
    started = st.session_state.get("_run_started")
    if os.environ.get(TIMING_ENV) and started is not None:
        print(f"sanctuary-map-timing page={page} ms={1000 * (time.perf_counter() - started):.1f}", flush=True)
