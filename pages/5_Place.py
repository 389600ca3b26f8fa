"""A profile per jurisdiction (``?j=unsd:0622710``) and a side-by-side comparison (``?compare=a,b``)."""
from __future__ import annotations

import streamlit as st

from sanctuary_map import ui
from sanctuary_map.export import safe_csv
from sanctuary_map.profile import compare_table, profile

st.set_page_config(page_title="Place profile · Sanctuary Map", page_icon=ui.FAVICON, layout="wide")


def main() -> None:
    page = ui.start("place")
    key = ui.profile_key_from_url()
    st.title("Place profile")
    key = ui.place_picker(page, key)
    if key:
        layer, geoid = key.split(":", 1)
        result = profile(page.data, layer, geoid, page.view)
        if result is None:
            st.warning(f"`{key}` is neither in the boundary index nor in the policy table.")
        else:
            ui.render_profile(page, result)
    st.divider()
    st.subheader("Compare 2–4 places")
    keys = ui.compare_picker(page)
    if len(keys) >= 2:
        table = compare_table(page.data, keys, page.view)
        st.dataframe(table, width="stretch")
        st.download_button("Download the comparison (CSV)", safe_csv(table.reset_index()), "sanctuary-map-compare.csv",
                           "text/csv")
    else:
        st.caption("Pick at least two places; the comparison is part of this page's address, so it can be shared.")
    ui.log_run_time("place")


main()
