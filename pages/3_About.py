"""About & methods: what is recorded and how, sources and vintages, the columns, both zones, known limits."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from sanctuary_map import ui
from sanctuary_map.about import boundary_rows, column_rows, limits_markdown, method_markdown

st.set_page_config(page_title="About · Sanctuary Map", page_icon=ui.FAVICON, layout="wide")


def main() -> None:
    st.title("About & methods")
    page = ui.start("about")
    st.markdown(method_markdown(page.data))
    st.subheader("The columns of the policy table")
    st.dataframe(pd.DataFrame(column_rows()), hide_index=True, width="stretch")
    st.subheader("Boundary layers")
    if page.data.boundaries is not None:
        m = page.data.boundaries.manifest
        st.dataframe(pd.DataFrame(boundary_rows(m)), hide_index=True, width="stretch")
        st.caption(f"Built {m['built_at']} from {m['source']} in {m['build_seconds']} s. US Census Bureau files, public domain. "
                   f"Border: {m['border']['source']}. Vintages differ between layers and states; each is recorded.")
        if m.get("missing"):
            states = sorted({x["state"] for x in m["missing"]})
            st.caption(f"Not in this server's Census source (rows there are listed in the tables, not drawn): city and "
                       f"school-district files for {len(states)} states.")
    else:
        st.warning(page.data.boundary_error or "Boundary data not built.")
    st.subheader("Known limits")
    st.markdown(limits_markdown())
    ui.log_run_time("about")


main()
