"""An article's body as safe HTML, and its summary for listings, feeds and page descriptions.

Article text is untrusted: whatever Markdown makes of it is sanitized, so no script, style, frame
or event handler reaches a page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import markdown
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
