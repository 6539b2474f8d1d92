"""Render the Archive into a static site: HTML pages, Atom feeds, sitemap, data exports, static files.

Every link is relative (each template gets `root`, the way back to the site root), so the folder
works from file://, at a host's root and under a sub-path. Output depends only on the archive,
the templates and site.yaml: no clock, no randomness, every collection sorted.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import json
import math
import multiprocessing
import os
import pickle
import shutil
import uuid
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import astuple, dataclass, field, fields
from functools import cache, lru_cache, partial
from importlib import resources
from itertools import count, islice
from operator import attrgetter
from pathlib import Path
from typing import Any, ClassVar

import orjson
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    meta,
    select_autoescape,
)
from markupsafe import Markup, escape

from . import text
from .baked import BakedValues, CompiledTemplates, TextEscapingTemplate
from .archive import Archive, Article, Filing, Province
from .body import body_html, shorten, summary
from .cache import (WRITE_BUFFER, FileStat, OutputCheck, Outputs, Pieces, digest_bytes, key_of, pack_stat,
                    read_file)
from .config import SiteConfig, package_yaml
from .load import province_key
from .problems import Problems
from .records import Record
from .search import DOCS_FOLDER, IndexState, SearchDoc, build_index, docs_path, update_index

_NAMESPACE = uuid.UUID("6f1c4f1e-3a52-4c39-9d8e-7a0b2d1c5e90")  # for feed entry ids without a base_url
SEARCH_KEY = key_of("search index")  # the index's files are kept or rewritten by search.update_index, not by key
_ROWS_MARK = "<!--newsarchive:metric-rows-->"  # where metrics.html's table rows go (see render_metrics)
_VIETNAM_TIME = dt.timezone(dt.timedelta(hours=7))  # a bare date in a Vietnamese paper is a local date
_NUMBER = attrgetter("number")


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
    """Writes the files of a build into a staging folder and refuses a second write to any path.

    With the previous site at hand, a file whose key (a digest of everything it is made from) is
    the one it had last time, and that nobody changed since, is kept where it is: nothing is
    written for it, and the build moves only the new files into the site (build._commit). A new
    file is always created fresh, never opened through an existing one, so the previous site is
    never changed in place. Every file's key and stat are kept for the next build.
    """

    def __init__(self, out_dir: Path, previous: Previous | None = None):
        self.out_dir = out_dir
        self.previous = previous
        self.written: dict[str, str] = {}  # path -> what wrote it, for the collision message
        self.outputs = Outputs()
        self.html_pages: list[str] = []
        self.folders: set[str] = set()  # relative folders known to exist
        self.reused = 0

    def claim(self, path: str, origin: str) -> str:
        """Reserve a path for one file and make its folder; returns the file's full path.

        Plain strings, not Path objects: a large site has tens of thousands of files.
        """
        self._register(path, origin)
        folder = path.rpartition("/")[0]
        if folder not in self.folders:
            self.claim_folder(folder)
        return f"{self.out_dir}/{path}"

    def claim_folder(self, folder: str) -> None:
        os.makedirs(f"{self.out_dir}/{folder}", exist_ok=True)
        self.folders.add(folder)

    def reuse(self, path: str, key: str, origin: str) -> bool:
        """Keep the previous build's file when it was made from the same inputs and is untouched."""
        if self.previous is None or not self.previous.outputs.made_from(path, key):
            return False
        if path in self.previous.check.changed():  # (it is in the previous site: made_from says so)
            return False  # changed or removed by hand since: render it again
        self.keep(path, origin)
        return True

    def keep(self, path: str, origin: str) -> None:
        """Keep a previous file the caller found untouched, whatever its key."""
        assert self.previous is not None
        self._register(path, origin)
        self.outputs.take(path, self.previous.outputs)
        self.reused += 1

    def write(self, path: str, content: str | bytes | Iterator[str], origin: str, key: str = "") -> None:
        """Write a file of bytes or text, the text whole or made a piece at a time (a template's
        `generate`: the sitemap of 100,000 articles rendered whole is 380,000 small strings at once)."""
        target = self.claim(path, origin)
        if isinstance(content, str):
            content = content.encode("utf-8")
        self.outputs[path] = (key, write_new(target, content if isinstance(content, bytes) else _encoded(content)))

    def link(self, path: str, source: str, origin: str, key: str = "") -> None:
        """A file with the bytes of `source`, which the build never changes (a raw source): a
        hard link to it where the file system allows, which costs no new file, else a copy.
        Like any output it is new in the staging folder, and never written through."""
        target = self.claim(path, origin)
        try:
            os.link(source, target)
        except OSError:  # another file system, or links refused: a copy
            self.outputs[path] = (key, write_new(target, read_file(source)))
        else:
            self.outputs[path] = (key, pack_stat(os.stat(target)))

    def finish(self) -> None:
        """Forget what only writing needed (who wrote each file, the HTML pages), once every file
        is written: at 100,000 articles it is 30 MB, and the outputs' keys and stats, which the
        build keeps, are still to be saved."""
        self.written.clear()
        self.html_pages.clear()

    def record(self, path: str, origin: str, key: str, stat: FileStat) -> None:
        """Take note of a file another process wrote into the output folder."""
        self._register(path, origin)
        self.outputs[path] = (key, stat)

    def _register(self, path: str, origin: str) -> None:
        """The writer refuses two outputs to one path, naming both origins."""
        if path in self.written:
            raise OutputCollision(f"{path} would be written twice: by {self.written[path]} and by {origin}. "
                                  f"Give one of them another slug.")
        self.written[path] = origin
        if path.endswith(".html"):
            self.html_pages.append(path)


@dataclass
class Previous:
    """The last build's site and, for each of its files, its key and stat when it was written."""

    site: Path
    outputs: Outputs
    fragments: dict[str, Pieces]  # assembled file -> its pieces (see assemble)
    search: bytes | None  # the state of its search index, pickled (see _pickled)
    templates: dict[str, list[str]]  # digest of a template's source -> the templates it names
    check: OutputCheck  # which of its files were changed by hand since

    def untouched(self, path: str) -> bool:
        """Whether a file of it is still as it was written."""
        return path in self.outputs and path not in self.check.changed()

    def drop(self) -> None:
        """Let go of what it holds once the new site has replaced it, so that saving the new
        build's state takes that memory (at 100,000 articles it is over 100 MB)."""
        self.outputs.clear()
        self.fragments.clear()
        self.search = None


def _fstat(fd: int) -> FileStat:
    return pack_stat(os.fstat(fd))


def write_new(target: str, content: bytes | Iterator[bytes]) -> FileStat:
    """Write a new file, and return its stat."""
    # O_EXCL: a fresh file, never one shared with the old site. A file descriptor, not a file
    # object: tens of thousands of files, each written at once.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        for block in (content,) if isinstance(content, bytes) else content:
            view = memoryview(block)
            while view:
                view = view[os.write(fd, view):]
        return _fstat(fd)
    finally:
        os.close(fd)


def _encoded(pieces: Iterator[str], size: int = 1 << 16) -> Iterator[bytes]:
    """Text given a piece at a time, as UTF-8 in blocks of about `size` characters."""
    block: list[str] = []
    length = 0
    for piece in pieces:
        block.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(block).encode("utf-8")
            block, length = [], 0
    if block:
        yield "".join(block).encode("utf-8")


def root_of(path: str) -> str:
    """The relative way from a page back to the site root: "" for index.html, "../" for a/b.html."""
    return "../" * path.count("/")


# --- text helpers used by templates ------------------------------------------------------------

def csv_text(value: str | None) -> str:
    """A text cell a spreadsheet will not run: "=HYPERLINK(…)" from an article becomes "'=HYPERLINK(…)"."""
    text = value or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _preallocate(file: Any, size: int) -> None:
    """Give a new file its blocks before it is written. Else ext4 allocates them when the file
    replaces the previous site's (a rename over a file), and waits for that: 30 ms for the 47 MB
    of data/articles.json at 10,000 articles, where writing it took 9."""
    if size and hasattr(os, "posix_fallocate"):
        try:
            os.posix_fallocate(file.fileno(), 0, size)
        except OSError:  # not on this file system
            pass


def _copy_range(source: Any, start: int, end: int, target: Any) -> None:
    """Append bytes [start, end) of one open file to another (in the kernel where it can)."""
    target.flush()
    while start < end:
        try:
            copied = os.copy_file_range(source.fileno(), target.fileno(), end - start, start)
        except OSError:  # not on this file system: through memory
            copied = os.write(target.fileno(), os.pread(source.fileno(), min(end - start, 1 << 20), start))
        if copied == 0:
            raise OSError(f"{source.name} is shorter than expected")
        start += copied


def _csv_line(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


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
    return _atom_time(article.filing.published, article.filing.year)


@lru_cache(maxsize=4096)  # a feed's time is its latest entry's: every entry's date is read again
def _atom_time(published: str | None, year: int | None) -> str:
    moment = dt.datetime.fromisoformat(published) if published else dt.datetime(year or 1970, 1, 1)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_VIETNAM_TIME)
    return moment.isoformat(timespec="seconds")


def _urn(path: str) -> str:
    """A feed's or an entry's id without a base_url: a name-based UUID of its path."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, path)}"


def summary_of(item: Filing | Record, limit: int = 240) -> str:
    """The first paragraph of text (not a caption or heading), shortened on a word boundary; a
    filing keeps it, so listings and feeds never need the full record."""
    return shorten(item.lead, limit) if isinstance(item, Filing) else summary(item, limit)


def highlight(sentence: str, words: str) -> Markup:
    """The sentence escaped, with the first occurrence of `words` in <mark>."""
    safe = str(escape(sentence))
    target = str(escape(words))
    if target and target in safe:
        safe = safe.replace(target, f"<mark>{target}</mark>", 1)
    return Markup(safe)


def record_json(record: Record, url: str) -> bytes:
    """A record's object in data/articles.json: its contract mapping (Record.to_dict), then "url", as
    compact JSON in UTF-8. orjson writes a dataclass's fields in declaration order straight from the
    record, in a seventh of the time to_dict and json.dumps took (a tenth of an article task). A
    record it refuses (a figure past 64 bits) is written by the standard library instead: the same
    JSON, but for the spelling of some floats."""
    try:
        return b'%s,"url":%s}' % (orjson.dumps(record)[:-1], orjson.dumps(url))
    except orjson.JSONEncodeError:
        data = record.to_dict()
        data["url"] = url
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def json_ld(data: dict[str, Any]) -> Markup:
    """JSON for a <script> element: <, > and & escaped so no text can close the element. Compact,
    keys sorted, by orjson (an eighth of json.dumps's time: 10,000 article pages have one each);
    what it refuses (a lone surrogate, an int past 64 bits) by the standard library, as the same JSON."""
    try:
        dumped = orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()
    except orjson.JSONEncodeError:
        dumped = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Markup(dumped.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


# --- strings and environment -------------------------------------------------------------------

class UiStrings(dict[str, str]):
    """The interface strings of one language, also readable as attributes.

    Templates read `t.nav_home`; Jinja tries an attribute before an item, and on a plain dict that
    attempt fails, dozens of times per page.
    """

    def __init__(self, strings: dict[str, str]):
        super().__init__(strings)
        self.__dict__ = self


@cache
def ui_strings(language: str) -> UiStrings:
    data = resources.files("newsarchive").joinpath(f"strings/{language}.yaml").read_text("utf-8")
    return UiStrings(package_yaml(data))


def make_environment(config: SiteConfig, compiled: Path | None = None) -> Environment:
    """The Jinja environment for the site's templates; `compiled`: a folder to keep their compiled
    code in between builds (Jinja checks each against its template's source)."""
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
    baked = {"t": ui_strings(config.language),
             "site": {option.name: value for option in fields(config)
                      if isinstance(value := getattr(config, option.name), str)}}
    env = Environment(
        loader=FileSystemLoader(config.path("templates_dir")),
        bytecode_cache=CompiledTemplates(str(compiled), baked) if compiled is not None else None,
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one environment per build: no need to stat every template at every page
        extensions=[BakedValues],
    )
    env.template_class = TextEscapingTemplate
    env.baked = baked  # type: ignore[attr-defined]
    language = config.language
    env.filters["number"] = lambda v: format_number(v, language)
    env.filters["display_date"] = lambda iso: format_date(iso, language)
    env.filters["atom_date"] = atom_date
    env.filters["highlight"] = highlight
    env.filters["summary"] = summary_of
    return env


class ListingItems:
    """`listing_items` for the templates: the items of a listing, each article's rendered once.

    An article is listed on five or six pages (all articles, province, district, directives, year),
    under different headings and at different depths. Its item is rendered once by the
    `article_item` macro with marks for the page's root, heading and indent, and the marks are
    filled in on each page; items are joined by a blank line. A mark starts with "<", which
    escaped text never holds. Items are kept as UTF-8: a str of Vietnamese text takes two bytes a
    character (one is past U+00FF), and the items' UTF-8 takes a little over half of that. They
    are kept one after the other in one buffer, which `clear` gives back to the system whole: as
    100,000 objects of their own they were as many blocks of the C allocator's heap, and their
    70 MB stayed in the process once freed.
    """

    MARKS = ("<\u00a4root>", "<\u00a4heading>", "<\u00a4indent>")

    def __init__(self, env: Environment, context: dict[str, Any], articles: int):
        self.env, self.context = env, context
        self.macro: Callable[[Article], Any] | None = None  # found when first needed: not every theme lists
        self.rendered = bytearray()  # the items rendered so far, with their marks
        # by article number (see Article.number): where its item is in `rendered`, start << 32 | length (0: none yet)
        self.places = array("Q", bytes(8 * articles))

    def __call__(self, articles: Iterable[Article], heading: str, indent: str, root: str) -> Markup:
        rendered, places = self.rendered, self.places
        items = []
        for article in articles:
            place = places[article.number]
            if not place:
                item = str(self.item_macro()(article)).encode()
                places[article.number] = len(rendered) << 32 | len(item)
                rendered += item
                items.append(item)
            else:
                start = place >> 32
                items.append(rendered[start:start + (place & 0xFFFFFFFF)])
        root_mark, heading_mark, indent_mark = (mark.encode() for mark in self.MARKS)
        return Markup(b"\n".join(items).replace(root_mark, str(escape(root)).encode())
                      .replace(heading_mark, str(escape(heading)).encode())
                      .replace(indent_mark, str(escape(indent)).encode()).decode())

    def clear(self) -> None:
        """Forget the items (every listing is made)."""
        self.rendered, self.places = bytearray(), array("Q", bytes(8 * len(self.places)))

    def item_macro(self) -> Callable[[Article], Any]:
        if self.macro is None:
            root, heading, indent = map(Markup, self.MARKS)
            module = self.env.get_template("_macros.html").make_module({**self.context, "root": root})
            self.macro = partial(module.article_item, heading=heading, indent=indent)
        return self.macro


class FeedEntries:
    """`feed_entries` for feed.xml: the entries of a feed, each article's rendered once by the
    `entry` macro of _feed_entry.xml, with a mark where the feed's base goes, filled in for each
    feed (an article is in the site's feed and in its province's and directives' feeds). A mark
    starts with "<", which escaped text never holds."""

    MARK = "<\u00a4base>"

    def __init__(self, links: Links, site: SiteConfig, entry_id: Callable[[Article], str]):
        self.args = (links, site, entry_id)
        self.rendered: dict[int, str] = {}  # by article number (see Article.number)

    def __call__(self, entries: Iterable[Article], base: str, entry: Callable[..., Any]) -> Markup:
        rendered, mark = self.rendered, Markup(self.MARK)
        texts = []
        for article in entries:
            text = rendered.get(article.number)
            if text is None:
                text = rendered[article.number] = str(entry(article, mark, *self.args))
            texts.append(text)
        return Markup("".join(texts).replace(self.MARK, str(escape(base))))

    def clear(self) -> None:
        """Forget the entries (every feed is made)."""
        self.rendered = {}


# --- the site ----------------------------------------------------------------------------------

def article_path(slug: str) -> str:
    return f"articles/{slug}.html"


@dataclass
class Links:
    """URLs (relative to the site root) of the pages a term or article has."""

    provinces: dict[str, Province]  # slug -> province
    directive_slugs: dict[str, str]  # directive id -> slug of its page
    slugs: dict[str, str] = field(default_factory=dict, compare=False)  # name as written -> slug: names
    # repeat on thousands of pages

    @classmethod
    def of(cls, archive: Archive) -> Links:
        return cls({p.slug: p for p in archive.provinces}, {d.id: d.slug for d in archive.directives})

    def without_articles(self) -> Links:
        """The same links with provinces that list no articles: what a worker process is sent."""
        return Links({slug: Province(p.name, p.slug, p.current, p.region) for slug, p in self.provinces.items()},
                     dict(self.directive_slugs))

    def article(self, article: Article | TaskArticle) -> str:
        return article_path(article.slug)

    def source(self, article: Article | TaskArticle) -> str:
        return f"sources/{article.slug}.txt" if article.source_file else ""

    def province_of(self, name: str | None) -> Province | None:
        if not name:
            return None
        key = self.slugs.get(name)
        if key is None:
            key = self.slugs[name] = province_key(text.normalize_name(name))
        return self.provinces.get(key)

    def province(self, name: str | None) -> str:
        province = self.province_of(name)
        return f"provinces/{province.slug}.html" if province else ""

    def district(self, province_name: str | None, district_name: str | None) -> str:
        province = self.province_of(province_name)
        if not province or not district_name:
            return ""
        slug = self.slugs.get(f"district:{district_name}")
        if slug is None:
            slug = self.slugs[f"district:{district_name}"] = text.slugify(text.normalize_name(district_name))
        return f"provinces/{province.slug}/{slug}.html"

    def directive(self, directive_id: str) -> str:
        slug = self.directive_slugs.get(directive_id)
        return f"directives/{slug}.html" if slug else ""

    def year(self, year: int | None) -> str:
        return f"years/{year}.html" if year else ""


FileDigest = Callable[[str], str]


@dataclass(slots=True)
class TaskArticle:
    """What an article task needs of an article besides its record, which the worker reads: not
    its filing, whose text pickle would also keep a UTF-8 copy of in the main process."""

    number: int  # its place in the archive's articles
    slug: str
    display: str
    source_file: str | None
    read: Callable[[], Record]
    lead: str  # the first paragraph, as the filing keeps it: made again from the record, 10 µs an article

    @classmethod
    def of(cls, number: int, article: Article) -> TaskArticle:
        return cls(number, article.slug, article.display, article.source_file, article.read, article.filing.lead)

    def load(self) -> Record:
        return self.read()

# the article, key of its page and of its raw source (None: kept), the assembled files it needs a new
# piece of. The article goes to a worker by value: reaching into the main process's objects instead
# would copy the memory pages they lie in, most of the archive in all.
ArticleTask = tuple[TaskArticle, str | None, str | None, tuple[int, ...]]
# what the search index is made from: per article in URL order, its key, slug and record reader
SearchSource = tuple[str, str, Callable[[], Record]]
# what some tasks did: the files written (path, origin, key, stat), the pieces made (assembled file,
# article number, piece file, offset, length)
TasksDone = tuple[list[tuple[str, str, str, FileStat]], list[tuple[int, int, str, int, int]]]
PARALLEL_MIN = 200  # fewer article pages than this render faster in one process than forking costs
CHUNK = 250  # article pages per task handed to a worker process
CHUNKS_AHEAD = 4  # per worker, handed over and not yet recorded: the main process polls between two pages


class MadePieces:
    """The pieces article tasks made for an assembled file, in archive order (the order the tasks
    are done and recorded in): for each, the article's number in the archive, the piece file it is
    in and where. In arrays, not a table by slug: at 100,000 articles there are 260,000 pieces, all
    kept until the files are assembled, and a slug, an int and a table entry each took 90 bytes."""

    def __init__(self) -> None:
        self.files: list[str] = []  # the piece files, by number
        self.numbers: dict[str, int] = {}  # piece file -> its number
        self.articles, self.file_numbers = array("I"), array("I")
        self.offsets, self.lengths = array("Q"), array("Q")
        self.taken = 0  # the pieces `take` gave

    def add(self, article: int, file: str, offset: int, length: int) -> None:
        if self.articles and article <= self.articles[-1]:
            raise ValueError(f"the piece of article {article} comes after that of article {self.articles[-1]}")
        number = self.numbers.get(file)
        if number is None:
            number = self.numbers[file] = len(self.files)
            self.files.append(file)
        self.articles.append(article)
        self.file_numbers.append(number)
        self.offsets.append(offset)
        self.lengths.append(length)

    def take(self, article: int) -> tuple[str, int, int] | None:
        """The piece made for this article (file, offset, length), None when none was; asked for
        in archive order."""
        at = self.taken
        if at == len(self.articles) or self.articles[at] != article:
            return None
        self.taken += 1
        return self.files[self.file_numbers[at]], self.offsets[at], self.lengths[at]


@dataclass(eq=False)
class Assembled:
    """A file made of one piece per article (see SiteRenderer.plan_assembled and assemble)."""

    path: str
    key: str  # of the whole file, to keep it when nothing in it changed ("" never kept whole)
    separator: bytes
    piece_key: Callable[[Article], str]
    maker: str  # the ArticlePages method that makes a piece
    metrics_only: bool  # a piece per article with metrics, else per article
    head: bytes = b""
    tail: bytes = b""
    kept: bool = False  # the previous file is kept as it is
    previous: Path | None = None  # the previous file, when its pieces can be copied from it
    before: Pieces = field(default_factory=Pieces)  # the pieces of the previous file
    made: MadePieces = field(default_factory=MadePieces)


def file_digest(path: str) -> str:
    """The digest of a file's bytes, for builds without a cache that knows it already."""
    return digest_bytes(read_file(path))


@dataclass
class ArticlePages:
    """What article tasks need, by value. The worker processes that do them are forked before the
    archive is loaded, in a full build (see build._parse): one that reached into the main process's
    objects would copy the memory pages they lie in, most of the archive in all, as the main
    process goes on changing them. Makes article pages, copies of raw sources and the pieces of
    assembled files."""

    config: SiteConfig
    out_dir: str
    folders: frozenset[str]  # made already
    links: Links
    pieces: list[tuple[bytes, str]]  # per assembled file: separator, name of the method making a piece
    pieces_folder: str
    compiled_templates: Path | None
    env: Environment | None = field(default=None, compare=False)  # made when first needed

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "env": None}  # a worker compiles its own (or finds it in compiled_templates)

    @property
    def environment(self) -> Environment:
        if self.env is None:
            self.env = make_environment(self.config, self.compiled_templates)
            self.env.globals["t"] = ui_strings(self.config.language)
        return self.env

    def render_tasks(self, number: int, tasks: list[ArticleTask]) -> TasksDone:
        """Do some article tasks; the pieces go into one file per assembled file, in archive order
        and with its separator between two, so that assemble() copies a run of them at once."""
        pieces: dict[int, Any] = {}  # assembled file -> the open file of its pieces
        ends: dict[int, int] = {}  # assembled file -> the length of its piece file so far (tell() is a system call)
        made: list[tuple[int, int, str, int, int]] = []
        writer = Writer(Path(self.out_dir))  # what these tasks write, reported back to the site's
        writer.folders = set(self.folders)
        try:
            for article, page_key, source_key, wanted in tasks:
                if source_key is not None:
                    assert article.source_file is not None
                    writer.link(self.links.source(article), article.source_file, article.display, source_key)
                if page_key is None and not wanted:
                    continue
                record = article.load()
                if page_key is not None:
                    self.render_article(writer, article, record, page_key)
                for index in wanted:
                    separator, maker = self.pieces[index]
                    file = pieces.get(index)
                    if file is None:
                        os.makedirs(self.pieces_folder, exist_ok=True)
                        file = pieces[index] = open(f"{self.pieces_folder}/{number}-{index}", "xb", WRITE_BUFFER)
                        start = 0
                    else:
                        file.write(separator)
                        start = ends[index] + len(separator)
                    data = getattr(self, maker)(article, record)
                    file.write(data)
                    ends[index] = start + len(data)
                    made.append((index, article.number, file.name, start, len(data)))
        finally:
            for file in pieces.values():
                file.close()
        return [(path, writer.written[path], key, stat) for path, (key, stat) in writer.outputs.items()], made

    def render_article(self, writer: Writer, article: TaskArticle, record: Record, page_key: str) -> None:
        path = self.links.article(article)
        canonical = self.config.base_url + path if self.config.base_url else ""
        description = shorten(article.lead, 200)  # what summary(record, 200) gives
        html = self.environment.get_template("article.html").render(
            root=root_of(path), t=ui_strings(self.config.language), site=self.config, canonical=canonical,
            links=self.links, page_path=path, article=article, record=record,
            body=body_html(record.body, record.captions, record.subheadings),
            json_ld=json_ld(self.article_json_ld(article, record, description)),
            description=description, province=self.links.province_of(record.province))
        writer.write(path, html, "article.html", page_key)

    def article_json_ld(self, article: TaskArticle, record: Record, description: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": record.title,
            "inLanguage": self.config.language, "description": description,
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

    def metric_rows(self, article: TaskArticle, record: Record) -> bytes:
        primary = record.primary_directive
        return self.environment.get_template("_metric_rows.html").render(
            t=ui_strings(self.config.language), links=self.links, article=article, record=record,
            province=record.province or "", directive=primary.id if primary else "").encode()

    def record_json(self, article: TaskArticle, record: Record) -> bytes:
        return record_json(record, self.links.article(article))

    def metric_csv(self, article: TaskArticle, record: Record) -> bytes:
        primary = record.primary_directive
        place = (record.province or "", record.province_current or "", primary.id if primary else "")
        return _csv_line([article.slug, self.links.article(article), record.published or "",
                          *map(csv_text, (*place, metric.text)),
                          metric.value, "" if metric.total is None else metric.total,
                          *map(csv_text, (metric.unit, metric.qualifier or "", metric.sentence))]
                         for metric in record.metrics)


class SiteRenderer:
    """Renders every output of the site; each one has a key so an unchanged one can be reused.

    A key lists exactly what its page shows: the article digests and slugs of its items, the
    counts and names in its header, its template (with the templates it extends and imports).
    Code, strings and site.yaml are not in the keys: the build discards every key when they change.
    """

    def __init__(self, archive: Archive, config: SiteConfig, out_dir: Path, problems: Problems,
                 previous: Previous | None = None, digest_file: FileDigest = file_digest, workers: int = 1,
                 compiled_templates: Path | None = None, indexer: Any = None, article_pool: Any = None):
        """`indexer`: a process pool of one to build a new search index in, `article_pool` one to
        do article tasks in, both forked early (see build._indexer, build._parse); the caller ends
        them."""
        self.archive = archive
        self.config = config
        self.problems = problems
        self.writer = Writer(out_dir, previous)
        self.compiled_templates = compiled_templates
        self.env = make_environment(config, compiled_templates)
        self.links = Links.of(archive)
        self.t = ui_strings(config.language)
        self.feeds: list[str] = []
        self.workers = workers
        self.indexer = indexer
        self.article_pool = article_pool
        self.new_index: Any = None  # the indexer's result, once it was handed the whole index to build
        self.digest_file = digest_file
        # What a page that shows an article depends on: its slug, its file and whether its source is
        # published, as one digest: every listing, feed and piece key is made of these.
        self.item_keys = [digest_bytes(f"{a.slug}\0{digest_file(a.file)}\0{a.source_file is not None}".encode())
                          for a in archive.articles]  # by article number
        # Global as well as passed to each page: macros imported without the page's context (once
        # per build, not once per page as `with context` does) read the interface strings too.
        self.env.globals["t"] = self.t
        self.env.globals["feed_entries"] = FeedEntries(self.links, config, self.entry_id)
        self.env.globals["listing_items"] = ListingItems(self.env, {"t": self.t, "links": self.links},
                                                         len(archive.articles))
        self.template_keys: dict[str, str] = {}
        self.template_uses: dict[str, list[str]] = {}  # template -> the templates it names
        self.referenced: dict[str, list[str]] = {}  # digest of a template's source -> the templates it names
        self.shown_keys: dict[str | None, str] = {}  # an article's province as written -> key of what its page shows
        self.fragments: dict[str, Pieces] = {}  # see assemble()
        self.assembled: list[Assembled] = []  # see plan_assembled()
        # per article, by its number in the archive: a bit for each assembled file it needs a new piece of
        self.pieces_wanted = bytearray()
        self.search_state: bytes | None = None  # what the next build's update_index starts from, pickled
        self.pending: _Pending | None = None  # the article tasks and search index under way, while rendering

    # --- keys ---------------------------------------------------------------------------------

    def template_key(self, name: str) -> str:
        """Digest of a template's source and of every template it extends, includes or imports."""
        if name not in self.template_keys:
            source, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            digest = digest_bytes(source.encode())
            # Parsing the templates again took 25 ms of an edit's build at 10,000 articles: a source
            # the last build parsed names the templates it named then.
            used = self.writer.previous.templates.get(digest) if self.writer.previous else None
            if used is None:
                parsed = self.env.parse(source, name, filename)  # named, so a syntax error says where
                used = sorted(n for n in meta.find_referenced_templates(parsed) if n)
            self.template_uses[name] = self.referenced[digest] = used
            self.template_keys[name] = key_of(source, *(self.template_key(n) for n in used))
        return self.template_keys[name]

    def templates_used(self, name: str) -> list[str]:
        """The template and every template it extends, includes or imports, however deep."""
        self.template_key(name)
        found = [name]
        for used in self.template_uses[name]:
            found += [n for n in self.templates_used(used) if n not in found]
        return found

    def item(self, article: Article) -> str:
        """The key of the article as pages show it: of its search document and pieces, and part of its page's."""
        return self.item_keys[article.number]

    def items(self, articles: Iterable[Article]) -> tuple[str, ...]:
        return tuple(map(self.item_keys.__getitem__, map(_NUMBER, articles)))  # in C: listings ask for 55,000

    # --- writing ------------------------------------------------------------------------------

    def page(self, template: str, path: str, key: Any = None, **context: Any) -> None:
        """Render one page, or link last build's when `key` (what it shows) is unchanged."""
        full_key = key_of(self.template_key(template), path, key) if key is not None else ""
        if full_key and self.writer.reuse(path, full_key, template):
            return
        canonical = self.config.base_url + path if self.config.base_url else ""
        html = self.env.get_template(template).render(
            root=root_of(path), t=self.t, site=self.config, canonical=canonical, links=self.links,
            page_path=path, **context)
        self.writer.write(path, html, template, full_key)

    def listing(self, template: str, base: str, articles: Sequence[Article], header: Any, **context: Any) -> None:
        for pager in paginate(articles, base, self.config.page_size):
            if self.pending is not None:
                self.pending.poll()  # between two pages: what the article tasks did is recorded as it comes
            key = (header, pager.number, pager.total, self.items(pager.items))
            self.page(template, pager.path, key, pager=pager, **context)

    def feed(self, path: str, title: str, articles: Sequence[Article], alternate: str) -> None:
        self.feeds.append(path)
        entries = list(articles[:self.config.feed_size])
        key = key_of(self.template_key("feed.xml"), path, title, alternate, self.items(entries))
        if self.writer.reuse(path, key, "feed.xml"):
            return
        updated = max((atom_date(a) for a in entries), default="1970-01-01T00:00:00+07:00")
        feed_id = (self.config.base_url + path) if self.config.base_url else _urn(path)
        xml = self.env.get_template("feed.xml").render(
            root=root_of(path), t=self.t, site=self.config, links=self.links, title=title, entries=entries,
            updated=updated, feed_id=feed_id, self_path=path, alternate=alternate,
            entry_id=self.entry_id)
        self.writer.write(path, xml, "feed.xml", key)

    def entry_id(self, article: Article) -> str:
        path = self.links.article(article)
        return self.config.base_url + path if self.config.base_url else _urn(path)

    def render(self) -> int:
        archive = self.archive
        self.copy_static()
        self.assembled = self.plan_assembled()
        pending = self.pending = self.render_articles_in_parallel()
        try:
            self.render_home()
            self.listing("articles.html", "articles/index", archive.articles, ())
            self.render_provinces()
            self.render_directives()
            self.render_years()
            self.render_metrics()
            self.render_search()
            self.page("404.html", "404.html", ())
            self.feed("feed.xml", self.config.title, archive.articles, "index.html")
            self.env.globals["listing_items"].clear()  # every listing is made: room for what finish records
            self.env.globals["feed_entries"].clear()
            pending.finish()
        finally:
            pending.cancel()
            self.pending = None
        try:
            for spec in self.assembled:
                if not spec.kept:
                    self.assemble(spec)
        finally:
            shutil.rmtree(self.pieces_folder, ignore_errors=True)
        self.write_sitemap()
        pages = len(self.writer.html_pages)
        self.writer.finish()
        return pages

    def copy_static(self) -> None:
        static = self.config.path("static_dir")
        if not static.is_dir():
            self.problems.warning(static, "the static folder does not exist; the site has no stylesheet.")
            return
        for file in sorted(p for p in static.rglob("*") if p.is_file()):
            rel = file.relative_to(static).as_posix()
            content = file.read_bytes()
            key = key_of("static", digest_bytes(content))
            if not self.writer.reuse(f"static/{rel}", key, f"static/{rel}"):
                self.writer.write(f"static/{rel}", content, f"static/{rel}", key)

    def render_home(self) -> None:
        archive = self.archive
        latest = archive.articles[:self.config.page_size]
        provinces = sorted(archive.provinces, key=lambda p: (-len(p.articles), text.fold(p.name)))
        key = (self.items(latest), [(p.name, p.slug, len(p.articles)) for p in provinces],
               [(d.slug, astuple(d.info), len(d.articles)) for d in archive.directives],
               [(y.year, len(y.articles)) for y in archive.years], len(archive.articles))
        self.page("index.html", "index.html", key, latest=latest, provinces=provinces,
                  directives=archive.directives, years=archive.years, article_count=len(archive.articles))

    # --- article pages, in worker processes when there are many --------------------------------

    def article_key(self, article: Article) -> str:
        written = article.filing.province
        shown_key = self.shown_keys.get(written)
        if shown_key is None:
            province = self.links.province_of(written)
            shown = (province.name, province.slug, province.current) if province else None
            shown_key = self.shown_keys[written] = key_of(shown)
        return digest_bytes(f"{self.template_key('article.html')}{self.item(article)}{shown_key}".encode())

    def render_articles_in_parallel(self) -> _Pending:
        """Keep unchanged article pages, raw sources and search index, then render the rest: in
        worker processes when there are many. For each article a task renders its page, copies its
        raw source and makes its pieces of the assembled files, whichever changed, reading its full
        record once. The workers write into the same folder and report each file back; the main
        process goes on with the listings meanwhile, and hands them tasks as they need them.
        """
        todo: Iterable[ArticleTask] = self.article_tasks()
        if self.writer.previous is None:  # every page is new: a task for every article
            task_count = len(self.archive.articles)
        else:  # which pages changed is known once every key is compared: a few after an edit
            todo = list(todo)
            task_count = len(todo)
        search = self.new_index is None and not self.update_search_index()
        chunks = _chunked(todo, CHUNK)
        parallel = self.workers > 1 and "fork" in multiprocessing.get_all_start_methods() and (
            task_count >= PARALLEL_MIN or (search and len(self.archive.articles) >= PARALLEL_MIN))
        if not parallel:
            if search:
                files, state = write_search_index(self.index_job())
                self.record_search_index(files, _pickled(state))
            pending = _Pending(self, [self.indexer] if self.new_index else [], self.new_index)
            pages = self.article_pages()
            for number, tasks in chunks:
                pending.record(pages.render_tasks(number, tasks))
            return pending
        for name in ("article.html", "_metric_rows.html"):  # compiled here once: the workers find them cached
            for used in self.templates_used(name):
                self.env.get_template(used)
        for folder in ("articles", "sources"):
            self.writer.claim_folder(folder)
        pools = [self.article_pool or multiprocessing.get_context("fork").Pool(self.workers)]
        index = self.new_index
        if index is not None:
            pools.append(self.indexer)
        elif search:  # in a process of its own, which ends with it and so gives back what the index took
            pools.append(index_pool())
            index = pools[1].apply_async(write_search_index_apart, (self.index_job(apart=True),))
            pools[1].close()
        work = _ArticleWork(self.article_pages(), chunks, ahead=CHUNKS_AHEAD * self.workers)
        return _Pending(self, pools, index, work)

    def article_tasks(self) -> Iterator[ArticleTask]:
        """The tasks of the articles whose page, raw source or pieces must be made, in archive
        order; each is made when it is asked for (see _ArticleWork)."""
        reuse = self.writer.reuse
        pieces_of: dict[int, tuple[int, ...]] = {}  # a bit per assembled file -> their indexes, made once
        for number, article in enumerate(self.archive.articles):
            page_key = self.article_key(article)
            page = None if reuse(article_path(article.slug), page_key, "article.html") else page_key
            source = None
            if article.source_file:
                source_key = self.digest_file(article.source_file)  # linked or copied: its key is its digest
                if not reuse(self.links.source(article), source_key, article.display):
                    source = source_key
            wanted = self.pieces_wanted[number]
            pieces = pieces_of.get(wanted)
            if pieces is None:
                pieces = pieces_of[wanted] = tuple(i for i in range(len(self.assembled)) if wanted >> i & 1)
            if page or source or pieces:
                yield TaskArticle.of(number, article), page, source, pieces

    def article_pages(self) -> ArticlePages:
        return ArticlePages(self.config, str(self.writer.out_dir), frozenset(self.writer.folders),
                            self.links.without_articles(), [(spec.separator, spec.maker) for spec in self.assembled],
                            self.pieces_folder, self.compiled_templates, env=self.env)

    def start_search_index(self) -> None:
        """Hand the indexer process the whole index to build, when there is one (see build._indexer:
        then the last build left no index to update). It is the longest task of a full build, so it
        starts before anything else."""
        if self.indexer is not None:
            self.new_index = self.indexer.apply_async(write_search_index_apart, (self.index_job(apart=True),))
            self.indexer.close()

    def render_provinces(self) -> None:
        archive = self.archive
        self.page("provinces.html", "provinces/index.html", regions=archive.regions,
                  current_provinces=archive.current_provinces, provinces=archive.provinces)
        for province in archive.provinces:
            base = f"provinces/{province.slug}"
            feed = f"{base}.xml"
            districts = tuple((d.name, d.slug, len(d.articles)) for d in province.districts)
            header = (province.name, province.slug, province.current, len(province.articles), districts, feed)
            self.listing("province.html", base, province.articles, header, province=province, feed=feed)
            self.feed(feed, f"{self.config.title}: {province.name}", province.articles, f"{base}.html")
            for district in province.districts:
                header = (province.name, province.slug, district.name, district.slug, len(district.articles))
                self.listing("district.html", f"{base}/{district.slug}", district.articles, header,
                             province=province, district=district)

    def render_directives(self) -> None:
        self.page("directives.html", "directives/index.html", directives=self.archive.directives)
        for term in self.archive.directives:
            base = f"directives/{term.slug}"
            feed = f"{base}.xml"
            header = (astuple(term.info), term.slug, len(term.articles), len(term.primary_slugs), feed)
            self.listing("directive.html", base, term.articles, header, term=term, feed=feed)
            self.feed(feed, f"{self.config.title}: {term.id}", term.articles, f"{base}.html")

    def render_years(self) -> None:
        years, undated = self.archive.years, self.archive.undated
        key = ([(y.year, len(y.articles)) for y in years], self.items(undated))
        self.page("years.html", "years/index.html", key, years=years, undated=undated)
        for year in years:
            self.listing("year.html", f"years/{year.year}", year.articles, (year.year, len(year.articles)), year=year)

    def metrics_key(self) -> tuple[Any, ...]:
        """The metrics table and export show only articles with metrics, in archive order."""
        return self.items(a for a in self.archive.articles if a.filing.metric_units)

    def render_metrics(self) -> None:
        """metrics.html around its table; the table's rows are one piece per article (assemble), so
        that an edit renders the rows of one article, not the whole table's."""
        spec = next(spec for spec in self.assembled if spec.path == "metrics.html")
        if spec.kept:
            return
        with_metrics = [a.filing for a in self.archive.articles if a.filing.metric_units]
        primaries = (f.primary_directive for f in with_metrics)
        page = self.env.get_template("metrics.html").render(
            root="", t=self.t, site=self.config, links=self.links, page_path="metrics.html",
            canonical=self.config.base_url + "metrics.html" if self.config.base_url else "",
            metric_rows=Markup(_ROWS_MARK), has_rows=bool(with_metrics),
            provinces=sorted({f.province for f in with_metrics if f.province}, key=text.fold),
            directives=sorted({p.id for p in primaries if p}),
            units=sorted({unit for f in with_metrics for unit in f.metric_units if unit}, key=text.fold))
        head, _, tail = page.partition(_ROWS_MARK)
        spec.head, spec.tail = head.encode(), tail.encode()

    def render_search(self) -> None:
        filters = {
            "provinces": [(p.slug, p.name) for p in self.archive.provinces],
            "directives": [(d.slug, d.id) for d in self.archive.directives],
            "years": [y.year for y in self.archive.years],
        }
        self.page("search.html", "search.html", filters=filters)

    def search_sources(self) -> list[SearchSource]:
        """Key, slug and record reader of every article, in URL order. The key is the article's item
        (slug and file digest): the catalogue's directive titles and the language, which its search
        document also shows, are in the build's fingerprint."""
        return [(self.item(a), a.slug, a.read) for a in sorted(self.archive.articles, key=self.links.article)]

    def index_job(self, apart: bool = False) -> IndexJob:
        """What a new search index is made from; `apart`: for another process (see SourcesFile)."""
        out_dir = str(self.writer.out_dir)
        sources = self.search_sources()
        return IndexJob(out_dir, self.config.language, {d.id: d.info.title for d in self.archive.directives},
                        SourcesFile.written(f"{out_dir}/.newsarchive-search-sources", sources) if apart else sources)

    def update_search_index(self) -> bool:
        """Update the previous build's index for what changed (see search.update_index); False when
        there is none to update, or a file of it was changed by hand since: then it is built anew."""
        previous = self.writer.previous
        if previous is None or previous.search is None:
            return False
        old = [p for p in previous.outputs if p.startswith("search/")]
        if not all(map(previous.untouched, old)):
            return False
        files, deleted, state = update_index(
            self.index_job().docs(), pickle.loads(previous.search), lambda path: (previous.site / path).read_bytes())
        self.search_state = _pickled(state)
        for path in sorted(set(old) - set(files) - set(deleted)):
            self.writer.keep(path, "search index")  # its stat was checked above
        for path, content in sorted(files.items()):
            self.writer.write(path, content, "search index", SEARCH_KEY)
        return True

    def record_search_index(self, files: IndexFiles, state: bytes) -> None:
        for number, stat in enumerate(files.docs):
            self.writer.record(docs_path(number), "search index", SEARCH_KEY, stat)
        for path, stat in files.others.items():
            self.writer.record(path, "search index", SEARCH_KEY, stat)
        self.search_state = state

    # --- files assembled from one piece per article ----------------------------------------------

    def plan_assembled(self) -> list[Assembled]:
        """data/articles.json, data/metrics.csv and the table of metrics.html: keep each whole when
        nothing in it changed, else find the pieces to make, the others being copied from the
        previous file (when it is still as the last build left it)."""
        rows_template = self.template_key("_metric_rows.html")
        metrics = self.metrics_key()
        header = ["article", "url", "published", "province", "province_current", "directive",
                  "text", "value", "total", "unit", "qualifier", "sentence"]
        files = [
            Assembled("metrics.html", key_of(self.template_key("metrics.html"), rows_template, metrics), b"",
                      lambda a: digest_bytes(f"{rows_template}{self.item(a)}".encode()), "metric_rows",
                      metrics_only=True),
            Assembled("data/articles.json", "", b",\n", self.item, "record_json",
                      metrics_only=False, head=b"[\n", tail=b"\n]\n"),
            Assembled("data/metrics.csv", key_of("metrics.csv", metrics), b"", self.item,
                      "metric_csv", metrics_only=True, head=_csv_line([header])),
        ]
        previous = self.writer.previous
        for spec in files:
            if spec.key and self.writer.reuse(spec.path, spec.key, spec.path):
                spec.kept = True
                # The same file, its pieces where they were: the next build that changes it copies
                # them, rather than making every piece again.
                self.fragments[spec.path] = previous.fragments.get(spec.path, Pieces()) if previous else Pieces()
                continue
            known = previous.outputs.get(spec.path) if previous else None
            before = previous.fragments.get(spec.path, Pieces()) if previous else Pieces()
            if previous and known and before and previous.untouched(spec.path):
                spec.previous, spec.before = previous.site / spec.path, before
        self.pieces_wanted = bytearray(len(self.archive.articles))
        for index, spec in enumerate(files):
            if spec.kept:
                continue
            for number, article in enumerate(self.archive.articles):
                if spec.metrics_only and not article.filing.metric_units:
                    continue
                # Made again by assemble() for the pieces made anew: a table of them took 13 MB at 100,000.
                if not spec.before.made_from(article.slug, spec.piece_key(article)):
                    self.pieces_wanted[number] |= 1 << index
        return files

    @property
    def pieces_folder(self) -> str:
        """Where article tasks leave their pieces until assemble() copies them (never in the site)."""
        return f"{self.writer.out_dir}/.newsarchive-pieces"

    def assemble(self, spec: Assembled) -> None:
        """Write a file of one piece per article, each piece copied from where it is: the file an
        article task made it in, or the previous file when it did not change. Consecutive pieces
        that lie one after the other in one file are copied at once (in the kernel where it can)."""
        placed = self.fragments[spec.path] = Pieces()
        made, previous, step = spec.made, str(spec.previous), len(spec.separator)
        runs: list[list[Any]] = []  # [file, start, end]: bytes to copy as they are, the separator between two
        offset = len(spec.head)
        articles = ((number, a) for number, a in enumerate(self.archive.articles)
                    if not spec.metrics_only or a.filing.metric_units)
        for index, (number, article) in enumerate(articles):
            slug = article.slug
            made_now = made.take(number)
            source, start, length = made_now or (previous, *spec.before.place(slug))
            if runs and runs[-1][0] == source and start == runs[-1][2] + step:
                runs[-1][2] = start + length  # lies right after the last, separator between: one copy
            else:
                runs.append([source, start, start + length])
            if index:
                offset += step
            if made_now:
                placed[slug] = (spec.piece_key(article), offset, length)
            else:  # made from the key plan_assembled found unchanged
                placed.moved(slug, spec.before, offset)
            offset += length
        opened: dict[str, Any] = {}  # path -> open file to copy from
        with ExitStack() as sources, open(self.writer.claim(spec.path, spec.path), "xb") as out:
            _preallocate(out, offset + len(spec.tail))
            out.write(spec.head)
            for index, (source, start, end) in enumerate(runs):
                if source not in opened:
                    opened[source] = sources.enter_context(open(source, "rb"))
                if index:
                    out.write(spec.separator)
                _copy_range(opened[source], start, end, out)
            out.write(spec.tail)
            out.truncate()  # at what was written: blocks given beyond it would read as zeros
            out.flush()
            self.writer.outputs[spec.path] = (spec.key, _fstat(out.fileno()))
        spec.made = MadePieces()  # every piece is copied

    def write_sitemap(self) -> None:
        pages = sorted(p for p in self.writer.html_pages if p != "404.html")
        key = key_of(self.template_key("sitemap.xml"), pages)
        if not self.writer.reuse("sitemap.xml", key, "sitemap.xml"):
            sitemap = self.env.get_template("sitemap.xml").generate(site=self.config, pages=pages)
            self.writer.write("sitemap.xml", sitemap, "sitemap.xml", key)
        key = self.template_key("robots.txt")
        if not self.writer.reuse("robots.txt", key, "robots.txt"):
            self.writer.write("robots.txt", self.env.get_template("robots.txt").render(site=self.config), "robots.txt",
                              key)


@dataclass(frozen=True)
class SourcesFile:
    """Search sources pickled into a file a chunk at a time, for the process that builds the index:
    it reads them a chunk at a time as it goes, and removes the file once it has read them all.
    Handed over through the pool, they were in that process from its start, pickled (at 100,000
    articles 27 MB, and 90 MB unpickled), and in a buffer of the same size in this one."""

    CHUNK: ClassVar[int] = 1_000  # sources per chunk
    path: str

    @classmethod
    def written(cls, path: str, sources: Sequence[SearchSource]) -> SourcesFile:
        with open(path, "xb") as file:
            for start in range(0, len(sources), cls.CHUNK):
                pickle.dump(sources[start:start + cls.CHUNK], file, pickle.HIGHEST_PROTOCOL)
        return cls(path)

    def __iter__(self) -> Iterator[SearchSource]:
        with open(self.path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            while file.tell() < size:
                yield from pickle.load(file)
        os.remove(self.path)


@dataclass(frozen=True)
class IndexJob:
    """What a new search index is made from, by value: the process that builds it may have been
    forked before the archive was loaded (see build._indexer)."""

    out_dir: str
    language: str
    titles: dict[str, str]  # directive id -> the catalogue's title
    sources: Sequence[SearchSource] | SourcesFile  # in URL order

    def docs(self) -> Iterable[tuple[str, Callable[[], SearchDoc]]]:
        """(key, doc) of every article for the index, in URL order, each doc made only when asked
        for (see search.build_index). Made anew each time they are read (update_index may read them
        twice), not a list: at 100,000 articles a list of them weighs 30 MB."""
        return _Docs(self)

    def doc(self, slug: str, read: Callable[[], Record]) -> SearchDoc:
        record = read()
        titles = [self.titles.get(ref.id) or ref.title for ref in record.directives]
        return SearchDoc(
            url=article_path(slug), title=record.title,
            date=format_date(record.published, self.language) or (str(record.period.year) if record.period else ""),
            year=record.year, province=record.province, province_current=record.province_current,
            district=record.district, directives=[d.id for d in record.directives],
            directive_names=[t for t in titles if t], text=record.body)


@dataclass(frozen=True)
class _Docs:
    """IndexJob.docs."""

    job: IndexJob

    def __iter__(self) -> Iterator[tuple[str, Callable[[], SearchDoc]]]:
        job = self.job
        return ((key, partial(job.doc, slug, read)) for key, slug, read in job.sources)


def index_pool() -> Any:
    """A pool of one process to build a search index in. Its collector is off: what the index
    build makes lives until the end and is in no cycle, and walking it again and again costs."""
    return multiprocessing.get_context("fork").Pool(1, initializer=gc.disable)


@dataclass
class IndexFiles:
    """The stats of the files of a search index just written; the documents' files by number: there
    is one per few articles, and a path and a dict entry each would take some 150 bytes more."""

    docs: list[FileStat] = field(default_factory=list)  # search.docs_path(number) -> stat
    others: dict[str, FileStat] = field(default_factory=dict)  # path -> stat
    folders: set[str] = field(default_factory=set)  # made so far

    def write(self, out_dir: str, path: str, content: bytes) -> None:
        """Write an index file (build_index emits the documents' files first, in order)."""
        folder = f"{out_dir}/{path.rpartition('/')[0]}"
        if folder not in self.folders:
            os.makedirs(folder, exist_ok=True)
            self.folders.add(folder)
        stat = write_new(f"{out_dir}/{path}", content)
        if path.startswith(DOCS_FOLDER):
            self.docs.append(stat)
        else:
            self.others[path] = stat


def write_search_index(job: IndexJob) -> tuple[IndexFiles, IndexState]:
    """The whole index, written into the output folder."""
    files = IndexFiles()
    _, state = build_index(job.docs(), emit=partial(files.write, job.out_dir), scratch=job.out_dir)
    return files, state


def _pickled(state: IndexState) -> bytes:
    """The search index's state as the cache keeps it: the build only hands it on, and the next
    uses it only to update the index. As objects it took 70 MB in the main process at 100,000
    articles, and it arrived there when memory was at its peak."""
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def write_search_index_apart(job: IndexJob) -> str:
    """write_search_index in a process of its own. What that returns is pickled into a file of the
    output folder, whose path is returned: `handed_back` reads it and removes it before the site is
    complete. Returned through the pool, it would be pickled into one buffer first, which takes
    15 MB more at 100,000 articles, just when the process is at its largest."""
    path = f"{job.out_dir}/.newsarchive-search-index"
    files, state = write_search_index(job)
    with open(path, "xb") as file:
        pickle.dump(files, file, pickle.HIGHEST_PROTOCOL)
        pickle.dump(state, file, pickle.HIGHEST_PROTOCOL)  # after the files: handed_back keeps it pickled
    return path


def handed_back(path: str) -> tuple[IndexFiles, bytes]:
    """What write_search_index_apart wrote, read back (the state still pickled, see _pickled), its
    file removed."""
    with open(path, "rb") as file:
        files = pickle.load(file)
        state = file.read()
    os.remove(path)
    return files, state


_PAGES: ArticlePages | None = None  # in a worker: what the last tasks came with, its templates compiled


def _render_chunk(pages: ArticlePages, number: int, tasks: list[ArticleTask]) -> TasksDone:
    """In a worker: do some article tasks."""
    global _PAGES
    if _PAGES != pages:  # the first tasks of a build
        _PAGES = pages
    return _PAGES.render_tasks(number, tasks)


def _chunked(tasks: Iterable[ArticleTask], size: int) -> Iterator[tuple[int, list[ArticleTask]]]:
    """Tasks in numbered chunks of `size`, each chunk's made when it is asked for."""
    tasks = iter(tasks)
    for number in count():
        chunk = list(islice(tasks, size))
        if not chunk:
            return
        yield number, chunk


@dataclass
class _ArticleWork:
    """Article tasks for the worker processes, in chunks handed over `ahead` at a time: a chunk's
    tasks are made as it is handed over, so that a full build never holds them all (at 100,000
    articles they took 25 MB while the listings were rendered)."""

    pages: ArticlePages
    chunks: Iterator[tuple[int, list[ArticleTask]]]
    ahead: int  # chunks handed over and not yet recorded, at most


class _Pending:
    """Article tasks and search index under way in worker processes; finish() waits for them and
    records the files they wrote and the pieces they made."""

    def __init__(self, renderer: SiteRenderer, pools: list[Any], index: Any, work: _ArticleWork | None = None):
        self.renderer = renderer
        self.pools = pools  # the article tasks' (when there is `work`), then the search index's if it is built
        self.index = index
        self.work = work
        self.results: deque[Any] = deque()  # of the chunks handed over, in archive order; dropped once recorded
        self.known: dict[str, str] = {}  # the origins recorded, each kept once
        self.hand_over()

    def hand_over(self) -> None:
        """Give the workers chunks of tasks until `ahead` are not yet recorded; once every chunk is
        given, close their pool (its processes end with their last task)."""
        work = self.work
        while work is not None and len(self.results) < work.ahead:
            chunk = next(work.chunks, None)
            if chunk is None:
                self.pools[0].close()
                self.work = None
                return
            self.results.append(self.pools[0].apply_async(_render_chunk, (work.pages, *chunk)))

    def record(self, done: TasksDone) -> None:
        files, pieces = done
        known = self.known
        for path, origin, key, stat in files:  # "article.html" and the like arrive a copy per file
            self.renderer.writer.record(path, known.setdefault(origin, origin), key, stat)
        for index, number, file, start, length in pieces:
            self.renderer.assembled[index].made.add(number, file, start, length)

    def poll(self) -> None:
        """Record the tasks done so far, in order, and hand over more: a result waiting to be recorded
        holds each file's path, key and stat as objects, in all twice what the writer keeps of them
        (see Outputs)."""
        while self.results and self.results[0].ready():
            self.record(self.results.popleft().get())
        self.hand_over()

    def finish(self) -> None:
        try:
            while self.results:
                self.record(self.results.popleft().get())
                self.hand_over()
            if self.index is not None:
                self.renderer.record_search_index(*handed_back(self.index.get()))
            for pool in self.pools:
                pool.join()
        finally:
            self.cancel()

    def cancel(self) -> None:
        while self.pools:
            self.pools.pop().terminate()


def render_site(archive: Archive, config: SiteConfig, out_dir: Path, problems: Problems) -> int:
    """Write the whole site into out_dir (an empty folder); returns the number of HTML pages.

    build.py uses SiteRenderer itself, to reuse the previous site and render in several processes.
    """
    return SiteRenderer(archive, config, out_dir, problems).render()
