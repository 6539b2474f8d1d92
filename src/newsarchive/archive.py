"""The Archive: the loaded records and the taxonomies the site is browsed by.

Built by `load.load_archive`, read by `render.render_site`. Every list here is already sorted,
so whatever iterates it produces the same output on every run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .records import Record


@dataclass
class Article:
    record: Record
    slug: str  # unique URL slug: articles/<slug>.html
    file: Path  # the articles/*.md it was read from
    display: str  # that path as messages show it, relative to the project
    source_file: Path | None  # the raw seed text, when it exists inside the project

    @property
    def sort_date(self) -> str:
        """ISO date (or bare year for inferred periods) that orders articles newest first."""
        if self.record.published:
            return self.record.published[:19]
        if self.record.period:
            return f"{self.record.period.year:04d}"
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


def article_files(folder: Path) -> list[Path]:
    return [folder / name for name in article_names(folder)]
