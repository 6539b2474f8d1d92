"""The `articles/<slug>.md` format: YAML front matter (the record) between `---` lines, then the body."""

from __future__ import annotations

import operator
import re
import sys
from collections.abc import Callable
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
    text = text.removeprefix("\ufeff")
    if "\r" in text:  # a quick look spares copying the whole text when there is no Windows line end
        text = text.replace("\r\n", "\n")
    first_end = text.find("\n")
    if first_end == -1 or text[:first_end].strip() != FENCE:
        return None
    # The closing fence is the first line below that strips to `---`; only lines holding `---` can.
    search = first_end + 1
    while (found := text.find(FENCE, search)) != -1:
        line_start = text.rfind("\n", 0, found) + 1
        line_end = text.find("\n", found)
        if line_end == -1:
            line_end = len(text)
        if text[line_start:line_end].strip() == FENCE:
            body = text[line_end + 1:].strip("\n")
            return ArticleText(text[first_end + 1:line_start - 1], body, text.count("\n", 0, line_start) + 2)
        search = line_end
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
    """The YAML of a front matter: the fast reader when the text is in its subset, else the strict loader.

    Both give the same values; only the strict loader explains what is wrong with a text.
    """
    common = read_common_front_matter(text)
    return common if common is not None else parse_front_matter_strictly(text)


def parse_front_matter_strictly(text: str) -> Any:
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


# --- the fast reader: the YAML that format_article writes ----------------------------------------
#
# Building nodes, checking them and constructing values costs most of the time it takes to load an
# archive. The files we write use a small part of YAML: block mappings of plain keys, indentless
# block sequences, plain and quoted scalars (long ones folded over indented lines), `[]` and `{}`.
# This reader reads that part directly and gives up at the first thing outside it, so the strict
# loader reads everything else and stays the one that explains faults.


class OutsideSubset(Exception):
    """The text uses YAML the fast reader does not read; the strict loader must."""


# Characters that change how YAML reads a text (tabs, the other line breaks, a BOM) or that
# clean_strings would remove (controls, non-characters, surrogates): all left to the strict loader.
# Named as they are, not as all but the others: a class of most of Unicode took 3 ms to compile.
OUTSIDE_SUBSET_CHARACTERS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")  # where a plain scalar cannot start (quotes, flows)
_SUBSET_MAX_DEPTH = 8  # collections; a record nests three
_DOUBLE_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SIMPLE_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
                   "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
                   "L": "\u2028", "P": "\u2029"}
# The loader's own implicit resolvers, by first character: a plain scalar that none of them matches
# is text (`1e3`, `Nguyễn`), one they match is a value of another type (YAML 1.1: `yes`, `012`, `~`).
_WILDCARD_RESOLVERS = tuple(_Loader.yaml_implicit_resolvers.get(None, ()))
_RESOLVERS = {first: (*resolvers, *_WILDCARD_RESOLVERS)
              for first, resolvers in _Loader.yaml_implicit_resolvers.items() if first is not None}
# The typed plain scalars that format_article writes, as the loader reads them; any other form of a
# type (`yes`, `0o12`, `1_000`, `.5`, `2022-05-13`) is left to the loader itself.
_OBVIOUS_WORDS = {word: yaml.load(word, Loader=_Loader) for word in ("null", "true", "false")}
_OBVIOUS_NUMBER = re.compile(r"-?(?:(?P<int>0|[1-9][0-9]{0,99})|[0-9]+\.[0-9]+(?:[eE][-+][0-9]+)?)")
_NOT_OBVIOUS = object()
# The writer's empty text, list and mapping, each with the type that makes its value (as scalar() reads it).
_EMPTY_VALUES = {"''": str, "[]": list, "{}": dict}


def _plain(value: str) -> Any:
    """The value of a plain scalar, its lines joined; a `#` or `: ` in it would end it, so they are refused."""
    if ": " in value or " #" in value or value[-1] == ":":
        raise OutsideSubset
    if not value.isascii():
        return value  # names, sentences: the loader spells every other type in ASCII (a test checks)
    resolvers = _RESOLVERS.get(value[0], _WILDCARD_RESOLVERS)
    if not resolvers:
        return value  # most text: no type starts with its first character
    word = _OBVIOUS_WORDS.get(value, _NOT_OBVIOUS)
    if word is not _NOT_OBVIOUS:
        return word
    number = _OBVIOUS_NUMBER.fullmatch(value)
    if number:
        return int(value) if number["int"] else float(value)
    for _, pattern in resolvers:
        if pattern.match(value):
            raise OutsideSubset
    return value


class _Memo(dict[str, Any]):
    """A function's results by argument: a hit is a dict lookup, not a call.

    trim() empties it past `limit`; read_common_front_matter trims between front matters only, so the
    equal plain texts of one front matter are always one string object (written once in a packed record).
    """

    def __init__(self, function: Callable[[str], Any], limit: int):
        super().__init__()
        self.function = function
        self.limit = limit

    def __missing__(self, argument: str) -> Any:
        result = self[argument] = self.function(argument)
        return result

    def trim(self) -> None:
        if len(self) > self.limit:
            self.clear()


def _text_key(key: str) -> str:
    """A key of plain ASCII letters, digits and `_` that YAML reads as that text, interned.

    Interned, a key is the very string that names the field of a record, which load compares and
    passes as a keyword faster than an equal string.
    """
    if key.isascii() and key.isidentifier() and len(key) <= 128 and isinstance(_plain(key), str):
        return sys.intern(key)
    raise OutsideSubset  # a key YAML reads as true or null, or not a plain word


# Keys and plain values repeat across an archive: title, null, true, province, the names of places.
_TEXT_KEYS = _Memo(_text_key, 1024)
_PLAIN_VALUES = _Memo(_plain, 4096)


def _unescape(match: re.Match[str]) -> str:
    hex_digits = match.group(1) or match.group(2) or match.group(3)
    if hex_digits is None:
        replacement = _SIMPLE_ESCAPES.get(match.group(4))
        if replacement is None:
            raise OutsideSubset
        return replacement
    code = int(hex_digits, 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        raise OutsideSubset
    return chr(code)


class _SubsetReader:
    """Reads a front matter in the subset, raising OutsideSubset at the first thing outside it.

    Lines are kept without their indentation (`columns` has it); blank lines are dropped, and
    `after_blank` keeps where there was one, since inside a scalar it would be a line break.
    `columns` ends with -1, one past the last line: the end of the text closes every block.
    """

    def __init__(self, text: str):
        lines = text.split("\n")
        contents = [line.lstrip(" ") for line in lines]
        self.after_blank: frozenset[int] = frozenset()
        if "" in contents:
            kept = [index for index, content in enumerate(contents) if content]
            self.after_blank = frozenset(position for position, index in enumerate(kept)
                                         if index and not contents[index - 1])
            lines = [lines[index] for index in kept]
            contents = [contents[index] for index in kept]
        self.contents = contents
        self.columns = [*map(operator.sub, map(len, lines), map(len, contents)), -1]
        self.count = len(contents)
        self.index = 0  # the next line to read

    def document(self) -> dict[str, Any]:
        if self.columns[0] != 0:
            raise OutsideSubset  # indented, or no line at all
        return self.mapping(0, self.contents[0], 1)  # a mapping at column 0 ends with the text

    def mapping(self, column: int, entry: str, depth: int) -> dict[str, Any]:
        """Keys at `column`; `entry` is the first one's text, on the current line (maybe after `- `)."""
        contents, columns, index = self.contents, self.columns, self.index
        result: dict[str, Any] = {}
        while True:
            key, colon, rest = entry.partition(": ")
            if not colon:
                key, rest = entry.rstrip(" "), ""
                if key[-1:] != ":":
                    raise OutsideSubset
                key = key[:-1]
            name = _TEXT_KEYS[key]
            if name in result:
                raise OutsideSubset  # a key twice
            index += 1
            rest = rest.strip(" ")
            if rest and rest[0] not in _INDICATORS and columns[index] <= column:
                result[name] = _PLAIN_VALUES[rest]  # most values: plain text on one line
            elif rest in _EMPTY_VALUES:
                result[name] = _EMPTY_VALUES[rest]()  # many values: '' and [], read without scalar()
            else:
                self.index = index
                result[name] = self.scalar(rest, column) if rest else self.block(column, depth)
                index = self.index
            if columns[index] != column:
                if columns[index] < column:
                    self.index = index
                    return result
                raise OutsideSubset
            entry = contents[index]

    def sequence(self, column: int, depth: int) -> list[Any]:
        """Items `- ` at `column`, from the current line on."""
        contents, columns, index = self.contents, self.columns, self.index
        items: list[Any] = []
        while True:
            content = contents[index]
            if not content.startswith("- "):
                self.index = index
                return items
            item = content[2:].lstrip(" ")
            item_column = column + len(content) - len(item)
            item = item.rstrip(" ")
            if not item:
                raise OutsideSubset  # the item is on the lines below its dash
            if item[0] not in "'\"" and (": " in item or item[-1] == ":"):
                self.index = index
                items.append(self.mapping(item_column, item, depth + 1))
                index = self.index
            elif item[0] not in _INDICATORS and columns[index + 1] <= column:
                index += 1
                items.append(_PLAIN_VALUES[item])  # most items: plain text on one line
            else:
                self.index = index + 1
                items.append(self.scalar(item, column))
                index = self.index
            if columns[index] != column:
                if columns[index] < column:
                    self.index = index
                    return items
                raise OutsideSubset

    def block(self, indent: int, depth: int) -> Any:
        """The value of a `key:` that ends its line: the block below it, or null."""
        if self.index == self.count:
            return None
        if depth >= _SUBSET_MAX_DEPTH:
            raise OutsideSubset
        column, content = self.columns[self.index], self.contents[self.index]
        if column >= indent and content.startswith("- "):
            return self.sequence(column, depth + 1)  # at the key's column too: an indentless sequence
        if column > indent:
            return self.mapping(column, content, depth + 1)
        return None

    def scalar(self, text: str, indent: int) -> Any:
        """A scalar that starts with `text` and may go on over lines indented deeper than `indent`."""
        first = text[0]
        if first in _INDICATORS:
            if first == "'":
                return self.single_quoted(text[1:], indent)
            if first == '"':
                match = _DOUBLE_QUOTED.fullmatch(text)
                if match is None:
                    raise OutsideSubset  # folded over lines, or text after the closing quote
                return _UNWRITABLE.sub("", _ESCAPE.sub(_unescape, match.group(1)))
            if text == "[]":
                return []
            if text == "{}":
                return {}
            if not (first == "-" and "0" <= text[1:2] <= "9"):
                raise OutsideSubset  # only a number may start with one
        parts = [text]
        while self.columns[self.index] > indent:
            if self.index in self.after_blank:
                raise OutsideSubset  # a blank line in a plain scalar is a line break
            parts.append(self.contents[self.index].rstrip(" "))
            self.index += 1
        return _PLAIN_VALUES[" ".join(parts)]  # a single line break reads as a space

    def single_quoted(self, rest: str, indent: int) -> str:
        """The text after an opening `'`: `''` is a quote, a line break between lines a space."""
        pieces: list[str] = []
        while True:
            quote = rest.find("'")
            if quote == -1:
                pieces.append(rest)
                if self.columns[self.index] <= indent or self.index in self.after_blank:
                    raise OutsideSubset
                pieces.append(" ")
                rest = self.contents[self.index].rstrip(" ")
                self.index += 1
            elif rest[quote + 1:quote + 2] == "'":
                pieces.append(rest[:quote + 1])
                rest = rest[quote + 2:]
            elif quote + 1 < len(rest):
                raise OutsideSubset  # something after the closing quote
            else:
                pieces.append(rest[:quote])
                return "".join(pieces)


def read_common_front_matter(text: str) -> dict[str, Any] | None:
    """The front matter as parse_front_matter_strictly reads it, or None when the text is outside the subset."""
    if OUTSIDE_SUBSET_CHARACTERS.search(text):
        return None
    _TEXT_KEYS.trim()
    _PLAIN_VALUES.trim()
    try:
        return _SubsetReader(text).document()
    except OutsideSubset:
        return None


# --- the layout format_article writes, field by field -----------------------------------------------
#
# load reads a record in exactly this layout without the mapping in between (see load.Layout): one
# regular expression per kind of record matches its lines, and each value is read here. These are
# the pieces of those expressions, and the reading of a value; anything else is left to the readers above.

# A line's text, no space at either end. (Nor any of OUTSIDE_SUBSET_CHARACTERS, which load looks
# for apart: in every class here, they made compiling the expressions take 40 ms.)
LAID_OUT_LINE = r"[^ \n][^\n]*(?<! )"


def laid_out_scalar(column: int) -> str:
    """A scalar after its key at `column` (or its dash there): its line, and the lines deeper that it folds over."""
    return rf"{LAID_OUT_LINE}(?:\n {{{column + 1},}}{LAID_OUT_LINE})*"


def _laid_out_value(raw: str) -> Any:
    """The value of a scalar as laid_out_scalar matches it, as the fast reader reads it."""
    if "\n" in raw:  # folded: each line break reads as a space
        first, *rest = raw.split("\n")
        if first[0] == '"':
            raise OutsideSubset
        raw = " ".join([first, *(line.lstrip(" ") for line in rest)])
    first = raw[0]
    if first not in _INDICATORS or first == "-" and "0" <= raw[1:2] <= "9":
        return _plain(raw)
    if raw == "''":
        return ""
    if first == "'":
        inside = raw[1:-1]
        if len(raw) < 2 or raw[-1] != "'" or "'" in inside.replace("''", ""):
            raise OutsideSubset  # unterminated, or a quote that ends the text before its end
        return inside.replace("''", "'")
    if first == '"':
        match = _DOUBLE_QUOTED.fullmatch(raw)
        if match is None:
            raise OutsideSubset
        return _UNWRITABLE.sub("", _ESCAPE.sub(_unescape, match.group(1)))
    raise OutsideSubset  # `[]`, `{}`, `|`, `&`, `!`...: not a value a scalar field of a record is written as


# The values of laid out scalars, read once each until the memo is trimmed (between front matters,
# as _PLAIN_VALUES is: the equal texts of one record stay one string).
LAID_OUT_VALUES = _Memo(_laid_out_value, 4096)
