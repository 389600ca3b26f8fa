"""About & methods: what is recorded and how, sources and vintages, the columns, both zones, known limits."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from sanctuary_map import ui
from sanctuary_map.about import boundary_rows, column_rows, glossary, limits_markdown, method_markdown
from sanctuary_map.i18n import N_, _, ngettext

ui.page_config(N_("About"))


def main() -> None:
    st.title(_("About & methods"))
    page = ui.start("about")
    st.markdown(method_markdown(page.data))
    st.subheader(_("Glossary"))
    st.markdown("\n".join(f"- **{term}**: {definition}" for term, definition in glossary()))
    st.subheader(_("The columns of the policy table"))
    # The column names and codes are the CSV's own (English); the headers and meanings are translated.
    st.dataframe(pd.DataFrame(column_rows()).rename(columns={"column": _("column"), "meaning": _("meaning")}),
                 hide_index=True, width="stretch")
    st.subheader(_("Boundary layers"))
    if page.data.boundaries is not None:
        m = page.data.boundaries.manifest
        headers = {"layer": _("layer"), "file": _("file"), "kind": _("kind"), "vintage": _("vintage"),
                   "features": _("features"), "sha256": "sha256"}
        st.dataframe(pd.DataFrame(boundary_rows(m)).rename(columns=headers), hide_index=True, width="stretch")
        st.caption(_("Built {built} from {source} in {seconds} s. US Census Bureau files, public domain. Border: {border}. "
                     "Vintages differ between layers and states; each is recorded.").format(
            built=m["built_at"], source=m["source"], seconds=m["build_seconds"], border=m["border"]["source"]))
        if m.get("missing"):
            n = len({x["state"] for x in m["missing"]})
            # English has always said "states" whatever the count: both English forms are the same.
            st.caption(ngettext("Not in this server's Census source (rows there are listed in the tables, not drawn): city "
                                "and school-district files for {n} states.",
                                "Not in this server's Census source (rows there are listed in the tables, not drawn): city "
                                "and school-district files for {n} states.", n).format(n=n))
    else:
        st.warning(page.data.boundary_error or _("Boundary data not built."))
    st.subheader(_("Known limits"))
    st.markdown(limits_markdown())
    ui.log_run_time("about")


main()
