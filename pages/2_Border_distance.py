"""Border distance: jurisdictions by straight-line distance to the US-Mexico land border, and how it is measured."""
from __future__ import annotations

import streamlit as st

from sanctuary_map import ui
from sanctuary_map.distances import BORDER_SOURCE, METHOD, REFERENCE_POINTS, ZONE_LABELS, reference_distance
from sanctuary_map.export import safe_csv
from sanctuary_map.i18n import N_, _
from sanctuary_map.tables import distance_table

ui.page_config(N_("Border distance"))


def main() -> None:
    st.title(_("Distance to the US–Mexico border"))
    page = ui.start("border")
    data = page.data
    if data.boundaries is None:
        st.info(_("Build the boundary index first: `python -m sanctuary_map geodata build`."))
        return
    table = distance_table(data, page.view)
    st.caption(_("{n} jurisdictions with an instrument in force under the current filters, nearest first.").format(
        n=len(table)))
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        _(name): st.column_config.NumberColumn(format="%.1f")
        for name in (N_("Miles (whole)"), N_("km (whole)"), N_("Miles (mainland)"), N_("km (mainland)"))})
    st.download_button(_("Download (CSV)"), safe_csv(table), "sanctuary-map-border-distance.csv", "text/csv")

    st.subheader(_("How this is measured"))
    st.markdown(_("""
* **Measure:** {method}
* **Border line:** {border}. Only the land boundary counts, not the coast.
* **Whole vs mainland:** many jurisdictions have several parts. The *whole* figure uses every part; the *mainland*
  figure uses the largest part only. Los Angeles Unified's Census boundary includes **San Clemente Island**, far
  offshore, which is closer to the border than any mainland school.
* **Two zones:** *{zone_mexico}* (land within 100 miles of the land border with Mexico) and
  *{zone_all}* — the zone in which federal border agents claim extra powers (8 CFR 287.1), drawn from
  every land border, coast and Great Lakes shore. *Partly inside* means the boundary crosses the line.
""").format(method=_(METHOD), border=_(BORDER_SOURCE), **{k: _(v) for k, v in ZONE_LABELS.items()}))
    st.subheader(_("Why the press figure differs"))
    st.markdown(_("""The news story this map started from says Los Angeles Unified is "roughly 140 miles (225 km)" from the
southern border. That is not a straight line from the district's nearest edge: press figures usually start from a named
place (a headquarters or city hall) and often follow roads. Below, the same geodesic measure from named reference points,
each projected in its own state's equal-area projection."""))
    if data.boundaries.border is None:
        st.info(_("The border line is not loaded, so reference distances are not shown (see the warning above)."))
    else:
        border = data.boundaries.border.geometry.iloc[0]
        st.dataframe([reference_distance(p, border) for p in REFERENCE_POINTS], hide_index=True, width="stretch")
    ui.log_run_time("border")


main()
