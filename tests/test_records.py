"""The record contract's mapping: to_dict is asdict's answer, only faster."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from newsarchive.load import read_record
from newsarchive.problems import Problems
from newsarchive.records import Record

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
