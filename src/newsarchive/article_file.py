"""The `articles/<slug>.md` format: YAML front matter (the record) between `---` lines, then the body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from .records import Record

FENCE = "---"


class _Dumper(yaml.SafeDumper):
    """Block style, Unicode kept, multi-line strings as literal blocks: readable and diff-friendly."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_front_matter(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def format_article(record: Record) -> str:
    """The whole file text for a record; byte-stable for the same record."""
    return format_parts(record.front_matter(), record.body)


def format_parts(front_matter: dict[str, Any], body: str) -> str:
    """The file text for a front-matter mapping (which may hold editors' own keys) and a body."""
    return f"{FENCE}\n{dump_front_matter(front_matter)}{FENCE}\n\n{body.strip(chr(10))}\n"


@dataclass
class ArticleText:
    """A file split into its parts, with the line where the body starts (for messages)."""

    front_matter: str
    body: str
    body_line: int


def split_article(text: str) -> ArticleText | None:
    """Split at the fences; None when the file does not start with a front-matter block."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() == FENCE:
            front = "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1:]).strip("\n")
            return ArticleText(front, body, index + 2)
    return None
