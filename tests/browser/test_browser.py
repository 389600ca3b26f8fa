"""A real browser against `streamlit run` on the fixture world: tiles, hover, click, links, embed, phone, upload."""
from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

import world
from sanctuary_map.policies import COLUMNS

from .conftest import MAP, map_frame, map_point, tiles_ready, wait_idle

pytestmark = pytest.mark.browser


def open_map(page, server, query: str = ""):
    page.goto(server + "/" + query)
    wait_idle(page)
    tiles_ready(page)


def test_map_draws_from_tiles_with_no_third_party_request(server, page):
    open_map(page, server, "?focus=unsd:0600010")
    frame = map_frame(page)
    expect(frame.locator("canvas.leaflet-tile").first).to_be_attached()
    expect(frame.locator(".sm-legend")).to_contain_text("Limits cooperation")
    assert page.external_requests == []
    # The first screen shows the map: it starts high enough and keeps most of its height visible at 1400 x 900.
    box = page.query_selector(MAP).bounding_box()
    assert box["y"] < 330 and 900 - box["y"] > 500


def test_hover_and_click_give_the_whole_stack(server, page):
    open_map(page, server, "?focus=place:0600001")
    x, y = map_point(page, world.IN_TESTVILLE[1], world.IN_TESTVILLE[0])
    page.mouse.move(x, y)
    frame = map_frame(page)
    expect(frame.locator(".sm-tooltip")).to_contain_text("Testville")
    page.mouse.click(x, y)
    popup = frame.locator(".sm-stack")
    expect(popup).to_contain_text("What applies here")
    for name in ("Calfornia Test", "Alpha County", "Testville", "Testville Unified School District"):
        expect(popup).to_contain_text(name)
    expect(popup).to_contain_text("Testville sanctuary ordinance")
    # The county's 287(g) agreement and its federal listing are in the same stack, from the static details file.
    expect(popup).to_contain_text("287(g): Alpha County Sheriff's Office")
    expect(popup).to_contain_text("Listed: Justice Department list")
    # The click reaches Python too: the panel under the map lists the same stack with sources.
    wait_idle(page)
    panel = page.locator("[data-testid='stMain']")
    expect(panel).to_contain_text("What applies at", timeout=30000)
    expect(panel).to_contain_text("Alpha County detainer resolution")


HOSTILE = ["?from=1900", "?to=2099", "?from=1980", "?as_of=9999-99-99", "?as_of=1492-10-12", "?focus=%3Cscript%3E",
           "?type=%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E", "?hide=everything", "?from=" + "9" * 3000,
           "?state=ZZ&level=galaxy", "?j=../../etc/passwd", "?mode=embed&as_of=abc"]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_and_out_of_range_links_never_show_a_traceback(server, page, query):
    page.goto(server + "/" + query)
    wait_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.dialogs == []
    expect(page.locator("[data-testid='stApp']")).not_to_contain_text("Traceback")


def test_hostile_links_on_every_page(server, page):
    for path in ("Policies", "Border_distance", "About", "Your_data", "Place", "What_changed", "Agreements_and_lists"):
        page.goto(f"{server}/{path}?from=1900&to=2099&as_of=3000-01-01&j=bad&compare=x,y")
        wait_idle(page)
        assert page.locator("[data-testid='stException']").count() == 0, path


def test_share_link_uses_the_address_the_visitor_used(server, page):
    open_map(page, server, "?focus=place:0600001")
    port = server.rsplit(":", 1)[1]
    expect(page.locator("[data-testid='stCode']").first).to_contain_text(f":{port}/?focus=place%3A0600001")


def test_embed_mode_is_the_map_legend_and_credit(server, page):
    open_map(page, server, "?mode=embed&as_of=2020-01-01")
    assert page.locator("[data-testid='stSidebar']").is_hidden()
    expect(page.locator("[data-testid='stMain']")).to_contain_text("dataset version")
    expect(map_frame(page).locator(".sm-legend")).to_be_visible()
    assert page.locator("text=Find a place").count() == 0


def test_phone_layout(server, browser):
    ctx, page = _device_page(browser, server + "/?focus=place:0600001", 390, 844)
    box = page.query_selector(MAP).bounding_box()
    assert box["width"] >= 360, "the map fills the width"
    frame = map_frame(page)
    assert frame.locator(".leaflet-control-layers-expanded").count() == 0, "layer control starts collapsed"
    legend = frame.locator(".sm-legend")
    expect(legend).not_to_have_attribute("open", "")  # folded to a button on a phone
    legend.locator("summary").click()
    expect(legend).to_have_attribute("open", "")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    page.goto(server + "/Policies?all=1")
    wait_idle(page)
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
    ctx.close()


def _csv(rows: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS))
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode()


def _upload(page, server: str, name: str, rows: list[dict]):
    """Upload ``rows`` as a CSV named ``name`` on "Your data"; wait for the confirmation; the page's main area."""
    page.goto(server + "/Your_data")
    wait_idle(page)
    page.locator("input[type='file']").set_input_files({"name": name, "mimeType": "text/csv", "buffer": _csv(rows)})
    expect(page.get_by_text("valid row(s) are now on the map")).to_be_visible(timeout=30000)
    wait_idle(page)
    return page.locator("[data-testid='stMain']")


def test_hostile_upload_is_inert_and_any_index_jurisdiction_maps(server, page):
    rows = [world.policy(policy_id="quiet", jurisdiction_name="Springfield", geoid="0600003",
                         title='Fees < 5 & "quoted" text'),
            world.policy(policy_id="img", title="<img src=x onerror=alert(1)>"),
            world.policy(policy_id="jsurl", source_url="javascript:alert(3)")]
    body = _upload(page, server, "<b>evil</b>.csv", rows)
    expect(body).to_contain_text("2 row(s) left out")
    expect(body.locator("b", has_text="evil")).to_have_count(0)
    page.locator("[data-testid='stSidebar'] a", has_text="Map").first.click()
    wait_idle(page)
    tiles_ready(page)
    # Springfield (CA) is in no shipped row: the upload joins against the national index and it is drawn.
    cfg = page.evaluate(
        "() => window.SanctuaryMap._cfg.lookup.place")
    assert cfg == {"0600003": "L"}
    assert page.dialogs == []


def test_every_boundary_can_be_hovered_and_the_map_moves_in_time(server, page):
    open_map(page, server, "?focus=place:0600003&as_of=2019-07-01")
    cfg = page.evaluate(
        "() => window.SanctuaryMap._cfg.lookup")
    assert cfg["county"]["06003"] == "R" and "0600002" in cfg["place"]  # enjoined and repealed later, in force then
    # Springfield (CA) has no instrument: it is still a boundary you can point at.
    x, y = map_point(page, 34.3, -117.3)
    page.mouse.move(x, y)
    tip = map_frame(page).locator(".sm-tooltip")
    expect(tip).to_contain_text("Springfield")
    expect(tip).to_contain_text("researched 2026-11-30: no instrument found")  # searched in the fixture world


def test_a_filter_change_repaints_the_same_map_where_the_reader_left_it(server, page):
    open_map(page, server)
    page.evaluate("() => { window.__firstMap = SanctuaryMap.map; SanctuaryMap.map.setView([41.88, -87.63], 9, {animate: false}); }")
    page.wait_for_function("() => location.search.includes('at=41.88')", timeout=10000)  # the viewport is in the URL
    paints = page.evaluate("SanctuaryMap.paints")
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
    # The click itself asks the API for the new view's results (living.js), beside Streamlit's rerun.
    with page.expect_response(lambda r: "/api/v1/map?" in r.url) as answered:
        page.get_by_role("option", name="Requires cooperation").click()
    assert "stance=requires_cooperation" in answered.value.url and "focus=" in answered.value.url
    # The answer is from the tables and boundary build the page shows, so the map may paint it (living.js checks this).
    assert answered.value.ok and answered.value.headers["x-data-build"] == page.evaluate("SanctuaryMap._living.filters.build")
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => SanctuaryMap.paints > {paints}", timeout=30000)
    wait_idle(page)
    assert page.evaluate("SanctuaryMap.map === window.__firstMap"), "the same Leaflet map, not a new one"
    # Whichever came first (the API's answer or the rerun's data) was painted; the other held the same results.
    page.wait_for_load_state("networkidle")
    assert page.evaluate("SanctuaryMap.paints") == paints + 1
    lat, lon, zoom = page.evaluate("[SanctuaryMap.map.getCenter().lat, SanctuaryMap.map.getCenter().lng, SanctuaryMap.map.getZoom()]")
    assert abs(lat - 41.88) < 0.01 and abs(lon + 87.63) < 0.01 and zoom == 9
    assert page.evaluate("Object.keys(SanctuaryMap._cfg.lookup.place || {})") == ["0600002"] or \
        "0600001" not in page.evaluate("SanctuaryMap._cfg.lookup.place || {}")
    url = page.url
    assert "stance=requires_cooperation" in url and "at=41.88" in url
    # The link reopens that view: same filter, same place on the map.
    page.goto(url)
    wait_idle(page)
    tiles_ready(page)
    lat, lon, zoom = page.evaluate("[SanctuaryMap.map.getCenter().lat, SanctuaryMap.map.getCenter().lng, SanctuaryMap.map.getZoom()]")
    assert abs(lat - 41.88) < 0.01 and abs(lon + 87.63) < 0.01 and zoom == 9


def test_an_upload_with_a_broken_row_names_it_then_every_page_works(server, page):
    rows = [world.policy(policy_id="fine", jurisdiction_name="Springfield", geoid="0600003", date_adopted="1979-11-27"),
            world.policy(policy_id="broken", stance="sideways")]
    body = _upload(page, server, "mine.csv", rows)
    expect(body).to_contain_text("1 row(s) left out")
    expect(body.locator("[data-testid='stDataFrame']").first).to_be_visible()
    # Every page, by the sidebar (the upload lives in this browser session), with the upload still in use.
    for label in ("Map", "Policies", "Place profile & compare", "What changed", "287(g) & federal lists", "Border distance",
                  "About & methods", "Map"):
        page.locator("[data-testid='stSidebar'] a", has_text=label).first.click()
        wait_idle(page)
        main = page.locator("[data-testid='stMain']")
        assert page.locator("[data-testid='stException']").count() == 0, label
        expect(main).to_contain_text("Showing your uploaded table")
    tiles_ready(page)
    assert page.evaluate("() => SanctuaryMap._cfg.lookup.place") == {"0600003": "L"}


STILL = """() => new Promise((done) => {
  const el = document.querySelector('.leaflet-popup'); let last = '';
  const tick = () => { const b = el.getBoundingClientRect(), k = b.x + ',' + b.y;
    if (k === last) done(true); else { last = k; requestAnimationFrame(() => setTimeout(tick, 80)); } };
  tick(); })"""


def _inside(inner: dict, outer: dict, slack: float = 1) -> bool:
    return (inner["x"] >= outer["x"] - slack and inner["y"] >= outer["y"] - slack
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack)


def _device_page(browser, url: str, width: int, height: int):
    """A new context at ``width`` x ``height`` (a phone below 500 px: mobile, touch) with ``url`` open and drawn."""
    ctx = browser.new_context(viewport={"width": width, "height": height}, is_mobile=width < 500, has_touch=width < 500)
    page = ctx.new_page()
    page.goto(url)
    wait_idle(page)
    tiles_ready(page)
    return ctx, page


def _overlap(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


@pytest.mark.parametrize("size", [(1400, 900), (390, 844)], ids=["desktop", "phone"])
def test_popup_and_distance_labels_stay_in_view_with_the_legend_open(server, browser, size):
    w, h = size
    ctx, page = _device_page(browser, server + "/?focus=unsd:0600010", w, h)
    page.locator(MAP).scroll_into_view_if_needed()
    legend = page.locator(".sm-legend")
    if legend.get_attribute("open") is None:
        legend.locator("summary").click()
    expect(legend).to_have_attribute("open", "")
    container = page.locator(MAP).bounding_box()
    # Distance labels: inside the map, clear of the controls and of each other.
    labels = [page.locator(".sm-seg-label").nth(i).bounding_box() for i in range(page.locator(".sm-seg-label").count())]
    assert labels, "the focused district's distance to the border is labelled"
    controls = [b for b in (page.locator(".leaflet-control").nth(i).bounding_box()
                            for i in range(page.locator(".leaflet-control").count())) if b and b["width"] > 0]
    for i, box in enumerate(labels):
        assert _inside(box, container), ("label clipped", box, container)
        assert not any(_overlap(box, c) for c in controls), ("label under a control", box)
        assert not any(_overlap(box, o) for o in labels[:i]), "labels overlap"
    # A click opens the stack: the whole popup is on screen and inside the map, and the legend no longer covers it.
    x, y = map_point(page, world.IN_TESTVILLE[1], world.IN_TESTVILLE[0])
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup.sm-stack")
    expect(popup).to_contain_text("What applies here")
    page.evaluate(STILL)  # the popup's auto-pan has finished: its position holds across frames
    box = popup.bounding_box()
    assert box["width"] <= 0.9 * w + 1, "a popup is at most 90% of the viewport wide"
    assert _inside(box, page.locator(MAP).bounding_box(), slack=2), ("popup outside the map", box)
    legend_box = legend.bounding_box()
    assert not _overlap(box, legend_box), "the legend covers the popup"
    ctx.close()


def test_phone_profile_has_a_small_map_and_readable_lists(server, browser):
    ctx, page = _device_page(browser, server + "/Place?j=unsd:0600010", 390, 844)
    main = page.locator("[data-testid='stMain']")
    expect(main.locator("h2", has_text="Testville Unified")).to_be_visible()
    box = page.locator(MAP).bounding_box()
    assert box["width"] >= 340 and 200 <= box["height"] <= 400, box
    # The instruments read as a list (title, direction, dates, source link), not a one-column table.
    item = main.locator("li", has_text="adopted").first
    expect(item).to_be_visible()
    assert item.bounding_box()["width"] <= 390
    expect(item.locator("a", has_text="source")).to_have_attribute("href", re.compile(r"^https?://"))
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 1
    ctx.close()


@pytest.mark.parametrize("path", ["/Policies?all=1", "/Place?j=unsd:0600010", "/What_changed", "/?mode=embed"])
def test_a_direct_link_loads_without_a_failed_request_or_console_error(server, browser, path):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    failed, errors = [], []
    page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server + path)
    wait_idle(page)
    expect(page.locator("[data-testid='stMain']")).to_be_visible()
    assert failed == [] and errors == [], (failed, errors)
    ctx.close()


@pytest.mark.parametrize("size", [(700, 560), (390, 600)], ids=["article", "phone"])
def test_the_embed_names_the_place_credits_and_fits_its_frame(server, browser, size):
    w, h = size
    ctx, page = _device_page(browser, server + "/?mode=embed&embed=true&focus=place:0600001&as_of=2026-01-01", w, h)
    main = page.locator("[data-testid='stMain']")
    expect(main.locator("h1.sm-embed-title")).to_contain_text("Testville")
    expect(main).to_contain_text("US Census Bureau")
    expect(main.locator(".sm-visually-hidden")).to_contain_text("Testville")  # the text alternative, for screen readers
    expect(main.get_by_text("Table of what the map shows")).to_be_visible()
    box = page.locator(MAP).bounding_box()
    assert box["height"] >= 200 and box["width"] >= w - 40, box
    # Nothing scrolls: title, map, credit and the table toggle fit the frame.
    overflow = page.evaluate("""() => Math.max(...['[data-testid=stMain]', '[data-testid=stAppViewContainer]']
        .map((s) => document.querySelector(s)).filter(Boolean).map((e) => e.scrollHeight - e.clientHeight),
        document.documentElement.scrollHeight - window.innerHeight)""")
    assert overflow <= 1, f"the embed scrolls by {overflow} px at {w}x{h}"
    ctx.close()


def test_a_click_before_the_details_arrive_waits_for_them_instead_of_saying_none(server, page):
    held = []
    page.route("**/details-*.json", lambda route: held.append(route))  # the details file is held back
    page.goto(server + "/?focus=place:0600001")
    wait_idle(page)
    tiles_ready(page)
    page.wait_for_function("() => document.querySelector('.sm-legend') !== null")
    x, y = map_point(page, world.IN_TESTVILLE[1], world.IN_TESTVILLE[0])
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup.sm-stack")
    expect(popup).to_contain_text("Loading what applies here")
    assert held, "the page asked for the details file"
    held[0].continue_()
    stack = page.locator(".leaflet-popup.sm-stack", has_text="What applies here")  # the waiting popup fades out
    expect(stack).to_contain_text("Testville sanctuary ordinance")
    expect(stack).not_to_contain_text("No instrument recorded in this view")


def test_a_cold_visit_draws_the_map_before_streamlit_and_the_page_adopts_that_same_map(server, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    # The first map object the page makes, whenever it appears (before the component exists, if the first view works).
    page.add_init_script("(function keep() { if (window.SanctuaryMap && SanctuaryMap.map && !window.__firstMap) {"
                         " window.__firstMap = SanctuaryMap.map; window.__hadComponent = !!document.querySelector('.sm-living-host'); }"
                         " requestAnimationFrame(keep); })();")
    page.goto(server + "/?focus=unsd:0600010")
    page.wait_for_function("() => !!window.SanctuaryMap && SanctuaryMap.adoptedAt !== undefined", timeout=60000)
    wait_idle(page)
    assert page.evaluate("window.__hadComponent") is False, "the first map was drawn before the map component existed"
    assert page.evaluate("SanctuaryMap.map === window.__firstMap"), "the component adopted the first map, not a new one"
    assert page.locator("#sm-instant").count() == 0 and page.locator(".sm-living-host .sm-living-map").count() == 1
    assert page.evaluate("SanctuaryMap.firstPolicyPaint < SanctuaryMap.adoptedAt")
    # The adopted map still answers: a filter change repaints it in place.
    paints = page.evaluate("SanctuaryMap.paints")
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
    page.get_by_role("option", name="Requires cooperation").click()
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => SanctuaryMap.paints > {paints}", timeout=30000)
    assert page.evaluate("SanctuaryMap.map === window.__firstMap")
    ctx.close()
