"""A link checker for a built site folder: every href/src/action resolves to a file, every #fragment exists.

Works on the folder itself (no server), so it also proves the site works from file://.
Absolute links to other hosts are collected separately: pages must make no request elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

_LINK_ATTRIBUTES = {"href", "src", "action"}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name in _LINK_ATTRIBUTES:
                self.links.append((tag, name, value))


@dataclass
class LinkReport:
    pages: int = 0
    links: int = 0
    broken: list[str] = field(default_factory=list)  # "page: href (why)"
    absolute: list[str] = field(default_factory=list)  # "page: <tag attr=url>", for requests to other hosts
    outbound: list[str] = field(default_factory=list)  # plain <a href> to other hosts (allowed)


def _parse(path: Path, cache: dict[Path, _PageParser]) -> _PageParser:
    if path not in cache:
        parser = _PageParser()
        parser.feed(path.read_text("utf-8"))
        cache[path] = parser
    return cache[path]


def check_site(site: Path) -> LinkReport:
    site = site.resolve()
    report = LinkReport()
    cache: dict[Path, _PageParser] = {}
    for page in sorted(site.rglob("*.html")):
        report.pages += 1
        parsed = _parse(page, cache)
        where = page.relative_to(site).as_posix()
        for tag, attribute, value in parsed.links:
            report.links += 1
            parts = urlsplit(value)
            if parts.scheme in ("mailto", "tel", "data", "javascript"):
                continue
            if parts.scheme or parts.netloc:
                if tag == "a":
                    report.outbound.append(f"{where}: {value}")
                elif not (tag == "link" and attribute == "href" and _is_canonical(page, value)):
                    report.absolute.append(f"{where}: <{tag} {attribute}={value}>")
                continue
            if value.startswith("/"):
                report.broken.append(f"{where}: {value} (root-relative: breaks under a sub-path and on file://)")
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if parts.path.endswith("/") or target.is_dir():
                target = target / "index.html"
            if not target.is_relative_to(site):
                report.broken.append(f"{where}: {value} (leaves the site folder)")
            elif not target.is_file():
                report.broken.append(f"{where}: {value} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in _parse(target, cache).ids:
                    report.broken.append(f"{where}: {value} (no element with id '{parts.fragment}')")
    return report


def _is_canonical(page: Path, value: str) -> bool:
    """<link rel=canonical>/og:url point at the public URL on purpose; they fetch nothing."""
    text = page.read_text("utf-8")
    return f'<link rel="canonical" href="{value}">' in text


def broken_links(site: Path) -> list[str]:
    """Only the broken links, each as "page: href (why)"."""
    return check_site(site).broken
