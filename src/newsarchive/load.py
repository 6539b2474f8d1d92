"""Load `articles/*.md` into an Archive: validate every record, then build the taxonomies.

A file that breaks the record contract becomes one Problem naming the file, the line and what to
do, and is skipped; the rest of the archive still builds. Values an editor may type by hand are
accepted in their natural YAML forms (`published: 2022-05-13` is a date to YAML, `code: 15` an int).
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from types import UnionType
from typing import (
    Any,
    Callable,
    NamedTuple,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

import yaml

from . import text
from .archive import (
    Archive,
    Article,
    AtHand,
    Filing,
    CurrentProvince,
    DirectiveInfo,
    DirectiveTerm,
    District,
    Province,
    Region,
    Year,
    article_names,
)
from .article_file import (
    LAID_OUT_LINE,
    LAID_OUT_VALUES,
    OUTSIDE_SUBSET_CHARACTERS,
    FrontMatterError,
    OutsideSubset,
    clean_strings,
    laid_out_scalar,
    parse_front_matter,
    split_article,
)
from .cache import read_to_end
from .config import FAST_LOADER, SiteConfig, package_yaml
from .directives import catalogue
from .problems import Problems
from .records import (
    LEVELS,
    DirectiveRef,
    LocalDocument,
    Locality,
    Metric,
    Period,
    Person,
    Record,
)

# An article with its record is tens of kilobytes; a file far bigger is a mistake, and rendering it
# (Markdown on one huge paragraph) would stall the build.
MAX_ARTICLE_BYTES = 4 * 1024 * 1024

# Central documents: "05-CT/TW", "04-NQ/TW", "47-QĐ/TW", "01-KL/TW", "23-HD/BTGTW".
DIRECTIVE_ID = re.compile(r"^\d{1,4}-[A-ZĐ]{1,4}/[A-ZĐ]{2,8}$")


class RecordError(Exception):
    """One contract violation: where in the mapping (for the line) and what to do."""

    def __init__(self, where: tuple[str | int, ...], message: str):
        self.where = where
        super().__init__(message)


# --- field checks -----------------------------------------------------------------------------

Check = Callable[[Any, tuple[str | int, ...]], Any]


def _name(where: tuple[str | int, ...]) -> str:
    out = ""
    for part in where:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _text(value: Any, where: tuple[str | int, ...]) -> str | None:
    if value is None or value == "":
        return value
    if isinstance(value, bool) or isinstance(value, (dict, list)):
        raise RecordError(where, f"'{_name(where)}' must be text, not {_describe(value)}.")
    return str(value)  # `code: 15`, `district: 2`: names that YAML read as numbers


def _required_text(value: Any, where: tuple[str | int, ...]) -> str:
    if value is None or value == "":
        raise RecordError(where, f"'{_name(where)}' is required and must not be empty.")
    return _text(value, where)




def _integer(value: Any, where: tuple[str | int, ...]) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(where, f"'{_name(where)}' must be a whole number, not {_describe(value)}.")
    return value


def _number(value: Any, where: tuple[str | int, ...]) -> int | float:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > _FLOAT_BITS:
        raise RecordError(where, f"'{_name(where)}' has {len(str(abs(value)))} digits, more than any figure "
                                 f"an article reports. Write the figure the article gives.")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RecordError(where, f"'{_name(where)}' must be a number written with a dot for decimals "
                                 f"(2.6, 2600000000), not {_describe(value)}.")
    return value


_FLOAT_BITS = 1000  # an int near 2**1024 is past the largest float, which math.isfinite cannot take


def _optional(check: Check) -> Check:
    return lambda value, where: None if value is None else check(value, where)


def _flag(value: Any, where: tuple[str | int, ...]) -> bool:
    if not isinstance(value, bool):
        raise RecordError(where, f"'{_name(where)}' must be true or false, not {_describe(value)}.")
    return value


# The types of value each check gives back unchanged (an empty string aside): Shape does not call the
# check for them, as a call per value adds up to a good part of the load time.
_UNCHANGED: dict[Check, tuple[type, ...]] = {_text: (str, type(None)), _required_text: (str,), _integer: (int,),
                                             _flag: (bool,)}


def _published(value: Any, where: tuple[str | int, ...]) -> str | None:
    """ISO 8601 date or datetime; YAML's own date and timestamp types are welcome."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return dt.date.fromisoformat(value).isoformat()
            dt.datetime.fromisoformat(value)
            return value
        except ValueError:
            pass
    raise RecordError(where, f"'published' must be an ISO date like 2022-05-13 or 2022-05-13T12:35:00+07:00 "
                             f"(or null when the text states none), not {_describe(value)}.")


def _level(value: Any, where: tuple[str | int, ...]) -> str:
    if value not in LEVELS:
        raise RecordError(where, f"'{_name(where)}' must be one of {', '.join(LEVELS)}, not {_describe(value)}.")
    return value


def _directive_id(value: Any, where: tuple[str | int, ...]) -> str:
    normalized = text.normalize(str(value)).strip().upper() if isinstance(value, str) else None
    if not normalized or not DIRECTIVE_ID.match(normalized):
        raise RecordError(where, f"'{_name(where)}' must be a document number like 05-CT/TW, "
                                 f"not {_describe(value)}.")
    return normalized


def _texts(value: Any, where: tuple[str | int, ...]) -> list[str]:
    """A list of strings; a single string is taken as a list of one (an easy hand edit)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise RecordError(where, f"'{_name(where)}' must be a list of texts, not {_describe(value)}.")
    return [item if type(item) is str and item != "" else _required_text(item, (*where, i))
            for i, item in enumerate(value)]


_ABSENT = object()  # a key not in the mapping (None is a value)


class FieldCheck(NamedTuple):
    """How one key of a mapping is checked."""

    name: str
    check: Check
    required: bool
    unchanged: tuple[type, ...]  # the types of value the check gives back as they are (an empty string aside)
    default: Any  # for the key when it is absent and not required; _ABSENT: left out


@dataclass(frozen=True, eq=False)  # one per records class: compared and hashed as itself, like the other checks
class Shape:
    """The fields of one nested mapping, in declaration order."""

    fields: tuple[FieldCheck, ...]
    names: frozenset[str] = field(init=False)
    # A mapping with every key in declaration order (as format_article writes one) is checked in bulk
    # when each `kept` field's value has a type its check gives back as it is (and no required text is
    # empty): then only the `called` fields' checks run, in order, and find the fault the loop over all
    # fields would find first. Any other mapping takes that loop.
    order: tuple[str, ...] = field(init=False)
    kept: tuple[str, ...] = field(init=False)
    kept_types: tuple[tuple[type, ...], ...] = field(init=False)
    required_texts: tuple[str, ...] = field(init=False)
    called: tuple[tuple[str, Check], ...] = field(init=False)

    def __post_init__(self) -> None:
        kept = [f for f in self.fields if f.unchanged]
        derived = {"names": frozenset(f.name for f in self.fields),
                   "order": tuple(f.name for f in self.fields),
                   "kept": tuple(f.name for f in kept),
                   "kept_types": tuple(f.unchanged for f in kept),
                   "required_texts": tuple(f.name for f in kept if f.check is _required_text),
                   "called": tuple((f.name, f.check) for f in self.fields if not f.unchanged)}
        for name, value in derived.items():
            object.__setattr__(self, name, value)  # frozen: set once, here

    def __call__(self, value: Any, where: tuple[str | int, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise RecordError(where, f"'{_name(where)}' must be a mapping of key: value, not {_describe(value)}.")
        if tuple(value) == self.order:
            get = value.__getitem__
            if (all(map(operator.contains, self.kept_types, map(type, map(get, self.kept))))
                    and "" not in map(get, self.required_texts)):
                out = dict(value)
                for key, check in self.called:
                    out[key] = check(value[key], (*where, key))
                return out
        if not value.keys() <= self.names:
            key = next(key for key in value if key not in self.names)
            raise RecordError((*where, key), f"'{_name((*where, key))}' is not a known key here; "
                                             f"known keys: {', '.join(f.name for f in self.fields)}.")
        out: dict[str, Any] = {}
        for key, check, required, unchanged, default in self.fields:
            item = value.get(key, _ABSENT)
            if item is _ABSENT:
                if required:
                    owner = f"'{_name(where)}'" if where else "the front matter"
                    raise RecordError(where, f"{owner} lacks the required key '{key}'. Add a line '{key}: ...'.")
                if default is not _ABSENT:
                    out[key] = default
            elif type(item) in unchanged and item != "":
                out[key] = item  # most values: calling the check for each adds up over an archive
            else:
                out[key] = check(item, (*where, key))
        return out


def _list_of(shape: Shape) -> Check:
    check_item = shape.__call__  # called as a method, not through the instance: a tenth less per item

    def check(value: Any, where: tuple[str | int, ...]) -> list[dict[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise RecordError(where, f"'{_name(where)}' must be a list (each item starting with '- '), "
                                     f"not {_describe(value)}.")
        return [check_item(item, (*where, i)) for i, item in enumerate(value)]

    return check


# Fields whose form the type alone does not say.
_SPECIAL: dict[tuple[type, str], Check] = {
    (Record, "published"): _published,
    (Locality, "level"): _level,
    (DirectiveRef, "id"): _directive_id,
}
# Text an editor must give when adding an item by hand; other missing text defaults to "".
_REQUIRED_TEXT = {(Record, "source"), (Record, "title"), (Record, "slug"), (Locality, "name"), (Locality, "level"),
                  (DirectiveRef, "id"), (LocalDocument, "id"), (Metric, "text"), (Person, "name")}
# Defaults for hand-added items: a period is inferred, a directive is mentioned once.
_FILLED: dict[tuple[type, str], Any] = {(Period, "inferred"): True, (DirectiveRef, "mentions"): 1}


def _check_for(hint: Any) -> Check:
    """The check for one annotated field, from its type: str, int, bool, numbers, lists, records."""
    args = [a for a in get_args(hint) if a is not type(None)]
    if get_origin(hint) in (Union, UnionType):
        if set(args) == {int, float}:
            return _number if len(args) == len(get_args(hint)) else _optional(_number)
        inner = args[0]
        return _text if inner is str else _optional(_check_for(inner))
    if hint is str:
        return _text
    if hint is int:
        return _integer
    if hint is bool:
        return _flag
    if get_origin(hint) is list:
        return _texts if args[0] is str else _list_of(shape_of(args[0]))
    if is_dataclass(hint):
        return shape_of(hint)
    raise TypeError(f"no check for {hint!r}")


@cache
def shape_of(cls: type) -> Shape:
    """The Shape of a records dataclass, derived from its annotations so new fields are checked too."""
    hints = get_type_hints(cls)
    checks: list[FieldCheck] = []
    for f in fields(cls):
        if f.name == "body":  # the body is the text below the front matter, never a key
            continue
        hint = hints[f.name]
        check = _SPECIAL.get((cls, f.name)) or (
            _required_text if (cls, f.name) in _REQUIRED_TEXT else _check_for(hint))
        required, default = False, _ABSENT
        if f.default is MISSING and f.default_factory is MISSING:
            if type(None) in get_args(hint):
                default = None
            elif get_origin(hint) is list:
                default = []
            elif (cls, f.name) in _FILLED:
                default = _FILLED[(cls, f.name)]
            elif hint is str and (cls, f.name) not in _REQUIRED_TEXT:
                default = ""
            else:
                required = True
        checks.append(FieldCheck(f.name, check, required, _UNCHANGED.get(check, ()), default))
    return Shape(tuple(checks))


RECORD = shape_of(Record)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value) if not isinstance(value, (dt.date,)) else f"'{value}'"


def validate_front_matter(data: Any) -> dict[str, Any]:
    """The checked, normalized mapping for Record.from_dict; raises RecordError on the first fault."""
    if not isinstance(data, dict):
        raise RecordError((), "the front matter must be a mapping of key: value (source:, title:, slug:...), "
                              f"not {_describe(data)}.")
    record_names = RECORD.names
    known = data if data.keys() <= record_names else {k: v for k, v in data.items() if k in record_names}
    values = RECORD(known, ())
    directives = values.get("directives", [])
    _check_across_fields([i for i, d in enumerate(directives) if d["primary"]], len(directives), values["slug"])
    return values


def _check_across_fields(primaries: list[int], directives: int, slug: str) -> None:
    """The rules no one field's check sees: one primary directive among them, and a slug that is safe."""
    if directives and len(primaries) != 1:
        where = ("directives", primaries[1]) if len(primaries) > 1 else ("directives",)
        raise RecordError(where, f"exactly one directive must have 'primary: true' (the one the article is "
                                 f"about); found {len(primaries)}.")
    if not text.is_safe_slug(slug):
        like = text.slugify(slug)
        if len(slug) > text.MAX_SLUG_LENGTH:
            fault = f"at most {text.MAX_SLUG_LENGTH} characters long (like {like}), not {len(slug)} characters"
        elif slug in text.RESERVED_SLUGS:
            fault = f"a name of its own (like {like}), not {slug!r}, which the site or Windows reserves"
        else:
            fault = f"lower-case ASCII words joined by '-' (like {like}), not {slug!r}"
        raise RecordError(("slug",), f"'slug' must be {fault}.")


# --- records in the layout format_article writes --------------------------------------------------

class Layout:
    """How the front matter format_article writes for a records class is read straight into the
    values of its fields, checked as its Shape checks them: reading a mapping, checking it into a
    copy and passing that as keyword arguments took twice as long.

    One regular expression matches the lines of the fields in declaration order, each field's in
    one group: a scalar, a list of texts, a list of records or a record below it (its lines, read by
    that class's Layout), at the indentation the writer gives them. Anything else, and any value the
    checks would convert or refuse, raises OutsideSubset: the general readers read the text again
    and say what is wrong with it.
    """

    def __init__(self, cls: type, column: int):
        self.cls = cls
        self.column = column
        pad = " " * column
        hints = get_type_hints(cls)
        scalar = laid_out_scalar(column)
        deeper = rf"\n{pad} {{2,}}{LAID_OUT_LINE}"  # a line of a record below this one's key or dash
        patterns: list[str] = []
        readers: list[Callable[[str], Any]] = []
        kept: list[int] = []
        self.kept_types: list[tuple[type, ...]] = []
        required: list[int] = []
        self.called: list[tuple[int, Check]] = []
        for index, (name, check, _, unchanged, _) in enumerate(shape_of(cls).fields):
            hint = hints[name]
            inner = next((a for a in get_args(hint) or (hint,) if is_dataclass(a)), None)
            if get_origin(hint) is list and get_args(hint)[0] is str:
                patterns.append(rf"{name}:( \[\]|(?:\n{pad}- {scalar})+)")
                readers.append(self._texts)
            elif get_origin(hint) is list:
                patterns.append(rf"{name}:( \[\]|(?:\n{pad}- {LAID_OUT_LINE}(?:{deeper})*)+)")
                readers.append(Layout(get_args(hint)[0], column + 2).records)
            elif inner is not None:
                optional = "null|" if type(None) in get_args(hint) else ""
                patterns.append(rf"{name}:( {optional}(?:{deeper})+)")
                readers.append(Layout(inner, column + 2).record_below)
            else:
                patterns.append(rf"{name}: ({scalar})")
                readers.append(LAID_OUT_VALUES.__getitem__)
                if unchanged:
                    kept.append(index)
                    self.kept_types.append(unchanged)
                    if check is _required_text:
                        required.append(index)
                else:
                    self.called.append((index, check))
        self.regex = re.compile(f"\n{pad}".join(patterns))
        self.readers = tuple(readers)
        self.kept, self.required = _getter(kept), _getter(required)
        # What the types of the values (a tuple of them) say: whether they are the types the checks
        # of the kept fields keep. A few combinations come up, again and again.
        self.fitting: dict[tuple[type, ...], bool] = {}
        self.item_start = f"\n{pad}- "  # of the texts of a list field
        self.listed_as = f"\n{pad[2:]}- "  # where one of a list of records of this class starts

    def values(self, groups: tuple[str, ...]) -> list[Any]:
        """The checked values of the fields, from the groups of a match of `regex`."""
        values = list(map(operator.call, self.readers, groups))
        types = tuple(map(type, values))
        fits = self.fitting.get(types)
        if fits is None:
            fits = self.fitting[types] = all(map(operator.contains, self.kept_types, self.kept(types)))
        if not fits or "" in self.required(values):
            raise OutsideSubset
        for index, check in self.called:
            values[index] = check(values[index], ())  # where: a fault is told by the general readers
        return values

    def _texts(self, group: str) -> list[str]:
        if group == " []":
            return []
        items = list(map(LAID_OUT_VALUES.__getitem__, group.split(self.item_start)[1:]))
        if "" in items or not all(type(item) is str for item in items):
            raise OutsideSubset  # what _texts converts or refuses
        return items

    def records(self, group: str) -> list[Any]:
        """A list of records of this class, from its group in the enclosing class's match."""
        if group == " []":
            return []
        out = []
        for item in group.split(self.listed_as)[1:]:
            match = self.regex.fullmatch(item)
            if match is None:
                raise OutsideSubset
            out.append(self.cls(*self.values(match.groups())))
        return out

    def record_below(self, group: str) -> Any:
        """A record of this class or null, from its group in the enclosing class's match."""
        if group == " null":
            return None
        match = self.regex.fullmatch(group, 1 + self.column)  # its first key right after the line break
        if match is None:
            raise OutsideSubset
        return self.cls(*self.values(match.groups()))


def _getter(indices: list[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """The items at these indices, as a tuple."""
    if len(indices) == 1:
        return lambda values: (values[indices[0]],)
    return operator.itemgetter(*indices) if indices else lambda values: ()


_RECORD_LAYOUT = Layout(Record, 0)
_FIELD_NAMES = [name for name, *_ in RECORD.fields]
_DIRECTIVES, _SLUG = _FIELD_NAMES.index("directives"), _FIELD_NAMES.index("slug")
_BODY = list(Record.__dataclass_fields__).index("body")


def read_laid_out_record(front_matter: str, body: str, odd: bool = True) -> Record | None:
    """The record of a front matter in the layout format_article writes, checked as read_record
    checks one; None when the text is laid out otherwise or a value fails a check. `odd` False: the
    caller knows that the text holds none of OUTSIDE_SUBSET_CHARACTERS but perhaps U+2028 and U+2029."""
    match = _RECORD_LAYOUT.regex.fullmatch(front_matter)
    if match is None:
        return None
    if odd:
        if OUTSIDE_SUBSET_CHARACTERS.search(front_matter):
            return None
    elif "\u2028" in front_matter or "\u2029" in front_matter:
        return None
    LAID_OUT_VALUES.trim()
    try:
        values = _RECORD_LAYOUT.values(match.groups())
        directives = values[_DIRECTIVES]
        _check_across_fields([i for i, d in enumerate(directives) if d.primary], len(directives), values[_SLUG])
    except (OutsideSubset, RecordError):
        return None
    values.insert(_BODY, body)
    return Record(*values)


# --- one file ----------------------------------------------------------------------------------

def read_record(path: str | Path, display: str, problems: Problems,
                content: tuple[int, bytes | None] | None = None) -> Record | None:
    """The record in one articles/*.md file, or None after adding one Problem that says why.
    `content`: the file's size and bytes as read_bytes gave them, when the caller read them already."""
    try:
        size, encoded = content or read_bytes(path)
        if encoded is None:
            problems.error(display, f"the file is {size // 1024} KiB, far more than one article (the limit is "
                                    f"{MAX_ARTICLE_BYTES // 1024} KiB). Split it, or remove what does not belong.")
            return None
        raw = _text_of(encoded)
    except UnicodeDecodeError as err:
        problems.error(display, f"is not UTF-8 text (byte {err.start}). Save it as UTF-8.")
        return None
    except OSError as err:
        problems.error(display, f"cannot read the file ({err.strerror}). Check its permissions.")
        return None
    parts = split_article(raw)
    if parts is None:
        first = raw.removeprefix("\ufeff").split("\n", 1)[0].strip()
        if first == "---":
            problems.error(display, "the front matter opened with `---` on line 1 is never closed. "
                                    "Did you forget the closing `---` before the article text?", 1)
        else:
            problems.error(display, "the file does not start with front matter. Put the record between two `---` "
                                    "lines at the top of the file, then the article text.", 1)
        return None
    odd = not _nothing_odd(encoded)
    body = clean_strings(parts.body) if odd and not _nothing_to_clean(encoded) else parts.body
    record = read_laid_out_record(parts.front_matter, body, odd)
    if record is not None:
        return record  # as the writer laid it out: most files
    try:
        data = parse_front_matter(parts.front_matter)
    except FrontMatterError as err:
        problems.error(display, str(err), err.line)
        return None
    try:
        values = validate_front_matter(data)
    except RecordError as err:
        problems.error(display, str(err), _line_of(parts.front_matter, err.where))
        return None
    unknown = () if data.keys() <= RECORD.names else (key for key in data if key not in RECORD.names)
    for key in unknown:  # validation proved data a mapping
        hint = " The article text belongs below the closing `---`." if key == "body" else ""
        problems.warning(display, f"unknown key '{key}' is ignored.{hint}", _line_of(parts.front_matter, (key,)))
    values["body"] = body
    return Record.from_dict(values)


def read_bytes(path: str | Path) -> tuple[int, bytes | None]:
    """The file's size, and its bytes unless it is over MAX_ARTICLE_BYTES.

    Read with os calls and sized on the open file: the buffered reader and text wrapper that
    path.read_text sets up cost a third of reading a 6 KiB article.
    """
    return read_bytes_and_stat(path)[1:]


def read_bytes_and_stat(path: str | Path) -> tuple[os.stat_result | None, int, bytes | None]:
    """What read_bytes gives, behind the stat of the file it read, taken before reading it (None:
    the file could not be opened): a stat of its own would cost a parse worker one more system call."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        size = os.stat(path).st_size  # a file too big says so first, even one that cannot be opened
        if size > MAX_ARTICLE_BYTES:
            return None, size, None
        raise
    try:
        stat = os.fstat(fd)
        size = stat.st_size
        if size > MAX_ARTICLE_BYTES:
            return stat, size, None
        data = read_to_end(fd, size)  # to the end, as read_text reads, should the file have grown
    finally:
        os.close(fd)
    return stat, size, data


def _text_of(data: bytes) -> str:
    """The text path.read_text(encoding="utf-8") gives for a file of these bytes: line ends made "\\n"."""
    text = data.decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


# The UTF-8 bytes that begin a character clean_strings removes: the C0 controls but tab and line ends,
# which no other character's bytes contain, and 0xEF, which begins U+FFFE and U+FFFF (and a few
# characters an article seldom holds). Surrogates cannot come out of strict UTF-8 decoding.
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NOT_CONTROL_BYTES = bytes(sorted(set(range(256)) - set(_CONTROL_BYTES)))


def _nothing_to_clean(data: bytes) -> bool:
    """Whether the text of UTF-8 `data` surely holds nothing clean_strings removes (a look at the bytes
    is a quarter of the time a look at the text takes); False when it may."""
    return b"\xef" not in data and not data.translate(None, _NOT_CONTROL_BYTES)


# The bytes that are or begin a character of OUTSIDE_SUBSET_CHARACTERS (which holds every one
# clean_strings removes) but the line and paragraph separators: the C0 controls but the line feed,
# DEL, 0xC2, which begins the C1 controls (and a few characters an article seldom holds), and 0xEF
# as above. The separators begin with 0xE2, as quotes and dashes do: they are looked for in the text.
_ODD_BYTES = bytes([*range(0x0A), *range(0x0B, 0x20), 0x7F, 0xC2, 0xEF])
_NOT_ODD_BYTES = bytes(sorted(set(range(256)) - set(_ODD_BYTES)))


def _nothing_odd(data: bytes) -> bool:
    """Whether the text of UTF-8 `data` surely holds none of OUTSIDE_SUBSET_CHARACTERS but U+2028 and
    U+2029, and so nothing to clean either; False when it may. (One look at the bytes of the file:
    the look at its front matter's text took three times as long, on top of _nothing_to_clean.)"""
    return not data.translate(None, _NOT_ODD_BYTES)


def _line_of(front_matter: str, where: tuple[str | int, ...]) -> int | None:
    """File line (1-based) of the node at `where`, found again only when there is an error to report."""
    try:
        node = yaml.compose(front_matter, Loader=FAST_LOADER)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line if node is not None else None
    for part in where:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == part), None)
            if match is None:
                break
            line = match[0].start_mark.line
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line
        else:
            break
    return line + 2 if line is not None else None


# --- the archive -------------------------------------------------------------------------------

@dataclass(frozen=True)
class RegionTable:
    regions: list[tuple[str, dict[str, str]]]
    region_of_old: dict[str, str]  # province slug -> region key
    region_of_new: dict[str, str]
    merged_into: dict[str, str]  # old province slug -> new province name


@cache  # a few hundred names, asked for by every article that names one
def province_key(name: str) -> str:
    """Slug of a province name without its administrative type, so "Thành phố Huế" meets "Huế"."""
    slug = text.slugify(name)
    for prefix in ("thanh-pho-", "tinh-", "tp-"):
        if slug.startswith(prefix) and len(slug) > len(prefix):
            slug = slug[len(prefix):]
            break
    return slug if text.is_safe_slug(slug) else text.slugify(slug)


@cache
def region_table() -> RegionTable:
    data = package_yaml(resources.files("newsarchive").joinpath("data/regions.yaml").read_text("utf-8"))
    regions, old, new = [], {}, {}
    for region in data["regions"]:
        regions.append((region["key"], region["names"]))
        old.update({province_key(n): region["key"] for n in region["before_2025"]})
        new.update({province_key(n): region["key"] for n in region["since_2025"]})
    merged = {province_key(k): v for k, v in data["merged_into"].items()}
    return RegionTable(regions, old, new, merged)


def directive_catalogue() -> dict[str, DirectiveInfo]:
    """Catalogue facts for the directive pages: number, kind, date, issuing body, term, title."""
    return {key: DirectiveInfo(id=key, kind=d.kind, number=d.number, issuer=d.issuer, term=d.term, date=d.date,
                               title=d.title)
            for key, d in catalogue().items()}


Reader = Callable[[str, str, Problems], tuple[Filing, Callable[[], Record]] | None]  # path, display, problems


def parsed(path: str, display: str, problems: Problems) -> tuple[Filing, Callable[[], Record]] | None:
    """The reader without a cache: the file parsed, its record at hand."""
    record = read_record(path, display, problems)
    return None if record is None else (Filing.of(record), AtHand(record))


def load_archive(config: SiteConfig, problems: Problems, reader: Reader | None = None,
                 names: list[str] | None = None) -> Archive:
    """`reader` gives each file's filing and a way to its full record (the build passes one that
    skips unchanged files and reads their records only if a page needs them); `names`, the article
    files' names (see article_names), when the caller has listed the folder already."""
    reader = reader or parsed
    articles_dir = config.path("articles_dir")
    root = config.root.resolve()
    if not articles_dir.is_dir():
        problems.error(articles_dir, "the articles folder does not exist. Run `newsarchive ingest` first, "
                                     "or set articles_dir in site.yaml.")
        return build_archive([], {}, problems)
    articles: list[Article] = []
    taken: dict[str, str] = {}
    sources = _SourceFinder(root)
    display_of = article_displays(articles_dir, root)
    for name in article_names(articles_dir) if names is None else names:
        path = sys.intern(f"{articles_dir}/{name}")  # one string with the cache's, which parse workers report
        display = display_of(name)
        found = reader(path, display, problems)
        if found is None:
            continue
        filing, read = found
        slug = filing.slug
        if slug in taken:
            # Never let two records write one page: number the later file (sorted order, so stable).
            n = 2
            while f"{slug}-{n}" in taken:
                n += 1
            problems.warning(display, f"slug '{slug}' is already used by {_display(Path(taken[slug]), root)}; "
                                      f"this article is published as '{slug}-{n}'. Give it a slug of its own.",
                             _line_of(split_article(Path(path).read_text("utf-8")).front_matter, ("slug",)))
            slug = f"{slug}-{n}"
        taken[slug] = path
        articles.append(Article(filing, slug, path, display, sources.find(filing.source, display, problems), read))
    return build_archive(articles, directive_catalogue(), problems)


def article_displays(articles_dir: Path, root: Path) -> Callable[[str], str]:
    """How messages show an article file of the folder, by its name: relative to the project.
    Strings, resolved only for a symlink (the only way out of the folder): at 10,000 articles,
    Path objects and resolving take a tenth of a second."""
    folder = _display(articles_dir, root)
    links = _links_in(articles_dir)
    return lambda name: _display(Path(f"{articles_dir}/{name}"), root) if name in links else f"{folder}/{name}"


def _links_in(folder: Path) -> set[str]:
    """The names of a folder's symbolic links (from the listing itself: no stat per file)."""
    with os.scandir(folder) as entries:
        return {entry.name for entry in entries if entry.is_symlink()}


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)


class _SourceFinder:
    """The raw text each record came from; only inside the project, so a record cannot publish /etc.

    Each folder is resolved and listed once (the sources of an archive share one or two), so a
    plain file costs no system call of its own; a symbolic link is resolved to see where it leads.
    """

    def __init__(self, root: Path):
        self.root = root
        # as written -> resolved, whether that is inside the project, name -> is a link
        self.folders: dict[str, tuple[Path, bool, dict[str, bool]]] = {}

    def find(self, source: str, display: str, problems: Problems) -> str | None:
        folder, _, name = source.rpartition("/")
        known = self.folders.get(folder)
        if known is None:
            known = self.folders[folder] = self._list(folder)
        resolved, inside, files = known
        link = files.get(name)
        if link is False:  # a plain file, listed: in the project when its folder is
            candidate = sys.intern(f"{resolved}/{name}")  # one string with the cache's (see Cache.files)
        else:
            found = (self.root / source).resolve()
            candidate, inside = str(found), found.is_relative_to(self.root)
        if not inside:
            problems.warning(display, f"source '{source}' lies outside the project; its raw text is not "
                                      f"published.")
            return None
        if link is not False and not os.path.isfile(candidate):  # a file listed as a plain one is one
            problems.warning(display, f"source '{source}' does not exist; the article page will not link "
                                      f"to its raw text.")
            return None
        return candidate

    def _list(self, folder: str) -> tuple[Path, bool, dict[str, bool]]:
        """A folder resolved, and its regular files and links (other names count as absent)."""
        resolved = (self.root / folder).resolve()
        inside = resolved.is_relative_to(self.root)
        files: dict[str, bool] = {}
        try:
            with os.scandir(resolved) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        files[entry.name] = True
                    elif entry.is_file():
                        files[entry.name] = False
        except OSError:
            pass
        return resolved, inside, files


def build_archive(articles: list[Article], catalogue: dict[str, DirectiveInfo], problems: Problems) -> Archive:
    """Group the articles into provinces, districts, directives and years; every list sorted."""
    articles = sorted(articles, key=lambda a: a.slug)
    articles.sort(key=lambda a: a.sort_date, reverse=True)  # stable: same date keeps slug order
    table = region_table()

    provinces: dict[str, Province] = {}
    current: dict[str, CurrentProvince] = {}
    directives: dict[str, DirectiveTerm] = {}
    years: dict[int, Year] = {}
    undated: list[Article] = []
    district_slugs: dict[str, str] = {}
    names: dict[str, str] = {}  # a few hundred place names, each written on thousands of records

    def normalized(name: str) -> str:
        found = names.get(name)
        if found is None:
            found = names[name] = text.normalize_name(name)
        return found

    for number, article in enumerate(articles):
        article.number = number
        filing = article.filing
        if filing.province:
            name = normalized(filing.province)
            key = province_key(name)
            province = provinces.get(key)
            if province is None:
                now = filing.province_current or table.merged_into.get(key) or name
                province = provinces[key] = Province(
                    name=name, slug=key, current=normalized(now),
                    region=table.region_of_old.get(key) or table.region_of_new.get(key))
            province.articles.append(article)
            if filing.district:
                district_name = normalized(filing.district)
                dslug = district_slugs.get(district_name) or district_slugs.setdefault(
                    district_name, text.slugify(district_name))
                district = next((d for d in province.districts if d.slug == dslug), None)
                if district is None:
                    district = District(district_name, dslug)
                    province.districts.append(district)
                district.articles.append(article)
        for ref in filing.directives:
            term = directives.get(ref.id)
            if term is None:
                info = catalogue.get(ref.id) or DirectiveInfo(id=ref.id, title=ref.title)
                if catalogue and ref.id not in catalogue:
                    problems.warning(article.display, f"directive '{ref.id}' is not in the catalogue; its page shows only the number.")
                term = directives[ref.id] = DirectiveTerm(info, text.slugify(ref.id))
            if not term.articles or term.articles[-1] is not article:  # an id listed twice counts once
                term.articles.append(article)
            if ref.primary:
                term.primary_slugs.add(article.slug)
        if filing.year is not None:
            years.setdefault(filing.year, Year(filing.year)).articles.append(article)
        else:
            undated.append(article)

    for province in provinces.values():
        province.districts.sort(key=lambda d: text.fold(d.name))
        assert province.current is not None
        ckey = province_key(province.current)
        group = current.get(ckey)
        if group is None:
            group = current[ckey] = CurrentProvince(province.current, ckey, table.region_of_new.get(ckey))
        group.provinces.append(province)

    province_list = sorted(provinces.values(), key=lambda p: text.fold(p.name))
    current_list = sorted(current.values(), key=lambda c: text.fold(c.name))
    for group in current_list:
        group.provinces.sort(key=lambda p: text.fold(p.name))

    regions = [Region(key, names) for key, names in table.regions]
    by_key = {r.key: r for r in regions}
    other = Region("", {})
    for province in province_list:
        by_key.get(province.region or "", other).provinces.append(province)
    for group in current_list:
        by_key.get(group.region or "", other).current_provinces.append(group)
    regions = [r for r in regions if r.provinces or r.current_provinces]
    if other.provinces or other.current_provinces:
        regions.append(other)

    return Archive(
        articles=articles,
        provinces=province_list,
        current_provinces=current_list,
        regions=regions,
        directives=sorted(directives.values(), key=lambda d: _directive_order(d.id)),
        years=sorted(years.values(), key=lambda y: y.year, reverse=True),
        undated=undated,
    )


def _directive_order(directive_id: str) -> tuple[str, int, str]:
    """Kind, then number: 03-CT/TW, 05-CT/TW, 06-CT/TW before 01-KL/TW."""
    number, _, rest = directive_id.partition("-")
    kind = rest.split("/")[0]
    return (kind, int(number) if number.isdigit() else 0, directive_id)
