"""Score extraction against hand-made gold annotations: precision and recall per field.

Gold is a folder of YAML files (one per field group: places.yaml, dates.yaml, ...), each mapping
a seed's file name to that seed's true values; the groups are merged per seed. A field absent
from a seed's gold is not scored for that seed; a field present with `null` says "the text
supports no value", and extracting one there counts as a false positive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .extract import extract_file
from .problems import InputError
from .records import Record
from .text import fold, normalize_name

SCALAR_FIELDS = ("title", "published", "period_year", "province", "province_current", "district", "commune",
                 "byline", "source_tag", "section", "primary")
SET_FIELDS = ("directives", "local_documents", "captions", "subheadings", "people", "people_roles", "metrics")


@dataclass
class FieldScore:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    true_negative: int = 0  # gold null, extracted null
    mistakes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positive + self.false_negative
        return self.true_positive / expected if expected else 1.0


@dataclass
class Scores:
    fields: dict[str, FieldScore]
    seeds: list[str]
    fields_right: int = 0  # (article, field) pairs whose whole value is right
    fields_scored: int = 0

    @property
    def accuracy(self) -> float:
        return self.fields_right / self.fields_scored if self.fields_scored else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "seeds": self.seeds,
            "fields_right": self.fields_right,
            "fields_scored": self.fields_scored,
            "fields": {
                name: {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "tp": s.true_positive,
                       "fp": s.false_positive, "fn": s.false_negative, "tn": s.true_negative,
                       "mistakes": s.mistakes}
                for name, s in self.fields.items()
            },
        }


def load_gold(path: Path) -> dict[str, dict[str, Any]]:
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        raise InputError(path, "no gold files (*.yaml) found.")
    gold: dict[str, dict[str, Any]] = {}
    for file in files:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise InputError(file, "gold must map seed file names to their values.")
        for seed, values in data.items():
            if not isinstance(values, dict):
                raise InputError(file, f"the gold of {seed} must be a mapping of field: value.")
            gold.setdefault(str(seed), {}).update(values)
    return gold


def evaluate(gold_path: Path, seeds_dir: Path, root: Path) -> Scores:
    gold = load_gold(gold_path)
    fields_seen = [f for f in SCALAR_FIELDS + SET_FIELDS if any(_gold_has(g, f) for g in gold.values())]
    scores = {name: FieldScore() for name in fields_seen}
    right = scored = 0
    for seed in sorted(gold):
        record = extract_file(seeds_dir / seed, root)
        predicted = _predicted(record)
        for name in fields_seen:
            if not _gold_has(gold[seed], name):
                continue
            expected = _gold_value(gold[seed], name)
            if name in SCALAR_FIELDS:
                _score_scalar(scores[name], seed, expected, predicted[name])
            else:
                _score_set(scores[name], seed, expected, predicted[name])
            scored += 1
            right += expected == predicted[name]
    return Scores(scores, sorted(gold), right, scored)


def _gold_has(values: dict[str, Any], name: str) -> bool:
    return ("people" in values) if name == "people_roles" else name in values


def _gold_value(values: dict[str, Any], name: str) -> Any:
    if name == "people":
        return {_key(p["name"]) for p in values["people"] or []}
    if name == "people_roles":
        return {(_key(p["name"]), _key(p.get("role") or "")) for p in values["people"] or []}
    if name == "metrics":
        return {_metric_key(m.get("value"), m.get("total"), m.get("unit")) for m in values["metrics"] or []}
    if name in SET_FIELDS:
        return {_key(str(v)) for v in values[name] or []}
    value = values[name]
    if name == "published" and value is not None:
        return str(value)
    return _key(value) if isinstance(value, str) else value


def _predicted(record: Record) -> dict[str, Any]:
    primary = record.primary_directive
    return {
        "title": _key(record.title),
        "published": record.published,
        "period_year": record.period.year if record.period else None,
        "province": _key(record.province),
        "province_current": _key(record.province_current),
        "district": _key(record.district),
        "commune": _key(record.commune),
        "byline": _key(record.byline),
        "source_tag": _key(record.source_tag),
        "section": _key(record.section),
        "primary": _key(primary.id) if primary else None,
        "directives": {_key(d.id) for d in record.directives},
        "local_documents": {_key(d.id) for d in record.local_documents},
        "captions": {_key(c) for c in record.captions},
        "subheadings": {_key(s) for s in record.subheadings},
        "people": {_key(p.name) for p in record.people},
        "people_roles": {(_key(p.name), _key(p.role or "")) for p in record.people},
        "metrics": {_metric_key(m.value, m.total, m.unit) for m in record.metrics},
    }


def _key(value: str | None) -> str | None:
    """Compare names the way a reader would: one spelling, one case (Căng/Cang differ only in folding)."""
    return normalize_name(value).casefold() if value else None


def _metric_key(value: Any, total: Any, unit: Any) -> tuple[float | None, float | None, str]:
    as_number = (lambda v: None if v is None else round(float(v), 6))
    return as_number(value), as_number(total), fold(str(unit or "")).strip()


def _score_scalar(score: FieldScore, seed: str, expected: Any, got: Any) -> None:
    if expected is None and got is None:
        score.true_negative += 1
    elif expected == got:
        score.true_positive += 1
    else:
        if got is not None:
            score.false_positive += 1
        if expected is not None:
            score.false_negative += 1
        score.mistakes.append(f"{seed}: expected {expected!r}, got {got!r}")


def _score_set(score: FieldScore, seed: str, expected: set, got: set) -> None:
    score.true_positive += len(expected & got)
    score.false_positive += len(got - expected)
    score.false_negative += len(expected - got)
    for extra in sorted(got - expected, key=repr):
        score.mistakes.append(f"{seed}: unexpected {extra!r}")
    for missing in sorted(expected - got, key=repr):
        score.mistakes.append(f"{seed}: missing {missing!r}")


def format_scores(scores: Scores, verbose: bool = False) -> str:
    lines = [f"{len(scores.seeds)} articles scored; {scores.fields_right}/{scores.fields_scored} fields entirely "
             f"right ({scores.accuracy:.1%})", "",
             f"{'field':<18}{'precision':>10}{'recall':>8}{'tp':>5}{'fp':>5}{'fn':>5}{'tn':>5}"]
    for name, s in scores.fields.items():
        lines.append(f"{name:<18}{s.precision:>10.1%}{s.recall:>8.1%}{s.true_positive:>5}"
                     f"{s.false_positive:>5}{s.false_negative:>5}{s.true_negative:>5}")
    if verbose:
        for name, s in scores.fields.items():
            for mistake in s.mistakes:
                lines.append(f"  {name}: {mistake}")
    return "\n".join(lines)
