"""The README's promises are checked: its two commands exist, CI runs the test one, commands it shows work."""
from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT

README = (ROOT / "README.md").read_text()
MAKEFILE = (ROOT / "Makefile").read_text()


def test_readme_has_exactly_two_setup_commands_and_they_exist():
    block = re.search(r"## Two commands.*?```bash\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make run", "make test"]
    for target in ("run", "test"):
        assert re.search(rf"^{target}:", MAKEFILE, re.M), target


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)


def test_readme_screenshot_exists():
    assert (ROOT / "docs" / "screenshot.png").stat().st_size > 10_000


def test_every_cli_subcommand_in_readme_is_real():
    shown = set(re.findall(r"python -m sanctuary_map ([a-z0-9-]+)", README))
    assert {"validate", "geodata", "join-report", "coverage", "distance", "find", "profile", "changes", "ingest-287g",
            "export"} <= shown
    help_text = subprocess.run([sys.executable, "-m", "sanctuary_map", "--help"], capture_output=True, text=True).stdout
    for cmd in shown:
        assert cmd in help_text


def test_settings_named_in_readme_are_used_by_the_code():
    code = "".join(p.read_text() for p in (ROOT / "sanctuary_map").glob("*.py"))
    for setting in re.findall(r"`(SANCTUARY_MAP_[A-Z_]+)`", README):
        assert setting in code, setting


def test_performance_page_commands_exist():
    perf = (ROOT / "docs" / "performance.md").read_text()
    assert "make benchmark" in perf and re.search(r"^benchmark:", MAKEFILE, re.M)
    for script in re.findall(r"benchmarks/(\w+\.py)", perf):
        assert (ROOT / "benchmarks" / script).exists(), script


def test_layout_section_matches_the_tree():
    layout = re.search(r"## Layout\n\n```\n(.*?)```", README, re.S).group(1)
    named = set(re.findall(r"([a-z][a-z0-9_]*\.py)", layout))
    modules = {p.name for p in (ROOT / "sanctuary_map").glob("*.py") if p.name not in ("__init__.py", "__main__.py")}
    assert modules <= named, f"modules missing from the README's Layout: {sorted(modules - named)}"
    for name in named - {"app.py"}:
        assert any((d / name).exists() for d in (ROOT, ROOT / "sanctuary_map", ROOT / "tests")), name


def test_images_the_readme_shows_exist():
    for path in re.findall(r"\]\((docs/[^)]+\.png)\)", README):
        assert (ROOT / path).stat().st_size > 10_000, path


def test_data_readme_documents_every_committed_table():
    text = (ROOT / "data" / "README.md").read_text()
    for table in (ROOT / "data").glob("*.csv"):
        assert table.name in text, table.name
