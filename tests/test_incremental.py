"""Incremental builds: whatever changed, the site is byte for byte what a clean build writes.

Each test builds a small synthetic project with the cache, changes something (an article, a
template, site.yaml, a static file, the cache itself, a file of the built site), rebuilds, and
compares every file with a clean build of the same inputs made without any cache.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest
import yaml

from newsarchive import build as build_module
from newsarchive import render
from newsarchive.build import CACHE_DIR, build
from newsarchive.cache import NAMES_FILE, Cache, read_ref
from newsarchive.config import load_config

REPO = Path(__file__).resolve().parents[1]


def _synthesize():
    spec = importlib.util.spec_from_file_location("synthesize", REPO / "bench" / "synthesize.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.synthesize


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """60 synthetic articles with their own copy of the templates and static files, built once."""
    root = tmp_path / "project"
    site_yaml = _synthesize()(root, count=60, seed=3)
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "static", root / "static")
    config = yaml.safe_load(site_yaml.read_text("utf-8"))
    config.update(templates_dir="templates", static_dir="static", page_size=4, feed_size=5)
    site_yaml.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    report = build(load_config(site_yaml))
    assert not report.unchanged and report.reused == 0
    return root


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def rebuild_and_compare(project: Path, tmp_path: Path, workers: int = 1):
    """Rebuild incrementally, build the same inputs clean without a cache, and compare every byte."""
    config = load_config(project / "site.yaml")
    report = build(config, workers=workers)
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(config, clean, workers=1)
    built, expected = tree(project / "site"), tree(clean)
    assert sorted(built) == sorted(expected)
    assert [p for p in expected if built[p] != expected[p]] == []
    return report


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def first_article(project: Path) -> Path:
    return sorted((project / "articles").glob("*.md"))[0]


def test_nothing_changed_leaves_the_site_untouched(project: Path) -> None:
    site = project / "site"
    before = {p: os.stat(p) for p in site.rglob("*")}
    report = build(load_config(project / "site.yaml"))
    assert report.unchanged and report.pages > 0 and report.articles == 60
    after = {p: os.stat(p) for p in site.rglob("*")}
    assert sorted(before) == sorted(after)
    assert all((before[p].st_ino, before[p].st_mtime_ns) == (after[p].st_ino, after[p].st_mtime_ns) for p in before)


def test_touching_a_file_without_changing_it_is_no_change(project: Path) -> None:
    article = first_article(project)
    os.utime(article, ns=(article.stat().st_atime_ns, article.stat().st_mtime_ns + 10_000_000_000))
    assert build(load_config(project / "site.yaml")).unchanged


def test_editing_an_article_body_updates_every_page_that_shows_it(project: Path, tmp_path: Path) -> None:
    article = first_article(project)
    edit(article, "\n---\n\n", "\n---\n\nMột đoạn mở đầu mới được biên tập viên thêm vào.\n\n")
    report = rebuild_and_compare(project, tmp_path)
    assert not report.unchanged
    assert 0 < report.rendered < report.reused  # most of the site was linked, not rendered
    slug = yaml.safe_load(article.read_text("utf-8").split("---")[1])["slug"]
    assert "Một đoạn mở đầu mới" in (project / "site" / "articles" / f"{slug}.html").read_text("utf-8")
    assert "Một đoạn mở đầu mới" in (project / "site" / "data" / "articles.json").read_text("utf-8")


def test_editing_title_and_date_moves_the_article(project: Path, tmp_path: Path) -> None:
    article = first_article(project)
    edit(article, "title: ", "title: Tiêu đề sửa tay - ")
    text = article.read_text("utf-8")
    published = next(line for line in text.splitlines() if line.startswith("published:"))
    edit(article, published, "published: '2026-01-02'")
    rebuild_and_compare(project, tmp_path)
    assert "Tiêu đề sửa tay" in (project / "site" / "index.html").read_text("utf-8")
    assert "Tiêu đề sửa tay" in (project / "site" / "feed.xml").read_text("utf-8")


def test_adding_and_removing_articles(project: Path, tmp_path: Path) -> None:
    articles = sorted((project / "articles").glob("*.md"))
    text = articles[1].read_text("utf-8").replace("slug: ", "slug: ban-sao-", 1)
    (project / "articles" / "ban-sao.md").write_text(text, encoding="utf-8")
    articles[2].unlink()
    report = rebuild_and_compare(project, tmp_path)
    assert report.articles == 60
    assert (project / "site" / "articles" / f"ban-sao-{articles[1].stem}.html").is_file() or \
        any(p.name.startswith("ban-sao-") for p in (project / "site" / "articles").iterdir())


def test_articles_come_and_gone_have_the_search_index_made_anew_in_its_own_process(project: Path, tmp_path: Path,
                                                                                  monkeypatch) -> None:
    """Adding or removing an article shifts the search ids after it: the index is made anew by the
    process forked for it at the start, as in a full build, not updated here. An edit updates it here."""
    monkeypatch.setattr(render, "PARALLEL_MIN", 1)
    updated_here = []
    original = render.update_index
    monkeypatch.setattr(render, "update_index", lambda *args: updated_here.append(1) or original(*args))
    steps: list[str] = []  # in the cached builds: when the index process is forked, when the last state is read
    original_indexer, original_read = build_module._indexer, Cache.read_state

    def noted(step: str, cache: Cache) -> None:
        if cache.folder is not None:  # not the clean build the site is compared with
            steps.append(step)
    monkeypatch.setattr(build_module, "_indexer", lambda cache, *args: noted("fork", cache) or
                        original_indexer(cache, *args))
    monkeypatch.setattr(Cache, "read_state", lambda self: noted("state", self) or original_read(self))
    articles = sorted((project / "articles").glob("*.md"))
    text = articles[1].read_text("utf-8").replace("slug: ", "slug: ban-sao-", 1)
    (project / "articles" / "ban-sao.md").write_text(text, encoding="utf-8")
    rebuild_and_compare(project, tmp_path, workers=2)
    assert steps == ["fork", "state"]  # forked before the state is read: it holds none of it
    articles[2].unlink()
    (project / CACHE_DIR / NAMES_FILE).unlink()  # a cache that kept no names: the state tells
    steps.clear()
    rebuild_and_compare(project, tmp_path, workers=2)
    assert steps == ["state", "fork"]
    assert updated_here == []
    edit(articles[3], "title: ", "title: Sửa - ")
    steps.clear()
    rebuild_and_compare(project, tmp_path, workers=2)
    assert updated_here == [1] and steps == ["state"]


def test_a_template_change_renders_only_the_pages_that_use_it(project: Path, tmp_path: Path) -> None:
    edit(project / "templates" / "year.html", "<h1>", '<h1 class="year-title">')
    report = rebuild_and_compare(project, tmp_path)
    year_pages = len(list((project / "site" / "years").glob("2*.html")))
    always = {"provinces/index.html", "directives/index.html", "search.html",
              "data/articles.json"}  # cheap pages rendered on every build (articles.json: mostly copied)
    assert report.rendered == year_pages + len(always)


def test_an_edit_parses_only_the_templates_whose_source_changed(project: Path, tmp_path: Path, monkeypatch) -> None:
    """What each template names is kept by the digest of its source: an article edit parses no
    template, and one edited to name another is parsed again, so that the other's changes reach
    its pages."""
    from jinja2 import Environment

    parsed: list[str] = []
    original = Environment.parse
    monkeypatch.setattr(Environment, "parse", lambda self, source, name=None, filename=None:
                        parsed.append(name) or original(self, source, name, filename))
    edit(first_article(project), "title: ", "title: Sửa tiêu đề - ")
    assert not build(load_config(project / "site.yaml")).unchanged and parsed == []
    (project / "templates" / "_note.html").write_text("<p>Ghi chú</p>\n", encoding="utf-8")
    edit(project / "templates" / "year.html", "{% block content %}\n", '{% block content %}\n{% include "_note.html" %}\n')
    assert not build(load_config(project / "site.yaml")).unchanged and parsed == ["year.html", "_note.html"]
    edit(project / "templates" / "_note.html", "Ghi chú", "Ghi chú mới")
    rebuild_and_compare(project, tmp_path)
    assert all("Ghi chú mới" in page.read_text("utf-8") for page in (project / "site" / "years").glob("2*.html"))


def test_a_macro_change_renders_every_page_that_imports_it(project: Path, tmp_path: Path) -> None:
    edit(project / "templates" / "_macros.html", '<li class="item">', '<li class="item article-item">')
    report = rebuild_and_compare(project, tmp_path)
    assert report.rendered > 60  # listings of every kind, and article pages (they import the macros too)


def test_a_feed_entry_change_renders_every_feed(project: Path, tmp_path: Path) -> None:
    """feed.xml imports the entry macro, which `feed_entries` renders once an article: a change to it
    is a change to every feed, and to no article page."""
    pages = {p: p.stat().st_mtime_ns for p in (project / "site" / "articles").glob("*.html")}
    edit(project / "templates" / "_feed_entry.xml", "<entry>", "<entry xml:lang=\"vi\">")
    report = rebuild_and_compare(project, tmp_path)
    feeds = [p for p in (project / "site").rglob("*.xml") if p.name != "sitemap.xml"]
    assert feeds and all('<entry xml:lang="vi">' in feed.read_text("utf-8") for feed in feeds
                         if "<entry" in feed.read_text("utf-8"))
    assert report.rendered >= len(feeds)
    assert {p: p.stat().st_mtime_ns for p in pages} == pages


def test_site_yaml_and_static_changes(project: Path, tmp_path: Path) -> None:
    edit(project / "static" / "style.css", "", "/* edited */\n")
    rebuild_and_compare(project, tmp_path)
    edit(project / "site.yaml", "page_size: 4", "page_size: 3")
    rebuild_and_compare(project, tmp_path)


def test_another_version_of_a_library_is_another_fingerprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache is trusted only with the libraries it was made with: each one's main file, its size
    and time, are in the fingerprint (a new version is new files)."""
    found = build_module._library_files()
    assert [name for name, *_ in found] == list(build_module._LIBRARIES) and all(size > 0 for *_, size, _ in found)
    (tmp_path / "fakelib").mkdir()
    main_file = tmp_path / "fakelib" / "__init__.py"
    main_file.write_text("VERSION = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(build_module, "_LIBRARIES", ("fakelib",))
    before = build_module._library_files()
    main_file.write_text("VERSION = 2\n")
    os.utime(main_file, ns=(0, main_file.stat().st_mtime_ns + 10**9))
    assert build_module._library_files() != before
    main_file.unlink()
    (tmp_path / "fakelib").rmdir()
    assert build_module._library_files() == [("fakelib", "", -1, -1)]


def test_a_corrupt_or_stale_cache_is_detected_and_rebuilt(project: Path, tmp_path: Path) -> None:
    cache = project / CACHE_DIR
    state = cache / "state.pickle"
    state.write_bytes(state.read_bytes()[:-40])  # truncated
    for pack in cache.glob("records-*"):
        pack.write_bytes(pack.read_bytes().replace(b"Bac", b"Bxc"))  # flipped bytes inside
    edit(first_article(project), "title: ", "title: Sau khi hỏng - ")
    report = rebuild_and_compare(project, tmp_path)
    assert "corrupt" in report.notice and report.reused == 0
    (cache / "state.pickle").write_bytes(b"not a cache at all")
    report = rebuild_and_compare(project, tmp_path)
    assert report.notice and not report.unchanged
    edit(first_article(project), "title: ", "title: Lần nữa - ")
    (cache / "site.pickle").write_bytes((cache / "site.pickle").read_bytes()[:-40])
    report = rebuild_and_compare(project, tmp_path)
    assert "corrupt" in report.notice and report.reused == 0
    edit(first_article(project), "title: ", "title: Lần ba - ")
    site = (cache / "site.pickle").read_bytes()
    (cache / "site.pickle").write_bytes(site.replace(b"index.html", b"indeX.html", 1))  # still a pickle
    report = rebuild_and_compare(project, tmp_path)
    assert "corrupt" in report.notice and report.reused == 0
    shutil.rmtree(cache)  # safe to delete
    assert not rebuild_and_compare(project, tmp_path).unchanged
    assert rebuild_and_compare(project, tmp_path).unchanged


def test_assembled_files_are_given_their_blocks_before_they_are_written(project: Path, tmp_path: Path,
                                                                        monkeypatch) -> None:
    """As many as they will take (see render._preallocate): fewer would leave ext4 some to allocate
    when the file replaces the previous one, more would leave zeros at its end."""
    sizes: dict[str, int] = {}
    original = os.posix_fallocate

    def record(fd: int, offset: int, size: int) -> None:
        sizes[os.readlink(f"/proc/self/fd/{fd}").rpartition("/")[2]] = size
        original(fd, offset, size)

    monkeypatch.setattr(os, "posix_fallocate", record)
    edit(first_article(project), "title: ", "title: Sửa tiêu đề - ")
    rebuild_and_compare(project, tmp_path)
    site = project / "site"
    assert sizes == {name: (site / path).stat().st_size
                     for name, path in [("articles.json", "data/articles.json"), ("metrics.csv", "data/metrics.csv"),
                                        ("metrics.html", "metrics.html")]}


def test_an_edit_reads_no_other_article_record(project: Path, tmp_path: Path, monkeypatch) -> None:
    """Listings, feeds and the metrics page are made from the filings: only the pages of the edited
    article need a full record, and that one was just parsed."""
    from newsarchive.cache import Cache

    read: list[str] = []
    original = Cache.record
    monkeypatch.setattr(Cache, "record", lambda self, key: read.append(key) or original(self, key))
    edit(first_article(project), "title: ", "title: Sửa tiêu đề - ")
    report = rebuild_and_compare(project, tmp_path)
    assert not report.unchanged and read == []
    edit(project / "templates" / "article.html", "<h1>", '<h1 class="headline">')
    rebuild_and_compare(project, tmp_path)
    assert len(read) == 60  # every article page again: each record from the cache, none parsed


def test_a_damaged_record_pack_costs_a_parse_not_a_wrong_page(project: Path, tmp_path: Path, monkeypatch) -> None:
    from newsarchive import load

    cache = project / CACHE_DIR
    for pack in cache.glob("records-*.pack"):
        pack.write_bytes(bytes(pack.stat().st_size))  # the state and the filings still trust them
    edit(project / "templates" / "article.html", "<h1>", '<h1 class="headline">')
    parsed: list[str] = []
    original = load.read_record
    monkeypatch.setattr(load, "read_record", lambda path, *rest: parsed.append(path) or original(path, *rest))
    build(load_config(project / "site.yaml"))
    assert len(parsed) == 60  # every article page, its record parsed again from its file
    edit(project / "templates" / "article.html", '<h1 class="headline">', '<h1 class="title">')
    parsed.clear()
    build(load_config(project / "site.yaml"))
    assert parsed == []  # the records parsed again were kept
    edit(project / "templates" / "article.html", '<h1 class="title">', "<h1>")
    rebuild_and_compare(project, tmp_path)


def _kept_records(project: Path) -> dict[str, bytes]:
    from newsarchive.cache import Cache

    cache = Cache(project / CACHE_DIR)
    cache.fingerprint = cache.previous.fingerprint
    return {key: parsed.record for key, parsed in cache._read_filings().items()}


def test_the_cache_keeps_only_the_records_the_last_build_used(project: Path, tmp_path: Path) -> None:
    cache = project / CACHE_DIR
    (cache / "records-0.pickle").write_bytes(b"a shard of an older layout")
    for article in sorted((project / "articles").glob("*.md"))[:20]:
        article.unlink()
    rebuild_and_compare(project, tmp_path)
    assert not (cache / "records-0.pickle").exists()
    records = _kept_records(project)
    assert len(records) == len(list((project / "articles").glob("*.md"))) == 40
    assert {p.name for p in cache.glob("records-*")} == {read_ref(ref)[0] for ref in records.values()}


def test_an_edit_rewrites_only_the_filings_of_the_files_it_changed(project: Path, tmp_path: Path,
                                                                   monkeypatch) -> None:
    """The filings are kept in 16 files by the first digit of each article file's digest: an edit
    writes the file its article leaves and the one it joins, a deletion the one it leaves."""
    from newsarchive.cache import Cache, digest_bytes

    written: list[str] = []
    original = Cache._write
    monkeypatch.setattr(Cache, "_write", lambda self, name, value: written.append(name) or original(self, name, value))
    articles = sorted((project / "articles").glob("*.md"))
    before, gone = digest_bytes(articles[0].read_bytes()), digest_bytes(articles[1].read_bytes())
    edit(articles[0], "title: ", "title: Sửa tiêu đề - ")
    articles[1].unlink()
    rebuild_and_compare(project, tmp_path)
    groups = {before[0], gone[0], digest_bytes(articles[0].read_bytes())[0]}
    filings = sorted(name for name in written if name.startswith("filings-"))
    assert filings == [f"filings-{group}.pickle" for group in sorted(groups)]
    assert len(_kept_records(project)) == 59


def test_the_packs_of_many_edits_are_merged(project: Path, tmp_path: Path, monkeypatch) -> None:
    from newsarchive import cache as cache_module

    monkeypatch.setattr(cache_module, "PACK_MERGE", 3)
    articles = sorted((project / "articles").glob("*.md"))
    packs = []
    for number, article in enumerate(articles[:6]):
        edit(article, "title: ", f"title: Lần sửa {number} - ")
        build(load_config(project / "site.yaml"))
        packs.append(len(list((project / CACHE_DIR).glob("records-*.pack"))))
    assert packs[:4] == [2, 3, 1, 2]  # the full build's and one per edit (all small): the fourth merges them
    rebuild_and_compare(project, tmp_path)
    assert {read_ref(ref)[0] for ref in _kept_records(project).values()} == \
        {p.name for p in (project / CACHE_DIR).glob("records-*")}


def test_a_file_removed_from_the_built_site_is_written_again(project: Path, tmp_path: Path) -> None:
    (project / "site" / "index.html").unlink()
    assert not rebuild_and_compare(project, tmp_path).unchanged


def test_a_file_changed_by_hand_in_the_built_site_is_not_reused(project: Path, tmp_path: Path) -> None:
    """A page rewritten in place is noticed by the next build that has anything to do."""
    for path in ("index.html", "metrics.html", "static/style.css", "data/articles.json", "search/meta.js"):
        with open(project / "site" / path, "r+b") as file:
            file.write(b"<!-- changed by hand -->")
    edit(first_article(project), "title: ", "title: Sửa - ")
    rebuild_and_compare(project, tmp_path)


def test_the_previous_site_is_never_written_through_a_link(project: Path, tmp_path: Path) -> None:
    """Unchanged files are hard links to the last site's; a new version must be a new file."""
    site = project / "site"
    keep = tmp_path / "kept"
    for file in site.rglob("*"):
        if file.is_file():
            (keep / file.relative_to(site)).parent.mkdir(parents=True, exist_ok=True)
            os.link(file, keep / file.relative_to(site))
    before = tree(keep)
    edit(first_article(project), "title: ", "title: Bản mới - ")
    edit(project / "templates" / "province.html", "<h1>", '<h1 class="province-title">')
    rebuild_and_compare(project, tmp_path)
    assert tree(keep) == before


def test_parallel_and_serial_builds_are_identical(project: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(render, "PARALLEL_MIN", 1)
    monkeypatch.setattr(render, "CHUNK", 7)
    monkeypatch.setattr(build_module, "PARSE_CHUNK", 5)
    shutil.rmtree(project / CACHE_DIR)  # so the records are parsed again, by the workers
    config = load_config(project / "site.yaml")
    build(config, tmp_path / "parallel", workers=2)
    build(config, tmp_path / "serial", workers=1)
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial") == tree(project / "site")
    shutil.move(project / "site", tmp_path / "retired")  # a full build again, with the cache folder this time:
    build(config, workers=2)  # the search index process, forked first, reads the records the parse workers kept
    assert tree(project / "site") == tree(tmp_path / "serial")
    assert build(config, workers=2).unchanged  # the digests the parse workers took are the state's
    assert not [p for p in tree(tmp_path / "parallel") if "pieces" in p]  # the workers' pieces were copied, then removed
    edit(first_article(project), "title: ", "title: Song song - ")
    rebuild_and_compare(project, tmp_path, workers=2)


def test_an_edit_made_while_a_build_runs_is_picked_up_by_the_next(project: Path, tmp_path: Path,
                                                                   monkeypatch) -> None:
    article, template = first_article(project), project / "templates" / "article.html"
    original = render.SiteRenderer.render

    def render_after_edits(self):
        edit(article, "title: ", "title: Sửa giữa chừng - ")  # after it was read, before the site is written
        edit(template, "<h1>", '<h1 class="late">')
        return original(self)

    monkeypatch.setattr(render.SiteRenderer, "render", render_after_edits)
    edit(sorted((project / "articles").glob("*.md"))[1], "title: ", "title: Trước - ")  # so there is a build
    assert not build(load_config(project / "site.yaml")).unchanged
    monkeypatch.setattr(render.SiteRenderer, "render", original)
    report = rebuild_and_compare(project, tmp_path)
    assert not report.unchanged


def test_an_article_added_while_a_build_runs_is_picked_up_by_the_next(project: Path, tmp_path: Path,
                                                                       monkeypatch) -> None:
    """The folder is listed once: an article added after that is no input of the build, however
    late it looks again, and so the next build renders it."""
    articles = sorted((project / "articles").glob("*.md"))
    original = render.SiteRenderer.__init__

    def add_an_article(self, *args, **kwargs):
        text = articles[1].read_text("utf-8").replace("slug: ", "slug: them-giua-chung-", 1)
        (project / "articles" / "them-giua-chung.md").write_text(text, encoding="utf-8")
        original(self, *args, **kwargs)

    monkeypatch.setattr(render.SiteRenderer, "__init__", add_an_article)
    edit(articles[0], "title: ", "title: Trước - ")  # so there is a build
    assert build(load_config(project / "site.yaml")).articles == 60
    monkeypatch.setattr(render.SiteRenderer, "__init__", original)
    report = rebuild_and_compare(project, tmp_path)
    assert not report.unchanged and report.articles == 61


def test_the_output_check_finds_files_changed_by_hand_with_or_without_a_child(tmp_path: Path, monkeypatch) -> None:
    from newsarchive.cache import OutputCheck, Outputs, key_of, stat_of

    site = tmp_path / "site"
    site.mkdir()
    for name in ("a.html", "b.html", "c.html"):
        (site / name).write_text(name, encoding="utf-8")
    outputs = Outputs()
    for name in ("a.html", "b.html", "c.html"):
        outputs[name] = (key_of(name), stat_of(site / name))
    (site / "b.html").write_text("changed by hand, one byte longer", encoding="utf-8")
    (site / "c.html").unlink()
    check = OutputCheck(site, outputs)
    assert check.child is not None  # forked
    assert check.changed() == {"b.html", "c.html"}
    check.close()  # answered already: nothing to wait for

    unasked = OutputCheck(site, outputs)
    unasked.close()  # a build that stopped early reaps its child
    assert unasked.child is None

    def no_fork() -> int:
        raise OSError("no fork")

    monkeypatch.setattr(os, "fork", no_fork)
    alone = OutputCheck(site, outputs)
    assert alone.child is None and alone.changed() == {"b.html", "c.html"}


def test_outputs_and_pieces_give_back_what_they_were_given_packed() -> None:
    import pickle

    from newsarchive.cache import Outputs, Pieces, key_of

    outputs = Outputs()
    big_stat = (1 << 40) << 128 | ((1 << 64) - 1) << 64 | 12345  # size, mtime (all bits) and inode
    outputs["a.html"] = (key_of("a"), big_stat)
    outputs["b.html"] = ("", 7)  # never reused
    outputs["c.html"] = ("not a digest", 8)  # any other key, kept as it is
    outputs["d.html"] = (key_of("d").upper(), 9)  # a digest is lower case: an upper-case one is another key
    assert outputs["a.html"] == (key_of("a"), big_stat) and outputs.stat("a.html") == big_stat
    assert outputs["b.html"] == ("", 7)
    assert outputs["c.html"] == ("not a digest", 8)
    assert outputs["d.html"] == (key_of("d").upper(), 9)
    assert len(outputs.packed["a.html"]) == 24 + 1 + 16  # stat, then the digest's 16 bytes
    assert outputs.made_from("a.html", key_of("a")) and not outputs.made_from("a.html", key_of("b"))
    assert outputs.made_from("c.html", "not a digest") and not outputs.made_from("d.html", key_of("d"))
    assert not outputs.made_from("missing.html", key_of("a"))

    again = pickle.loads(pickle.dumps(outputs))
    assert type(again) is Outputs and dict(again.items()) == dict(outputs.items())
    kept = Outputs()
    kept.take("a.html", again)
    assert kept.keys() == {"a.html"} and again.keys() - kept.keys() == {"b.html", "c.html", "d.html"}

    pieces = Pieces()
    pieces["slug"] = (key_of("slug"), 1 << 40, 1234)
    assert pieces["slug"] == (key_of("slug"), 1 << 40, 1234) and pieces.get("other") is None
    assert pieces.made_from("slug", key_of("slug")) and not pieces.made_from("slug", key_of("other"))
    assert not pieces.made_from("other", key_of("slug")) and pieces.place("slug") == (1 << 40, 1234)
    moved = Pieces()
    moved.moved("slug", pieces, 99)
    assert moved["slug"] == (key_of("slug"), 99, 1234)


def test_a_record_ref_gives_back_where_the_record_is() -> None:
    from newsarchive.cache import checksum, record_ref

    check = checksum(b"a record")
    ref = record_ref("records-abc_1.pack", 1 << 40, 1234, check)
    assert read_ref(ref) == ("records-abc_1.pack", 1 << 40, 1234, check)
    assert len(ref) == 8 + 8 + 4 + len("records-abc_1.pack")


def test_a_state_is_read_back_whole_when_its_tables_are_written_a_chunk_at_a_time(tmp_path: Path,
                                                                                   monkeypatch) -> None:
    from newsarchive import cache as cache_module
    from newsarchive.cache import Cache, Outputs, Pieces, PinnedDigests, SiteState, State, key_of

    monkeypatch.setattr(cache_module, "TABLE_CHUNK", 2)
    outputs = Outputs()
    for number in range(5):
        outputs[f"{number}.html"] = (key_of(number), number)
    fragments = {"data/articles.json": Pieces(), "metrics.html": Pieces()}
    fragments["data/articles.json"]["a"] = (key_of("a"), 0, 10)
    site = SiteState(7, outputs, fragments, b"index")
    state = State(files={f"{number}.md": (number, key_of(number)) for number in range(3)}, inputs={"0.md": None})
    cache = Cache(tmp_path)
    cache._write(cache_module.SITE_FILE, site)
    cache._write(cache_module.STATE_FILE, state)
    assert cache._read(cache_module.SITE_FILE, SiteState) == site
    assert cache._read(cache_module.STATE_FILE, State) == state
    state.inputs = PinnedDigests(cache, [str(tmp_path / "absent.md")])
    cache._write(cache_module.STATE_FILE, state)
    assert cache._read(cache_module.STATE_FILE, State).inputs == {str(tmp_path / "absent.md"): None}


def test_the_inputs_saved_are_their_digests_as_the_build_first_saw_them(tmp_path: Path) -> None:
    from newsarchive.cache import Cache, PinnedDigests

    article = tmp_path / "a.md"
    article.write_text("một")
    cache = Cache(None)
    inputs = PinnedDigests(cache, [str(article), str(tmp_path / "absent.md")])
    first = cache.digest(str(article))
    article.write_text("hai, sửa trong lúc build")
    assert dict(inputs) == {str(article): first, str(tmp_path / "absent.md"): None} and first is not None


def test_parse_workers_hash_each_raw_source_under_the_path_load_gives_it(tmp_path: Path) -> None:
    from newsarchive.cache import digest_bytes, stat_of

    root = tmp_path / "project"
    (root / "seeds").mkdir(parents=True)
    (root / "seeds" / "a.txt").write_bytes(b"raw text")
    (tmp_path / "outside.txt").write_bytes(b"secret")
    os.symlink(root / "seeds" / "a.txt", root / "seeds" / "link.txt")
    os.symlink(tmp_path / "outside.txt", root / "seeds" / "out.txt")
    plain = str(root / "seeds" / "a.txt")
    assert build_module._source_digest(str(root), "seeds/a.txt", {}) == (plain, stat_of(plain), digest_bytes(b"raw text"))
    assert build_module._source_digest(str(root), "seeds/link.txt", {})[0] == plain
    assert build_module._source_digest(str(root), "seeds/missing.txt", {}) == (str(root / "seeds" / "missing.txt"), None, None)
    assert build_module._source_digest(str(root), "seeds/out.txt", {}) is None  # load refuses it: never read
    assert build_module._source_digest(str(root), "../outside.txt", {}) is None


def test_raw_sources_resolve_as_realpath_resolves_them_with_folders_looked_up_once(tmp_path: Path) -> None:
    from newsarchive.cache import hash_file

    root = tmp_path / "project"
    (root / "seeds" / "sub").mkdir(parents=True)
    (root / "seeds" / "a.txt").write_bytes(b"raw text")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "b.txt").write_bytes(b"secret")
    os.symlink(root / "seeds", root / "linked")  # a folder linked inside the project
    os.symlink(tmp_path / "elsewhere", root / "seeds" / "away")  # and one out of it
    os.symlink("a.txt", root / "seeds" / "link.txt")
    sources = ["seeds/a.txt", "linked/a.txt", "linked/link.txt", "seeds/sub/../a.txt", "seeds/sub/..",
               "seeds/away/b.txt", "seeds/away/../a.txt", "linked/missing.txt", "seeds/", "seeds/."]
    folders: dict[str, str] = {}
    for source in sources * 2:  # the second time, with every folder already resolved
        path = os.path.realpath(f"{root}/{source}")
        expected = (path, *hash_file(path)) if path.startswith(f"{root}/") else None
        assert build_module._source_digest(str(root), source, folders) == expected, source


@pytest.mark.parametrize("stated", [0, 5, 9, 10, 11, 70000])
def test_a_file_is_read_to_its_end_whatever_size_it_had_when_stated(tmp_path: Path, stated: int) -> None:
    from newsarchive.cache import read_to_end

    data = bytes(range(10))
    (tmp_path / "f").write_bytes(data)
    fd = os.open(tmp_path / "f", os.O_RDONLY)
    try:
        assert read_to_end(fd, stated) == data  # grown since (stated < 10), shrunk (> 10), or as stated
    finally:
        os.close(fd)


def test_hash_file_stats_the_file_it_reads(tmp_path: Path) -> None:
    from newsarchive.cache import digest_bytes, hash_file, stat_of

    (tmp_path / "f").write_bytes(b"raw")
    assert hash_file(str(tmp_path / "f")) == (stat_of(tmp_path / "f"), digest_bytes(b"raw"))
    assert hash_file(str(tmp_path / "absent")) == (None, None)


def test_large_blocks_get_mappings_of_their_own_with_glibc_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A build has glibc give blocks of LARGE_BLOCK bytes or more mappings of their own, returned
    to the system when freed; another C library is left as it is."""
    import ctypes

    calls: list[tuple[int, int]] = []

    class Library:
        def mallopt(self, parameter: int, value: int) -> int:
            calls.append((parameter, value))
            return 1

    monkeypatch.setattr(ctypes, "CDLL", lambda name: Library())
    for found, expected in (("glibc 2.36", [(-3, build_module.LARGE_BLOCK)]), ("musl", []), (None, [])):
        monkeypatch.setattr(os, "confstr", lambda name, found=found: found)
        calls.clear()
        build_module._large_blocks_apart()
        assert calls == expected, found
    monkeypatch.delattr(os, "confstr")  # not a POSIX system
    build_module._large_blocks_apart()
    assert calls == []


def test_a_data_file_kept_whole_keeps_its_pieces_for_the_next_edit(project: Path, tmp_path: Path, monkeypatch) -> None:
    """An edit of an article without metrics keeps metrics.html and metrics.csv whole; an edit of a
    metric after it makes that article's pieces alone, the others copied from the files."""
    from newsarchive.render import ArticlePages

    articles = sorted((project / "articles").glob("*.md"))
    with_metrics = [p for p in articles if "\nmetrics: []\n" not in p.read_text("utf-8")]
    without = [p for p in articles if p not in with_metrics]
    assert len(with_metrics) > 10 and without
    edit(without[0], "\n---\n\n", "\n---\n\nMột câu mở đầu không có số liệu.\n\n")
    rebuild_and_compare(project, tmp_path)
    made: list[str] = []
    for maker in ("metric_rows", "metric_csv"):
        original = getattr(ArticlePages, maker)
        monkeypatch.setattr(ArticlePages, maker, lambda self, article, record, original=original, maker=maker:
                            made.append(maker) or original(self, article, record))
    edit(with_metrics[1], "\n  sentence: ", "\n  sentence: Theo báo cáo, ")
    build(load_config(project / "site.yaml"))
    assert sorted(made) == ["metric_csv", "metric_rows"]
    monkeypatch.undo()
    rebuild_and_compare(project, tmp_path)  # and the files are those a clean build writes
