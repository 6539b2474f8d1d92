"""Separate an article from the site chrome a scraper kept around it.

A raw article is lines of text: chrome before the title (weather, date bars, menus, a section
header), the title, a byline and dateline, the body with captions and subheadings, and chrome after
it (related articles, comment forms, social counters). The rules here hold for any Vietnamese news
site; the generic UI phrases live in data/chrome.yaml. Nothing is dropped silently: every non-empty
line ends up in a block, in a header field, or in `removed` with its reason and line number.

Every pattern is bounded or anchored so that cleaning stays linear on a line of any length.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources

import yaml

from .dates import find_date
from .metrics import find_metrics
from .text import fold, normalize, sentences

PARAGRAPH = "paragraph"
SUBHEADING = "subheading"
CAPTION = "caption"

REASON_WEATHER = "thời tiết"
REASON_DATE_BAR = "thanh ngày tháng"
REASON_IMAGE_FILE = "tên tệp ảnh"
REASON_SOCIAL = "bộ đếm mạng xã hội"
REASON_MENU = "menu/chân trang"
REASON_TITLE_REPEAT = "lặp tiêu đề"
REASON_SECTION = "chuyên mục"
REASON_RELATED = "tin liên quan"
REASON_SECOND_CREDIT = "ký tên thứ hai"  # a closing credit when the header already named the author

SUBHEADING_MAX_WORDS = 12
SECTION_MAX_WORDS = 6
CITY_MAX_WORDS = 4
MENU_ITEM_MAX_WORDS = 3
DATELINE_MAX_WORDS = 20
BREADCRUMB_MAX_WORDS = 16
NAME_MAX_WORDS = 6
CAPTION_MAX_WORDS = 60
LEAD_CAPTION_MAX_WORDS = 50
EXACT_CHROME_MAX_WORDS = 20
PREFIX_CHROME_MAX_WORDS = 40  # "© Bản quyền thuộc về ... Ghi rõ nguồn khi phát hành lại ..." runs long
CHROME_MAX_CHARS = 300  # chrome lines are short; longer lines are never compared with phrases
SENTENCE_MIN_WORDS = 8  # a body sentence, as opposed to a menu item or a related headline
RELATED_HEADLINE_WORDS = range(3, 31)  # word counts of a headline listed under "Tin liên quan"


@dataclass
class Block:
    kind: str  # "paragraph" | "subheading" | "caption"
    text: str
    line: int  # 1-based line in the raw file


@dataclass
class RemovedLine:
    line: int
    text: str
    reason: str


@dataclass
class CleanArticle:
    title: str
    blocks: list[Block]
    byline: str | None
    dateline: str | None
    dateline_line: int | None
    source_tag: str | None
    section: str | None
    removed: list[RemovedLine]
    # Dates seen in site chrome (date bars), kept only to explain why they are not the publication date.
    header_dates: list[str] = field(default_factory=list)
    source: str = ""  # the raw file it came from, for messages
    title_line: int | None = None
    byline_line: int | None = None
    section_line: int | None = None

    @property
    def paragraphs(self) -> list[str]:
        return [block.text for block in self.blocks]

    @property
    def captions(self) -> list[str]:
        return [block.text for block in self.blocks if block.kind == CAPTION]

    @property
    def subheadings(self) -> list[str]:
        return [block.text for block in self.blocks if block.kind == SUBHEADING]

    def body_markdown(self) -> str:
        parts = [f"## {b.text}" if b.kind == SUBHEADING else b.text for b in self.blocks]
        return "\n\n".join(parts)


@dataclass
class _Line:
    number: int  # 1-based
    text: str  # stripped, single-spaced
    indented: bool  # the scraped line began with a space: a hint that it is a caption
    blanks_before: int  # blank lines between this line and the previous non-empty one

    @functools.cached_property
    def words(self) -> int:
        return len(self.text.split())

    @functools.cached_property
    def key(self) -> str | None:
        return _key(self.text) if len(self.text) <= CHROME_MAX_CHARS else None

    @functools.cached_property
    def chrome_reason(self) -> str | None:
        return _find_chrome_reason(self)


@dataclass(frozen=True)
class _ChromeKind:
    reason: str
    footer: bool
    headlines_follow: bool
    exact: frozenset[str]
    prefixes: tuple[str, ...]


_EDGE_PUNCTUATION = " \t-–—|•·:;,.!?*#»«>_=()[]"
_LEADING_COUNT = re.compile(r"^\(?\d{1,9}\)?\s?")
_TRAILING_COUNT = re.compile(r"\s?\(\d{1,9}\)?$")  # "Bình luận (0)"


def _key(text: str) -> str:
    """A chrome comparison key: folded, single-spaced, no punctuation at the ends, no leading count."""
    folded = _TRAILING_COUNT.sub("", " ".join(fold(text).split()))
    return _LEADING_COUNT.sub("", folded.strip(_EDGE_PUNCTUATION)).strip(_EDGE_PUNCTUATION)


@functools.cache
def _chrome_kinds() -> tuple[_ChromeKind, ...]:
    source = resources.files("newsarchive").joinpath("data/chrome.yaml").read_text("utf-8")
    kinds = []
    for name, spec in yaml.safe_load(source).items():
        if name == "vocabulary":
            continue
        kinds.append(
            _ChromeKind(
                reason=spec["reason"],
                footer=bool(spec["footer"]),
                headlines_follow=bool(spec.get("headlines_follow", False)),
                exact=frozenset(_key(p) for p in spec.get("exact", [])),
                prefixes=tuple(" ".join(fold(p).split()) for p in spec.get("prefix", [])),
            )
        )
    return tuple(kinds)


@functools.cache
def _vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """(section names, UI phrases) of data/chrome.yaml's `vocabulary`, folded."""
    source = resources.files("newsarchive").joinpath("data/chrome.yaml").read_text("utf-8")
    spec = yaml.safe_load(source)["vocabulary"]
    return (frozenset(" ".join(fold(p).split()) for p in spec["sections"]),
            frozenset(" ".join(fold(p).split()) for p in spec["ui"]))


_MENU_SEPARATORS = re.compile(r"[|•·/>»›,;:\-–—_+*()\[\]]")
_MENU_PHRASE_MAX_WORDS = 5


def _menu_phrases(line: _Line) -> tuple[int, int] | None:
    """(section names, UI phrases) when the line is made only of navigation phrases, else None.

    Greedy longest-first segmentation of the folded words: "thoi su chinh tri kinh te" is three
    section names. Bounded: lines of more than 30 words are never menus.
    """
    if line.words > 30 or any(c.isdigit() for c in line.text.replace("(0)", "")):
        return None
    sections, ui = _vocabulary()
    words = _MENU_SEPARATORS.sub(" ", fold(line.text.replace("(0)", ""))).split()
    if not words:
        return None
    counts = [0, 0]
    at = 0
    while at < len(words):
        for size in range(min(_MENU_PHRASE_MAX_WORDS, len(words) - at), 0, -1):
            phrase = " ".join(words[at : at + size])
            if phrase in sections or phrase in ui:
                counts[0 if phrase in sections else 1] += 1
                at += size
                break
        else:
            return None
    return counts[0], counts[1]


def _is_menu_row(line: _Line, above_title: bool) -> bool:
    """A menu row or share bar: navigation phrases and nothing else (see chrome.yaml's vocabulary)."""
    found = _menu_phrases(line)
    if found is None:
        return False
    sections, ui = found
    if above_title and _is_upper(line.text) and sections + ui == 1:
        return False  # "THỜI SỰ": a section header, which the header pass keeps or drops as such
    return above_title or ui > 0 or sections >= 2


# Patterns are anchored and bounded; they only ever see lines already known to be short.
_WEATHER = re.compile(r"^(?:[^\d]{1,30}\s)?-?\d{1,2}(?:[.,]\d)?\s?(?:°|độ)?\s?[CF]$")
_IMAGE_FILE = re.compile(r"^[^/\\\s]{1,150}(?: [^/\\\s]{1,150}){0,4}\.(?:jpe?g|png|gif|webp|bmp|tiff?|svg|avif)$", re.I)
_SOCIAL_COUNTER = re.compile(
    r"^\d[\d.,]{0,12}\s?[KkMm]?\s?(?:thành viên|người theo dõi|lượt thích|lượt xem|người đăng ký|"
    r"fans?|followers?|subscribers?|likes?|thích|theo dõi|đăng ký)",
    re.IGNORECASE,
)
_TERMINAL = ".!?…:;,"
_CLOSERS = "\"'”’»)]"
_BREADCRUMB_SEPARATOR = re.compile(r"\s[>»›|/]\s")
_HOME_WORDS = frozenset({"trang chu", "home", "trang nhat"})
_BULLET = re.compile(r"^[-+•*–]\s")
# "(PLO) - ", "(Baonghean) - ", "(Chinhphu.vn) –": the outlet's tag before the lead.
# "BR-VT - ..." is a hyphenated place abbreviation (a place dateline), not a tag "BR".
_BARE_TAG = re.compile(r"^([A-ZĐ][A-ZĐ0-9&.]{1,11})\s?[-–—]\s?(?=\S)(?![A-ZĐ]{1,5}\s?[-–—]\s)")
_BRACKET_TAG = re.compile(r"^\(([A-Za-zĐđ0-9&.+ ]{2,24})\)\s?(?:[-–—:]\s?)?(?=\S)")
# "(Dân Việt) – ", "(Văn Hóa) - ": an outlet's name in capitalised words with diacritics, then a dash.
_BRACKET_NAME_TAG = re.compile(r"^\(((?:[^\W\d_][\w.&]{0,14})(?: [^\W\d_][\w.&]{0,14}){0,2})\)\s?[-–—]\s?(?=\S)")
_BYLINE_LABEL = re.compile(
    r"^(?:bài và ảnh|bài, ảnh|bài - ảnh|bài/ảnh|tin, ảnh|tin và ảnh|bài|tin|tác giả|người viết|"
    r"nhóm phóng viên|nhóm pv|nguồn)\s?:\s?(\S.{0,80})$",
    re.IGNORECASE,
)
_WEB_ADDRESS = re.compile(r"[\w-]{1,60}(?:\.[\w-]{1,60}){1,4}")
_TRAILING_PARENTHESIS = re.compile(r"\s?\([^()]{1,100}\)$")
AGENCY_MAX_WORDS = 3  # "(TTXVN)", "(Báo Nhân Dân)" stay with the name; a longer bracket is an affiliation
_INITIALS = re.compile(r"^[A-ZĐ][a-zđ]?(?:\.\s?[A-ZĐ][a-zđ]?){1,3}\.?$")
# "K.HÀO", "N.Hương", "T.T.LÂM": initials and a given name, as closing credits print them.
_INITIALS_NAME = re.compile(r"^(?:[A-ZĐ]\.\s?){1,3}[^\W\d_]{2,12}$")
_ACRONYM_CREDIT = re.compile(r"^[A-ZĐ]{2,6}$")
# "Ban Tuyên giáo Tỉnh ủy", "Phòng Tham mưu": a unit of the publishing body credited as author.
_UNIT_CREDIT = re.compile(
    r"^(?:ban biên tập|văn phòng|bộ phận|trung tâm|ban|phòng|tổ|nhóm)\s([^\d,.;:!?]{2,70})$", re.IGNORECASE)
UNIT_CREDIT_MAX_WORDS = 10  # "Ban Tuyên giáo và Dân vận Đảng ủy xã"
# What an interview or a report credit says its author did: "ĐĂNG NGUYÊN (thực hiện)".
_CREDIT_ROLE = re.compile(r"\s?\((?:thực hiện|ghi|lược ghi|ghi chép|tổng hợp|biên soạn|lược dịch|dịch|giới thiệu)\)$",
                          re.IGNORECASE)
_DATELINE_LABEL = re.compile(
    r"(cập nhật|ngày đăng|đăng ngày|đăng lúc|ngày xuất bản|xuất bản|thời gian|đăng|ngày|lúc|"
    r"thứ\s(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ nhật|gmt\s?\+\s?7|utc\s?\+\s?7|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day)",
    re.IGNORECASE,
)
# Words that say a date is the article's own ("Ngày đăng: 15/5/2023"), wherever it stands.
_PUBLISHED_LABEL = re.compile(r"\b(?:ngày đăng|đăng ngày|đăng lúc|cập nhật|ngày xuất bản|xuất bản|published|posted)\b",
                              re.IGNORECASE)
# A site's name printed above the title: "Báo điện tử ...", "Nhân dân điện tử", "... Online".
_MASTHEAD = re.compile(r"^(?:báo|tạp chí|cổng thông tin|trang thông tin|trang tin|đài)\b|"
                       r"\b(?:điện tử|online|\.vn|\.com)$", re.IGNORECASE)
MASTHEAD_MAX_WORDS = 7
# A portal's name may carry its owner, before or after: "ĐẢNG BỘ TỈNH X - CỔNG THÔNG TIN ĐIỆN TỬ",
# "UBND HUYỆN Y - TRANG THÔNG TIN ĐIỆN TỬ"; the phrase anywhere in a short line names the site.
_PORTAL_NAME = re.compile(r"\b(?:cổng|trang) thông tin điện tử\b", re.IGNORECASE)
PORTAL_NAME_MAX_WORDS = 14
HEADLINE_MAX_WORDS = 40
HEADER_LOOKAHEAD_LINES = 60  # a portal's left menu may run to dozens of lines above the headline
_TODAY = re.compile(r"^(?:hôm nay|today)\b", re.IGNORECASE)  # "Hôm nay: Thứ Năm, 21/11/2024": the day of fetching
_POSTED_BY = re.compile(r"\s(?:bởi|by|người đăng:?)\s[^\d|]{1,40}$", re.IGNORECASE)
_LEAD_START = re.compile(
    r"^(sáng|chiều|trưa|tối|đêm|ngày|hôm nay|hôm qua|vừa qua|thời gian qua|những năm qua|trong|"
    r"thực hiện|theo|năm|qua|dịp|nhân dịp|đến nay|hiện nay|cùng với|bên cạnh|ngoài ra|nhờ|tuy|mặc dù)\b",
    re.IGNORECASE,
)
_PHOTO_CUE = re.compile(r"\(ảnh|ảnh:|ảnh minh họa|quang cảnh|ảnh tư liệu", re.IGNORECASE)
_SCENE_VERB = re.compile(
    r"\b(tặng|trao|trao tặng|trao thưởng|tham gia|hướng dẫn|tuần tra|trải nghiệm|thu hoạch|chăm sóc|biểu diễn|khảo sát|trưng bày|phát biểu|thăm|thăm hỏi|kiểm tra|trao đổi|tham quan|chụp ảnh|"
    r"dâng hương|dâng hoa|ký kết|cắt băng|chúc mừng|ra quân|sinh hoạt chuyên đề)\b",
    re.IGNORECASE,
)
# "Ảnh: ...", "... (Ảnh: Hoài Thu)": a line that credits a photo is that photo's caption.
_PHOTO_CREDIT = re.compile(r"^ảnh\s?:|\(ảnh(?: minh họa)?\s?(?::[^()]{0,80})?\)$", re.IGNORECASE)
# "... hội nghị. Ảnh: P.V", "... hội nghị - Ảnh: TL": a caption with its photo credit, which stays
# part of the caption as printed (like "(Ảnh: TTXVN)").
_TRAILING_CREDIT = re.compile(
    r"(?:(?<=[.!?…”\"])\s{0,3}|\s{1,3}[-–—]\s{1,3})(?:ảnh|ảnh minh họa|nguồn ảnh)\s?:\s?[^.()]{1,60}$|"
    r"\s{0,3}\((?:ảnh|ảnh minh họa|nguồn ảnh)\s?(?::\s?[^()]{1,60})?\)$",
    re.IGNORECASE,
)
_SCENE_WORDS = 15  # a caption names its scene early: "Lãnh đạo huyện X tặng giấy khen..."
BODY_CAPTION_MAX_WORDS = 30
SCENE_AT_PLACE_MAX_WORDS = 20
_AT_PLACE = re.compile(r"\stại\s(\w)")
BODY_SCENE_WORDS = 18  # "Ông A, Bí thư Chi bộ thôn B, xã C, kiểm tra ..." names the person first
# What a reported-speech or narrative paragraph has and a caption does not.
_SPEECH = re.compile(
    r"\b(?:cho biết|chia sẻ|nhấn mạnh|khẳng định|cho rằng|bày tỏ|nói|đề nghị|yêu cầu|đánh giá|ghi nhận|"
    r"lưu ý|đề xuất|kiến nghị|mong muốn)\b|:|[\"“”]|^(?:phát biểu|tại hội nghị|tại buổi)\b[^.]{0,80},",
    re.IGNORECASE)
# A caption shows a scene in the present; a lead narrates what "đã" happened.
_NARRATED = re.compile(r"\b(?:đã|vừa|đang được)\b", re.IGNORECASE)


def _lines(raw: str) -> list[_Line]:
    text = normalize(raw.replace("\r\n", "\n").replace("\r", "\n"))
    lines: list[_Line] = []
    blanks = 0
    for number, raw_line in enumerate(text.split("\n"), start=1):
        stripped = " ".join(raw_line.split())
        if not stripped:
            blanks += 1
            continue
        lines.append(_Line(number, stripped, raw_line[:1].isspace(), blanks))
        blanks = 0
    return lines


def _chrome_kind(line: _Line) -> _ChromeKind | None:
    key = line.key
    if not key or line.words > PREFIX_CHROME_MAX_WORDS:
        return None
    for candidate in (key, _without_leading_ui(key)):
        if not candidate:
            continue
        for kind in _chrome_kinds():
            if (line.words <= EXACT_CHROME_MAX_WORDS and candidate in kind.exact) or candidate.startswith(kind.prefixes):
                return kind
    return None


def _without_leading_ui(key: str) -> str | None:
    """"share tags: x, y" -> "tags: x, y": a share bar run together with the tag list after it."""
    _, ui = _vocabulary()
    words = key.split()
    at = 0
    while at < len(words):
        for size in range(min(_MENU_PHRASE_MAX_WORDS, len(words) - at), 0, -1):
            if " ".join(words[at : at + size]) in ui:
                at += size
                break
        else:
            break
    return " ".join(words[at:]) if 0 < at < len(words) else None


def _find_chrome_reason(line: _Line) -> str | None:
    """Why a line is chrome wherever it stands, or None."""
    if line.key is None:
        return None
    if kind := _chrome_kind(line):
        return kind.reason
    if _IMAGE_FILE.match(line.text):
        return REASON_IMAGE_FILE
    if _SOCIAL_COUNTER.match(line.text) and line.words <= 8:
        return REASON_SOCIAL
    if _WEATHER.match(line.text):
        return REASON_WEATHER
    if _is_menu_row(line, above_title=False):
        return REASON_MENU
    return None


def _ends_open(text: str) -> bool:
    """True when the line has no final punctuation (headings, captions, headlines)."""
    trimmed = text.rstrip(_CLOSERS + " ")
    return bool(trimmed) and trimmed[-1] not in _TERMINAL


def _is_upper(text: str) -> bool:
    return any(c.isalpha() for c in text) and text == text.upper()


def _is_sentence(line: _Line) -> bool:
    return line.words >= SENTENCE_MIN_WORDS and not _ends_open(line.text)


def _is_name(text: str) -> bool:
    """A person's name as bylines print it: "Nguyễn Nga", "DŨNG CHINH", "Minh Hà - Thu Trang",
    "Hồng Nhung (TTXVN)"."""
    words = [w for w in re.split(r"[\s,\-–]+", _TRAILING_PARENTHESIS.sub("", text)) if w]
    if not 1 < len(words) <= NAME_MAX_WORDS or any(c.isdigit() for c in text):
        return False
    return all(w[0].isupper() and w.replace(".", "").isalpha() for w in words)


def _is_breadcrumb(line: _Line) -> bool:
    """"Trang chủ > Thời sự > Chính trị": short parts joined by arrows or bars."""
    if line.words > BREADCRUMB_MAX_WORDS:
        return False
    parts = _BREADCRUMB_SEPARATOR.split(line.text)
    if len(parts) < 2:
        return False
    if _key(parts[0]) in _HOME_WORDS:  # "Trang chủ > Xây dựng Đảng > Học tập và làm theo Bác"
        return all(0 < len(p.split()) <= NAME_MAX_WORDS + 2 for p in parts)
    return all(0 < len(p.split()) <= CITY_MAX_WORDS for p in parts)


def _is_date_bar(line: _Line) -> bool:
    """A line above the title that is a date and little else ("Thứ Ba, Tháng Chín 28, 2021")."""
    return _split_dateline(line) is not None


def _split_dateline(line: _Line) -> tuple[str | None, str] | None:
    """(byline, dateline) when the line is a dateline, possibly led by the author: "Nguyễn Nga| 13/05/2022 12:35"."""
    if line.words > DATELINE_MAX_WORDS:
        return None
    found = find_date(line.text)
    if found is None:
        return None
    before, after = line.text[: found.start], line.text[found.end :]
    author = None
    for separator in ("|", " - ", " – "):
        if separator in before:
            head, tail = before.rsplit(separator, 1)
            if _is_name(head.strip()):
                author, before = head.strip(), tail
            break
    after = _POSTED_BY.sub("", after)  # "Đăng ngày 01/02/2020 bởi admin": the site's account
    leftover = _DATELINE_LABEL.sub(" ", before + " " + after)
    leftover_words = [w for w in re.split(r"[\s|,:()\-–]+", leftover) if w]
    if len(leftover_words) > 3:
        return None
    dateline = line.text
    if author:
        dateline = line.text[line.text.index(author) + len(author) :].lstrip(" |-–")
    return author, dateline


def _byline_of(line: _Line, strict: bool) -> str | None:
    """The author a closing credit line names; `strict` accepts only labelled forms and initials."""
    text = line.text
    if line.words > 12 and not (_TRAILING_PARENTHESIS.search(text) and line.words <= 24):
        return None
    if match := _BYLINE_LABEL.match(text):
        return match.group(1).strip()
    if _is_source_credit(line):
        return text.rstrip(".")
    if _INITIALS.match(text) or _INITIALS_NAME.match(text):
        return text
    if not strict and _ACRONYM_CREDIT.match(text):
        return text  # "PV", "BKT": the reporter's or the outlet's initials closing the article
    bare = _CREDIT_ROLE.sub("", text.strip(" ."))
    if not strict and _is_name(bare) and _ends_open(text.rstrip(".")):
        return _without_affiliation(bare)
    if not strict and line.words <= UNIT_CREDIT_MAX_WORDS and (unit := _UNIT_CREDIT.match(text.strip())) \
            and unit.group(1)[0].isupper():  # the unit's name follows: "Văn phòng Huyện ủy"
        return text.strip()
    return None


def _without_affiliation(name: str) -> str:
    """"Hà An (Trung tâm Truyền thông và Văn hóa huyện X)" -> "Hà An";
    a short agency tag ("Hồng Nhung (TTXVN)") is part of the credit and stays."""
    match = _TRAILING_PARENTHESIS.search(name)
    if match and len(match.group().strip(" ()").split()) > AGENCY_MAX_WORDS:
        return name[: match.start()].strip()
    return name


def _is_outlet_credit(line: _Line) -> bool:
    """"Nguồn: Báo Đồng Khởi", "Theo TTXVN": the outlet a text comes from, not its author."""
    return _is_source_credit(line) or bool(re.match(r"^nguồn\s?:", line.text, re.IGNORECASE))


def _is_source_credit(line: _Line) -> bool:
    """"Theo TTXVN", "Theo Báo Nhân Dân", "Theo baochinhphu.vn"; never "Theo đó, ..." or "Theo ông A, ..."."""
    if not line.text.startswith("Theo ") or line.words > 8 or not _ends_open(line.text.rstrip(".")):
        return False
    first = line.text.split()[1]
    return first[0].isupper() or bool(_WEB_ADDRESS.fullmatch(first))


def _looks_like_lead_caption(line: _Line) -> bool:
    """A photo caption printed between the title and the lead (one sentence describing a scene)."""
    if line.words > LEAD_CAPTION_MAX_WORDS or len(sentences(line.text)) != 1:
        return False
    if _BARE_TAG.match(line.text) or _BRACKET_TAG.match(line.text) or "cho biết" in line.text:
        return False
    if line.indented or _PHOTO_CUE.search(line.text):
        return True
    if _LEAD_START.match(line.text) or _NARRATED.search(line.text):
        return False
    opening = " ".join(line.text.split()[:_SCENE_WORDS])
    return bool(_SCENE_VERB.search(opening))


def _looks_like_body_caption(line: _Line) -> bool:
    """A photo caption standing alone between paragraphs, without an image marker or a credit:
    one short sentence that names a scene ("Quang cảnh hội nghị.", "Bí thư Huyện ủy X trao giấy
    khen cho ...") and neither narrates ("đã", "vừa") nor reports speech."""
    if line.words > BODY_CAPTION_MAX_WORDS or len(sentences(line.text)) != 1:
        return False
    if _BARE_TAG.match(line.text) or _BRACKET_TAG.match(line.text) or _SPEECH.search(line.text):
        return False
    if _PHOTO_CUE.search(line.text):
        return True
    if _LEAD_START.match(line.text) or _NARRATED.search(line.text):
        return False
    if find_metrics([line.text]):
        return False  # a sentence that reports figures is the article's, not a photo's
    opening = " ".join(line.text.split()[:BODY_SCENE_WORDS])
    if _SCENE_VERB.search(opening):
        return True
    # "Người dân làm thủ tục tại Trung tâm ...": a short scene set at a named place, no figures
    return line.words <= SCENE_AT_PLACE_MAX_WORDS and not any(c.isdigit() for c in line.text) \
        and any(m.group(1).isupper() for m in _AT_PLACE.finditer(line.text))


class _Cleaner:
    """One article's cleaning state; `clean()` is the only way in."""

    def __init__(self, raw: str, source: str):
        self.source = source
        self.lines = _lines(raw)
        self.removed: list[RemovedLine] = []
        self.header_dates: list[str] = []
        # Date bars above the title that carry a clock time ("Thứ Tư, 11/10/2023, 09:12"): the
        # article's own header when no dateline follows the title, else chrome.
        self.timed_header_dates: list[_Line] = []
        self.header_reasons: dict[int, str | None] = {}
        self.title = ""
        self.title_line: int | None = None
        self.title_key: str | None = None
        self.section: str | None = None
        self.section_line: int | None = None
        self.byline: str | None = None
        self.byline_line: int | None = None
        self.dateline: str | None = None
        self.dateline_line: int | None = None

    def remove(self, line: _Line, reason: str) -> None:
        self.removed.append(RemovedLine(line.number, line.text, reason))

    def run(self) -> CleanArticle:
        start = self.read_header()
        body = self.drop_chrome(self.lines[start:])
        body = self.take_dateline(body)
        self.settle_header_dates()
        body = self.take_opening_byline(body)
        body = self.take_closing_byline(body)
        blocks = self.classify(body)
        source_tag = self.take_source_tag(blocks)
        self.removed.sort(key=lambda r: r.line)
        return CleanArticle(
            title=self.title,
            blocks=blocks,
            byline=self.byline,
            dateline=self.dateline,
            dateline_line=self.dateline_line,
            source_tag=source_tag,
            section=self.section,
            removed=self.removed,
            header_dates=self.header_dates,
            source=self.source,
            title_line=self.title_line,
            byline_line=self.byline_line,
            section_line=self.section_line,
        )

    # -- before the title -------------------------------------------------------------------

    def read_header(self) -> int:
        """Remove the chrome above the title, set title and section; return the index after the title."""
        lines = self.lines
        section: _Line | None = None
        title_at: int | None = None  # where the title stands, once a dateline below has shown it
        for index, line in enumerate(lines):
            reason = self.header_chrome_reason(index)
            if reason == REASON_DATE_BAR:
                self.header_dates.append(line.text)
                found = find_date(line.text)
                if found is not None and (found.time is not None or _PUBLISHED_LABEL.search(line.text)) \
                        and not _TODAY.match(line.text):
                    self.timed_header_dates.append(line)
                    continue
            if reason:
                self.remove(line, reason)
                continue
            if title_at is None:
                title_at = self.title_above_dateline(index)
            if index < title_at:
                # a masthead, a left menu or a site's name above the headline that a dateline follows
                if _is_upper(line.text) and line.words <= SECTION_MAX_WORDS and _ends_open(line.text):
                    if section is not None:
                        self.remove(section, REASON_SECTION)
                    section = line
                else:
                    self.remove(line, REASON_MENU)
                continue
            following = self.next_substantive(index)
            heading_follows = following is not None and _ends_open(following.text)
            if heading_follows and (line.words <= MASTHEAD_MAX_WORDS and _MASTHEAD.search(line.text)
                                    or line.words <= PORTAL_NAME_MAX_WORDS and _PORTAL_NAME.search(line.text)):
                self.remove(line, REASON_MENU)  # the site's name, above the headline
                continue
            if _is_upper(line.text) and line.words <= SECTION_MAX_WORDS and heading_follows:
                if section is not None:  # a breadcrumb: keep its most specific part
                    self.remove(section, REASON_SECTION)
                section = line
                continue
            if line.words <= MENU_ITEM_MAX_WORDS and heading_follows:
                self.remove(line, REASON_MENU)
                continue
            self.title, self.title_line, self.title_key = line.text, line.number, line.key
            if section is not None:
                self.section, self.section_line = section.text, section.number
            return index + 1
        if section is not None:  # nothing but chrome and a heading: the heading is all there is
            self.title, self.title_line, self.title_key = section.text, section.number, section.key
        return len(lines)

    def title_above_dateline(self, index: int) -> int:
        """The index of the title, seen from the first candidate at `index`: news pages print the
        headline right above its dateline ("09:10, 22/05/2023", "Trần Hòa | 19/05/2023 10:30"), so
        when the lines from the candidate down to the last dateline before the first body sentence
        are all short, the title is the nearest line above that dateline that is neither chrome
        nor an author's name. A site's masthead or a left menu above it is then chrome, however
        long. Otherwise the candidate stands."""
        last_dateline = None
        for later in range(index + 1, min(len(self.lines), index + HEADER_LOOKAHEAD_LINES)):
            line = self.lines[later]
            if _is_sentence(line) or line.words > HEADLINE_MAX_WORDS:
                break
            if self.header_chrome_reason(later) == REASON_DATE_BAR and not _TODAY.match(line.text):
                last_dateline = later
        if last_dateline is None:
            return index
        for candidate in range(last_dateline - 1, index - 1, -1):
            line = self.lines[candidate]
            if self.header_chrome_reason(candidate) is not None:
                continue
            if _is_name(line.text) and line.words <= CITY_MAX_WORDS + 1:
                continue  # the author's name between the title and the dateline
            if candidate > index and line.words < 3:
                continue  # a menu item cannot be a headline
            return candidate
        return index

    def settle_header_dates(self) -> None:
        """A timed date above the title is the dateline when none follows the title (sites that
        print "Thứ Tư, 11/10/2023, 09:12" over the headline); the nearest to the title wins. A date
        bar without a time is the day of fetching and never a dateline."""
        pending = self.timed_header_dates
        if self.dateline is None and pending:
            chosen = pending[-1]
            self.dateline, self.dateline_line = chosen.text, chosen.number
            self.header_dates.remove(chosen.text)
            pending = pending[:-1]
        for line in pending:
            self.remove(line, REASON_DATE_BAR)

    def next_substantive(self, index: int) -> _Line | None:
        """The next line above the title that is not chrome. Scans from successive candidates
        cover disjoint stretches, and reasons are cached, so the header pass stays linear."""
        for later in range(index + 1, len(self.lines)):
            if self.header_chrome_reason(later) is None:
                return self.lines[later]
        return None

    def header_chrome_reason(self, index: int) -> str | None:
        """Why a line above the title is chrome: the generic reasons, a weather city, a date bar,
        a breadcrumb trail."""
        if index not in self.header_reasons:
            line = self.lines[index]
            reason = line.chrome_reason
            if reason is None and self.is_city_beside_weather(index):
                reason = REASON_WEATHER
            if reason is None and _is_date_bar(line):
                reason = REASON_DATE_BAR
            if reason is None and (_is_breadcrumb(line) or _is_menu_row(line, above_title=True)):
                reason = REASON_MENU
            self.header_reasons[index] = reason
        return self.header_reasons[index]

    def is_city_beside_weather(self, index: int) -> bool:
        """A weather widget names its city on the line next to the temperature ("Hà Nội")."""
        line = self.lines[index]
        if line.words > CITY_MAX_WORDS or any(c.isdigit() for c in line.text) or not _ends_open(line.text):
            return False
        neighbours = self.lines[max(0, index - 1) : index] + self.lines[index + 1 : index + 2]
        return any(n.chrome_reason == REASON_WEATHER for n in neighbours)

    # -- after the title --------------------------------------------------------------------

    def drop_chrome(self, lines: list[_Line]) -> list[_Line]:
        """Remove chrome lines and everything after the footer; mark where images stood."""
        footer_at = self.footer_start(lines)
        kept: list[_Line] = []
        in_related_list = False
        list_spacing: int | None = None  # blank lines between the headlines of a related list
        footer_default = REASON_MENU  # what a footer line without its own reason is
        body_started = False
        for index, line in enumerate(lines):
            if footer_at is not None and index >= footer_at:
                if self.byline is None and (name := _byline_of(line, strict=True)):
                    self.byline, self.byline_line = name, line.number
                    continue
                if kind := _chrome_kind(line):
                    footer_default = REASON_RELATED if kind.headlines_follow else REASON_MENU
                self.remove(line, self.footer_reason(line, footer_default))
                continue
            if self.is_title_repeat(line):
                self.remove(line, REASON_TITLE_REPEAT)
                if body_started:  # inside the body it is an image's alt text: see classify
                    kept.append(_Line(line.number, "", False, 0))
                continue
            if in_related_list and self.is_listed_headline(line, list_spacing):
                list_spacing = line.blanks_before
                self.remove(line, REASON_RELATED)
                continue
            in_related_list, list_spacing = False, None
            if reason := line.chrome_reason:
                self.remove(line, reason)
                kind = _chrome_kind(line)
                in_related_list = kind is not None and kind.headlines_follow
                if reason == REASON_IMAGE_FILE:
                    kept.append(_Line(line.number, "", False, 0))
                continue
            kept.append(line)
            body_started = True
        return kept

    @staticmethod
    def is_listed_headline(line: _Line, list_spacing: int | None) -> bool:
        """A headline in a related-articles list: open-ended, headline-sized, spaced like the rest
        of the list (a wider gap means the article goes on, perhaps with a subheading)."""
        if not _ends_open(line.text) or line.words not in RELATED_HEADLINE_WORDS:
            return False
        return line.blanks_before <= 1 if list_spacing is None else line.blanks_before == list_spacing

    def footer_start(self, lines: list[_Line]) -> int | None:
        """Index of the first footer marker after the last body sentence, or None."""
        last_sentence = -1
        for index, line in enumerate(lines):
            if _is_sentence(line) and line.chrome_reason is None and not self.is_title_repeat(line):
                last_sentence = index
        for index in range(last_sentence + 1, len(lines)):
            kind = _chrome_kind(lines[index])
            if kind is not None and kind.footer:
                return index
        return None

    def footer_reason(self, line: _Line, default: str) -> str:
        if self.is_title_repeat(line):
            return REASON_TITLE_REPEAT
        return line.chrome_reason or default

    def is_title_repeat(self, line: _Line) -> bool:
        return self.title_key is not None and line.key == self.title_key

    def take_dateline(self, lines: list[_Line]) -> list[_Line]:
        """Take the dateline (and an author printed with or above it) from the lines after the title,
        or else from the last lines of the article."""
        content = [i for i, line in enumerate(lines) if line.text]
        candidates = content[:3] + content[-2:]
        for position in candidates:
            line = lines[position]
            split = _split_dateline(line)
            if split is None:
                continue
            author, self.dateline = split
            self.dateline_line = line.number
            taken = {position}
            if author:
                self.drop_earlier_credit()
                self.byline, self.byline_line = author, line.number
            elif self.byline is None:
                above = [i for i in content if i < position][-1:]
                if above and position in content[:3] and _is_name(lines[above[0]].text):
                    self.byline, self.byline_line = lines[above[0]].text, lines[above[0]].number
                    taken.add(above[0])
            return [line for i, line in enumerate(lines) if i not in taken]
        return lines

    def drop_earlier_credit(self) -> None:
        """The author printed with the dateline wins over a credit already taken from the footer,
        which is then listed as removed (never silently lost)."""
        if self.byline_line is not None:
            earlier = next(line for line in self.lines if line.number == self.byline_line)
            self.remove(earlier, REASON_SECOND_CREDIT)
            self.byline, self.byline_line = None, None

    def take_opening_byline(self, lines: list[_Line]) -> list[_Line]:
        """An author credited under the title, before the lead: "Bài, ảnh: Lê Minh", "Minh Hà"."""
        content = [i for i, line in enumerate(lines) if line.text]
        if self.byline is not None or len(content) < 3:
            return lines
        first = lines[content[0]]
        if match := _BYLINE_LABEL.match(first.text):
            self.byline = match.group(1).strip()
        elif _is_name(first.text) and first.words <= CITY_MAX_WORDS + 1:
            self.byline = first.text
        else:
            return lines
        self.byline_line = first.number
        return lines[: content[0]] + lines[content[0] + 1 :]

    def take_closing_byline(self, lines: list[_Line]) -> list[_Line]:
        """The author credited after the last paragraph ("DŨNG CHINH", "Đ.V", "Bài, ảnh: ...")."""
        content = [i for i, line in enumerate(lines) if line.text]
        if len(content) < 2:
            return lines
        last = lines[content[-1]]
        if self.byline is None and _is_outlet_credit(last) and len(content) >= 3:
            # "Tác giả: X" then "Nguồn: Báo Y": the author is the byline, the outlet a credit
            previous = lines[content[-2]]
            if (author := _byline_of(previous, strict=False)) and not _is_outlet_credit(previous):
                self.byline, self.byline_line = author, previous.number
                self.remove(last, REASON_SECOND_CREDIT)
                return lines[: content[-2]] + lines[content[-2] + 1 : content[-1]] + lines[content[-1] + 1 :]
        if self.byline is None and (name := _byline_of(last, strict=False)):
            self.byline, self.byline_line = name, last.number
        elif self.byline is not None and (
            _byline_of(last, strict=True) or _byline_of(last, strict=False) == self.byline
        ):
            self.remove(last, REASON_SECOND_CREDIT)
        else:
            return lines
        return lines[: content[-1]] + lines[content[-1] + 1 :]

    def classify(self, lines: list[_Line]) -> list[Block]:
        """Paragraphs, subheadings and captions, in order."""
        content = [line for line in lines if line.text]
        # paragraph_after[i]: a line with final punctuation comes after lines[i] (linear, precomputed)
        paragraph_after = [False] * (len(lines) + 1)
        for index in range(len(lines) - 1, -1, -1):
            later = lines[index + 1] if index + 1 < len(lines) else None
            closes = later is not None and bool(later.text) and not _ends_open(later.text)
            paragraph_after[index] = paragraph_after[index + 1] or closes
        blocks: list[Block] = []
        paragraph_seen = False
        after_image = False
        for index, line in enumerate(lines):
            if not line.text:  # where an image file name or an alt-text repeat of the title stood
                after_image = True
                continue
            kind = PARAGRAPH
            if after_image and line.words <= CAPTION_MAX_WORDS and len(sentences(line.text)) <= 2:
                kind = CAPTION
            elif (_PHOTO_CREDIT.search(line.text) or _TRAILING_CREDIT.search(line.text)) and line.words <= CAPTION_MAX_WORDS:
                kind = CAPTION
            elif line is content[0] and len(content) > 1 and _looks_like_lead_caption(line):
                kind = CAPTION
            elif line is not content[0] and _looks_like_body_caption(line):
                kind = CAPTION
            elif line.blanks_before >= 2 and _ends_open(line.text) and line.words > SUBHEADING_MAX_WORDS:
                kind = CAPTION  # a caption standing alone after a gap where the image was
            elif (
                paragraph_seen
                and line.words <= SUBHEADING_MAX_WORDS
                and _ends_open(line.text)
                and not _BULLET.match(line.text)
                and paragraph_after[index]
            ):
                kind = SUBHEADING
            after_image = False
            paragraph_seen = paragraph_seen or kind == PARAGRAPH
            blocks.append(Block(kind, line.text, line.number))
        return blocks

    def take_source_tag(self, blocks: list[Block]) -> str | None:
        """Strip the outlet's tag from the lead: "BKT - Sáng nay..." -> "BKT", "Sáng nay..."."""
        lead = next((b for b in blocks if b.kind == PARAGRAPH), None)
        if lead is None:
            return None
        match = _BRACKET_TAG.match(lead.text) or _BARE_TAG.match(lead.text)
        if match is None and (named := _BRACKET_NAME_TAG.match(lead.text)) and all(
                word[0].isupper() for word in named.group(1).split()):
            match = named
        if match is None or match.end() >= len(lead.text):
            return None
        lead.text = lead.text[match.end() :]
        return match.group(1).strip()


def clean(raw: str, source: str) -> CleanArticle:
    """Split a raw scraped article into its title, header fields, body blocks and removed chrome."""
    return _Cleaner(raw, source).run()
