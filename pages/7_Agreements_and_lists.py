"""287(g) agreements, the federal "sanctuary" lists, and where sources disagree."""
from __future__ import annotations

import streamlit as st

from sanctuary_map import ui
from sanctuary_map.disagreements import COLUMN_WORDS, disagreements
from sanctuary_map.export import safe_csv
from sanctuary_map.i18n import N_, _

ui.page_config(N_("287(g) & federal lists"))


def main() -> None:
    st.title(_("287(g) agreements and federal lists"))
    page = ui.start("agreements")
    data = page.data
    tab1, tab2, tab3 = st.tabs([_("287(g) agreements"), _("Federal lists"), _("Where sources disagree")])
    with tab1:
        ui.agreements_section(page)
    with tab2:
        ui.designations_section(page)
    with tab3:
        table = disagreements(data, page.view)
        st.caption(_("Places where the record points two ways: listed by Washington while holding a 287(g) agreement or "
                     "requiring cooperation; a local limit inside a state that requires cooperation; a local requirement "
                     "inside a state that limits it. Each row gives both sources."))
        shown = table.set_axis([_(w) if w not in ("A", "B") else w for w in COLUMN_WORDS], axis=1)
        st.dataframe(shown, hide_index=True, width="stretch", column_config={
            _(name): st.column_config.LinkColumn(display_text=_("source"), validate=r"^https?://")
            for name in (N_("Source A"), N_("Source B"))})
        st.download_button(_("Download (CSV)"), safe_csv(table), "sanctuary-map-disagreements.csv", "text/csv")
    ui.log_run_time("agreements")


main()
