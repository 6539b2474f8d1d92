import pytest

from newsarchive.evaluate import FieldScore, _score_scalar, _score_set, evaluate, format_scores, load_gold
from newsarchive.problems import InputError


def test_scalar_scoring_counts_wrong_values_as_both_false_positive_and_false_negative():
    score = FieldScore()
    _score_scalar(score, "a", "yên bái", "yên bái")
    _score_scalar(score, "b", None, None)
    _score_scalar(score, "c", "sơn la", "lai châu")
    _score_scalar(score, "d", None, "hà giang")
    _score_scalar(score, "e", "đồng tháp", None)
    assert (score.true_positive, score.false_positive, score.false_negative, score.true_negative) == (1, 2, 2, 1)
    assert score.precision == pytest.approx(1 / 3) and score.recall == pytest.approx(1 / 3)
    assert len(score.mistakes) == 3


def test_set_scoring():
    score = FieldScore()
    _score_set(score, "a", {"05-ct/tw", "04-nq/tw"}, {"05-ct/tw", "47-qđ/tw"})
    assert (score.true_positive, score.false_positive, score.false_negative) == (1, 1, 1)


def test_gold_groups_merge_per_seed(tmp_path):
    (tmp_path / "a.yaml").write_text("x.txt:\n  province: Sơn La\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("x.txt:\n  published: null\n", encoding="utf-8")
    assert load_gold(tmp_path) == {"x.txt": {"province": "Sơn La", "published": None}}


def test_gold_that_is_not_a_mapping_is_refused(tmp_path):
    (tmp_path / "a.yaml").write_text("- x.txt\n", encoding="utf-8")
    with pytest.raises(InputError, match="gold must map seed file names"):
        load_gold(tmp_path)


def test_the_seeds_score_perfectly_against_their_gold(repo):
    scores = evaluate(repo / "tests/data/gold", repo / "seeds", repo)
    assert len(scores.seeds) == 5
    imperfect = {name: s.mistakes for name, s in scores.fields.items() if s.precision < 1 or s.recall < 1}
    assert imperfect == {}, format_scores(scores, verbose=True)


def test_accuracy_counts_whole_fields_per_article(tmp_path, repo):
    """One wrong value in one article's field costs exactly one field of the total."""
    seed = "004_451a73f3093e629b.txt"
    (tmp_path / "g.yaml").write_text(f"{seed}:\n  province: Lai Châu\n  published: '2022-05-13T12:35:00+07:00'\n",
                                     encoding="utf-8")
    scores = evaluate(tmp_path, repo / "seeds", repo)
    assert (scores.fields_right, scores.fields_scored) == (1, 2)
    assert "1/2 fields entirely right (50.0%)" in format_scores(scores)
