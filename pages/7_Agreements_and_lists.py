"""287(g) agreements, the federal "sanctuary" lists, and where sources disagree."""
from __future__ import annotations

import streamlit as st

from sanctuary_map import ui
from sanctuary_map.disagreements import disagreements
from sanctuary_map.export import safe_csv

st.set_page_config(page_title="287(g) & federal lists · Sanctuary Map", page_icon=ui.FAVICON, layout="wide")


def main() -> None:
    st.title("287(g) agreements and federal lists")
    page = ui.start("agreements")
    data = page.data
    tab1, tab2, tab3 = st.tabs(["287(g) agreements", "Federal lists", "Where sources disagree"])
    with tab1:
        ui.agreements_section(page)
    with tab2:
        ui.designations_section(page)
    with tab3:
        table = disagreements(data, page.view)
        st.caption("Places where the record points two ways: listed by Washington while holding a 287(g) agreement or "
                   "requiring cooperation; a local limit inside a state that requires cooperation; a local requirement "
                   "inside a state that limits it. Each row gives both sources.")
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            "Source A": st.column_config.LinkColumn(display_text="source", validate=r"^https?://"),
            "Source B": st.column_config.LinkColumn(display_text="source", validate=r"^https?://"),
        })
        st.download_button("Download (CSV)", safe_csv(table), "sanctuary-map-disagreements.csv", "text/csv")
    ui.log_run_time("agreements")


main()
