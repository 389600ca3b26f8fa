"""Where sources disagree: one row per conflict, each side with its own source."""
from __future__ import annotations

import pandas as pd

from . import i18n
from .data import MapData
from .i18n import N_, _
from .join import rows_for
from .selection import select
from .view import View
from .vocab import FEDERAL_LIST_LABEL, LAYER_SINGULAR, MODEL_LABEL, STATE_NAMES, word

# Column names stay English (the page's column_config and the CSV download use them); the cells are translated.
COLUMNS = ["Jurisdiction", "Level", "State", "Conflict", "A", "Source A", "B", "Source B"]  # CSV headers (English)
# The same headers as the page shows them (translated there).
COLUMN_WORDS = (N_("Jurisdiction"), N_("Level"), N_("State"), N_("Conflict"), "A", N_("Source A"), "B", N_("Source B"))



def _conflict(direction: str) -> str:
    """The conflict of a local measure with its state's law, ``direction`` being the state law's."""
    if direction == "requires_cooperation":
        return _("local measure that limits cooperation inside a state whose law requires cooperation")
    return _("local measure that requires cooperation inside a state whose law limits cooperation")


def _dated(title: str, day: str) -> str:
    return f"{title} ({i18n.day(day)})"


def disagreements(data: MapData, view: View) -> pd.DataFrame:
    sel = select(data, view)
    shown = sel.mapped if data.boundaries is not None else sel.in_force
    rows: list[dict] = []
    states = shown[shown["jurisdiction_level"] == "state"]
    local = shown[shown["jurisdiction_level"] != "state"]
    for direction, other in (("requires_cooperation", "limits_cooperation"), ("limits_cooperation", "requires_cooperation")):
        for s in states[states["stance"] == direction].to_dict("records"):
            for r in local[(local["state"] == s["state"]) & (local["stance"] == other)].to_dict("records"):
                rows.append({"Jurisdiction": r["jurisdiction_name"], "Level": word(LAYER_SINGULAR, r["geoid_layer"]).capitalize(),
                             "State": STATE_NAMES.get(r["state"], r["state"]),
                             "Conflict": _conflict(direction),
                             "A": _dated(s["title"], s["date_adopted"]), "Source A": s["source_url"],
                             "B": _dated(r["title"], r["date_adopted"]), "Source B": r["source_url"]})
    if data.designations is not None and data.designations.joined is not None:
        from .designations import listed_on

        listed = data.designations.joined.matched
        listed = listed[listed_on(listed, view.as_of_date())]
        requires = shown[shown["stance"] == "requires_cooperation"]
        agreements = None
        if data.agreements is not None:
            from .agreements import active_on

            agreements = active_on(data.agreements, view.as_of_date())
        for d in listed.to_dict("records"):
            key = (d["geoid_layer"], d["geoid"])
            base = {"Jurisdiction": d["name_as_published"], "Level": _(LAYER_SINGULAR.get(d["geoid_layer"], "")).capitalize(),
                    "State": STATE_NAMES.get(d["state"], d["state"]),
                    "A": _("named on the {list}").format(list=word(FEDERAL_LIST_LABEL, d["list"])), "Source A": d["source_url"]}
            for r in rows_for(requires, *key).to_dict("records"):
                rows.append({**base, "Conflict": _("listed as a sanctuary jurisdiction while its own measure requires "
                                                   "cooperation"), "B": _dated(r["title"], r["date_adopted"]),
                             "Source B": r["source_url"]})
            if agreements is not None and len(agreements):
                hits = rows_for(agreements, *key)
                for a in hits.to_dict("records"):
                    model = _(MODEL_LABEL.get(a["model"], a["model"]))
                    b = (_("{agency}: {model}, signed {day}").format(agency=a["agency"], model=model,
                                                                     day=i18n.day(a["signed_date"]))
                         if a.get("signed_date") else _("{agency}: {model}").format(agency=a["agency"], model=model))
                    rows.append({**base, "Conflict": _("listed as a sanctuary jurisdiction while holding a 287(g) agreement"),
                                 "B": b, "Source B": a.get("moa_url") or ""})
    return pd.DataFrame(rows, columns=COLUMNS)
