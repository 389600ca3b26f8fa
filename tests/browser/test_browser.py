"""What a visitor sees, in headless Chromium against the running app."""
from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from .conftest import map_frame, wait_idle

pytestmark = pytest.mark.browser


def test_la_city_and_lausd_polygons_drawn_without_third_party_requests(server, page):
    page.goto(server + "/")
    wait_idle(page)
    frame = map_frame(page)
    expect(frame.locator("path.sm-place-0644000")).to_have_count(1, timeout=30000)
    expect(frame.locator("path.sm-unsd-0622710")).to_have_count(1)
    expect(frame.locator(".sm-legend")).to_contain_text("School districts")
    expect(frame.locator(".leaflet-control-layers")).to_contain_text("100-mile border zone")
    expect(frame.locator(".sm-seg-label").first).to_contain_text("straight line, nearest edge")
    assert page.external_requests == [], page.external_requests


def test_tooltip_shows_name_level_and_instruments(server, page):
    page.goto(server + "/")
    wait_idle(page)
    frame = map_frame(page)
    city = frame.locator("path.sm-place-0644000")
    expect(city).to_have_count(1, timeout=30000)
    frame.locator("path.sm-unsd-0622710").dispatch_event("mouseover")
    tip = frame.locator(".sm-tooltip")
    expect(tip).to_contain_text("Los Angeles Unified School District")
    expect(tip).to_contain_text("School district")
    expect(tip).to_contain_text("Res")  # instrument titles listed


def test_type_filter_changes_map_and_url_and_link_restores_it(server, page):
    page.goto(server + "/")
    wait_idle(page)
    frame = map_frame(page)
    expect(frame.locator("path.sm-place-0644000")).to_have_count(1, timeout=30000)
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
    page.get_by_role("option", name="Statute", exact=True).click()
    page.wait_for_url(re.compile(r"type=statute"))
    wait_idle(page)
    expect(map_frame(page).locator("path.sm-place-0644000")).to_have_count(0, timeout=30000)
    expect(map_frame(page).locator("path.sm-state-06")).to_have_count(1)
    shared = page.url
    # A copied link restores the same view in a fresh page.
    fresh = page.context.new_page()
    fresh.goto(shared)
    wait_idle(fresh)
    expect(map_frame(fresh).locator("path.sm-state-06")).to_have_count(1, timeout=30000)
    expect(map_frame(fresh).locator("path.sm-place-0644000")).to_have_count(0)
    expect(fresh.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first).to_contain_text("Statute")


def test_csv_download_has_the_filtered_rows(server, page):
    page.goto(server + "/?type=statute")
    wait_idle(page)
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download data (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(open(dl.value.path(), encoding="utf-8").read())))
    assert len(rows) == 7 and {r["instrument_type"] for r in rows} == {"statute"}


def test_policies_page_links_to_sources(server, page):
    page.goto(server + "/Policies")
    wait_idle(page)
    expect(page.locator("[data-testid='stDataFrame']").last).to_be_visible(timeout=30000)
    assert page.external_requests == []


def download(page, button: str, path):
    """Click a download button and save what the browser receives."""
    with page.expect_download() as dl:
        page.get_by_role("button", name=button).click()
    dl.value.save_as(path)
    return path


def test_downloaded_html_works_offline_with_the_page_filter(server, page, browser, tmp_path):
    page.goto(server + "/?type=statute")
    wait_idle(page)
    path = download(page, "Download HTML", tmp_path / "map.html")
    text = path.read_text()
    assert "Filters: type: statute" in text and "type=statute" in text
    ctx = browser.new_context(offline=True)
    off = ctx.new_page()
    requests = []
    off.on("request", lambda r: requests.append(r.url))
    off.goto(path.as_uri())
    expect(off.locator("path.sm-state-06")).to_have_count(1, timeout=15000)
    expect(off.locator("path.sm-place-0644000")).to_have_count(0)
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    ctx.close()


def test_png_snapshot_button(server, page):
    page.goto(server + "/?level=place")
    wait_idle(page)
    page.get_by_role("button", name="Prepare PNG snapshot").click()
    button = page.get_by_role("button", name="Download PNG")
    expect(button).to_be_visible(timeout=60000)
    with page.expect_download() as dl:
        button.click()
    data = open(dl.value.path(), "rb").read()
    assert data.startswith(b"\x89PNG") and b"sanctuary-map:view" in data and b"level=place" in data


def test_layers_shown_toggle_reaches_url_legend_and_snapshot(server, page, tmp_path):
    page.goto(server + "/")
    wait_idle(page)
    expect(map_frame(page).locator(".sm-legend")).to_contain_text("100-mile border zone", timeout=30000)
    page.get_by_role("button", name="100-mile zone", exact=True).click()
    page.wait_for_url(re.compile(r"hide=zone"))
    wait_idle(page)
    expect(map_frame(page).locator(".sm-legend")).not_to_contain_text("100-mile border zone", timeout=30000)
    html = download(page, "Download HTML", tmp_path / "m.html").read_text()
    assert "hidden layers: zone" in html and "hide=zone" in html


def test_national_view_draws_every_county_with_coverage(server, page):
    page.goto(server + "/?focus=none")
    wait_idle(page)
    drawn = page.wait_for_function(
        "() => { const f = document.querySelector(\"iframe[title='streamlit_folium.st_folium']\");"
        " return f && f.contentWindow.smCountiesDrawn; }", timeout=30000).json_value()
    assert drawn["all"] == 3234 and 200 < drawn["covered"] < 400
    expect(map_frame(page).locator(".sm-legend")).to_contain_text("County: statewide instrument")
    expect(map_frame(page).locator(".sm-seg-label")).to_have_count(0)  # no jurisdiction selected: no segment
    assert page.external_requests == []
