"""Charts (Altair / Vega-Lite): instruments in force over time, 287(g) agreements over time.

Colour-blind-safe colours from :mod:`sanctuary_map.vocab`, labelled axes, a source line, and
PNG/SVG rendering through ``vl-convert`` (no browser, no network).
"""
from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from . import i18n
from .data import MapData
from .i18n import N_, _
from .view import in_force_mask
from .vocab import LEVEL_LABEL, LEVELS, MODEL_COLOUR, MODEL_LABEL, MODELS, STANCE_COLOUR, STANCE_LABEL, STANCES

SOURCE = N_("Source: Sanctuary Map (every instrument cites its source)")


def _months(start: str, end: str) -> list[str]:
    return [d.strftime("%Y-%m-%d") for d in pd.date_range(start, end, freq="MS")]


def _with_month(frame: pd.DataFrame) -> pd.DataFrame:
    """The tooltip's month in the reader's language ('2020-01'; 'enero de 2020'): Vega would print English."""
    if len(frame):
        frame["month"] = frame["date"].str[:7].map(i18n.day)
    return frame


def in_force_series(data: MapData, by: str, start: str = "2000-01-01", end: str | None = None) -> pd.DataFrame:
    """Instruments in force on the first day of each month, by stance or level (long format)."""
    end = end or dt.date.today().isoformat()
    p = data.policies
    rows = []
    for day in _months(start, end):
        mask = in_force_mask(p, day)
        counts = p[mask][by].value_counts()
        for key in (STANCES if by == "stance" else LEVELS):
            rows.append({"date": day, by: key, "instruments": int(counts.get(key, 0))})
    frame = pd.DataFrame(rows)
    labels = STANCE_LABEL if by == "stance" else LEVEL_LABEL
    frame["label"] = frame[by].map(lambda k: _(labels[k]))
    return _with_month(frame)


def in_force_chart(data: MapData, by: str = "stance", start: str = "2000-01-01") -> alt.Chart:
    frame = in_force_series(data, by, start)
    keys = list(STANCES) if by == "stance" else list(LEVELS)
    labels = [_((STANCE_LABEL if by == "stance" else LEVEL_LABEL)[k]) for k in keys]
    colours = [STANCE_COLOUR[k] for k in keys] if by == "stance" else ["#E69F00", "#56B4E9", "#009E73", "#CC79A7"]
    title = _("Instruments in force, by direction") if by == "stance" else _("Instruments in force, by level")
    return alt.Chart(frame, title=alt.TitleParams(title, subtitle=_(SOURCE), anchor="start")).mark_line(interpolate="step-after").encode(
        x=alt.X("date:T", title=_("Date"), axis=alt.Axis(format="%Y", tickCount="year", labelOverlap=True, labelFlush=False)),
        y=alt.Y("instruments:Q", title=_("Instruments in force")),
        color=alt.Color("label:N", title=None, scale=alt.Scale(domain=labels, range=colours), legend=alt.Legend(orient="top")),
        strokeDash=alt.StrokeDash("label:N", legend=None),
        tooltip=[alt.Tooltip("month:N", title=_("Month")), alt.Tooltip("label:N", title=""),
                 alt.Tooltip("instruments:Q", title=_("instruments"))],
    ).properties(width="container", height=280)


def agreements_series(rows: pd.DataFrame, start: str = "2025-01-01", end: str | None = None) -> pd.DataFrame:
    """287(g) agreements active on the first day of each month by model: signed (or first seen) and not yet ended."""
    end = end or dt.date.today().isoformat()
    began = rows["signed_date"].where(rows["signed_date"] != "", rows["first_seen"]).fillna("")
    ended = rows["ended_after"].fillna("") if "ended_after" in rows else pd.Series("", index=rows.index)
    out = []
    for day in _months(start, end):
        active = (began != "") & (began <= day) & ((ended == "") | (ended >= day))
        counts = rows[active]["model"].value_counts()
        for m in MODELS:
            out.append({"date": day, "model": m, "label": _(MODEL_LABEL[m]), "agreements": int(counts.get(m, 0))})
    return _with_month(pd.DataFrame(out))


def agreements_chart(rows: pd.DataFrame, start: str = "2020-01-01") -> alt.Chart:
    frame = agreements_series(rows, start)
    labels = [_(MODEL_LABEL[m]) for m in MODELS]
    return alt.Chart(frame, title=alt.TitleParams(_("287(g) agreements on ICE's list, by model"), anchor="start",
                                                  subtitle=_("Source: ICE participating-agency lists as archived; "
                                                             "signing date where ICE gives one, else first capture"))).mark_area(
        interpolate="step-after").encode(
        x=alt.X("date:T", title=_("Date"), axis=alt.Axis(format="%Y", tickCount="year", labelOverlap=True, labelFlush=False)),
        y=alt.Y("agreements:Q", title=_("Agreements"), stack=True),
        color=alt.Color("label:N", title=None, scale=alt.Scale(domain=labels, range=[MODEL_COLOUR[m] for m in MODELS]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("month:N", title=_("Month")), alt.Tooltip("label:N", title=""),
                 alt.Tooltip("agreements:Q", title=_("agreements"))],
    ).properties(width="container", height=280)


def render(chart: alt.Chart, fmt: str, width: int = 900) -> bytes:
    """PNG or SVG bytes of a chart (vl-convert, offline)."""
    import vl_convert as vlc

    spec = chart.properties(width=width).to_dict()
    if fmt == "svg":
        return vlc.vegalite_to_svg(spec).encode("utf-8")
    return vlc.vegalite_to_png(spec, scale=2)
