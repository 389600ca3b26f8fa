"""Your data: upload a policies CSV, validated with the shipped table's rules, mapped privately in this session."""
from __future__ import annotations

import re

import streamlit as st

from sanctuary_map import ui
from sanctuary_map.i18n import N_, _
from sanctuary_map.policies import COLUMNS, MAX_UPLOAD_BYTES, load_policies

ui.page_config(N_("Your data"))


def main() -> None:
    st.title(_("Map your own policy table"))
    st.markdown(_("""Upload a CSV with the same columns as `policies.csv` (download the empty template below). It is
checked with the same rules as the published table; rows with problems are listed by row and column and left out, and the
valid rows are mapped on every page. Any jurisdiction in the boundary index can be mapped — every state, county, city and
school district in this server's Census source, not only those in the published table. **Your file stays in this browser
session**: it is not saved on the server or shown to anyone else, and it is gone when you close the tab.
Limit: {mb} MB.""").format(mb=MAX_UPLOAD_BYTES // 1_000_000))
    st.download_button(_("Download an empty template"), (",".join(COLUMNS) + "\n").encode(), "policies-template.csv", "text/csv")
    upload = st.file_uploader(_("Policies CSV"), type=["csv"], accept_multiple_files=False)
    if upload is not None:
        # The file name is user-supplied too: keep it to plain characters before it is shown anywhere.
        name = re.sub(r"[^\w.\- ]", "_", upload.name)[:80] or "upload.csv"
        raw = upload.getvalue()
        st.session_state[ui.UPLOAD_KEY] = load_policies(raw, name=name, max_bytes=MAX_UPLOAD_BYTES)
        st.session_state[ui.UPLOAD_KEY + "_key"] = ui.upload_key(raw)
    current = st.session_state.get(ui.UPLOAD_KEY)
    if current is not None:
        if len(current.rows):
            st.success(_("`{file}`: {valid} valid row(s) are now on the map and tables ({invalid} row(s) left out).").format(
                file=current.source, valid=len(current.rows), invalid=len(current.invalid_rows)))
        else:
            st.error(_("`{file}`: no valid rows; nothing from this file is mapped.").format(file=current.source))
        if st.button(_("Use the published table again")):
            del st.session_state[ui.UPLOAD_KEY]
            st.session_state.pop("_upload_data", None)
            st.rerun()
    page = ui.start("your_data")
    if page.uploaded and page.data.joined is not None and len(page.data.joined.unmatched):
        st.subheader(_("Rows without a boundary"))
        st.dataframe(page.data.joined.unmatched[["policy_id", "jurisdiction_name", "geoid_layer", "geoid", "reason"]],
                     hide_index=True, width="stretch")


main()
