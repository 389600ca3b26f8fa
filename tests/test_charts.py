"""Charts on the fixture world: counts per month, labels (never codes), and the reader's language in axes and tooltips."""
from __future__ import annotations

from sanctuary_map import charts, i18n


def _values(chart) -> list[dict]:
    spec = chart.to_dict()
    return next(iter(spec["datasets"].values()))


def test_in_force_counts_by_direction_with_labels_and_months(world_data):
    frame = charts.in_force_series(world_data, "stance", start="2019-01-01", end="2019-03-01")
    assert sorted(set(frame["date"])) == ["2019-01-01", "2019-02-01", "2019-03-01"]
    assert set(frame["label"]) == {"Limits cooperation", "Requires cooperation", "Mixed (both)"}
    assert frame["instruments"].sum() > 0
    assert set(frame["month"]) == {"2019-01", "2019-02", "2019-03"}


def test_spanish_charts_name_months_and_axes_in_spanish(world_data):
    with i18n.using("es"):
        chart = charts.in_force_chart(world_data, "stance", start="2019-01-01")
        svg = charts.render(chart, "svg").decode()
    months = {r["month"] for r in _values(chart)}
    assert "enero de 2019" in months and not any(m[:4].isdigit() and m[4:5] == "-" for m in months)
    tooltip = chart.to_dict()["encoding"]["tooltip"]
    assert tooltip[0] == {"field": "month", "title": "Mes", "type": "nominal"}, "the tooltip prints the Spanish month"
    assert "Fecha" in svg and "Limita la cooperación" in svg
