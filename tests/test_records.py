"""The record contract's mapping: to_dict is asdict's answer, only faster; a record packed for the cache unpacks equal."""

from __future__ import annotations

import marshal
from dataclasses import asdict
from pathlib import Path

import pytest

from newsarchive.load import read_record
from newsarchive.problems import Problems
from newsarchive.records import Record, packed, unpacked

REPO = Path(__file__).resolve().parents[1]


def test_to_dict_is_what_asdict_gives_for_every_record_in_the_repository() -> None:
    files = sorted(REPO.glob("articles/*.md")) + sorted(REPO.glob("tests/data/**/articles/*.md"))
    assert len(files) >= 5
    for path in files:
        record = read_record(path, path.name, Problems())
        if record is None:
            continue
        data = record.to_dict()
        assert data == asdict(record)
        assert list(data) == list(asdict(record))  # key order is the output order
        data["directives"].clear(), data["captions"].clear()  # a copy: the record is not changed through it
        assert record.to_dict() == asdict(record)


def test_from_dict_leaves_out_keys_that_are_not_fields() -> None:
    record = read_record(min(REPO.glob("articles/*.md")), "a.md", Problems())
    assert record is not None
    data = record.to_dict()
    assert Record.from_dict({**data, "editor_note": "x"}) == Record.from_dict(data) == record


def test_a_packed_record_unpacks_equal_for_every_record_in_the_repository() -> None:
    files = sorted(REPO.glob("articles/*.md")) + sorted(REPO.glob("tests/data/**/articles/*.md"))
    kinds_met = set()
    for path in files:
        record = read_record(path, path.name, Problems())
        if record is None:
            continue
        back = unpacked(packed(record))
        assert back == record
        assert type(back.localities) is list and all(type(d.evidence) is list for d in back.directives)
        kinds_met |= {name for name in ("period", "localities", "directives", "metrics", "people")
                      if getattr(record, name)}
    assert kinds_met == {"period", "localities", "directives", "metrics", "people"}  # every nested kind was tried


def test_packed_bytes_of_something_else_do_not_unpack() -> None:
    record = read_record(min(REPO.glob("articles/*.md")), "a.md", Problems())
    data = packed(record)
    for damaged in (data[:len(data) // 2], b"", marshal.dumps(["too", "few", "fields"])):
        with pytest.raises((ValueError, EOFError, IndexError, TypeError)):
            unpacked(damaged)
