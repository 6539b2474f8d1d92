"""Untrusted text: an article with XSS payloads in every field and in its body runs nothing anywhere.

tests/data/hostile/xss/articles/xss.md carries payloads that set `window.__pwned` (and open a dialog)
if they ever run. The site built from it is opened page by page in Chromium, and its feeds, JSON-LD
blocks and data exports are read as the machines that consume them would.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from test_fuzz import active_markup

from newsarchive.build import build
from newsarchive.config import default_config

XSS = Path(__file__).parent / "data" / "hostile" / "xss"
PAGE_FURNITURE = frozenset({"img", "form", "meta"})  # the templates' own logo, search form and head
TITLE_START = "Yên Bái <script>window.__pwned=1;alert(1)</script>"


@pytest.fixture(scope="module")
def xss_site(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("xss")
    for name in ("templates", "static"):
        shutil.copytree(repo / name, root / name)
    shutil.copytree(XSS / "articles", root / "articles")
    report = build(default_config(root))
    assert not report.problems.errors, [str(p) for p in report.problems.errors]
    return root / "site"


def pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def test_no_page_has_markup_that_could_run(xss_site: Path) -> None:
    assert len(pages(xss_site)) >= 10
    for page in pages(xss_site):
        html = (xss_site / page).read_text("utf-8")
        assert active_markup(html, PAGE_FURNITURE) == [], page
        scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.DOTALL)
        assert all("__pwned" not in s or s.lstrip().startswith("{") for s in scripts), page  # JSON-LD data only


def test_json_ld_feeds_and_exports_keep_the_text_as_text(xss_site: Path) -> None:
    article = (xss_site / "articles" / "xss-yen-bai.html").read_text("utf-8")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', article, re.DOTALL).group(1)
    assert "<" not in block
    data = json.loads(block)
    assert data["headline"].startswith(TITLE_START) and "<script>" in data["author"]["name"]

    for feed in sorted(xss_site.rglob("*.xml")):
        tree = ET.parse(feed)  # well-formed, so no payload broke out of its element
        assert not [e for e in tree.iter() if e.tag.rsplit("}", 1)[-1] in {"script", "img", "svg", "iframe"}], feed
    atom = "{http://www.w3.org/2005/Atom}"
    titles = [e.text for e in ET.parse(xss_site / "feed.xml").iter(f"{atom}title")]
    assert any(t and t.startswith(TITLE_START) for t in titles)

    records = json.loads((xss_site / "data" / "articles.json").read_text("utf-8"))
    assert records[0]["title"].startswith(TITLE_START)
    rows = list(csv.reader((xss_site / "data" / "metrics.csv").open(encoding="utf-8")))
    assert rows[1][6] == "2,6 tỷ đồng<script>window.__pwned=1</script>"


def test_chromium_opens_every_page_and_nothing_runs(page, xss_site: Path, serve_dir) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    base = serve_dir(xss_site)

    def visit(path: str) -> None:
        page.goto(base + path)
        page.wait_for_load_state("load")
        assert page.evaluate("() => window.__pwned") is None, path

    for path in pages(xss_site):
        visit(path)

    visit("articles/xss-yen-bai.html")
    assert page.locator("h1").inner_text().startswith(TITLE_START)  # shown as text, not dropped
    for link in page.locator(".article-body a").all():  # no link the payloads wrote goes anywhere
        assert link.get_attribute("href") in (None, "#")

    visit("search.html?q=yen+bai+hoc+tap")
    page.wait_for_selector(".search-result-title")
    assert "<script>" in page.locator(".search-result-title").first.inner_text()
    page.locator(".search-result-title a").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("articles/xss-yen-bai.html")
    assert page.evaluate("() => window.__pwned") is None

    visit("metrics.html")
    for select in page.locator("#metric-filters select").all():  # filtering redraws rows from the data
        values = [o for o in select.locator("option").evaluate_all("os => os.map(o => o.value)") if o]
        if values:
            select.select_option(values[0])
    for button in page.locator("#metric-table th button").all():
        button.click()
    assert page.evaluate("() => window.__pwned") is None
    assert dialogs == []
    assert page.errors == []
