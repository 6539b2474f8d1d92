"""Search at archive size: 10,000 synthetic Vietnamese articles, timed in Chromium.

    .venv/bin/python bench/search_bench.py [--docs 10000] [--out DIR] [--keep]

Generates seeded synthetic articles (a Zipf-distributed Vietnamese vocabulary: common words,
generated syllables, province and district names, directive numbers), builds the index with
search.build_index, times search.update_index after editing one article (and checks it gives the
clean build's bytes), renders templates/search.html over a minimal base, serves the folder on
127.0.0.1 (port 0), and for each query loads search.html?q=... in Debian's Chromium and reports:
time from navigation start to the first results on screen, the search's own time (query typed
-> results rendered), and the bytes of index files the query downloaded. Deterministic input:
the same seed gives the same archive and the same index.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import http.server
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from newsarchive.search import SearchDoc, build_index, update_index

COMMON = ["của", "và", "các", "là", "được", "trong", "có", "những", "cho", "với", "đã", "người", "năm", "này", "một", "không", "đến", "theo", "về", "để", "tại", "từ", "công", "tác", "cán", "bộ", "đảng", "viên", "nhân", "dân", "phát", "triển", "kinh", "tế", "xã", "hội", "tỉnh", "huyện", "xã", "thực", "hiện", "chỉ", "thị", "nghị", "quyết", "học", "tập", "làm", "theo", "tư", "tưởng", "đạo", "đức", "phong", "cách", "Hồ", "Chí", "Minh", "Bác", "Hồ", "Ủy", "ban", "Uỷ", "ban", "Mặt", "trận", "Tổ", "quốc", "Hội", "đồng", "Ban", "Thường", "vụ", "Tỉnh", "ủy", "Huyện", "ủy", "Đảng", "bộ", "chi", "bộ", "cơ", "sở", "chính", "quyền", "đoàn", "thể", "nông", "thôn", "mới", "giảm", "nghèo", "chương", "trình", "kế", "hoạch", "mục", "tiêu", "chỉ", "tiêu", "đạt", "vượt", "tăng", "trưởng", "đồng", "tỷ", "triệu", "hộ", "gia", "đình", "mô", "hình", "hiệu", "quả", "tuyên", "truyền", "vận", "động", "phong", "trào", "thi", "đua", "khen", "thưởng", "tập", "thể", "cá", "nhân", "điển", "hình", "tiên", "tiến", "gương", "sáng", "việc", "làm", "cụ", "thể", "thiết", "thực", "đời", "sống", "văn", "hóa", "giáo", "dục", "y", "tế", "an", "ninh", "quốc", "phòng", "trật", "tự", "an", "toàn", "giao", "thông", "đường", "bộ", "cầu", "trường", "học", "trạm", "bệnh", "viện", "sản", "xuất", "nông", "nghiệp", "lúa", "gạo", "cây", "trồng", "vật", "nuôi", "thủy", "sản", "du", "lịch", "dịch", "vụ", "thương", "mại", "đầu", "tư", "doanh", "nghiệp", "hợp", "tác", "xã", "người", "dân", "bà", "con", "đồng", "bào", "dân", "tộc", "thiểu", "số", "vùng", "sâu", "vùng", "xa", "biên", "giới", "miền", "núi", "đồng", "bằng", "sông", "bắc", "bạc", "bác", "bậc", "nam", "trung", "ương", "địa", "phương", "thành", "phố", "thị", "xã", "thị", "trấn", "phường", "ấp", "thôn", "bản", "làng", "hội", "nghị", "tổng", "kết", "sơ", "kết", "triển", "khai", "quán", "triệt", "lãnh", "đạo", "chỉ", "đạo", "kiểm", "tra", "giám", "sát", "đánh", "giá", "năng", "lực", "trách", "nhiệm", "nêu", "gương", "đoàn", "kết", "dân", "chủ", "kỷ", "luật", "kỷ", "cương", "liêm", "chính", "chí", "công", "vô", "tư"]

PROVINCES = """Hà Nội|Hải Phòng|Đà Nẵng|Thành phố Hồ Chí Minh|Cần Thơ|An Giang|Bà Rịa - Vũng Tàu|Bắc Giang|
Bắc Kạn|Bạc Liêu|Bắc Ninh|Bến Tre|Bình Định|Bình Dương|Bình Phước|Bình Thuận|Cà Mau|Cao Bằng|
Đắk Lắk|Đắk Nông|Điện Biên|Đồng Nai|Đồng Tháp|Gia Lai|Hà Giang|Hà Nam|Hà Tĩnh|Hải Dương|Hậu Giang|
Hòa Bình|Hưng Yên|Khánh Hòa|Kiên Giang|Kon Tum|Lai Châu|Lâm Đồng|Lạng Sơn|Lào Cai|Long An|Nam Định|
Nghệ An|Ninh Bình|Ninh Thuận|Phú Thọ|Phú Yên|Quảng Bình|Quảng Nam|Quảng Ngãi|Quảng Ninh|Quảng Trị|
Sóc Trăng|Sơn La|Tây Ninh|Thái Bình|Thái Nguyên|Thanh Hóa|Thừa Thiên Huế|Tiền Giang|Trà Vinh|
Tuyên Quang|Vĩnh Long|Vĩnh Phúc|Yên Bái""".replace("\n", "").split("|")
CURRENT = {"Yên Bái": "Lào Cai", "Tiền Giang": "Đồng Tháp", "Bạc Liêu": "Cà Mau", "Hà Giang": "Tuyên Quang",
           "Bắc Kạn": "Thái Nguyên", "Hải Dương": "Hải Phòng", "Long An": "Tây Ninh", "Kon Tum": "Quảng Ngãi"}
DISTRICTS = ["Cao Lãnh", "Tháp Mười", "Yên Bình", "Mù Cang Chải", "Châu Thành", "Lục Yên", "Văn Chấn",
             "Hồng Ngự", "Lai Vung", "Cái Bè", "Kỳ Anh", "Duyên Hải", "Long Mỹ", "Ba Vì", "Sóc Sơn"]
DIRECTIVES = [("05-CT/TW", "Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh"),
              ("03-CT/TW", "Về tiếp tục đẩy mạnh việc học tập và làm theo tấm gương đạo đức Hồ Chí Minh"),
              ("04-NQ/TW", "Về tăng cường xây dựng, chỉnh đốn Đảng"),
              ("01-KL/TW", "Kết luận về tiếp tục thực hiện Chỉ thị 05-CT/TW")]

ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "nh", "ph", "qu",
          "r", "s", "t", "th", "tr", "v", "x"]
NUCLEI = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "ia", "ua", "ươ", "uô", "iê", "oa", "uy"]
CODAS = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "o", "u"]
TONE_MARKS = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    """Common words first, then generated syllables: rank r is drawn with weight 1/r (Zipf)."""
    import unicodedata

    words = list(dict.fromkeys(COMMON))
    seen = set(words)
    while len(words) < size:
        syllable = rng.choice(ONSETS) + rng.choice(NUCLEI) + rng.choice(CODAS)
        nucleus = next(i for i, ch in enumerate(syllable) if ch in "aăâeêioôơuưy")
        syllable = syllable[: nucleus + 1] + rng.choice(TONE_MARKS) + syllable[nucleus + 1:]
        syllable = unicodedata.normalize("NFC", syllable)
        if syllable not in seen:
            seen.add(syllable)
            words.append(syllable)
    return words


def synthetic_docs(n: int, seed: int = 5, words: int = 700) -> list[SearchDoc]:
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    weights = [1 / (r + 1) for r in range(len(vocab))]
    docs = []
    for i in range(n):
        province = rng.choice(PROVINCES)
        district = rng.choice(DISTRICTS) if rng.random() < 0.6 else None
        directive = rng.choice(DIRECTIVES) if rng.random() < 0.8 else None
        year = 2015 + rng.randrange(11)
        body = rng.choices(vocab, weights, k=words)
        for _ in range(6):  # places and directives named in the text
            at = rng.randrange(len(body))
            body[at] = rng.choice([province, district or province, directive[0] if directive else "Bác"])
        sentences = [" ".join(body[j:j + 20]).capitalize() + "." for j in range(0, len(body), 20)]
        paragraphs = ["\n".join(sentences[j:j + 5]) for j in range(0, len(sentences), 5)]
        title = " ".join(rng.choices(vocab[:400], k=8)).capitalize() + " ở " + (district or province)
        docs.append(SearchDoc(
            url=f"articles/bai-{i:05d}.html", title=title, date=f"{rng.randrange(1, 29):02d}/"
            f"{rng.randrange(1, 13):02d}/{year}", year=year, province=province,
            province_current=CURRENT.get(province, province), district=district,
            directives=[directive[0]] if directive else [], directive_names=[directive[1]] if directive else [],
            text="\n\n".join(paragraphs)))
    return docs


MINIMAL_BASE = """<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{% block title %}{% endblock %}</title>
<link rel="icon" href="data:,">{% block head %}{% endblock %}</head><body><main>{% block content %}{% endblock %}</main>
{% block scripts %}{% endblock %}</body></html>"""


def render_page(out: Path) -> None:
    import yaml
    from jinja2 import (
        ChoiceLoader,
        DictLoader,
        Environment,
        FileSystemLoader,
        select_autoescape,
    )

    strings_file = REPO / "src/newsarchive/strings/vi.yaml"
    strings = yaml.safe_load(strings_file.read_text(encoding="utf-8")) if strings_file.exists() else {}
    strings = {k: v for k, v in (strings or {}).items()}
    strings.setdefault("search_count", "{count} kết quả")
    env = Environment(loader=ChoiceLoader([DictLoader({"base.html": MINIMAL_BASE}),
                                           FileSystemLoader(REPO / "templates")]),
                      autoescape=select_autoescape())
    filters = {"provinces": [(p, p) for p in sorted(PROVINCES)], "directives": [(d, d) for d, _ in DIRECTIVES],
               "years": list(range(2025, 2014, -1))}
    html = env.get_template("search.html").render(root="", t=strings, site=None, filters=filters)
    (out / "search.html").write_text(html, encoding="utf-8")
    (out / "static").mkdir(exist_ok=True)
    shutil.copy(REPO / "static/search.js", out / "static/search.js")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


QUERIES = ["lam theo bac", "dong thap", "uy ban", "Bác", "chi thi 05-ct/tw", "phong trao thi dua",
           "mu cang chai", "giam ngheo nong thon moi", "nghi quyet"]

BYTES = """() => performance.getEntriesByType('resource').filter(e => e.name.includes('/search/'))
  .reduce((s, e) => [s[0] + e.encodedBodySize, s[1] + 1], [0, 0])"""
DONE = "() => document.getElementById('search-form').dataset.state === 'done'"


def measure(site: Path, queries: list[str], repeats: int = 5) -> list[dict]:
    """Per query, medians over `repeats` runs, each in a fresh browser context (cold cache).

    page: search.html?q=... opened cold; ms from navigation start to the first result on screen.
    typed: the query typed into an open search page (meta.js loaded, nothing else); ms from the
    search starting to the first result on screen, and to the whole first page of 10.
    """
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/search.html"
    args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
            for q in queries:
                page_runs, typed_runs = [], []
                for _ in range(repeats):
                    context = browser.new_context()
                    page = context.new_page()
                    page.goto(url + "?q=" + q.replace(" ", "+").replace("/", "%2F"))
                    page.wait_for_function(DONE)
                    t = page.evaluate("window.newsarchiveSearch.timings")
                    page_runs.append((t["first"], *page.evaluate(BYTES)))
                    context.close()
                    context = browser.new_context()
                    page = context.new_page()
                    page.goto(url)
                    page.wait_for_selector("#search-form[data-ready]")
                    before = page.evaluate(BYTES)
                    page.evaluate("document.getElementById('search-form').dataset.state = 'typing'")
                    page.fill("#search-q", q)
                    page.press("#search-q", "Enter")
                    page.wait_for_function(DONE)
                    t = page.evaluate("window.newsarchiveSearch.timings")
                    after = page.evaluate(BYTES)
                    typed_runs.append((t["first"] - t["start"], t["done"] - t["start"],
                                       after[0] - before[0], after[1] - before[1]))
                    count = page.inner_text("#search-status")
                    context.close()
                rows.append({
                    "query": q, "count": count,
                    "page_ms": statistics.median(r[0] for r in page_runs),
                    "page_bytes": page_runs[0][1], "page_files": page_runs[0][2],
                    "first_ms": statistics.median(r[0] for r in typed_runs),
                    "all_ms": statistics.median(r[1] for r in typed_runs),
                    "bytes": typed_runs[0][2], "files": typed_runs[0][3],
                })
            browser.close()
    finally:
        server.shutdown()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="search-bench-"))
    site = work / "site"
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    started = time.perf_counter()
    docs = synthetic_docs(args.docs)
    generated = time.perf_counter()
    keyed = [(doc.url, doc) for doc in docs]
    files, state = build_index(keyed)
    indexed = time.perf_counter()
    for path, content in files.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(content)
    middle = len(docs) // 2
    edited = dataclasses.replace(docs[middle], text=docs[middle].text + "\n\nMặt trận Tổ quốc họp bàn.")
    changed = [(key, (lambda d=doc: d)) for key, doc in keyed]  # unchanged docs given lazily
    changed[middle] = ("edited", edited)
    runs = []
    for _ in range(5):
        started_update = time.perf_counter()
        written, deleted, _ = update_index(changed, state, files.__getitem__)
        runs.append(time.perf_counter() - started_update)
    clean, _ = build_index(changed)  # in URL order, as lazy docs must be
    after = {path: content for path, content in files.items() if path not in deleted} | written
    assert after == clean, "update_index differs from a clean build"
    render_page(site)
    files = [p for p in (site / "search").rglob("*") if p.is_file()]
    groups = {sub: [p for p in files if p.parent.name == sub] for sub in ("t", "p", "d", "f")}
    print(f"{args.docs} docs generated in {generated - started:.1f} s, indexed in {indexed - generated:.1f} s")
    print(f"one article edited: update in {statistics.median(runs) * 1000:.0f} ms (median of 5),"
          f" {len(written)} files written, {len(deleted)} deleted")
    print(f"index: {len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB")
    for sub, label in (("t", "term shards"), ("p", "word pairs"), ("d", "documents"), ("f", "facets")):
        sizes = [p.stat().st_size for p in groups[sub]]
        print(f"  {label}: {len(sizes)} files, {sum(sizes) / 1e6:.1f} MB, largest {max(sizes) / 1e3:.1f} kB,"
              f" median {statistics.median(sizes) / 1e3:.1f} kB")
    print(f"  meta.js: {(site / 'search' / 'meta.js').stat().st_size / 1e3:.1f} kB")
    print("\n                                           typed on an open page            opened as search.html?q=")
    print("query                     results        first  page of 10  downloaded    first   downloaded")
    for r in measure(site, QUERIES):
        print(f"{r['query']:<25} {r['count']:<14} {r['first_ms']:>4.0f} ms  {r['all_ms']:>5.0f} ms"
              f"  {r['bytes'] / 1e3:>6.1f} kB/{r['files']:<3} {r['page_ms']:>4.0f} ms"
              f"  {r['page_bytes'] / 1e3:>6.1f} kB/{r['page_files']}")
    if not args.keep and not args.out:
        shutil.rmtree(work)
    else:
        print(f"\nsite kept in {site}")


if __name__ == "__main__":
    main()
