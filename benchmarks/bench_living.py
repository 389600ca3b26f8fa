"""The living map in the running app: a cold visit, a fresh load of a view, and a filter change, in one run.

Starts `streamlit run` on a loopback port (the shipped tables and built geodata), then with headless
Chromium, by the page's own clock (performance.now(), navigation start = 0):

* cold visit: a new browser context opens "/" and waits for the first policy polygon painted from the tiles
  (SanctuaryMap.firstPolicyPaint);
* fresh load of a view: the same, for a link with a filter (what a reader who changed the filter would
  otherwise wait for if the map were rebuilt);
* filter change: on an open map, choose a "Direction" in the sidebar; from the click (the option's
  ``pointerdown`` event, not the moment Playwright is asked to click: its actionability checks are no part of
  what a reader waits for) to the repaint that follows it (SanctuaryMap.paints increments;
  SanctuaryMap.lastPaintAt), split at the moment the map receives the rerun's data (SanctuaryMap.lastUpdateAt).
  The map object is checked to be the same one.

Prints medians of --runs and the ratio filter-change / fresh-load.  Bounded, loopback only.

    .venv/bin/python benchmarks/bench_living.py [--runs 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sanctuary_map.devserver import IDLE, streamlit_app  # noqa: E402
from sanctuary_map.export import CHROMIUM  # noqa: E402
from sanctuary_map.export import CHROMIUM_ARGS as ARGS  # noqa: E402

FIRST = "() => !!window.SanctuaryMap && SanctuaryMap.firstPolicyPaint !== undefined && SanctuaryMap.firstPolicyPaint"
# The page's clock at the reader's last press (capture phase: before any widget handles it).
CLICK_CLOCK = "document.addEventListener('pointerdown', () => { window.__smPressedAt = performance.now(); }, true);"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    cold, fresh, change, to_data = [], [], [], []
    with streamlit_app({"SANCTUARY_MAP_BASEMAP": "none"}) as server:
        base = server.url
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            warm = browser.new_page()  # the server's caches (data, selection of the default view) are warm
            warm.goto(base + "/")
            warm.wait_for_function(FIRST, timeout=120_000)
            warm.close()
            for _ in range(args.runs):
                for url, out in ((base + "/", cold), (base + "/?stance=requires_cooperation", fresh)):
                    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
                    page = ctx.new_page()
                    page.goto(url, wait_until="commit")
                    out.append(page.wait_for_function(FIRST, timeout=120_000, polling="raf").json_value() / 1000)
                    ctx.close()
                ctx = browser.new_context(viewport={"width": 1400, "height": 900})
                ctx.add_init_script(CLICK_CLOCK)
                page = ctx.new_page()
                page.goto(base + "/")
                page.wait_for_selector(IDLE, timeout=120_000)
                page.wait_for_function("() => !!window.SanctuaryMap && SanctuaryMap.tilesReady === true", timeout=120_000)
                page.evaluate("() => { window.__map = SanctuaryMap.map; }")
                n = page.evaluate("SanctuaryMap.paints")
                page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
                option = page.get_by_role("option", name="Requires cooperation")
                option.wait_for()
                option.click()
                page.wait_for_function(f"() => SanctuaryMap.paints > {n}", timeout=60_000, polling="raf")
                t0, data, t1 = page.evaluate("[window.__smPressedAt, SanctuaryMap.lastUpdateAt, SanctuaryMap.lastPaintAt]")
                assert page.evaluate("SanctuaryMap.map === window.__map"), "the map was rebuilt"
                change.append((t1 - t0) / 1000)
                to_data.append((data - t0) / 1000)
                ctx.close()
            browser.close()
    med = {k: statistics.median(v) for k, v in (("cold", cold), ("fresh", fresh), ("change", change), ("data", to_data))}
    print(f"runs: {args.runs} (medians; page clock; 2-core machine, software rendering)")
    print(f"cold visit to the first policy polygon:      {med['cold']:.2f} s  (target <= 2.0 s)")
    print(f"fresh load of a filtered view (same polygon): {med['fresh']:.2f} s")
    print(f"filter change -> repaint, same map object:    {med['change']:.2f} s  (target <= 0.3 s)")
    print(f"  of which click -> the map has the rerun's data: {med['data']:.2f} s (Streamlit's round trip and the script)")
    print(f"ratio filter change / fresh load:             {med['change'] / med['fresh']:.2f}  (target <= 0.25)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
