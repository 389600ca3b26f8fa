"""Policies: the filtered table, sortable, readable labels, source links and a CSV download."""
from __future__ import annotations

import streamlit as st

from sanctuary_map import ui
from sanctuary_map.export import policies_csv

st.set_page_config(page_title="Policies · Sanctuary Map", page_icon=ui.FAVICON, layout="wide")


def main() -> None:
    st.title("Policies")
    page = ui.start("policies")
    data, view = page.data, page.view
    rows = ui.selection(page).policies
    st.caption(ui.counts_caption(page, len(rows)) + " Click a column header to sort; every row links to its source.")
    columns = ["jurisdiction_name", "jurisdiction_level", "state", "stance", "instrument_type", "title", "instrument_ref",
               "date_adopted", "date_effective", "status", "status_date", "summary", "source_url", "source_kind",
               "source_url_2", "notes"]
    st.dataframe(
        ui.table_labels(rows[columns]), hide_index=True, width="stretch", height=560,
        column_config={
            "jurisdiction_name": st.column_config.TextColumn("Jurisdiction", pinned=True),
            "jurisdiction_level": st.column_config.TextColumn("Level"),
            "state": st.column_config.TextColumn("State"),
            "stance": st.column_config.TextColumn("Direction"),
            "instrument_type": st.column_config.TextColumn("Type"),
            "title": st.column_config.TextColumn("Title"),
            "instrument_ref": st.column_config.TextColumn("Reference"),
            "date_adopted": st.column_config.TextColumn("Adopted"),
            "date_effective": st.column_config.TextColumn("Effective"),
            "status": st.column_config.TextColumn("Status"),
            "status_date": st.column_config.TextColumn("Status since"),
            "summary": st.column_config.TextColumn("What it does"),
            "source_url": st.column_config.LinkColumn("Source", display_text="open source", validate=r"^https?://"),
            "source_kind": st.column_config.TextColumn("Source kind"),
            "source_url_2": st.column_config.LinkColumn("Second source", display_text="open", validate=r"^https?://"),
            "notes": st.column_config.TextColumn("Notes"),
        },
    )
    st.download_button("Download these rows (CSV)", policies_csv(data, view), "sanctuary-map-policies.csv", "text/csv")
    ui.log_run_time("policies")


main()
