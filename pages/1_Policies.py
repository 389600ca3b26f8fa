"""Policies: the filtered table, sortable, readable labels, source links and a CSV download."""
from __future__ import annotations

import streamlit as st

from sanctuary_map import ui
from sanctuary_map.export import policies_csv
from sanctuary_map.i18n import N_, _

ui.page_config(N_("Policies"))


def main() -> None:
    page = ui.start("policies")
    st.title(_("Policies"))
    data, view = page.data, page.view
    rows = ui.selection(page).policies
    st.caption(ui.counts_caption(page, len(rows)) + " " + _("Click a column header to sort; every row links to its source."))
    columns = ["jurisdiction_name", "jurisdiction_level", "state", "stance", "instrument_type", "title", "instrument_ref",
               "date_adopted", "date_effective", "status", "status_date", "summary", "source_url", "source_kind",
               "source_url_2", "notes"]
    st.dataframe(
        ui.table_labels(rows[columns]), hide_index=True, width="stretch", height=560,
        column_config={
            "jurisdiction_name": st.column_config.TextColumn(_("Jurisdiction"), pinned=True),
            "jurisdiction_level": st.column_config.TextColumn(_("Level")),
            "state": st.column_config.TextColumn(_("State")),
            "stance": st.column_config.TextColumn(_("Direction")),
            "instrument_type": st.column_config.TextColumn(_("Type")),
            "title": st.column_config.TextColumn(_("Title")),
            "instrument_ref": st.column_config.TextColumn(_("Reference")),
            "date_adopted": st.column_config.TextColumn(_("Adopted")),
            "date_effective": st.column_config.TextColumn(_("Effective")),
            "status": st.column_config.TextColumn(_("Status")),
            "status_date": st.column_config.TextColumn(_("Status since")),
            "summary": st.column_config.TextColumn(_("What it does")),
            "source_url": st.column_config.LinkColumn(_("Source"), display_text=_("open source"), validate=r"^https?://"),
            "source_kind": st.column_config.TextColumn(_("Source kind")),
            "source_url_2": st.column_config.LinkColumn(_("Second source"), display_text=_("open"), validate=r"^https?://"),
            "notes": st.column_config.TextColumn(_("Notes")),
        },
    )
    st.download_button(_("Download these rows (CSV)"), policies_csv(data, view), "sanctuary-map-policies.csv", "text/csv")
    ui.log_run_time("policies")


main()
