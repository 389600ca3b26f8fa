"""Placeholder: filled in below."""
from __future__ import annotations

import streamlit as st

from sanctuary_map import ui

st.set_page_config(page_title="Sanctuary Map", page_icon=ui.FAVICON, layout="wide")
ui.start("5_Place")
st.title("5_Place")
