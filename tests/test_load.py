"""load: every record validated, one clear message per bad file, taxonomies sorted and merged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from newsarchive.config import default_config
from newsarchive.load import load_archive, province_key, read_record, region_table
from newsarchive.problems import Problems

DATA = Path(__file__).parent / "data"
INVALID = DATA / "invalid"
EXPECTED = yaml.safe_load((INVALID / "expected.yaml").read_text("utf-8"))
GOOD = """---
source: seeds/a.txt
title: Bài thử
slug: {slug}
published: {published}
province: {province}
province_current: {current}
district: {district}
directives:
- id: 05-CT/TW
  primary: true
  evidence: Chỉ thị số 05
localities:
- name: Yên Bái
  level: province
  code: 15
---

Thân bài.
"""


def write(folder: Path, name: str, slug: str = "bai-thu", published: str = "2022-05-13", province: str = "Yên Bái",
          current: str = "Lào Cai", district: str = "Yên Bình") -> Path:
    path = folder / name
    path.write_text(GOOD.format(slug=slug, published=published, province=province, current=current,
                                district=district), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_record_gives_its_exact_message(name: str) -> None:
    problems = Problems()
    record = read_record(INVALID / name, f"articles/{name}", problems)
    assert record is None
    assert [str(p) for p in problems.items] == [EXPECTED[name]]


def test_every_invalid_fixture_has_an_expected_message() -> None:
    assert sorted(p.name for p in INVALID.glob("*.md")) == sorted(EXPECTED)


def test_natural_yaml_forms_are_accepted(tmp_path: Path) -> None:
    """Dates YAML reads as dates, numbers where text is expected, one string for a list."""
    problems = Problems()
    record = read_record(write(tmp_path, "a.md"), "articles/a.md", problems)
    assert record is not None and not problems
    assert record.published == "2022-05-13"
    assert record.localities[0].code == "15"
    assert record.directives[0].evidence == ["Chỉ thị số 05"]
    assert record.directives[0].mentions == 1
    assert record.body == "Thân bài."


def test_timestamp_keeps_its_offset(tmp_path: Path) -> None:
    problems = Problems()
    record = read_record(write(tmp_path, "a.md", published="2022-05-13T12:35:00+07:00"), "a.md", problems)
    assert record is not None and record.published == "2022-05-13T12:35:00+07:00"


def test_unknown_top_level_key_is_a_warning_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a.md")
    path.write_text(path.read_text("utf-8").replace("district:", "provnce: Yên Bái\ndistrict:"), "utf-8")
    problems = Problems()
    assert read_record(path, "articles/a.md", problems) is not None
    assert [str(p) for p in problems.items] == ["articles/a.md:8: warning: unknown key 'provnce' is ignored."]


def _config(tmp_path: Path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text("raw", "utf-8")
    return default_config(tmp_path)


def test_bad_file_is_skipped_and_the_rest_loads(tmp_path: Path) -> None:
    config = _config(tmp_path)
    write(tmp_path / "articles", "good.md")
    shutil.copy(INVALID / "bad-date.md", tmp_path / "articles" / "bad-date.md")
    problems = Problems()
    archive = load_archive(config, problems)
    assert [a.slug for a in archive.articles] == ["bai-thu"]
    assert [str(p) for p in problems.errors] == [EXPECTED["bad-date.md"]]


def test_taxonomies_are_sorted_and_merge_spellings(tmp_path: Path) -> None:
    config = _config(tmp_path)
    articles = tmp_path / "articles"
    write(articles, "a.md", slug="a", published="2021-01-02", province="Hoà Bình", current="Phú Thọ", district="Mai Châu")
    write(articles, "b.md", slug="b", published="2023-03-04", province="Hòa Bình", current="Phú Thọ", district="Mai Châu")
    write(articles, "c.md", slug="c", published="2023-03-04", province="Yên Bái", current="Lào Cai")
    write(articles, "d.md", slug="d", published="null", province="Đồng Tháp", current="Đồng Tháp")
    problems = Problems()
    archive = load_archive(config, problems)
    assert not problems.errors
    assert [a.slug for a in archive.articles] == ["b", "c", "a", "d"]  # newest first, ties by slug
    assert [(p.slug, p.name, len(p.articles)) for p in archive.provinces] == [
        ("dong-thap", "Đồng Tháp", 1), ("hoa-binh", "Hòa Bình", 2), ("yen-bai", "Yên Bái", 1)]
    assert [(d.slug, len(d.articles)) for d in archive.provinces[1].districts] == [("mai-chau", 2)]
    assert [y.year for y in archive.years] == [2023, 2021]
    assert [a.slug for a in archive.undated] == ["d"]
    assert [(c.name, [p.name for p in c.provinces]) for c in archive.current_provinces] == [
        ("Đồng Tháp", ["Đồng Tháp"]), ("Lào Cai", ["Yên Bái"]), ("Phú Thọ", ["Hòa Bình"])]
    assert [r.key for r in archive.regions] == [
        "trung-du-mien-nui-phia-bac", "dong-bang-song-cuu-long"]
    term = archive.directives[0]
    assert (term.slug, term.info.issuer, term.info.date) == ("05-ct-tw", "Bộ Chính trị", "2016-05-15")


def test_colliding_slugs_are_numbered_not_overwritten(tmp_path: Path) -> None:
    config = _config(tmp_path)
    write(tmp_path / "articles", "a.md", slug="bai-thu")
    write(tmp_path / "articles", "b.md", slug="bai-thu")
    problems = Problems()
    archive = load_archive(config, problems)
    assert sorted(a.slug for a in archive.articles) == ["bai-thu", "bai-thu-2"]
    assert [str(p) for p in problems.warnings] == [
        "articles/b.md:4: warning: slug 'bai-thu' is already used by articles/a.md; this article is published "
        "as 'bai-thu-2'. Give it a slug of its own."]


def test_source_outside_the_project_is_not_published(tmp_path: Path) -> None:
    config = _config(tmp_path)
    path = write(tmp_path / "articles", "a.md")
    path.write_text(path.read_text("utf-8").replace("seeds/a.txt", "../../etc/passwd"), "utf-8")
    problems = Problems()
    archive = load_archive(config, problems)
    assert archive.articles[0].source_file is None
    assert "lies outside the project" in str(problems.warnings[0])


def test_region_table_covers_63_and_34_provinces() -> None:
    table = region_table()
    assert len(table.region_of_old) == 63 and len(table.region_of_new) == 34
    assert set(table.merged_into) <= set(table.region_of_old)
    assert {province_key(n) for n in table.merged_into.values()} <= set(table.region_of_new)
    assert province_key("Thành phố Huế") == province_key("Huế") == "hue"
