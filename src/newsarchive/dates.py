"""Publication dates from bylines and datelines, and the period an undated article reports on.

Vietnamese dates are day first ("05/06/2019" is 5 June 2019) and in Vietnam time (+07:00).
Only the article's own dateline counts as a publication date: a date bar in the site chrome
shows the day the page was fetched, and dates inside the body are events or document dates.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .records import Period
from .text import sentences

if TYPE_CHECKING:  # clean.py imports find_date from here; only the type goes the other way
    from .clean import CleanArticle

VIETNAM_OFFSET = "+07:00"
EARLIEST_YEAR = 1945  # nothing in a news archive is dated before the republic
LATEST_YEAR = 2100

# Bounded quantifiers only: the cleaner runs these on lines of any length.
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})\s?[/.-]\s?(\d{1,2})\s?[/.-]\s?(\d{4})(?!\d)")
# "ngày 3 tháng 2 năm 2024", and as some themes print it, "03 Tháng 2, 2024".
_VERBAL_DATE = re.compile(
    r"(?:ngày\s{1,3})?(?<!\d)(\d{1,2})\s{1,3}tháng\s{1,3}(\d{1,2})(?:\s{1,3}năm|,?)\s{1,3}(\d{4})(?!\d)",
    re.IGNORECASE,
)
# Machine dates some sites print as they are: "2024-02-03", "2024-02-03T15:20:00+07:00".
_ISO_DATE = re.compile(r"(?<![\d/.-])(\d{4})-(\d{2})-(\d{2})(?![\d/.-]\d)")
_MONTH_NAMES = {
    "một": 1, "giêng": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7,
    "tám": 8, "chín": 9, "mười": 10, "mười một": 11, "mười hai": 12, "chạp": 12,
}
# "Tháng Chín 28, 2021": the order WordPress themes print in their date bars.
_NAMED_MONTH_DATE = re.compile(
    r"tháng\s{1,3}(mười\s{1,3}một|mười\s{1,3}hai|" + "|".join(sorted(_MONTH_NAMES, key=len, reverse=True))
    + r"|\d{1,2})\s{1,3}(\d{1,2}),?\s{1,3}(\d{4})(?!\d)",
    re.IGNORECASE,
)
# English date bars of themes left in their default locale: "Tuesday, September 28, 2021".
_ENGLISH_MONTHS = {
    name: number
    for number, name in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december"],
        start=1,
    )
}
_ENGLISH_DATE = re.compile(r"\b(" + "|".join(_ENGLISH_MONTHS) + r")\s{1,3}(\d{1,2}),?\s{1,3}(\d{4})(?!\d)", re.I)
_TIME = re.compile(r"(?<!\d)([01]?\d|2[0-3])\s?(?:[:hg]|giờ)\s?([0-5]\d)(?:\s?:\s?([0-5]\d)|\s?phút)?(?!\d)")
# "03:20 PM" / "03:20 CH" (chiều, the Vietnamese locale's PM), "08:00 AM" / "08:00 SA".
_MERIDIEM = re.compile(r"\s?(am|pm|sa|ch)\b", re.IGNORECASE)
# How far (in characters) a time may stand from its date and still belong to it: "13/05/2022 - 14:30".
_TIME_REACH = 24
# What may stand between a date and its time: separators, "lúc", "ngày".
_GAP_AFTER_DATE = re.compile(r"T|[\s,|–-]*(?:(?:vào\s)?lúc)?[\s,|–-]*", re.IGNORECASE)
# "08:30, Thứ Sáu, 16/09/2022": a weekday may stand between a time and the date it belongs to.
_WEEKDAY = r"(?:thứ\s{1,3}(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s{1,3}nhật)"
_GAP_BEFORE_DATE = re.compile(r"[\s,|–-]*(?:" + _WEEKDAY + r"[\s,|–-]*)?(?:ngày)?[\s,|–-]*", re.IGNORECASE)


@dataclass
class DateMatch:
    """A date found in a line, with the exact words it was read from."""

    date: _dt.date
    time: _dt.time | None
    start: int
    end: int  # span of the date and its time in the searched text
    evidence: str

    def iso(self) -> str:
        if self.time is None:
            return self.date.isoformat()
        stamp = _dt.datetime.combine(self.date, self.time)
        return stamp.isoformat(timespec="seconds") + VIETNAM_OFFSET


def _valid_date(day: str, month: str, year: str) -> _dt.date | None:
    try:
        found = _dt.date(int(year), int(month), int(day))
    except ValueError:  # 31/02, 00/05, 13th month...
        return None
    return found if EARLIEST_YEAR <= found.year <= LATEST_YEAR else None


def _month_number(word: str) -> int:
    if word.isdigit():
        return int(word)
    return _MONTH_NAMES[" ".join(word.lower().split())]


def _dates_in(text: str) -> list[tuple[_dt.date, int, int]]:
    found: list[tuple[_dt.date, int, int]] = []
    for match in _NUMERIC_DATE.finditer(text):
        if date := _valid_date(*match.groups()):
            found.append((date, match.start(), match.end()))
    for match in _ISO_DATE.finditer(text):
        year, month, day = match.groups()
        if date := _valid_date(day, month, year):
            found.append((date, match.start(), match.end()))
    for match in _VERBAL_DATE.finditer(text):
        if date := _valid_date(*match.groups()):
            found.append((date, match.start(), match.end()))
    for match in _NAMED_MONTH_DATE.finditer(text):
        month, day, year = match.groups()
        if date := _valid_date(day, str(_month_number(month)), year):
            found.append((date, match.start(), match.end()))
    for match in _ENGLISH_DATE.finditer(text):
        month, day, year = match.groups()
        if date := _valid_date(day, str(_ENGLISH_MONTHS[month.lower()]), year):
            found.append((date, match.start(), match.end()))
    return sorted(found, key=lambda item: item[1])


def _time_near(text: str, start: int, end: int) -> tuple[_dt.time, int, int] | None:
    """The clock time written just after the date, or just before it ("12:35 13/05/2022")."""
    after = _TIME.search(text, end, min(len(text), end + _TIME_REACH))
    if after and _GAP_AFTER_DATE.fullmatch(text, end, after.start()):
        return _clock(after, text)
    window_start = max(0, start - _TIME_REACH)
    for before in reversed(list(_TIME.finditer(text, window_start, start))):
        if _GAP_BEFORE_DATE.fullmatch(text, before.end(), start):
            return _clock(before, text)
    return None


def _clock(match: re.Match[str], text: str) -> tuple[_dt.time, int, int]:
    hour, minute, second = (int(g or 0) for g in match.groups())
    end = match.end()
    if hour <= 12 and (meridiem := _MERIDIEM.match(text, end)):
        afternoon = meridiem.group(1).lower() in ("pm", "ch")
        hour = (hour % 12) + (12 if afternoon else 0)
        end = meridiem.end()
    return _dt.time(hour, minute, second), match.start(), end


def find_date(text: str) -> DateMatch | None:
    """The first valid date in `text`, with the clock time beside it when there is one."""
    dates = _dates_in(text)
    if not dates:
        return None
    date, start, end = dates[0]
    time = _time_near(text, start, end)
    if time:
        clock, time_start, time_end = time
        start, end = min(start, time_start), max(end, time_end)
        return DateMatch(date, clock, start, end, text[start:end])
    return DateMatch(date, None, start, end, text[start:end])


def find_published(article: CleanArticle) -> tuple[str | None, str | None]:
    """The publication date the article's dateline states, as ISO 8601, and the line it came from.

    Date bars (article.header_dates) and dates inside the body are never used.
    """
    if not article.dateline:
        return None, None
    found = find_date(article.dateline)
    if found is None:
        return None, None
    return found.iso(), article.dateline


# "năm 2022": the only form of year we read a period from; "18/5/2021" is a document's date.
_YEAR = re.compile(r"\bnăm\s{1,3}((?:19|20)\d{2})(?!\d)(?!\s{0,2}[-–]\s{0,2}\d)", re.IGNORECASE)
# A year that ends or starts a range is a term of office or a plan ("2020 - 2025", "2021-2025").
_RANGE_END = re.compile(r"\d{4}\s{0,2}[-–]\s{0,2}$")
# Words right before "năm YYYY" that make the year something other than a year reported on.
_NOT_REPORTED = re.compile(
    r"(nhiệm kỳ|giai đoạn|khóa|(?<!hết )(?<!tính )đến|tới|phấn đấu|mục tiêu|tầm nhìn|dự kiến|sẽ|"
    r"kỷ niệm|từ|thành lập|sinh|ban hành|ký)\s{1,3}$",
    re.IGNORECASE,
)
# A year that names a document ("Luật Cán bộ, công chức năm 2008", "Nghị quyết số 12 năm 2019").
# Law names carry commas ("Luật Cán bộ, công chức"); other document names end at one.
_DOCUMENT_BEFORE = re.compile(
    r"\b(?:luật|hiến pháp)\b[^.;:()]*$|"
    r"\b(?:nghị quyết|nghị định|quyết định|thông tư|chỉ thị|kết luận|quy định|"
    r"kế hoạch|chương trình|đề án|công văn|hướng dẫn)\b[^,.;:()]*$",
    re.IGNORECASE,
)
_DOCUMENT_REACH = 48
_LOOKBEHIND_CHARS = 24  # about four words: enough for "Đến hết", "trong", "nhiệm kỳ"
# A plan stated right after the year: "Năm 2025, phấn đấu...", "trong năm 2023 sẽ...".
_PLAN_AFTER = re.compile(r"\b(phấn đấu|sẽ|dự kiến|định hướng)\b", re.IGNORECASE)
_PAST_MARK = re.compile(r"\bđã\b", re.IGNORECASE)
_LOOKAHEAD_CHARS = 60


def _reported_years(sentence: str) -> list[int]:
    years = []
    for match in _YEAR.finditer(sentence):
        before = sentence[max(0, match.start() - _LOOKBEHIND_CHARS) : match.start()]
        after = sentence[match.end() : match.end() + _LOOKAHEAD_CHARS]
        document_window = sentence[max(0, match.start() - _DOCUMENT_REACH) : match.start()]
        if _NOT_REPORTED.search(before) or _RANGE_END.search(before) or _DOCUMENT_BEFORE.search(document_window):
            continue
        if _PLAN_AFTER.search(after) and not _PAST_MARK.search(after):
            continue
        years.append(int(match.group(1)))
    return years


def infer_period(texts: list[str]) -> Period | None:
    """The latest year an undated article reports on, with the sentence that says so.

    Terms of office, plans ("đến năm 2025"), anniversaries and document dates are not reports.
    """
    best: tuple[int, str] | None = None
    for paragraph in texts:
        for sentence in sentences(paragraph):
            for year in _reported_years(sentence):
                if best is None or year > best[0]:
                    best = (year, sentence)
    if best is None:
        return None
    return Period(year=best[0], inferred=True, evidence=best[1])
