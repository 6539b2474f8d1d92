"""The Archive: the loaded records and the taxonomies the site is browsed by.

Built by `load.load_archive`, read by `render.render_site`. Every list here is already sorted,
so whatever iterates it produces the same output on every run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .records import Period, Record


class FiledDirective(NamedTuple):
    id: str
    primary: bool
    title: str


class Filing(NamedTuple):
    """What the archive needs of an article to file it and to list it, without its text.

    Every build with something to do reads the filing of every article from the cache; the full
    record (body, places, metrics with their sentences...) is read only for the pages that show it.
    Named as on the Record, so a listing template reads either.
    """

    slug: str  # as the record asks for it (load numbers a taken one)
    # The title, the lead (the first paragraph of text, for summaries) and the source, in UTF-8, each
    # behind its length (see the properties): as str, Vietnamese text takes two bytes a character.
    texts: bytes
    published: str | None
    period: Period | None
    province: str | None
    province_current: str | None
    district: str | None
    byline: str | None
    directives: tuple[FiledDirective, ...]
    metric_units: tuple[str, ...]  # one per metric

    @classmethod
    def of(cls, record: Record) -> Filing:
        from .body import lead  # not at the top: a build with nothing to do imports this module, not Markdown

        texts = b"".join(len(data).to_bytes(4, "little") + data
                         for data in (record.title.encode(), lead(record).encode(), record.source.encode()))
        return cls(record.slug, texts, record.published, record.period, record.province, record.province_current,
                   record.district, record.byline,
                   tuple(FiledDirective(d.id, d.primary, d.title) for d in record.directives),
                   tuple(m.unit for m in record.metrics))

    def _text(self, number: int) -> str:
        texts, start = self.texts, 0
        for _ in range(number):
            start += 4 + int.from_bytes(texts[start:start + 4], "little")
        return texts[start + 4:start + 4 + int.from_bytes(texts[start:start + 4], "little")].decode()

    @property
    def title(self) -> str:
        return self._text(0)

    @property
    def lead(self) -> str:
        return self._text(1)

    @property
    def source(self) -> str:
        return self._text(2)

    def shared(self, known: dict[Any, Any]) -> Filing:
        """This filing with each value that many articles repeat (date, places, byline, directives,
        metric units) replaced by the equal one `known` keeps: a filing unpickled from a worker
        brings copies of its own, and 100,000 of them would hold each place name 100,000 times."""
        repeated = (self.published, self.province, self.province_current, self.district, self.byline, self.directives,
                    self.metric_units)
        published, province, current, district, byline, directives, units = map(known.setdefault, repeated, repeated)
        return Filing(self.slug, self.texts, published, self.period, province, current, district, byline, directives,
                      units)

    @property
    def year(self) -> int | None:
        if self.published:
            return int(self.published[:4])
        return self.period.year if self.period else None

    @property
    def primary_directive(self) -> FiledDirective | None:
        return next((d for d in self.directives if d.primary), None)


@dataclass(frozen=True, slots=True)
class AtHand:
    """Article.read for a record parsed in this build: the record itself, handed on by value."""

    record: Record

    def __call__(self) -> Record:
        return self.record


@dataclass(eq=False, slots=True)  # slots: a build keeps 100,000 of them, and a dict each took a third more
class Article:
    filing: Filing
    slug: str  # unique URL slug: articles/<slug>.html
    file: str  # the path of the articles/*.md it was read from
    display: str  # that path as messages show it, relative to the project
    source_file: str | None  # the path of the raw seed text, when it exists inside the project
    read: Callable[[], Record] = field(repr=False)  # the full record (from the cache, or parsed)
    kept: Record | None = field(default=None, init=False, repr=False)  # the full record, once asked for
    # Its place in Archive.articles, set by load.build_archive: what a build keeps of an article for
    # several pages it keeps in a list by number, not in a table by slug (the table took 50 bytes an
    # article, and its values more).
    number: int = field(init=False, repr=False)

    @property
    def record(self) -> Record:
        """The full record, kept once read."""
        if self.kept is None:
            self.kept = self.read()
        return self.kept

    def load(self) -> Record:
        """The full record, not kept unless it was already: a worker reads thousands, each once."""
        return self.kept or self.read()

    @property
    def sort_date(self) -> str:
        """ISO date (or bare year for inferred periods) that orders articles newest first."""
        if self.filing.published:
            return self.filing.published[:19]
        if self.filing.period:
            return f"{self.filing.period.year:04d}"
        return ""


@dataclass
class District:
    name: str
    slug: str
    articles: list[Article] = field(default_factory=list)


@dataclass
class Province:
    """A province as the articles name it (before or after the 2025 reorganization)."""

    name: str
    slug: str
    current: str | None  # the post-2025 province it belongs to
    region: str | None  # region key from data/regions.yaml, None when the name is not listed
    articles: list[Article] = field(default_factory=list)
    districts: list[District] = field(default_factory=list)


@dataclass
class CurrentProvince:
    """One of the 34 post-2025 provinces and the provinces-as-written that now belong to it."""

    name: str
    slug: str
    region: str | None
    provinces: list[Province] = field(default_factory=list)

    @property
    def article_count(self) -> int:
        return sum(len(p.articles) for p in self.provinces)


@dataclass
class DirectiveInfo:
    """Catalogue facts about a central document; empty strings where the catalogue is silent."""

    id: str
    kind: str = ""
    number: str = ""
    issuer: str = ""
    term: str = ""
    date: str = ""
    title: str = ""


@dataclass
class DirectiveTerm:
    info: DirectiveInfo
    slug: str
    articles: list[Article] = field(default_factory=list)  # every article that refers to it
    primary_slugs: set[str] = field(default_factory=set)  # those whose main subject it is

    @property
    def id(self) -> str:
        return self.info.id


@dataclass
class Year:
    year: int
    articles: list[Article] = field(default_factory=list)


@dataclass
class Region:
    key: str
    names: dict[str, str]  # language -> display name
    provinces: list[Province] = field(default_factory=list)
    current_provinces: list[CurrentProvince] = field(default_factory=list)


@dataclass
class Archive:
    articles: list[Article]  # newest first, then by slug
    provinces: list[Province]  # by name (folded)
    current_provinces: list[CurrentProvince]
    regions: list[Region]  # in the order of data/regions.yaml
    directives: list[DirectiveTerm]  # by id
    years: list[Year]  # newest first
    undated: list[Article] = field(default_factory=list)  # neither a date nor a period


def article_names(folder: Path | str) -> list[str]:
    """The names of a folder's article files (`*.md`, not hidden ones), sorted.

    Names, not Path objects: at 10,000 articles building and comparing Paths takes a tenth of a second.
    """
    return sorted(name for name in os.listdir(folder) if name.endswith(".md") and name[:1] != ".")
