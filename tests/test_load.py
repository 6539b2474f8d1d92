"""load: every record validated, one clear message per bad file, taxonomies sorted and merged."""

from __future__ import annotations

import errno
import os
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from test_front_matter import mutated, record_fields, sample_record
from test_fuzz import budget
from vi_textmatch.tone import normalize_tone

from newsarchive import load as load_module
from newsarchive import text
from newsarchive.article_file import (
    OUTSIDE_SUBSET_CHARACTERS,
    FrontMatterError,
    clean_strings,
    format_article,
    parse_front_matter,
    split_article,
)
from newsarchive.cache import pack_stat, stat_of
from newsarchive.config import default_config
from newsarchive.load import (
    MAX_ARTICLE_BYTES,
    RECORD,
    RecordError,
    _nothing_odd,
    _nothing_to_clean,
    _text_of,
    load_archive,
    province_key,
    read_bytes,
    read_bytes_and_stat,
    read_laid_out_record,
    read_record,
    region_table,
    shape_of,
    validate_front_matter,
)
from newsarchive.problems import Problems
from newsarchive.records import (
    DirectiveRef,
    LocalDocument,
    Locality,
    Metric,
    Period,
    Person,
    Record,
)

DATA = Path(__file__).parent / "data"
INVALID = DATA / "invalid"
EXPECTED = yaml.safe_load((INVALID / "expected.yaml").read_text("utf-8"))
GOOD = """---
source: seeds/a.txt
title: Bài thử
slug: {slug}
published: {published}
province: {province}
province_current: {current}
district: {district}
directives:
- id: 05-CT/TW
  primary: true
  evidence: Chỉ thị số 05
localities:
- name: Yên Bái
  level: province
  code: 15
---

Thân bài.
"""


def write(folder: Path, name: str, slug: str = "bai-thu", published: str = "2022-05-13", province: str = "Yên Bái",
          current: str = "Lào Cai", district: str = "Yên Bình") -> Path:
    path = folder / name
    path.write_text(GOOD.format(slug=slug, published=published, province=province, current=current,
                                district=district), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_record_gives_its_exact_message(name: str) -> None:
    problems = Problems()
    record = read_record(INVALID / name, f"articles/{name}", problems)
    assert record is None
    assert [str(p) for p in problems.items] == [EXPECTED[name]]


def test_every_invalid_fixture_has_an_expected_message() -> None:
    assert sorted(p.name for p in INVALID.glob("*.md")) == sorted(EXPECTED)


def test_natural_yaml_forms_are_accepted(tmp_path: Path) -> None:
    """Dates YAML reads as dates, numbers where text is expected, one string for a list."""
    problems = Problems()
    record = read_record(write(tmp_path, "a.md"), "articles/a.md", problems)
    assert record is not None and not problems
    assert record.published == "2022-05-13"
    assert record.localities[0].code == "15"
    assert record.directives[0].evidence == ["Chỉ thị số 05"]
    assert record.directives[0].mentions == 1
    assert record.body == "Thân bài."


def test_timestamp_keeps_its_offset(tmp_path: Path) -> None:
    problems = Problems()
    record = read_record(write(tmp_path, "a.md", published="2022-05-13T12:35:00+07:00"), "a.md", problems)
    assert record is not None and record.published == "2022-05-13T12:35:00+07:00"


def test_unknown_top_level_key_is_a_warning_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a.md")
    path.write_text(path.read_text("utf-8").replace("district:", "provnce: Yên Bái\ndistrict:"), "utf-8")
    problems = Problems()
    assert read_record(path, "articles/a.md", problems) is not None
    assert [str(p) for p in problems.items] == ["articles/a.md:8: warning: unknown key 'provnce' is ignored."]


def _config(tmp_path: Path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text("raw", "utf-8")
    return default_config(tmp_path)


def test_bad_file_is_skipped_and_the_rest_loads(tmp_path: Path) -> None:
    config = _config(tmp_path)
    write(tmp_path / "articles", "good.md")
    shutil.copy(INVALID / "bad-date.md", tmp_path / "articles" / "bad-date.md")
    problems = Problems()
    archive = load_archive(config, problems)
    assert [a.slug for a in archive.articles] == ["bai-thu"]
    assert [str(p) for p in problems.errors] == [EXPECTED["bad-date.md"]]


def test_taxonomies_are_sorted_and_merge_spellings(tmp_path: Path) -> None:
    config = _config(tmp_path)
    articles = tmp_path / "articles"
    write(articles, "a.md", slug="a", published="2021-01-02", province="Hoà Bình", current="Phú Thọ", district="Mai Châu")
    write(articles, "b.md", slug="b", published="2023-03-04", province="Hòa Bình", current="Phú Thọ", district="Mai Châu")
    write(articles, "c.md", slug="c", published="2023-03-04", province="Yên Bái", current="Lào Cai")
    write(articles, "d.md", slug="d", published="null", province="Đồng Tháp", current="Đồng Tháp")
    problems = Problems()
    archive = load_archive(config, problems)
    assert not problems.errors
    assert [a.slug for a in archive.articles] == ["b", "c", "a", "d"]  # newest first, ties by slug
    assert [(p.slug, p.name, len(p.articles)) for p in archive.provinces] == [
        ("dong-thap", "Đồng Tháp", 1), ("hoa-binh", "Hòa Bình", 2), ("yen-bai", "Yên Bái", 1)]
    assert [(d.slug, len(d.articles)) for d in archive.provinces[1].districts] == [("mai-chau", 2)]
    assert [y.year for y in archive.years] == [2023, 2021]
    assert [a.slug for a in archive.undated] == ["d"]
    assert [(c.name, [p.name for p in c.provinces]) for c in archive.current_provinces] == [
        ("Đồng Tháp", ["Đồng Tháp"]), ("Lào Cai", ["Yên Bái"]), ("Phú Thọ", ["Hòa Bình"])]
    assert [r.key for r in archive.regions] == [
        "trung-du-mien-nui-phia-bac", "dong-bang-song-cuu-long"]
    term = archive.directives[0]
    assert (term.slug, term.info.issuer, term.info.date) == ("05-ct-tw", "Bộ Chính trị", "2016-05-15")


def test_colliding_slugs_are_numbered_not_overwritten(tmp_path: Path) -> None:
    config = _config(tmp_path)
    write(tmp_path / "articles", "a.md", slug="bai-thu")
    write(tmp_path / "articles", "b.md", slug="bai-thu")
    problems = Problems()
    archive = load_archive(config, problems)
    assert sorted(a.slug for a in archive.articles) == ["bai-thu", "bai-thu-2"]
    assert [str(p) for p in problems.warnings] == [
        "articles/b.md:4: warning: slug 'bai-thu' is already used by articles/a.md; this article is published "
        "as 'bai-thu-2'. Give it a slug of its own."]


def test_source_outside_the_project_is_not_published(tmp_path: Path) -> None:
    config = _config(tmp_path)
    path = write(tmp_path / "articles", "a.md")
    path.write_text(path.read_text("utf-8").replace("seeds/a.txt", "../../etc/passwd"), "utf-8")
    problems = Problems()
    archive = load_archive(config, problems)
    assert archive.articles[0].source_file is None
    assert "lies outside the project" in str(problems.warnings[0])


def test_region_table_covers_63_and_34_provinces() -> None:
    table = region_table()
    assert len(table.region_of_old) == 63 and len(table.region_of_new) == 34
    assert set(table.merged_into) <= set(table.region_of_old)
    assert {province_key(n) for n in table.merged_into.values()} <= set(table.region_of_new)
    assert province_key("Thành phố Huế") == province_key("Huế") == "hue"


# --- the faster ways through a record: the same outcome as the general ones ----------------------

def _full_mapping() -> dict:
    """A front matter as format_article writes one: every key of every mapping, in declaration order."""
    record = Record(source="seeds/a.txt", title="Bài thử", slug="bai-thu", published="2022-05-13", province="Yên Bái",
                    province_current="Lào Cai", district="Yên Bình", body="", period=Period(2021, True, "nhiệm kỳ"),
                    localities=[Locality("Yên Bái", "province", "15", "tỉnh Yên Bái", kind="tỉnh"),
                                Locality("Mông Sơn", "commune", None, "xã Mông Sơn", province="Yên Bái")],
                    directives=[DirectiveRef("05-CT/TW", True, 2, ["Chỉ thị 05"])],
                    local_documents=[LocalDocument("56-CTr/TU", "Chương trình 56")],
                    metrics=[Metric("2,6 tỷ đồng", 2.6, "tỷ đồng", "Huy động 2,6 tỷ đồng.", total=3)],
                    people=[Person("Nguyễn Văn Tân", None, "")], captions=["Ảnh: TTXVN"])
    mapping = record.front_matter()
    assert tuple(mapping) == RECORD.order and tuple(mapping["localities"][0]) == shape_of(Locality).order
    return mapping


def _reordered(value):
    """The same mapping with every key order reversed: the general, field by field, checks."""
    if isinstance(value, dict):
        return {key: _reordered(item) for key, item in reversed(value.items())}
    if isinstance(value, list):
        return [_reordered(item) for item in value]
    return value


def _outcome(data: dict):
    try:
        values = validate_front_matter(data)
    except RecordError as err:
        return ("error", str(err), err.where)
    return ("values", values, [list(item) for item in values["localities"]], list(values))


CHANGES = {
    "none": lambda d: None,
    "empty title": lambda d: d.update(title=""),
    "no source": lambda d: d.update(source=None),
    "text where a number is": lambda d: d["localities"][1].update(mentions="2"),
    "true where a number is": lambda d: d["localities"][0].update(mentions=True),
    "number where text is": lambda d: d["localities"][0].update(code=15),
    "empty required name": lambda d: d["people"][0].update(name=""),
    "unknown level": lambda d: d["localities"][0].update(level="tỉnh"),
    "two faults, the first in order wins": lambda d: (d.update(slug="Bài thử"), d["metrics"][0].update(value="x")),
    "fault in a list before a fault in a key": lambda d: (d["localities"][0].update(name=None), d.update(byline=[])),
    "bad year in the period": lambda d: d["period"].update(year="2021"),
    "bad directive number": lambda d: d["directives"][0].update(id="Chỉ thị 05"),
    "no primary directive": lambda d: d["directives"][0].update(primary=False),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_a_mapping_in_declaration_order_is_checked_as_any_other(name: str) -> None:
    data = _full_mapping()
    CHANGES[name](data)
    fast = _outcome(data)
    assert fast == _outcome(_reordered(data))
    assert (fast[0] == "values") == (name in ("none", "number where text is"))  # `code: 15` is text


def test_ascii_text_is_already_normal() -> None:
    """normalize returns ASCII text as it is: what each of its steps would give."""
    samples = ["".join(map(chr, range(128))), "05-CT/TW", "  Hoa  ", "oa oe uy OA", "", "x\ty"]
    for sample in samples:
        steps = unicodedata.normalize("NFC", sample)
        steps = text._ODD_SPACES.sub(" ", text._ZERO_WIDTH.sub("", steps))
        assert text.normalize(sample) == unicodedata.normalize("NFC", normalize_tone(steps)) == sample


def test_files_read_as_read_text_reads_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.md"
    samples = [b"", b"---\r\na: 1\r\n---\r\nx\ry\r\r\nz\r", "\ufeff---\nà\n".encode(), b"x" * 200_000 + b"\r\n"]
    for data in samples:
        path.write_bytes(data)
        assert read_bytes(path) == (len(data), data)
        stat, *content = read_bytes_and_stat(str(path))
        assert content == [len(data), data] and pack_stat(stat) == stat_of(path)
        assert _text_of(data) == path.read_text(encoding="utf-8")
    real_fstat = os.fstat

    def fstat_of_a_file_that_grew_since(fd: int) -> os.stat_result:
        values = list(real_fstat(fd))
        values[6] = 10  # st_size
        return os.stat_result(values)

    monkeypatch.setattr(os, "fstat", fstat_of_a_file_that_grew_since)
    assert read_bytes(path) == (10, samples[-1])
    with pytest.raises(UnicodeDecodeError) as raised:
        _text_of(b"abc\xff")
    assert raised.value.start == 3


def test_bytes_with_nothing_to_clean_hold_no_character_clean_strings_removes() -> None:
    characters = [chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF]
    sure = [c for c in characters if _nothing_to_clean(c.encode())]
    assert clean_strings("".join(sure)) == "".join(sure)
    assert len(characters) - len(sure) == 29 + 4096  # 29 controls, and each character whose UTF-8 begins with 0xEF
    assert _nothing_to_clean("Thân bài\tvới tab\r\n".encode()) and not _nothing_to_clean(b"a\x01b")


def test_bytes_with_nothing_odd_hold_no_character_left_to_the_strict_loader_but_the_separators() -> None:
    characters = [chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF]
    sure = "".join(c for c in characters if _nothing_odd(c.encode()))
    assert set(OUTSIDE_SUBSET_CHARACTERS.findall(sure)) == {"\u2028", "\u2029"}
    assert len(characters) - len(sure) == 31 + 1 + 64 + 4096  # C0 controls, DEL, what begins with 0xC2 or 0xEF
    assert _nothing_odd("Thân bài “một” – hai…".encode()) and not _nothing_odd(b"a\tb")


def test_a_body_is_cleaned_of_what_no_feed_may_hold(tmp_path: Path) -> None:
    for odd in ("\x01", "\ufffe", "\x1f\uffff"):
        path = write(tmp_path, "a.md")
        path.write_text(path.read_text("utf-8").replace("Thân bài.", f"Thân{odd} bài."), "utf-8")
        record = read_record(path, "a.md", Problems())
        assert record is not None and record.body == "Thân bài."


def _refuse_to_open(monkeypatch: pytest.MonkeyPatch, refused: Path) -> None:
    """os.open as for a file without read permission (the tests may run as root, who reads anything)."""
    real_open = os.open

    def open_(path, flags, *args):
        if Path(path) == refused:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", open_)


def test_a_file_too_big_says_so_even_when_it_cannot_be_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big, small = tmp_path / "big.md", tmp_path / "small.md"
    with big.open("wb") as file:
        file.truncate(MAX_ARTICLE_BYTES + 1)  # sparse: no disk used
    small.write_text("---\n", "utf-8")
    messages = []
    for refused in (None, big, small):
        with monkeypatch.context() as patch:
            if refused is not None:
                _refuse_to_open(patch, refused)
            for path in (big, small):
                problems = Problems()
                assert read_record(path, path.name, problems) is None
                messages.append(str(problems.items[0]))
    too_big = (f"big.md: error: the file is {(MAX_ARTICLE_BYTES + 1) // 1024} KiB, far more than one article (the "
               f"limit is {MAX_ARTICLE_BYTES // 1024} KiB). Split it, or remove what does not belong.")
    not_closed = ("small.md:1: error: the front matter opened with `---` on line 1 is never closed. Did you forget "
                  "the closing `---` before the article text?")
    unreadable = "small.md: error: cannot read the file (Permission denied). Check its permissions."
    assert messages == [too_big, not_closed, too_big, not_closed, too_big, unreadable]


def test_an_unreadable_article_says_why(tmp_path: Path) -> None:
    folder = tmp_path / "a.md"
    folder.mkdir()
    problems = Problems()
    assert read_record(folder, "articles/a.md", problems) is None
    assert [str(p) for p in problems.items] == [("articles/a.md: error: cannot read the file (Is a directory). "
                                                 "Check its permissions.")]


def test_unknown_keys_are_warned_about_in_file_order(tmp_path: Path) -> None:
    path = write(tmp_path, "a.md")
    path.write_text(path.read_text("utf-8").replace("district:", "zeta: 1\nbody: x\ndistrict:"), "utf-8")
    problems = Problems()
    assert read_record(path, "articles/a.md", problems) is not None
    assert [str(p) for p in problems.items] == [
        "articles/a.md:8: warning: unknown key 'zeta' is ignored.",
        "articles/a.md:9: warning: unknown key 'body' is ignored. The article text belongs below the closing `---`."]


def test_a_filing_keeps_title_lead_and_source_as_utf8_and_gives_them_back() -> None:
    from newsarchive.archive import Filing

    record = Record(source="seeds/đà-nẵng.txt", title="Bài thử\0 với chữ Việt", slug="bai-thu", published="2022-05-13",
                    province=None, province_current=None, district=None, body="Đoạn đầu tiên của bài.\n\nĐoạn thứ hai.")
    filing = Filing.of(record)
    assert (filing.title, filing.lead, filing.source) == (record.title, "Đoạn đầu tiên của bài.", record.source)
    assert isinstance(filing.texts, bytes) and not any(isinstance(value, str) and "Việt" in value for value in filing)
    empty = Filing.of(Record(source="", title="", slug="x", published=None, province=None, province_current=None,
                             district=None, body=""))
    assert (empty.title, empty.lead, empty.source) == ("", "", "")


# --- records read as format_article lays them out: the general readers' record, or none ---------

def _generally(front_matter: str, body: str) -> Record | None:
    """The record the general readers give for a front matter without a problem (None: one)."""
    try:
        data = parse_front_matter(front_matter)
        values = validate_front_matter(data)
    except (FrontMatterError, RecordError):
        return None
    if data.keys() - RECORD.names:
        return None  # a warning to give
    values["body"] = body
    return Record.from_dict(values)


def _reads_as_generally(front_matter: str) -> bool:
    """The laid-out reader gives the general readers' record or leaves the text to them; True when it read it."""
    laid_out = read_laid_out_record(front_matter, "Thân bài.")
    if laid_out is not None:
        general = _generally(front_matter, "Thân bài.")
        assert repr(laid_out) == repr(general), front_matter  # repr: 1, 1.0 and True differ
    return laid_out is not None


def _laid_out(record: Record) -> str:
    parts = split_article(format_article(record))
    assert parts is not None
    return parts.front_matter


SAMPLE = _laid_out(Record.from_dict({**_full_mapping(), "body": ""}))


def test_what_the_writer_lays_out_is_read_as_the_general_readers_read_it() -> None:
    record = sample_record()
    text = _laid_out(record)
    assert "\n    " in text and "'" in text  # folded lines and quoted values
    assert _reads_as_generally(text) and _reads_as_generally(SAMPLE)
    assert read_laid_out_record(text, record.body) == record
    no_lists = Record(source="s.txt", title="1", slug="x", published=None, province=None, province_current=None,
                      district=None, body="", period=Period(2020, False, ""), removed=["'", "- x", "a: b", "null"])
    assert _reads_as_generally(_laid_out(no_lists))
    normalized = read_laid_out_record(SAMPLE.replace("id: 05-CT/TW", "id: 05-ct/tw"), "")  # by the field's check
    assert normalized is not None and normalized.directives[0].id == "05-CT/TW"


LAID_OUT_OTHERWISE = {
    "converted text": ("  code: '15'", "  code: 15"),
    "true where a number is": ("  mentions: 1\n", "  mentions: true\n"),
    "empty required text": ("title: Bài thử", "title: ''"),
    "unknown level": ("level: province", "level: tỉnh"),
    "bad directive number": ("id: 05-CT/TW", "id: Chỉ thị 05"),
    "no primary directive": ("primary: true", "primary: false"),
    "unsafe slug": ("slug: bai-thu", "slug: Bài thử"),
    "empty text in a list": ("- Chỉ thị 05", "- ''"),
    "number in a list of texts": ("- Chỉ thị 05", "- 15"),
    "infinite number": ("value: 2.6", "value: 1.0e+400"),
    "one text for a list": ("captions:\n- 'Ảnh: TTXVN'", "captions: Ảnh"),
    "date": ("published: '2022-05-13'", "published: 2022-05-13"),
    "null written as a tilde": ("byline: null", "byline: ~"),
    "keys in another order": ("source: seeds/a.txt\ntitle: Bài thử", "title: Bài thử\nsource: seeds/a.txt"),
    "a key missing": ("byline: null\n", ""),
    "an unknown key": ("byline: null\n", "byline: null\nbylin: x\n"),
    "a list indented": ("\n- name: Yên Bái", "\n  - name: Yên Bái"),
    "a record indented deeper": ("\n  year: 2021", "\n    year: 2021"),
    "a blank line": ("title: Bài thử\n", "title: Bài thử\n\n"),
    "a comment": ("title: Bài thử", "title: Bài thử # nháp"),
    "trailing spaces": ("title: Bài thử", "title: Bài thử  "),
    "a tab": ("title: Bài thử", "title: Bài\tthử"),
    "a control character": ("title: Bài thử", "title: Bài\x01thử"),
    "a C1 control character": ("title: Bài thử", "title: Bài\x85thử"),
    "a line separator": ("title: Bài thử", "title: Bài\u2028thử"),
    "a byte order mark": ("title: Bài thử", "title: Bài\ufeffthử"),
    "a non-character": ("title: Bài thử", "title: Bài\uffffthử"),
    "a lone quote": ("title: Bài thử", "title: '"),
    "text after a quote": ("title: Bài thử", "title: 'Bài' thử"),
    "double quotes over two lines": ("title: Bài thử", 'title: "Bài\n  thử"'),
    "a flow list": ("captions:\n- 'Ảnh: TTXVN'", "captions: ['Ảnh: TTXVN']"),
}


@pytest.mark.parametrize("name", sorted(LAID_OUT_OTHERWISE))
def test_what_the_writer_does_not_lay_out_is_left_to_the_general_readers(name: str) -> None:
    old, new = LAID_OUT_OTHERWISE[name]
    assert old in SAMPLE
    text = SAMPLE.replace(old, new, 1)
    assert read_laid_out_record(text, "") is None
    _reads_as_generally(text)


def test_quoted_and_folded_values_read_as_the_fast_reader_reads_them() -> None:
    values = {"title: Bài thử": ["title: 'it''s: 1'", "title: 'một: hai ''\n  ba'' #bốn'", 'title: "tab\\there \\u1EA1"',
                                 "title: một hai\n  ba bốn\n      - năm", "title: '5'", "title: \"a\\x01b\""],
              "value: 2.6": ["value: -5", "value: -1.0e+20", "value: 2600000000"]}
    for old, news in values.items():
        for new in news:
            assert _reads_as_generally(SAMPLE.replace(old, new, 1)), new


@budget(300)
@given(record_fields)
def test_records_with_tricky_text_read_as_generally(changes: dict) -> None:
    evidence = changes.pop("evidence", "tỉnh Yên Bái")
    record = sample_record(**changes)
    record.localities[0].evidence = evidence
    _reads_as_generally(_laid_out(record))


@budget(600)
@given(mutated())
def test_hand_edited_front_matter_reads_as_generally(text: str) -> None:
    _reads_as_generally(text)


# Values as an editor might type them in place of the writer's: of other types, quoted, folded, odd.
VALUES = ["null", "~", "true", "yes", "0", "-5", "012", "1.5", "1.0e+400", ".5", "2022-05-13", "'2022-05-13'", "''",
          "'", "'a''b'", "'a' b", '"a\\tb"', '"a', "[]", "{}", "[a]", "- a", "a: b", "a #b", "a#b", "a:", "&x a", "*x",
          "!!str a", "|", ">", "%", "@", "`", "05-ct/tw", "Chỉ thị 05", "tỉnh", "province", "Bài Thử", "bai-thu-2",
          "a\n  b", "'a\n  b'", "a\n\n  b", "a\n b", "a\n- b", "a ", " a", "a\tb", "a\x01b", "\u2028"]


@st.composite
def revalued(draw: st.DrawFn) -> str:
    """A laid out front matter with a few of its values replaced, most of them keeping the layout."""
    lines = _laid_out(sample_record()).split("\n")
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.sampled_from([i for i, line in enumerate(lines) if ": " in line or line.lstrip().startswith("- ")]))
        head = lines[at].split(": ", 1)[0] + ": " if ": " in lines[at] else lines[at][:lines[at].index("- ") + 2]
        lines[at] = head + draw(st.one_of(st.sampled_from(VALUES), st.text(max_size=8)))
    return "\n".join(lines)


@budget(600)
@given(revalued())
def test_front_matter_with_other_values_reads_as_generally(text: str) -> None:
    _reads_as_generally(text)


def test_a_filing_shares_the_values_many_filings_repeat() -> None:
    import pickle

    from newsarchive.archive import Filing

    record = sample_record()
    known: dict = {}
    first = Filing.of(record).shared(known)
    second = pickle.loads(pickle.dumps(Filing.of(record))).shared(known)  # as a worker process sends one
    assert second == first == Filing.of(record)
    for name in ("published", "province", "province_current", "district", "byline", "directives", "metric_units"):
        assert getattr(second, name) is getattr(first, name), name
    assert second.texts is not first.texts and second.period is not first.period  # each article's own


@pytest.mark.parametrize("character", ["\t", "\x01", "\r", "\x7f", "\x85", "\x9f", "\xa0", "\u2028", "\u2029",
                                       "\ufeff", "\uffff", "\U0001f600", "“"])
def test_a_file_with_an_odd_character_reads_as_generally(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         character: str) -> None:
    """Wherever it is, in the front matter or the body: the laid-out reader reads the file as the
    general readers do, or leaves it to them."""
    path = tmp_path / "a.md"
    for front_matter, body in [(SAMPLE.replace("Bài thử", f"Bài{character}thử"), "Thân bài."),
                               (SAMPLE, f"Thân{character}bài."),
                               (SAMPLE.replace("byline: null", f"byline: a{character}"), f"Thân{character}bài.")]:
        path.write_text(f"---\n{front_matter}\n---\n\n{body}\n", "utf-8")
        outcomes = []
        for laid_out in (True, False):
            with monkeypatch.context() as patch:
                if not laid_out:
                    patch.setattr(load_module, "read_laid_out_record", lambda *args: None)
                problems = Problems()
                outcomes.append((repr(read_record(path, "a.md", problems)), [str(p) for p in problems.items]))
        assert outcomes[0] == outcomes[1], (front_matter, body)
