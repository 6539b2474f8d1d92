"""Second held-out batch: articles written for this test in genres the first batch did not cover
(a provincial party e-portal, a district portal with its left menu, national papers about one
commune, a TV transcript with "PV:" lines, a Q&A interview, police and army units, a school's party
cell, a numbered list of awarded collectives, English UI chrome, post-July-2025 communes with and
without a date, "CT05"/"KL01" abbreviations), annotated by hand in tests/data/heldout2/gold/.

The a-series (15 articles) was scored before any rule was changed for it: 87.8% of fields right
(title, byline, published, people, metrics failing on chrome and classifiers). The b-series
(6 articles) was written after the fixes and scored before any further change: 97.1%. Nothing in
src/ knows these texts. Scores must not fall below the floors reached, and the province must never
be confidently wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from newsarchive.evaluate import evaluate, load_gold

REPO = Path(__file__).resolve().parents[1]
HELDOUT = REPO / "tests" / "data" / "heldout2"
GOLD = HELDOUT / "gold"

# Measured when the batch was last extended (21 articles), rounded down to a whole percent.
FLOORS: dict[str, tuple[float, float]] = {
    name: (1.00, 1.00)
    for name in ("title", "published", "period_year", "province", "province_current", "district",
                 "byline", "source_tag", "primary", "directives", "local_documents", "captions",
                 "subheadings", "people", "people_roles", "metrics")
}
# a10: the school's commune ("thị trấn Hưng Hà") is named once, in a chain; the rule that needs three
# mentions of an untitled commune keeps it out.
FLOORS["commune"] = (1.00, 0.85)
GROUPS = ("clean", "dates", "places", "directives", "people", "metrics")


@pytest.fixture(scope="module")
def scores():
    return evaluate(GOLD, HELDOUT, REPO)


def test_every_article_is_annotated_in_every_group() -> None:
    articles = sorted(p.name for p in HELDOUT.glob("*.txt"))
    assert len(articles) >= 15
    for group in GROUPS:
        annotated = yaml.safe_load((GOLD / f"{group}.yaml").read_text("utf-8"))
        assert sorted(annotated) == articles, group
    assert sorted(load_gold(GOLD)) == articles


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_field_scores_stay_at_their_floor(scores, name: str) -> None:
    score = scores.fields[name]
    precision, recall = FLOORS[name]
    assert score.precision >= precision and score.recall >= recall, (
        f"{name}: precision {score.precision:.1%}, recall {score.recall:.1%}", score.mistakes)


@pytest.mark.parametrize("name", ["province", "province_current"])
def test_no_province_is_ever_confidently_wrong(scores, name: str) -> None:
    score = scores.fields[name]
    assert score.false_positive == 0, score.mistakes
    assert score.precision == 1.0
