"""body: plain paragraphs skip Markdown and the sanitizer, and give the same HTML and summaries as if they had not."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newsarchive import body, text
from newsarchive.article_file import parse_front_matter, split_article

REPO = Path(__file__).resolve().parents[1]
VIETNAMESE = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
PUNCTUATION = ",.:;?%/()'\"“”‘’–—…+=-"
# What Markdown or the sanitizer may act on, and what normalize_name changes the length of: a
# paragraph holding one must take the long way.
MARKUP = ["*", "_", "[", "]", "<", ">", "&", "`", "#", "!", "\\", "\\.", "|", "~", "\u00a0", "\t", "\r", "\x00", "\u200b",
          "a\u0301", "x  y", "[a](b)", "**x**", "&amp;", "<b>"]
LINE_STARTS = ["1. ", "2) ", "- ", "+ ", "= ", "* ", "# ", "> ", " ", "    "]
WHOLE_LINES = ["===", "---", " ---", " - - -", "***", "    mã"]
LINE_ENDS = [" ", "  ", " #", "\\", "\u00a0", "\u200b"]

budget = settings(max_examples=500, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

plain_words = st.text(alphabet="abcxyzABĐ0123456789" + VIETNAMESE + VIETNAMESE.upper() + PUNCTUATION, min_size=1,
                      max_size=10)
plain_lines = st.lists(st.one_of(plain_words, st.sampled_from(["hoà", "Thuỵ", "quý"])), min_size=1, max_size=10).map(" ".join)
marked_words = st.lists(st.one_of(plain_words, st.sampled_from(MARKUP)), min_size=1, max_size=4).map(" ".join)
nothing = st.just("")
marked_lines = st.builds(lambda start, middle, end: start + middle + end, st.one_of(nothing, st.sampled_from(LINE_STARTS)),
                         marked_words, st.one_of(nothing, st.sampled_from(LINE_ENDS)))
lines = st.one_of(plain_lines, plain_lines, marked_lines, st.sampled_from(WHOLE_LINES))
blocks = st.lists(lines, min_size=1, max_size=4).map("\n".join)
bodies = st.lists(blocks, max_size=8).map("\n\n".join)


@contextmanager
def long_way() -> Iterator[None]:
    """Every block through normalize_name, Markdown and nh3: what body.py did before its shortcut."""
    with mock.patch.object(body, "_name_key", lambda block, key_lengths: text.normalize_name(block)), \
            mock.patch.object(body, "_key_length", lambda name: len(text.normalize_name(name))), \
            mock.patch.object(body, "_is_plain_paragraph", lambda block: False), \
            mock.patch.object(body, "_all_plain", lambda source: False):
        yield


def both_ways(source: str, captions: list[str], subheadings: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    record = SimpleNamespace(body=source, captions=captions, subheadings=subheadings)

    def render() -> tuple[str, ...]:
        return (str(body.body_html(source, captions, subheadings)),
                *(body.summary(record, limit) for limit in (20, 200, 240)))  # type: ignore[arg-type]

    quick = render()
    with long_way():
        slow = render()
    return quick, slow


@budget
@given(bodies, st.lists(st.sampled_from(["first", "second", "normalized", "variant", "other"]), max_size=3))
def test_any_body_gives_the_same_html_and_summary_both_ways(source: str, picks: list[str]) -> None:
    found = [b.strip("\n") for b in source.split("\n\n") if b.strip()]
    last = found[-1] if found else ""
    # Captions and subheadings the body repeats: as they are, in normal form, with the other tone placement.
    chosen = {"first": found[0] if found else "", "second": found[1] if len(found) > 1 else "x",
              "normalized": text.normalize_name(last), "variant": last.replace("òa", "oà").replace("ùy", "uỳ"),
              "other": "Khác"}
    captions = [chosen[p] for p in picks]
    subheadings = [chosen[p] for p in reversed(picks)]
    quick, slow = both_ways(source, captions, subheadings)
    assert quick == slow


@pytest.mark.parametrize("markup", MARKUP + LINE_STARTS + WHOLE_LINES + LINE_ENDS)
@pytest.mark.parametrize("place", ["{} Đoạn một.", "Đoạn {} một.", "Đoạn một.{}", "Đoạn một.\n{}", "Đoạn\n{}\nmột."])
def test_each_markup_in_each_place_gives_the_same_html_and_summary_both_ways(markup: str, place: str) -> None:
    source = place.format(markup)
    for captions in ([], [text.normalize_name(source)], [source.replace(markup, "")]):
        quick, slow = both_ways(f"{source}\n\nĐoạn hai.", captions, [])
        assert quick == slow


def repository_bodies() -> list[Path]:
    return sorted([*(REPO / "articles").glob("*.md"), *(REPO / "tests" / "data").rglob("*.md")])


@pytest.mark.parametrize("path", repository_bodies(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_body_in_the_repository_gives_the_same_html_and_summary_both_ways(path: Path) -> None:
    parts = split_article(path.read_text("utf-8", errors="replace"))
    if parts is None:
        pytest.skip("no front matter, so no body")
    try:
        front = parse_front_matter(parts.front)
    except Exception:  # a broken front matter still has a body worth rendering
        front = None
    front = front if isinstance(front, dict) else {}
    captions = [c for c in front.get("captions") or [] if isinstance(c, str)]
    subheadings = [s for s in front.get("subheadings") or [] if isinstance(s, str)]
    quick, slow = both_ways(parts.body, captions, subheadings)
    assert quick == slow


@budget
@given(bodies)
@example("a \n\nb")
@example("a\n\n b")
@example(" a\n\nb")
@example("a\n\nb ")
@example("a\n- b")
@example("a\n\n12) b")
@example("a\n= b")
@example("a  b")
def test_a_body_found_plain_at_once_has_only_plain_paragraphs(source: str) -> None:
    source = source.strip("\n")
    found = [b.strip("\n") for b in body._BLOCK_SPLIT.split(source) if b.strip()]
    if body._all_plain(source):  # (it may say no where every block is plain: "a \nb" is one such block)
        assert all(map(body._is_plain_paragraph, found))


def test_plain_paragraphs_take_the_short_way() -> None:
    source = "Ông Tư nói: \"Được 50% rồi\" (năm 2022).\nDòng hai, 05-CT/TW.\n\nĐoạn hai; hết…"
    with mock.patch.object(body, "_markdown", side_effect=AssertionError("Markdown was run")), \
            mock.patch.object(body, "_is_plain", side_effect=AssertionError("a block was looked at alone")):
        html = str(body.body_html(source, [], []))
    assert html == "<p>Ông Tư nói: \"Được 50% rồi\" (năm 2022).\nDòng hai, 05-CT/TW.</p>\n<p>Đoạn hai; hết…</p>"


@pytest.mark.parametrize(("source", "expected"), [
    ("2022. Một năm", "<ol>\n<li>Một năm</li>\n</ol>"),
    ("- một\n- hai", "<ul>\n<li>một</li>\n<li>hai</li>\n</ul>"),
    ("+ một", "<ul>\n<li>một</li>\n</ul>"),
    ("Tiêu đề\n===", "<h2>Tiêu đề</h2>"),
    ("Tiêu đề\n---", "<h2>Tiêu đề</h2>"),
    ("Dòng một  \ndòng hai", "<p>Dòng một<br>\ndòng hai</p>"),
    ("Đoạn\n    mã", "<p>Đoạn\n    mã</p>"),
    ("    mã", "<pre><code>mã\n</code></pre>"),
    ("a *b* và A&B", "<p>a <em>b</em> và A&amp;B</p>"),
    ("a\u00a0b", "<p>a&nbsp;b</p>"),
    ("Đoạn một.\n\n1. Mục", "<p>Đoạn một.</p>\n<ol>\n<li>Mục</li>\n</ol>"),
])
def test_what_markdown_or_the_sanitizer_would_change_takes_the_long_way(source: str, expected: str) -> None:
    assert str(body.body_html(source, [], [])) == expected


@pytest.mark.parametrize("character", sorted(set(VIETNAMESE + VIETNAMESE.upper() + PUNCTUATION)))
def test_markdown_and_nh3_keep_every_plain_character_as_it_is(character: str) -> None:
    assert body._is_plain_paragraph(f"a{character}b")
    assert body._markdown(f"a{character}b\nc {character} d") == f"<p>a{character}b\nc {character} d</p>"


@budget
@given(st.text(alphabet="oauyOAUYqQ hn\n" + VIETNAMESE + VIETNAMESE.upper() + PUNCTUATION, max_size=60))
def test_normalize_name_keeps_the_length_of_plain_text(sample: str) -> None:
    """What lets body.py skip normalize_name for a plain block no caption is as long as."""
    if body._is_plain(sample):
        assert len(text.normalize_name(sample)) == len(sample)


def test_a_repeated_caption_is_found_whatever_its_tone_placement() -> None:
    source = "Lễ khai mạc ở Thanh Hoá.\n\nĐoạn văn."
    html = str(body.body_html(source, ["Lễ khai mạc ở Thanh Hóa."], []))
    assert html == ('<figure class="photo"><figcaption>Lễ khai mạc ở Thanh Hoá.</figcaption></figure>\n'
                    "<p>Đoạn văn.</p>")


def test_summary_skips_captions_and_headings_and_cuts_on_a_word() -> None:
    record = SimpleNamespace(body="Ảnh: lễ ra quân.\n\n## Mục\n\nChi bộ   thôn Một\nđã họp.", captions=["Ảnh: lễ ra quân."],
                             subheadings=[])
    assert body.summary(record, 240) == "Chi bộ thôn Một đã họp."  # type: ignore[arg-type]
    assert body.summary(record, 12) == "Chi bộ thôn…"  # type: ignore[arg-type]
