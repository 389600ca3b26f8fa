"""Data updates without downtime: versioned builds switched by one symlink rename, sessions kept through a rebuild."""
from __future__ import annotations

import asyncio
import importlib.util
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT, streamlit_server
from sanctuary_map.boundaries import CURRENT, KEEP_VERSIONS, active_dir, build, load_boundaries, versions
from sanctuary_map.census import CensusError, open_source


def _build(world_dir: Path, root: Path) -> dict:
    return build(open_source(str(world_dir / "census"), root / "cache"), root, log=lambda m: None)


@pytest.fixture()
def root(world_dir, tmp_path) -> Path:
    out = tmp_path / "geodata"
    _build(world_dir, out)
    return out


def test_a_build_is_a_new_version_and_current_switches_to_it(world_dir, root):
    first = active_dir(root)
    assert (root / CURRENT).is_symlink() and first.parent.name == "versions" and (first / "manifest.json").exists()
    before = load_boundaries(root)
    assert before.directory == first
    manifest = _build(world_dir, root)
    second = active_dir(root)
    assert second != first and second.name == manifest["version"]
    # A reader that loaded before the switch keeps reading its own version (full geometry read after the switch).
    assert before.directory == first and first.exists() and len(before.full("county")) > 0
    assert load_boundaries(root).directory == second


def test_old_versions_are_pruned_but_never_the_current_one(world_dir, root):
    for _ in range(KEEP_VERSIONS + 1):
        _build(world_dir, root)
    kept = versions(root)
    assert len(kept) == KEEP_VERSIONS and active_dir(root) == kept[-1]


def test_a_failed_build_leaves_the_current_version_serving(world_dir, root, tmp_path):
    current = active_dir(root)
    empty = tmp_path / "empty-source"
    empty.mkdir()
    with pytest.raises(CensusError):
        build(open_source(str(empty), root / "cache"), root, log=lambda m: None)
    assert active_dir(root) == current and versions(root) == [current]


def test_a_flat_older_build_is_replaced_by_the_first_versioned_one(world_dir, tmp_path):
    out = tmp_path / "geodata"
    build(open_source(str(world_dir / "census"), out / "cache"), out, log=lambda m: None, versioned=False)
    assert (out / "manifest.json").exists() and active_dir(out) == out
    _build(world_dir, out)
    assert not (out / "manifest.json").exists() and not (out / "tiles").exists() and active_dir(out) != out


# ---------------------------------------------------------------------------- a rebuild while sessions run
def _load_ws():
    spec = importlib.util.spec_from_file_location("load_ws", ROOT / "benchmarks" / "load_ws.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["load_ws"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _run(scenario, failure: list) -> None:
    try:
        asyncio.run(scenario())
    except BaseException as exc:  # reported by the test thread
        failure.append(exc)


def test_a_rebuild_under_load_loses_no_session(world_dir, root, tmp_path):
    log = tmp_path / "streamlit.log"
    with streamlit_server(world_dir, root, log) as url:
        port = int(url.rsplit(":", 1)[1])
        lw = _load_ws()
        first = active_dir(root)
        errors: list[str] = []
        rebuilt = threading.Event()

        async def scenario() -> None:
            old = [lw.Session("127.0.0.1", port, 90) for _ in range(6)]
            for s in old:
                await s.connect(lw.MAP_QUERY)
            await asyncio.gather(*(s.run(lw.MAP_QUERY) for s in old))
            # The rebuild runs in a thread while the sessions keep rerunning with new filters.
            task = asyncio.create_task(asyncio.to_thread(lambda: (_build(world_dir, root), rebuilt.set())))
            reruns = 0
            while not rebuilt.is_set() or reruns < 2:
                for s in old:
                    s.pick(*lw.FILTERS[reruns % len(lw.FILTERS)])
                results = await asyncio.gather(*(s.run(s.query or lw.MAP_QUERY) for s in old), return_exceptions=True)
                errors.extend(f"rerun {reruns}: {r!r}" for r in results if isinstance(r, BaseException))
                reruns += 1
            await task
            # After the switch: the old sessions still work (their Place page too), and new sessions start.
            place = next(h for name, h in old[0].pages.items() if name.lower() == "place")
            results = await asyncio.gather(*(s.run(lw.PLACE_QUERY, place, fresh_widgets=True) for s in old),
                                           return_exceptions=True)
            errors.extend(f"place after rebuild: {r!r}" for r in results if isinstance(r, BaseException))
            new = [lw.Session("127.0.0.1", port, 90) for _ in range(3)]
            for s in new:
                await s.connect(lw.MAP_QUERY)
            results = await asyncio.gather(*(s.run(lw.MAP_QUERY) for s in new), return_exceptions=True)
            errors.extend(f"new session: {r!r}" for r in results if isinstance(r, BaseException))
            for s in old + new:
                await s.close()

        # In its own thread: the suite may already run an event loop here (Playwright's sync API does).
        failure: list[BaseException] = []
        runner = threading.Thread(target=lambda: _run(scenario, failure))
        runner.start()
        runner.join(300)
        assert not runner.is_alive() and not failure, failure
        assert errors == [], errors
        assert active_dir(root) != first and first.exists(), "the new build serves; the old one stays for its sessions"
        assert "Traceback" not in log.read_text()
