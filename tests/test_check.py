"""check lists what a careful editor would review, one finding per doubt, sorted by file."""

from __future__ import annotations

import random
from difflib import SequenceMatcher
from itertools import combinations
from pathlib import Path

import pytest

from newsarchive.article_file import format_article
from newsarchive.check import (BODY_SIMILARITY, TITLE_SIMILARITY, _fewest_letters_with, _jaccard, _shared_grams,
                               _Shingles, _similar_candidates, _title_pieces, check, format_findings, reported_years)
from newsarchive.config import default_config
from newsarchive.problems import Problems
from newsarchive.records import DirectiveRef, Period, Record

BODY = ("Năm 2022, huyện Yên Bình triển khai Chỉ thị 05-CT/TW của Bộ Chính trị tới toàn thể cán bộ, "
        "đảng viên và nhân dân trên địa bàn với nhiều mô hình hay, cách làm sáng tạo ở cơ sở.")


def record(slug: str, **values) -> Record:
    fields = {"source": f"seeds/{slug}.txt", "title": f"Bài {slug}", "slug": slug, "published": "2022-05-13",
              "province": "Yên Bái", "province_current": "Lào Cai", "district": "Yên Bình",
              "body": f"Năm 2022 bài {slug} kể về việc {slug} làm theo gương Bác.",
              "directives": [DirectiveRef("05-CT/TW", True, 1, ["Chỉ thị 05-CT/TW"])]}
    fields.update(values)
    return Record(**fields)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    records = [
        record("a-clean", body=BODY),
        record("b-no-place", province=None, province_current=None, district=None),
        record("c-no-date", published=None, period=Period(2022, True, "Năm 2022")),
        record("d-far-date", published="2016-06-01",
               body="Tổng kết năm 2022, giai đoạn 2021 - 2025, mục tiêu đến năm 2030 của tỉnh Yên Bái."),
        record("e-before-directive", published="2015-03-01", body="Hội nghị ngày 1/3/2015 đã diễn ra."),
        record("f-unknown", directives=[DirectiveRef("99-CT/TW", True, 2, ["Chỉ thị số 99-CT/TW"])]),
        record("g-no-directive", directives=[]),
        record("h-same-story", title="Bài A-CLEAN!", source="seeds/h.txt",
               body="Khác hẳn: một câu chuyện khác về nông thôn mới ở xã Phúc Ninh, huyện Yên Sơn."),
        record("i-copied-body", title="Một tiêu đề khác hẳn", body=BODY + " Thêm một câu."),
        record("a-clean", title="Tiêu đề riêng của bài j", source="seeds/j-slug.txt",
               body="Một bài hoàn toàn khác về phong trào thi đua yêu nước ở thành phố Yên Bái năm 2022."),
    ]
    (tmp_path / "articles").mkdir()
    (tmp_path / "seeds").mkdir()
    for item in records:
        name = "j-slug-collision" if item.source == "seeds/j-slug.txt" else item.slug
        (tmp_path / "articles" / f"{name}.md").write_text(format_article(item), encoding="utf-8")
        if item.slug != "e-before-directive":  # its seed is missing
            (tmp_path / item.source).write_text("raw", encoding="utf-8")
    return tmp_path


def test_findings_on_fixtures(project: Path) -> None:
    problems = Problems()
    findings = check(default_config(project), problems)
    assert problems.errors == []  # load only warns (slug renumbered, unknown directive, missing seed)
    got = [(f.file.removeprefix("articles/"), f.field, f.message.split(" (")[0].split(";")[0]) for f in findings]
    assert got == [
        ("a-clean.md", "title", "probably the same story as articles/h-same-story.md"),
        ("a-clean.md", "title", "probably the same story as articles/i-copied-body.md"),
        ("b-no-place.md", "province", "no province"),
        ("c-no-date.md", "published", "no publication date"),
        ("d-far-date.md", "published", "published in 2016, but the latest year the text reports on is 2022"),
        ("e-before-directive.md", "published", "2015-03-01 is before 05-CT/TW was issued"),
        ("e-before-directive.md", "source", "the source file seeds/e-before-directive.txt is missing"),
        ("f-unknown.md", "directives", "99-CT/TW is not in the catalogue of central documents"),
        ("g-no-directive.md", "directives", "no primary directive: no central directive is named"),
        ("h-same-story.md", "title", "probably the same story as articles/a-clean.md"),
        ("i-copied-body.md", "title", "probably the same story as articles/a-clean.md"),
        ("j-slug-collision.md", "slug", "slug 'a-clean' is already used by articles/a-clean.md"),
    ]
    by_file = {f.file: f for f in findings}
    assert "inferred from “Năm 2022”" in by_file["articles/c-no-date.md"].message
    assert "% of the text in common" in by_file["articles/i-copied-body.md"].message
    assert all(f.action for f in findings)


def test_output_is_deterministic(project: Path) -> None:
    first = format_findings(check(default_config(project), Problems()))
    assert first == format_findings(check(default_config(project), Problems()))
    assert first.endswith("12 finding(s) in 10 article(s).")


def test_reported_years_skip_terms_and_targets() -> None:
    years = [(m.year, m.target) for m in reported_years(
        "Giai đoạn 2021 - 2025, đến năm 2030, tháng 3/2019 và năm 2020, 2020,5 tấn; 80.000 đồng, 2.019 người")]
    assert years == [(2030, True), (2019, False), (2020, False)]


def test_damaged_lead_and_header_date_bar_are_listed(tmp_path: Path) -> None:
    damaged = record("k-damaged", published=None, period=None,
                     body="ới việc thực hiện Chỉ thị 05, tỉnh Hà Giang đã có nhiều cách làm hay.",
                     removed=["2: Thứ Hai, Tháng Ba 4, 2024 (thanh ngày tháng)", "9: Quảng cáo (quảng cáo)"])
    (tmp_path / "articles").mkdir()
    (tmp_path / "seeds").mkdir()
    (tmp_path / "articles" / "k-damaged.md").write_text(format_article(damaged), encoding="utf-8")
    (tmp_path / damaged.source).write_text("raw", encoding="utf-8")
    findings = check(default_config(tmp_path), Problems())
    messages = [(f.severity, f.field, f.message) for f in findings]
    assert ("warning", "body", "the first paragraph starts in lower case (“ới việc thực hiện Chỉ thị 05, …”): "
            "the scrape may have lost its first letters") in messages
    header = [m for m in messages if m[0] == "info"]
    assert len(header) == 1 and "“Thứ Hai, Tháng Ba 4, 2024” (line 2 of the seed)" in header[0][2]


def near_copies(rng: random.Random, text: str, count: int) -> list[str]:
    """`text` with a few letters or words changed, dropped or added, `count` times."""
    copies = []
    for _ in range(count):
        letters = list(text)
        for _ in range(rng.randrange(0, 4) if letters else 0):
            at = rng.randrange(len(letters))
            change = rng.randrange(3)
            if change == 0:
                letters[at] = rng.choice("abcdefgh ")
            elif change == 1:
                del letters[at]
            else:
                letters.insert(at, rng.choice("abcdefgh "))
        copies.append("".join(letters))
    return copies


def test_duplicate_candidates_include_every_similar_pair() -> None:
    """Only candidate pairs are compared: every pair the check would list must be among them."""
    rng = random.Random(6)
    words = [consonant + vowel for consonant in "bcdghklmnst" for vowel in "aeiouy"]
    titles, bodies = [], []
    for _ in range(40):
        title = " ".join(rng.choices(words, k=rng.randrange(1, 9)))
        body = " ".join(rng.choices(words, k=rng.randrange(0, 60)))
        for copy_title, copy_body in zip(near_copies(rng, title, 3), near_copies(rng, body, 3)):
            titles.append(copy_title if rng.random() < 0.7 else title)
            bodies.append(copy_body)
    titles += ["", "a", "a", "ab", "ba", "abc"]
    bodies += ["", "", "hoc tap", "hoc tap", "x", ""]
    shingles = list(map(_Shingles(), bodies))
    alike_titles = {(i, j) for i, j in combinations(range(len(titles)), 2)
                    if titles[i] and titles[j] and (titles[i] == titles[j] or
                                                    SequenceMatcher(None, titles[i], titles[j]).ratio() >= TITLE_SIMILARITY)}
    alike_bodies = {(i, j) for i, j in combinations(range(len(titles)), 2)
                    if _jaccard(shingles[i], shingles[j]) >= BODY_SIMILARITY}
    candidates = list(_similar_candidates(titles, _title_pieces(titles), shingles))
    assert [(i, j) for i, j, *_ in candidates] == sorted({(i, j) for i, j, *_ in candidates})
    assert alike_titles <= {(i, j) for i, j, by_title, _ in candidates if by_title}
    assert alike_bodies <= {(i, j) for i, j, _, by_body in candidates if by_body}
    similar = alike_titles | alike_bodies
    assert len(similar) > 50
    assert len(candidates) < len(titles) * (len(titles) - 1) / 2 / 5  # and most pairs are never compared


def test_titles_too_short_to_share_a_piece_are_alike_only_when_the_same() -> None:
    """_similar_candidates pairs such titles only with the same title: no other title reaches the ratio."""
    too_short = [n for n in range(1, 200) if _shared_grams(n + _fewest_letters_with(n)) <= 0]
    assert too_short == list(range(1, max(too_short) + 1))
    for letters in too_short:
        for other in range(1, 2 * letters + 2):
            best_ratio = 2 * min(letters, other) / (letters + other)  # every letter of the shorter one matched
            assert best_ratio < TITLE_SIMILARITY or other == letters  # and then they are the same
