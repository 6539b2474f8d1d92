"""render: the page map, relative links, escaping of untrusted text, feeds, exports, byte-identical output."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import pickle
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from linkcheck import check_site
from newsarchive.build import build
from newsarchive.config import load_config
from newsarchive.load import read_record
from newsarchive.problems import Problems
from newsarchive.records import packed, unpacked
from newsarchive.render import (IndexJob, OutputCollision, SourcesFile, Writer, body_html, format_date, format_number,
                                json_ld, paginate, record_json)

FIXTURE = Path(__file__).parent / "data" / "site"
STRINGS = Path(__file__).resolve().parents[1] / "src" / "newsarchive" / "strings"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fixture-site") / "site"
    report = build(load_config(FIXTURE / "site.yaml"), out)
    assert not report.problems.errors, [str(p) for p in report.problems.errors]
    return out


def read(site: Path, path: str) -> str:
    return (site / path).read_text("utf-8")


def test_page_map_is_complete(site: Path) -> None:
    expected = [
        "index.html", "404.html", "metrics.html", "feed.xml", "sitemap.xml", "robots.txt",
        "articles/index.html", "articles/index.2.html", "articles/chuyen-bien-o-yen-binh.html",
        "articles/tam-guong-o-cao-lanh.html", "sources/chuyen-bien-o-yen-binh.txt",
        "provinces/index.html", "provinces/yen-bai.html", "provinces/yen-bai.xml", "provinces/yen-bai/yen-binh.html",
        "provinces/hoa-binh.html", "directives/index.html", "directives/05-ct-tw.html", "directives/05-ct-tw.xml",
        "years/index.html", "years/2022.html", "data/articles.json", "data/metrics.csv", "static/style.css",
        "static/favicon.svg", "static/metrics.js",
    ]
    assert [p for p in expected if not (site / p).is_file()] == []


def test_every_link_is_relative_and_resolves(site: Path) -> None:
    report = check_site(site)
    assert report.broken == []
    assert report.absolute == []  # no stylesheet, script or image from another host
    assert report.outbound == ["articles/thu-tieu-de-nguy-hiem.html: https://example.org/bai"]


def test_every_page_has_one_h1_and_the_language(site: Path) -> None:
    for page in sorted(site.rglob("*.html")):
        html = page.read_text("utf-8")
        assert html.count("<h1") == 1, page
        assert '<html lang="vi">' in html, page


def test_untrusted_title_and_body_are_escaped(site: Path) -> None:
    html = read(site, "articles/thu-tieu-de-nguy-hiem.html")
    assert "<h1>Tiêu đề &lt;script&gt;alert(&#34;tieu-de&#34;)&lt;/script&gt; &amp; &#34;ngoặc&#34;</h1>" in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ['<script type="application/ld+json">']
    body = html.split('<div class="article-body">', 1)[1].split("</div>", 1)[0]
    assert "onerror" not in body and "<b>" not in body and "<img" not in body
    assert "<h2>Tiêu đề cấp một trong thân bài</h2>" in html  # a body h1 never competes with the title
    data = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "</" not in data
    assert json.loads(data)["headline"] == 'Tiêu đề <script>alert("tieu-de")</script> & "ngoặc"'


def test_article_page_shows_record(site: Path) -> None:
    html = read(site, "articles/chuyen-bien-o-yen-binh.html")
    assert '<a href="../provinces/yen-bai.html">Yên Bái</a> <span class="now">(nay thuộc Lào Cai)</span>' in html
    assert '<a href="../provinces/yen-bai/yen-binh.html">Yên Bình</a>' in html
    assert '<li>Mông Sơn</li>' in html
    assert 'href="../directives/05-ct-tw.html"' in html and 'href="../directives/04-nq-tw.html"' in html
    assert '<figure class="photo"><figcaption>Các đảng viên Chi bộ thôn Làng Mới' in html
    assert "<h2>Nêu gương người đứng đầu</h2>" in html
    assert '<td class="num" data-label="Giá trị">trên 2.600.000.000</td>' in html
    assert "Nhân dân đóng góp trên <mark>2,6 tỷ đồng</mark>" in html
    assert "Vì sao xếp vào đây" in html and "<q>Huyện ủy Yên Bình, tỉnh Yên Bái</q>" in html
    assert '<a href="../sources/chuyen-bien-o-yen-binh.txt" type="text/plain">' in html
    assert '<time datetime="2022-05-13T12:35:00+07:00">13/05/2022 12:35</time>' in html
    assert '<meta property="og:title" content="Chuyển biến từ việc học và làm theo Bác ở Yên Bình">' in html
    assert 'rel="canonical"' not in html  # no base_url in the fixture
    assert '<meta name="description" content="Phát huy kết quả' in html  # the lead paragraph, not the caption
    assert read(site, "sources/chuyen-bien-o-yen-binh.txt") == (FIXTURE / "seeds" / "yen-binh.txt").read_text("utf-8")


def test_undated_article_shows_period(site: Path) -> None:
    html = read(site, "articles/tam-guong-o-cao-lanh.html")
    assert "không rõ ngày (khoảng năm 2021)" in html
    assert "<q>nhiệm kỳ 2020 - 2025</q>" in html


def test_pagination_links_pages(site: Path) -> None:
    first, second = read(site, "articles/index.html"), read(site, "articles/index.2.html")
    assert 'rel="next" href="../articles/index.2.html"' in first
    assert 'rel="prev" href="../articles/index.html"' in second
    assert "Trang 2/2" in second


def test_directive_page_has_catalogue_facts(site: Path) -> None:
    html = read(site, "directives/05-ct-tw.html")
    assert "Bộ Chính trị" in html and '<time datetime="2016-05-15">15/05/2016</time>' in html
    assert "Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh" in html


def test_provinces_index_groups_by_region_and_current(site: Path) -> None:
    html = read(site, "provinces/index.html")
    assert "Trung du và miền núi phía Bắc" in html and "Đồng bằng sông Cửu Long" in html
    assert re.search(r"<strong>Lào Cai</strong>.*?yen-bai\.html", html, re.S)


def test_feeds_are_atom_with_resolving_links(site: Path) -> None:
    for path in ("feed.xml", "provinces/yen-bai.xml", "directives/05-ct-tw.xml"):
        root = ET.fromstring(read(site, path))
        assert root.tag == f"{ATOM}feed"
        entries = root.findall(f"{ATOM}entry")
        assert entries, path
        for entry in entries:
            href = entry.find(f"{ATOM}link").get("href")
            assert (site / path).parent.joinpath(href).resolve().is_file(), (path, href)
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", entry.find(f"{ATOM}updated").text)
    assert len(ET.fromstring(read(site, "provinces/yen-bai.xml")).findall(f"{ATOM}entry")) == 1


def test_data_exports(site: Path) -> None:
    records = json.loads(read(site, "data/articles.json"))
    assert [r["slug"] for r in records] == [
        "chuyen-bien-o-yen-binh", "tam-guong-o-cao-lanh", "thu-tieu-de-nguy-hiem", "hoa-binh-dan-van"]
    assert records[0]["url"] == "articles/chuyen-bien-o-yen-binh.html"
    rows = list(csv.DictReader(read(site, "data/metrics.csv").splitlines()))
    assert len(rows) == 3
    assert rows[1]["value"] == "2600000000" and rows[1]["qualifier"] == "trên" and rows[1]["directive"] == "05-CT/TW"
    sitemap = ET.fromstring(read(site, "sitemap.xml"))
    assert len(sitemap) == len(list(site.rglob("*.html"))) - 1  # every page but 404


def test_record_json_is_the_contract_mapping_in_order_then_the_url() -> None:
    repo = Path(__file__).resolve().parents[1]
    files = sorted(repo.glob("articles/*.md")) + sorted(repo.glob("tests/data/**/articles/*.md"))
    records = [r for r in (read_record(path, path.name, Problems()) for path in files) if r is not None]
    assert len(records) >= 5
    for record in records + [unpacked(packed(r)) for r in records]:  # as a worker reads it from its pack
        written = record_json(record, "articles/a.html")
        assert list(json.loads(written).items()) == [*record.to_dict().items(), ("url", "articles/a.html")]
        assert written.decode() == json.dumps(json.loads(written), ensure_ascii=False, separators=(",", ":"))
    record = next(r for r in records if r.metrics)
    record = dataclasses.replace(record, metrics=[dataclasses.replace(record.metrics[0], value=10**21)])
    written = record_json(record, "articles/b.html")  # past 64 bits: orjson refuses it, the standard library writes it
    assert json.loads(written)["metrics"][0]["value"] == 10**21
    assert list(json.loads(written)) == [*record.to_dict(), "url"]


def test_metrics_page_is_a_plain_table_with_filters_for_js(site: Path) -> None:
    html = read(site, "metrics.html")
    assert html.count("<tr data-province=") == 3
    assert '<form class="metric-filters" id="metric-filters" hidden' in html


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    config = load_config(FIXTURE / "site.yaml")

    def digest(folder: Path) -> dict[str, str]:
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    build(config, tmp_path / "one")
    build(config, tmp_path / "two")
    assert digest(tmp_path / "one") == digest(tmp_path / "two")


def test_base_url_adds_canonical_and_absolute_feed_links(tmp_path: Path) -> None:
    config = dataclasses.replace(load_config(FIXTURE / "site.yaml"), base_url="https://example.org/luu-tru/")
    build(config, tmp_path / "site")
    html = (tmp_path / "site" / "articles" / "chuyen-bien-o-yen-binh.html").read_text("utf-8")
    assert '<link rel="canonical" href="https://example.org/luu-tru/articles/chuyen-bien-o-yen-binh.html">' in html
    assert '<meta property="og:url" content="https://example.org/luu-tru/articles/chuyen-bien-o-yen-binh.html">' in html
    assert 'href="../static/style.css"' in html  # pages still link relatively
    feed = ET.fromstring((tmp_path / "site" / "feed.xml").read_text("utf-8"))
    assert feed.find(f"{ATOM}entry/{ATOM}link").get("href").startswith("https://example.org/luu-tru/articles/")
    assert "Sitemap: https://example.org/luu-tru/sitemap.xml" in (tmp_path / "site" / "robots.txt").read_text("utf-8")


def test_english_strings_render(tmp_path: Path) -> None:
    config = dataclasses.replace(load_config(FIXTURE / "site.yaml"), language="en")
    build(config, tmp_path / "site")
    html = (tmp_path / "site" / "articles" / "tam-guong-o-cao-lanh.html").read_text("utf-8")
    assert '<html lang="en">' in html and "date unknown (around 2021)" in html


def test_string_files_have_the_same_keys() -> None:
    vi = yaml.safe_load((STRINGS / "vi.yaml").read_text("utf-8"))
    en = yaml.safe_load((STRINGS / "en.yaml").read_text("utf-8"))
    assert sorted(vi) == sorted(en)


def test_writer_refuses_two_outputs_to_one_path(tmp_path: Path) -> None:
    writer = Writer(tmp_path)
    writer.write("articles/a.html", "one", "article.html")
    with pytest.raises(OutputCollision, match="articles/a.html would be written twice"):
        writer.write("articles/a.html", "two", "province.html")


def test_writer_links_a_raw_source_or_else_copies_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "seed.txt"
    source.write_bytes("Văn bản gốc\n".encode())
    writer = Writer(tmp_path / "site")
    writer.link("sources/a.txt", str(source), "seeds/seed.txt", "k")
    linked = tmp_path / "site" / "sources" / "a.txt"
    assert linked.samefile(source)  # no new file: the same bytes on disk
    assert writer.outputs["sources/a.txt"][0] == "k"

    def refuse(*_: object) -> None:
        raise OSError(18, "Invalid cross-device link")
    monkeypatch.setattr("os.link", refuse)
    writer.link("sources/b.txt", str(source), "seeds/seed.txt", "k")
    copied = tmp_path / "site" / "sources" / "b.txt"
    assert copied.read_bytes() == source.read_bytes() and not copied.samefile(source)
    with pytest.raises(OutputCollision):
        writer.link("sources/a.txt", str(source), "seeds/other.txt")


def test_json_ld_is_the_compact_json_of_the_standard_library_escaped() -> None:
    """orjson writes it, and the standard library what orjson refuses: the same text either way."""
    for data in ({"b": 'quote " back \\ tab \t line \n ctl \x01 sep \u2028 é Đắk', "a": [1, {"z": None, "y": True}]},
                 {"lone": "x\ud800y"}, {"big": 10**30}):
        expected = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert str(json_ld(data)) == expected.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def test_helpers() -> None:
    assert format_number(2600000000, "vi") == "2.600.000.000"
    assert format_number(99.8, "vi") == "99,8"
    assert format_number(2600000000, "en") == "2,600,000,000"
    assert format_date("2022-05-13", "vi") == "13/05/2022"
    assert format_date("2022-05-13T12:35:00+07:00", "vi") == "13/05/2022 12:35"
    assert str(json_ld({"a": "</script><!--"})) == '{"a":"\\u003c/script\\u003e\\u003c!--"}'
    pages = paginate(list(range(5)), "years/2020", 2)  # type: ignore[arg-type]
    assert [p.path for p in pages] == ["years/2020.html", "years/2020.2.html", "years/2020.3.html"]
    assert pages[0].previous is None and pages[2].next is None
    html = str(body_html("Ảnh chú thích\n\nĐoạn <script>x()</script> một.", ["Ảnh chú thích"], []))
    assert html == ('<figure class="photo"><figcaption>Ảnh chú thích</figcaption></figure>\n'
                    "<p>Đoạn  một.</p>")


def test_repository_site_yaml_sets_every_option_with_a_comment() -> None:
    from newsarchive.config import OPTIONS

    text = (Path(__file__).resolve().parents[1] / "site.yaml").read_text("utf-8")
    lines = text.splitlines()
    for option in OPTIONS:
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{option.name}:"))
        assert lines[index - 1].startswith("# "), option.name
    assert load_config(Path(__file__).resolve().parents[1] / "site.yaml").page_size == 20


def test_csv_text_cells_cannot_start_a_spreadsheet_formula():
    from newsarchive.render import csv_text

    assert csv_text("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert csv_text("@SUM(A1)") == "'@SUM(A1)"
    assert csv_text("-2+3") == "'-2+3"
    assert csv_text("2,6 tỷ đồng") == "2,6 tỷ đồng"
    assert csv_text(None) == ""


def test_an_index_job_for_another_process_reads_its_sources_from_a_file_a_chunk_at_a_time(tmp_path: Path,
                                                                                           monkeypatch) -> None:
    monkeypatch.setattr(SourcesFile, "CHUNK", 2)
    sources = [(f"key{i}", f"slug-{i}", str) for i in range(5)]  # str: a picklable reader
    path = tmp_path / ".sources"
    job = IndexJob(str(tmp_path), "vi", {}, SourcesFile.written(str(path), sources))
    sent = pickle.loads(pickle.dumps(job))
    assert b"slug-0" not in pickle.dumps(job)  # the sources go through the file alone
    docs = iter(sent.docs())
    first = next(docs)
    with open(path, "rb") as file:
        assert pickle.load(file) == sources[:2] and file.tell() < path.stat().st_size  # chunks of two
    assert first[1].args == ("slug-0", str)
    assert [(key, made.args) for key, made in [first, *docs]] == [(key, (slug, read)) for key, slug, read in sources]
    assert not path.exists()  # removed once read


def test_article_tasks_are_made_and_handed_to_the_workers_a_few_chunks_at_a_time() -> None:
    from newsarchive.render import _ArticleWork, _Pending

    made: list[int] = []

    def chunks():
        for number in range(5):
            made.append(number)
            yield number, []

    class Result:
        def __init__(self, number: int):
            self.number, self.done = number, False

        def ready(self) -> bool:
            return self.done

        def get(self) -> tuple[list, list]:
            return [], []  # nothing written, no piece made

    class Pool:
        def __init__(self):
            self.given: list[Result] = []
            self.closed = False

        def apply_async(self, function, args) -> Result:
            self.given.append(Result(args[1]))
            return self.given[-1]

        def close(self) -> None:
            self.closed = True

        def join(self) -> None:
            assert self.closed

        def terminate(self) -> None:
            pass

    pool = Pool()
    pending = _Pending(None, [pool], None, _ArticleWork(None, chunks(), ahead=2))
    assert made == [0, 1] and [result.number for result in pool.given] == [0, 1]
    pending.poll()
    assert made == [0, 1]  # none done: none more handed over
    pool.given[1].done = True
    pending.poll()
    assert made == [0, 1]  # recorded in order: the first is still under way
    pool.given[0].done = True
    pending.poll()
    assert made == [0, 1, 2, 3] and not pool.closed
    pending.finish()
    assert made == [0, 1, 2, 3, 4] and [result.number for result in pool.given] == [0, 1, 2, 3, 4] and pool.closed


def test_listing_items_renders_each_article_once_and_fills_in_each_page(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from jinja2 import DictLoader, Environment

    from newsarchive.render import ListingItems

    calls: list[str] = []
    env = Environment(loader=DictLoader({"_macros.html": (
        "{% macro article_item(article, heading, indent) %}{{ indent }}<h{{ heading }}>"
        "<a href=\"{{ root }}{{ article.slug }}.html\">{{ called(article.slug) }}Đà Nẵng</a>{% endmacro %}")}),
        autoescape=True)
    items = ListingItems(env, {"called": lambda slug: calls.append(slug) or ""}, 2)
    a, b = SimpleNamespace(slug="a", number=0), SimpleNamespace(slug="b", number=1)
    assert items([a, b], "2", "", "") == '<h2><a href="a.html">Đà Nẵng</a>\n<h2><a href="b.html">Đà Nẵng</a>'
    assert items([b], "3", "  ", "../") == '  <h3><a href="../b.html">Đà Nẵng</a>'
    assert calls == ["a", "b"]  # b's item was kept, not rendered again
    items.clear()
    assert items([b], "2", "", "") == '<h2><a href="b.html">Đà Nẵng</a>' and calls == ["a", "b", "b"]


def test_made_pieces_are_given_back_in_archive_order() -> None:
    from newsarchive.render import MadePieces

    made = MadePieces()
    made.add(1, "pieces/0-1", 0, 10)
    made.add(4, "pieces/1-1", 1 << 40, 7)
    with pytest.raises(ValueError):
        made.add(3, "pieces/1-1", 20, 5)  # tasks are recorded in archive order
    assert [made.take(number) for number in range(6)] == \
        [None, ("pieces/0-1", 0, 10), None, None, ("pieces/1-1", 1 << 40, 7), None]


def test_writer_writes_text_made_a_piece_at_a_time(tmp_path: Path) -> None:
    writer = Writer(tmp_path)
    pieces = ["<urlset>", *(f"<loc>trang-{n}.html</loc>" for n in range(5000)), "</urlset>\n"]
    writer.write("sitemap.xml", iter(pieces), "sitemap.xml", "k")
    assert (tmp_path / "sitemap.xml").read_text("utf-8") == "".join(pieces)
    assert writer.outputs["sitemap.xml"][0] == "k"
