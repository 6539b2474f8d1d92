"""The search index: folding, tokenizing, tone signatures, encoding, sharding, determinism."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
import random
import re
import unicodedata
import weakref
from itertools import pairwise
from pathlib import Path

import pytest

from newsarchive import search
from newsarchive.search import SearchDoc, build_index, update_index, write_index
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


def read_docs(root: Path) -> list[dict]:
    """Every document, by id, from the documents files."""
    meta = load_script(root / "search" / "meta.js")[2]
    docs: list[dict] = []
    for number in range(-(-meta["n"] // meta["dpf"])):
        docs += load_script(root / "search" / "d" / f"{number}.js")[2]
    return docs


def test_tokens_and_fold():
    words = search.tokens("Chỉ thị 05-CT/TW, “làm theo Bác”… Đồng Tháp!")
    assert words == ["Chỉ", "thị", "05", "CT", "TW", "làm", "theo", "Bác", "Đồng", "Tháp"]
    assert [fold(w) for w in words[-3:]] == ["bac", "dong", "thap"]
    # NFD input gives the same words as NFC
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


def test_the_table_of_varints_spells_every_number_in_it():
    assert search._VARINTS == [search._spelled(value).encode() for value in range(1 << 15)]


def test_values_are_decoded_a_run_at_a_time_and_a_cut_off_number_is_left_out():
    values = [3, 0, 31, 32, 5, 1 << 40, 7, 7, 1000]
    encoded = "".join(map(search._spelled, values))
    assert search.decode_values(encoded) == values
    assert search.decode_values(encoded[:-1]) == values[:-1]  # 1000 takes two digits: one is left
    assert search.decode_values(search._spelled(1 << 40)[:-1]) == [] and search.decode_values("") == []
    with pytest.raises(ValueError):
        search.decode_values("ab*")


def test_postings_changed_are_the_postings_encoded_anew():
    postings = [(0, 1), (1, 40), (33, 5), (1000, 2000), (100000, 1)]
    changes = {1: 0, 33: 6, 500: 3, 200000: 1, 7: 0}  # out, changed, in, in at the end, out of none
    expected = [(doc, weight) for doc, weight in sorted({**dict(postings), **changes}.items()) if weight]
    assert search.changed_postings(search.encode_postings(postings), changes) == search.encode_postings(expected)
    assert search.changed_postings(search.encode_postings(postings), dict.fromkeys(dict(postings), 0)) == ""
    assert search.changed_postings("", {5: 2}) == search.encode_postings([(5, 2)])


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
    assert "uy ban" in search.analyze(docs[0]).pairs  # "Ủy ban" and "Uỷ ban" alike
    assert "uy ban" not in search.analyze(docs[2]).pairs  # split by a comma
    write_index(docs, tmp_path)
    meta = read_index(tmp_path)["meta"]
    assert meta["pairs"] == 1
    kind, key, pairs = load_script(tmp_path / "search" / "p" / "0.js")
    assert (kind, key) == ("p", 0)
    assert search.decode_ids(pairs["uy ban"]) == [0, 1]  # ids in URL order
    assert search.decode_ids(pairs["ban bi"]) == [0] and search.decode_ids(pairs["bi thu"]) == [0, 1]
    assert "ban ban" not in pairs and "thap dong" not in pairs  # not across clauses or fields
    assert search.bucket("uy ban", 1) == 0
    assert 0 <= search.bucket("uy ban", 97) < 97


def test_document_order_and_files(tmp_path: Path):
    write_index(DOCS, tmp_path)
    # ids in URL order, so that editing an article keeps every id
    kind, key, docs = load_script(tmp_path / "search" / "d" / "0.js")
    assert (kind, key) == ("d", 0)  # the four documents share the first documents file
    assert [d["u"] for d in docs] == ["articles/a.html", "articles/b.html", "articles/c.html", "articles/d.html"]
    assert not (tmp_path / "search" / "d" / "1.js").exists()
    # ties break on the year, newest first, no year last: a, c (2022), b (2019), d
    lengths = load_script(tmp_path / "search" / "l.js")[2]
    assert lengths["years"] == [2022, 2019]
    assert search.decode_values(lengths["year"]) == [0, 1, 0, 2]
    meta = read_index(tmp_path)["meta"]
    assert "p-dong-thap" in meta["facets"] and "p-lao-cai" in meta["facets"]
    assert "d-05-ct-tw" in meta["facets"] and "y-2019" in meta["facets"]
    kind, key, data = load_script(tmp_path / "search" / "f" / "p-lao-cai.js")
    assert (kind, key) == ("f", "p-lao-cai")
    assert search.decode_ids(data) == [2]


@pytest.mark.parametrize("text", ["", "Đồng Tháp\n\nỦy ban", 'a "quoted" \\ back\\slash\n', "tab\there\r\n",
                                  "\x00\x1f\x7f \u2028\u2029 \ud7ff \U0001f600", "line\x0bfeed\x0c"])
def test_a_documents_file_is_what_json_writes(text: str):
    """A clean build writes its documents' JSON from their UTF-8 text: the same bytes as _script."""
    docs = [dataclasses.replace(DOCS[0], text=text), dataclasses.replace(DOCS[2], title='"Ủy ban" \\', text=text * 2)]
    files, _ = build_index(keyed(docs))
    assert files["search/d/0.js"] == search._script("d", 0, [search._doc_data(d) for d in docs])


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
    by_url = {d["u"]: i for i, d in enumerate(read_docs(tmp_path))}
    assert weights[by_url["articles/y.html"]] > weights[by_url["articles/x.html"]]


def test_postings_hold_raw_frequencies_and_lengths_are_apart(tmp_path: Path):
    """No posting depends on another document: BM25's length normalization is done at query time."""
    docs = [doc("articles/long.html", "Tin", "Mặt trận họp. " + "Nhiều nội dung khác nữa. " * 40),
            doc("articles/short.html", "Tin", "Mặt trận họp.")]
    write_index(docs, tmp_path)
    assert search.decode_postings(read_index(tmp_path)["terms"]["mat"][0][1]) == [(0, 1), (1, 1)]
    lengths = load_script(tmp_path / "search" / "l.js")[2]
    fields = 3 * 5  # "Đồng Tháp; Đồng Tháp; 2022"
    assert search.decode_values(lengths["len"]) == [5 + fields + 3 + 5 * 40, 5 + fields + 3]
    assert lengths["total"] == sum(search.decode_values(lengths["len"]))


def test_empty_archive(tmp_path: Path):
    write_index([], tmp_path)
    assert read_index(tmp_path)["meta"]["n"] == 0


# --- incremental updates ---------------------------------------------------------------------

WORDS = ["Ủy", "ban", "Uỷ", "nhân", "dân", "bác", "Bác", "bạc", "bắc", "Đồng", "Tháp", "làm", "theo", "học",
         "tập", "mặt", "trận", "tổ", "quốc", "huyện", "xã", "năm", "2019", "05-CT/TW", "東京"]
PLACES = [None, "Đồng Tháp", "Bạc Liêu", "Lào Cai", "Yên Bái"]


def random_doc(rng: random.Random, url: str) -> SearchDoc:
    def sentence(n: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n)) + rng.choice([".", ",", ";", ""])

    directives = rng.sample(["05-CT/TW", "03-CT/TW", "01-KL/TW"], rng.randrange(3))
    return SearchDoc(url=url, title=sentence(rng.randrange(1, 6)), date="1/1/2020",
                     year=rng.choice([None, 2019, 2020, 2024]), province=rng.choice(PLACES),
                     province_current=rng.choice(PLACES), district=rng.choice([None, "Yên Bình"]),
                     directives=directives, directive_names=[f"Về {d}" for d in directives],
                     text="\n\n".join(sentence(rng.randrange(0, 30)) for _ in range(rng.randrange(4))))


def keyed(docs: list[SearchDoc]) -> list[tuple[str, SearchDoc]]:
    return [(hashlib.sha256(repr(d).encode()).hexdigest(), d) for d in docs]


def apply(files: dict[str, bytes], written: dict[str, bytes], deleted: list[str]) -> dict[str, bytes]:
    assert not set(written) & set(deleted)
    assert set(deleted) <= set(files)
    after = {path: content for path, content in files.items() if path not in deleted}
    after.update(written)
    return after


def lazy(docs: list[tuple[str, SearchDoc]], loaded: list[str]) -> list[tuple[str, object]]:
    """The docs, each given as a function that notes its URL when it is called."""
    def loader(d: SearchDoc):
        return lambda: loaded.append(d.url) or d
    return [(key, loader(d)) for key, d in docs]


@pytest.mark.parametrize("seed", range(40))
def test_update_equals_clean_build(seed: int):
    """Random edits, additions and removals: the update writes what a clean build writes."""
    rng = random.Random(seed)
    small = rng.random() < 0.5  # a tiny budget: shards split and merge, pair files double and halve
    budgets = (200, 150) if small else (search.SHARD_BUDGET, search.PAIR_BUDGET)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SHARD_BUDGET", budgets[0])
        patch.setattr(search, "PAIR_BUDGET", budgets[1])
        patch.setattr(search.plan_shards, "__defaults__", (budgets[0],))
        docs = [random_doc(rng, f"articles/{i:03d}.html") for i in range(rng.randrange(1, 30))]
        files, state = build_index(keyed(docs))
        for _ in range(6):
            docs = list(docs)
            for _ in range(rng.choice([1, 1, 2, 5])):
                at = rng.randrange(len(docs))
                action = rng.random()
                if action < 0.6:  # an edit keeps the URL
                    docs[at] = dataclasses.replace(random_doc(rng, docs[at].url), title=docs[at].title)
                elif action < 0.8 or len(docs) == 1:
                    docs.append(random_doc(rng, f"articles/{rng.randrange(1000):03d}-new.html"))
                else:
                    docs.pop(at)
            docs = list({d.url: d for d in docs}.values())
            rng.shuffle(docs)
            loaded: list[str] = []
            written, deleted, state = update_index(lazy(keyed(docs), loaded), state, files.__getitem__)
            files = apply(files, written, deleted)
            clean, clean_state = build_index(keyed(docs))
            assert files == clean
            assert pickle.loads(pickle.dumps(state)) == clean_state


def edited(docs: list[SearchDoc], at: int, **changes) -> list[SearchDoc]:
    docs = list(docs)
    docs[at] = dataclasses.replace(docs[at], **changes)
    return docs


def test_one_edit_touches_few_files_and_loads_nothing_else():
    rng = random.Random(7)
    docs = [random_doc(rng, f"articles/{i:03d}.html") for i in range(200)]
    files, state = build_index(keyed(docs))
    new = edited(docs, 50, text=docs[50].text + " Mặt trận tổ quốc họp.")
    loaded: list[str] = []
    reads: list[str] = []
    written, deleted, _ = update_index(lazy(keyed(new), loaded), state,
                                       lambda path: reads.append(path) or files[path])
    assert loaded == ["articles/050.html"]  # the edited doc alone is loaded
    assert "search/d/6.js" in written and "search/l.js" in written  # 50 // 8: the file of the doc
    assert len(written) <= 10 and not deleted
    assert len(reads) <= 12 and len(files) > 50
    assert apply(files, written, deleted) == build_index(keyed(new))[0]


def test_edited_doc_given_lazily_is_loaded_alone():
    docs = DOCS + [doc("articles/e.html", "Tin", "Nội dung.")]
    files, state = build_index(keyed(docs))
    new = edited(docs, 4, title="Tin mới")
    loaded: list[str] = []
    written, deleted, _ = update_index(lazy(keyed(new), loaded), state, files.__getitem__)
    assert loaded == ["articles/e.html"]
    assert apply(files, written, deleted) == build_index(keyed(new))[0]


def test_no_change_writes_nothing_and_reads_nothing():
    _, state = build_index(keyed(DOCS))

    def refuse(path: str) -> bytes:
        raise AssertionError(path)
    loaded: list[str] = []
    assert update_index(lazy(keyed(DOCS), loaded), state, refuse) == ({}, [], state)
    assert loaded == []


@pytest.mark.parametrize("seed", range(10))
def test_docs_in_url_order_are_read_as_they_come_and_other_docs_again(seed: int):
    """Edits keep the URLs and their order: the docs are read once, as they come. A doc added or
    removed shifts the ids: they are read again, and the whole index is made. An iterator of docs
    gives the same."""
    rng = random.Random(seed)
    docs = [random_doc(rng, f"articles/{i:03d}.html") for i in range(30)]
    files, state = build_index(keyed(docs))
    edits = list(docs)
    for at in rng.sample(range(30), rng.randrange(4)):
        edits[at] = dataclasses.replace(random_doc(rng, docs[at].url), title=docs[at].title + " mới")
    renamed = edits[:5] + [dataclasses.replace(edits[5], url="articles/005b.html")] + edits[6:]  # in the same place
    for new in (edits, edits + [random_doc(rng, "articles/999.html")], edits[:-1], edits[1:], renamed):
        given = keyed(new)
        clean = build_index(given)
        for docs_given in (given, iter(given)):
            written, deleted, new_state = update_index(docs_given, state, files.__getitem__)
            assert (apply(files, written, deleted), new_state) == clean


def test_a_key_given_twice_is_refused_in_url_order_too():
    files, state = build_index(keyed(DOCS))
    given = keyed(edited(DOCS, 2, title="Uỷ ban mới"))
    given[2] = (given[1][0], given[2][1])  # the edited doc comes with the key of the one before it
    with pytest.raises(ValueError, match="keys"):
        update_index(given, state, files.__getitem__)


def test_facet_and_year_edits():
    files, state = build_index(keyed(DOCS))
    new = edited(DOCS, 1, province="An Giang", province_current="An Giang", year=2030)
    written, deleted, state = update_index(keyed(new), state, files.__getitem__)
    assert deleted == ["search/f/p-bac-lieu.js", "search/f/p-ca-mau.js", "search/f/y-2019.js"]
    assert {"search/f/p-an-giang.js", "search/f/y-2030.js", "search/meta.js"} <= set(written)
    assert apply(files, written, deleted) == build_index(keyed(new))[0]


def test_adding_a_doc_rewrites_the_index_and_deletes_what_is_gone():
    rng = random.Random(5)
    docs = [random_doc(rng, f"articles/{i:03d}.html") for i in range(search.DOCS_PER_FILE + 1)]
    files, state = build_index(keyed(docs))
    assert "search/d/1.js" in files  # the last document, in a file of its own
    written, deleted, _ = update_index(keyed(docs[1:]), state, files.__getitem__)
    assert "search/d/1.js" in deleted and "search/d/0.js" in written
    assert apply(files, written, deleted) == build_index(keyed(docs[1:]))[0]


def test_distinct_keys_and_urls_are_required():
    with pytest.raises(ValueError):
        build_index([("k", DOCS[0]), ("k", DOCS[1])])
    with pytest.raises(ValueError):
        build_index([("a", DOCS[0]), ("b", DOCS[0])])
    with pytest.raises(ValueError, match="keys"):
        build_index([("k", lambda: DOCS[0]), ("k", lambda: DOCS[1])])
    with pytest.raises(ValueError, match="each URL once"):
        build_index([("a", lambda: DOCS[0]), ("b", lambda: DOCS[0])])


# --- documents given lazily ------------------------------------------------------------------


def made_lazily(docs: list[tuple[str, SearchDoc]]) -> list[tuple[str, object]]:
    """The docs in URL order, each given as a function that makes a new copy of it."""
    return [(key, lambda d=d: dataclasses.replace(d)) for key, d in sorted(docs, key=lambda item: item[1].url)]


@pytest.mark.parametrize("seed", range(10))
def test_lazy_docs_in_url_order_give_the_same_index(seed: int):
    rng = random.Random(seed)
    docs = keyed([random_doc(rng, f"articles/{i:03d}.html") for i in range(rng.randrange(1, 40))])
    files, state = build_index(docs)
    rng.shuffle(docs)
    emitted: dict[str, bytes] = {}
    assert build_index(made_lazily(docs), emit=emitted.__setitem__) == ({}, state)
    assert emitted == files
    # some given lazily, some made: URL order all the same
    mixed = [(key, d if i % 2 else d()) for i, (key, d) in enumerate(made_lazily(docs))]
    assert build_index(mixed) == (files, state)


def test_lazy_docs_are_made_one_at_a_time():
    """A doc is made when its turn comes, and gone before the next is made."""
    rng = random.Random(3)
    docs = keyed([random_doc(rng, f"articles/{i:03d}.html") for i in range(30)])
    alive: list[weakref.ref] = []
    emitted: list[str] = []

    def maker(d: SearchDoc):
        def make() -> SearchDoc:
            assert all(ref() is None for ref in alive), "an earlier document is still in memory"
            # the files of the earlier documents are written already, all but their last few
            assert len(emitted) == len(alive) // search.DOCS_PER_FILE
            made = dataclasses.replace(d)
            alive.append(weakref.ref(made))
            return made
        return make

    build_index([(key, maker(d)) for key, d in docs], emit=lambda path, content: emitted.append(path))
    assert len(alive) == 30 and emitted[:4] == [f"search/d/{i}.js" for i in range(4)]  # then the other files


def test_lazy_docs_out_of_url_order_are_refused():
    docs = made_lazily(keyed(DOCS))
    docs[1], docs[2] = docs[2], docs[1]
    with pytest.raises(ValueError, match="URL order.*'articles/b.html' came after 'articles/c.html'"):
        build_index(docs)
    # made docs alone may come in any order: they are sorted
    assert build_index([(key, d()) for key, d in docs]) == build_index(made_lazily(keyed(DOCS)))


def test_lists_written_as_documents_arrive():
    """As encode_flat_postings and encode_ids write them, with ids far apart and weights over 32,767
    (past the table of varints), and for a key in one document only."""
    postings: dict[str, search._Varints] = {}
    ids = search._IdLists()
    flat = [5, 1, 40_000, 70_000, 40_001, 3, 140_000, 32_768]
    for doc_id, weight in zip(flat[::2], flat[1::2]):
        search._add_postings(postings, doc_id, {"bác": weight})
        ids.add(doc_id, ["pair"] if doc_id != 40_001 else ["pair", "once"])
    assert postings["bác"].decode() == search.encode_flat_postings(flat)
    assert search.decode_postings(postings["bác"].decode()) == list(zip(flat[::2], flat[1::2]))
    assert list(ids) == ["pair", "once"]
    assert ids.pop("pair") == search.encode_ids(flat[::2])
    assert ids.pop("once") == search.encode_ids([40_001])
    assert list(ids) == []


def test_lists_moved_out_go_on_where_they_were_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A list moved out to the spill file and added to afterwards reads as one list, and its size
    counts both parts."""
    monkeypatch.setattr(search._Spill, "SHORTEST", 1)
    spill = search._Spill(str(tmp_path))
    ids = search._IdLists(spill)
    postings: dict[str, search._Varints] = {}
    doc_ids = [3, 4, 9, 40_000, 40_007, 90_000]
    try:
        for at, doc_id in enumerate(doc_ids):
            ids.add(doc_id, ["pair"])
            search._add_postings(postings, doc_id, {"bác": at + 1})
            spill.move_out([ids.lists["pair"], postings["bác"]])
        assert len(ids.lists["pair"]) == 0 and len(ids.lists["pair"].moved) == 2 * (len(doc_ids) - 1)
        assert dict(ids.sizes()) == {"pair": len(search.encode_ids(doc_ids))}
        assert ids.pop("pair") == search.encode_ids(doc_ids)
        flat = [n for at, doc_id in enumerate(doc_ids) for n in (doc_id, at + 1)]
        assert spill.whole(postings["bác"]).decode() == search.encode_flat_postings(flat)
    finally:
        spill.close()
    assert list(tmp_path.iterdir()) == []  # the file never had a name there


@pytest.mark.parametrize("seed", range(3))
def test_an_index_whose_lists_were_moved_out_is_the_same(seed: int, tmp_path: Path):
    rng = random.Random(seed)
    docs = keyed([random_doc(rng, f"articles/{i:03d}.html") for i in range(60)])
    files, state = build_index(docs)
    moves: list[int] = []
    move_out = search._Spill.move_out

    def counted(spill: search._Spill, lists) -> None:
        move_out(spill, lists)
        moves.append(spill.size)

    emitted: dict[str, bytes] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "_analysis", None)  # the lists kept in Python are the ones moved out
        patch.setattr(search._Spill, "EVERY", 7)
        patch.setattr(search._Spill, "SHORTEST", 1)
        patch.setattr(search._Spill, "move_out", counted)
        assert build_index(made_lazily(docs), emit=emitted.__setitem__, scratch=str(tmp_path)) == ({}, state)
    assert emitted == files
    assert len(moves) == 60 // 7 and moves[-1] > 0
    assert list(tmp_path.iterdir()) == []


def reference_analysis(d: SearchDoc) -> tuple[dict[tuple[str, str], int], int, set[str]]:
    """What analyze must find, written the plain way: clause by clause, word by word."""
    counts: dict[tuple[str, str], int] = {}
    pairs: set[str] = set()
    length = 0
    for weight, text in search._fields(d):
        for clause in search._CLAUSE.split(search.unicodedata.normalize("NFC", text)):
            words = search._TOKEN.findall(clause)
            length += weight * len(words)
            for word in words:
                key = (fold(word), search.signature(word))
                counts[key] = counts.get(key, 0) + weight
            pairs.update(f"{fold(a)} {fold(b)}" for a, b in pairwise(words))
    return counts, length, pairs


@pytest.mark.parametrize("seed", range(20))
def test_analyze_finds_words_and_pairs_within_clauses(seed: int):
    rng = random.Random(seed)
    tricky = ". Ủy ban (nhân) dân;; bí thư ,\n\n“làm theo” Bác… 05-CT/TW!\nBan\tthường\xa0vụ\u2028tỉnh\r\nủy  _x_"
    # record values that end or start with a clause break, or are only spaces, or are decomposed
    record = {"district": " Yên  Bình ", "directives": ["05-CT/TW", "(khóa", "XII)."],
              "directive_names": ['Về "Học tập"', "  ", unicodedata.normalize("NFD", "Đắk Lắk")]}
    for d in [random_doc(rng, "articles/x.html") for _ in range(20)] + [doc("articles/y.html", tricky, tricky),
                                                                          doc("articles/z.html", tricky, "", **record)]:
        terms = search.analyze(d)
        assert (terms.counts, terms.length, terms.pairs) == reference_analysis(d)
        # the same text decomposed, or decomposed in places (a combining mark may start a piece)
        decomposed = unicodedata.normalize("NFD", d.text)
        mixed = "".join(rng.choice((ch, unicodedata.normalize("NFD", ch))) for ch in d.text) + " \u0301a \u0301"
        for text in decomposed, mixed:
            other = dataclasses.replace(d, text=text)
            terms = search.analyze(other)
            assert (terms.counts, terms.length, terms.pairs) == reference_analysis(other)


def test_the_c_analysis_is_built():
    """tools/test.sh installs the package with a C compiler at hand: the extension must be there, or
    every other test of the analysis would test the Python one twice."""
    assert search._analysis is not None, ("src/newsarchive/_analysis.c was not built: install gcc and "
                                          "the Python headers, then pip install -e . again")


def analyses(d: SearchDoc) -> tuple[tuple, tuple]:
    """The C analysis and the Python one of a document, each as (counts in order, length, pairs)."""
    c_counts, c_length, c_pairs = search._numbered_terms(d)
    counts, length, pairs = search._numbered_terms_in_python(d)
    return (list(c_counts.items()), c_length, c_pairs), (list(counts.items()), length, pairs)


@pytest.mark.parametrize("seed", range(10))
def test_the_c_analysis_gives_what_the_python_one_gives(seed: int):
    rng = random.Random(seed)
    # every ASCII whitespace, other whitespace (kept inside a piece), breaks at either end, a lone
    # combining mark, empty and one-character texts
    odd = ["", " ", "\n", ".", "a", "\t\r\x0b\x0cỦy\x0c\x0bban\r\t", "\nBác\n", "nhân\xa0dân\u2028xã",
           " \u0301a \u0301", "x" * 5000, "05-CT/TW, (khóa XII).\n\n“làm theo”…"]
    docs = [random_doc(rng, "articles/x.html") for _ in range(30)]
    docs += [doc("articles/y.html", rng.choice(odd), rng.choice(odd)) for _ in range(30)]
    docs += [dataclasses.replace(d, text=unicodedata.normalize("NFD", d.text)) for d in docs[:10]]
    for d in docs:
        made, expected = analyses(d)
        assert made == expected, d
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "_PIECES_LIMIT", 3)  # the C table starts over at almost every call
        for d in docs[:20]:
            made, expected = analyses(d)
            assert made == expected, d
    search._start_over()  # the terms are numbered anew: the C table must forget what it had
    for d in reversed(docs):
        made, expected = analyses(d)
        assert made == expected, d


def test_an_index_is_the_same_whichever_analysis_made_it(monkeypatch: pytest.MonkeyPatch):
    docs = [random_doc(random.Random(n), f"articles/{n:03}.html") for n in range(80)] + DOCS
    made = build_index(keyed(docs))
    monkeypatch.setattr(search, "_analysis", None)  # as where the extension could not be built
    search._start_over()
    assert build_index(keyed(docs)) == made


def test_text_is_read_between_whitespace():
    """analyze reads a text a piece between two whitespace characters at a time: no whitespace may
    be part of a word or of a clause break, but "\\n" (which it turns into a piece of its own)."""
    whitespace = [ch for ch in map(chr, range(0x110000)) if ch.isspace()]
    assert [ch for ch in whitespace if search._TOKEN.match(ch) or search._CLAUSE.match(ch)] == ["\n"]


def test_memos_start_over_between_builds_and_first_spellings_change_nothing():
    files, state = build_index(keyed(DOCS))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "_MEMO_LIMIT", 1)
        search._start_over_if_full()
    assert not search._WORDS and not search._PIECES and search._TERM_SIGNATURES == [""]
    # other spellings met first: "UỶ" stands for "Ủy" and "Uỷ" (one term), "BẮC" for "bắc"
    search.analyze(doc("articles/z.html", "UỶ BAN", "BẮC, Bác bạc. LÀM theo"))
    assert search._TERM_SIGNATURES[1] == "uy4" and search._word("Ủy") == search._word("Uỷ") == search._WORDS["UỶ"]
    assert build_index(keyed(DOCS)) == (files, state)
    new = edited(DOCS, 2, text="Uỷ ban Bạc Liêu.")
    written, deleted, _ = update_index(keyed(new), state, files.__getitem__)
    assert apply(files, written, deleted) == build_index(keyed(new))[0]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "_MEMO_LIMIT", 1)
        assert build_index(keyed(DOCS)) == (files, state)
    assert "UỶ" not in search._WORDS  # the memos started over before that build


def test_state_round_trips_through_pickle():
    _, state = build_index(keyed(DOCS))
    assert pickle.loads(pickle.dumps(state)) == state


def test_strings_keep_a_list_of_strings_packed():
    items = ["articles/a.html", "", "Đồng Tháp", "x" * 300]
    strings = search.Strings(items)
    assert len(strings) == 4 and list(strings) == items and strings == items and strings != items[:3]
    assert strings[2] == "Đồng Tháp" and strings[-1] == "x" * 300 and strings[1] == ""
    with pytest.raises(IndexError):
        strings[4]
    again = pickle.loads(pickle.dumps(strings))
    assert again == strings and again == items
    again.append("mới")
    assert again[-1] == "mới" and again != strings


def test_term_sizes_are_packed_in_term_order():
    sizes = {"thap": 12, "bac": 30, "ủy": 7}
    packed = search.TermSizes.of(sizes)
    assert list(packed.terms) == ["bac", "thap", "ủy"] and packed.as_dict() == sizes
    assert packed == search.TermSizes.of(dict(reversed(sizes.items())))  # whatever order it was made in


def test_a_term_is_its_signature():
    """The memos key a term by its signature alone: two spellings with one signature fold alike."""
    for word in ["Ủy", "Uỷ", "UỶ", "Đắk", "đăk", "Bắc", "bạc", "Nghĩa", "nghiã", "2020", "Hòa", "hoà"]:
        assert fold(word) == fold(search.signature(word)[:-1]), word
    for word in ["Ủy", "UỶ", "Đắk", "2020", "CT", "TW", "Covid19", "x", "ĐẮK"]:  # ASCII words are read apart
        assert search._term(search._word(word)) == (fold(word), search.signature(word)), word


@pytest.mark.parametrize("first, then", [("theo", "THEO"), ("THEO", "theo"), ("k", "\u212a"), ("\u212a", "k"),
                                         ("theo", "Theo")])
def test_a_plain_term_is_one_term_whichever_spelling_comes_first(first: str, then: str):
    """A term met first in lower-case ASCII keeps no signature string: its other spellings ("THEO",
    the kelvin sign "K") still find it, and it is written with its signature."""
    search._start_over()
    head = search._word(first)
    assert search._word(then) == head and search._term(head) == (fold(then), search.signature(then))
    assert (search.signature(first) in search._TERM_HEADS) == (first != first.lower() or not first.isascii())


def test_a_first_posting_is_kept_as_bytes_until_a_second():
    lists: dict = {}
    search._add_postings(lists, 3, {"a": 2, "b": 1})
    assert lists == {"a": search._varint(3) + search._varint(2), "b": search._varint(3) + search._varint(1)}
    search._add_postings(lists, 5, {"a": 1})
    search._add_postings(lists, 40_000, {"a": 40_000})  # past the table of small numbers
    assert isinstance(lists["a"], search._Varints) and isinstance(lists["b"], bytes)
    flat = search.decode_values(lists["a"].decode())
    assert flat == [3, 2, 2, 1, 40_000 - 5, 40_000]  # ids as differences, each followed by its weight


def test_a_pair_by_number_is_named_and_hashed_as_its_words():
    """A clean build keeps pairs by number and works out each one's file from its first word's part
    of the hash on: the same file as `bucket` gives the pair's name."""
    numbers = search._numbered_terms(doc("articles/p.html", "Ủy ban nhân dân", "Đắk Lắk, 2020 và 05-CT/TW"))[2]
    names = [search._pair(number) for number in numbers]
    assert "uy ban" in names and "dak lak" in names and "2020 va" in names and "lak 2020" not in names
    head = search._word("ban")
    assert search._word("Ủy") & search._tail(head) == dict(zip(names, numbers))["uy ban"]
    assert search._tail(7 << 64) == 0  # a word with no folded form (its head has none) pairs with nothing
    for buckets in (1, 2, 64, 1024):
        found = list(search._PairBuckets(search._TERM_FOLDED[:], buckets).of(numbers))
        assert found == [search.bucket(name, buckets) for name in names]
