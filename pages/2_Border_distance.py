"""Border distance: jurisdictions by straight-line distance to the US-Mexico land border, and how it is measured."""
from __future__ import annotations

import streamlit as st

from sanctuary_map import ui
from sanctuary_map.distances import BORDER_SOURCE, METHOD, REFERENCE_POINTS, ZONE_LABELS, reference_distance
from sanctuary_map.export import safe_csv
from sanctuary_map.tables import distance_table

st.set_page_config(page_title="Border distance · Sanctuary Map", page_icon=ui.FAVICON, layout="wide")


def main() -> None:
    st.title("Distance to the US–Mexico border")
    page = ui.start("border")
    data = page.data
    if data.boundaries is None:
        st.info("Build the boundary index first: `python -m sanctuary_map geodata build`.")
        return
    table = distance_table(data, page.view)
    st.caption(f"{len(table)} jurisdictions with an instrument in force under the current filters, nearest first.")
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "Miles (whole)": st.column_config.NumberColumn(format="%.1f"),
        "km (whole)": st.column_config.NumberColumn(format="%.1f"),
        "Miles (mainland)": st.column_config.NumberColumn(format="%.1f"),
        "km (mainland)": st.column_config.NumberColumn(format="%.1f"),
    })
    st.download_button("Download (CSV)", safe_csv(table), "sanctuary-map-border-distance.csv", "text/csv")

    st.subheader("How this is measured")
    st.markdown(f"""
* **Measure:** {METHOD}
* **Border line:** {BORDER_SOURCE}. Only the land boundary counts, not the coast.
* **Whole vs mainland:** many jurisdictions have several parts. The *whole* figure uses every part; the *mainland*
  figure uses the largest part only. Los Angeles Unified's Census boundary includes **San Clemente Island**, far
  offshore, which is closer to the border than any mainland school.
* **Two zones:** *{ZONE_LABELS['zone_mexico']}* (land within 100 miles of the land border with Mexico) and
  *{ZONE_LABELS['zone_all']}* — the zone in which federal border agents claim extra powers (8 CFR 287.1), drawn from
  every land border, coast and Great Lakes shore. *Partly inside* means the boundary crosses the line.
""")
    st.subheader("Why the press figure differs")
    st.markdown("""The news story this map started from says Los Angeles Unified is "roughly 140 miles (225 km)" from the
southern border. That is not a straight line from the district's nearest edge: press figures usually start from a named
place (a headquarters or city hall) and often follow roads. Below, the same geodesic measure from named reference points,
each projected in its own state's equal-area projection.""")
    if data.boundaries.border is None:
        st.info("The border line is not loaded, so reference distances are not shown (see the warning above).")
    else:
        border = data.boundaries.border.geometry.iloc[0]
        st.dataframe([reference_distance(p, border) for p in REFERENCE_POINTS], hide_index=True, width="stretch")
    ui.log_run_time("border")


main()
