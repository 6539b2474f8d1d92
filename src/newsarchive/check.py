"""check: the review list for editors, one Finding per thing a careful editor would look at.

What is listed: no province; no date (saying when a year was inferred); a date far from the years
the text reports on, or before the primary directive was issued; directive numbers the catalogue
does not know; no primary directive; the same story twice (near-identical
titles, or bodies that share most of their word shingles); slug collisions; missing source files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations

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
    titles = {a.display: _title_key(a.record.title) for a in articles}
    shingles = {a.display: _shingles(a.record.body) for a in articles}
    out = []
    for first, second in combinations(articles, 2):
        reason = None
        a, b = titles[first.display], titles[second.display]
        if a and b and (a == b or SequenceMatcher(None, a, b).ratio() >= TITLE_SIMILARITY):
            reason = "nearly the same title"
        else:
            similarity = _jaccard(shingles[first.display], shingles[second.display])
            if similarity >= BODY_SIMILARITY:
                reason = f"{similarity:.0%} of the text in common"
        if reason:
            for this, other in ((first, second), (second, first)):
                out.append(_finding(this, "warning", "title",
                                    f"probably the same story as {other.display} ({reason})",
                                    "keep one: delete the other file (ingest will not recreate it), "
                                    "after moving anything only it has into the one you keep"))
    return out


def _title_key(title: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(title or "")))


def _shingles(body: str) -> frozenset[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", fold(body))
    return frozenset(tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


def _jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
