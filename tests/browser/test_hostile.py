"""Hostile uploads: nothing executes, problems are named, the valid rest is mapped, privately."""
from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from test_policies import COLUMNS, row

from .conftest import map_frame, wait_idle

pytestmark = pytest.mark.browser

TRICKY = 'Fees < 5 & "quoted" text'


def hostile_csv() -> bytes:
    rows = [
        row(policy_id="ok", jurisdiction_name="Tricky City", title=TRICKY, notes="=HYPERLINK(\"http://evil.example\")"),
        row(policy_id="img", title="<img src=x onerror=alert(1)>"),
        row(policy_id="script", summary="<script>alert(2)</script>"),
        row(policy_id="jsurl", source_url="javascript:alert(3)"),
        row(policy_id="svg", jurisdiction_name="<svg onload=alert(4)>"),
    ]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS))
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode()


def upload(page, server, name="<b>evil</b>.csv"):
    page.goto(server + "/Your_data")
    wait_idle(page)
    page.locator("input[type='file']").set_input_files({"name": name, "mimeType": "text/csv", "buffer": hostile_csv()})
    expect(page.get_by_text("valid row(s) are now on the map")).to_be_visible(timeout=30000)
    wait_idle(page)


def test_hostile_upload_is_inert_and_valid_row_is_mapped(server, page, tmp_path, browser):
    upload(page, server)
    body = page.locator("[data-testid='stMain']")
    expect(body).to_contain_text("4 row(s) left out")
    expect(body.locator("b", has_text="evil")).to_have_count(0)  # the name is shown as text, never as markup
    # Client-side navigation keeps the session (and its private upload).
    page.locator("[data-testid='stSidebar'] a", has_text="Map").first.click()
    wait_idle(page)
    frame = map_frame(page)
    city = frame.locator("path.sm-place-0644000")
    expect(city).to_have_count(1, timeout=30000)
    city.dispatch_event("click")
    expect(frame.locator(".sm-popup")).to_contain_text(TRICKY)
    hrefs = frame.locator(".sm-popup a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert hrefs and all(h.startswith("https://") for h in hrefs)
    # The exported standalone HTML of this view is inert too.
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download HTML").click()
    path = tmp_path / "hostile.html"
    dl.value.save_as(path)
    ctx = browser.new_context(offline=True)
    off = ctx.new_page()
    dialogs = []
    off.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    off.goto(path.as_uri())
    expect(off.locator("path.sm-place-0644000")).to_have_count(1, timeout=15000)
    off.locator("path.sm-place-0644000").dispatch_event("click")
    expect(off.locator(".sm-popup")).to_contain_text(TRICKY)
    ctx.close()
    assert dialogs == [] and page.dialogs == []


def test_upload_is_private_to_the_session(server, page, browser):
    upload(page, server)
    other = browser.new_context().new_page()
    other.goto(server + "/Policies")
    wait_idle(other)
    expect(other.locator("[data-testid='stMain']")).not_to_contain_text("Showing your uploaded table")
    other.context.close()
