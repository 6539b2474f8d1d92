"""Search in Chromium: typed queries without diacritics, over HTTP (root and sub-path) and file://.

A small site is built here by the real pipeline from records written for these tests (words with
each tone, both tone placements, provinces then and now, hostile text), and the seeds' site is
searched too when the repository has articles.
"""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from pathlib import Path

import pytest

from newsarchive import search
from newsarchive.article_file import format_article
from newsarchive.build import build
from newsarchive.config import load_config
from newsarchive.records import DirectiveRef, Record
from newsarchive.text import fold

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]

def ui_strings() -> dict[str, str]:
    import yaml

    return yaml.safe_load((REPO / "src/newsarchive/strings/vi.yaml").read_text(encoding="utf-8"))


def _record(slug, title, body, published="2022-05-13", province="Đồng Tháp", province_current="Đồng Tháp",
            district="Cao Lãnh", directives=()):
    refs = [DirectiveRef(id=d, primary=i == 0, mentions=1, evidence=[d]) for i, d in enumerate(directives)]
    return Record(source=f"seeds/{slug}.txt", title=title, slug=slug, published=published, province=province,
                  province_current=province_current, district=district, body=body, directives=refs)


RECORDS = [
    _record("lam-theo-bac", "Cao Lãnh đẩy mạnh học tập và làm theo Bác",
            "Nhiều năm qua, cán bộ, đảng viên huyện Cao Lãnh đã học tập và làm theo Bác bằng việc làm cụ thể.",
            directives=["05-CT/TW"]),
    _record("bac-lieu", "Gió bắc về Bạc Liêu", "Mùa gió bắc, ngư dân làm theo kinh nghiệm cũ; nghề đồ bạc vẫn giữ.",
            published="2021-01-02", province="Bạc Liêu", province_current="Cà Mau", district=None),
    _record("uy-ban-cu", "Uỷ ban nhân dân xã họp", "Uỷ ban nhân dân xã Phúc An đã họp bàn kế hoạch năm.",
            published="2019-06-05", province="Yên Bái", province_current="Lào Cai", district="Yên Bình",
            directives=["03-CT/TW"]),
    _record("uy-ban-moi", "Ủy ban Mặt trận tổ chức hội nghị", "Ủy ban Mặt trận Tổ quốc tỉnh tổ chức hội nghị tổng kết.",
            published="2023-02-01", province="Lào Cai", province_current="Lào Cai", district=None),
    _record("uy-tach", "Huyện ủy họp với Ban Thường vụ", "Huyện ủy làm việc; Ban Thường vụ nghe báo cáo.",
            published="2024-01-02", province="Lào Cai", province_current="Lào Cai", district=None),
    _record("doc-hai", "<img src=x onerror=\"window.pwned=1\"> Chuyện ở Tháp Mười",
            "Đoạn văn <script>window.pwned=2</script> nói về Đồng Tháp và <b>lúa</b>; constructor __proto__.",
            published="2020-03-04", district="Tháp Mười"),
]


def build_site(records: list[Record], folder: Path) -> Path:
    """The repository's build (templates, static, render calling write_index) over these records."""
    articles = folder / "articles"
    articles.mkdir(parents=True)
    for record in records:
        (articles / f"{record.slug}.md").write_text(format_article(record), encoding="utf-8")
    config = dataclasses.replace(load_config(REPO / "site.yaml"), articles_dir=str(articles))
    report = build(config, folder / "site")
    assert not report.problems.errors, [str(p) for p in report.problems.errors]
    assert report.articles == len(records)
    return folder / "site"


@pytest.fixture(scope="module")
def small_site(tmp_path_factory) -> Path:
    return build_site(RECORDS, tmp_path_factory.mktemp("search-site"))


def wait_done(page) -> None:
    page.wait_for_function(
        "() => { const f = document.getElementById('search-form');"
        " return f && (f.dataset.state === 'done' || f.dataset.state === 'error'); }",
        timeout=10_000)


def result_urls(page) -> list[str]:
    return page.eval_on_selector_all(".search-result-title a", "as => as.map(a => a.getAttribute('href'))")


def type_query(page, query: str) -> list[str]:
    page.evaluate("document.getElementById('search-form').dataset.state = 'typing'")
    page.fill("#search-q", "")
    page.type("#search-q", query)
    page.press("#search-q", "Enter")
    wait_done(page)
    return result_urls(page)


def check_queries(page, url: str) -> None:
    page.goto(url + "search.html")
    page.wait_for_selector("#search-form[data-ready]")
    assert type_query(page, "lam theo bac")[0] == "articles/lam-theo-bac.html"
    marks = page.eval_on_selector_all(".search-results mark", "ms => ms.map(m => m.textContent)")
    assert {"làm", "theo", "Bác"} <= set(marks)
    assert "articles/doc-hai.html" in type_query(page, "dong thap")
    found = type_query(page, "uy ban")  # "ủy ban" side by side before "Huyện ủy ... Ban"
    assert set(found[:2]) == {"articles/uy-ban-cu.html", "articles/uy-ban-moi.html"}
    assert found[2:] == ["articles/uy-tach.html"]
    found = type_query(page, "Bác")
    assert found[0] == "articles/lam-theo-bac.html" and "articles/bac-lieu.html" in found
    assert page.errors == []


def test_queries_over_http(page, small_site, serve_dir):
    check_queries(page, serve_dir(small_site))


def test_queries_under_sub_path(page, small_site, serve_dir):
    check_queries(page, serve_dir(small_site, prefix="/kho/luu-tru"))


def test_queries_over_file_url(page, small_site):
    check_queries(page, small_site.as_uri() + "/")


def test_query_from_address_and_excerpt(page, small_site, serve_dir):
    page.goto(serve_dir(small_site) + "search.html?q=lam+theo+bac")
    wait_done(page)
    assert page.input_value("#search-q") == "lam theo bac"
    first = page.locator(".search-result").first
    assert first.locator(".search-result-meta").inner_text() == "13/05/2022 · Cao Lãnh, Đồng Tháp"
    assert "làm theo Bác" in first.locator(".search-result-excerpt").inner_text()
    assert "kết quả" in page.inner_text("#search-status")
    assert page.errors == []


def test_record_fields_are_searched(page, small_site, serve_dir):
    page.goto(serve_dir(small_site) + "search.html")
    page.wait_for_selector("#search-form[data-ready]")
    assert type_query(page, "yen binh") == ["articles/uy-ban-cu.html"]  # district
    assert type_query(page, "yen bai") == ["articles/uy-ban-cu.html"]  # province then
    assert "articles/uy-ban-cu.html" in type_query(page, "lao cai")  # province now
    assert type_query(page, "05-CT/TW") == ["articles/lam-theo-bac.html"]  # directive id
    assert type_query(page, "phong cach ho chi minh") == ["articles/lam-theo-bac.html"]  # its name
    assert type_query(page, "2019") == ["articles/uy-ban-cu.html"]  # year
    meta = page.inner_text(".search-result-meta")
    assert meta.endswith("Yên Bình, Yên Bái (" + ui_strings()["search_now"].format(province="Lào Cai") + ")")  # then and now
    assert type_query(page, "khongcotu") == []
    assert page.inner_text("#search-status") == ui_strings()["search_none"]
    assert page.errors == []


def test_exact_diacritics_rank_first(page, small_site, serve_dir):
    page.goto(serve_dir(small_site) + "search.html")
    page.wait_for_selector("#search-form[data-ready]")
    assert type_query(page, "bạc")[0] == "articles/bac-lieu.html"
    assert type_query(page, "Bác")[0] == "articles/lam-theo-bac.html"
    assert type_query(page, "BÁC")[0] == "articles/lam-theo-bac.html"
    # either tone placement typed finds both spellings, both as exact matches
    assert set(type_query(page, "Uỷ ban")[:2]) == {"articles/uy-ban-cu.html", "articles/uy-ban-moi.html"}
    assert set(type_query(page, "ủy ban")[:2]) == {"articles/uy-ban-cu.html", "articles/uy-ban-moi.html"}
    assert page.errors == []


def test_filters(page, small_site, serve_dir):
    page.goto(serve_dir(small_site) + "search.html?q=uy+ban&province=lao-cai")
    wait_done(page)
    assert set(result_urls(page)) == {"articles/uy-ban-cu.html", "articles/uy-ban-moi.html", "articles/uy-tach.html"}
    page.select_option("#search-year", "2019")
    wait_done(page)
    page.wait_for_function("() => document.querySelectorAll('.search-result').length === 1")
    assert result_urls(page) == ["articles/uy-ban-cu.html"]
    assert "year=2019" in page.url and "province=lao-cai" in page.url
    # a filter alone lists its articles
    page.goto(serve_dir(small_site) + "search.html?directive=05-ct-tw")
    wait_done(page)
    assert result_urls(page) == ["articles/lam-theo-bac.html"]
    assert page.errors == []


def test_untrusted_text_is_not_markup(page, small_site, serve_dir):
    page.goto(serve_dir(small_site) + "search.html?q=thap+muoi")
    wait_done(page)
    assert result_urls(page) == ["articles/doc-hai.html"]
    assert page.locator(".search-results img, .search-results script, .search-results b").count() == 0
    assert "<img" in page.inner_text(".search-result-title")
    page.wait_for_selector("#search-form[data-ready]")
    assert type_query(page, "constructor proto") == ["articles/doc-hai.html"]  # words that are JS names
    assert page.evaluate("window.pwned") is None
    assert page.errors == []


def test_prefix_of_last_word_while_typing(page, small_site, serve_dir):
    page.goto(serve_dir(small_site) + "search.html")
    page.wait_for_selector("#search-form[data-ready]")
    page.evaluate("document.getElementById('search-form').dataset.state = 'typing'")
    page.type("#search-q", "mat tra")  # no Enter: the last word may be unfinished
    wait_done(page)
    assert result_urls(page) == ["articles/uy-ban-moi.html"]
    assert "Mặt trận" in page.inner_text(".search-result-title")
    # submitted, the same words must be whole
    page.press("#search-q", "Enter")
    page.wait_for_function("() => document.querySelectorAll('.search-result').length === 0")
    assert page.errors == []


SAMPLES = ["Chỉ thị 05-CT/TW, “làm theo Bác”…", "ĐỒNG THÁP", "Uỷ ban", "ủy BAN", "Hoà Bình hoá",
           unicodedata.normalize("NFD", "Mù Cang Chải đường"), "東京 2,6 tỷ đồng_x", "Nguyễn Thị Ánh Tuyết"]


def test_python_and_javascript_agree(page, small_site, serve_dir):
    page.goto(serve_dir(small_site) + "search.html")
    page.wait_for_selector("#search-form[data-ready]")
    js = page.evaluate(
        """samples => samples.map(s => { const a = window.newsarchiveSearchApi;
             const words = a.tokens(s);
             return {tokens: words, folded: words.map(a.fold), sigs: words.map(a.signature),
                     facet: a.facetKey('p', s), file: a.fileName(a.facetKey('p', s)),
                     bucket: a.bucket(words.map(a.fold).join(' '), 97)}; })""",
        SAMPLES)
    py = []
    for s in SAMPLES:
        words = search.tokens(s)
        key = search.facet_key("p", s)
        py.append({"tokens": words, "folded": [fold(w) for w in words],
                   "sigs": [search.signature(w) for w in words], "facet": key, "file": search.file_name(key),
                   "bucket": search.bucket(" ".join(fold(w) for w in words), 97)})
    assert json.dumps(js, ensure_ascii=False) == json.dumps(py, ensure_ascii=False)


def _seed_docs(site: Path) -> list[dict]:
    docs = []
    for path in sorted((site / "search" / "d").glob("*.js"), key=lambda p: int(p.stem)):
        text = path.read_text(encoding="utf-8")
        docs += json.loads(text[text.index("["):text.rindex("]") + 1])  # the file's documents, in id order
    return docs


SEED_QUERIES = {  # query -> words that, written in an article, make it a hit that ranks first
    "lam theo bac": ["làm theo Bác"],
    "dong thap": ["Đồng Tháp"],
    "uy ban": ["Ủy ban", "Uỷ ban"],
    "mu cang chai": ["Mù Cang Chải", "Mù Căng Chải"],
}


@pytest.mark.parametrize("where", ["http", "sub-path", "file"])
def test_seed_site(page, seed_site, serve_dir, where):
    docs = _seed_docs(seed_site)
    if not docs:
        pytest.skip("articles/ holds no records yet (run `newsarchive ingest`)")
    base = {"http": lambda: serve_dir(seed_site), "sub-path": lambda: serve_dir(seed_site, prefix="/luu-tru/tin"),
            "file": lambda: seed_site.as_uri() + "/"}[where]()
    page.goto(base + "search.html")
    page.wait_for_selector("#search-form[data-ready]")
    checked = 0
    for query, words in SEED_QUERIES.items():
        expected = {d["u"] for d in docs
                    if any(w.lower() in (d["t"] + " " + d["x"] + " " + " ".join(d["p"])).lower() for w in words)}
        found = type_query(page, query)
        more = page.locator("#search-more")
        while more.is_visible():
            more.click()
            page.wait_for_function("() => !document.querySelector('.search-result[aria-busy]')")
            found = result_urls(page)
        # every article with the words side by side is found, and ranks above the others
        assert set(found[:len(expected)]) == expected, (query, expected, found)
        checked += bool(expected)
        if found:
            assert page.locator(".search-results mark").count() > 0
    assert checked >= 2  # the seeds do speak of làm theo Bác and Ủy ban
    assert page.errors == []


def test_results_are_accessible(page, small_site, serve_dir):
    axe = REPO / "node_modules/axe-core/axe.min.js"
    if not axe.exists():
        pytest.skip("node_modules/axe-core is missing: run `npm ci`")
    page.goto(serve_dir(small_site) + "search.html?q=uy+ban&province=lao-cai")
    wait_done(page)
    assert len(result_urls(page)) == 3
    page.add_script_tag(path=str(axe))
    result = page.evaluate("axe.run()")
    serious = [f"{v['id']}: {v['help']}" for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert page.errors == []


def test_more_results_page_by_page(page, tmp_path, serve_dir):
    records = [_record(f"tin-{i:02d}", f"Tin số {i} về Mặt trận", f"Nội dung tin {i}.", published=f"20{10 + i}-01-01")
               for i in range(23)]
    site = build_site(records, tmp_path)
    page.goto(serve_dir(site) + "search.html?q=mat+tran")
    wait_done(page)
    assert page.inner_text("#search-status") == ui_strings()["search_count"].format(count=23)
    found = result_urls(page)
    assert found == [f"articles/tin-{i:02d}.html" for i in range(22, 12, -1)]  # same score: newest first
    for shown in (20, 23):
        page.click("#search-more")
        page.wait_for_function(f"() => document.querySelectorAll('.search-result:not([aria-busy])').length === {shown}")
    assert page.locator("#search-more").is_hidden()
    assert len(set(result_urls(page))) == 23
    assert page.errors == []
