"""The Atom feed of the event ledger (``/feed.atom``, ``/feed.atom?state=TX``); no web server here.

The entries are the ledger's latest events (:func:`sanctuary_map.events.ledger`, the What changed page's
source), newest first, each with a link to the map as it stood that day (focused on the jurisdiction)
and, where the event has one, a link to its source.  Events dated after today (a law taking effect
next year) wait until their day.  Entry ids are stable ``urn:uuid:`` names derived from the event itself,
so a reader's feed client never shows the same event twice.
"""
from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET

import pandas as pd

from .api import Query, check_params, data_version, event_record, parse_state
from .data import MapData
from .dates import label
from .events import KINDS, ledger
from .vocab import STATE_NAMES

ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
ENTRIES = 50
_NS = uuid.UUID("6d1f3c0e-5b1a-4f4e-9a57-5a6e63747561")  # this project's namespace for entry ids


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    e = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: v for k, v in attrs.items() if v})
    if text is not None:
        e.text = text
    return e


def _stamp(day: str) -> str:
    return f"{day}T00:00:00Z"


def entry_id(row: dict) -> str:
    """A stable id for one event: the same event gets the same id in every build of the feed."""
    parts = "|".join(str(row.get(k, "")) for k in ("date", "event", "kind", "source_id", "geoid_layer", "geoid", "summary"))
    return uuid.uuid5(_NS, parts).urn


def latest(data: MapData, state: str = "", today: dt.date | None = None, limit: int = ENTRIES) -> pd.DataFrame:
    """The ledger's latest events on or before today, newest first (one state's, if asked)."""
    today = today or dt.date.today()
    ev = ledger(data)
    ev = ev[ev["sort_date"] <= today.isoformat()]
    if state:
        ev = ev[ev["state"] == state]
    return ev.iloc[::-1].head(limit)


def parse_feed(query: Query) -> str:
    """The feed's one parameter, ``state`` (two letters); anything else is an ApiError."""
    check_params(query, ("state",))
    return parse_state(query)


def atom(data: MapData, base: str, state: str = "", today: dt.date | None = None, limit: int = ENTRIES) -> bytes:
    """The Atom 1.0 document (UTF-8) of the latest events; ``base`` is the site's root URL (ends with '/')."""
    today = today or dt.date.today()
    rows = latest(data, state, today, limit)
    where = f" in {STATE_NAMES.get(state, state)}" if state else ""
    self_url = f"{base}feed.atom" + (f"?state={state}" if state else "")
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _el(feed, "title", f"Sanctuary Map: what changed{where}")
    _el(feed, "subtitle", "Instruments adopted, amended, repealed or blocked; court rulings; 287(g) agreements; federal "
                          f"lists — the latest {limit} dated events{where}, each linking to the map as of its day and to "
                          f"its source. Dataset version {data.version}.")
    _el(feed, "id", uuid.uuid5(_NS, f"feed|{state}").urn)
    _el(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _el(feed, "link", rel="alternate", type="text/html", href=f"{base}What_changed")
    records = rows.to_dict("records")
    _el(feed, "updated", _stamp(records[0]["sort_date"]) if records else _stamp(today.isoformat()))
    author = _el(feed, "author")
    _el(author, "name", "Sanctuary Map")
    _el(author, "uri", base)
    _el(feed, "generator", f"Sanctuary Map (dataset {data_version(data)})")
    for r in records:
        rec = event_record(r, base, today)
        e = _el(feed, "entry")
        place = ", ".join(filter(None, [str(r["jurisdiction_name"]), str(r["state"])]))
        _el(e, "title", f"{r['event_label']}: {place}")
        _el(e, "id", entry_id(r))
        _el(e, "updated", _stamp(r["sort_date"]))
        _el(e, "published", _stamp(r["sort_date"]))
        _el(e, "link", rel="alternate", type="text/html", href=rec["links"]["map"],
            title=f"The map as of {min(r['sort_date'], today.isoformat())}")
        if rec["links"]["source"]:
            _el(e, "link", rel="related", href=rec["links"]["source"], title="Source")
        _el(e, "category", term=str(r["kind"]), label=KINDS.get(str(r["kind"]), str(r["kind"])))
        _el(e, "summary", f"{label(str(r['date']))}: {r['summary']}")
    ET.indent(feed)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n").encode("utf-8")
