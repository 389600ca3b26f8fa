"""Languages: one gettext message catalogue (extracted and compiled with Babel), the language of the current run,
and dates and numbers in that language's conventions (Babel's CLDR data).

Code marks every reader-facing string with ``_()`` (``ngettext`` for plurals, ``N_`` for module-level constants
translated where they are shown).  Messages carry named placeholders (``_("{n} in force on {day}").format(...)``):
a sentence is one message, never English fragments glued together, so a translation can reorder it.

The language is a property of the view (``?lang=es``, ``--lang es``); :func:`activate` sets it for the current
thread of work (each Streamlit session runs its script in its own thread; an API request in the language its
``lang`` asks for).  English is
the source language: it has no catalogue, and ``_()`` returns the message itself.

Catalogue: ``sanctuary_map/locale/<lang>/LC_MESSAGES/messages.po`` (edited by people; ``make translations``
extracts ``messages.pot`` and compiles the ``.mo`` files, which are build products and not committed).  A ``.po``
newer than its ``.mo`` (or a missing ``.mo``) is compiled in memory, so a checkout runs without the build step.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gettext as _gettext
import io
import time
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Literal

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
SOURCE = "en"
# Language code -> its own name (the switch shows each language in itself).
LANGS: dict[str, str] = {"en": "English", "es": "Español"}
_active: ContextVar[str] = ContextVar("sanctuary_map_lang", default=SOURCE)


def normalise(lang: str | None) -> str:
    """A supported language code ('' and unknown codes are English)."""
    code = (lang or "").strip().lower()[:5].split("-")[0].split("_")[0]
    return code if code in LANGS else SOURCE


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


@lru_cache(maxsize=8)
def _translations(lang: str, po_mtime: float, mo_mtime: float) -> _gettext.NullTranslations:
    from babel.support import Translations

    if lang == SOURCE or not po_mtime:
        return _gettext.NullTranslations()
    mo = po_path(lang).with_suffix(".mo")
    if mo_mtime >= po_mtime:
        with mo.open("rb") as fh:
            return Translations(fh, domain=DOMAIN)
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


# The catalogue files are checked for changes (a translator's edit, `make translations`) at most this often: every
# message looked up does not need two stat calls (a page shows thousands).
RECHECK_SECONDS = 2.0
_checked: dict[str, tuple[float, _gettext.NullTranslations]] = {}


def translations(lang: str | None = None) -> _gettext.NullTranslations:
    code = normalise(lang or current())
    now = time.monotonic()
    hit = _checked.get(code)
    if hit is not None and now - hit[0] < RECHECK_SECONDS:
        return hit[1]
    po = po_path(code)
    found = _translations(code, _mtime(po), _mtime(po.with_suffix(".mo")))
    _checked[code] = (now, found)
    return found


# ---------------------------------------------------------------------------- the current language
def current() -> str:
    return _active.get()


def activate(lang: str | None) -> str:
    """Make ``lang`` the language of this thread's work from now on; returns the code used."""
    code = normalise(lang)
    _active.set(code)
    return code


@contextlib.contextmanager
def using(lang: str | None) -> Iterator[str]:
    """``with using("es"): ...`` — a block in one language (exports, tests), then the previous one again."""
    token = _active.set(normalise(lang))
    try:
        yield _active.get()
    finally:
        _active.reset(token)


def _(message: str | None) -> str:
    """The message in the current language ('' for none)."""
    return translations().gettext(message) if message else (message or "")


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a module-level string for extraction; translate it with ``_()`` where it is shown."""
    return message


# ---------------------------------------------------------------------------- lists, dates and numbers
def _join(items: list[str] | tuple[str, ...], english: str, style: Literal["standard", "or"]) -> str:
    items = list(items)
    if current() == SOURCE or len(items) < 2:
        return f" {english} ".join(items)
    from babel.lists import format_list

    return format_list(items, style=style, locale=current())


def join_or(items: list[str] | tuple[str, ...]) -> str:
    """'a or b or c' in English (as the site always wrote it); the language's own list pattern otherwise."""
    return _join(items, "or", "or")


def join_and(items: list[str] | tuple[str, ...]) -> str:
    """'a and b and c' in English; the language's own list pattern otherwise."""
    return _join(items, "and", "standard")


def day(value: str | dt.date | None, lang: str | None = None) -> str:
    """A day, month or year for readers: ISO in English (the form the site has always printed, and sorts), the
    language's own long form otherwise ('6 de diciembre de 2026', 'marzo de 2017', '2017')."""
    if value is None or value == "":
        return ""
    code = normalise(lang or current())
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    if code == SOURCE:
        return text
    from babel.dates import format_date, format_skeleton

    parts = text.split("-")
    try:
        if len(parts) == 3:
            return format_date(dt.date.fromisoformat(text), format="long", locale=code)
        if len(parts) == 2:
            return format_skeleton("yMMMM", dt.date(int(parts[0]), int(parts[1]), 1), locale=code)
    except (ValueError, KeyError):
        return text
    return text


def number(value: float | int, digits: int = 0, lang: str | None = None) -> str:
    """A number with the language's separators (1,234.5 / 1234,5 — Spanish groups only from five digits)."""
    code = normalise(lang or current())
    if code == SOURCE:
        return f"{value:,.{digits}f}"
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(round(value, digits), format=pattern, locale=code)


# ---------------------------------------------------------------------------- the catalogue's completeness
ROOT = Path(__file__).resolve().parent.parent
_SKIP_DIRS = {"node_modules", "static", "geodata", "tests", "benchmarks", "scripts", "build", "docs", "deploy", "data"}


def extract(root: Path = ROOT) -> dict[str, str | None]:
    """Every message the code marks (babel.cfg's files; keywords _, ngettext, N_): msgid -> plural msgid or None."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (root / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}

    def keep(dirname: str) -> bool:
        name = Path(dirname).name
        return not name.startswith((".", "_")) and name not in _SKIP_DIRS

    out: dict[str, str | None] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(str(root), method_map, options_map, keywords,
                                                                     directory_filter=keep):
        if isinstance(message, (tuple, list)):
            out[message[0]] = message[1]
        elif message:
            out[message] = None
    return out


def missing(lang: str, messages: dict[str, str | None] | None = None, catalog=None) -> list[str]:
    """Marked messages with no usable translation in ``lang``'s catalogue (absent, empty, fuzzy or with placeholders
    that differ from the English)."""
    import string

    from babel.messages.pofile import read_po

    if catalog is None:
        with po_path(lang).open("rb") as fh:
            catalog = read_po(fh, locale=lang, domain=DOMAIN)
    messages = extract() if messages is None else messages

    def fields(text: str) -> set[str]:
        try:
            return {f for _t, f, _s, _c in string.Formatter().parse(text) if f is not None}
        except ValueError:
            return {"<malformed>"}

    out = []
    for msgid, plural in messages.items():
        entry = catalog.get(msgid)
        forms = (entry.string if isinstance(entry.string, (tuple, list)) else [entry.string]) if entry else []
        if entry is None or entry.fuzzy or not forms or not all(forms):
            out.append(msgid)
        elif any(fields(f) != fields(plural or msgid) and fields(f) != fields(msgid) for f in forms):
            out.append(msgid)
    return out
