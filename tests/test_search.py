"""The search index: folding, tokenizing, tone signatures, encoding, sharding, determinism."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from newsarchive import search
from newsarchive.search import SearchDoc, write_index
from newsarchive.text import fold


def doc(url: str, title: str, text: str, **kw) -> SearchDoc:
    base = {"date": "1/1/2022", "year": 2022, "province": "Đồng Tháp", "province_current": "Đồng Tháp",
                "district": None, "directives": [], "directive_names": []}
    base.update(kw)
    return SearchDoc(url=url, title=title, text=text, **base)


DOCS = [
    doc("articles/a.html", "Học tập và làm theo Bác", "Cán bộ làm theo Bác mỗi ngày.",
        directives=["05-CT/TW"], directive_names=["Về đẩy mạnh học tập và làm theo tư tưởng"]),
    doc("articles/b.html", "Bạc Liêu phía bắc", "Đồ bạc và gió bắc.", province="Bạc Liêu",
        province_current="Cà Mau", year=2019),
    doc("articles/c.html", "Uỷ ban nhân dân xã", "Uỷ ban họp.", province="Yên Bái",
        province_current="Lào Cai", district="Yên Bình"),
    doc("articles/d.html", "Ủy ban nhân dân huyện", "Ủy ban họp.", year=None),
]


def load_script(path: Path) -> tuple[str, object, object]:
    text = path.read_text(encoding="utf-8")
    m = re.fullmatch(r"newsarchiveSearch\((.*)\);\n", text, re.DOTALL)
    assert m, path
    kind, key, data = json.loads("[" + m.group(1) + "]")
    return kind, key, data


def read_index(root: Path) -> dict:
    meta = load_script(root / "search" / "meta.js")[2]
    terms = {}
    for key in meta["shards"]:
        terms.update(load_script(root / "search" / "t" / f"{search.file_name(key)}.js")[2])
    return {"meta": meta, "terms": terms}


def test_tokens_and_fold():
    words = search.tokens("Chỉ thị 05-CT/TW, “làm theo Bác”… Đồng Tháp!")
    assert words == ["Chỉ", "thị", "05", "CT", "TW", "làm", "theo", "Bác", "Đồng", "Tháp"]
    assert [fold(w) for w in words[-3:]] == ["bac", "dong", "thap"]
    # NFD input gives the same words as NFC
    import unicodedata
    assert search.tokens(unicodedata.normalize("NFD", "Ủy ban")) == ["Ủy", "ban"]


def test_signature_ignores_tone_placement_but_keeps_marks():
    assert search.signature("Uỷ") == search.signature("ủy") == "uy4"
    assert search.signature("hoá") == search.signature("hóa") == "hoa1"
    assert search.signature("Bác") == "bac1"
    assert search.signature("bạc") == "bac5"
    assert search.signature("bắc") == "băc1"
    assert search.signature("Đồng") == "đông2"
    assert search.signature("bac") == "bac0"


def test_postings_round_trip():
    postings = [(0, 1), (1, 40), (33, 5), (1000, 2000), (100000, 1)]
    encoded = search.encode_postings(postings)
    assert re.fullmatch(r"[0-9A-Za-z_-]+", encoded)
    assert search.decode_postings(encoded) == postings


def test_file_names_are_portable():
    assert search.file_name("ba") == "ba"
    assert search.file_name("p-dong-thap") == "p-dong-thap"
    assert search.file_name("東") == "_e69db1"


def test_plan_shards_splits_big_prefixes():
    sizes = {"ba": 10, "bac": 10, "ban": 10, "bao": 10, "c": 5, "th": 50, "theo": 50, "thi": 50}
    shards, split = search.plan_shards(sizes, budget=60)
    assert split == ["t", "th"]
    assert shards["b"] == ["ba", "bac", "ban", "bao"]
    assert shards["th"] == ["th"] and shards["the"] == ["theo"]
    holders = {t: search.shard_for(t, set(shards), set(split)) for t in sizes}
    for term, key in holders.items():
        assert term in shards[key]
    assert search.shard_for("xyz", set(shards), set(split)) is None


def test_index_folds_terms_and_keeps_variants(tmp_path: Path):
    write_index(DOCS, tmp_path)
    index = read_index(tmp_path)
    terms = index["terms"]
    assert index["meta"]["n"] == 4
    # "uy ban": both tone placements fold to one term and one signature
    assert [sig for sig, _ in terms["uy"]] == ["uy4"]
    assert len(search.decode_postings(terms["uy"][0][1])) == 2
    assert {sig for sig, _ in terms["bac"]} == {"bac1", "bac5", "băc1"}
    # đ folds to d; record fields are searchable
    assert "dong" in terms and "thap" in terms
    for field_term in ("yen", "binh", "lao", "cai", "05", "ct", "tw", "2019", "tuong"):
        assert field_term in terms, field_term


def test_pairs_of_adjacent_words_in_a_clause(tmp_path: Path):
    docs = [doc("articles/a.html", "Ủy ban họp", "Uỷ ban. Ban bí thư"),
            doc("articles/b.html", "Tin", "Ủy ban nhân dân; bí thư"),
            doc("articles/c.html", "Tin", "Huyện ủy, Ban Thường vụ")]
    _, pairs = search.build_postings(search.order_docs(docs))
    assert pairs["uy ban"] == [0, 1]  # "Ủy ban" and "Uỷ ban" alike; c's are split by a comma
    assert pairs["ban bi"] == [0] and pairs["bi thu"] == [0, 1]
    assert "ban ban" not in pairs and "thap dong" not in pairs  # not across clauses or fields
    write_index(docs, tmp_path)
    meta = read_index(tmp_path)["meta"]
    assert meta["pairs"] == 1
    kind, key, data = load_script(tmp_path / "search" / "p" / "0.js")
    assert (kind, key) == ("p", 0)
    assert search.decode_ids(data["uy ban"]) == [0, 1]
    assert search.bucket("uy ban", 1) == 0
    assert 0 <= search.bucket("uy ban", 97) < 97


def test_document_order_and_files(tmp_path: Path):
    write_index(DOCS, tmp_path)
    # newest year first, then URL; no year last
    urls = [load_script(tmp_path / "search" / "d" / f"{i}.js")[2]["u"] for i in range(4)]
    assert urls == ["articles/a.html", "articles/c.html", "articles/b.html", "articles/d.html"]
    meta = read_index(tmp_path)["meta"]
    assert "p-dong-thap" in meta["facets"] and "p-lao-cai" in meta["facets"]
    assert "d-05-ct-tw" in meta["facets"] and "y-2019" in meta["facets"]
    kind, key, data = load_script(tmp_path / "search" / "f" / "p-lao-cai.js")
    assert (kind, key) == ("f", "p-lao-cai")
    assert search.decode_ids(data) == [1]


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def test_index_is_deterministic_and_independent_of_input_order(tmp_path: Path):
    write_index(DOCS, tmp_path / "one")
    write_index(list(reversed(DOCS)), tmp_path / "two")
    write_index(DOCS, tmp_path / "two")  # rewriting replaces the old index
    write_index(list(reversed(DOCS)), tmp_path / "two")
    assert digest(tmp_path / "one") == digest(tmp_path / "two")


def test_ranking_weights_title_above_body(tmp_path: Path):
    docs = [doc("articles/x.html", "Chuyện khác", "Đồng Tháp có Đồng Tháp."),
            doc("articles/y.html", "Đồng Tháp hôm nay", "Không có gì.")]
    write_index(docs, tmp_path)
    terms = read_index(tmp_path)["terms"]
    weights = dict(search.decode_postings(terms["thap"][0][1]))
    by_url = {load_script(tmp_path / "search" / "d" / f"{i}.js")[2]["u"]: i for i in range(2)}
    assert weights[by_url["articles/y.html"]] > weights[by_url["articles/x.html"]]


def test_longer_documents_weigh_a_word_less(tmp_path: Path):
    docs = [doc("articles/short.html", "Tin", "Mặt trận họp."),
            doc("articles/long.html", "Tin", "Mặt trận họp. " + "Nhiều nội dung khác nữa. " * 40)]
    write_index(docs, tmp_path)
    weights = dict(search.decode_postings(read_index(tmp_path)["terms"]["mat"][0][1]))
    by_url = {load_script(tmp_path / "search" / "d" / f"{i}.js")[2]["u"]: i for i in range(2)}
    assert weights[by_url["articles/short.html"]] > weights[by_url["articles/long.html"]]


def test_empty_archive(tmp_path: Path):
    write_index([], tmp_path)
    assert read_index(tmp_path)["meta"]["n"] == 0
