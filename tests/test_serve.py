"""The dev server: only the output folder is served, bursts give one rebuild, failures keep the last site."""

from __future__ import annotations

import http.client
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsarchive.build import build
from newsarchive.config import load_config
from newsarchive.ingest import ingest
from newsarchive.problems import Problems
from newsarchive.serve import DevServer, Refused, resolve_request

ARTICLE = "son-la-nhieu-mo-hinh-hay-sang-tao-trong-hoc-tap-va-lam-theo-bac"
TITLE = "Sơn La: Nhiều mô hình hay, sáng tạo trong học tập và làm theo Bác"


class CountingBuild:
    """build.build, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, config, **options):
        self.calls += 1
        return build(config, **options)


@pytest.fixture(scope="session")
def ingested(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's seeds, templates and static files, ingested once with the real extractor."""
    root = tmp_path_factory.mktemp("ingested")
    for name in ("seeds", "templates", "static"):
        shutil.copytree(repo / name, root / name)
    shutil.copy(repo / "site.yaml", root / "site.yaml")
    problems = Problems()
    ingest(load_config(root / "site.yaml"), problems)
    assert not problems.errors
    return root


@pytest.fixture
def project(ingested: Path, tmp_path: Path) -> Path:
    shutil.copytree(ingested, tmp_path / "project")
    originals = tmp_path / "project" / "articles" / ".original"  # a dot folder: load and serve skip it
    originals.mkdir()
    shutil.copy(ingested / "articles" / f"{ARTICLE}.md", originals)
    return tmp_path / "project"


@pytest.fixture
def dev(project: Path) -> Iterator[DevServer]:
    server = DevServer(load_config(project / "site.yaml"), port=0, builder=CountingBuild(),
                       log=lambda line: None)
    server.start()
    yield server
    server.stop()


def set_title(project: Path, title: str) -> None:
    """Write the article with another title (the file as ingest wrote it, one line changed)."""
    article = project / "articles" / f"{ARTICLE}.md"
    text = (project / "articles" / ".original" / f"{ARTICLE}.md").read_text(encoding="utf-8")
    article.write_text(text.replace(f"title: '{TITLE}'", f"title: '{title}'"), encoding="utf-8")


def get(server: DevServer, target: str, host: str | None = None) -> tuple[int, str]:
    """Send the target as written (http.client does not normalise paths)."""
    address = server.url.split("//")[1].rstrip("/")
    connection = http.client.HTTPConnection(address, timeout=5)
    connection.putrequest("GET", target, skip_host=host is not None)
    if host is not None:
        connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, body


def wait_until(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


# --- what is served ------------------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2E%2E%2Fsecret.txt",
    "/articles/../../secret.txt", "/articles/..%5c..%5csecret.txt", "/..\\secret.txt",
    "//etc/passwd", "http://127.0.0.1/../secret.txt", "/%00index.html", "/./index.html", "/%ff",
])
def test_traversal_is_refused(dev: DevServer, project: Path, target: str) -> None:
    (project / "secret.txt").write_text("secret", encoding="utf-8")
    status, body = get(dev, target)
    assert status in (400, 403, 404), (target, status)
    assert "secret" not in body


def test_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (root / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (root / "page.html").write_text("ok", encoding="utf-8")
    with pytest.raises(Refused) as refused:
        resolve_request(root.resolve(), "/leak.txt")
    assert refused.value.status == 403
    assert resolve_request(root.resolve(), "/page.html?x=1#top") == (root / "page.html").resolve()
    with pytest.raises(Refused) as redirect:
        resolve_request(root.resolve(), "/")  # no index.html here
    assert redirect.value.status == 404


def test_pages_are_served_with_the_reload_script_injected_not_built_in(dev: DevServer, project: Path) -> None:
    status, body = get(dev, f"/articles/{ARTICLE}.html")
    assert status == 200 and f"<h1>{TITLE}</h1>" in body
    assert '<script src="/__livereload.js"' in body and body.index("__livereload") < body.index("</body>")
    built = (project / "site" / "articles" / f"{ARTICLE}.html").read_text(encoding="utf-8")
    assert "__livereload" not in built
    assert get(dev, "/articles")[0] == 301
    status, body = get(dev, "/nowhere.html")
    assert status == 404 and "__livereload" in body  # the site's 404 page, which reloads on the next build


def test_binds_loopback_and_refuses_other_hosts(project: Path, dev: DevServer) -> None:
    assert dev.url.startswith("http://127.0.0.1:") and not dev.url.endswith(":0/")
    assert dev._httpd.server_address[0] == "127.0.0.1"
    with pytest.raises(ValueError, match="0.0.0.0"):
        DevServer(load_config(project / "site.yaml"), host="0.0.0.0", port=0)
    assert get(dev, "/index.html", host="evil.example")[0] == 403  # DNS rebinding
    assert get(dev, "/index.html", host="localhost:8000")[0] == 200


# --- rebuilding ---------------------------------------------------------------------------------

def test_a_burst_of_saves_gives_one_rebuild(dev: DevServer, project: Path) -> None:
    builder = dev._builder
    before = builder.calls
    for n in range(6):
        set_title(project, f"Lần {n}")
        time.sleep(0.05)
    assert wait_until(lambda: "<h1>Lần 5</h1>" in get(dev, f"/articles/{ARTICLE}.html")[1])
    time.sleep(0.6)
    assert builder.calls == before + 1
    print(f"rebuild after a burst: {dev.last_result.seconds:.2f} s")


def test_rebuilds_go_through_the_build_cache(dev: DevServer, project: Path) -> None:
    """An edit renders only what shows the article, and leaves a site `newsarchive build` agrees with."""
    set_title(project, "Qua bộ nhớ đệm")
    assert wait_until(lambda: "<h1>Qua bộ nhớ đệm</h1>" in get(dev, f"/articles/{ARTICLE}.html")[1])
    time.sleep(0.6)
    config = load_config(project / "site.yaml")
    assert build(config).unchanged
    pages = {p.relative_to(project / "site").as_posix() for p in (project / "site").rglob("*.html")}
    clean = project.parent / "clean"
    build(config, clean)
    assert pages == {p.relative_to(clean).as_posix() for p in clean.rglob("*.html")}


def test_broken_article_keeps_the_last_good_site_and_shows_the_error(dev: DevServer, project: Path) -> None:
    article = project / "articles" / f"{ARTICLE}.md"
    good = article.read_text(encoding="utf-8")
    generation = dev.generation
    article.write_text(good.replace(f"slug: {ARTICLE}", "slug: '<b>Sơn La</b>'"), encoding="utf-8")
    assert wait_until(lambda: dev.generation > generation)
    status, body = get(dev, f"/articles/{ARTICLE}.html")
    assert status == 200 and f"<h1>{TITLE}</h1>" in body  # the last good page
    overlay = body.split('id="newsarchive-serve-error"')[1]
    assert f"articles/{ARTICLE}.md:4: error:" in overlay  # file and line
    assert "&lt;b&gt;Sơn La&lt;/b&gt;" in overlay and "<b>" not in overlay  # HTML-escaped
    assert not dev.last_result.ok

    generation = dev.generation
    article.write_text(good.replace(f"title: '{TITLE}'", "title: Đã sửa"), encoding="utf-8")
    assert wait_until(lambda: dev.generation > generation)
    body = get(dev, f"/articles/{ARTICLE}.html")[1]
    assert "<h1>Đã sửa</h1>" in body and "newsarchive-serve-error" not in body


def test_a_changed_seed_is_reingested_then_built(dev: DevServer, project: Path) -> None:
    seeds = sorted((project / "seeds").glob("*.txt"))
    shutil.copy(seeds[0], project / "seeds" / "zz_copy.txt")  # same title: a slug collision
    page = "/articles/chuyen-bien-tu-viec-hoc-va-lam-theo-bac-o-yen-binh-zz-copy.html"
    assert wait_until(lambda: get(dev, page)[0] == 200)
    time.sleep(0.6)  # ingest's own write must not trigger a second rebuild
    assert dev._builder.calls == 2


def test_events_announce_each_build(dev: DevServer, project: Path) -> None:
    host, port = dev.url.split("//")[1].rstrip("/").rsplit(":", 1)
    with socket.create_connection((host, int(port)), 5) as connection:
        connection.sendall(b"GET /__livereload HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = b""
        while b"data: 1\n\n" not in received:
            received += connection.recv(4096)
        threading.Timer(0.1, lambda: (project / "static" / "extra.css").write_text("a{}")).start()
        while b"data: 2\n\n" not in received:
            received += connection.recv(4096)
    assert b"text/event-stream" in received


def test_template_and_config_errors_show_where_they_are(dev: DevServer, project: Path) -> None:
    template = project / "templates" / "article.html"
    good = template.read_text(encoding="utf-8")
    generation = dev.generation
    template.write_text(good.replace("<h1>{{ record.title }}</h1>", "<h1>{{ record.title }</h1>"), encoding="utf-8")
    assert wait_until(lambda: dev.generation > generation)
    overlay = get(dev, f"/articles/{ARTICLE}.html")[1].split('id="newsarchive-serve-error"')[1]
    assert "article.html:" in overlay, overlay

    generation = dev.generation
    template.write_text(good, encoding="utf-8")
    (project / "site.yaml").write_text("title: Lưu trữ\npage_sise: 10\n", encoding="utf-8")
    assert wait_until(lambda: dev.generation > generation)
    overlay = get(dev, "/index.html")[1].split('id="newsarchive-serve-error" role="alert"')[1]
    assert "\nsite.yaml:2: error: unknown option &#x27;page_sise&#x27;" in overlay, overlay
    # Another save while site.yaml is still broken must not hide the error.
    generation = dev.generation
    set_title(project, "Tiêu đề khác")
    assert wait_until(lambda: dev.generation > generation)
    assert "page_sise" in get(dev, "/index.html")[1]
    generation = dev.generation
    (project / "site.yaml").write_text("title: Lưu trữ\npage_size: 10\n", encoding="utf-8")
    assert wait_until(lambda: dev.generation > generation)
    body = get(dev, "/index.html")[1]
    assert "newsarchive-serve-error" not in body and "Lưu trữ" in body
