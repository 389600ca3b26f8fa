"""About & methods: sources and vintages of every layer, the taxonomy, how to add a row, known limits."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from sanctuary_map import ui
from sanctuary_map.policies import BINDING_LEVELS, FLAG_GROUPS, INSTRUMENT_TYPES, RELATIONS, STATUSES

st.set_page_config(page_title="About · Sanctuary Map", page_icon=ui.FAVICON, layout="wide")


def main() -> None:
    st.title("About & methods")
    data = ui.load_app()
    st.markdown("""Sanctuary Map records **legal instruments**—statutes, ordinances, executive orders and directives,
attorney-general directives and school-board resolutions—by which US jurisdictions limit their cooperation with
federal immigration enforcement. "Sanctuary" is not a legal term: the map shows what each jurisdiction adopted,
when, and what it restricts, with the source of every entry. Federal *designations* (such as the DOJ list of
2025-08-05) are kept apart from what jurisdictions adopted themselves, and are not rows here.""")
    st.subheader("Boundary layers")
    if data.layers is not None:
        m = data.layers.manifest
        rows = [{"layer": v["title"], "file": f["file"], "vintage": f["vintage"], "features": f["features"],
                 "sha256": f["sha256"][:16] + "…"} for v in m["layers"].values() for f in v["files"]]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
        st.caption(f"Built {m['built_at']} from {m['source']}. US Census Bureau cartographic boundary files, public domain. "
                   f"Border: {m['border']['source']}. Vintages differ between layers and states; each is recorded.")
        if m.get("missing"):
            st.markdown("**Boundary files the policies need that the build source did not have:** "
                        + ", ".join(f"`{x['wanted']}`" for x in m["missing"]))
    else:
        st.warning(data.geodata_error or "Boundary data not built.")
    st.subheader("Taxonomy")
    st.markdown(f"""
* **Level:** state, county, place (city), school district (Census layers `unsd`, `elsd`, `scsd`).
* **Instrument type:** {', '.join(INSTRUMENT_TYPES)}.
* **Binding level:** {', '.join(BINDING_LEVELS)}. **Status:** {', '.join(STATUSES)}.
* **Relations between rows:** {', '.join(RELATIONS)} (for example, LA's 2024 ordinance *codifies* Executive Directive 20).
* **Restriction flags** (Y / N / blank = unknown), grouped as the ILRC groups them:
""" + "\n".join(f"  * *{g}*: {', '.join(f.replace('_', ' ') for f in fs)}" for g, fs in FLAG_GROUPS.items()))
    st.subheader("How to add a row")
    st.markdown("""1. Find the instrument's primary text or an official page, and read it.
2. Add one row to `policies.csv` with the columns above; use the Census GEOID of the boundary it applies to
   (state 2 digits, county 5, place or school district 7, zero-padded) and the layer.
3. Where the press and the primary text disagree, store the primary fact and say so in `notes`.
4. Run `python -m sanctuary_map validate policies.csv`: every problem is printed as `file:row:column: reason`.
5. Rebuild boundaries if the row needs a new state's file: `python -m sanctuary_map geodata build`.""")
    st.subheader("Known limits")
    st.markdown("""* The table is a curated sample (tens of instruments), not a census of every sanctuary policy.
* Restriction flags are set only where the source read says so; blank means *unknown*, not *no*.
* Some rows store only a month (`2016-02`) when the exact day was not found.
* Boundaries are the Census vintage recorded per layer; district and city limits change over time.
* Without internet, the build uses a local mirror that lacks some states' files; those rows are listed as
  having no boundary rather than dropped.
* **Border line:** Natural Earth's 1:10m line straightens the Rio Grande's meanders (about 2,645 km against the
  surveyed ~3,140 km) and is quantised to a few hundred metres. Distances are straight lines, so this matters little
  for them; boundaries within 1 km of the line count as touching it (distance 0).
* **County shading:** a city or district "is in" a county when that county holds at least 5% of its area. County
  outlines are 1:5,000,000 and city outlines 1:500,000, so smaller overlaps are mostly slivers; a real small share
  (Chicago's corner of DuPage County, ~1%) is therefore not shaded.
* Federal lists of "sanctuary jurisdictions" (DOJ 2025-08-05; the withdrawn DHS list) are designations, not
  adopted instruments, and are not rows here.""")


main()
