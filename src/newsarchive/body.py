"""An article's body as safe HTML, and its summary for listings, feeds and page descriptions.

Article text is untrusted: whatever Markdown makes of it is sanitized, so no script, style, frame
or event handler reaches a page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

import nh3
from markupsafe import Markup, escape

from . import text
from .records import Record

# What article bodies may keep after Markdown; everything else (scripts, styles, iframes,
# event handlers) is removed because article text is untrusted.
_BODY_TAGS = {"p", "h2", "h3", "h4", "em", "strong", "a", "ul", "ol", "li", "blockquote", "br", "hr",
              "table", "thead", "tbody", "tr", "th", "td", "code", "pre", "sub", "sup"}
_BODY_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
_BLOCK_SPLIT = re.compile(r"\n\s*\n")
_SPACES = re.compile(r"\s+")

# Plain text: letters (Vietnamese ones precomposed), digits, spaces, newlines and punctuation that
# neither Markdown nor the sanitizer touches. Its letters are in normal form and compose with
# nothing, so text.normalize_name keeps its length: the cheap test that a block is not a caption.
_VIETNAMESE = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
_PLAIN_CHARACTERS = re.compile(f"[A-Za-z0-9{_VIETNAMESE}{_VIETNAMESE.upper()} \n,.:;?%/()'\"“”‘’–—…+=-]+")
# Where plain characters still mean Markdown: a line starting a list, an underline, a rule
# (" - - -") or an indented block, a numbered item. (Two spaces, as in a line break, are not plain.)
_MARKDOWN_LINE = re.compile(r"^(?:[-+= ]|\d+[.)])", re.MULTILINE)
# The same after a newline, but for a space there (see _all_plain): a search that starts with a
# character is a fast scan for it, where _MARKDOWN_LINE tries every position of a text.
_MARKDOWN_AFTER_NEWLINE = re.compile(r"\n(?:[-+=]|\d+[.)])")


def summary(record: Record, limit: int = 240) -> str:
    """The first paragraph of text (not a caption or heading), shortened on a word boundary."""
    return shorten(lead(record), limit)


def lead(record: Record) -> str:
    """The first paragraph of text: not a caption or heading, its white space collapsed."""
    names = (*record.captions, *record.subheadings)
    # The lengths of their keys tell most paragraphs from them: the keys are made for a paragraph of one.
    skip_lengths = {_key_length(name) for name in names}
    skip: set[str] | None = None
    for block in _blocks(record.body):  # lazily: the first paragraph is usually the first block
        paragraph = _SPACES.sub(" ", block).strip()
        if not paragraph or paragraph.startswith("#"):
            continue
        key = _name_key(paragraph, skip_lengths)
        if key is None:
            return paragraph
        if skip is None:
            skip = {text.normalize_name(name) for name in names}
        if key not in skip:
            return paragraph
    return ""


def shorten(paragraph: str, limit: int) -> str:
    """At most `limit` characters, cut on a word boundary and marked with an ellipsis."""
    if len(paragraph) <= limit:
        return paragraph
    return paragraph[:limit].rsplit(" ", 1)[0] + "…"


def body_html(body: str, captions: Iterable[str], subheadings: Iterable[str]) -> Markup:
    """The clean body as sanitized HTML: captions become figures, known subheadings become h2.

    Captions the body does not repeat are shown first, where a scraped page has its lead photo.
    """
    caption_keys = {text.normalize_name(c): c for c in captions if c.strip()}
    heading_keys = {text.normalize_name(s) for s in subheadings if s.strip()}
    key_lengths = {len(key) for key in (*caption_keys, *heading_keys)}
    body = body.strip("\n")
    blocks = [b.strip("\n") for b in _BLOCK_SPLIT.split(body) if b.strip()]
    plain = _all_plain(body)
    keys = [None if plain and len(b) not in key_lengths else _name_key(b, key_lengths) for b in blocks]
    shown = set(keys)
    out: list[str] = [_figure(c) for key, c in caption_keys.items() if key not in shown]
    pending: list[str] = []

    def flush() -> None:
        if pending:
            out.append(_paragraphs(pending) if plain or all(map(_is_plain_paragraph, pending))
                       else _markdown("\n\n".join(pending)))
            pending.clear()

    for block, key in zip(blocks, keys):
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


def _blocks(body: str) -> Iterator[str]:
    """_BLOCK_SPLIT.split(body), one block at a time."""
    start = 0
    for gap in _BLOCK_SPLIT.finditer(body):
        yield body[start:gap.start()]
        start = gap.end()
    yield body[start:]


def _is_plain(block: str) -> bool:
    """Plain characters, single-spaced, no space at either end: text.normalize_name keeps its length."""
    return _PLAIN_CHARACTERS.fullmatch(block) is not None and "  " not in block and block == block.strip()


def _name_key(block: str, key_lengths: set[int]) -> str | None:
    """text.normalize_name(block), or None when it cannot be any of the keys, which have these lengths."""
    if len(block) not in key_lengths and _is_plain(block):
        return None
    return text.normalize_name(block)


def _key_length(name: str) -> int:
    """len(text.normalize_name(name)), which is the length of a plain name."""
    return len(name) if _is_plain(name) else len(text.normalize_name(name))


def _is_plain_paragraph(block: str) -> bool:
    """A block Markdown makes one paragraph of, its text unchanged, and the sanitizer keeps as is."""
    return _is_plain(block) and _MARKDOWN_LINE.search(block) is None


def _all_plain(body: str) -> bool:
    """True when every block of a body (stripped of newlines) is _is_plain_paragraph, as in most
    bodies, told by one look at the whole body instead of three at each block. A block is a run of
    the body's lines, so it has no character, double space or line start the body has not; and no
    space at either end of a block follows from none before or after a newline, nor at the ends.
    False may still come for plain blocks ("a \nb" is one)."""
    return (_PLAIN_CHARACTERS.fullmatch(body) is not None and "  " not in body and "\n " not in body
            and " \n" not in body and body[-1:] != " " and _MARKDOWN_LINE.match(body) is None  # (a space first, too)
            and _MARKDOWN_AFTER_NEWLINE.search(body) is None)


def _paragraphs(blocks: list[str]) -> str:
    """What _markdown gives for plain paragraphs, without parsing them."""
    return "\n".join(f"<p>{block}</p>" for block in blocks)


def _figure(caption: str) -> str:
    return f'<figure class="photo"><figcaption>{escape(caption.strip())}</figcaption></figure>'


@cache
def _parser() -> Any:
    """One Markdown parser, reset per use (building one is slow), imported only when a body needs it."""
    import markdown

    return markdown.Markdown(output_format="html")


def _markdown(source: str) -> str:
    html = _parser().reset().convert(source)
    # The page's own title is its only h1; headings in the body start at h2.
    html = re.sub(r"<(/?)h1>", r"<\1h2>", html)
    return nh3.clean(html, tags=_BODY_TAGS, attributes=_BODY_ATTRIBUTES, link_rel="nofollow noopener noreferrer")
