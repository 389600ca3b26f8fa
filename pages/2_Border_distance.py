"""Border distance: every mapped jurisdiction by straight-line distance to the US-Mexico land border."""
from __future__ import annotations

import streamlit as st

from sanctuary_map import ui
from sanctuary_map.distance_table import REFERENCE_POINTS, distance_table, reference_distance
from sanctuary_map.border import METHOD, BORDER_SOURCE
from sanctuary_map.export import safe_csv

st.set_page_config(page_title="Border distance · Sanctuary Map", page_icon=ui.FAVICON, layout="wide")


def main() -> None:
    st.title("Distance to the US–Mexico border")
    data = ui.load_app()
    if data.layers is None or data.joined is None:
        st.info("Build the boundary layers first: `python -m sanctuary_map geodata build`.")
        return
    table = distance_table(data.layers, data.joined.matched, data.view)
    st.caption(f"{len(table)} mapped jurisdictions with a policy under the current filters, nearest first.")
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "miles": st.column_config.NumberColumn("Miles (whole)", format="%.1f"),
        "km": st.column_config.NumberColumn("km (whole)", format="%.1f"),
        "mainland_miles": st.column_config.NumberColumn("Miles (mainland)", format="%.1f"),
        "mainland_km": st.column_config.NumberColumn("km (mainland)", format="%.1f"),
    })
    st.download_button("Download (CSV)", safe_csv(table), "sanctuary-map-border-distance.csv", "text/csv")

    st.subheader("How this is measured")
    st.markdown(f"""
* **Measure:** {METHOD}
* **Border line:** {BORDER_SOURCE}. Only the land boundary counts, not the coast.
* **Whole vs mainland:** many jurisdictions have several parts. The *whole* figure uses every part; the *mainland*
  figure uses the largest part only. Los Angeles Unified's Census boundary includes **San Clemente Island**, far
  offshore, which is closer to the border than any mainland school.
* **100-mile zone:** land within 100 miles of the land border with Mexico; *partly inside* means the boundary crosses it.
""")
    st.subheader("Why the press figure differs")
    st.markdown("""The news story this map started from says Los Angeles Unified is "roughly 140 miles (225 km)" from the
southern border. That is not a straight line from the district's nearest edge: press figures usually start from a named
place (a headquarters or city hall) and often follow roads. Below, the same geodesic measure from named reference points.""")
    if data.layers.border is None:
        st.info("The border line is not loaded, so reference distances are not shown (see the warning above).")
    else:
        rows = [reference_distance(p, data.layers) for p in REFERENCE_POINTS]
        st.dataframe(rows, hide_index=True, width="stretch")


main()
