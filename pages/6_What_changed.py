"""What changed between two dates: the event ledger, counts by kind, charts and a CSV download."""
from __future__ import annotations

import streamlit as st

from sanctuary_map import charts, i18n, ui
from sanctuary_map.events import KINDS, changes
from sanctuary_map.export import safe_csv
from sanctuary_map.i18n import N_, _, ngettext

ui.page_config(N_("What changed"))


def main() -> None:
    st.title(_("What changed"))
    page = ui.start("changes")
    start, end = ui.change_window()
    events = changes(page.data, start.isoformat(), end.isoformat())
    n = len(events)
    # English has always said "events" whatever the count: both English forms are the same (Spanish inflects).
    st.caption(ngettext("{n} events from {start} to {end}, oldest first. Dates are as precise as their source: a date "
                        "marked 'month only' or 'year only' is placed at the first day of its month or year. Each row "
                        "links to the map as it stood that day.",
                        "{n} events from {start} to {end}, oldest first. Dates are as precise as their source: a date "
                        "marked 'month only' or 'year only' is placed at the first day of its month or year. Each row "
                        "links to the map as it stood that day.", n).format(n=n, start=i18n.day(start), end=i18n.day(end)))
    counts = events["kind"].value_counts()
    cols = st.columns(len(KINDS))
    for col, (kind, label) in zip(cols, KINDS.items()):
        col.metric(_(label), int(counts.get(kind, 0)))
    shown = ui.events_table(events)
    st.dataframe(shown, hide_index=True, width="stretch", height=420, column_config={
        _("Map as it stood"): st.column_config.LinkColumn(display_text=_("open map")),
        _("Source"): st.column_config.LinkColumn(display_text=_("source"), validate=r"^https?://"),
    })
    st.download_button(_("Download these events (CSV)"), safe_csv(events.drop(columns=["sort_date", "end_date"])),
                       f"sanctuary-map-changes-{start}-{end}.csv", "text/csv")
    st.subheader(_("Over time"))
    by = st.radio(_("Instruments in force by"), ["stance", "jurisdiction_level"], horizontal=True,
                  format_func=lambda v: _("direction") if v == "stance" else _("level"))
    ui.chart_with_downloads(charts.in_force_chart(page.data, by), f"instruments-in-force-by-{by}")
    agreements = page.data.agreements
    if agreements is not None and len(agreements.rows):
        ui.chart_with_downloads(charts.agreements_chart(agreements.rows), "287g-agreements-by-model")
    ui.log_run_time("changes")


main()
