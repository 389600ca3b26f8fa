"""The only module that imports Streamlit: cached loaders, the shared sidebar, panels and widgets.

Pages are thin: ``page = ui.start("Title")`` loads what every page needs (data, view, static
addresses) and draws the sidebar; the page then calls the package and renders.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

import pandas as pd
import streamlit as st

from . import i18n
from . import settings as paths
from .data import MapData, load_map_data
from .filters import BY_NAME, FILTERS, RANGE_BOUNDS, RANGES, Filter, clamp, clamp_range
from .i18n import N_, _
from .mapping import Published
from .policies import PolicyTable
from .settings import settings
from .view import EARLIEST, View, parse_query
from .vocab import (
    FEDERAL_LIST_LABEL,
    INSTRUMENT_LABEL,
    LAYER_KEYS,
    LEVEL_SINGULAR,
    STANCE_LABEL,
    STATE_NAMES,
    STATUS_LABEL,
    word,
)

# Our own navigation (labels we choose; the default one would call the home page "app").
PAGES = (
    ("app.py", N_("Map"), ":material/map:"),
    ("pages/1_Policies.py", N_("Policies"), ":material/table:"),
    ("pages/5_Place.py", N_("Place profile & compare"), ":material/location_on:"),
    ("pages/6_What_changed.py", N_("What changed"), ":material/history:"),
    ("pages/7_Agreements_and_lists.py", N_("287(g) & federal lists"), ":material/gavel:"),
    ("pages/2_Border_distance.py", N_("Border distance"), ":material/straighten:"),
    ("pages/4_Your_data.py", N_("Your data"), ":material/upload_file:"),
    ("pages/3_About.py", N_("About & methods"), ":material/info:"),
)
# Session keys of the sidebar's widgets: one per filter, one per date range (both bounds), "f_layers" for the layers.
FILTER_KEYS = {**{f.name: f"f_{f.name}" for f in FILTERS if f.kind in ("multi", "day", "flag") and f.name != "hidden"},
               **{name: f"f_range_{name}" for name in RANGES}, "hidden": "f_layers"}
UPLOAD_KEY = "uploaded_policies"
# Served by this app (a :material: icon would make browsers fetch it from a third-party font host).
FAVICON = str(paths.STATIC_DIR / "favicon.png")


LANG_KEY = "f_lang"


# ---------------------------------------------------------------------------- language
def language() -> str:
    """The session's language: the switch's value once drawn, else the link's ``lang`` (English by default)."""
    s = st.session_state
    if LANG_KEY not in s:
        s[LANG_KEY] = i18n.normalise(st.query_params.get("lang"))
    return i18n.normalise(s[LANG_KEY])


def page_config(title: str | None) -> None:
    """First call of every page: the session's language for this run, and the browser tab's title in it."""
    i18n.activate(language())
    st.set_page_config(page_title=f"{_(title)} · Sanctuary Map" if title else "Sanctuary Map", page_icon=FAVICON,
                       layout="wide")


def language_switch() -> None:
    """English | Español, at the top of the sidebar on every page (kept in the URL and in share links)."""
    f = BY_NAME["lang"]
    was = i18n.current()

    def keep_one() -> None:  # a click on the chosen language deselects it: stay in that language
        if not st.session_state.get(LANG_KEY):
            st.session_state[LANG_KEY] = was

    st.segmented_control("Language · Idioma", list(f.choices), key=LANG_KEY, format_func=f.label_of,
                         selection_mode="single", help=_(f.help), label_visibility="collapsed", on_change=keep_one)


# ---------------------------------------------------------------------------- cached loaders
def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _geodata_dir() -> Path:
    """The boundary build this session reads: the one it started on while that build is still on disk (a rebuild
    switches new sessions to the new one; running sessions finish on theirs), else the current one."""
    from .boundaries import active_dir

    pinned = st.session_state.get("_geodata_dir")
    if pinned and (Path(pinned) / "manifest.json").exists():
        return Path(pinned)
    current = active_dir(settings().geodata)
    st.session_state["_geodata_dir"] = str(current)
    return current


def _shipped_key(geodata: Path) -> str:
    from .api import shipped_key

    return shipped_key(geodata)


@st.cache_resource(show_spinner=False, max_entries=2)
def _shipped(key: str, geodata: str) -> MapData:
    # Shared read-only across sessions (and with the API: one copy per process); nothing downstream mutates it.
    from .api import shipped_data

    return shipped_data(key, Path(geodata))


@st.cache_resource(show_spinner=False, max_entries=3)
def _published(key: str, geodata: str) -> Published:
    from .api import data_version
    from .publish import served

    data = _shipped(key, geodata)
    return served(data, data_version(data))  # the key the page head's first view uses too (routes.first_view)


def _upload_data(table: PolicyTable, upload_key: str, shipped: MapData) -> MapData:
    """An upload joins against the same boundary index (kept in the session: never published)."""
    cached = st.session_state.get("_upload_data")
    if cached is not None and cached[0] == upload_key:
        return cached[1]
    data = load_map_data(table, boundaries=shipped.boundaries, data_dir=settings().data)
    st.session_state["_upload_data"] = (upload_key, data)
    return data


@dataclass
class Page:
    data: MapData
    view: View
    published: Published  # static addresses (details inlined for uploads)
    uploaded: bool
    notices: list[str]


@st.cache_data(show_spinner=False)
def _page_css(mtime: float) -> str:
    return (paths.STATIC_DIR / "app.css").read_text(encoding="utf-8")


def selection(page: Page, view: View | None = None):
    """The rows of the page's view (or another view of the same data): computed once per view, then cached."""
    from .selection import select

    return select(page.data, view or page.view)


def start(name: str, sidebar: bool = True) -> Page:
    """Load data (the session's upload if any, else the shipped tables), draw the sidebar, show problems."""
    st.session_state["_run_started"] = time.perf_counter()
    st.html(f"<style>{_page_css(_mtime(paths.STATIC_DIR / 'app.css'))}</style>")
    st.session_state["_page"] = name
    geodata = _geodata_dir()
    key = _shipped_key(geodata)
    shipped = _shipped(key, str(geodata))
    published = _published(key, str(geodata))
    upload = st.session_state.get(UPLOAD_KEY)
    data = shipped
    if upload is not None:
        data = _upload_data(upload, st.session_state.get(UPLOAD_KEY + "_key", ""), shipped)
        published = replace(published, details_url=None)
    if sidebar:
        view, notices = _sidebar(data)
        page = Page(data, view, published, upload is not None, notices)
        show_data_health(page)
    else:  # an embed: the link's view, no widgets
        view, notices = _view_from_url()
        page = Page(data, view, published, upload is not None, notices)
    return page


# ---------------------------------------------------------------------------- sidebar / URL
def _view_from_url() -> tuple[View, list[str]]:
    """The view in the URL, validated and clamped (once per session; then widgets own it)."""
    if "view" in st.session_state:
        return st.session_state["view"], []
    query = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    return parse_query(query)


def _widget_key(f: Filter) -> str:
    return FILTER_KEYS[f.range if f.kind in ("from", "to") else f.name]


def _initial(view: View, today: dt.date) -> dict[str, object]:
    """Widget values for a view, one per widget key (a range's two bounds share one date-range widget)."""
    out: dict[str, object] = {}
    for f in FILTERS:
        value = getattr(view, f.name)
        if f.kind == "multi":
            out[_widget_key(f)] = [k for k in LAYER_KEYS if k not in value] if f.name == "hidden" else list(value)
        elif f.kind == "day":
            out[_widget_key(f)] = dt.date.fromisoformat(value) if value else today
        elif f.kind == "flag":
            out[_widget_key(f)] = bool(value)
        elif f.kind == "from":
            lo, hi = RANGES[f.range]
            start, end = getattr(view, lo.name), getattr(view, hi.name)
            out[_widget_key(f)] = clamp_range(f.range, (dt.date.fromisoformat(start) if start else RANGE_BOUNDS[f.range],
                                                        dt.date.fromisoformat(end) if end else today), today)
    return out


def _clamp_session(today: dt.date, extra: dict[str, set[str]]) -> None:
    """Make every filter widget's session value valid for its widget's bounds, whatever an earlier table, page
    or version left there (an upload with other years, the published table again, a new day)."""
    s = st.session_state
    for f in FILTERS:
        if f.kind in ("key", "to", "one") or _widget_key(f) not in s:
            continue
        key = _widget_key(f)
        if f.kind == "from":
            value = s[key]
            if not (isinstance(value, tuple) and len(value) == 1 and isinstance(value[0], dt.date)):
                s[key] = clamp_range(f.range, value, today)  # a half-picked range (one day so far) is left alone
        elif f.name == "hidden":
            s[key] = clamp(f, s[key], today)
        else:
            s[key] = clamp(f, s[key], today, extra.get(f.name, set()))


def _widget(f: Filter, today: dt.date, options: dict[str, list[str]]) -> None:
    key = _widget_key(f)
    if f.kind == "multi":
        st.multiselect(_(f.label), options.get(f.name, list(f.choices)), key=key, format_func=f.label_of,
                       placeholder=_(f.placeholder) or None, help=_(f.help) or None)
    elif f.kind == "day":
        st.date_input(_(f.label), key=key, min_value=EARLIEST, max_value=today, format="YYYY-MM-DD", help=_(f.help) or None)
    elif f.kind == "flag":
        st.toggle(_(f.label), key=key, help=_(f.help) or None)
    elif f.kind == "from":
        st.date_input(_(f.label), key=key, min_value=RANGE_BOUNDS[f.range], max_value=today, format="YYYY-MM-DD",
                      help=_(f.help) or None)


def _view_from_session(today: dt.date, focus: str) -> View:
    s = st.session_state
    kw: dict[str, object] = {"focus": focus, "lang": "" if i18n.current() == i18n.SOURCE else i18n.current()}
    for f in FILTERS:
        if f.kind in ("key", "one"):
            continue
        key = _widget_key(f)
        if f.kind == "multi":
            kw[f.name] = tuple(k for k in LAYER_KEYS if k not in s[key]) if f.name == "hidden" else tuple(s[key])
        elif f.kind == "day":
            kw[f.name] = "" if s[key] == today else s[key].isoformat()
        elif f.kind == "flag":
            kw[f.name] = bool(s[key])
        elif f.kind in ("from", "to"):
            a, b = clamp_range(f.range, s[key], today)
            day = a if f.kind == "from" else b
            bound = RANGE_BOUNDS[f.range] if f.kind == "from" else today
            kw[f.name] = "" if day == bound else day.isoformat()
    return View(**kw)  # type: ignore[arg-type]


def _options(data: MapData, states: Iterable[str]) -> dict[str, list[str]]:
    """The choices of the widgets whose choices are not the registry's: the states offered (those in the data, plus
    any already chosen: a link may name a state with no rows) and the layers."""
    return {"states": sorted(set(data.policies["state"]) | set(states) & set(STATE_NAMES)), "hidden": list(LAYER_KEYS)}


def _sidebar(data: MapData) -> tuple[View, list[str]]:
    """Filters shared by every page, drawn from the filter registry; they live in the URL so a copied link
    restores the view, to the day."""
    current, notices = _view_from_url()
    today = dt.date.today()
    initial = _initial(current, today)
    s = st.session_state
    for key, value in initial.items():
        # Re-assigning keeps widget state alive when the user switches pages.
        s[key] = s[key] if key in s else value
    options = _options(data, s[FILTER_KEYS["states"]])
    _clamp_session(today, {"states": set(options["states"])})
    with st.sidebar:
        language_switch()
        for target, label, icon in PAGES:
            st.page_link(target, label=_(label), icon=icon)
        st.header(_("Filters"))
        for section in ("top", "main"):
            for f in FILTERS:
                if f.section == section:
                    _widget(f, today, options)
        with st.expander(_("287(g) and federal lists")):
            for f in FILTERS:
                if f.section == "287g":
                    _widget(f, today, options)
        for f in FILTERS:
            if f.section == "layers":
                _widget(f, today, options)
        if st.button(_("Reset filters"), width="stretch"):
            for key in FILTER_KEYS.values():
                s.pop(key, None)
            s["view"] = View(focus=current.focus, lang=current.lang)
            st.query_params.clear()
            if current.lang:
                st.query_params["lang"] = current.lang
            st.rerun()
    view = _view_from_session(today, current.focus)
    set_view(view)
    return view, notices


def set_view(view: View) -> None:
    """Write the view into the URL, keeping a page's own parameters (a profile's ``j``, ``compare``, ``embed``)."""
    from .view import PARAM

    st.session_state["view"] = view
    existing = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    own = {k: v for k, v in existing.items() if k not in PARAM.values()}
    query = {**{k: (v if len(v) != 1 else v[0]) for k, v in own.items()}, **view.to_query()}
    normal = {k: (v if isinstance(v, list) else [v]) for k, v in query.items()}
    if existing != normal:
        st.query_params.from_dict(query)


def table_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Codes -> labels in every column a reader sees (never ``ag_directive``; always "AG directive")."""
    out = frame.copy()
    maps = {"stance": STANCE_LABEL, "instrument_type": INSTRUMENT_LABEL, "status": STATUS_LABEL,
            "jurisdiction_level": LEVEL_SINGULAR,
            "state": STATE_NAMES}
    for col, mapping in maps.items():
        if col in out:
            translate = col != "state"  # state names are proper nouns
            out[col] = out[col].map(lambda v, m=mapping, t=translate: _(m.get(v, v)) if t else m.get(v, v))
    return out


# ---------------------------------------------------------------------------- panels
def show_data_health(page: Page) -> None:
    data = page.data
    for n in page.notices:
        st.info(n, icon=":material/link:")
    if page.uploaded:
        st.info(_("Showing your uploaded table `{file}` (private to this browser session). Go to *Your data* to switch "
                  "back to the published table.").format(file=data.table.source), icon=":material/upload_file:")
    if data.boundary_error:
        st.error(_("Boundary data unavailable: {reason}").format(reason=data.boundary_error), icon=":material/map:")
    elif data.boundaries is not None:
        for layer, message in data.boundaries.errors.items():
            st.warning(f"{layer.replace('_', ' ').capitalize()}: {message}", icon=":material/warning:")
    problems = data.table.problems + data.problems
    if problems:
        left_out = len(data.table.invalid_rows)
        with st.expander(_("⚠️ {n} problem(s) in the data: {left_out} policy row(s) left out, {valid} valid row(s) "
                           "shown").format(n=len(problems), left_out=left_out, valid=len(data.table.rows)),
                         expanded=page.uploaded):
            st.dataframe(pd.DataFrame([{_("file"): p.file, _("row"): p.row, _("column"): p.column, _("problem"): p.reason}
                                       for p in problems]), hide_index=True, width="stretch")


def counts_caption(page: Page, shown: int) -> str:
    """One sentence that makes counts agree across pages (or says why they differ)."""
    data = page.data
    total = len(data.policies)
    drawn = len(data.matched)
    without = total - drawn
    return _("{shown} instrument(s) in this view, of {total} in the table. {drawn} have a boundary on this server's "
             "map; {without} are listed in the tables but their boundary file is not in this server's Census "
             "source.").format(shown=shown, total=total, drawn=drawn, without=without)


def share_base() -> str | None:
    """The app's root at the address the visitor used (scheme, host, port, base path), unless a public URL is set."""
    from .url_builder import root

    configured = settings().public_url
    if configured:
        return configured
    try:
        url = st.context.url
    except Exception:
        return None
    return root(url, st.get_option("server.baseUrlPath") or "") or None


def urls():
    """The link builder on this visit's root (share_base): every link a page writes comes from it."""
    from .url_builder import Urls

    return Urls(share_base() or "")


def share_box(view: View) -> None:
    from .export import share_url

    st.caption(_("Share this view (copy with the button at the right of the box):"))
    st.code(share_url(view, share_base()), language=None, wrap_lines=True)


def is_embed() -> bool:
    """An embed: our ``mode=embed`` parameter, or Streamlit's own embed mode (``?embed=true``)."""
    try:
        native = bool(st.context.is_embedded)
    except Exception:
        native = False
    return st.query_params.get("mode") == "embed" or native


def embed_url(view: View, version: str) -> str:
    """The view as an embed: frozen at its as-of date (today's if none) and tagged with the dataset version."""
    from .oembed import embed_src

    return embed_src(view, share_base(), version)


def embed_chrome() -> None:
    """Embeds show the map, its legend and a credit line: no sidebar, header or menu."""
    st.html("<style>[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'], header, "
            "[data-testid='stToolbar'] {display: none !important;} .block-container {padding: 0.3rem 0.5rem 0 !important;}"
            "[data-testid='stMainBlockContainer'] {gap: 0.35rem; padding: 0.3rem 0.5rem 0 !important;} "
            "[data-testid='stVerticalBlock'] {gap: 0.35rem;}"
            "</style>")


# The embed's map fills the frame left by its title, subtitle, credit and table toggle (worked out in the browser).
EMBED_MAP_HEIGHT = "fill"


def embed_header(page: Page, view: View) -> None:
    """The embed's title (naming the focused place) and subtitle (the date and every filter in words)."""
    from .export import default_title, describe

    st.html(f'<div class="sm-embed-head"><h1 class="sm-embed-title">{html.escape(default_title(page.data, view))}</h1>'
            f'<p class="sm-embed-sub">{html.escape(describe(view))}</p></div>')


def embed_credit(page: Page, view: View) -> None:
    """Under the embedded map: the credit, what the map shows in one sentence (its alt text), and the table."""
    from .export import alt_text, credit_line, share_url

    asked = st.query_params.get("v", "")
    note = ""
    if asked and asked != page.data.version:
        note = " " + _("This embed was made with dataset version {version}; the data has been updated since.").format(
            version=asked[:12])
    st.caption(credit_line(page.data, view, share_url(view, share_base())) + note)
    st.html(f'<p class="sm-visually-hidden">{html.escape(alt_text(page.data, view))}</p>')
    map_table(page, view)


def embed_snippet(page: Page, view: View, alt: str | None = None) -> str:
    """HTML for an article: a responsive frame (follows the host page's width), titled, with a <noscript> fallback:
    the view's snapshot image (its alt text the description), linking to the map."""
    from .export import embed_snippet as snippet

    return snippet(page.data, view, embed_url(view, page.data.version), share_base(), alt=alt)


def map_downloads(page: Page, view: View) -> None:
    """Snapshot and data downloads; files are produced only when the user asks."""
    from .export import (
        PRESETS,
        agreements_csv,
        alt_text,
        boundaries_geojson,
        default_title,
        describe,
        listings_csv,
        policies_csv,
        snapshot_png,
        standalone_html,
        vector_snapshot,
    )

    data = page.data
    alt = alt_text(data, view)  # in the embed's fallback image and in the box below: worked out once
    with st.expander(_("Embed this map in an article"), icon=":material/code:"):
        st.caption(_("The embed shows the map, its legend and a credit line, frozen at the as-of date ({day}) and tagged "
                     "with dataset version {version}. For a copy that never changes, use the offline HTML "
                     "below.").format(day=i18n.day(view.as_of_date()), version=data.version))
        st.code(embed_snippet(page, view, alt), language="html", wrap_lines=True)
        st.caption(_("The frame follows the width of the article (any width from a phone's up) at a 5:4 shape, at least "
                     "480 px tall; readers without scripts get a picture of the map, described in its alt text, linking to it."))
    with st.expander(_("Download a snapshot or the data"), icon=":material/download:"):
        c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
        from .vocab import THEME_LABEL

        title = c1.text_input(_("Title"), value=default_title(data, view), max_chars=120)
        subtitle = c2.text_input(_("Subtitle"), value=describe(view), max_chars=200)
        preset = c3.selectbox(_("Size"), list(PRESETS), format_func=lambda k: _(PRESETS[k].label))
        theme = c4.selectbox(_("Background"), list(THEME_LABEL), format_func=lambda k: word(THEME_LABEL, k),
                             help=_("A dark page for the PNG (the colours of the categories stay the same)."))
        st.text_area(_("Alt text (also in the PNG's Description)"), alt, height=90,
                     help=_("A text alternative for readers who cannot see the image: paste it with the picture."))
        b1, b2, b3, b4, b5, b6 = st.columns(6)
        with b1:
            if st.button(_("Prepare PNG"), width="stretch"):
                with st.spinner(_("Rendering the map in a headless browser…")):
                    png, renderer = snapshot_png(data, view, preset=preset, title=title, subtitle=subtitle, base_url=share_base(),
                                                 fallback=True, theme=theme)
                st.session_state["png"] = (png, renderer, view, preset, title, subtitle, theme)
            got = st.session_state.get("png")
            if got and got[2:] == (view, preset, title, subtitle, theme):
                st.download_button(_("Download PNG"), got[0], "sanctuary-map.png", "image/png", width="stretch")
                if got[1] != "chromium":
                    st.caption(_("Static rendering: no browser was available on the server."))
        b2.download_button(_("SVG (print)"), lambda: vector_snapshot(data, view, "svg", title=title, subtitle=subtitle),
                           "sanctuary-map.svg", "image/svg+xml", width="stretch")
        b3.download_button(_("PDF (print)"), lambda: vector_snapshot(data, view, "pdf", title=title, subtitle=subtitle),
                           "sanctuary-map.pdf", "application/pdf", width="stretch")
        b4.download_button(_("HTML (offline)"), lambda: standalone_html(data, view, title=title, subtitle=subtitle,
                                                                     base_url=share_base()).encode(),
                           "sanctuary-map.html", "text/html", width="stretch",
                           help=_("A standalone map file that opens without any network."))
        b5.download_button(_("Data (CSV)"), lambda: policies_csv(data, view), "sanctuary-map-policies.csv", "text/csv",
                           width="stretch")
        b6.download_button(_("Boundaries (GeoJSON)"), lambda: boundaries_geojson(data, view), "sanctuary-map-boundaries.geojson",
                           "application/geo+json", width="stretch",
                           help=_("Every jurisdiction drawn, with its instruments, 287(g) agreements and federal listings."))
        if data.agreements is not None and "agreements" not in view.hidden:
            b5.download_button(_("287(g) agreements (CSV)"), lambda: agreements_csv(data, view), "sanctuary-map-287g.csv",
                               "text/csv", width="stretch")
        if data.designations is not None and "federal" not in view.hidden:
            b6.download_button(_("Federal listings (CSV)"), lambda: listings_csv(data, view), "sanctuary-map-federal-lists.csv",
                               "text/csv", width="stretch")


def log_run_time(page: str) -> None:
    """With SANCTUARY_MAP_TIMING=1, log each script run's server time (used by the benchmarks)."""
    started = st.session_state.get("_run_started")
    if settings().timing and started is not None:
        print(f"sanctuary-map-timing page={page} ms={1000 * (time.perf_counter() - started):.1f}", flush=True)


def upload_key(data: bytes) -> str:
    return "upload:" + hashlib.sha256(data).hexdigest()



# ---------------------------------------------------------------------------- the map
@st.cache_resource(show_spinner=False)
def _living_map_component(mtime: float):
    """The living map's component (registered once per version of its JS file)."""
    js = (paths.JS_DIR / "living-map.js").read_text(encoding="utf-8")
    return st.components.v2.component("sanctuary_map.living_map", html='<div class="sm-living-host"></div>', js=js,
                                      isolate_styles=False)


def living_map(page: Page, view: View, *, height: int | str = 560) -> tuple[float, float] | None:
    """The map, created once per page visit and repainted in place on every rerun; returns the last clicked
    (lon, lat), if any."""
    from .mapping import living_payload

    payload = living_payload(page.data, view, page.published, basemap=settings().basemap)
    payload["height"] = height
    payload["filters"] = _filter_words(page, view)
    component = _living_map_component(_mtime(paths.JS_DIR / "living-map.js"))
    # A CSS height (the embed: what the frame leaves) sizes the map's own box; the element then fits its content.
    result = component(key="living_map", data=payload, height=height if isinstance(height, int) else "content",
                       on_clicked_change=lambda: None)
    return clicked_point({"last_clicked": (result or {}).get("clicked")} if result else None)


def _filter_words(page: Page, view: View) -> dict | None:
    """What the living map needs to answer a click on a sidebar filter at once (static/js/living.js): the API's
    address for the view's results, the view's link, and each filter widget's URL parameter and labels.  None where
    the API would answer from other data (an upload) or there is no sidebar (an embed)."""
    from .api import API_PREFIX, data_version
    from .filters import widget_words
    from .url_builder import site_path

    if page.uploaded or is_embed():
        return None
    words = widget_words(_options(page.data, view.states))
    return {"url": site_path(st.get_option("server.baseUrlPath") or "", API_PREFIX + "/map"),
            "build": data_version(page.data), "query": view.to_query(),
            "widgets": {FILTER_KEYS[name]: w for name, w in words.items()}}


# ---------------------------------------------------------------------------- search and "what applies here"
@st.cache_resource(show_spinner=False, max_entries=8)
def _search_table(version: str, _data: MapData) -> pd.DataFrame:
    from .search import search_table as table

    return table(_data)


def search_table(page: Page) -> pd.DataFrame:
    return _search_table(page.data.version, page.data)


def jurisdiction_search(page: Page, focus: str) -> str:
    """A search box that finds every jurisdiction (any boundary, any table row), typo-tolerant; returns the focus."""
    from .profile import missing_layers
    from .search import answer, shown_focus

    table = search_table(page)
    labels = _place_labels(page)
    # Keyed (class st-key-sm_find): the row just above the map, where a cold visit's first view is placed (living.js).
    c1, c2, c3 = st.container(key="sm_find").columns([3, 3, 1], vertical_alignment="bottom")
    query = c1.text_input(_("Find a place"), key="find_query",
                          placeholder=_("City, county, school district or state — e.g. Fresno, Portland OR, Chicago Public "
                                        "Schools"), help=_("Typos are fine. Add a state to narrow: 'Portland, OR'."))
    current = shown_focus(focus, labels)
    options = ["none"]
    said = answer(query, table, missing_layers=lambda s: missing_layers(page.data, s)) if query.strip() else None
    hits = said.hits if said else []
    option_labels = {"none": _("Whole country (no place selected)")}
    for h in hits:
        if h.key not in option_labels:
            options.append(h.key)
            option_labels[h.key] = h.label()
    if current not in options:
        options.insert(1, current)
        option_labels[current] = labels.get(current, current)
    if said and said.message:
        (st.warning if said.tone == "warning" else st.info)(said.message, icon=":material/search:")
    if said and not hits:
        return current
    # Only an exact (or prefix) match is selected on its own; a fuzzy one waits for the reader's choice.
    index = options.index(said.select) if said and said.select in options else options.index(current)
    picked = c2.selectbox(_("Show"), options, index=index, format_func=lambda k: option_labels.get(k, k),
                          key=f"find_pick_{query}", help=_("Zooms to the place; its straight-line distance to the border is "
                                                           "drawn."))
    if c3.button(_("Profile"), width="stretch", disabled=picked in ("none", "") or picked.startswith("record"),
                 help=_("Open this place's profile page.")):
        st.session_state["profile_key"] = picked
        st.switch_page("pages/5_Place.py")
    return picked


def _adopted(day: str) -> str:
    return _("adopted {day}").format(day=i18n.day(day)) if day else _("adopted: date unknown")


@st.cache_resource(show_spinner=False, max_entries=8)
def _labels(version: str, lang: str, _table: pd.DataFrame) -> dict[str, str]:
    with i18n.using(lang):
        levels = _table["level"].map({v: _(v).lower() for v in _table["level"].unique()})  # a few levels, many rows
        return dict(zip(_table["key"], _table["display"] + " (" + levels + ", " + _table["state"] + ")"))


def _place_labels(page: Page) -> dict[str, str]:
    """Search keys -> 'Fresno (city or town, CA)' in the current language (made once per dataset and language: the
    search box needs them on every rerun, before the map)."""
    return _labels(page.data.version, i18n.current(), search_table(page))


def clicked_point(value) -> tuple[float, float] | None:
    """(lon, lat) of the last map click ({"last_clicked": {"lat", "lng"}}), validated."""
    try:
        lc = (value or {}).get("last_clicked") or {}
        lat, lon = float(lc["lat"]), float(lc["lng"])
    except (TypeError, KeyError, ValueError, AttributeError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lon, lat


def render_entry(e, *, compact: bool = False) -> None:
    """One jurisdiction of a stack or profile: its instruments with stance, dates, status and source links."""
    from .vocab import MODEL_LABEL as ML
    from .vocab import STANCE_LABEL as SL

    st.markdown(f"**{e.name}** · {e.level}" + (f" · _{e.note}_" if e.note else ""))
    if not e.instruments and e.geoid:
        st.caption(_("No instrument recorded in force on this date.") + (f" {e.research}" if e.research else ""))
    for i in e.instruments:
        src = f"[{_('source')}]({i.source_url})" if i.source_url.startswith(("http://", "https://")) else ""
        st.markdown(f"- **{_(SL[i.stance])}** — {i.title} ({_instrument_facts(i.type, i.adopted, i.effective, i.status)}) {src}")
        if not compact and i.does:
            st.caption(_("Does: {what}").format(what=", ".join(i.does)))
    if getattr(e, "applies", None):
        from .profile import applies_sentence

        st.caption(applies_sentence(e.applies, most=8))
    for a in e.agreements:
        model = word(ML, a.get("model", ""))
        what = (_("{agency}: {model}, signed {day}").format(agency=a.get("agency", ""), model=model, day=i18n.day(a["signed"]))
                if a.get("signed") else _("{agency}: {model}").format(agency=a.get("agency", ""), model=model))
        st.markdown(f"- **287(g)** — {what}")
    for d in e.listings:
        st.markdown("- **" + _("Federal list") + "** — " + _("named on the {list} as “{name}”").format(
            list=_(FEDERAL_LIST_LABEL[d["list"]]), name=d["name_as_published"]) + f" [{_('source')}]({d['source_url']})")
    if e.distance:
        zones = zone_phrases(e.zone_mexico if e.zone_mexico in ("inside", "partly inside") else "",
                             e.zone_all if e.zone_all in ("inside", "partly inside") else "")
        st.caption(_("Distance to the US\u2013Mexico border: {distance}.").format(distance=e.distance)
                   + (" " + "; ".join(zones).capitalize() + "." if zones else ""))


_ZONE_WORDS = {
    ("mexico", "inside"): N_("inside 100 miles of the Mexican land border"),
    ("mexico", "partly inside"): N_("partly inside 100 miles of the Mexican land border"),
    ("mexico", "outside"): N_("outside 100 miles of the Mexican land border"),
    ("all", "inside"): N_("inside the 100-mile border zone (all external boundaries)"),
    ("all", "partly inside"): N_("partly inside the 100-mile border zone (all external boundaries)"),
    ("all", "outside"): N_("outside the 100-mile border zone (all external boundaries)"),
}


def zone_phrases(mexico: str, everywhere: str) -> list[str]:
    """Where a jurisdiction lies against the two border zones, in words ('' = not said)."""
    out = []
    for zone, value in (("mexico", mexico), ("all", everywhere)):
        if value:
            out.append(_(_ZONE_WORDS[(zone, value)]) if (zone, value) in _ZONE_WORDS else value)
    return out


def _instrument_facts(kind: str, adopted: str, effective: str, status: str) -> str:
    """'Ordinance; adopted 2017-03-14; effective 2017-04-01; in effect' (kind and status already in words)."""
    facts = [kind, _adopted(adopted)]
    if effective:
        facts.append(_("effective {day}").format(day=i18n.day(effective)))
    return "; ".join(facts + [status.lower()])


def map_table(page: Page, view: View) -> None:
    """The table of what the map shows: its text alternative, and a keyboard path to every source."""
    from .tables import map_table as table

    frame = table(page.data, view)
    with st.expander(_("Table of what the map shows ({n} jurisdictions)").format(n=len(frame)), icon=":material/table_rows:"):
        st.dataframe(frame, hide_index=True, width="stretch", height=320, column_config={
            "Source": st.column_config.LinkColumn(_("Source"), display_text=_("open source"), validate=r"^https?://")})


def what_applies_here(page: Page, clicked: tuple[float, float] | None) -> None:
    """The whole stack at the clicked (or typed) point, under the map."""
    from .profile import stack

    typed = st.text_input(_("Or type coordinates or an address"), key="point_query",
                          placeholder=_("34.0537, -118.2428 — or 200 N Spring St, Los Angeles, CA (address needs internet)"))
    point = clicked

    if typed.strip():
        from .geocode import GeocodeError, locate

        try:
            point = locate(typed)
        except GeocodeError as exc:
            st.warning(str(exc), icon=":material/location_off:")
    with st.container(border=True):
        if point is None:
            st.markdown(_("**What applies here?** Click anywhere on the map: the state, county, city (or unincorporated "
                          "area) and school districts at that spot are listed here with their instruments, 287(g) "
                          "agreements and federal listings."))
            return
        lon, lat = point
        entries, note = stack(page.data, lon, lat, page.view)
        st.markdown(_("**What applies at {lat}, {lon}** (in force on {day})").format(
            lat=f"{lat:.4f}", lon=f"{lon:.4f}", day=i18n.day(page.view.as_of_date())))
        if not entries:
            st.caption(_("No US boundary here in this server's Census source."))
            return
        if note:
            st.warning(note, icon=":material/gavel:")
        for e in entries:
            render_entry(e, compact=True)


# ---------------------------------------------------------------------------- place profiles and comparison
def _valid_key(value: str) -> str:
    from .view import _FOCUS_RE

    value = (value or "").strip()
    return value if _FOCUS_RE.match(value) else ""


def profile_key_from_url() -> str:
    raw = st.query_params.get("j", "")
    key = _valid_key(raw)
    if raw and not key:
        st.info(_("`j={value}` is not a jurisdiction key such as unsd:0622710; pick a place below.").format(value=raw[:30]),
                icon=":material/link:")
    return key or st.session_state.pop("profile_key", "")


def place_picker(page: Page, key: str) -> str:
    from .profile import missing_layers
    from .search import answer

    table = search_table(page)
    query = st.text_input(_("Find a place"), key="profile_query", placeholder=_("e.g. Los Angeles Unified, Cook County, Fresno"))
    if query.strip():
        said = answer(query, table, missing_layers=lambda s: missing_layers(page.data, s), limit=10)
        if said.message:
            (st.warning if said.tone == "warning" else st.info)(said.message, icon=":material/search:")
        if said.hits:
            options = ([] if said.select else [""]) + list(dict.fromkeys(h.key for h in said.hits))
            labels = {"": _("Choose a match…"), **{h.key: h.label() for h in said.hits}}
            key = st.selectbox(_("Matches"), options, format_func=lambda k: labels[k], key=f"profile_pick_{query}") or key
    if key and st.query_params.get("j") != key:
        st.query_params["j"] = key
    return key


def render_profile(page: Page, p: dict) -> None:
    """A printable profile: summary, instruments, timeline, overlaps, agreements, listings, distance, citation."""
    from .vocab import MODEL_LABEL as ML

    st.header(p["name"])
    st.caption(f"{p['level']} · {STATE_NAMES.get(p['state'], p['state'])} · `{p['key']}`" + (f" · {p['note']}" if p["note"] else ""))
    st.markdown(p["summary"])
    if page.data.boundaries is not None and page.data.boundaries.lookup(*p["key"].split(":", 1)) is not None:
        living_map(page, page.view.with_focus(p["key"]), height=300)
    link = st.column_config.LinkColumn(_("Source"), display_text=_("source"), validate=r"^https?://")
    if p["instruments"]:
        st.subheader(_("Instruments"))
        _profile_list(p["instruments"], lambda r: " · ".join(
                          [word(STANCE_LABEL, r["stance"]), r["type"], r["status"], _adopted(r["adopted"])]
                          + ([_("effective {day}").format(day=i18n.day(r["effective"]))] if r["effective"] else [])),
                      lambda r: _("Does: {what}").format(what=", ".join(r["does"])) if r["does"] else "")
        with st.expander(_("As a table")):
            frame = pd.DataFrame(p["instruments"])[["title", "type", "stance", "status", "adopted", "effective", "does",
                                                    "source_url", "source_kind"]]
            frame["stance"] = frame["stance"].map(lambda v: word(STANCE_LABEL, v))
            frame["does"] = frame["does"].map(", ".join)
            st.dataframe(frame, hide_index=True, width="stretch", column_config={
                "title": _("Instrument"), "type": _("Type"), "stance": _("Direction"), "status": _("Status"),
                "adopted": _("Adopted"), "effective": _("Effective"), "does": _("What it does"),
                "source_kind": _("Source kind"), "source_url": link})
    if p.get("applies_here"):
        st.subheader(_("State and county law that applies here"))
        _profile_list(p["applies_here"], lambda r: " · ".join(
            [r["applies_from"], _("binds {who}").format(who=r["binds"]), word(STANCE_LABEL, r["stance"]),
             r["type"], r["status"], _adopted(r["adopted"])]))
    if p["timeline"]:
        st.subheader(_("Timeline"))
        _profile_list(p["timeline"], lambda r: f"{r['date']} · {r['event_label']}", lambda r: r["summary"] or "",
                      title=lambda r: r["date"] + " — " + r["event_label"], meta=False)
    c1, c2 = st.columns(2)
    with c1:
        st.subheader(_("Overlapping jurisdictions"))
        if p["overlapping"]:
            links = urls()
            st.markdown("\n".join(f"- [{o['name']}]({links.place(o['key'], page.view)}) ({o['level'].lower()})"
                                   for o in p["overlapping"][:40]))
        else:
            st.caption(_("None found in this server's boundary index."))
        st.subheader(_("Border"))
        st.markdown(p["distance"] or _("Not measured (no boundary on this server)."))
        st.caption("; ".join(zone_phrases(p["zone_mexico"], p["zone_all"])).capitalize())
    with c2:
        st.subheader(_("287(g) agreements"))
        if p["agreements"]:
            st.dataframe(pd.DataFrame(p["agreements"]).assign(model=lambda f: f["model"].map(lambda m: word(ML, m))),
                         hide_index=True, width="stretch")
        else:
            st.caption(_("None covering this jurisdiction on this date."))
        st.subheader(_("Federal lists"))
        if p["listings"]:
            for d in p["listings"]:
                st.markdown(f"- {_(FEDERAL_LIST_LABEL[d['list']])}: “{d['name_as_published']}” "
                            f"([{_('source')}]({d['source_url']}))")
        else:
            st.caption(_("Not named on a federal list in effect on this date."))
    view = page.view.with_focus(p["key"])
    url = urls().place(p["key"], replace(page.view, as_of=p["as_of"])) if share_base() else ""
    cite = (_("Sanctuary Map, “{name}”, dataset version {version}, as of {day}").format(
        name=p["name"], version=p["dataset_version"], day=i18n.day(p["as_of"])) + (f", {url}" if url else "") + ".")
    st.markdown("**" + _("Cite this:") + "**")
    st.code(cite, language=None, wrap_lines=True)
    from .export import safe_csv

    c1, c2 = st.columns(2)
    c1.download_button(_("Download this place's instruments (CSV)"), safe_csv(pd.DataFrame(p["all_instruments"])),
                       f"sanctuary-map-{p['key'].replace(':', '-')}.csv", "text/csv", width="stretch")
    if page.data.boundaries is not None and page.data.boundaries.lookup(*p["key"].split(":", 1)) is not None:
        if c2.button(_("Prepare a PNG of this place"), width="stretch"):
            from .export import snapshot_png

            with st.spinner(_("Rendering the map in a headless browser…")):
                png, _renderer = snapshot_png(page.data, view, preset="article", title=p["name"], base_url=share_base(),
                                              fallback=True)
            st.session_state["profile_png"] = (p["key"], png)
        got = st.session_state.get("profile_png")
        if got and got[0] == p["key"]:
            c2.download_button(_("Download the PNG"), got[1], f"sanctuary-map-{p['key'].replace(':', '-')}.png", "image/png",
                               width="stretch")
    st.caption(_("To print this profile, use the browser's print command: the sidebar and buttons are left out."))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$])")


def _md_escape(text: str) -> str:
    """Plain text for st.markdown: Markdown's special characters are escaped, so a title is shown as written."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _profile_list(rows: list[dict], meta_line, detail=None, *, title=None, meta: bool = True) -> None:
    """Rows of a profile as a list that reads on a phone as on a desktop: bold title, one line of facts, the source."""
    for r in rows:
        head = title(r) if title else r["title"]
        src = r.get("source_url", "")
        link = f" [{_('source')}]({src})" if str(src).startswith(("http://", "https://")) else ""
        text = f"- **{_md_escape(str(head))}**{link}"
        if meta:
            text += f"  \n  {_md_escape(meta_line(r))}"
        extra = detail(r) if detail else ""
        if extra:
            text += f"  \n  _{_md_escape(extra)}_"
        st.markdown(text)


def compare_picker(page: Page) -> list[str]:
    from .search import find

    raw = st.query_params.get("compare", "")
    keys = [k for k in (_valid_key(x) for x in raw.split(",")) if k][:4]
    table = search_table(page)
    labels = _place_labels(page)
    query = st.text_input(_("Add a place to compare"), key="compare_query", placeholder=_("type a name"))
    options = list(keys)
    if query.strip():
        options += [h.key for h in find(query, table, limit=8) if h.key not in options]
    chosen = st.multiselect(_("Places compared (up to 4)"), options, default=keys, format_func=lambda k: labels.get(k, k),
                            max_selections=4, key=f"compare_{','.join(keys)}_{query}", select_all=False)
    value = ",".join(chosen)
    if value != raw:
        if value:
            st.query_params["compare"] = value
        elif "compare" in st.query_params:
            del st.query_params["compare"]
    return chosen


# ---------------------------------------------------------------------------- what changed
def change_window() -> tuple[dt.date, dt.date]:
    today = dt.date.today()
    presets: dict[str, dt.date | None] = {"30": today - dt.timedelta(days=30), "2025": dt.date(2025, 1, 20),
                                          "2017": dt.date(2017, 1, 25), "custom": None}
    words = {"30": _("Last 30 days"), "2025": _("Since {day}").format(day=i18n.day("2025-01-20")),
             "2017": _("Since {day}").format(day=i18n.day("2017-01-25")), "custom": _("Custom")}
    choice = st.radio(_("Period"), list(presets), index=1, horizontal=True, key="changes_period",
                      format_func=words.__getitem__) or "custom"
    start = presets[choice]
    if start is not None:
        return start, today
    c1, c2 = st.columns(2)
    start = c1.date_input(_("From"), value=dt.date(2025, 1, 20), min_value=EARLIEST, max_value=today, format="YYYY-MM-DD")
    end = c2.date_input(_("To"), value=today, min_value=EARLIEST, max_value=today, format="YYYY-MM-DD")
    return (start, end) if start <= end else (end, start)


def events_table(events: pd.DataFrame) -> pd.DataFrame:
    from .dates import label

    links, lang = urls(), ("" if i18n.current() == i18n.SOURCE else i18n.current())
    out = pd.DataFrame({
        _("Date"): events["date"].map(label), _("What happened"): events["event_label"],
        _("Jurisdiction"): events["jurisdiction_name"],
        _("State"): events["state"].map(lambda s: STATE_NAMES.get(s, s)), _("Details"): events["summary"],
        _("Source"): events["source_url"],
        _("Map as it stood"): [links.as_it_stood(day, f"{layer}:{geoid}" if geoid else "", lang)
                               for layer, geoid, day in zip(events["geoid_layer"], events["geoid"], events["end_date"])],
    })
    return out


def chart_with_downloads(chart, name: str) -> None:
    from .charts import render

    st.altair_chart(chart, width="stretch")
    c1, c2, _rest = st.columns([1, 1, 4])
    c1.download_button("PNG", lambda: render(chart, "png"), f"{name}.png", "image/png", key=f"{name}-png")
    c2.download_button("SVG", lambda: render(chart, "svg"), f"{name}.svg", "image/svg+xml", key=f"{name}-svg")


# ---------------------------------------------------------------------------- 287(g) and federal lists
def agreements_section(page: Page) -> None:
    from .vocab import MODEL_LABEL as ML

    t = page.data.agreements
    if t is None or not len(t.rows):
        st.info(_("No 287(g) table is loaded (data/287g_agreements.csv)."))
        return

    from .export import safe_csv

    view = page.view
    rows = selection(page).agreements
    ended = int((t.rows["status"] == "ended").sum())
    st.caption(_("{n} agreements in force on {day} under the filters, of {total} in the archived ICE lists ({first} to "
                 "{last}; {ended} ended: absent from a later capture). Each resolves to the area it covers: county sheriffs "
                 "to their county, city police to their city (or county where this server lacks the city boundary), state "
                 "agencies to the state.").format(n=len(rows), day=i18n.day(view.as_of_date()), total=len(t.rows),
                                                  first=i18n.day(t.rows["first_seen"].min()),
                                                  last=i18n.day(t.rows["last_seen"].max()), ended=ended))
    shown = rows[["agency", "state", "county", "model", "signed", "first_seen", "last_seen", "status", "geoid_name", "match",
                  "moa_url"]].copy()
    from .agreements import MATCH_LABEL

    shown["model"] = shown["model"].map(lambda m: word(ML, m))
    shown["state"] = shown["state"].map(lambda s: STATE_NAMES.get(s, s))
    shown["match"] = shown["match"].map(lambda m: _(MATCH_LABEL.get(m, m)))
    from .agreements import counts_by_model_and_state, last_complete_capture

    last_full = last_complete_capture(t)
    st.subheader(_("How many, by model and by state"))
    counts = counts_by_model_and_state(rows)
    words = {"State": _("State"), "Total": _("Total"), **{m: _(m) for m in ML.values()}}
    counts = counts.rename(columns=words)
    counts[words["State"]] = counts[words["State"]].replace({"All states": _("All states")})
    c1, c2 = st.columns([3, 2])
    c1.dataframe(counts, hide_index=True, width="stretch", height=300)
    if len(counts) > 1:
        top = counts.iloc[:-1].head(15).set_index(words["State"]).drop(columns=[words["Total"]])
        c2.bar_chart(top, horizontal=True, height=300, x_label=_("Agreements in force"), y_label="")
    c1.download_button(_("Download these counts (CSV)"), safe_csv(counts), "sanctuary-map-287g-counts.csv", "text/csv")
    st.subheader(_("Every agreement"))
    st.caption(_("**Last seen** is the last archived capture that lists the agreement: a complete ICE list or a partial "
                 "archive of agreement documents (MOAs). The last complete list is of {day}; after it only partial archives "
                 "exist, so an agreement missing from them is not taken to have ended. **Status** says whether a later "
                 "complete list dropped it.").format(day=i18n.day(last_full) if last_full else _("an unknown date")))
    shown["status"] = shown["status"].map({
        "active": _("Not seen to end (on the complete lists to {day})").format(day=i18n.day(last_full)) if last_full
        else _("Not seen to end"), "ended": _("Ended: absent from a later complete list")}).fillna(shown["status"])
    st.dataframe(shown, hide_index=True, width="stretch", height=420, column_config={
        "agency": _("Agency (as published)"), "state": _("State"), "county": _("County (as published)"), "model": _("Model"),
        "signed": _("Signed"),
        "first_seen": _("First seen"), "last_seen": _("Last seen"), "status": _("Status"), "geoid_name": _("Mapped to"),
        "match": _("How it was resolved"),
        "moa_url": st.column_config.LinkColumn(_("Agreement (MOA)"), display_text="MOA", validate=r"^https?://")})
    st.download_button(_("Download agreements (CSV)"), safe_csv(rows), "sanctuary-map-287g.csv", "text/csv")


def designations_section(page: Page) -> None:
    t = page.data.designations
    if t is None or not len(t.rows):
        st.info(_("No federal designations table is loaded (data/federal_designations.csv)."))
        return
    rows = t.rows if not page.view.lists else t.rows[t.rows["list"].isin(page.view.lists)]
    st.caption(_("A designation is what Washington said about a place, not something the place adopted. Names are kept "
                 "exactly as published, misspellings included. The DHS list was withdrawn within days; the DOJ list is "
                 "complete, the DHS transcription partial (see data/README.md)."))
    shown = rows[["list", "name_as_published", "jurisdiction_level", "state", "date_listed", "date_withdrawn", "match",
                  "source_url", "notes"]].copy()
    shown["list"] = shown["list"].map(lambda v: _(FEDERAL_LIST_LABEL.get(v, v)))
    shown["state"] = shown["state"].map(lambda s: STATE_NAMES.get(s, s))
    shown["jurisdiction_level"] = shown["jurisdiction_level"].map(lambda v: _(LEVEL_SINGULAR.get(v, v)))
    st.dataframe(shown, hide_index=True, width="stretch", height=420, column_config={
        "list": _("List"), "name_as_published": _("Name as published"), "jurisdiction_level": _("Level"), "state": _("State"),
        "date_listed": _("Listed"), "date_withdrawn": _("Withdrawn"), "match": _("How it was mapped"),
        "source_url": st.column_config.LinkColumn(_("Source"), display_text=_("source"), validate=r"^https?://")})
