"""Render the Archive into a static site: HTML pages, Atom feeds, sitemap, data exports, static files.

Every link is relative (each template gets `root`, the way back to the site root), so the folder
works from file://, at a host's root and under a sub-path. Output depends only on the archive,
the templates and site.yaml: no clock, no randomness, every collection sorted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import markdown
import nh3
import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from . import text
from .archive import Archive, Article, DirectiveTerm, Province
from .config import SiteConfig
from .load import province_key
from .problems import Problems
from .records import Record
from .search import SearchDoc, write_index

# What article bodies may keep after Markdown; everything else (scripts, styles, iframes,
# event handlers) is removed because article text is untrusted.
_BODY_TAGS = {"p", "h2", "h3", "h4", "em", "strong", "a", "ul", "ol", "li", "blockquote", "br", "hr",
              "table", "thead", "tbody", "tr", "th", "td", "code", "pre", "sub", "sup"}
_BODY_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
_NAMESPACE = uuid.UUID("6f1c4f1e-3a52-4c39-9d8e-7a0b2d1c5e90")  # for feed entry ids without a base_url
_VIETNAM_TIME = dt.timezone(dt.timedelta(hours=7))  # a bare date in a Vietnamese paper is a local date


class OutputCollision(Exception):
    """Two pages would be written to one path; the build stops instead of overwriting one."""


@dataclass
class Pager:
    """One page of a paginated listing; URLs are relative to the site root."""

    number: int
    total: int
    items: Sequence[Article]
    base: str  # "provinces/dong-thap": page 1 is base.html, page n is base.n.html

    def url(self, number: int) -> str:
        return f"{self.base}.html" if number == 1 else f"{self.base}.{number}.html"

    @property
    def path(self) -> str:
        return self.url(self.number)

    @property
    def previous(self) -> str | None:
        return self.url(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.url(self.number + 1) if self.number < self.total else None


def paginate(items: Sequence[Article], base: str, size: int) -> list[Pager]:
    total = max(1, math.ceil(len(items) / size))
    return [Pager(n, total, items[(n - 1) * size:n * size], base) for n in range(1, total + 1)]


class Writer:
    """Writes files under the output folder and refuses a second write to any path."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.written: dict[str, str] = {}  # path -> what wrote it, for the collision message
        self.html_pages: list[str] = []
        self.folders: set[Path] = set()

    def write(self, path: str, content: str | bytes, origin: str) -> None:
        if path in self.written:
            raise OutputCollision(f"{path} would be written twice: by {self.written[path]} and by {origin}. "
                                  f"Give one of them another slug.")
        self.written[path] = origin
        target = self.out_dir / path
        if target.parent not in self.folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(target.parent)
        if isinstance(content, str):
            content = content.encode("utf-8")
        target.write_bytes(content)
        if path.endswith(".html"):
            self.html_pages.append(path)


def root_of(path: str) -> str:
    """The relative way from a page back to the site root: "" for index.html, "../" for a/b.html."""
    return "../" * path.count("/")


# --- text helpers used by templates ------------------------------------------------------------

def format_number(value: float | int, language: str) -> str:
    """2600000000 -> "2.600.000.000" in Vietnamese, "2,600,000,000" in English; 99.8 -> "99,8"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    grouped = f"{value:,}" if isinstance(value, int) else f"{value:,.6f}".rstrip("0").rstrip(".")
    if language == "vi":
        return grouped.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return grouped


def format_date(iso: str | None, language: str) -> str:
    """"2022-05-13T12:35:00+07:00" -> "13/05/2022 12:35" (vi) or "2022-05-13 12:35" (en)."""
    if not iso:
        return ""
    day = iso[:10]
    clock = iso[11:16] if len(iso) > 10 else ""
    if language == "vi":
        year, month, date = day.split("-")
        day = f"{date}/{month}/{year}"
    return f"{day} {clock}".strip()


def atom_date(article: Article) -> str:
    """RFC 3339 time for feeds; a bare date is local midnight, an inferred period 1 January of its year."""
    published = article.record.published
    if published:
        moment = dt.datetime.fromisoformat(published)
    else:
        moment = dt.datetime(article.record.year or 1970, 1, 1)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_VIETNAM_TIME)
    return moment.isoformat(timespec="seconds")


def highlight(sentence: str, words: str) -> Markup:
    """The sentence escaped, with the first occurrence of `words` in <mark>."""
    safe = str(escape(sentence))
    target = str(escape(words))
    if target and target in safe:
        safe = safe.replace(target, f"<mark>{target}</mark>", 1)
    return Markup(safe)


def json_ld(data: dict[str, Any]) -> Markup:
    """JSON for a <script> element: <, > and & escaped so no text can close the element."""
    dumped = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    return Markup(dumped.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


_BLOCK_SPLIT = re.compile(r"\n\s*\n")


def summary(record: Record, limit: int = 240) -> str:
    """The first paragraph of text (not a caption or heading), shortened on a word boundary."""
    skip = {text.normalize_name(x) for x in (*record.captions, *record.subheadings)}
    paragraphs = (re.sub(r"\s+", " ", p).strip() for p in _BLOCK_SPLIT.split(record.body))
    first = next((p for p in paragraphs if p and not p.startswith("#") and text.normalize_name(p) not in skip), "")
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + "…"


def body_html(body: str, captions: Iterable[str], subheadings: Iterable[str]) -> Markup:
    """The clean body as sanitized HTML: captions become figures, known subheadings become h2.

    Captions the body does not repeat are shown first, where a scraped page has its lead photo.
    """
    caption_keys = {text.normalize_name(c): c for c in captions if c.strip()}
    heading_keys = {text.normalize_name(s) for s in subheadings if s.strip()}
    blocks = [b.strip("\n") for b in _BLOCK_SPLIT.split(body.strip("\n")) if b.strip()]
    shown = {text.normalize_name(b) for b in blocks}
    out: list[str] = [_figure(c) for key, c in caption_keys.items() if key not in shown]
    pending: list[str] = []

    def flush() -> None:
        if pending:
            out.append(_markdown("\n\n".join(pending)))
            pending.clear()

    for block in blocks:
        key = text.normalize_name(block)
        if key in caption_keys:
            flush()
            out.append(_figure(block.strip()))
        elif key in heading_keys:
            flush()
            out.append(f"<h2>{escape(block.strip())}</h2>")
        else:
            pending.append(block)
    flush()
    return Markup("\n".join(out))


def _figure(caption: str) -> str:
    return f'<figure class="photo"><figcaption>{escape(caption.strip())}</figcaption></figure>'


_MARKDOWN = markdown.Markdown(output_format="html")  # one parser, reset per use: building one is slow


def _markdown(source: str) -> str:
    html = _MARKDOWN.reset().convert(source)
    # The page's own title is its only h1; headings in the body start at h2.
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    return nh3.clean(html, tags=_BODY_TAGS, attributes=_BODY_ATTRIBUTES, link_rel="nofollow noopener noreferrer")


# --- strings and environment -------------------------------------------------------------------

@cache
def ui_strings(language: str) -> dict[str, str]:
    data = resources.files("newsarchive").joinpath(f"strings/{language}.yaml").read_text("utf-8")
    return yaml.safe_load(data)


def make_environment(config: SiteConfig) -> Environment:
    env = Environment(
        loader=FileSystemLoader(config.path("templates_dir")),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    language = config.language
    env.filters["number"] = lambda v: format_number(v, language)
    env.filters["display_date"] = lambda iso: format_date(iso, language)
    env.filters["atom_date"] = atom_date
    env.filters["highlight"] = highlight
    env.filters["summary"] = summary
    return env


# --- the site ----------------------------------------------------------------------------------

@dataclass
class Links:
    """URLs (relative to the site root) of the pages a term or article has."""

    archive: Archive

    def __post_init__(self) -> None:
        self.provinces = {p.slug: p for p in self.archive.provinces}
        self.directive_terms = {d.id: d for d in self.archive.directives}

    def article(self, article: Article) -> str:
        return f"articles/{article.slug}.html"

    def source(self, article: Article) -> str:
        return f"sources/{article.slug}.txt" if article.source_file else ""

    def province_of(self, name: str | None) -> Province | None:
        return self.provinces.get(province_key(text.normalize_name(name))) if name else None

    def province(self, name: str | None) -> str:
        province = self.province_of(name)
        return f"provinces/{province.slug}.html" if province else ""

    def district(self, province_name: str | None, district_name: str | None) -> str:
        province = self.province_of(province_name)
        if not province or not district_name:
            return ""
        slug = text.slugify(text.normalize_name(district_name))
        return f"provinces/{province.slug}/{slug}.html"

    def directive(self, directive_id: str) -> str:
        term = self.directive_terms.get(directive_id)
        return f"directives/{term.slug}.html" if term else ""

    def directive_info(self, directive_id: str) -> DirectiveTerm | None:
        return self.directive_terms.get(directive_id)

    def year(self, year: int | None) -> str:
        return f"years/{year}.html" if year else ""


class SiteRenderer:
    def __init__(self, archive: Archive, config: SiteConfig, out_dir: Path, problems: Problems):
        self.archive = archive
        self.config = config
        self.problems = problems
        self.writer = Writer(out_dir)
        self.env = make_environment(config)
        self.links = Links(archive)
        self.t = ui_strings(config.language)
        self.feeds: list[str] = []

    # One place builds the context every template gets.
    def page(self, template: str, path: str, **context: Any) -> None:
        canonical = self.config.base_url + path if self.config.base_url else ""
        html = self.env.get_template(template).render(
            root=root_of(path), t=self.t, site=self.config, canonical=canonical, links=self.links,
            page_path=path, **context)
        self.writer.write(path, html, template)

    def listing(self, template: str, base: str, articles: Sequence[Article], **context: Any) -> None:
        for pager in paginate(articles, base, self.config.page_size):
            self.page(template, pager.path, pager=pager, **context)

    def feed(self, path: str, title: str, articles: Sequence[Article], alternate: str) -> None:
        entries = list(articles[:self.config.feed_size])
        updated = max((atom_date(a) for a in entries), default="1970-01-01T00:00:00+07:00")
        feed_id = (self.config.base_url + path) if self.config.base_url else \
            f"urn:uuid:{uuid.uuid5(_NAMESPACE, path)}"
        xml = self.env.get_template("feed.xml").render(
            root=root_of(path), t=self.t, site=self.config, links=self.links, title=title, entries=entries,
            updated=updated, feed_id=feed_id, self_path=path, alternate=alternate,
            entry_id=self.entry_id)
        self.writer.write(path, xml, "feed.xml")
        self.feeds.append(path)

    def entry_id(self, article: Article) -> str:
        path = self.links.article(article)
        return self.config.base_url + path if self.config.base_url else f"urn:uuid:{uuid.uuid5(_NAMESPACE, path)}"

    def render(self) -> int:
        archive = self.archive
        self.copy_static()
        self.render_home()
        self.listing("articles.html", "articles/index", archive.articles)
        for article in archive.articles:
            self.render_article(article)
        self.render_provinces()
        self.render_directives()
        self.render_years()
        self.render_metrics()
        self.render_search()
        self.page("404.html", "404.html")
        self.feed("feed.xml", self.config.title, archive.articles, "index.html")
        self.write_data()
        self.write_sitemap()
        return len(self.writer.html_pages)

    def copy_static(self) -> None:
        static = self.config.path("static_dir")
        if not static.is_dir():
            self.problems.warning(static, "the static folder does not exist; the site has no stylesheet.")
            return
        for file in sorted(p for p in static.rglob("*") if p.is_file()):
            rel = file.relative_to(static).as_posix()
            self.writer.write(f"static/{rel}", file.read_bytes(), f"static/{rel}")

    def render_home(self) -> None:
        archive = self.archive
        self.page("index.html", "index.html",
                  latest=archive.articles[:self.config.page_size],
                  provinces=sorted(archive.provinces, key=lambda p: (-len(p.articles), text.fold(p.name))),
                  directives=archive.directives, years=archive.years, article_count=len(archive.articles))

    def render_article(self, article: Article) -> None:
        record = article.record
        path = self.links.article(article)
        if article.source_file:
            self.writer.write(self.links.source(article), article.source_file.read_bytes(), article.display)
        self.page("article.html", path, article=article, record=record,
                  body=body_html(record.body, record.captions, record.subheadings),
                  json_ld=json_ld(self.article_json_ld(article)),
                  description=summary(record, 200),
                  province=self.links.province_of(record.province))

    def article_json_ld(self, article: Article) -> dict[str, Any]:
        record = article.record
        data: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": record.title,
            "inLanguage": self.config.language, "description": summary(record, 200),
        }
        if record.published:
            data["datePublished"] = record.published
        if record.byline:
            data["author"] = {"@type": "Person", "name": record.byline}
        places = [p for p in (record.commune, record.district, record.province) if p]
        if places:
            data["contentLocation"] = {"@type": "Place", "name": ", ".join(places)}
        if record.directives:
            data["about"] = [{"@type": "Legislation", "legislationIdentifier": d.id,
                              **({"name": d.title} if d.title else {})} for d in record.directives]
        if self.config.base_url:
            data["url"] = data["mainEntityOfPage"] = self.config.base_url + self.links.article(article)
        return data

    def render_provinces(self) -> None:
        archive = self.archive
        self.page("provinces.html", "provinces/index.html", regions=archive.regions,
                  current_provinces=archive.current_provinces, provinces=archive.provinces)
        for province in archive.provinces:
            base = f"provinces/{province.slug}"
            feed = f"{base}.xml"
            self.listing("province.html", base, province.articles, province=province, feed=feed)
            self.feed(feed, f"{self.config.title}: {province.name}", province.articles, f"{base}.html")
            for district in province.districts:
                self.listing("district.html", f"{base}/{district.slug}", district.articles,
                             province=province, district=district)

    def render_directives(self) -> None:
        self.page("directives.html", "directives/index.html", directives=self.archive.directives)
        for term in self.archive.directives:
            base = f"directives/{term.slug}"
            feed = f"{base}.xml"
            self.listing("directive.html", base, term.articles, term=term, feed=feed)
            self.feed(feed, f"{self.config.title}: {term.id}", term.articles, f"{base}.html")

    def render_years(self) -> None:
        self.page("years.html", "years/index.html", years=self.archive.years, undated=self.archive.undated)
        for year in self.archive.years:
            self.listing("year.html", f"years/{year.year}", year.articles, year=year)

    def metric_rows(self) -> list[dict[str, Any]]:
        rows = []
        for article in self.archive.articles:
            record = article.record
            primary = record.primary_directive
            for metric in record.metrics:
                rows.append({"article": article, "metric": metric, "province": record.province or "",
                             "province_current": record.province_current or "",
                             "directive": primary.id if primary else ""})
        return rows

    def render_metrics(self) -> None:
        rows = self.metric_rows()
        self.page("metrics.html", "metrics.html", rows=rows,
                  provinces=sorted({r["province"] for r in rows if r["province"]}, key=text.fold),
                  directives=sorted({r["directive"] for r in rows if r["directive"]}),
                  units=sorted({r["metric"].unit for r in rows if r["metric"].unit}, key=text.fold))

    def render_search(self) -> None:
        docs = [self.search_doc(a) for a in self.archive.articles]
        write_index(docs, self.writer.out_dir)
        filters = {
            "provinces": [(p.slug, p.name) for p in self.archive.provinces],
            "directives": [(d.slug, d.id) for d in self.archive.directives],
            "years": [y.year for y in self.archive.years],
        }
        self.page("search.html", "search.html", filters=filters)

    def search_doc(self, article: Article) -> SearchDoc:
        record = article.record
        titles = []
        for ref in record.directives:
            term = self.links.directive_info(ref.id)
            titles.append((term.info.title if term else "") or ref.title)
        return SearchDoc(
            url=self.links.article(article), title=record.title,
            date=format_date(record.published, self.config.language) or (
                str(record.period.year) if record.period else ""),
            year=record.year, province=record.province, province_current=record.province_current,
            district=record.district, directives=[d.id for d in record.directives],
            directive_names=[t for t in titles if t], text=record.body)

    def write_data(self) -> None:
        records = []
        for article in self.archive.articles:
            data = article.record.to_dict()
            data["url"] = self.links.article(article)
            records.append(data)
        self.writer.write("data/articles.json",
                          json.dumps(records, ensure_ascii=False, indent=1) + "\n", "data/articles.json")
        buffer = io.StringIO()
        out = csv.writer(buffer, lineterminator="\n")
        out.writerow(["article", "url", "published", "province", "province_current", "directive",
                      "text", "value", "total", "unit", "qualifier", "sentence"])
        for row in self.metric_rows():
            article, metric = row["article"], row["metric"]
            out.writerow([article.slug, self.links.article(article), article.record.published or "",
                          row["province"], row["province_current"], row["directive"], metric.text,
                          metric.value, "" if metric.total is None else metric.total, metric.unit,
                          metric.qualifier or "", metric.sentence])
        self.writer.write("data/metrics.csv", buffer.getvalue(), "data/metrics.csv")

    def write_sitemap(self) -> None:
        pages = sorted(p for p in self.writer.html_pages if p != "404.html")
        sitemap = self.env.get_template("sitemap.xml").render(site=self.config, pages=pages)
        self.writer.write("sitemap.xml", sitemap, "sitemap.xml")
        robots = self.env.get_template("robots.txt").render(site=self.config)
        self.writer.write("robots.txt", robots, "robots.txt")


def render_site(archive: Archive, config: SiteConfig, out_dir: Path, problems: Problems) -> int:
    """Write the whole site into out_dir (an empty folder); returns the number of HTML pages."""
    return SiteRenderer(archive, config, out_dir, problems).render()

