"""A profile per jurisdiction (``?j=unsd:0622710``) and a side-by-side comparison (``?compare=a,b``)."""
from __future__ import annotations

import streamlit as st

from sanctuary_map import ui
from sanctuary_map.export import safe_csv
from sanctuary_map.i18n import N_, _
from sanctuary_map.profile import compare_table, profile

ui.page_config(N_("Place profile"))


def main() -> None:
    page = ui.start("place")
    key = ui.profile_key_from_url()
    st.title(_("Place profile"))
    key = ui.place_picker(page, key)
    if key:
        layer, geoid = key.split(":", 1)
        result = profile(page.data, layer, geoid, page.view)
        if result is None:
            st.warning(_("`{key}` is neither in the boundary index nor in the policy table.").format(key=key))
        else:
            ui.render_profile(page, result)
    st.divider()
    st.subheader(_("Compare 2–4 places"))
    keys = ui.compare_picker(page)
    if len(keys) >= 2:
        table = compare_table(page.data, keys, page.view)
        st.dataframe(table, width="stretch")
        st.download_button(_("Download the comparison (CSV)"), safe_csv(table.reset_index()), "sanctuary-map-compare.csv",
                           "text/csv")
    else:
        st.caption(_("Pick at least two places; the comparison is part of this page's address, so it can be shared."))
    ui.log_run_time("place")


main()
