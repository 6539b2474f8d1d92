"""Fuzzing ingest and load with Hypothesis: whatever the input, a record or a clear problem, never a crash.

The budget is small and derandomized so CI stays fast and repeatable (a few seconds per test). For a
long hunt, raise it: `FUZZ_EXAMPLES=20000 pytest tests/test_fuzz.py`.
"""

from __future__ import annotations

import json
import os
import re
import string
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsarchive.article_file import (
    FrontMatterError,
    format_article,
    parse_front_matter,
    split_article,
)
from newsarchive.body import body_html
from newsarchive.config import default_config
from newsarchive.decode import decode_bytes
from newsarchive.extract import extract
from newsarchive.ingest import ingest
from newsarchive.load import read_record
from newsarchive.problems import InputError, Problems
from newsarchive.render import json_ld
from newsarchive.text import is_safe_slug, slugify

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))


def budget(examples: int) -> settings:
    return settings(max_examples=EXAMPLES or examples, deadline=2000, derandomize=not EXAMPLES, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# Text that looks like a scraped article: Vietnamese words, chrome, numbers, odd spaces and marks.
WORDS = ["Yên Bái", "Chỉ thị số 05-CT/TW", "2,6 tỷ đồng", "ngày 13/5/2022", "- Advertisement -", "Trang chủ",
         "Ảnh: TTXVN", "Đồng chí Nguyễn Văn A, Bí thư Tỉnh ủy", "huyện Yên Bình", "30/30 chỉ tiêu", "<script>",
         "\u00a0", "\u200b", "\ufeff", "\r\n", "\n\n", "\t", "---", "title: x", "#", "*", "|", "&", "\u0301"]
article_text = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=20)), max_size=60).map(" ".join)
VIETNAMESE = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
letters = st.text(alphabet=string.ascii_letters + VIETNAMESE + VIETNAMESE.upper() + " ,.:\n", max_size=200)


@budget(300)
@given(st.binary(max_size=3000))
def test_any_bytes_decode_or_give_a_problem(data: bytes) -> None:
    try:
        decoded = decode_bytes(data, "seeds/x.txt")
    except InputError as err:
        assert err.problem.path == "seeds/x.txt" and err.problem.message.endswith(".")
        return
    assert "\r" not in decoded.text and "\x00" not in decoded.text


@budget(300)
@given(letters)
def test_vietnamese_in_any_legacy_encoding_never_crashes(text: str) -> None:
    for codec in ("cp1258", "cp1252", "latin-1", "utf-16"):
        try:
            data = unicodedata.normalize("NFD", text).encode(codec)
        except UnicodeEncodeError:
            continue
        try:
            decode_bytes(data, "seeds/x.txt")
        except InputError:
            pass


@budget(150)
@given(st.one_of(article_text, st.text(max_size=2000)))
def test_extract_never_crashes(raw: str) -> None:
    record = extract(raw, "seeds/x.txt")
    assert is_safe_slug(record.slug)


@budget(40)
@given(st.lists(st.one_of(st.binary(max_size=500), article_text.map(str.encode)), min_size=1, max_size=3))
def test_ingest_never_crashes_and_names_every_problem(seeds: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "seeds").mkdir()
        for number, data in enumerate(seeds):
            (root / "seeds" / f"{number}.txt").write_bytes(data)
        problems = Problems()
        report = ingest(default_config(root), problems)
        handled = {p.path for p in problems.errors} | {Path(p).name for p in report.written}
        assert len(report.written) + len(problems.errors) == len(seeds), handled
        for path in (root / "articles").glob("*.md"):  # what ingest writes, load accepts
            load_problems = Problems()
            assert read_record(path, path.name, load_problems) is not None, [str(p) for p in load_problems.items]
            assert not load_problems.errors


# --- load ------------------------------------------------------------------------------------------

RECORD_KEYS = ["source", "title", "slug", "published", "province", "province_current", "district", "period",
               "localities", "directives", "metrics", "people", "byline", "captions", "evidence", "body"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
                    st.dates().map(str), st.sampled_from(["05-CT/TW", "province", "bai-thu", "2022-05-13", "CON"]))
NESTED_KEYS = ["name", "level", "code", "id", "primary", "mentions", "text", "value", "unit", "sentence", "year",
               "inferred", "evidence"]
keys = st.one_of(st.sampled_from(RECORD_KEYS + NESTED_KEYS), st.text(max_size=8))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(keys, inner, max_size=5)), max_leaves=20)
# A valid record with some fields replaced: random mappings alone are almost never records, and the
# interesting failures are in what load accepts.
VALID = {"source": "seeds/a.txt", "title": "Bài thử", "slug": "bai-thu", "published": "2022-05-13",
         "province": "Yên Bái", "province_current": "Lào Cai", "district": "Yên Bình"}
field_values = {
    "title": st.text(), "byline": st.text(), "slug": st.one_of(st.text(max_size=30), st.sampled_from(
        ["index", "con", "nul", "com1", "a" * 300, "../x", ".x", "bai-thu"])),
    "published": st.one_of(st.datetimes(), st.dates(), st.text(max_size=30)),
    "metrics": st.lists(st.fixed_dictionaries(
        {"text": st.text(max_size=10), "value": st.one_of(st.integers(), st.floats()), "unit": st.text(max_size=5),
         "sentence": st.text(max_size=20)}, optional={"total": st.one_of(st.none(), st.floats()),
                                                      "qualifier": st.one_of(st.none(), st.text(max_size=5))}),
        max_size=2),
    "period": st.one_of(st.none(), st.fixed_dictionaries({"year": st.integers(), "evidence": st.text(max_size=9)})),
    "captions": st.lists(st.text(max_size=30), max_size=2),
}
overrides = st.one_of(*(st.dictionaries(st.just(key), strategy, min_size=1) for key, strategy in field_values.items()),
                      st.dictionaries(st.sampled_from(RECORD_KEYS), values, max_size=3))
front_matters = st.one_of(st.dictionaries(st.sampled_from(RECORD_KEYS), values, max_size=len(RECORD_KEYS)),
                          st.lists(overrides, max_size=3).map(lambda changes: {
                              **VALID, **{k: v for change in changes for k, v in change.items()}}))
yaml_noise = st.lists(st.sampled_from(["a: &x [1]", "b: *x", "!!python/object:os.system", "? [a]", ": b", "- ",
                                       "  ", "{", "}", "[", "]", "'", '"', "\\u00", "2022-13-45", "\n", "\t",
                                       "title: t", "slug: s", "<<: *x", "!!binary", "%YAML 1.1", "--- ", "..."]),
                      max_size=30).map("".join)


def check_file(text: str) -> None:
    """load on one file: a record, or exactly one error naming the file; never an exception."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.md"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        problems = Problems()
        record = read_record(path, "articles/a.md", problems)
    if record is None:
        assert len(problems.errors) == 1 and str(problems.errors[0]).startswith("articles/a.md")
        return
    assert not problems.errors and is_safe_slug(record.slug)
    again = split_article(format_article(record))  # what load accepts, the writer writes back unchanged
    assert again is not None and again.body == record.body.strip("\n")
    assert parse_front_matter(again.front_matter) == record.front_matter()
    data = record.to_dict()
    json.dumps(data, allow_nan=False)  # the data export is strict JSON: no NaN, no Infinity
    xml_text = "".join(str(v) for v in data.values() if isinstance(v, str))
    ET.fromstring(f"<feed>{escape(xml_text)}</feed>")  # and every text can go into a feed
    assert active_markup(str(body_html(record.body, record.captions, record.subheadings))) == []
    assert "<" not in json_ld(record.to_dict())  # nothing in it can close its <script> element


@budget(300)
@given(front_matters, st.text(max_size=200))
def test_load_any_front_matter_mapping(front: dict, body: str) -> None:
    check_file(f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n\n{body}\n")


@budget(300)
@given(st.one_of(yaml_noise, st.text(max_size=300)), st.text(max_size=50))
def test_load_any_front_matter_text(front: str, body: str) -> None:
    check_file(f"---\n{front}\n---\n{body}")


@budget(200)
@given(yaml_noise)
def test_parse_front_matter_raises_only_its_own_error(text: str) -> None:
    try:
        parse_front_matter(text)
    except FrontMatterError as err:
        assert str(err).endswith(".")


# --- untrusted text in the body --------------------------------------------------------------------

HTML_BITS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
             "<a href='javascript:alert(1)'>x</a>", "</script>", "<svg onload=alert(1)>", "<iframe src=x>",
             "<style>*{}</style>", "[x](JaVaScRiPt:alert(1))", "[x](&#106;avascript:alert(1))", "<",
             ">", "\"", "'", "=", " ", "\n\n", "on", "error", "<b ", "javascript", ":", "`", "&", "#", "*"]


class ActiveMarkup(HTMLParser):
    """Elements and attributes in parsed HTML that could run script: what a browser would act on.

    `own_tags` are the page's own furniture (the masthead's logo and search form); a script is the
    site's own when it is a file from static/ or search/, or JSON-LD data.
    """

    def __init__(self, own_tags: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.own_tags = own_tags
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        own_script = tag == "script" and (attributes.get("type") == "application/ld+json" or
                                          re.fullmatch(r"(\.\./)*(static|search)/[\w.-]+\.js", attributes.get("src") or ""))
        risky = {"script", "iframe", "style", "svg", "img", "object", "embed", "form", "math", "base", "meta"}
        if tag in risky - self.own_tags and not own_script:
            self.found.append(tag)
        for name, value in attrs:
            scheme = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on") or scheme.startswith(("javascript:", "vbscript:", "data:")):
                self.found.append(f"{tag} {name}={value}")


def active_markup(html: str, own_tags: frozenset[str] = frozenset()) -> list[str]:
    parser = ActiveMarkup(own_tags)
    parser.feed(html)
    parser.close()
    return parser.found


@budget(300)
@given(st.lists(st.sampled_from(HTML_BITS), max_size=25).map("".join))
def test_body_html_never_lets_script_through(body: str) -> None:
    assert active_markup(str(body_html(body, [body[:40]], [body[40:80]]))) == []


@budget(500)
@given(st.text())
def test_any_title_gives_a_safe_slug(title: str) -> None:
    slug = slugify(title)
    assert is_safe_slug(slug) and len(slug.encode()) <= 255
