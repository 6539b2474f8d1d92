"""metrics: every figure in an article that measures something, with the words it came from.

A figure is a number written the Vietnamese way ("80.000", "2,6", "99,8%"), a ratio ("30/30 chỉ
tiêu") or an order of magnitude in words ("hàng ngàn hộ"), together with what it counts (its unit),
any hedge before it (its qualifier) and the sentence it stands in.

Most numbers in a news article measure nothing: dates, times, years, terms of office, document
numbers, ordinals in names, the programme's own age ("sau 3 năm triển khai"), phone numbers, image
file names and page widgets. They are rejected by their shape (masks below) and by the words around
them (the vocabulary in data/units.yaml). A bare number with no counted noun after it is rejected
too: an editor cannot say what it measures either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml

from .records import Metric
from .text import sentences

# Shapes that contain digits but are never a measured figure. A number inside one is skipped.
_NOT_FIGURES = [
    re.compile(r"[\w()\-]+\.(?:jpe?g|png|gif|webp|bmp|svg)\b", re.IGNORECASE),  # image file names
    re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE),
    re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b"),  # times 12:35, 09:34:44
    re.compile(r"\b\d{1,2}h\d{0,2}\b"),  # times 8h30, 14h
    re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"),  # full dates
    re.compile(r"\b(?:1[89]|20)\d{2}\s*[-–—]\s*(?:1[89]|20)\d{2}\b"),  # terms and periods 2020 - 2025
    re.compile(r"\d[\w.]*(?:[-/][\w.]*[A-ZĐ][\w.]*)+"),  # document numbers 05-CT/TW, 1234/QĐ-UBND
    re.compile(r"\d+(?:[.,]\d+)?\s*(?:°|độ\s*C\b)"),  # temperatures
    re.compile(r"(?:điện thoại|đt|sđt|hotline|tel|fax)\s*:?\s*[\d .()+-]{6,}", re.IGNORECASE),
]

# A run of digits with the separators a figure may contain; what it means is decided later.
# Not inside a word or a code: "F0", "COVID-19" and "05-CT" hold no figure; "5-7 triệu" does.
_DIGIT_RUN = re.compile(r"(?<![\w.,/:])(?<![^\W\d_]-)\d(?:[\d.,/:]*\d)?")
_RATIO_IN_WORDS = re.compile(r"\s+trên\s+(\d+)(?![\d.,/:])")  # "4 trên 5 thôn" is 4/5
_VIETNAMESE_NUMBER = re.compile(r"^(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$")
# A word of a unit: syllables, hyphenated loans ("héc-ta"), a power ("km2", "m³").
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*[23²³]?(?!\w)|%")
_CLAUSE_END = re.compile(r"[,;:()\"“”'!?…]|\.(?!\d)")
_YEARS = range(1900, 2101)
_LONGEST_UNIT_WORDS = 5  # "tổ chức cơ sở đảng"
_HIGHEST_MONTH = 12
_TRAILING_QUALIFIER_REACH = 3  # words allowed between the counted noun and "trở lên"


@dataclass(frozen=True)
class _Vocabulary:
    units: dict[str, str]  # every spelling (lower case) -> canonical unit
    time_units: frozenset[str]
    rate_denominators: frozenset[str]
    scales: dict[str, int]
    magnitudes: dict[str, int]
    qualifiers: tuple[str, ...]
    trailing_qualifiers: tuple[str, ...]
    identifier_words: frozenset[str]
    not_identifiers: frozenset[str]
    verb_identifiers: frozenset[str]
    duration_before: frozenset[str]
    duration_after: tuple[str, ...]
    not_units: frozenset[str]
    widget_units: frozenset[str]
    classifiers: frozenset[str]


@cache
def _vocabulary() -> _Vocabulary:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("newsarchive").joinpath("data/units.yaml").read_text(encoding="utf-8"))
    spellings: dict[str, str] = {}
    for canonical, others in raw["units"].items():
        for spelling in [canonical, *(others or [])]:
            spellings[str(spelling).lower()] = str(canonical)
    longest_first = (lambda words: tuple(sorted(words, key=lambda w: (-len(w), w))))
    return _Vocabulary(
        units=spellings,
        time_units=frozenset(raw["time_units"]),
        rate_denominators=frozenset(raw["rate_denominators"]),
        scales=dict(raw["scales"]),
        magnitudes=dict(raw["order_of_magnitude"]),
        qualifiers=longest_first(raw["qualifiers"]),
        trailing_qualifiers=longest_first(raw["trailing_qualifiers"]),
        identifier_words=frozenset(raw["identifier_words"]),
        not_identifiers=frozenset(raw["not_identifiers"]),
        verb_identifiers=frozenset(raw.get("verb_identifiers", [])),
        duration_before=frozenset(raw["duration_before"]),
        duration_after=longest_first(raw["duration_after"]),
        not_units=frozenset(raw["not_units"]),
        widget_units=frozenset(raw["widget_units"]),
        classifiers=frozenset(raw.get("classifiers", [])),
    )


def find_metrics(paragraphs: list[str]) -> list[Metric]:
    """Every measured figure in the paragraphs, in order of appearance."""
    found: list[Metric] = []
    for paragraph in paragraphs:
        for sentence in sentences(paragraph):
            found.extend(_metrics_in_sentence(sentence))
    return found


def _metrics_in_sentence(sentence: str) -> list[Metric]:
    masked = _masked_spans(sentence)
    found: list[tuple[int, Metric]] = []
    read_until = 0  # a figure may read later digits as its own ("3 tỷ 500 triệu đồng")
    for run in _DIGIT_RUN.finditer(sentence):
        if run.start() < read_until or any(start < run.end() and run.start() < end for start, end in masked):
            continue
        figure = _figure_at(sentence, run)
        if figure:
            metric, read_until = figure
            found.append((run.start(), metric))
    for magnitude in _magnitude_pattern().finditer(sentence):
        metric = _magnitude_at(sentence, magnitude)
        if metric:
            found.append((magnitude.start(), metric))
    return [metric for _, metric in sorted(found, key=lambda item: item[0])]


def _masked_spans(sentence: str) -> list[tuple[int, int]]:
    spans = [m.span() for pattern in _NOT_FIGURES for m in pattern.finditer(sentence)]
    return spans + [m.span() for m in _QUOTED_NAME.finditer(sentence)
                    if m.group(1)[0].isupper() and len(m.group(1).split()) <= QUOTED_NAME_MAX_WORDS]


# A short capitalised phrase in quotes names a campaign, a movement or a model ("Công an nhân dân
# học tập, thực hiện 6 điều Bác Hồ dạy", "Ngày thứ 7 với dân"): its numbers are part of the name.
# Reported speech in quotes is longer or is a sentence (it holds a full stop).
_QUOTED_NAME = re.compile(r"[\"“]([^\W\d_][^\"“”.!?]{0,120})[\"”]")
QUOTED_NAME_MAX_WORDS = 14


@cache
def _magnitude_pattern() -> re.Pattern[str]:
    words = "|".join(sorted(_vocabulary().magnitudes, key=len, reverse=True))
    return re.compile(rf"(?<!\w)hàng\s+(?:{words})(?:\s+(?:{words}))*(?!\w)", re.IGNORECASE)


def _figure_at(sentence: str, run: re.Match[str]) -> tuple[Metric, int] | None:
    """The metric a run of digits starts and where its words end, or None when it measures nothing."""
    written = run.group()
    if ":" in written or written.count("/") > 1:
        return None  # a time or a date the masks did not catch
    parts = written.split("/")
    if not all(_VIETNAMESE_NUMBER.match(p) and not _is_code(p) for p in parts):
        return None  # English decimals ("2.6"), versions ("4.0"), codes and phone numbers ("0912")
    after = sentence[run.end():]
    if after[:1].isupper():
        return None  # glued to a capitalised word: a page widget ("12,345Thành viên") or a code
    before_words = _words_before(sentence, run.start())
    if _names_or_dates(before_words, words_in_sentence=len(sentence[:run.start()].split())):
        return None
    qualifier = _qualifier_before(before_words)

    value = _parse_number(parts[0])
    total = _parse_number(parts[1]) if len(parts) == 2 else None
    end = run.end()
    ratio_in_words = _RATIO_IN_WORDS.match(sentence, end)
    if total is None and ratio_in_words:
        total, end = _parse_number(ratio_in_words.group(1)), ratio_in_words.end()
    if total is None:
        value, end = _scaled(sentence, value, end)
    unit, end = _unit_after(sentence, end)
    if unit is None and qualifier and qualifier.startswith("gấp"):
        unit = "lần"  # "gấp 3" means three times
    if not _measures_something(sentence, run, value, total, unit, end, before_words):
        return None
    start = _qualifier_start(sentence, run.start(), qualifier) if qualifier else run.start()
    trailing, end = _trailing_qualifier(sentence, end) if unit != "%" else (None, end)
    if trailing and not qualifier:
        qualifier = trailing
        start = _start_of_range_word(sentence, start)
    metric = Metric(
        text=sentence[start:end].strip(),
        value=_plain(value),
        unit=unit or "",
        sentence=sentence,
        total=_plain(total) if total is not None else None,
        qualifier=qualifier,
    )
    return metric, end


def _measures_something(sentence: str, run: re.Match[str], value: Decimal, total: Decimal | None,
                        unit: str | None, end: int, before_words: list[str]) -> bool:
    vocabulary = _vocabulary()
    written = run.group()
    if total is not None:
        if value > total:
            return False  # "30/4", "12/5": a day and a month
        if total <= _HIGHEST_MONTH and not unit:
            return False  # "3/5" alone reads as a date; "3/5 xã" is a ratio
        return True
    if unit is None or unit in vocabulary.widget_units:
        return False
    if re.fullmatch(r"\d{4}", written) and int(written) in _YEARS:
        return False  # a year: counts this large are written with a thousands dot ("2.019 hộ")
    if unit in vocabulary.time_units:
        return not _is_programme_time(sentence, end, before_words)
    return True


def _is_programme_time(sentence: str, end: int, before_words: list[str]) -> bool:
    """A duration that dates the programme ("sau 3 năm triển khai") or names an anniversary."""
    vocabulary = _vocabulary()
    following = sentence[end:].lstrip()
    if following[:1].isupper():
        return True  # "60 năm Ngày Bác Hồ thăm…", "130 năm Ngày sinh…"
    lowered = following.lower()
    if any(re.match(rf"{re.escape(word)}(?!\w)", lowered) for word in vocabulary.duration_after):
        return True
    recent = [w.lower() for w in before_words[-2:]]
    phrases = [*recent, " ".join(recent)]
    return any(phrase in vocabulary.duration_before for phrase in phrases)


def _magnitude_at(sentence: str, match: re.Match[str]) -> Metric | None:
    """"hàng ngàn hộ": the order of magnitude is the value.

    Without a counted noun from the vocabulary it is a manner of speech ("hàng trăm năm").
    """
    vocabulary = _vocabulary()
    words = match.group().lower().split()[1:]
    value = Decimal(1)
    for word in words:
        value *= vocabulary.magnitudes[word]
    unit, end = _unit_after(sentence, match.end(), vocabulary_only=True)
    if unit is None or unit in vocabulary.time_units:
        return None
    return Metric(
        text=sentence[match.start():end].strip(),
        value=_plain(value),
        unit=unit,
        sentence=sentence,
        qualifier=" ".join(match.group().lower().split()[:2]),
    )


def _is_code(number: str) -> bool:
    """A leading zero marks a code or phone number ("05", "0912"), not a quantity ("0,5")."""
    return len(number) > 1 and number[0] == "0" and number[1] != ","


def _parse_number(written: str) -> Decimal:
    """Vietnamese style: "." groups thousands, "," marks decimals."""
    return Decimal(written.replace(".", "").replace(",", "."))


def _plain(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def _words_before(sentence: str, position: int) -> list[str]:
    """The words of the clause before a position (a comma or bracket ends the look-back)."""
    before = sentence[:position]
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(before)), default=0)
    return before[clause_start:].split()


def _names_or_dates(before_words: list[str], words_in_sentence: int) -> bool:
    """True when the words before a number make it an identifier: "số 9", "Trung ương 4", "ngày 15"."""
    vocabulary = _vocabulary()
    if not before_words:
        return False
    lowered = [w.lower() for w in before_words]
    last_two = " ".join(lowered[-2:])
    if last_two in vocabulary.not_identifiers:
        return False
    if last_two in vocabulary.verb_identifiers and before_words[-2][:1].islower():
        return False  # "hướng dẫn 200 hộ": the verb; "Hướng dẫn 12" names a document
    if lowered[-1] in vocabulary.identifier_words or last_two in vocabulary.identifier_words:
        return True
    if _qualifier_before(before_words):
        return False
    # A capitalised word just before is part of a name ("Quận 3", "Sư đoàn 312"), unless it only
    # opens the sentence ("Có 5 xã…").
    return before_words[-1][:1].isupper() and words_in_sentence > 1


def _qualifier_before(before_words: list[str]) -> str | None:
    lowered = " ".join(before_words).lower()
    for qualifier in _vocabulary().qualifiers:
        if lowered == qualifier or lowered.endswith(" " + qualifier):
            return qualifier
    return None


def _qualifier_start(sentence: str, position: int, qualifier: str) -> int:
    """Where the qualifier's words begin, as written (any case, any spacing)."""
    words = r"\s+".join(re.escape(w) for w in qualifier.split())
    match = re.search(rf"(?<!\w){words}\s+$", sentence[:position], re.IGNORECASE)
    return match.start() if match else position


def _scaled(sentence: str, value: Decimal, position: int) -> tuple[Decimal, int]:
    """Scale words multiply the number before them ("2,6 tỷ", "20 nghìn tỷ"), and a smaller
    amount may follow ("3 tỷ 500 triệu")."""
    multiplier, position = _scale_after(sentence, position)
    amount = value * multiplier
    while multiplier > 1:
        part = re.match(r"\s+(\d{1,3}(?:,\d+)?)(?=\s)", sentence[position:])
        if not part:
            break
        part_multiplier, part_end = _scale_after(sentence, position + part.end())
        if not 1 < part_multiplier < multiplier:
            break
        amount += _parse_number(part.group(1)) * part_multiplier
        multiplier, position = part_multiplier, part_end
    return amount, position


def _scale_after(sentence: str, position: int) -> tuple[Decimal, int]:
    """The product of the scale words right after a position, and where they end."""
    scales = _vocabulary().scales
    multiplier = Decimal(1)
    while True:
        match = re.match(r"\s*([^\W\d_]+)", sentence[position:])
        if not match or match.group(1).lower() not in scales:
            return multiplier, position
        multiplier *= scales[match.group(1).lower()]
        position += match.end()


def _unit_after(sentence: str, position: int, vocabulary_only: bool = False) -> tuple[str | None, int]:
    """The counted noun after a number, canonical, and where it ends; None when nothing is counted."""
    rest = sentence[position:]
    percent = re.match(r"\s*(?:%|phần trăm(?!\w))", rest, re.IGNORECASE)
    if percent:
        return "%", position + percent.end()
    quoted = _QUOTED_UNIT.match(rest)
    if quoted and not vocabulary_only:
        # '20 "Tủ sách pháp luật"': the counted thing is named in quotes
        inner = quoted.group(1)
        inner = inner[:1].lower() + inner[1:]
        found = _known_unit(inner) or (_unknown_noun(inner, 0)[0], 0)
        if found[0]:
            return found[0], position + quoted.end()
    known = _known_unit(rest)
    counted = _after_classifier(rest)
    if counted and (known is None or known[1] < counted[1]):
        known = counted
    if known:
        unit, length = known
        rate = _rate_after(rest[length:])
        if rate:
            return unit + rate[0], position + length + rate[1]
        return unit, position + length
    if vocabulary_only:
        return None, position
    return _unknown_noun(rest, position)


def _known_unit(rest: str) -> tuple[str, int] | None:
    """Longest spelling from the vocabulary at the start of `rest`, as (canonical, length)."""
    vocabulary = _vocabulary()
    lead = len(rest) - len(rest.lstrip())
    words = list(_WORD.finditer(rest, lead))[:_LONGEST_UNIT_WORDS]
    if not words or words[0].start() != lead:
        return None
    for count in range(len(words), 0, -1):
        chunk = words[:count]
        # The words must follow one another with single spaces only (no punctuation between).
        if any(rest[a.end():b.start()] != " " for a, b in zip(chunk, chunk[1:], strict=False)):
            continue
        spelling = " ".join(w.group() for w in chunk).lower()
        if spelling in vocabulary.units:
            return vocabulary.units[spelling], chunk[-1].end()
    return None


_QUOTED_UNIT = re.compile(r"\s?[\"“]([^\W\d_][^\"“”]{0,80})[\"”]")


def _after_classifier(rest: str) -> tuple[str, int] | None:
    """"32 cây cầu" -> ("cầu", length): the unit after a classifier, when the vocabulary knows it."""
    match = re.match(r"\s*([^\W\d_]+) (?=[^\W\d_])", rest)
    if not match or match.group(1).lower() not in _vocabulary().classifiers:
        return None
    inner = _known_unit(rest[match.end():])
    if inner is None:
        return None
    return inner[0], match.end() + inner[1]


def _rate_after(rest: str) -> tuple[str, int] | None:
    """"/năm", "/người/năm" right after a unit: what the figure is counted per."""
    denominators = _vocabulary().rate_denominators
    rate, length = "", 0
    while match := re.match(r"/([^\W\d_]+\d?)", rest[length:]):
        if match.group(1).lower() not in denominators:
            break
        rate += "/" + match.group(1).lower()
        length += match.end()
    return (rate, length) if rate else None


def _unknown_noun(rest: str, position: int) -> tuple[str | None, int]:
    """A noun the vocabulary lacks: up to two lower-case syllables (most nouns have one or two)."""
    vocabulary = _vocabulary()
    words: list[str] = []
    end = 0
    for match in re.finditer(r"\s*([^\W\d_]+)", rest):
        if match.start() != end or len(words) == 2:
            break
        word = match.group(1)
        if not word.islower() or word in vocabulary.not_units:
            break
        words.append(word)
        end = match.end()
    if not words:
        return None, position
    return " ".join(words), position + end


def _trailing_qualifier(sentence: str, position: int) -> tuple[str | None, int]:
    """"từ 2 nội dung đột phá trở lên": a hedge a few words after the counted noun, in its clause.

    Not after a percentage: in "90% chi bộ hoàn thành nhiệm vụ trở lên" it grades the cells.
    """
    rest = sentence[position:]
    clause = _CLAUSE_END.split(rest, maxsplit=1)[0]
    near = " ".join(clause.split()[:_TRAILING_QUALIFIER_REACH + 2])
    for qualifier in _vocabulary().trailing_qualifiers:
        found = re.search(rf"(?<!\w){re.escape(qualifier)}(?!\w)", near, re.IGNORECASE)
        if found:
            return qualifier, position + clause.lower().index(qualifier) + len(qualifier)
    return None, position


def _start_of_range_word(sentence: str, start: int) -> int:
    """Include the "từ" that opens "từ N … trở lên" in the metric's text."""
    match = re.search(r"(?<!\w)từ\s+$", sentence[:start], re.IGNORECASE)
    return match.start() if match else start
