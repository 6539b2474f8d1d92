"""The `articles/<slug>.md` format: YAML front matter (the record) between `---` lines, then the body."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from .records import Record

FENCE = "---"


class _Dumper(yaml.SafeDumper):
    """Block style, Unicode kept, multi-line strings as literal blocks: readable and diff-friendly."""


# Characters YAML reads as line breaks and folds into spaces unless they are escaped.
_YAML_BREAKS = ("\x85", "\u2028", "\u2029")


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if any(c in value for c in _YAML_BREAKS):
        style = '"'  # escaped, so the value reads back exactly as it was
    else:
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


# --- reading front matter ---------------------------------------------------------------------

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster when present
# The only tags a record needs; whatever else safe_load knows (!!binary, !!set, !!omap...) or refuses
# (!!python/object, local !tags) has no place in an article and would only reach the site as junk.
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}"
                        for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map"))
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
MAX_DEPTH = 32  # a record nests three levels; deeper is an accident (or an attack on the parser)
# What XML 1.0 (the feeds, the sitemap) forbids, and what no editor means to type.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


_FIRST_LINE = 2  # the front matter starts below the opening fence; messages give file lines


class FrontMatterError(Exception):
    """Front matter that cannot be read safely, with the file line where there is one."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(message)


def parse_front_matter(text: str) -> Any:
    """The YAML of a front matter, read with the safe loader and refusing what safe_load lets by.

    Refused, each with a message that says what to do: anchors and aliases (an alias bomb expands
    to billions of values), tags other than the plain ones, keys given twice (YAML keeps the last
    silently, so an editor's correction above a stale value would be lost), very deep nesting.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node)
        return clean_strings(loader.construct_document(node))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + _FIRST_LINE if mark is not None else None
        problem = getattr(err, "problem", None) or getattr(err, "reason", None) or "invalid syntax"
        if "constructor for the tag" in problem or "unhashable key" in problem:
            raise FrontMatterError(_refusal(problem), line) from None
        raise FrontMatterError(f"the front matter is not valid YAML: {problem}. Check the indentation and quote "
                               f"values that contain ': ' or start with a special character.", line) from None
    except (ValueError, OverflowError, RecursionError) as err:  # a last guard: no input may crash the build
        raise FrontMatterError(f"the front matter cannot be read ({type(err).__name__}: {err}). Simplify the "
                               f"value it points at, or quote it.") from None
    finally:
        loader.dispose()


def _refusal(problem: str) -> str:
    if "unhashable key" in problem:
        return "a key of the front matter is a list or a mapping. Keys are plain words such as 'title'."
    tag = problem.rsplit(" ", 1)[-1].strip("'").replace("tag:yaml.org,2002:", "!!")
    return (f"the front matter uses the YAML tag {tag}, which is not allowed (it could run code or build "
            f"objects). Remove the tag and write the value as plain text.")


def _check_nodes(root: yaml.Node) -> None:
    """Walk the node graph (without recursion) before any value is built from it."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        line = node.start_mark.line + _FIRST_LINE
        if id(node) in seen or getattr(node, "anchor", None):
            raise FrontMatterError("the front matter uses a YAML anchor or alias (&name, *name). Write each "
                                   "value out in full where it belongs.", line)
        seen.add(id(node))
        if node.tag not in _PLAIN_TAGS:
            raise FrontMatterError(_refusal(f"constructor for the tag '{node.tag}'"), line)
        if node.tag == _TIMESTAMP:
            _check_timestamp(node, line)
        if depth > MAX_DEPTH:
            raise FrontMatterError(f"the front matter is nested more than {MAX_DEPTH} levels deep. A record "
                                   f"needs three at most; check the indentation.", line)
        if isinstance(node, yaml.MappingNode):
            first_line: dict[tuple[str, str], int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    name = (key.tag, key.value)
                    key_line = key.start_mark.line + _FIRST_LINE
                    if name in first_line:
                        raise FrontMatterError(f"the key '{key.value}' is given twice (lines "
                                               f"{first_line[name]} and {key_line}); YAML "
                                               f"would silently keep only the last. Keep one of them.", key_line)
                    first_line[name] = key_line
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)


def _check_timestamp(node: yaml.ScalarNode, line: int) -> None:
    """A value YAML takes for a date must be a real one, or building it raises ValueError."""
    try:
        _CONSTRUCTOR.construct_yaml_timestamp(node)
    except (ValueError, OverflowError) as err:
        raise FrontMatterError(f"'{node.value}' looks like a date but is not one ({err}). Correct it, or quote "
                               f"it if it is not meant as a date.", line) from None


def clean_strings(value: Any) -> Any:
    """Every string with control characters, lone surrogates and non-characters removed."""
    if isinstance(value, str):
        return _UNWRITABLE.sub("", value)
    if isinstance(value, list):
        return [clean_strings(v) for v in value]
    if isinstance(value, dict):
        return {clean_strings(k): clean_strings(v) for k, v in value.items()}
    return value
