"""Hostile and broken input: every bad file gives one exact message, and the rest of the archive goes on.

Fixtures live in tests/data/hostile/: `articles/` (records load must refuse), `seeds/` (raw files ingest
must refuse, or convert from a legacy Vietnamese encoding with a warning), `expected.yaml` (the message
each one must produce).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

from newsarchive import decode
from newsarchive.article_file import split_article
from newsarchive.cli import main
from newsarchive.config import default_config
from newsarchive.ingest import ingest
from newsarchive.load import load_archive, read_record
from newsarchive.problems import InputError, Problems
from newsarchive.text import slugify

HOSTILE = Path(__file__).parent / "data" / "hostile"
EXPECTED: dict[str, str] = yaml.safe_load((HOSTILE / "expected.yaml").read_text("utf-8"))
ARTICLE_CASES = sorted(k for k in EXPECTED if k.startswith("articles/"))
SEED_CASES = sorted(k for k in EXPECTED if k.startswith("seeds/"))
FINE_SEED = "bom-crlf-nfd.txt"  # a BOM, CRLF line ends and NFD text: nothing to report
GOOD = """---
source: seeds/a.txt
title: Bài thử
slug: bai-thu
published: 2022-05-13
province: Yên Bái
province_current: Lào Cai
district: Yên Bình
---

Thân bài.
"""


def test_every_fixture_has_an_expected_message() -> None:
    files = {f"articles/{p.name}" for p in (HOSTILE / "articles").iterdir()}
    files |= {f"seeds/{p.name}" for p in (HOSTILE / "seeds").iterdir() if p.name != FINE_SEED}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", ARTICLE_CASES)
def test_hostile_record_gives_its_exact_message(name: str) -> None:
    problems = Problems()
    assert read_record(HOSTILE / name, name, problems) is None
    assert [str(p) for p in problems.items] == [EXPECTED[name]]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Problems]:
    """Every hostile seed ingested with the real extractor, once."""
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(HOSTILE / "seeds", root / "seeds")
    problems = Problems()
    ingest(default_config(root), problems)
    return root, problems


def test_each_hostile_seed_gives_one_exact_message(ingested: tuple[Path, Problems]) -> None:
    _, problems = ingested
    assert sorted(str(p) for p in problems.items) == sorted(EXPECTED[name] for name in SEED_CASES)


def test_seeds_in_legacy_encodings_read_the_same_as_unicode(ingested: tuple[Path, Problems]) -> None:
    root, _ = ingested
    records = {}
    for path in sorted((root / "articles").glob("*.md")):
        front = yaml.safe_load(split_article(path.read_text("utf-8")).front_matter)
        records[front["source"]] = (front["title"], split_article(path.read_text("utf-8")).body)
    assert sorted(records) == ["seeds/bom-crlf-nfd.txt", "seeds/tcvn3.txt", "seeds/vni-copied-as-utf8.txt",
                               "seeds/vni.txt", "seeds/windows-1258.txt"]
    title, body = records.pop("seeds/bom-crlf-nfd.txt")
    assert title == unicodedata.normalize("NFC", title) == "Yên Bái: Học tập và làm theo Bác ở huyện Yên Bình"
    assert "\r" not in body and "\ufeff" not in title
    for source, converted in records.items():
        assert converted == (title, body), source


def test_the_rest_of_the_archive_builds_and_strict_fails_on_warnings(tmp_path: Path, repo: Path) -> None:
    for name in ("templates", "static"):
        shutil.copytree(repo / name, tmp_path / name)
    shutil.copytree(HOSTILE / "articles", tmp_path / "articles")
    (tmp_path / "articles" / "good.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text("Bài thử\n\nThân bài.\n", encoding="utf-8")
    problems = Problems()
    archive = load_archive(default_config(tmp_path), problems)
    assert [a.slug for a in archive.articles] == ["bai-thu"]
    assert sorted(str(p) for p in problems.errors) == [EXPECTED[name] for name in ARTICLE_CASES]
    assert main(["-c", str(tmp_path / "site.yaml"), "build"]) == 1  # errors fail the build...
    assert (tmp_path / "site" / "articles" / "bai-thu.html").is_file()  # ...after building what is good

    seeds_only = tmp_path / "legacy"
    (seeds_only / "seeds").mkdir(parents=True)
    shutil.copy(HOSTILE / "seeds" / "vni.txt", seeds_only / "seeds")
    config = ["-c", str(seeds_only / "site.yaml")]
    assert main([*config, "ingest"]) == 0  # a converted seed is a warning...
    assert main([*config, "ingest", "--strict"]) == 1  # ...which --strict turns into a failure


def test_a_50_mb_single_line_is_refused_with_a_message(tmp_path: Path) -> None:
    seed = tmp_path / "huge.txt"
    seed.write_bytes(b"Tin tuc " * (50 * 1024 * 1024 // 8))
    with pytest.raises(InputError, match=r"huge.txt: error: the file is 51200 KiB, far more than one article"):
        decode.decode_seed(seed)
    article = tmp_path / "huge.md"
    article.write_bytes(GOOD.encode() + b"x" * (50 * 1024 * 1024))
    problems = Problems()
    assert read_record(article, "articles/huge.md", problems) is None
    assert [str(p) for p in problems.items] == [(
        "articles/huge.md: error: the file is 51200 KiB, far more than one article (the limit is 4096 KiB). "
        "Split it, or remove what does not belong.")]


# --- the legacy tables, against text written by hand from the encodings' definitions ---------------

@pytest.mark.parametrize(("legacy", "unicode"), [
    ("Vieät Nam", "Việt Nam"),
    ("Ñaûng Coäng saûn Vieät Nam", "Đảng Cộng sản Việt Nam"),
    ("Nöôùc", "Nước"),
    ("Hoà Chí Minh", "Hồ Chí Minh"),
    ("Chæ thò soá 05", "Chỉ thị số 05"),
    ("NGÖÔØI DAÂN ÑOÀNG TÌNH", "NGƯỜI DÂN ĐỒNG TÌNH"),
    ("naêm, baét, kyû, mî", "năm, bắt, kỷ, mỵ"),
])
def test_vni_known_answers(legacy: str, unicode: str) -> None:
    assert decode.vni_to_unicode(legacy) == (unicode, 0)


@pytest.mark.parametrize(("legacy", "unicode"), [
    ("ViÖt Nam", "Việt Nam"),
    ("§¶ng Céng s¶n ViÖt Nam", "Đảng Cộng sản Việt Nam"),
    ("N\xadíc", "Nước"),  # ư is byte 0xAD, the soft hyphen in Latin-1
    ("Hå ChÝ Minh", "Hồ Chí Minh"),
    ("ChØ thÞ sè 05", "Chỉ thị số 05"),
])
def test_tcvn3_known_answers(legacy: str, unicode: str) -> None:
    assert decode.tcvn3_to_unicode(legacy) == unicode


def test_every_vietnamese_letter_round_trips_through_vni_and_tcvn3() -> None:
    letters = sorted(decode.VIETNAMESE_LETTERS)
    vni_of = {letter: legacy for legacy, letter in decode.VNI.items()}
    assert set(vni_of) == set(letters)  # each letter has exactly one VNI spelling
    assert len(vni_of) == len(decode.VNI)
    for letter in letters:
        assert decode.vni_to_unicode(vni_of[letter]) == (letter, 0)
    # TCVN3 has one byte per lower-case letter and only the seven capitals without tones.
    tcvn3_of = {letter: legacy for legacy, letter in decode.TCVN3.items()}
    assert len(tcvn3_of) == len(decode.TCVN3) == 67 + 7
    assert {c for c in letters if c.islower()} <= set(tcvn3_of)
    assert {c for c in tcvn3_of if c.isupper()} == set("ĂÂÊÔƠƯĐ")
    assert all(0xA1 <= ord(byte) <= 0xFE for byte in decode.TCVN3)
    for letter, byte in tcvn3_of.items():
        assert decode.tcvn3_to_unicode(byte) == letter


def test_latin_text_is_not_taken_for_vietnamese() -> None:
    french = "Le café de l'été: élève, à côté, déjà vu, naïve, où, très, fenêtre.\n".encode("latin-1")
    with pytest.raises(InputError, match="not valid UTF-8"):
        decode.decode_bytes(french * 20, "seeds/fr.txt")
    german = "Größe und Übermaß, schön und müde.\n"
    assert decode.decode_bytes((german * 20).encode("utf-8"), "seeds/de.txt").text == german * 20


@pytest.mark.parametrize("title", ["CON", "nul", "Index", "../../etc/passwd", "/etc/passwd", ".htaccess",
                                   "C:\\Windows\\system32", "🙂🙂", "Đ" * 600, "a " * 400])
def test_slugs_from_hostile_titles_are_safe_file_names(title: str) -> None:
    slug = slugify(title)
    assert slug and len(slug.encode()) <= 200
    assert slug not in {"con", "nul", "index", "aux", "prn"} and not slug.startswith(".")
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in slug)


def test_slug_collisions_resolve_the_same_whatever_the_creation_order(tmp_path: Path) -> None:
    results = []
    for order in ("forward", "backward"):
        root = tmp_path / order
        (root / "articles").mkdir(parents=True)
        names = ["a.md", "b.md", "c.md", "d.md"]
        for number, name in enumerate(names if order == "forward" else reversed(names)):
            slug = "bai-thu-2" if name == "c.md" else "bai-thu"
            path = root / "articles" / name
            path.write_text(GOOD.replace("slug: bai-thu", f"slug: {slug}"), encoding="utf-8")
            os.utime(path, (1_000_000_000 + number, 1_000_000_000 + number))
        archive = load_archive(default_config(root), Problems())
        results.append(sorted((Path(a.file).name, a.slug) for a in archive.articles))
    assert results[0] == results[1] == [("a.md", "bai-thu"), ("b.md", "bai-thu-2"), ("c.md", "bai-thu-2-2"),
                                        ("d.md", "bai-thu-3")]


def test_titles_that_name_paths_or_devices_give_plain_article_files(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    text = "\n\nThực hiện Chỉ thị số 05-CT/TW, huyện Yên Bình có nhiều mô hình hay trong năm 2022.\n"
    long_title = "Đồng Tháp " * 40
    for number, title in enumerate(["CON", "../../etc/passwd", "/tmp/x", "Index", ".htaccess", long_title]):
        (tmp_path / "seeds" / f"{number}.txt").write_text(title + text, encoding="utf-8")
    problems = Problems()
    report = ingest(default_config(tmp_path), problems)
    assert not problems.errors and len(report.written) == 6
    names = sorted(p.name for p in (tmp_path / "articles").glob("*.md"))
    assert names == sorted(["con-1.md", "etc-passwd.md", "tmp-x.md", "index-1.md", "htaccess.md",
                            slugify(long_title) + ".md"])
    assert len(slugify(long_title)) <= 80
    assert sorted(p.name for p in tmp_path.iterdir()) == ["articles", "seeds"]  # nothing written elsewhere


def test_a_long_word_in_a_title_does_not_stall_extraction() -> None:
    script = ("from newsarchive.extract import extract; "
              "extract('Đ' * 200 + '\\n\\nThực hiện Chỉ thị số 05-CT/TW ở huyện Yên Bình.\\n', 'x')")
    try:
        subprocess.run([sys.executable, "-c", script], timeout=8, check=True)
    except subprocess.TimeoutExpired:
        pytest.fail("extracting a title of one 200-letter word took more than 8 s")
