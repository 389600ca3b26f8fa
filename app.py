"""Sanctuary Map, home page: the map of immigration-enforcement cooperation policy (other pages live in pages/).

``?mode=embed`` (or Streamlit's own ``?embed=true``) shows only the map, its legend and a credit line, frozen at the
link's as-of date (for an article).

``streamlit run app.py`` finds the ``st.App`` below and serves it: this same file as the app (Streamlit runs it
as ``__main__`` for every page view) plus the JSON API, the Atom feed and oEmbed (``sanctuary_map/routes.py``), on
one port.
"""
from __future__ import annotations

import streamlit as st

if __name__ == "__main__":  # the page's modules; the server's import (below) needs none of them
    from sanctuary_map import ui
    from sanctuary_map.i18n import _
    from sanctuary_map.mapping import DEFAULT_FOCUS


def map_page() -> None:
    embed = ui.is_embed()
    if embed:
        ui.embed_chrome()
    else:
        st.title(_("Sanctuary Map"))
    page = ui.start("map", sidebar=not embed)
    data = page.data
    if not embed:
        st.caption(_("Statutes, ordinances, executive orders and school-board resolutions that **limit** or **require** "
                     "cooperation with federal immigration enforcement, with 287(g) agreements and federal lists. Hover for "
                     "a summary, click anywhere for everything that applies there; every entry links to its source."))
    if data.boundaries is None:
        st.info(_("The map needs the boundary index. Build it with `python -m sanctuary_map geodata build`."))
        return
    view = page.view
    if not embed:
        picked = ui.jurisdiction_search(page, view.focus or DEFAULT_FOCUS)
        view = view.with_focus(picked)
        if view != page.view:
            ui.set_view(view)
    elif not view.focus:
        view = view.with_focus("none")
    if embed:
        ui.embed_header(page, view)
    clicked = ui.living_map(page, view, height=560 if not embed else ui.EMBED_MAP_HEIGHT)
    if embed:
        ui.embed_credit(page, view)
        return
    sel = ui.selection(page, view)
    st.caption(ui.counts_caption(page, len(sel.policies)) + " " + _("On the map: {n}.").format(n=len(sel.mapped)))
    ui.map_table(page, view)
    ui.what_applies_here(page, clicked)
    ui.share_box(view)
    ui.map_downloads(page, view)
    ui.log_run_time("map")


if __name__ == "__main__":  # the Map page (Streamlit runs its scripts as __main__)
    ui.page_config(None)
    map_page()
else:  # imported by `streamlit run app.py` (uvicorn): the server, this page plus the API, feed and oEmbed routes
    from sanctuary_map.routes import middleware, routes

    _base = st.get_option("server.baseUrlPath") or ""
    app = st.App(__file__, routes=routes(prefix=_base), middleware=middleware(prefix=_base))
