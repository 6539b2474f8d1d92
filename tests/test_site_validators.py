"""The Nu Html Checker (npm vnu-jar, run with the machine's Java) over whole built sites: no errors.

The fixture site carries hostile markup and every optional block; the synthetic archive has every
province, directive and year and paginates; the seeds' site is what users build first.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

from newsarchive.build import build
from newsarchive.config import load_config

pytestmark = pytest.mark.validator

REPO = Path(__file__).resolve().parents[1]
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
FIXTURE = Path(__file__).parent / "data" / "site"


def vnu_errors(folder: Path) -> str:
    if shutil.which("java") is None:
        pytest.skip("java is not installed (.ci/run installs a JRE)")
    if not VNU.exists():
        pytest.skip("node_modules/vnu-jar is missing: run `npm ci`")
    result = subprocess.run(["java", "-jar", str(VNU), "--skip-non-html", "--errors-only", str(folder)],
                            capture_output=True, text=True, timeout=600)
    return (result.stdout + result.stderr).strip() if result.returncode else ""


def test_vnu_accepts_the_fixture_site(tmp_path: Path) -> None:
    build(load_config(FIXTURE / "site.yaml"), tmp_path / "site")
    assert vnu_errors(tmp_path / "site") == ""


def test_vnu_accepts_the_synthetic_archive(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("synthesize", REPO / "bench" / "synthesize.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    site_yaml = module.synthesize(tmp_path / "archive", count=500, seed=1)
    build(load_config(site_yaml), tmp_path / "site")
    assert vnu_errors(tmp_path / "site") == ""


def test_vnu_accepts_the_seed_site(seed_site: Path) -> None:
    assert vnu_errors(seed_site) == ""


def test_vnu_reports_broken_markup(tmp_path: Path) -> None:
    """The check can fail: a page with an unclosed element is reported."""
    (tmp_path / "bad.html").write_text("<!DOCTYPE html><html lang=vi><head><title>x</title></head>"
                                       "<body><div><p>x</body></html>", "utf-8")
    assert "Unclosed element" in vnu_errors(tmp_path)
