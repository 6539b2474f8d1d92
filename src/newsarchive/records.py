"""The typed records that pass between the pipeline's stages.

A `Record` is the contract of DESIGN.md: `newsarchive extract --json` prints `Record.to_dict()`,
and the front matter of `articles/<slug>.md` is the same mapping without `body`.
Every extracted value keeps `evidence`: the words of the article it was read from.
"""

from __future__ import annotations

import marshal
import operator
from dataclasses import dataclass, field
from typing import Any

LEVELS = ("province", "district", "commune", "village")


@dataclass
class Locality:
    """One place recognised in the text, resolved against the gazetteer."""

    name: str  # official bare name from the gazetteer ("Đắk Glei")
    level: str  # one of LEVELS
    code: str | None  # gazetteer code (None for villages, which the gazetteer lacks)
    evidence: str  # the words it was found from ("Huyện ủy Đăk Glei")
    kind: str = ""  # administrative type: "huyện", "thành phố", "xã", "phường", "thôn"...
    province: str | None = None  # the (pre-2025 or post-2025) province it lies in
    district: str | None = None  # the district it lies in, for communes and villages
    mentions: int = 1


@dataclass
class DirectiveRef:
    """A central party document the article refers to."""

    id: str  # canonical number, "05-CT/TW"
    primary: bool
    mentions: int
    evidence: list[str]  # the forms as written ("Chỉ thị số 05", "Chỉ thị số 05-CT/W")
    reason: str = ""  # why it is (or is not) the primary one
    title: str = ""  # official title from the catalogue, for convenience


@dataclass
class LocalDocument:
    """A provincial/district document number (56-CTr/TU, 72-KH/HU): recognised, never a directive."""

    id: str
    evidence: str


@dataclass
class Metric:
    """A figure that measures something."""

    text: str  # "2,6 tỷ đồng"
    value: float | int
    unit: str  # "đồng", "%", "chỉ tiêu"
    sentence: str
    total: float | int | None = None  # "30/30 chỉ tiêu" -> 30
    qualifier: str | None = None  # "trên", "hơn", "gần", "gấp"...


@dataclass
class Person:
    name: str
    role: str | None
    evidence: str


@dataclass
class Period:
    """The time the text supports when it states no publication date."""

    year: int
    inferred: bool
    evidence: str


@dataclass
class Record:
    source: str
    title: str
    slug: str
    published: str | None
    province: str | None
    province_current: str | None
    district: str | None
    body: str
    published_evidence: str | None = None
    period: Period | None = None
    province_evidence: str | None = None
    district_evidence: str | None = None
    commune: str | None = None
    commune_evidence: str | None = None
    localities: list[Locality] = field(default_factory=list)
    directives: list[DirectiveRef] = field(default_factory=list)
    local_documents: list[LocalDocument] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    byline: str | None = None  # the author as the site credits them
    source_tag: str | None = None  # "PLO", "Baonghean": the outlet's own tag before the lead
    section: str | None = None  # a section header above the title ("HUYỆN X"), as written
    subheadings: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # chrome lines dropped by the cleaner

    @property
    def primary_directive(self) -> DirectiveRef | None:
        return next((d for d in self.directives if d.primary), None)

    @property
    def year(self) -> int | None:
        if self.published:
            return int(self.published[:4])
        return self.period.year if self.period else None

    def to_dict(self) -> dict[str, Any]:
        """The contract mapping, keys in declaration order (stable output): what `asdict` gives,
        built directly because every nested record is flat (asdict's generic deep copy is slow)."""
        data = _plain(self)
        data["period"] = _plain(self.period) if self.period else None
        for name in ("localities", "directives", "local_documents", "metrics", "people"):
            data[name] = [_plain(item) for item in data[name]]
        return data

    def front_matter(self) -> dict[str, Any]:
        data = self.to_dict()
        del data["body"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        """Build a record from a validated mapping (see load.validate_front_matter)."""
        known = cls.__dataclass_fields__  # name -> field: cheaper than dataclasses.fields() on every record
        values = dict(data) if data.keys() <= known.keys() else {k: v for k, v in data.items() if k in known}
        values["localities"] = [Locality(**x) for x in data.get("localities") or []]
        values["directives"] = [DirectiveRef(**x) for x in data.get("directives") or []]
        values["local_documents"] = [LocalDocument(**x) for x in data.get("local_documents") or []]
        values["metrics"] = [Metric(**x) for x in data.get("metrics") or []]
        values["people"] = [Person(**x) for x in data.get("people") or []]
        period = data.get("period")
        values["period"] = Period(**period) if period else None
        return cls(**values)


def _plain(item: Any) -> dict[str, Any]:
    """A flat dataclass as a mapping, its lists copied."""
    values = item.__dict__
    return {name: (list(values[name]) if isinstance(values[name], list) else values[name])
            for name in item.__dataclass_fields__}


# --- packed: how the build cache keeps a record between the processes and builds that read it --

# A record packs into a list of its fields' values in declaration order, each nested record a tuple
# of its own; marshal writes that. Read back, it is three times faster than the same record
# unpickled (15 against 42 µs for an article of the benchmark's): pickle rebuilds each dataclass
# through its generic protocol, where this calls the constructors with the values in order. A
# build reads every record it renders twice, once for its page and once for the search index.
_NESTED_LISTS = {"localities": Locality, "directives": DirectiveRef, "local_documents": LocalDocument,
                 "metrics": Metric, "people": Person}
_FIELDS = {kind: tuple(kind.__dataclass_fields__) for kind in (Record, Period, *_NESTED_LISTS.values())}
_LIST_AT = [(_FIELDS[Record].index(name), kind, _FIELDS[kind]) for name, kind in _NESTED_LISTS.items()]
_PERIOD_AT = _FIELDS[Record].index("period")
# The values of a record's fields, and of each nested record's, as a tuple in declaration order (each kind has
# several fields: attrgetter of one name would give the value itself).
_VALUES_OF = {kind: operator.attrgetter(*names) for kind, names in _FIELDS.items()}
_VALUES_OF_LISTED = [(at, _VALUES_OF[kind]) for at, kind, _ in _LIST_AT]


def packed(record: Record) -> bytes:
    """The record as bytes that `unpacked` reads back equal. Marshal's format is the running
    Python's: the cache that keeps these is fingerprinted with the Python version."""
    values = list(_VALUES_OF[Record](record))
    for at, values_of in _VALUES_OF_LISTED:
        values[at] = list(map(values_of, values[at]))
    if values[_PERIOD_AT] is not None:
        values[_PERIOD_AT] = _VALUES_OF[Period](values[_PERIOD_AT])
    return marshal.dumps(values)


def unpacked(data: bytes) -> Record:
    """The record `packed` gave these bytes for. Bytes of anything else raise whatever marshal, the
    indexing or the constructors meet first (ValueError, EOFError, IndexError, TypeError)."""
    values = marshal.loads(data)
    for at, kind, _ in _LIST_AT:
        values[at] = [kind(*item) for item in values[at]]
    if values[_PERIOD_AT] is not None:
        values[_PERIOD_AT] = Period(*values[_PERIOD_AT])
    return Record(*values)
