"""Front matter: the fast reader reads exactly what the strict loader reads, or leaves the text to it.

Differential tests: for every article file in the repository, the synthetic benchmark archive, emitted
records and hand-edit-like mutations of them, `parse_front_matter` (fast reader, then the strict
loader) must give what `parse_front_matter_strictly` gives: the same values of the same types in the
same order, or the same FrontMatterError message and line. `FUZZ_EXAMPLES=20000` runs a long hunt.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from test_fuzz import budget, front_matters, yaml_noise

from newsarchive.article_file import (
    _PLAIN_VALUES,
    FrontMatterError,
    _Loader,
    _Memo,
    dump_front_matter,
    format_article,
    parse_front_matter,
    parse_front_matter_strictly,
    read_common_front_matter,
    split_article,
)
from newsarchive.records import DirectiveRef, Locality, Metric, Period, Person, Record

REPO = Path(__file__).resolve().parents[1]
ARTICLE_FILES = sorted([*(REPO / "articles").glob("*.md"), *(REPO / "tests" / "data").rglob("*.md")])


def typed(value: Any) -> Any:
    """The value with every type and every key order spelled out: 1 == 1.0 == True must not pass."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(item) for item in value])
    return (type(value).__name__, repr(value))


def outcome(read: Callable[[str], Any], text: str) -> tuple[Any, ...]:
    try:
        return ("value", typed(read(text)))
    except FrontMatterError as err:
        return ("error", str(err), err.line)


def assert_reads_the_same(text: str) -> bool:
    """Both ways give the strict loader's outcome; True when the fast reader read the text itself."""
    expected = outcome(parse_front_matter_strictly, text)
    fast = read_common_front_matter(text)
    if fast is not None:
        assert ("value", typed(fast)) == expected, text
    assert outcome(parse_front_matter, text) == expected, text
    return fast is not None


def front_matter_of(text: str) -> str:
    parts = split_article(text)
    assert parts is not None
    return parts.front_matter


def sample_record(**changes: Any) -> Record:
    record = Record(
        source="seeds/0001_lan-toa.txt", title="Lan tỏa học và làm theo Bác ở Yên Bình (1)", slug="lan-toa",
        published="2022-05-13T12:35:00+07:00", province="Yên Bái", province_current="Lào Cai", district="Yên Bình",
        body="Thân bài.", published_evidence="13/05/2022", period=Period(2021, True, "nhiệm kỳ 2020 - 2025"),
        commune="Mông Sơn",
        localities=[Locality("Yên Bái", "province", "15", "tỉnh Yên Bái", kind="tỉnh"),
                    Locality("Mông Sơn", "commune", None, "xã Mông Sơn", province="Yên Bái", district="Yên Bình")],
        directives=[DirectiveRef("05-CT/TW", True, 3, ["Chỉ thị số 05", "Chỉ thị 05-CT/TW"],
                                 reason="Văn bản chính: nhắc nhiều nhất (3 lần).",
                                 title="Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh")],
        metrics=[Metric("2,6 tỷ đồng", 2600000000, "đồng", "Huyện đã huy động được 2,6 tỷ đồng để xây dựng nhà "
                        "văn hóa, đường giao thông nông thôn và các công trình phúc lợi khác của địa phương.",
                        qualifier="hơn"),
                 Metric("30/30 chỉ tiêu", 30, "chỉ tiêu", "Đạt 30/30 chỉ tiêu.", total=30),
                 Metric("18,75%", 18.75, "%", "'Chiếm 18,75%': số liệu # của huyện.")],
        people=[Person("Nguyễn Văn Tân", None, "")], byline="Thu Hà", captions=["Ảnh: TTXVN"],
    )
    for name, value in changes.items():
        setattr(record, name, value)
    return record


# --- every file we have ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ARTICLE_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_article_file_in_the_repository_reads_the_same(path: Path) -> None:
    try:
        parts = split_article(path.read_text("utf-8"))
    except UnicodeDecodeError:
        pytest.skip("not UTF-8: refused before any YAML is read")
    if parts is not None:
        assert_reads_the_same(parts.front_matter)


@pytest.mark.parametrize("path", sorted((REPO / "articles").glob("*.md")), ids=lambda p: p.name)
def test_the_repository_articles_never_leave_the_fast_reader(path: Path) -> None:
    assert read_common_front_matter(front_matter_of(path.read_text("utf-8"))) is not None


def test_the_synthetic_benchmark_archive_reads_the_same_and_fast(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_synthesize", REPO / "bench" / "synthesize.py")
    synthesize = importlib.util.module_from_spec(spec)
    sys.modules["bench_synthesize"] = synthesize
    spec.loader.exec_module(synthesize)  # type: ignore[union-attr]
    synthesize.synthesize(tmp_path, count=400, seed=3)
    paths = sorted((tmp_path / "articles").glob("*.md"))
    assert len(paths) == 400
    for path in paths:
        assert assert_reads_the_same(front_matter_of(path.read_text("utf-8"))), path.name


def test_records_with_long_values_fold_and_read_back_fast() -> None:
    text = front_matter_of(format_article(sample_record()))
    assert "\n    " in text and "'Văn bản chính: nhắc" in text  # folded lines and a quoted value
    assert assert_reads_the_same(text)


# --- what the fast reader leaves to the strict loader -------------------------------------------------

BASE = """source: seeds/a.txt
title: Bài thử
slug: bai-thu
localities:
- name: Yên Bái
  level: province
  code: '15'
directives: []
"""

LEFT_TO_THE_STRICT_LOADER = {
    "duplicate key": BASE + "title: Bài khác\n",
    "duplicate nested key": BASE.replace("  level: province\n", "  level: province\n  level: district\n"),
    "tab indentation": BASE.replace("  level", "\tlevel"),
    "tab in a value": BASE.replace("Bài thử", "Bài\tthử"),
    "yes": BASE + "primary: yes\n",
    "off": BASE + "primary: off\n",
    "tilde": BASE + "period: ~\n",
    "Null": BASE + "period: Null\n",
    "impossible date": BASE + "published: 2022-13-45\n",
    "date": BASE + "published: 2022-05-13\n",
    "timestamp": BASE + "published: 2022-05-13T12:35:00+07:00\n",
    "octal": BASE + "mentions: 012\n",
    "underscores": BASE + "mentions: 1_000\n",
    "sexagesimal": BASE + "mentions: 1:30\n",
    "leading dot": BASE + "value: .5\n",
    "infinity": BASE + "value: .inf\n",
    "plus sign": BASE + "value: +5\n",
    "anchor": BASE + "a: &x 1\nb: *x\n",
    "alias": BASE + "b: *x\n",
    "tag": BASE + "title: !!str 5\n",
    "local tag": BASE + "title: !reporter x\n",
    "merge key": BASE + "<<: {a: 1}\n",
    "comment line": "# a comment\n" + BASE,
    "comment after a value": BASE.replace("Bài thử", "Bài thử # nháp"),
    "key with a colon": BASE + "a:b: c\n",
    "key with a space": BASE + "a b: c\n",
    "quoted key": BASE + "'title2': c\n",
    "complex key": BASE + "? [a]\n: b\n",
    "key that is true": BASE + "true: x\n",
    "key longer than YAML allows": BASE + "k" * 1100 + ": x\n",
    "literal block": BASE + "title2: |\n  dòng một\n  dòng hai\n",
    "folded block": BASE + "title2: >\n  dòng một\n",
    "flow sequence": BASE + "captions: [Ảnh, TTXVN]\n",
    "flow mapping": BASE + "period: {year: 2021}\n",
    "document end": BASE + "...\n",
    "directive": "%YAML 1.1\n" + BASE,
    "value on the next line": BASE + "title2:\n  Bài thử\n",
    "blank line inside a folded value": BASE + "title2: Bài\n\n  thử\n",
    "text below an empty list": BASE + "captions: []\n  Ảnh\n",
    "text below an empty text": BASE + "title2: ''\n  thử\n",
    "text below an empty text in a list": BASE + "captions:\n- ''\n  Ảnh\n",
    "blank line inside a quoted value": BASE + "title2: 'Bài\n\n  thử'\n",
    "folded line ending with a colon": BASE + "title2: Bài\n  thử:\n",
    "folded line with a key in it": BASE + "title2: Bài\n  thử: x\n",
    "folded line that is a comment": BASE + "title2: Bài\n  # thử\n",
    "sequence in a sequence": BASE + "captions:\n- - a\n",
    "item below its dash": BASE + "captions:\n-\n  a\n",
    "item below its dash and a space": BASE + "captions:\n- \n  a\n",
    "mapping value after a value": BASE.replace("  level: province\n", "  level: province\n    x: y\n"),
    "text after a closing quote": BASE + "title2: 'a'b\n",
    "unterminated quote": BASE + "title2: 'Bài\n",
    "double quotes over two lines": BASE + 'title2: "Bài\n  thử"\n',
    "unknown escape": BASE + 'title2: "a\\qb"\n',
    "surrogate escape": BASE + 'title2: "\\ud800"\n',
    "carriage return": BASE.replace("\n", "\r\n"),
    "line separator": BASE.replace("Bài thử", "Bài\u2028thử"),
    "byte order mark": BASE.replace("Bài thử", "Bài\ufeffthử"),
    "control character": BASE.replace("Bài thử", "Bài\x01thử"),
    "indented top level": "  " + BASE.replace("\n", "\n  "),
    "not a mapping": "- a\n- b\n",
    "empty": "",
    "only a comment": "# nothing\n",
    "too deep": "a:\n" + "".join(f"{'  ' * depth}k{depth}:\n" for depth in range(1, 12)) + "    " * 6 + "v: 1\n",
}


@pytest.mark.parametrize("name", sorted(LEFT_TO_THE_STRICT_LOADER))
def test_what_the_fast_reader_leaves_to_the_strict_loader(name: str) -> None:
    text = LEFT_TO_THE_STRICT_LOADER[name]
    assert read_common_front_matter(text) is None
    assert_reads_the_same(text)


def test_the_strict_loader_still_explains_a_key_given_twice() -> None:
    with pytest.raises(FrontMatterError) as raised:
        parse_front_matter(LEFT_TO_THE_STRICT_LOADER["duplicate key"])
    assert "'title' is given twice (lines 3 and 10)" in str(raised.value) and raised.value.line == 10


READ_BY_THE_FAST_READER: dict[str, tuple[str, Any]] = {
    "1e3 is text": ("a: 1e3\n", {"a": "1e3"}),
    "08 and 0o12 are text in YAML 1.1": ("a: 08\nb: 0o12\n", {"a": "08", "b": "0o12"}),
    "numbers with text": ("a: 143 gương điển hình\nb: 2,6\nc: 30/30\n",
                          {"a": "143 gương điển hình", "b": "2,6", "c": "30/30"}),
    "words that start like types": ("a: Nguyễn\nb: nothing\nc: trueish\nd: offline\n",
                                    {"a": "Nguyễn", "b": "nothing", "c": "trueish", "d": "offline"}),
    "types": ("a: null\nb: true\nc: false\nd: -5\ne: 0\nf: 2.5\ng: -1.0e+20\nh: 2600000000\n",
              {"a": None, "b": True, "c": False, "d": -5, "e": 0, "f": 2.5, "g": -1.0e20, "h": 2600000000}),
    "empty values": ("a:\nb: ''\nc: []\nd: {}\ne:   \n", {"a": None, "b": "", "c": [], "d": {}, "e": None}),
    "colons and hashes inside text": ("a: 05-CT/TW:x\nb: C# và F#\nc: http://x.vn/a#b\n",
                                      {"a": "05-CT/TW:x", "b": "C# và F#", "c": "http://x.vn/a#b"}),
    "quotes": ("a: 'Ảnh: TTXVN'\nb: 'it''s'\nc: \"tab\\there \\\"q\\\" \\u1EA1 \\x41\"\nd: 'a # b'\n",
               {"a": "Ảnh: TTXVN", "b": "it's", "c": "tab\there \"q\" \u1ea1 A", "d": "a # b"}),
    "every escape": ('a: "\\0\\a\\b\\t\\n\\v\\f\\r\\e\\ \\"\\/\\\\\\N\\_\\L\\P"\n',
                     {"a": "\t\n\r \"/\\\x85\xa0\u2028\u2029"}),  # controls removed, as clean_strings does
    "folded plain": ("a: một hai\n  ba bốn  \n   - năm\nb: x\n", {"a": "một hai ba bốn - năm", "b": "x"}),
    "folded quoted": ("a: 'một: hai ''\n  ba'' #bốn'\nb: x\n", {"a": "một: hai ' ba' #bốn", "b": "x"}),
    "sequences": ("a:\n- x\n- y: 1\n  z:\n  - w\nb:\n    - 1\n    - 2\n",
                  {"a": ["x", {"y": 1, "z": ["w"]}], "b": [1, 2]}),
    "nested mappings": ("a:\n    b:\n        c: 1\n    d: 2\ne: 3\n", {"a": {"b": {"c": 1}, "d": 2}, "e": 3}),
    "blank lines between entries": ("\na: 1\n\n   \nb: 2\n\n", {"a": 1, "b": 2}),
    "trailing spaces": ("a: x  \nb:  'y'  \nc:\n-  z  \n", {"a": "x", "b": "y", "c": ["z"]}),
    "non-ASCII text that starts like a type": ("a: trên\nb: 1 người\nc: ~à\nd: -5đ\ne: .5ạ\nf: Năm\n",
                                               {"a": "trên", "b": "1 người", "c": "~à", "d": "-5đ", "e": ".5ạ",
                                                "f": "Năm"}),
    "folded items": ("a:\n- một\n  hai\n- ba\n- ''\n- []\n", {"a": ["một hai", "ba", "", []]}),
}


@pytest.mark.parametrize("name", sorted(READ_BY_THE_FAST_READER))
def test_what_the_fast_reader_reads_itself(name: str) -> None:
    text, expected = READ_BY_THE_FAST_READER[name]
    assert typed(read_common_front_matter(text)) == typed(expected)
    assert_reads_the_same(text)


# --- generated and mutated inputs ----------------------------------------------------------------

# Pieces that make the emitter quote, escape, fold or type a string, and that trip a reader.
TRICKY = ["", " ", "  ", ": ", " #", "#", "'", "''", '"', "\\", "-", "- ", "? ", "!", "&", "*", "|", ">", "%", "@",
          "`", "[", "]", "{", "}", ",", "~", "null", "yes", "No", "on", "0", "012", "0o12", "1_000", "1e3", "1.5",
          ".5", "-5", "2022-05-13", "2022-13-45", "12:30", "<<", "=", "\t", "\n", "\r", "\u2028", "\x85", "\ufeff",
          "\xa0", "\x7f", "\x01", "\u3000", "\U0001f600", "Nguyễn Văn Tân", "tỉnh Bắc Kạn", " học và làm theo Bác "]
PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Co", "Cn", "Zl", "Zp"))
tricky_text = st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=12)), max_size=30).map("".join)
# Mostly what the fast reader reads, so that its own answers get compared, not only its refusals.
printable_text = st.lists(st.one_of(st.sampled_from([t for t in TRICKY if t.isprintable()]),
                                    st.text(PRINTABLE, max_size=12)), max_size=30).map("".join)
timezones = st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=7))])
scalars = st.one_of(tricky_text, printable_text, st.none(), st.booleans(), st.integers(), st.floats(), st.dates(),
                    st.datetimes(timezones=timezones))
words = ["title", "name", "evidence", "level", "code", "mentions", "value", "y", "_x", "a1"]
keys = st.one_of(st.sampled_from([*words, "null", "yes", "on", "a b", "a:b", "-", "'q'"]), st.text(max_size=6))


def documents_of(keys: st.SearchStrategy[str], scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[dict]:
    return st.dictionaries(keys, st.recursive(
        scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
        max_leaves=20), max_size=8)


documents = documents_of(keys, scalars)
readable_documents = documents_of(st.sampled_from(words), st.one_of(
    printable_text, st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False)))
record_fields = st.fixed_dictionaries({}, optional={
    "title": tricky_text, "evidence": tricky_text, "byline": st.one_of(st.none(), tricky_text),
    "captions": st.lists(tricky_text, max_size=3), "subheadings": st.lists(tricky_text, max_size=2)})


def emitted(front: dict[str, Any], style: int) -> str:
    """The front matter as our writer, PyYAML's defaults or a hand-style indentation would write it."""
    if style == 0:
        return dump_front_matter(front)
    if style == 1:
        return yaml.safe_dump(front, allow_unicode=True)
    return yaml.safe_dump(front, allow_unicode=style == 2, indent=4, width=40, sort_keys=False)


@budget(300)
@given(st.one_of(documents, readable_documents), st.integers(0, 3))
def test_any_emitted_mapping_reads_the_same(front: dict[str, Any], style: int) -> None:
    assert_reads_the_same(emitted(front, style))


@budget(200)
@given(front_matters, st.integers(0, 3))
def test_any_emitted_record_like_mapping_reads_the_same(front: dict[str, Any], style: int) -> None:
    assert_reads_the_same(emitted(front, style))


@budget(200)
@given(record_fields)
def test_records_with_tricky_text_read_the_same(changes: dict[str, Any]) -> None:
    evidence = changes.pop("evidence", "tỉnh Yên Bái")
    record = sample_record(**changes)
    record.localities[0].evidence = evidence
    assert_reads_the_same(front_matter_of(format_article(record)))


# Lines an editor (or an attacker) might put anywhere in a front matter.
HOSTILE_LINES = ["a: &x 1", "b: *x", "- - a", "  primary: yes", "\tkey: v", "title: 'unterminated", 'key: "a\\qb"',
                 "key: |", "  text", "...", "--- ", "%YAML 1.1", "# comment", "key: v # c", "key:: v", "? a", ": b",
                 "key: [a, b]", "key: {a: 1}", "key: []", "title: dup", "<<: {}", "key: !!str 5", "key: 2022-13-45",
                 "key: ~", "a b: c", "k: v:", "'q': 1", "-", "- x", "  - y", "    z: 1", "name:", "  ", "", "key: 'a''b'",
                 "key: 1e3", "key: 0x1F", "key: -0", "key: 1.0e+3", "level: null", "    continued words",
                 "    'quoted' words", "    words:", "    # words", "  - name: x", "key: \"\\u1EA1\"", "key: 'a", "  b'", "title:   spaced  "]
EDITS = ["replace", "insert", "duplicate", "delete", "indent", "dedent", "blank", "fold", "trailing", "character"]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """An emitted front matter with a few hand edits, most of them outside the fast reader's subset."""
    base = draw(st.one_of(st.sampled_from([front_matter_of(format_article(sample_record()))]),
                          readable_documents.map(dump_front_matter)))
    lines = base.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(EDITS))
        if edit == "replace":
            lines[at] = draw(st.sampled_from(HOSTILE_LINES))
        elif edit == "insert":
            lines.insert(at, draw(st.sampled_from(HOSTILE_LINES)))
        elif edit == "duplicate":
            lines.insert(at, lines[at])
        elif edit == "delete" and len(lines) > 1:
            del lines[at]
        elif edit == "indent":
            lines[at] = " " * draw(st.integers(1, 4)) + lines[at]
        elif edit == "dedent":
            lines[at] = lines[at][draw(st.integers(1, 2)):]
        elif edit == "blank":
            lines.insert(at, " " * draw(st.integers(0, 3)))
        elif edit == "fold" and " " in lines[at].strip():
            space = lines[at].index(" ", len(lines[at]) - len(lines[at].lstrip(" ")))
            lines[at:at + 1] = [lines[at][:space], " " * draw(st.integers(0, 6)) + lines[at][space + 1:]]
        elif edit == "trailing":
            lines[at] += " " * draw(st.integers(1, 3))
        elif edit == "character" and lines[at]:
            spot = draw(st.integers(0, len(lines[at]) - 1))
            lines[at] = lines[at][:spot] + draw(st.sampled_from(TRICKY)) + lines[at][spot + 1:]
    return "\n".join(lines)


@budget(600)
@given(mutated())
def test_hand_edited_front_matter_reads_the_same(text: str) -> None:
    assert_reads_the_same(text)


@budget(300)
@given(st.one_of(yaml_noise, st.lists(st.sampled_from(HOSTILE_LINES + TRICKY), max_size=12).map("\n".join)))
def test_yaml_noise_reads_the_same(text: str) -> None:
    assert_reads_the_same(text)


# --- splitting a file at its fences --------------------------------------------------------------

def split_by_lines(text: str) -> tuple[str, str, int] | None:
    """The obvious way to split a file, line by line: what split_article must agree with."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    if lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]).strip("\n"), index + 2
    return None


fence_text = st.lists(st.sampled_from(["---", " --- ", "---\u3000", "----", "-- -", "a: ---", "--- a", "", "\n", "\r\n",
                                       "\ufeff", "x", " ", "\x85", "\u2028"]), max_size=20).map("".join)


@budget(500)
@given(st.one_of(fence_text, fence_text.map(lambda text: "---\n" + text)))
def test_split_article_agrees_with_splitting_line_by_line(text: str) -> None:
    parts = split_article(text)
    assert (None if parts is None else (parts.front_matter, parts.body, parts.body_line)) == split_by_lines(text)


# --- what the fast reader relies on --------------------------------------------------------------

def _matches_only_ascii(parsed: Any) -> bool:
    """Whether a parsed regular expression can match no character outside ASCII."""
    from re import _constants as c  # type: ignore[attr-defined]
    for op, value in parsed:
        if op is c.LITERAL:
            if value >= 128:
                return False
        elif op is c.IN:
            for item_op, item in value:
                if item_op is c.LITERAL and item >= 128 or item_op is c.RANGE and item[1] >= 128:
                    return False
                if item_op not in (c.LITERAL, c.RANGE):
                    return False  # NEGATE, CATEGORY: \s, \d, [^...] reach beyond ASCII
        elif op is c.BRANCH:
            if not all(_matches_only_ascii(branch) for branch in value[1]):
                return False
        elif op is c.SUBPATTERN:
            if not _matches_only_ascii(value[3]):
                return False
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            if not _matches_only_ascii(value[2]):
                return False
        elif op is not c.AT:
            return False  # ANY, NOT_LITERAL, lookarounds, backreferences: not looked into
    return True


def test_the_characters_left_to_the_strict_loader_are_all_but_the_subset_the_fast_reader_reads() -> None:
    from newsarchive.article_file import OUTSIDE_SUBSET_CHARACTERS

    subset = re.compile("[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
    everything = "".join(map(chr, range(0x110000)))
    assert "".join(OUTSIDE_SUBSET_CHARACTERS.findall(everything)) == subset.sub("", everything)


def test_every_type_the_loader_resolves_is_spelled_in_ascii() -> None:
    """The fast reader takes non-ASCII plain text for text without asking the loader's resolvers."""
    from re import _parser  # type: ignore[attr-defined]
    resolvers = {pattern for patterns in _Loader.yaml_implicit_resolvers.values() for _, pattern in patterns}
    assert len(resolvers) >= 7  # bool, float, int, merge, null, timestamp, value
    for pattern in resolvers:
        assert not pattern.flags & re.IGNORECASE, pattern.pattern
        assert _matches_only_ascii(_parser.parse(pattern.pattern, pattern.flags)), pattern.pattern


def test_equal_plain_texts_of_a_front_matter_are_one_string() -> None:
    """As they always were: a record pickles a shared string once, so its pickle stays the same."""
    text = "a: Yên Bái\nb:\n- name: Yên Bái\n  evidence:\n  - Yên Bái\nc: Yên Bái\n"
    for _ in range(2):
        data = read_common_front_matter(text)
        assert data["a"] is data["b"][0]["name"] is data["b"][0]["evidence"][0] is data["c"]


def test_the_memo_of_plain_values_is_emptied_only_between_front_matters() -> None:
    for n in range(_PLAIN_VALUES.limit // 100 + 2):  # past the limit, a hundred values at a time
        text = "".join(f"k{i}: giá trị {n} {i}\n" for i in range(100)) + "a: Yên Bái\nb: Yên Bái\n"
        data = read_common_front_matter(text)
        assert data["k99"] == f"giá trị {n} 99" and data["a"] is data["b"]
        assert len(_PLAIN_VALUES) <= _PLAIN_VALUES.limit + 102


def test_a_memo_calls_its_function_once_per_argument_until_trimmed() -> None:
    calls: list[str] = []
    memo = _Memo(lambda text: calls.append(text) or text.upper(), limit=2)
    assert [memo["a"], memo["b"], memo["a"], memo["c"]] == ["A", "B", "A", "C"] and calls == ["a", "b", "c"]
    memo.trim()
    assert not memo and memo["a"] == "A" and calls == ["a", "b", "c", "a"]
    memo.trim()  # within its limit: kept
    assert memo == {"a": "A"}


def test_keys_are_the_interned_names_of_the_record_fields() -> None:
    data = read_common_front_matter("title: x\nlocalities:\n- name: y\n")
    keys = [*data, *data["localities"][0]]
    assert len(keys) == 3 and all(key is name for key, name in zip(keys, ["title", "localities", "name"]))
