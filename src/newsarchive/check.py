"""check: the review list for editors, one Finding per thing a careful editor would look at.

What is listed: no province; no date (saying when a year was inferred); a date far from the years
the text reports on, or before the primary directive was issued; directive numbers the catalogue
does not know; no primary directive; the same story twice (near-identical
titles, or bodies that share most of their word shingles); slug collisions; missing source files.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from .archive import Article
from .config import SiteConfig
from .directives import catalogue
from .load import load_archive
from .problems import Problems
from .text import fold

YEARS_APART = 2  # a published year this far from the latest year reported on is doubtful
TITLE_SIMILARITY = 0.9  # SequenceMatcher ratio of folded titles
BODY_SIMILARITY = 0.8  # Jaccard similarity of word shingles
SHINGLE = 4  # words per shingle
GRAM = 3  # letters per piece of a title, to find titles that may be alike
SEVERITIES = ("error", "warning", "info")

_YEAR = re.compile(r"(?<![\d.,])(19[4-9]\d|20\d\d)(?!\d|[,.]\d)")
_RANGE = re.compile(r"(19[4-9]\d|20\d\d)\s*[-–—]\s*(19[4-9]\d|20\d\d)")
# Folded words just before a year that make it a target or a term, not a year reported on.
_TARGET_BEFORE = re.compile(r"(?:den|toi|truoc|giai doan|nhiem ky|tam nhin|muc tieu)(?:\s+(?:nam|het nam|cuoi nam))?\s*$")


@dataclass(frozen=True)
class Finding:
    file: str  # the article, relative to the project
    severity: str  # one of SEVERITIES
    field: str  # the front-matter field to look at
    message: str  # what is doubtful
    action: str  # what to do about it

    def __str__(self) -> str:
        return f"{self.file}: {self.severity}: {self.field}: {self.message} → {self.action}"


def check(config: SiteConfig, problems: Problems) -> list[Finding]:
    archive = load_archive(config, problems)
    articles = sorted(archive.articles, key=lambda a: a.display)
    known = catalogue()
    findings: list[Finding] = []
    for article in articles:
        findings += _place_and_date(article)
        findings += _damaged_lead(article)
        findings += _header_dates(article)
        findings += _date_against_text(article)
        findings += _directives(article, known)
        findings += _source(article, config)
    findings += _slug_collisions(articles)
    findings += _duplicates(articles)
    return sorted(findings, key=lambda f: (f.file, SEVERITIES.index(f.severity), f.field, f.message))


def format_findings(findings: list[Finding]) -> str:
    if not findings:
        return "Nothing to review."
    files = len({f.file for f in findings})
    return "\n".join([*map(str, findings), f"{len(findings)} finding(s) in {files} article(s)."])


def _finding(article: Article, severity: str, field: str, message: str, action: str) -> Finding:
    return Finding(article.display, severity, field, message, action)


def _place_and_date(article: Article) -> list[Finding]:
    record = article.record
    out = []
    if not record.province:
        out.append(_finding(article, "warning", "province", "no province",
                            "set province to the province the article is about, as it was when written "
                            "(and province_current, district), or leave it null if the text names none"))
    if not record.published:
        if record.period:
            how = "inferred" if record.period.inferred else "stated"
            message = f"no publication date; the year {record.period.year} is {how} from “{record.period.evidence}”"
        else:
            message = "no publication date, and the text supports no year"
        out.append(_finding(article, "warning", "published", message,
                            "if the original page shows a date, set published: YYYY-MM-DD"))
    return out


def _damaged_lead(article: Article) -> list[Finding]:
    """A body that starts in lower case ("ới việc…") lost its first letters in the scrape."""
    lead = article.record.body.lstrip()
    if lead[:1].isalpha() and lead[:1].islower():
        return [_finding(article, "warning", "body", f"the first paragraph starts in lower case (“{lead[:30]}…”): "
                         "the scrape may have lost its first letters",
                         "compare with the original page and restore the missing text in the body")]
    return []


# The cleaner lists a date bar it dropped as "<line>: <text> (thanh ngày tháng)".
_DATE_BAR = re.compile(r"^(\d+): (.+) \(thanh ngày tháng\)$")


def _header_dates(article: Article) -> list[Finding]:
    """An undated article whose page header showed a date: usually the day the page was fetched, not always."""
    if article.record.published:
        return []
    out = []
    for entry in article.record.removed:
        match = _DATE_BAR.match(entry)
        if match:
            out.append(_finding(article, "info", "published",
                                f"the page header shows “{match.group(2)}” (line {match.group(1)} of the seed); it "
                                "was not taken as the publication date because header date bars usually show "
                                "the day the page was fetched",
                                "if the original page gives this as the publication date, set published"))
    return out


@dataclass(frozen=True)
class YearMention:
    year: int
    target: bool  # after "đến năm", "giai đoạn"...: a goal or a term when it lies in the future
    snippet: str


def reported_years(body: str) -> list[YearMention]:
    """Years the text names, outside terms of office (2020 - 2025), with the words around them."""
    ranges = [m.span() for m in _RANGE.finditer(body)]
    out = []
    for match in _YEAR.finditer(body):
        if any(start <= match.start() < end for start, end in ranges):
            continue
        target = bool(_TARGET_BEFORE.search(fold(body[max(0, match.start() - 20):match.start()])))
        snippet = " ".join(body[max(0, match.start() - 30):match.end() + 10].split())
        out.append(YearMention(int(match.group(1)), target, snippet))
    return out


def _date_against_text(article: Article) -> list[Finding]:
    record = article.record
    out = []
    if record.published:
        year = int(record.published[:4])
        # "Đến hết năm 2021" reports on 2021 in a 2022 article, but "đến năm 2030" is a goal.
        years = [m for m in reported_years(record.body) if not m.target or m.year <= year]
        if years:
            latest = max(m.year for m in years)
            snippet = next(m.snippet for m in years if m.year == latest)
            if abs(year - latest) > YEARS_APART:
                out.append(_finding(article, "warning", "published",
                                    f"published in {year}, but the latest year the text reports on is "
                                    f"{latest} (“…{snippet}…”)",
                                    "check the date on the original page; a scraper may have taken the "
                                    "day the page was fetched or a date from the site's chrome"))
    primary = record.primary_directive
    directive = catalogue().get(primary.id) if primary else None
    if directive is not None:
        when = record.published[:10] if record.published else None
        too_early = (when is not None and when < directive.date) or (
            when is None and record.period is not None and record.period.year < int(directive.date[:4]))
        if too_early:
            stated = when or f"the year {record.period.year}"
            out.append(_finding(article, "warning", "published",
                                f"{stated} is before {directive.id} was issued ({directive.date})",
                                "either the date or the primary directive is wrong; check both against "
                                "the text"))
    return out


def _directives(article: Article, known: dict) -> list[Finding]:
    record = article.record
    out = []
    for ref in record.directives:
        if ref.id not in known:
            written = ", ".join(f"“{e}”" for e in ref.evidence[:3])
            out.append(_finding(article, "warning", "directives",
                                f"{ref.id} is not in the catalogue of central documents (written {written})",
                                "correct the number if it is a typo, remove it if it is a local document, "
                                "or add the document to data/directives.yaml with its date and title"))
    # load refuses a record whose directives have no or several primaries, so only "none at all" is left.
    if not record.directives:
        out.append(_finding(article, "warning", "directives", "no primary directive: no central directive is named",
                            "add the directive the article is about (with primary: true), if the text names one"))
    return out


def _source(article: Article, config: SiteConfig) -> list[Finding]:
    source = article.record.source
    candidate = (config.root / source).resolve()
    if article.source_file is not None:
        return []
    where = "lies outside the project" if not candidate.is_relative_to(config.root.resolve()) else "is missing"
    return [_finding(article, "warning", "source", f"the source file {source} {where}",
                     "restore the seed or correct source; until then ingest cannot refresh this article")]


def _slug_collisions(articles: list[Article]) -> list[Finding]:
    owner: dict[str, Article] = {}
    for article in articles:
        if article.slug == article.record.slug:
            owner.setdefault(article.slug, article)
    out = []
    for article in articles:
        if article.slug != article.record.slug:
            other = owner.get(article.record.slug)
            by = f" by {other.display}" if other else ""
            out.append(_finding(article, "warning", "slug",
                                f"slug '{article.record.slug}' is already used{by}; this article is "
                                f"published as '{article.slug}'",
                                "give it a slug of its own (its address changes: update links to it)"))
    return out


def _duplicates(articles: list[Article]) -> list[Finding]:
    titles = [_title_key(a.record.title) for a in articles]
    pieces = _title_pieces(titles)
    shingles = list(map(_Shingles(), (a.record.body for a in articles)))
    out = []
    for i, j, alike_titles, alike_bodies in _similar_candidates(titles, pieces, shingles):
        first, second = articles[i], articles[j]
        reason = None
        a, b = titles[i], titles[j]
        if alike_titles and (a == b or _near(len(a), len(b), TITLE_SIMILARITY)
                             and len(pieces[i] & pieces[j]) >= _shared_grams(len(a) + len(b))
                             and SequenceMatcher(None, a, b).ratio() >= TITLE_SIMILARITY):
            reason = "nearly the same title"
        elif alike_bodies and _near(len(shingles[i]), len(shingles[j]), BODY_SIMILARITY):
            similarity = _jaccard(shingles[i], shingles[j])
            if similarity >= BODY_SIMILARITY:
                reason = f"{similarity:.0%} of the text in common"
        if reason:
            for this, other in ((first, second), (second, first)):
                out.append(_finding(this, "warning", "title",
                                    f"probably the same story as {other.display} ({reason})",
                                    "keep one: delete the other file (ingest will not recreate it), "
                                    "after moving anything only it has into the one you keep"))
    return out


def _near(size: int, other: int, similarity: float) -> bool:
    """Whether two things of these sizes may be this similar: neither measure can exceed
    2 min / (size + other)."""
    return 2 * min(size, other) >= similarity * (size + other) - 1e-9


def _similar_candidates(titles: list[str], pieces: list[frozenset[tuple[str, int]]],
                        shingles: list[frozenset[int]]) -> Iterator[tuple[int, int, bool, bool]]:
    """Every pair (i, j, titles, bodies), i < j in order, that may have near-identical titles
    (`titles`) or bodies (`bodies`); any other pair has neither.

    Comparing every pair took hours at 10,000 articles. Two sets that must share at least `o` of
    their elements share one among the first |x| - o + 1 of each, in any fixed order of elements
    (the first element they share comes after at most |x| - o elements of x). Ordered rarest
    first, those prefixes are short lists of rare elements, and few pairs share one. The pairs of
    one article are made at a time: a corpus of look-alikes has too many to hold at once.
    """
    same_title: dict[str, list[int]] = {}
    for number, title in enumerate(titles):
        if title:
            same_title.setdefault(title, []).append(number)
    by_title = _Prefixes(pieces, [_title_overlap(len(title)) for title in titles])
    by_body = _Prefixes(shingles, [math.ceil(BODY_SIMILARITY * len(body) - 1e-9) for body in shingles])
    for first, title in enumerate(titles):
        alike_titles = by_title.partners(first) if title else set()
        alike_titles.update(same_title.get(title, ()))
        alike_bodies = by_body.partners(first)
        for second in sorted(alike_titles | alike_bodies):
            if second > first:
                yield first, second, second in alike_titles, second in alike_bodies


def _shared_grams(letters: int) -> int:
    """How many GRAM-letter pieces two titles of `letters` letters in all (both together) share at
    least, when SequenceMatcher finds them similar (ratio >= TITLE_SIMILARITY); 0 or less: none.

    The ratio r = 2M / S counts the letters M in the matching blocks of titles of S letters in all.
    Two blocks are apart by at least one unmatched letter, so there are at most U + 1 blocks, with
    U = S - 2M = S (1 - r) unmatched letters, and a block of L letters holds L - GRAM + 1 shared
    pieces: at least rS/2 - (S (1 - r) + 1)(GRAM - 1) in all, which grows with r and with S.
    """
    t = TITLE_SIMILARITY
    return math.ceil(t * letters / 2 - (letters * (1 - t) + 1) * (GRAM - 1) - 1e-9)


def _fewest_letters_with(letters: int) -> int:
    """The fewest letters a title similar to one of `letters` letters can have: the ratio is at
    most 2 min / S."""
    return math.ceil(letters * TITLE_SIMILARITY / (2 - TITLE_SIMILARITY) - 1e-9)


def _title_pieces(titles: list[str]) -> list[frozenset[tuple[str, int]]]:
    """Each title's GRAM-letter pieces, the second "abc" as ("abc", 2): sets that count repeats."""
    pieces = []
    for title in titles:
        seen: Counter[str] = Counter()
        held = []
        for start in range(len(title) - GRAM + 1):
            piece = title[start:start + GRAM]
            seen[piece] += 1
            held.append((piece, seen[piece]))
        pieces.append(frozenset(held))
    return pieces


def _title_overlap(letters: int) -> int:
    """How many pieces a title shares at least with any similar title that is not the same. Titles
    too short to share one are paired only with the same title (see test_check)."""
    return max(1, _shared_grams(letters + _fewest_letters_with(letters)))


class _Prefixes:
    """For each set s, the first |s| - overlap + 1 of its elements, rarest first, where it shares at
    least `overlap` elements with any set it may be alike; and which sets hold each element in theirs."""

    def __init__(self, sets: list[Any], overlaps: list[int]):
        frequency = Counter(element for elements in sets for element in elements)
        self.prefixes: list[list[Any]] = []
        self.holders: dict[Any, list[int]] = {}
        for number, (elements, overlap) in enumerate(zip(sets, overlaps)):
            ranked = sorted(elements, key=lambda element: (frequency[element], element))
            prefix = ranked[:len(ranked) - overlap + 1]
            self.prefixes.append(prefix)
            for element in prefix:
                self.holders.setdefault(element, []).append(number)

    def partners(self, number: int) -> set[int]:
        """The sets that share an element of their prefix with the prefix of set `number`."""
        return {other for element in self.prefixes[number] for other in self.holders[element]}


def _title_key(title: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(title or "")))


class _Shingles:
    """The runs of SHINGLE words of bodies, each run as one number made of its words' numbers (a
    word is numbered when first seen): exact, and smaller than a tuple of strings."""

    def __init__(self) -> None:
        self.words: dict[str, int] = {}

    def __call__(self, body: str) -> frozenset[int]:
        numbers = [self.words.setdefault(word, len(self.words)) for word in re.findall(r"[a-z0-9]+", fold(body))]
        runs = numbers[:max(0, len(numbers) - SHINGLE + 1)]
        for start in range(1, SHINGLE):
            runs = [run << 32 | word for run, word in zip(runs, numbers[start:])]
        return frozenset(runs)


def _jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
