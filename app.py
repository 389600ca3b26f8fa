"""Sanctuary Map, home page: the layered map of sanctuary policies (other pages live in pages/)."""
from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from sanctuary_map import ui
from sanctuary_map.mapping import DEFAULT_FOCUS, basemap_setting, build_map
from sanctuary_map.view import LAYER_KEYS, apply

LAYER_LABELS = {"state": "States", "county": "Counties", "place": "Cities", "school_district": "School districts",
                "coverage": "County coverage", "zone": "100-mile zone", "border": "Border line", "distance": "Distance"}

def map_page() -> None:
    st.title("Sanctuary Map")
    st.caption("Ordinances, statutes, executive directives and school-board resolutions by which US states, counties, "
               "cities and school districts limit cooperation with federal immigration enforcement. "
               "Every entry links to the source it was checked against.")
    data = ui.load_app()
    if data.layers is None or data.joined is None:
        st.info("The map needs the boundary layers. Build them with `python -m sanctuary_map geodata build`.")
        return
    map_data = data.map_data()
    shown = apply(data.view, data.joined.matched)
    collections = data.collections(map_data, data.view)
    choices = {"none": "Whole country (no jurisdiction selected)", **ui.jurisdiction_choices(collections)}
    focus = data.view.focus or DEFAULT_FOCUS
    # A stable key (initialised from the URL once) keeps the choice across reruns and page switches.
    if "focus_pick" not in st.session_state:
        st.session_state["focus_pick"] = focus if focus in choices else "none"
    elif st.session_state["focus_pick"] not in choices:  # filtered out of the map: the whole country
        st.session_state["focus_pick"] = "none"
    left, right = st.columns([3, 1])
    with left:
        picked = st.selectbox("Find a jurisdiction", list(choices), key="focus_pick",
                              format_func=lambda k: choices[k], placeholder="Type a name…",
                              help="Zooms to the jurisdiction and draws its straight-line distance to the US–Mexico border.")
    if "layers_shown" not in st.session_state:
        st.session_state["layers_shown"] = [k for k in LAYER_KEYS if k not in data.view.hidden]
    shown_layers = st.pills("Layers shown (also in the map's layer control; snapshots use this choice)", LAYER_KEYS,
                            selection_mode="multi", format_func=LAYER_LABELS.get, key="layers_shown")
    # "none" = the whole country; no focus in the URL at all = the default, LAUSD.
    view = data.view.with_focus(picked or "none").with_hidden(tuple(k for k in LAYER_KEYS if k not in shown_layers))
    if view != data.view:
        ui.set_view(view)
    with right:
        st.metric("Instruments on the map", f"{len(shown)} of {len(data.joined.matched)}", help=f"Filters: {view.describe()}")
    # Focus and hidden layers do not change what is drawn: the collections above serve the map too.
    m = build_map(map_data, view, basemap=basemap_setting(), county_topology=(ui.county_topology_url(), None),
                  collections=collections, coverage=data.coverage(map_data, view))
    st_folium(m, returned_objects=[], use_container_width=True, height=620, key="map")
    ui.map_downloads(map_data, view, data.table.rows)
    ui.log_run_time("map")


st.set_page_config(page_title="Sanctuary Map", page_icon=ui.FAVICON, layout="wide")
map_page()
