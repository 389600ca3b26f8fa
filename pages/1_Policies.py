"""Policies: the filtered table, sortable, with source links and a CSV download."""
from __future__ import annotations

import streamlit as st

from sanctuary_map import ui
from sanctuary_map.export import policies_csv
from sanctuary_map.view import apply

st.set_page_config(page_title="Policies · Sanctuary Map", page_icon=ui.FAVICON, layout="wide")


def main() -> None:
    st.title("Policies")
    data = ui.load_app()
    rows = apply(data.view, data.table.rows)
    st.caption(f"{len(rows)} of {len(data.table.rows)} instruments · filters: {data.view.describe()}. "
               "Click a column header to sort; every row links to the source it was checked against.")
    columns = ["jurisdiction_name", "jurisdiction_level", "state", "instrument_type", "title", "instrument_ref",
               "date_adopted", "date_effective", "status", "relation", "relates_to", "summary", "source_url", "notes"]
    st.dataframe(
        rows[columns], hide_index=True, width="stretch", height=560,
        column_config={
            "jurisdiction_name": st.column_config.TextColumn("Jurisdiction"),
            "jurisdiction_level": st.column_config.TextColumn("Level"),
            "instrument_type": st.column_config.TextColumn("Type"),
            "instrument_ref": st.column_config.TextColumn("Reference"),
            "date_adopted": st.column_config.TextColumn("Adopted"),
            "date_effective": st.column_config.TextColumn("Effective"),
            "relates_to": st.column_config.TextColumn("Relates to (id)"),
            "source_url": st.column_config.LinkColumn("Source", display_text="open source", validate=r"^https?://"),
        },
    )
    st.download_button("Download these rows (CSV)", policies_csv(data.table.rows, data.view), "sanctuary-map-policies.csv",
                       "text/csv")


main()
