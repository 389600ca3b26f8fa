"""Partial dates, in one place: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

Where only a month or a year of an adoption is known, the table stores just that.  Such a
date counts from its first day (:func:`date_floor`) when deciding what was in force, and
spans to its last day (:func:`date_ceil`) when a ledger needs a window; :func:`label` says
which precision a reader is looking at.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import re

from .i18n import _

DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_partial_date(value: str) -> tuple[int, int | None, int | None] | None:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; ``None`` when malformed or impossible."""
    m = DATE_RE.match(value)
    if not m:
        return None
    year, month, day = int(m[1]), m[2] and int(m[2]), m[3] and int(m[3])
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        return None
    return year, month or None, day or None


@functools.lru_cache(maxsize=8192)  # the same few thousand strings, mapped over columns on every new view
def date_floor(value: str) -> str:
    """The earliest ISO day a partial date can mean (``2016-02`` -> ``2016-02-01``); '' if blank."""
    parsed = parse_partial_date(value) if value else None
    if not parsed:
        return ""
    y, m, d = parsed
    return f"{y:04d}-{(m or 1):02d}-{(d or 1):02d}"


@functools.lru_cache(maxsize=8192)
def date_ceil(value: str) -> str:
    """The last ISO day a partial date can mean ('2016-02' -> '2016-02-29')."""
    parsed = parse_partial_date(value) if value else None
    if not parsed:
        return ""
    y, m, d = parsed
    m2 = m or 12
    d2 = d or calendar.monthrange(y, m2)[1]
    return f"{y:04d}-{m2:02d}-{d2:02d}"


def partial_before(a: str, b: str) -> bool:
    """True when partial date ``a`` is certainly before ``b`` (compared at the coarser precision)."""
    n = min(len(a), len(b))
    return a[:n] < b[:n]


def precision(value: str) -> str:
    """'day', 'month', 'year' or '' (blank or malformed)."""
    parsed = parse_partial_date(value) if value else None
    if not parsed:
        return ""
    return "day" if parsed[2] else ("month" if parsed[1] else "year")


def label(value: str) -> str:
    """A partial date for readers: '2025-01-21', '2025-01 (month only)', '2025 (year only)'."""
    p = precision(value)
    if p == "month":
        return _("{day} (month only)").format(day=value)
    if p == "year":
        return _("{day} (year only)").format(day=value)
    return value
