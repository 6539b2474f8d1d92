"""Held-out articles: written for these tests in the genres and styles of sites the seeds do not
come from, annotated by hand in tests/data/heldout*/gold/. Nothing in src/ knows these texts.

* heldout/ (36 articles): menus, breadcrumbs, share bars, date bars, photo credits, districts and
  communes named alone, post-2025 communes, irregular directive numbers.
* heldout2/ (21 articles): a provincial party e-portal, a district portal with its left menu,
  national papers about one commune, a TV transcript with "PV:" lines, a Q&A interview, police and
  army units, a school's party cell, a numbered list of awarded collectives, English UI chrome,
  post-July-2025 communes with and without a date, "CT05"/"KL01" abbreviations. Its a-series (15)
  was scored before any rule was changed for it: 87.8% of fields right; its b-series (6), written
  after those fixes and scored before any further change: 97.1%.
* heldout3/ (17 articles): weighted to post-July-2025 articles, district- or commune-only articles,
  articles with no determinable province, irregular directive numbers ("CT 05", "số 05-CT/TƯ"). Its
  first 12 scored 95.1% of fields right before any change; the 5 written after the fixes, 98.8%.

Scores must not fall below the floors reached (per field, precision and recall), and the province
must never be confidently wrong: null is better than a wrong province.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from newsarchive.evaluate import evaluate, load_gold

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
FIELDS = ("title", "published", "period_year", "province", "province_current", "district", "commune",
          "byline", "source_tag", "primary", "directives", "local_documents", "captions",
          "subheadings", "people", "people_roles", "metrics")
GROUPS = ("clean", "dates", "places", "directives", "people", "metrics")
# Per batch: the fewest articles it may hold, and (precision, recall) floors where they are not 100%.
BATCHES: dict[str, tuple[int, dict[str, tuple[float, float]]]] = {
    "heldout": (36, {}),
    # a10: the school's commune is named once, in a chain; an untitled commune needs more mentions.
    "heldout2": (21, {"commune": (1.00, 0.85)}),
    "heldout3": (17, {}),  # post-2025 communes, lone districts/communes, null provinces, "CT 05"/"KL số 01"
}


@pytest.fixture(scope="module", params=sorted(BATCHES))
def batch(request, repo):
    folder = DATA / request.param
    return request.param, folder, evaluate(folder / "gold", folder, repo)


def test_every_article_is_annotated_in_every_group(batch) -> None:
    name, folder, _ = batch
    articles = sorted(p.name for p in folder.glob("*.txt"))
    assert len(articles) >= BATCHES[name][0]
    for group in GROUPS:
        annotated = yaml.safe_load((folder / "gold" / f"{group}.yaml").read_text("utf-8"))
        assert sorted(annotated) == articles, group
    assert sorted(load_gold(folder / "gold")) == articles


@pytest.mark.parametrize("field", FIELDS)
def test_field_scores_stay_at_their_floor(batch, field: str) -> None:
    name, _, scores = batch
    score = scores.fields[field]
    precision, recall = BATCHES[name][1].get(field, (1.0, 1.0))
    assert score.precision >= precision and score.recall >= recall, (
        f"{name} {field}: precision {score.precision:.1%}, recall {score.recall:.1%}", score.mistakes)


@pytest.mark.parametrize("field", ["province", "province_current"])
def test_no_province_is_ever_confidently_wrong(batch, field: str) -> None:
    score = batch[2].fields[field]
    assert score.false_positive == 0, score.mistakes
