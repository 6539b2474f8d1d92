"""Full-text search index for the static site: diacritic-free, sharded, loadable from file://.

The browser side is `static/search.js`; both sides must agree on everything in this module that
is marked *shared*: tokenizing, folding (`text.fold`), the tone signature, the posting encoding,
the shard walk and the file names. tests/test_search_browser.py checks they agree.

Layout written under ``out_dir/search/`` (every file is a classic script calling
``newsarchiveSearch(kind, key, data)``, because browsers block ``fetch()`` on file:// pages but
still run ``<script src>``):

* ``meta.js``: document count, ranking constants, the shard keys, the keys split into longer
  prefixes, and the facet keys that exist.
* ``t/<key>.js``: the terms whose folded form starts with ``key``: for each term, its variants as
  written (tone signature) with their postings. A shard holds every term with its prefix except
  those in a longer shard; shards are split until they are under ``SHARD_BUDGET`` bytes (a single
  term may be larger), so a query loads only the shards of its own terms.
* ``d/<id>.js``: one document: url, title, date, place and text (for the excerpt); a page of
  results loads only its own documents.
* ``f/<key>.js``: the documents of one facet value (province then or now, directive, year), loaded
  only when that filter is chosen.
* ``p/<n>.js``: word pairs ("uy ban": two folded words side by side in one clause) with their
  documents, hashed into files of about ``PAIR_BUDGET`` bytes; a query of k words loads k-1 of
  them. Vietnamese words are mostly two syllables, so a pair is usually a word: "ủy ban" written
  together must outrank "Huyện ủy ... Ban Thường vụ".

Ranking (in search.js): every query term must match (its folded form equals a term, or for the
last term, while it is being typed, is a prefix of one); results are ordered by the number of query
terms matched with the exact diacritics typed, then by the number of the query's adjacent word pairs
found side by side, then by whole-word matches, then by BM25 over title (x5), record fields (x3) and
body (x1), then by document order (newest year first, then URL).
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from .text import fold

FORMAT_VERSION = 1
SHARD_BUDGET = 12_000  # bytes of JSON per term shard before it is split by a longer prefix
TITLE_WEIGHT = 5
FIELD_WEIGHT = 3
BODY_WEIGHT = 1
K1 = 1.2
B = 0.75
QUANTUM = 4  # postings store round(normalized tf * QUANTUM)
CALLBACK = "newsarchiveSearch"
PAIR_MIN_DOCS = 1  # every pair: one found in a single document is the most telling of all
PAIR_BUDGET = 8_000  # bytes of JSON per pair file (a query reads one file per pair it has)


@dataclass
class SearchDoc:
    url: str  # relative to the site root, "articles/x.html"
    title: str
    date: str  # display string
    year: int | None
    province: str | None
    province_current: str | None
    district: str | None
    directives: list[str] = field(default_factory=list)  # ids, "05-CT/TW"
    directive_names: list[str] = field(default_factory=list)  # catalogue titles
    text: str = ""  # clean body


# --- shared with search.js -------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+")  # letters and digits; JS: /[\p{L}\p{N}]+/gu
_CLAUSE = re.compile(r"[.,;:!?…()\[\]{}\"“”‘’«»\n]+")  # no pair spans these; JS needs none
_TONES = {"\u0300": "2", "\u0301": "1", "\u0303": "3", "\u0309": "4", "\u0323": "5"}
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
_PLAIN_NAME = re.compile(r"[a-z0-9-]+")


def tokens(text: str) -> list[str]:
    """The words of a text as written (NFC), in order."""
    return _TOKEN.findall(unicodedata.normalize("NFC", text))


def signature(word: str) -> str:
    """A word's exact spelling independent of tone placement: "ủy" and "uỷ" -> "uy4".

    Lower case, tone mark taken out of the letters and written as a digit at the end (0: none);
    the other marks (ă â ê ô ơ ư đ) stay, so "bác" -> "bac1", "bạc" -> "bac5", "bắc" -> "băc1".
    """
    tone = "0"
    kept = []
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES:
            tone = _TONES[ch]
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)) + tone


def facet_key(kind: str, value: str) -> str:
    """The facet of a province name, directive id or year: ("p", "Đắk Lắk") -> "p-dak-lak"."""
    return kind + "-" + "-".join(fold(t) for t in tokens(value))


def file_name(key: str) -> str:
    """A key as a portable file name: ASCII keys as they are, others as "_" + UTF-8 hex."""
    if _PLAIN_NAME.fullmatch(key):
        return key
    return "_" + key.encode("utf-8").hex()


def _append_varint(out: list[str], value: int) -> None:
    """One unsigned number, 5 bits a character, low bits first; bit 6 says "more follows"."""
    while value >= 32:
        out.append(ALPHABET[32 | (value & 31)])
        value >>= 5
    out.append(ALPHABET[value])


def encode_postings(postings: list[tuple[int, int]]) -> str:
    """(doc id ascending, weight) pairs as varints: id deltas and weights."""
    out: list[str] = []
    previous = 0
    for doc, weight in postings:
        _append_varint(out, doc - previous)
        _append_varint(out, weight)
        previous = doc
    return "".join(out)


def encode_ids(ids: list[int]) -> str:
    """Ascending doc ids as varint deltas (facets and pairs, which need no weights)."""
    out: list[str] = []
    previous = 0
    for doc in ids:
        _append_varint(out, doc - previous)
        previous = doc
    return "".join(out)


def bucket(pair: str, buckets: int) -> int:
    """The pair file that holds a pair: FNV-1a (32 bit) of its UTF-8 bytes, modulo the count."""
    h = 0x811C9DC5
    for byte in pair.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h % buckets


def _varints(data: str) -> list[int]:
    values: list[int] = []
    value = shift = 0
    for ch in data:
        digit = ALPHABET.index(ch)
        value |= (digit & 31) << shift
        if digit & 32:
            shift += 5
        else:
            values.append(value)
            value = shift = 0
    return values


def decode_ids(data: str) -> list[int]:
    """Inverse of encode_ids (the tests use it; search.js has its own)."""
    ids = []
    doc = 0
    for delta in _varints(data):
        doc += delta
        ids.append(doc)
    return ids


def decode_postings(data: str) -> list[tuple[int, int]]:
    """Inverse of encode_postings (the tests use it; search.js has its own)."""
    values = _varints(data)
    postings = []
    doc = 0
    for i in range(0, len(values), 2):
        doc += values[i]
        postings.append((doc, values[i + 1]))
    return postings


def shard_for(term: str, shards: set[str], split: set[str]) -> str | None:
    """The shard that holds a folded term, or None when no shard can hold it."""
    key = term[:1]
    while key in split and len(term) > len(key):
        key = term[: len(key) + 1]
    return key if key in shards else None


# --- index building --------------------------------------------------------------------------


def _fields(doc: SearchDoc) -> list[tuple[int, str]]:
    record = [doc.province, doc.province_current, doc.district, *doc.directives, *doc.directive_names]
    if doc.year is not None:
        record.append(str(doc.year))
    return [
        (TITLE_WEIGHT, doc.title),
        (FIELD_WEIGHT, "; ".join(v for v in record if v)),  # "; ": no word pair across two fields
        (BODY_WEIGHT, doc.text),
    ]


def order_docs(docs: list[SearchDoc]) -> list[SearchDoc]:
    """Document ids: newest year first, then URL; independent of the input order."""
    return sorted(docs, key=lambda d: (-(d.year if d.year is not None else -1), d.url))


@lru_cache(maxsize=200_000)
def _term(word: str) -> tuple[str, str]:
    return fold(word), signature(word)


def build_postings(docs: list[SearchDoc]) -> tuple[
        dict[str, dict[str, list[tuple[int, int]]]], dict[str, list[int]]]:
    """The term postings and the pair postings of documents in id order.

    terms: folded term -> signature -> [(doc id, quantized BM25-normalized weighted tf)].
    pairs: "word word" (two folded words next to each other in one clause) -> doc ids, kept when
    at least PAIR_MIN_DOCS documents have it.
    """
    counts: list[dict[tuple[str, str], int]] = []
    lengths: list[int] = []
    pairs: dict[str, list[int]] = defaultdict(list)
    for doc_id, doc in enumerate(docs):
        tf: dict[tuple[str, str], int] = {}
        length = 0
        seen: set[str] = set()
        for weight, text in _fields(doc):
            for clause in _CLAUSE.split(unicodedata.normalize("NFC", text)):
                keys = [_term(word) for word in _TOKEN.findall(clause)]
                length += weight * len(keys)
                for key in keys:
                    tf[key] = tf.get(key, 0) + weight
                folded = [key[0] for key in keys]
                seen.update(map(" ".join, pairwise(folded)))
        for pair in seen:
            pairs[pair].append(doc_id)
        counts.append(tf)
        lengths.append(length)
    average = (sum(lengths) / len(lengths)) if lengths else 1.0
    terms: dict[str, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for doc_id, (tf, length) in enumerate(zip(counts, lengths)):
        norm = 1 - B + B * (length / average if average else 1)
        for (term, sig), count in tf.items():
            terms[term][sig].append((doc_id, max(1, round(count / norm * QUANTUM))))
    kept = {pair: ids for pair, ids in pairs.items() if len(ids) >= PAIR_MIN_DOCS}
    return terms, kept


def encode_terms(terms: dict[str, dict[str, list[tuple[int, int]]]]) -> dict[str, list[list[str]]]:
    """folded term -> [[signature, encoded postings]] sorted by signature: a shard's entries."""
    return {t: [[sig, encode_postings(p)] for sig, p in sorted(v.items())] for t, v in terms.items()}


def _dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def plan_shards(sizes: dict[str, int], budget: int = SHARD_BUDGET) -> tuple[dict[str, list[str]], list[str]]:
    """Group terms (with their JSON sizes) into shards by prefix; returns shards and split keys."""
    shards: dict[str, list[str]] = {}
    split: list[str] = []

    def place(key: str, group: list[str]) -> None:
        if sum(sizes[t] for t in group) <= budget or all(len(t) <= len(key) for t in group):
            shards[key] = group
            return
        split.append(key)
        here = [t for t in group if len(t) <= len(key)]
        if here:
            shards[key] = here
        children: dict[str, list[str]] = defaultdict(list)
        for t in group:
            if len(t) > len(key):
                children[t[: len(key) + 1]].append(t)
        for child in sorted(children):
            place(child, children[child])

    first: dict[str, list[str]] = defaultdict(list)
    for term in sorted(sizes):
        first[term[:1]].append(term)
    for key in sorted(first):
        place(key, first[key])
    return shards, sorted(split)


def _script(kind: str, key: str | int, data: object) -> str:
    return f"{CALLBACK}({_dumps(kind)},{_dumps(key)},{_dumps(data)});\n"


def _write(path: Path, content: str) -> None:
    path.write_text(content, encoding="utf-8", newline="\n")


def write_index(docs: list[SearchDoc], out_dir: Path) -> None:
    """Write the search index under out_dir/search/ (replacing any earlier one there)."""
    root = Path(out_dir) / "search"
    if root.exists():
        shutil.rmtree(root)
    for sub in ("t", "d", "f", "p"):
        (root / sub).mkdir(parents=True)

    ordered = order_docs(docs)
    terms, pairs = build_postings(ordered)
    entries = encode_terms(terms)
    sizes = {t: len(_dumps({t: e})) for t, e in entries.items()}
    shards, split = plan_shards(sizes)
    for key, group in shards.items():
        _write(root / "t" / f"{file_name(key)}.js", _script("t", key, {t: entries[t] for t in group}))

    facets: dict[str, list[int]] = defaultdict(list)
    for doc_id, doc in enumerate(ordered):
        keys = set()
        for name in (doc.province, doc.province_current):
            if name:
                keys.add(facet_key("p", name))
        keys.update(facet_key("d", d) for d in doc.directives)
        if doc.year is not None:
            keys.add(facet_key("y", str(doc.year)))
        for key in keys:
            facets[key].append(doc_id)
        _write(
            root / "d" / f"{doc_id}.js",
            _script("d", doc_id, {
                "u": doc.url, "t": doc.title, "d": doc.date,
                "p": [doc.district or "", doc.province or "", doc.province_current or ""],
                "x": doc.text,
            }),
        )
    for key, ids in facets.items():
        _write(root / "f" / f"{file_name(key)}.js", _script("f", key, encode_ids(ids)))

    encoded_pairs = {pair: encode_ids(ids) for pair, ids in pairs.items()}
    total = sum(len(p) + len(e) + 6 for p, e in encoded_pairs.items())  # '"p":"e",' (never escaped)
    buckets = -(-total // PAIR_BUDGET) if encoded_pairs else 0
    grouped: dict[int, dict[str, str]] = defaultdict(dict)
    for pair, encoded in encoded_pairs.items():
        grouped[bucket(pair, buckets)][pair] = encoded
    for number in range(buckets):
        _write(root / "p" / f"{number}.js", _script("p", number, grouped.get(number, {})))

    meta = {
        "v": FORMAT_VERSION, "n": len(ordered), "k1": K1, "q": QUANTUM,
        "shards": sorted(shards), "split": split, "facets": sorted(facets), "pairs": buckets,
    }
    _write(root / "meta.js", _script("m", "", meta))
