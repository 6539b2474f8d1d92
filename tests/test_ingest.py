"""ingest keeps hand edits: a three-way merge of last extraction, the file now, and the new extraction."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from newsarchive.article_file import split_article
from newsarchive.config import default_config
from newsarchive.ingest import STATE_FILE, ingest
from newsarchive.problems import InputError, Problems
from newsarchive.records import Record
from newsarchive.text import slugify

FIXTURES = Path(__file__).parent / "data" / "ingest"


def fake_extract(path: Path, root: Path) -> Record:
    """A stand-in extractor: line 1 is the title, `key: value` lines set fields, the rest is the body."""
    raw = path.read_bytes()
    if raw.startswith(b"\xff"):
        raise InputError(path.name, "not text")
    lines = raw.decode("utf-8").splitlines()
    fields = dict(line.split(": ", 1) for line in lines[1:] if line.startswith(("province: ", "published: ")))
    body = "\n".join(line for line in lines[1:] if not line.startswith(("province: ", "published: "))).strip()
    return Record(source=path.relative_to(root).as_posix(), title=lines[0], slug=slugify(lines[0]),
                  published=fields.get("published"), province=fields.get("province"),
                  province_current=fields.get("province"), district=None, body=body)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "seeds", tmp_path / "seeds")
    return tmp_path


def run(project: Path) -> tuple:
    problems = Problems()
    report = ingest(default_config(project), problems, extract=fake_extract)
    return report, problems


def read(path: Path) -> tuple[dict, str]:
    parts = split_article(path.read_text(encoding="utf-8"))
    assert parts is not None
    return yaml.safe_load(parts.front_matter), parts.body


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_first_run_writes_one_article_per_seed_and_resolves_slug_collisions(project: Path) -> None:
    report, problems = run(project)
    names = sorted(p.name for p in (project / "articles").glob("*.md"))
    assert names == ["hoi-nghi-so-ket-chi-thi-05-b-trung.md", "hoi-nghi-so-ket-chi-thi-05.md",
                     "mo-hinh-dan-van-kheo.md"]
    front, _ = read(project / "articles" / "hoi-nghi-so-ket-chi-thi-05-b-trung.md")
    assert front["source"] == "seeds/b_trung.txt"
    assert front["slug"] == "hoi-nghi-so-ket-chi-thi-05-b-trung"
    assert [str(p) for p in problems.items] == [
        "b_nhi_phan.txt: error: not text"]  # the undecodable seed is named, the others go on
    assert len(report.written) == 3


def test_rerun_without_changes_writes_nothing(project: Path) -> None:
    run(project)
    before = {p.name: p.read_bytes() for p in (project / "articles").iterdir()}
    report, _ = run(project)
    assert report.written == [] and len(report.unchanged) == 3
    assert {p.name: p.read_bytes() for p in (project / "articles").iterdir()} == before


def test_hand_edits_survive_and_untouched_fields_refresh(project: Path) -> None:
    run(project)
    article = project / "articles" / "mo-hinh-dan-van-kheo.md"
    edit(article, "province: Yên Bái", "province: Lào Cai")  # front-matter field
    edit(article, "Bà con góp công", "Bà con đã góp công")  # body
    # The seed changes a field nobody touched.
    edit(project / "seeds" / "a_yen_bai.txt", "published: 2021-03-04", "published: 2021-03-05")

    report, problems = run(project)
    front, body = read(article)
    assert front["province"] == "Lào Cai"
    assert "Bà con đã góp công" in body
    assert front["published"] == "2021-03-05"  # refreshed
    assert report.kept_edits == ["articles/mo-hinh-dan-van-kheo.md: province, body"]
    assert report.conflicts == []  # the seed changed, but not under an edit
    assert not problems.errors[1:]


def test_seed_changed_under_an_edit_is_a_conflict_and_the_edit_stays(project: Path) -> None:
    run(project)
    article = project / "articles" / "mo-hinh-dan-van-kheo.md"
    edit(article, "province: Yên Bái", "province: Lào Cai")
    edit(project / "seeds" / "a_yen_bai.txt", "province: Yên Bái", "province: Phú Thọ")

    report, _ = run(project)
    assert read(article)[0]["province"] == "Lào Cai"
    assert len(report.conflicts) == 1
    message = str(report.conflicts[0])
    assert "articles/mo-hinh-dan-van-kheo.md" in message and "seeds/a_yen_bai.txt" in message
    assert report.conflicts[0].fields == ["province"]
    # Reported once: the state now remembers the new extraction, and the edit is still kept.
    again, _ = run(project)
    assert again.conflicts == [] and read(article)[0]["province"] == "Lào Cai"


def test_title_edit_keeps_the_mapping_and_the_file_name(project: Path) -> None:
    run(project)
    article = project / "articles" / "mo-hinh-dan-van-kheo.md"
    edit(article, "title: Mô hình dân vận khéo", "title: Mô hình “dân vận khéo” ở Yên Bình")
    renamed = article.with_name("dan-van-kheo-yen-binh.md")
    article.rename(renamed)  # an editor may rename the file too: the source key still finds it
    edit(project / "seeds" / "a_yen_bai.txt", "Bà con góp công", "Bà con góp công sức")
    report, _ = run(project)
    front, body = read(renamed)
    assert front["title"] == "Mô hình “dân vận khéo” ở Yên Bình"
    assert "góp công sức" in body
    assert not article.exists() and report.deleted == []


def test_deleted_article_is_reported_not_resurrected(project: Path) -> None:
    run(project)
    article = project / "articles" / "mo-hinh-dan-van-kheo.md"
    article.unlink()
    report, _ = run(project)
    assert not article.exists()
    assert report.deleted == ["articles/mo-hinh-dan-van-kheo.md"]
    restored = ingest(default_config(project), Problems(), extract=fake_extract, restore_deleted=True)
    assert article.exists() and restored.written == ["articles/mo-hinh-dan-van-kheo.md"]


def test_state_file_is_deterministic_and_sorted(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    run(project)
    state = (project / "articles" / STATE_FILE).read_text(encoding="utf-8")
    other = tmp_path_factory.mktemp("other")
    shutil.copytree(FIXTURES / "seeds", other / "seeds")
    run(other)
    assert (other / "articles" / STATE_FILE).read_text(encoding="utf-8") == state
    data = json.loads(state)
    assert list(data["articles"]) == sorted(data["articles"])
    assert data["articles"]["seeds/b_trung.txt"]["article"] == "hoi-nghi-so-ket-chi-thi-05-b-trung.md"
    assert not list((project / "articles").glob(".*.tmp"))  # atomic writes leave no temp files


def test_unknown_file_with_the_same_source_is_not_overwritten(project: Path) -> None:
    articles = project / "articles"
    articles.mkdir()
    hand_made = articles / "viet-tay.md"
    hand_made.write_text("---\nsource: seeds/a_yen_bai.txt\ntitle: Viết tay\n---\n\nNội dung.\n", encoding="utf-8")
    _, problems = run(project)
    assert hand_made.read_text(encoding="utf-8").startswith("---\nsource: seeds/a_yen_bai.txt\ntitle: Viết tay")
    assert any("viet-tay.md" in str(p) and "no record" in p.message for p in problems.warnings)
    assert not (articles / "mo-hinh-dan-van-kheo.md").exists()


def test_broken_article_is_left_untouched(project: Path) -> None:
    run(project)
    article = project / "articles" / "mo-hinh-dan-van-kheo.md"
    article.write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    _, problems = run(project)
    assert article.read_text(encoding="utf-8") == "---\ntitle: [unclosed\n---\nbody\n"
    assert any("mo-hinh-dan-van-kheo.md" in str(p) for p in problems.warnings)


def test_real_seeds_keep_hand_edits(repo: Path, tmp_path: Path) -> None:
    shutil.copytree(repo / "seeds", tmp_path / "seeds")
    config = default_config(tmp_path)
    first = ingest(config, Problems())
    assert len(first.written) == 5
    state = (tmp_path / "articles" / STATE_FILE).read_bytes()
    article = tmp_path / "articles" / "son-la-nhieu-mo-hinh-hay-sang-tao-trong-hoc-tap-va-lam-theo-bac.md"
    front, body = read(article)
    edit(article, f"\ndistrict: {front['district'] or 'null'}\n", "\ndistrict: Mộc Châu\n")  # the top-level key
    first_paragraph = body.split("\n\n")[0]
    edit(article, first_paragraph, first_paragraph + " (Biên tập viên bổ sung.)")

    again = ingest(config, Problems())
    front, body = read(article)
    assert front["district"] == "Mộc Châu" and "(Biên tập viên bổ sung.)" in body
    assert again.kept_edits == [f"articles/{article.name}: district, body"]
    assert len(again.unchanged) == 5 and again.conflicts == []
    assert (tmp_path / "articles" / STATE_FILE).read_bytes() == state  # nothing ingest wrote changed
