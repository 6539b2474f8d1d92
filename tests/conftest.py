"""Shared fixtures: the seeds' site built once, a loopback HTTP server, Debian's Chromium."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
ARTICLES = REPO / "articles"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed articles/ built with the repository's templates into a temporary folder."""
    from newsarchive.build import build
    from newsarchive.config import load_config

    config = load_config(REPO / "site.yaml")
    out = tmp_path_factory.mktemp("seed-site") / "site"
    report = build(config, out)
    assert not report.problems.errors, [str(p) for p in report.problems.errors]
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture(scope="session")
def serve_dir() -> Iterator:
    """serve_dir(folder, prefix="") -> base URL of a loopback server on a free port.

    With a prefix the folder is served under that sub-path, as a host would serve a project site.
    """
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path, prefix: str = "") -> str:
        root = folder
        if prefix:
            holder = folder.parent / f"{folder.name}-served"
            target = holder / prefix.strip("/")
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copytree(folder, target)
            root = holder
        handler = functools.partial(_QuietHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        return base + (prefix.strip("/") + "/" if prefix else "")

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator:
    """A fresh page that records console errors and page errors in `page.errors`."""
    context = browser.new_context()
    new_page = context.new_page()
    errors: list[str] = []
    new_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    new_page.on("pageerror", lambda e: errors.append(str(e)))
    new_page.errors = errors  # type: ignore[attr-defined]
    yield new_page
    context.close()
