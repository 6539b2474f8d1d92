"""In Chromium: an open article page follows edits to its file without a manual reload."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from test_serve import ARTICLE, TITLE, dev, ingested, project, set_title  # noqa: F401 - fixtures

from newsarchive.serve import DevServer

pytestmark = pytest.mark.browser


def test_edited_title_appears_without_reload_within_2_s(dev: DevServer, project: Path, page) -> None:  # noqa: F811
    page.goto(dev.url + f"articles/{ARTICLE}.html")
    assert page.inner_text("h1") == TITLE
    page.wait_for_timeout(300)  # let the page's event stream connect

    started = time.monotonic()
    set_title(project, "Sơn La: mô hình “dân vận khéo”")
    page.wait_for_function("document.querySelector('h1')?.textContent === 'Sơn La: mô hình “dân vận khéo”'",
                           timeout=2000)
    elapsed = time.monotonic() - started
    print(f"edit saved -> new title on screen: {elapsed:.2f} s (rebuild {dev.last_result.seconds:.2f} s)")
    assert elapsed < 2.0
    assert page.errors == []


def test_broken_article_shows_the_overlay_over_the_last_good_page(dev: DevServer, project: Path, page) -> None:  # noqa: F811
    article = project / "articles" / f"{ARTICLE}.md"
    good = article.read_text(encoding="utf-8")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(dev.url + f"articles/{ARTICLE}.html")
    page.wait_for_timeout(300)

    article.write_text(good.replace(f"slug: {ARTICLE}", "slug: '<img src=x onerror=alert(1)>'"), encoding="utf-8")
    overlay = page.locator("#newsarchive-serve-error")
    overlay.wait_for(state="visible", timeout=3000)
    assert f"articles/{ARTICLE}.md:4" in overlay.inner_text()
    assert "<img src=x onerror=alert(1)>" in overlay.inner_text()  # shown as text, not markup
    assert page.locator("#newsarchive-serve-error img").count() == 0 and dialogs == []
    assert page.inner_text("h1") == TITLE  # the last good page is still there
    assert overlay.evaluate("e => getComputedStyle(e).position") == "fixed"

    article.write_text(good.replace(f"title: '{TITLE}'", "title: Đã sửa"), encoding="utf-8")
    page.wait_for_function("document.querySelector('h1')?.textContent === 'Đã sửa'", timeout=3000)
    assert page.locator("#newsarchive-serve-error").count() == 0
