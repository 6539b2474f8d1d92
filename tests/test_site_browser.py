"""The built site in Debian's Chromium, as a reader uses it: the seeds' site, the fixture site and a
500-article synthetic archive, over HTTP (at the root and under a sub-path) and from file://.

Checks: navigation home → province → article → directive → year, no console errors, one h1,
<html lang="vi">, axe-core with no serious or critical violation, the metrics explorer's filters,
and screenshots of home and an article at phone and desktop widths into docs/screenshots/.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from linkcheck import check_site
from newsarchive.build import build
from newsarchive.config import load_config

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
FIXTURE = Path(__file__).parent / "data" / "site"
SCREENSHOTS = REPO / "docs" / "screenshots"
SYNTHETIC_COUNT = 500


def _synthesize_module():
    spec = importlib.util.spec_from_file_location("synthesize", REPO / "bench" / "synthesize.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def synthetic_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic")
    site_yaml = _synthesize_module().synthesize(folder, count=SYNTHETIC_COUNT, seed=1)
    out = folder / "site"
    report = build(load_config(site_yaml), out)
    assert not report.problems, [str(p) for p in report.problems.items][:5]
    assert report.articles == SYNTHETIC_COUNT
    return out


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fixture") / "site"
    report = build(load_config(FIXTURE / "site.yaml"), out)
    assert not report.problems.errors
    return out


def visit(page, url: str) -> None:
    """Open a page and check what every page must have."""
    response = page.goto(url)
    assert response is None or response.ok, url  # file:// gives no response
    assert page.locator("html").get_attribute("lang") == "vi", url
    assert page.locator("h1").count() == 1, url
    assert page.errors == [], (url, page.errors)


def axe_violations(page) -> list[str]:
    if not AXE.exists():
        pytest.skip("node_modules/axe-core is missing: run `npm ci`")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run()")
    return [f"{v['id']} ({v['impact']}): {v['help']} ×{len(v['nodes'])}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def walk(page, base: str) -> list[str]:
    """Home → province → article → directive → year by clicking links; returns the URLs seen."""
    seen = []
    visit(page, base + "index.html")
    seen.append(page.url)
    page.locator("#by-province + ul a").first.click()
    page.wait_for_load_state()
    assert "/provinces/" in page.url
    visit(page, page.url)
    seen.append(page.url)
    page.locator(".items .item-title a").first.click()
    page.wait_for_load_state()
    assert "/articles/" in page.url
    visit(page, page.url)
    seen.append(page.url)
    page.locator(".badges a").first.click()
    page.wait_for_load_state()
    assert "/directives/" in page.url
    visit(page, page.url)
    seen.append(page.url)
    page.locator(".items .item-title a").first.click()
    page.wait_for_load_state()
    year_link = page.locator("a[href*='years/']")
    if year_link.count():
        year_link.first.click()
    else:
        page.locator(".site-nav a[href$='years/index.html']").click()
        page.wait_for_load_state()
        page.locator(".year-bars a").first.click()
    page.wait_for_load_state()
    assert "/years/" in page.url
    visit(page, page.url)
    seen.append(page.url)
    return seen


@pytest.mark.parametrize("prefix", ["", "luu-tru/tin-bai"])
def test_synthetic_archive_navigation_over_http(page, synthetic_site: Path, serve_dir, prefix: str) -> None:
    base = serve_dir(synthetic_site, prefix)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    seen = walk(page, base)
    assert all(url.startswith(base) for url in seen)
    assert [url for url in requests if not url.startswith(base)] == []  # nothing from another host


def test_synthetic_archive_from_disk(page, synthetic_site: Path) -> None:
    walk(page, synthetic_site.as_uri() + "/")


def test_synthetic_archive_paginates(page, synthetic_site: Path, serve_dir) -> None:
    base = serve_dir(synthetic_site)
    visit(page, base + "articles/index.html")
    assert page.locator(".items > li").count() == 20
    page.locator("a[rel=next]").click()
    page.wait_for_load_state()
    assert page.url.endswith("articles/index.2.html")
    assert page.locator(".items > li").count() == 20
    visit(page, base + "provinces/index.html")
    assert page.locator("#by-region ~ ul.counts li").count() >= 63


def test_synthetic_archive_links(synthetic_site: Path) -> None:
    report = check_site(synthetic_site)
    assert report.pages > SYNTHETIC_COUNT
    assert report.broken == [] and report.absolute == []


@pytest.mark.parametrize("path", [
    "index.html", "articles/index.html", "provinces/index.html", "directives/index.html", "years/index.html",
    "metrics.html", "404.html",
])
def test_synthetic_archive_accessibility(page, synthetic_site: Path, serve_dir, path: str) -> None:
    base = serve_dir(synthetic_site)
    visit(page, base + path)
    assert axe_violations(page) == []


def test_every_page_type_is_accessible(page, fixture_site: Path, serve_dir) -> None:
    base = serve_dir(fixture_site)
    for path in ["articles/chuyen-bien-o-yen-binh.html", "articles/tam-guong-o-cao-lanh.html",
                 "articles/thu-tieu-de-nguy-hiem.html", "provinces/yen-bai.html", "provinces/yen-bai/yen-binh.html",
                 "directives/05-ct-tw.html", "years/2022.html", "search.html"]:
        visit(page, base + path)
        assert axe_violations(page) == [], path


def test_dark_scheme_is_accessible(browser, fixture_site: Path, serve_dir) -> None:
    """Dark mode has its own colours: check their contrast too."""
    context = browser.new_context(color_scheme="dark")
    try:
        page = context.new_page()
        base = serve_dir(fixture_site)
        for path in ["index.html", "articles/chuyen-bien-o-yen-binh.html", "directives/05-ct-tw.html", "metrics.html"]:
            page.goto(base + path)
            assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
            assert axe_violations(page) == [], path
    finally:
        context.close()


def test_hostile_article_runs_no_script(page, fixture_site: Path, serve_dir) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    visit(page, serve_dir(fixture_site) + "articles/thu-tieu-de-nguy-hiem.html")
    assert dialogs == []
    assert "<script>" in page.locator("h1").inner_text()


def test_metrics_explorer_filters_and_sorts(page, synthetic_site: Path, serve_dir) -> None:
    visit(page, serve_dir(synthetic_site) + "metrics.html")
    rows = page.locator("#metric-table tbody tr")
    total = rows.count()
    assert total > 100
    assert page.locator("#metric-filters").is_visible()
    page.select_option("select[data-column=unit]", "%")
    visible = page.locator("#metric-table tbody tr:not([hidden])")
    assert 0 < visible.count() < total
    assert set(page.locator("#metric-table tbody tr:not([hidden]) td:nth-child(3)").all_inner_texts()) == {"%"}
    page.locator("#metric-table th button", has_text="Giá trị").click()
    values = page.evaluate("""() => Array.from(document.querySelectorAll('#metric-table tbody tr:not([hidden])'))
        .map(r => parseFloat(r.cells[1].dataset.value))""")
    assert values == sorted(values)
    assert page.locator("th[aria-sort=ascending]").count() == 1


def test_metrics_table_works_without_javascript(browser, synthetic_site: Path, serve_dir) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(serve_dir(synthetic_site) + "metrics.html")
        assert page.locator("#metric-table tbody tr").count() > 100
        assert not page.locator("#metric-filters").is_visible()
    finally:
        context.close()


def test_seed_site_navigation(page, seed_site: Path, serve_dir) -> None:
    if not any(seed_site.glob("articles/*.html")):
        pytest.skip("articles/ holds no records yet: run `newsarchive ingest`")
    visit(page, serve_dir(seed_site) + "index.html")
    for link in page.locator(".home-latest .item-title a").all():
        href = link.get_attribute("href")
        visit(page, serve_dir(seed_site) + href)
        assert axe_violations(page) == [], href
        page.go_back()
    assert check_site(seed_site).broken == []


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots(page, seed_site: Path, serve_dir, width: int, tmp_path: Path) -> None:
    """Home and the first article of the seeds' site at phone and desktop widths.

    NEWSARCHIVE_SCREENSHOTS=1 writes them to docs/screenshots/ for the README; otherwise they go
    to a temporary folder so a test run never changes the checkout.
    """
    articles = sorted(seed_site.glob("articles/*.html"))
    if len(articles) < 2:
        pytest.skip("articles/ holds no records yet: run `newsarchive ingest`")
    folder = SCREENSHOTS if os.environ.get("NEWSARCHIVE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    base = serve_dir(seed_site)
    first = next(a for a in articles if a.name != "index.html").relative_to(seed_site).as_posix()
    for name, path in [("home", "index.html"), ("article", first)]:
        visit(page, base + path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{path} scrolls sideways at {width}px ({scroll_width}px wide)"
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)


def test_axe_reports_a_real_violation(page, tmp_path: Path) -> None:
    """The accessibility check can fail: an image without alt text is a critical violation."""
    (tmp_path / "bad.html").write_text('<!DOCTYPE html><html lang="vi"><head><title>x</title></head>'
                                       '<body><main><h1>x</h1><img src="data:,"></main></body></html>', "utf-8")
    page.goto((tmp_path / "bad.html").as_uri())
    assert any(v.startswith("image-alt (critical)") for v in axe_violations(page))
