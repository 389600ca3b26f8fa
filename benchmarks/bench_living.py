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
  SanctuaryMap.lastPaintAt), split at the moment the map receives the view's results (SanctuaryMap.lastUpdateAt):
  from the API, which the map asks at the click (living.js), or from the rerun, whichever comes first; how many came
  from the API is printed.  The map object is checked to be the same one.

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
# The first view drawn from the page's HTML has been taken over by the map component (or there was none).
ADOPTED = "() => !window.__smInstant && !!document.querySelector('.sm-living-host .sm-living-map')"
SEARCH_BOX = "[data-testid='stTextInput'] input"
CLICK_CLOCK = "document.addEventListener('pointerdown', () => { window.__smPressedAt = performance.now(); }, true);"


def measure_loads(browser, base: str, runs: int) -> dict[str, list[float]]:
    """Cold visits to "/" and fresh loads of a filtered link: to the first policy polygon, and to the search box (the
    page's widgets are drawn: what the first view may delay on this 2-core machine, where the browser and the server
    share the cores)."""
    warm = browser.new_page()  # the server's caches (data, selection of the default view) are warm
    warm.goto(base + "/")
    warm.wait_for_function(FIRST, timeout=120_000)
    warm.close()
    out: dict[str, list[float]] = {"cold": [], "fresh": [], "widgets": []}
    for _ in range(runs):
        for url, key in ((base + "/", "cold"), (base + "/?stance=requires_cooperation", "fresh")):
            ctx = browser.new_context(viewport={"width": 1400, "height": 900})
            page = ctx.new_page()
            page.goto(url, wait_until="commit")
            out[key].append(page.wait_for_function(FIRST, timeout=120_000, polling="raf").json_value() / 1000)
            if key == "cold":
                page.wait_for_selector(SEARCH_BOX, timeout=120_000)
                out["widgets"].append(page.evaluate("performance.now()") / 1000)
            ctx.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    change, to_data, fast = [], [], []
    loads: dict[str, dict[str, list[float]]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        # The same loads without the first view in the page's HTML (the map waits for its component): the baseline.
        with streamlit_app({"SANCTUARY_MAP_BASEMAP": "none", "SANCTUARY_MAP_FIRST_VIEW": "0"}) as server:
            loads["component"] = measure_loads(browser, server.url, args.runs)
        with streamlit_app({"SANCTUARY_MAP_BASEMAP": "none"}) as server:
            base = server.url
            loads["first_view"] = measure_loads(browser, base, args.runs)
            for _ in range(args.runs):
                ctx = browser.new_context(viewport={"width": 1400, "height": 900})
                ctx.add_init_script(CLICK_CLOCK)
                page = ctx.new_page()
                page.goto(base + "/")
                page.wait_for_selector(IDLE, timeout=120_000)
                page.wait_for_function("() => !!window.SanctuaryMap && SanctuaryMap.tilesReady === true", timeout=120_000)
                page.wait_for_function(ADOPTED, timeout=120_000)  # the page's first view is now the component's map
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
                fast.append(bool(page.evaluate("SanctuaryMap.fastPaints")))
                ctx.close()
        browser.close()
    med = {k: statistics.median(v) for k, v in (("change", change), ("data", to_data))}
    first = {k: statistics.median(v) for k, v in loads["first_view"].items()}
    comp = {k: statistics.median(v) for k, v in loads["component"].items()}
    print(f"runs: {args.runs} (medians; page clock; 2-core machine, software rendering)")
    print(f"cold visit to the first policy polygon:      {first['cold']:.2f} s  (target <= 2.0 s; "
          f"without the first view in the page: {comp['cold']:.2f} s)")
    print(f"  cold visit until the search box is drawn:  {first['widgets']:.2f} s  (without: {comp['widgets']:.2f} s)")
    print(f"fresh load of a filtered view (same polygon): {first['fresh']:.2f} s  (without the first view: {comp['fresh']:.2f} s)")
    print(f"filter change -> repaint, same map object:    {med['change']:.2f} s  (target <= 0.3 s)")
    print(f"  of which click -> the map has the view's results: {med['data']:.2f} s; answered by the API before the rerun "
          f"(living.js) in {sum(fast)} of {len(fast)} changes, else by the rerun")
    print(f"ratio filter change / fresh load, map rebuilt by its component: {med['change'] / comp['fresh']:.2f}  (target <= 0.25)")
    print(f"ratio filter change / fresh load with the first view in the page: {med['change'] / first['fresh']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
