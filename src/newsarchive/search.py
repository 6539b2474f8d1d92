"""Full-text search index for the static site: diacritic-free, sharded, loadable from file://.

The browser side is `static/search.js`; both sides must agree on everything in this module that
is marked *shared*: tokenizing, folding (`text.fold`), the tone signature, the number encoding,
the shard walk and the file names. tests/test_search_browser.py checks they agree.

Layout under ``search/`` (every file is a classic script calling
``newsarchiveSearch(kind, key, data)``, because browsers block ``fetch()`` on file:// pages but
still run ``<script src>``):

* ``meta.js``: document count, ranking constants, the shard keys, the keys split into longer
  prefixes, the facet keys that exist and the number of pair files: the layout, which an edit
  changes only when it crosses a threshold.
* ``l.js``: per document, its weighted length and the rank of its year, and the total length:
  what BM25 and the tie-break need at query time, so that no posting depends on other documents.
* ``t/<key>.js``: the terms whose folded form starts with ``key``: for each term, its variants as
  written (tone signature) with their postings (document id, weighted term frequency). A shard
  holds every term with its prefix except those in a longer shard; a prefix is split when its
  terms are over ``SHARD_BUDGET`` bytes (a single term may be larger). The decision for a prefix
  depends only on its own terms, so an edit re-plans at most the prefixes whose terms it touched.
* ``d/<n>.js``: ``DOCS_PER_FILE`` documents, ids n*DOCS_PER_FILE and on: url, title, date, place
  and text (for the excerpt) of each; a page of results loads only the files of its own documents.
  Several to a file, not one: a file costs its site a file to create and to record, and a page of
  ten results finds its documents in as many files either way.
* ``f/<key>.js``: the documents of one facet value (province then or now, directive, year), loaded
  only when that filter is chosen.
* ``p/<n>.js``: word pairs ("uy ban": two folded words side by side in one clause) with their
  documents, hashed into a power-of-two number of files of at most ``PAIR_BUDGET`` bytes on
  average; a query of k words loads k-1 of them. Vietnamese words are mostly two syllables, so a
  pair is usually a word: "ủy ban" written together must outrank "Huyện ủy ... Ban Thường vụ".
  Pairs found in a single document are kept: they are the strongest signal of all for a phrase
  only one article has; at 10,000 articles they are 20 kB of 33 MB for text written like the
  seeds (12 MB of 83 MB for bench/search_bench.py's random words); and dropping them would oblige
  an update to remember every one of them, to notice when a second document has it.

Document ids are positions in URL order, so editing an article keeps every id (adding or removing
one shifts the ids after it, and the update then writes the whole index again).

Ranking (in search.js): every query term must match (its folded form equals a term, or for the
last term, while it is being typed, is a prefix of one); results are ordered by the number of query
terms matched with the exact diacritics typed, then by the number of the query's adjacent word pairs
found side by side, then by whole-word matches, then by BM25 over title (x5), record fields (x3) and
body (x1), then by year (newest first), then by URL.

The analysis of a document and a clean build's lists of postings and pairs are done by the C
extension `_analysis` where it was built (see _analysis.c), else in Python: the same index either way.

Incremental builds: `build_index` returns every file and an `IndexState`; `update_index` takes the
next set of documents and that state, finds the changed ones by their keys, re-reads from the
previous index only the files they touch (a changed document's old words come from its d file
and the fields kept in the state), and returns the same bytes a clean build would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, reduce
from itertools import accumulate, chain
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from operator import and_, iconcat, sub
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from .text import fold

try:
    from . import _analysis  # type: ignore[attr-defined]
except ImportError:  # not built (no C compiler at install): the same analysis, in Python
    _analysis = None

FORMAT_VERSION = 4
SHARD_BUDGET = 12_000  # bytes of JSON per term shard before it is split by a longer prefix
TITLE_WEIGHT = 5
FIELD_WEIGHT = 3
BODY_WEIGHT = 1
K1 = 1.2
B = 0.75
CALLBACK = "newsarchiveSearch"
PAIR_BUDGET = 8_000  # average bytes of JSON per pair file at most (a query reads one per pair)
ROOT = "search/"


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


@lru_cache(maxsize=4096)  # a few hundred names and years, met in thousands of documents
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


def _spelled(value: int) -> str:
    out: list[str] = []
    _append_varint(out, value)
    return "".join(out)


def _varint_table() -> list[bytes]:
    """The varint of every number of up to three digits, by number, made from the digits' tables
    (low digits first, each but the last with "more follows"): spelled a number at a time, the
    table took 8 ms of each build."""
    last = [ch.encode() for ch in ALPHABET[:32]]
    more = [ch.encode() for ch in ALPHABET[32:]]
    return [*last, *(low + high for high in last[1:] for low in more),
            *(low + middle + high for high in last[1:] for middle in more for low in more)]


_VARINTS = _varint_table()  # every number of up to three characters


def _varint(value: int) -> bytes:
    """One number's varint as ASCII bytes."""
    return _VARINTS[value] if value < len(_VARINTS) else _spelled(value).encode()


def encode_values(values: Sequence[int]) -> str:
    """Numbers as they are, one varint each (document lengths and year ranks)."""
    try:
        return b"".join(map(_VARINTS.__getitem__, values)).decode()  # a table lookup each, in C
    except IndexError:
        return "".join(map(_spelled, values))


def _delta(values: list[int]) -> list[int]:
    """Ascending numbers as the differences from each to the next (the first from 0)."""
    return list(map(sub, values, [0, *values[:-1]]))


def encode_flat_postings(flat: list[int]) -> str:
    """[doc, weight, doc, weight, ...] (doc ids ascending) as varints: id deltas and weights."""
    values = flat[:]
    values[2::2] = map(sub, flat[2::2], flat[0:-2:2])
    return encode_values(values)


def encode_postings(postings: Iterable[tuple[int, int]]) -> str:
    """(doc id ascending, weight) pairs as varints: id deltas and weights."""
    return encode_flat_postings(list(chain.from_iterable(postings)))


def encode_ids(ids: list[int]) -> str:
    """Ascending doc ids as varint deltas (facets and pairs, which need no weights)."""
    return encode_values(_delta(ids))


def bucket(pair: str, buckets: int) -> int:
    """The pair file that holds a pair: FNV-1a (32 bit) of its UTF-8 bytes, modulo the count."""
    return _fnv(0x811C9DC5, pair.encode("utf-8")) % buckets


_DIGITS = bytes.maketrans(ALPHABET.encode(), bytes(range(64)))  # a character -> its digit, as a byte
_ALPHABET_BYTES = ALPHABET.encode()
_GOES_ON = bytes(range(32, 64))  # the digits that say "more follows"
_LONG_VARINT = re.compile(rb"[\x20-\x3f]+[\x00-\x1f]")  # a number of more than one digit


def decode_values(data: str) -> list[int]:
    """Inverse of encode_values (search.js has its own). A run of numbers under 32, a digit each
    (most of a common word's postings), is taken at once; a cut-off last number is left out."""
    raw = data.encode("ascii")
    if raw.translate(None, _ALPHABET_BYTES):
        raise ValueError(f"not varints: {data[:40]!r}")
    digits = raw.translate(_DIGITS)
    values: list[int] = []
    start = 0
    for match in _LONG_VARINT.finditer(digits):
        values += digits[start:match.start()]
        value = shift = 0
        for digit in match.group():
            value |= (digit & 31) << shift
            shift += 5
        values.append(value)
        start = match.end()
    values += digits[start:].rstrip(_GOES_ON)
    return values


def decode_ids(data: str) -> list[int]:
    """Inverse of encode_ids (search.js has its own)."""
    return list(accumulate(decode_values(data)))


def decode_postings(data: str) -> list[tuple[int, int]]:
    """Inverse of encode_postings (the tests use it; search.js has its own)."""
    values = decode_values(data)
    return list(zip(accumulate(values[0::2]), values[1::2]))


def changed_postings(data: str, changes: dict[int, int]) -> str:
    """Postings as encode_postings writes them, with the weights of some documents changed (0:
    taken out): a common word's postings name most documents, and an edit changes one or two."""
    values = decode_values(data)
    ids, weights = list(accumulate(values[0::2])), values[1::2]
    for doc, weight in sorted(changes.items()):
        at = bisect_left(ids, doc)
        if at < len(ids) and ids[at] == doc:
            if weight:
                weights[at] = weight
            else:
                del ids[at], weights[at]
        elif weight:
            ids.insert(at, doc)
            weights.insert(at, weight)
    flat = ids + weights
    flat[0::2], flat[1::2] = ids, weights
    return encode_flat_postings(flat)


def shard_for(term: str, shards: set[str], split: set[str]) -> str | None:
    """The shard that holds a folded term, or None when no shard can hold it."""
    key = term[:1]
    while key in split and len(term) > len(key):
        key = term[: len(key) + 1]
    return key if key in shards else None


# --- one document ----------------------------------------------------------------------------


class DocFields(NamedTuple):
    """A document's record fields, kept in the state: its title and text are in its d file. (A
    tuple: the state holds one per document, and a tuple pickles fastest.)"""

    year: int | None
    province: str | None
    province_current: str | None
    district: str | None
    directives: tuple[str, ...]
    directive_names: tuple[str, ...]

    @classmethod
    def of(cls, doc: SearchDoc) -> DocFields:
        # interned: the same names recur in thousands of documents, and pickle then stores each once
        def shared(value: str | None) -> str | None:
            return None if value is None else sys.intern(value)

        return cls(doc.year, shared(doc.province), shared(doc.province_current), shared(doc.district),
                   tuple(map(sys.intern, doc.directives)), tuple(map(sys.intern, doc.directive_names)))

    def facet_keys(self) -> set[str]:
        keys = {facet_key("p", name) for name in (self.province, self.province_current) if name}
        keys.update(facet_key("d", d) for d in self.directives)
        if self.year is not None:
            keys.add(facet_key("y", str(self.year)))
        return keys


@dataclass
class DocTerms:
    """What one document puts in the index."""

    counts: dict[tuple[str, str], int]  # (folded term, signature) -> weighted term frequency
    length: int  # weighted number of words
    pairs: set[str]  # two folded words side by side in one clause: "uy ban"


def _record(doc: SearchDoc) -> list[str]:
    """The record fields that are searched, as text."""
    record = [doc.province, doc.province_current, doc.district, *doc.directives, *doc.directive_names]
    if doc.year is not None:
        record.append(str(doc.year))
    return [v for v in record if v]


def _fields(doc: SearchDoc) -> list[tuple[int, str]]:
    """What is searched, with its weight: the title, the record's values and the text."""
    return [
        (TITLE_WEIGHT, doc.title),
        (FIELD_WEIGHT, "; ".join(_record(doc))),  # "; ": no word pair across two fields
        (BODY_WEIGHT, doc.text),
    ]


_WORD_OR_BREAK = re.compile(f"({_TOKEN.pattern})|{_CLAUSE.pattern}")  # findall: a word, or "" for a clause break

# What analyze has met so far, so that a document's words are read, counted and paired by C code
# alone: each word becomes two numbers, its head and its tail. A term (a signature: that fixes its
# folded form too, as both drop the tone marks and folding drops the other marks) has a number from
# 1 on, and a folded form the number of the first term that had it; then
#   head = term << 64 | folded << 32 | LOW   and   tail = LOW << 32 | folded,
# so that the head of a word, ANDed with the tail of the next, is the pair's number,
# first folded << 32 | next folded. A clause break is (0, 0), so that a pair across one is 0, and so
# is a word whose folded form is empty (head = term << 64, tail = 0), which pairs with nothing.
# The head names the term: its postings are kept under it, and a pair is named by its number until
# the index is written. (Folded forms are numbered below 2**32 in any archive that fits in memory.)
# The memos keep a term's head alone, and the tail is made from it where a piece is first read (see
# _Pieces): a tuple and a tail kept for every term took 7 MB more at 100,000 articles.
_LOW = (1 << 32) - 1
_BREAK = (0, 0)
_WORDS: dict[str, int] = {}  # a word as written -> the head of its term
_TERM_HEADS: dict[str, int] = {}  # signature -> head, but for a plain term (see _word)
_TERM_FOLDED: list[str] = [""]  # by term number: the folded form
_TERM_SIGNATURES: list[str | None] = [""]  # by term number: the signature (None: a plain term's)
_FIRST_WITH_FOLDED: dict[str, int] = {}  # folded form -> the head of the first term that had it
_MEMO_LIMIT = 500_000  # words remembered before the memos start over (a long-running server)
# Pieces remembered before that memo alone starts over: it holds nothing the term tables do not, and
# the pieces that recur are soon met again, while those met once (a number, a name) would fill it.
# 10,000 articles like the bench's have 14,000 pieces; at 50,000 pieces the memo took 5 to 6 MiB more of
# the index process at 100,000 articles.
_PIECES_LIMIT = 20_000


def _word(word: str) -> int:
    """A word's head, its term numbered when it is new.

    A plain term is one met first written as its folded form, in lower-case ASCII ("2020", "theo"):
    its signature is that word and "0", and it is found under the word in _WORDS, with no signature
    string of its own nor an entry in _TERM_HEADS. Most terms of an archive are numbers and names
    met once: at 100,000 articles, this and folded forms numbered by the heads of their first terms
    (no int of their own) took the index process from 120 to 103 MiB."""
    found = _WORDS.get(word)
    if found is not None:
        return found
    plain = word.lower() if word.isascii() else None  # a number, say: no marks to take out
    sig = signature(word) if plain is None else plain + "0"
    found = _TERM_HEADS.get(sig)
    if found is None and sig[-1] == "0" and sig.isascii():  # maybe a plain term ("THEO", or "K" the kelvin sign)
        found = _WORDS.get(sig[:-1])
    if found is None:  # a new term
        number = len(_TERM_SIGNATURES)
        folded = fold(word) if plain is None else plain
        folded = word if folded == word else folded  # "2020": the word, not a copy
        if folded:
            first = _FIRST_WITH_FOLDED.get(folded)
            found = number << 64 | (number if first is None else first >> 64) << 32 | _LOW
            if first is None:
                _FIRST_WITH_FOLDED[folded] = found
        else:
            found = number << 64
        if word == plain:
            _TERM_SIGNATURES.append(None)
        else:
            _TERM_HEADS[sig] = found
            _TERM_SIGNATURES.append(sig)
        _TERM_FOLDED.append(folded)
    _WORDS[word] = found
    return found


def _tail(head: int) -> int:
    """The tail of a word by its head (see _WORDS)."""
    folded_number = head >> 32 & _LOW
    return _LOW << 32 | folded_number if folded_number else 0


def _term(head: int) -> tuple[str, str]:
    """The (folded, signature) of a term by its head."""
    return _named(head >> 64, _TERM_FOLDED, _TERM_SIGNATURES)


def _named(number: int, folded: list[str], signatures: list[str | None]) -> tuple[str, str]:
    """The (folded, signature) of a term by its number, from these tables (see _WORDS)."""
    sig = signatures[number]
    return folded[number], folded[number] + "0" if sig is None else sig


def _pair(number: int) -> str:
    """A pair by its number: "uy ban"."""
    return _TERM_FOLDED[number >> 32] + " " + _TERM_FOLDED[number & _LOW]


def _read_piece(piece: bytes) -> tuple[int, ...]:
    """Text between whitespace (UTF-8): the head and tail of each of its words, (0, 0) for each
    clause break in it."""
    ends: list[int] = []
    for word in _WORD_OR_BREAK.findall(unicodedata.normalize("NFC", piece.decode())):
        if word:
            head = _word(word)
            ends += head, _tail(head)
        else:
            ends += _BREAK
    return tuple(ends)


class _Pieces(dict[bytes, tuple[int, ...]]):
    """_read_piece by piece, each read when it is first looked up."""

    def __missing__(self, piece: bytes) -> tuple[int, ...]:
        if len(self) >= _PIECES_LIMIT:
            self.clear()
        found = self[piece] = _read_piece(piece)
        return found


_PIECES = _Pieces()


def _ends(text: bytes) -> list[int]:
    """The head and tail of each word of a text (UTF-8), and (0, 0) for each clause break (or twice,
    for ".\\n")."""
    # No whitespace is part of a word, and "\n" is the only one that breaks a clause: split loses it,
    # so it becomes a piece "." of its own. The UTF-8 bytes are split, not the text: cutting a text
    # into strings measures each piece's widest character, and other whitespace than ASCII's, left
    # in a piece, is read there as between any two pieces. Most pieces were met before: one dict
    # lookup each. A piece is put in NFC when it is first met: no ASCII whitespace composes with
    # anything, so the pieces of a text in NFC are those of the text, each in NFC.
    pieces = text.replace(b"\n", b" . ").split()
    return reduce(iconcat, map(_PIECES.__getitem__, pieces), [])  # one list, extended by each piece's words


class _RecordValues(dict[str, tuple[int, ...]]):
    """A record field's value -> its ends (see _ends), and a clause break: a province, a directive,
    a year, met in thousands of documents."""

    def __missing__(self, value: str) -> tuple[int, ...]:
        if len(self) >= _PIECES_LIMIT:
            self.clear()
        found = self[value] = (*_ends(value.encode()), *_BREAK)
        return found


_RECORD_VALUES = _RecordValues()


def _record_ends(doc: SearchDoc) -> list[int]:
    """_ends of the record's text (see _fields), its values read once each: the same words and pairs,
    and a clause break after each value (which may have ended with one of its own)."""
    return reduce(iconcat, map(_RECORD_VALUES.__getitem__, _record(doc)), [])


def _start_over() -> None:
    """Empty the memos: never while a clean build is adding documents, as it keeps its postings and
    pairs by the numbers of their terms."""
    for memo in (_PIECES, _RECORD_VALUES, _WORDS, _TERM_HEADS, _FIRST_WITH_FOLDED):
        memo.clear()
    del _TERM_FOLDED[1:], _TERM_SIGNATURES[1:]
    if _analysis is not None:
        _analysis.forget()


def _start_over_if_full() -> None:
    """Empty the memos when they hold too much (a long-running server): only between builds."""
    if len(_WORDS) >= _MEMO_LIMIT:
        _start_over()


def _numbered_terms(doc: SearchDoc, body: bytes | None = None) -> tuple[dict[int, int], int, set[int]]:
    """What analyze finds, each term counted under its head and each pair by its number: a clean
    build keeps them so, with no string or tuple to make for a term or a pair of each document.
    `body`: the text as UTF-8, when the caller has it. By the C extension when it was built (see
    _analysis.c), else by _numbered_terms_in_python: the same result."""
    if _analysis is None:
        return _numbered_terms_in_python(doc, body)
    return _analysis.numbered_terms(_read_piece, doc.title.encode(), _record_ends, doc,
                                    doc.text.encode() if body is None else body,
                                    TITLE_WEIGHT, FIELD_WEIGHT, BODY_WEIGHT, _PIECES_LIMIT)


def _numbered_terms_in_python(doc: SearchDoc, body: bytes | None = None) -> tuple[dict[int, int], int, set[int]]:
    """_numbered_terms in Python."""
    title, record = _ends(doc.title.encode()), _record_ends(doc)  # the record ends with a break
    body = _ends(doc.text.encode() if body is None else body)
    ends = [*title, *_BREAK, *record, *body]  # no pair across two fields
    heads = ends[0::2]
    pairs = set(map(and_, heads, ends[3::2]))  # each head with the next word's tail
    pairs.discard(0)  # across a break
    # every head once, then each field's again for the rest of its weight (see _fields)
    record_at = len(title) // 2 + 1
    body_at = record_at + len(record) // 2
    more = heads[:record_at - 1] * (TITLE_WEIGHT - 1) + heads[record_at:body_at] * (FIELD_WEIGHT - 1)
    if BODY_WEIGHT != 1:
        more += heads[body_at:] * (BODY_WEIGHT - 1)
    counted = Counter(heads)
    counted.update(more)
    length = len(heads) + len(more) - counted.pop(0, 0)
    return counted, length, pairs


def analyze(doc: SearchDoc) -> DocTerms:
    counted, length, pairs = _numbered_terms(doc)
    return DocTerms(dict(zip(map(_term, counted), counted.values())), length, set(map(_pair, pairs)))


def _doc_data(doc: SearchDoc) -> dict[str, object]:
    return {"u": doc.url, "t": doc.title, "d": doc.date,
            "p": [doc.district or "", doc.province or "", doc.province_current or ""], "x": doc.text}


# What JSON writes as it is, and "\n": a text that keeps nothing once these are taken out needs no
# other escapes than those of "\\", '"' and "\n".
_NOT_CONTROL = bytes(byte for byte in range(256) if byte >= 32 or byte == 10)


def _doc_json(doc: SearchDoc, text: bytes) -> bytes:
    """_doc_data(doc) as _dumps writes it, as UTF-8; `text`: doc.text as UTF-8. The text, most of
    a documents file, is escaped as bytes, which the analysis has already made: encoding it to JSON
    and the JSON to UTF-8 took a twentieth of a clean build."""
    if text.translate(None, _NOT_CONTROL):  # a tab, say: as JSON writes it
        escaped = encode_basestring(doc.text).encode()
    else:
        escaped = b'"%s"' % text.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\n")
    places = ",".join(map(encode_basestring, (doc.district or "", doc.province or "", doc.province_current or "")))
    head = (f'{{"d":{encode_basestring(doc.date)},"p":[{places}],'  # the keys in sort_keys' order
            f'"t":{encode_basestring(doc.title)},"u":{encode_basestring(doc.url)},"x":')
    return b"%s%s}" % (head.encode(), escaped)


def _restore_doc(data: dict, fields: DocFields) -> SearchDoc:
    """The document a d file was written from, with the fields the state kept."""
    return SearchDoc(url=data["u"], title=data["t"], date=data["d"], year=fields.year,
                     province=fields.province, province_current=fields.province_current,
                     district=fields.district, directives=list(fields.directives),
                     directive_names=list(fields.directive_names), text=data["x"])


# --- files -----------------------------------------------------------------------------------


# json.dumps with these options would make an encoder at every call: one is kept
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def _script(kind: str, key: str | int, data: object) -> bytes:
    return f"{CALLBACK}({_dumps(kind)},{_dumps(key)},{_dumps(data)});\n".encode()


def _unscript(content: bytes) -> object:
    """The data of an index file (inverse of _script)."""
    text = content.decode()
    inner = text[len(CALLBACK) + 1: text.rindex(");")]
    return json.loads("[" + inner + "]")[2]


def _shard_path(key: str) -> str:
    return f"{ROOT}t/{file_name(key)}.js"


def _facet_path(key: str) -> str:
    return f"{ROOT}f/{file_name(key)}.js"


def _pair_path(number: int) -> str:
    return f"{ROOT}p/{number}.js"


DOCS_FOLDER = ROOT + "d/"
# *shared* (meta.js tells search.js). At 10,000 articles, 1,250 files of 30 kB (9 kB gzipped).
DOCS_PER_FILE = 8


def docs_path(number: int) -> str:
    """The file of documents number*DOCS_PER_FILE to (number+1)*DOCS_PER_FILE - 1."""
    return f"{DOCS_FOLDER}{number}.js"


def docs_files(count: int) -> int:
    """How many document files `count` documents take."""
    return -(-count // DOCS_PER_FILE)


META_PATH = ROOT + "meta.js"
LENGTHS_PATH = ROOT + "l.js"


def _entry_size(term: str, entry: list[list[str]]) -> int:
    return len(_dumps({term: entry}))


def _pair_size(pair_length: int, encoded_size: int) -> int:
    """What a pair of this many characters adds to its file: '"p":"e",' (never escaped)."""
    return pair_length + encoded_size + 6


def pair_buckets(total: int) -> int:
    """Pair files for `total` bytes of pairs: a power of two, so that it changes only when the
    total crosses a doubling (then every pair file is written again)."""
    if total <= 0:
        return 0
    needed = -(-total // PAIR_BUDGET)
    return 1 << (needed - 1).bit_length()


def plan_shards(sizes: dict[str, int], budget: int = SHARD_BUDGET) -> tuple[dict[str, list[str]], list[str]]:
    """Group terms (with their JSON sizes) into shards by prefix; returns shards and split keys.

    A prefix is split only by the sizes of its own terms, so the plan of one first letter does
    not depend on any other.
    """
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


def _meta(count: int, shards: Iterable[str], split: Iterable[str], facets: Iterable[str], buckets: int) -> bytes:
    return _script("m", "", {"v": FORMAT_VERSION, "n": count, "k1": K1, "b": B, "dpf": DOCS_PER_FILE,
                             "shards": sorted(shards), "split": sorted(split), "facets": sorted(facets),
                             "pairs": buckets})


def _lengths_file(lengths: Sequence[int], fields: list[DocFields]) -> bytes:
    """l.js: weighted lengths (BM25 at query time) and year ranks (ties: newest year first)."""
    years = sorted({f.year for f in fields if f.year is not None}, reverse=True)
    rank = {year: i for i, year in enumerate(years)}
    ranks = [rank.get(f.year, len(years)) for f in fields]  # no year: last
    return _script("l", "", {"total": sum(lengths), "len": encode_values(lengths), "years": years,
                             "year": encode_values(ranks)})


# --- state -----------------------------------------------------------------------------------


class Strings(Sequence[str]):
    """A list of strings kept as one UTF-8 buffer and where each ends. At 100,000 documents the URLs
    and keys take 11 MB so, and 19 MB as str objects; and pickle writes the buffer whole, where it
    would keep a memo entry for each string."""

    __slots__ = ("data", "ends")

    def __init__(self, items: Iterable[str] = ()):
        encoded = [item.encode() for item in items]
        self.data = bytearray().join(encoded)
        ends = list(accumulate(map(len, encoded)))
        try:
            self.ends = array("I", ends)
        except OverflowError:  # see append
            self.ends = array("Q", ends)

    def append(self, item: str) -> None:
        self.data += item.encode()
        try:
            self.ends.append(len(self.data))
        except OverflowError:  # past 4 GB of text: 8 bytes an end from now on
            self.ends = array("Q", self.ends)
            self.ends.append(len(self.data))

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        if not -len(self.ends) <= index < len(self.ends):
            raise IndexError(index)
        index %= len(self.ends)
        return self.data[self.ends[index - 1] if index else 0:self.ends[index]].decode()

    def __iter__(self) -> Iterator[str]:
        text = self.data.decode()
        if len(text) == len(self.data):  # ASCII (URLs, keys): the text is cut where the bytes are, in C
            return map(text.__getitem__, map(slice, chain((0,), self.ends), self.ends))
        return self._decoded()

    def _decoded(self) -> Iterator[str]:
        data, start = self.data, 0
        for end in self.ends:
            yield data[start:end].decode()
            start = end

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Strings):
            return self.ends == other.ends and self.data == other.data
        return isinstance(other, list) and len(other) == len(self) and all(map(str.__eq__, self, other))

    def __repr__(self) -> str:
        return f"Strings({list(self)!r})"

    def __reduce__(self) -> tuple[Callable[[bytes, array], Strings], tuple[bytes, array]]:
        return _strings, (bytes(self.data), self.ends)


def _strings(data: bytes, ends: array) -> Strings:
    made = Strings()
    made.data[:] = data
    made.ends = ends
    return made


@dataclass(frozen=True)
class TermSizes:
    """The terms of one first letter, in order, with the bytes of each one's shard entry: packed,
    as the state keeps a size for every term (100,000 of them at 100,000 documents)."""

    terms: Strings
    sizes: array

    @classmethod
    def of(cls, sizes: dict[str, int]) -> TermSizes:
        terms = sorted(sizes)
        return cls(Strings(terms), array("I", map(sizes.__getitem__, terms)))

    def as_dict(self) -> dict[str, int]:
        return dict(zip(self.terms, self.sizes))


@dataclass
class IndexState:
    """What `update_index` needs of the previous build (about 2 MB pickled at 10,000 documents)."""

    version: int
    urls: Strings  # a document's id is its position here (URL order)
    keys: Strings  # per id: the caller's key of its content
    fields: list[DocFields]  # per id
    lengths: Sequence[int]  # per id: weighted length (an array: 4 bytes each, not an int object)
    term_sizes: dict[str, TermSizes]  # first letter -> its terms with the bytes of each one's shard entry
    shards: list[str]
    split: list[str]
    facets: list[str]
    pair_bytes: int
    pair_buckets: int

    def paths(self) -> list[str]:
        """Every file of the index this state describes."""
        return [META_PATH, LENGTHS_PATH, *map(docs_path, range(docs_files(len(self.urls)))),
                *map(_shard_path, self.shards), *map(_facet_path, self.facets),
                *map(_pair_path, range(self.pair_buckets))]


LazyDoc = SearchDoc | Callable[[], SearchDoc]


K = TypeVar("K", str, int)  # a key of the lists a clean build keeps: a facet, a pair's or a term's number


class _Varints(bytearray):
    """A key's ascending document ids (for a posting list, each followed by its weight) as the
    varint text the index writes (as `encode_ids` or `encode_flat_postings`), written as the
    documents arrive in id order: a number takes a byte or two here, where a list of numbers takes
    an 8-byte slot each. Its beginning may have been moved out to a _Spill."""

    __slots__ = ("last", "moved")

    def __init__(self, data: bytes, last: int):
        super().__init__(data)
        self.last = last  # the id added last: the next one is written as the difference from it
        self.moved: array | None = None  # offset and length in the _Spill of each part moved out, in order

    def size(self) -> int:
        """Its bytes, those moved out included."""
        return len(self) + (sum(self.moved[1::2]) if self.moved else 0)


class _Spill:
    """A temporary file that a clean build moves the longer lists of ids out to, every EVERY
    documents: a list goes on where it was cut (ids are written as differences), so a list is its
    parts moved out and what it holds now, one after the other. The process then holds a few
    thousand documents' worth of postings and pairs, not the whole index's: at 100,000 articles
    they were 48 MB of its 180 at its end."""

    EVERY = 16_384  # documents between two moves (a smaller archive never makes the file)
    SHORTEST = 512  # bytes: a list shorter than this stays (its move would free less than it costs)

    def __init__(self, folder: str | None):
        self.folder = folder  # where the file is made (None: the system's temporary folder)
        self.file: Any = None  # made when first needed, and never named in the folder
        self.size = 0

    def move_out(self, lists: Iterable[object]) -> None:
        """Move the long lists among these to the file, leaving them empty."""
        if self.file is None:
            self.file = tempfile.TemporaryFile(dir=self.folder)
        for ids in lists:
            if type(ids) is _Varints and len(ids) >= self.SHORTEST:
                if ids.moved is None:
                    ids.moved = array("Q")
                ids.moved += array("Q", (self.size, len(ids)))
                self.size += self.file.write(ids)
                ids.clear()  # gives its buffer back

    def whole(self, ids: _Varints | bytes) -> bytes | bytearray:
        """A list's bytes, its parts moved out first."""
        if type(ids) is not _Varints or ids.moved is None:
            return ids
        self.file.flush()
        fd = self.file.fileno()
        parts = [os.pread(fd, length, offset) for offset, length in zip(ids.moved[0::2], ids.moved[1::2])]
        return b"".join([*parts, ids])

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


class _IdLists(Generic[K]):
    """Per key (a word pair by its number, a facet), the ascending ids of the documents that have
    it, as the varint text `encode_ids` writes, growing as documents arrive in id order. A key found
    in one document so far is kept as that id alone: in text written freely most pairs are in one
    document only, and a _Varints costs some 100 bytes."""

    def __init__(self, spill: _Spill | None = None) -> None:
        self.lists: dict[K, _Varints | int] = {}
        self.spill = spill or _Spill(None)  # where the longer lists may have been moved out to

    def add(self, doc_id: int, keys: Iterable[K]) -> None:
        """Add a document, later than any added before, to the list of each key."""
        lists = self.lists
        for key in keys:
            ids = lists.get(key)
            if ids is None:
                lists[key] = doc_id
                continue
            if type(ids) is int:  # a second document: the list is written out from now on
                ids = lists[key] = _Varints(_varint(ids), ids)
            try:
                ids += _VARINTS[doc_id - ids.last]
            except IndexError:  # past the table: a number of 32,768 or more
                ids += _varint(doc_id - ids.last)
            ids.last = doc_id

    def __iter__(self) -> Iterator[K]:
        return iter(self.lists)

    def sizes(self) -> Iterator[tuple[K, int]]:
        """Each key with the length of its ids as the index writes them."""
        for key, ids in self.lists.items():
            yield key, len(_varint(ids)) if isinstance(ids, int) else ids.size()

    def pop(self, key: K) -> str:
        """A key's ids as the index writes them, no longer kept here."""
        ids = self.lists.pop(key)
        return (_varint(ids) if isinstance(ids, int) else self.spill.whole(ids)).decode()


def _add_postings(lists: dict[K, _Varints | bytes], doc_id: int, weights: dict[K, int]) -> None:
    """Add a document, later than any added before, to the postings of each term, with its weight.

    A term's first posting is kept as bytes: most terms met in one document are met in no other (a
    number, a name), and a _Varints costs some 80 bytes more. The second one makes it a _Varints.
    """
    first = _varint(doc_id)  # the first id is written as it is (the difference from 0)
    both = _GAP_AND_WEIGHT or _gap_and_weight()
    get = lists.get
    for key, weight in weights.items():
        postings = get(key)
        if postings is None:
            lists[key] = first + _varint(weight)
            continue
        try:
            postings += both[doc_id - postings.last][weight]
        except (AttributeError, IndexError):  # its second posting, or a number past the table
            postings = lists[key] = _grown(postings, doc_id, weight)
        postings.last = doc_id


# The varints of a posting, by the difference from the document before and the weight, for the
# small ones (a common word's): one lookup and one append each. Made by the first clean build.
_GAP_AND_WEIGHT: list[list[bytes]] = []


def _gap_and_weight() -> list[list[bytes]]:
    _GAP_AND_WEIGHT[:] = [[gap + weight for weight in _VARINTS[:32]] for gap in _VARINTS[:256]]
    return _GAP_AND_WEIGHT


def _grown(postings: _Varints | bytes, doc_id: int, weight: int) -> _Varints:
    """Postings with one more (see _add_postings)."""
    if not isinstance(postings, _Varints):
        postings = _Varints(postings, decode_values(postings.decode())[0])
    postings += _varint(doc_id - postings.last) + _varint(weight)
    return postings


def _check_unique(keys: Sequence[str], urls: Sequence[str]) -> None:
    if len(set(keys)) != len(keys):
        raise ValueError("search documents need distinct keys")
    if len(set(urls)) != len(urls):
        raise ValueError("search documents need distinct URLs")


# --- clean build -----------------------------------------------------------------------------


def build_index(docs: Iterable[tuple[str, LazyDoc]], emit: Callable[[str, bytes], None] | None = None,
                scratch: str | None = None) -> tuple[dict[str, bytes], IndexState]:
    """Clean build. docs: (key, doc); a key must change whenever its doc's content (URL included)
    does. Returns every index file (path relative to the site root, "search/t/ab.js") and the
    state for `update_index`. With `emit`, each file is handed to it as soon as it is made instead
    (and the mapping returned is empty): the document files alone are as large as all the
    articles' text. `scratch`: the folder of the temporary file that a large index's lists are
    moved out to as it is made (see _Spill; by default the system's temporary folder).

    Docs given as a sequence of SearchDocs may come in any order. A doc may also be given lazily,
    as a function that makes it: then every doc must come in URL order (ids are positions in URL
    order, and a doc's URL is known only once it is made), and docs may be an iterator, which is
    read as the build goes. Each doc is made when its turn comes and dropped once analysed, so that
    only the text of the documents of one file at a time is in memory.
    ValueError when two docs have the same key or URL; for docs in URL order, found as they come
    (a URL) or once all have come (a key): files may have been emitted before.
    """
    in_any_order = isinstance(docs, Sequence) and all(isinstance(doc, SearchDoc) for _, doc in docs)
    if in_any_order:  # sorted here, and checked before any file is made
        docs = sorted(docs, key=lambda item: item[1].url)  # type: ignore[union-attr]
        _check_unique([key for key, _ in docs], [doc.url for _, doc in docs])  # type: ignore[union-attr]
    _start_over_if_full()
    files: dict[str, bytes] = {}
    build = _CleanBuild(emit or files.__setitem__, _Spill(scratch))
    try:
        for key, doc in docs:
            build.add(key, doc if isinstance(doc, SearchDoc) else doc())
        if not in_any_order:
            _check_unique(build.keys, [])  # (add refuses a URL out of order, so a URL twice)
        return files, build.finish()
    finally:
        build.spill.close()


class _CleanBuild:
    """A clean build fed one document at a time, in URL order: what the index needs of each is
    kept in compact form (postings, pairs and facets as the varint text they are written in), and
    the document itself is dropped."""

    def __init__(self, put: Callable[[str, bytes], None], spill: _Spill):
        self.put = put
        self.spill = spill
        self.postings: dict[int, _Varints | bytes] = {}  # a term's head (see _WORDS) -> postings
        self.pairs: _IdLists[int] | _TakenLists = _IdLists(spill)  # by the pairs' numbers (see _WORDS)
        self.facets: _IdLists[str] = _IdLists()
        self.urls = Strings()  # per id
        self.keys = Strings()
        self.last_url = ""  # of the document added last
        self.fields: list[DocFields] = []
        self.lengths = array("I")  # per id
        self.known_fields: dict[DocFields, DocFields] = {}  # equal fields kept once: documents share them
        self.docs_data: list[bytes] = []  # of the documents file not yet written, as _doc_json writes them
        # With the C extension, the postings and the pairs are kept there (see _analysis.c), by
        # the terms' numbers rather than their heads, and self.postings and self.pairs stay empty.
        if _analysis is not None:
            _analysis.start_lists()

    def add(self, key: str, doc: SearchDoc) -> None:
        """The next document: its file now, and what the other files need of it."""
        if self.urls and doc.url <= self.last_url:
            raise ValueError(f"search documents given lazily must come in URL order, each URL once: "
                             f"{doc.url!r} came after {self.last_url!r}")
        self.last_url = doc.url
        doc_id = len(self.urls)
        text = doc.text.encode()
        if _analysis is not None:
            length = _analysis.add_document(doc_id, _read_piece, doc.title.encode(), _record_ends, doc, text,
                                            TITLE_WEIGHT, FIELD_WEIGHT, BODY_WEIGHT, _PIECES_LIMIT)
        else:
            counted, length, pairs = _numbered_terms_in_python(doc, text)
            _add_postings(self.postings, doc_id, counted)
            self.pairs.add(doc_id, pairs)
        made = DocFields.of(doc)
        doc_fields = self.known_fields.setdefault(made, made)
        self.facets.add(doc_id, doc_fields.facet_keys())
        self.urls.append(doc.url)
        self.keys.append(key)
        self.fields.append(doc_fields)
        self.lengths.append(length)
        self.docs_data.append(_doc_json(doc, text))
        if len(self.docs_data) == DOCS_PER_FILE:
            self.put_docs()
        if _analysis is None and len(self.urls) % _Spill.EVERY == 0:  # (the C extension's lists are compact)
            self.spill.move_out(chain(self.postings.values(), self.pairs.lists.values()))  # type: ignore[union-attr]

    def put_docs(self) -> None:
        """The documents file of the documents added last."""
        number = (len(self.urls) - 1) // DOCS_PER_FILE
        self.put(docs_path(number), b'%s("d",%d,[%s]);\n' % (CALLBACK.encode(), number, b",".join(self.docs_data)))
        self.docs_data = []

    def finish(self) -> IndexState:
        """Hand over the last documents file and every other file, each list freed once it is written."""
        if self.docs_data:
            self.put_docs()
        self.known_fields.clear()
        folded, signatures = _TERM_FOLDED[:], _TERM_SIGNATURES[:]  # what the terms' and the pairs' numbers stand for
        # Nothing else needs the memos now: an update analyses a few documents, and a build after
        # this one analyses all of its own. At 100,000 articles they take some 20 MB, which the
        # files and the state about to be made can take instead.
        _start_over()
        if _analysis is not None:  # the lists the C extension kept, by the terms' and pairs' numbers
            postings, shift = _analysis.take_postings(), 0
            self.pairs = _TakenLists(_analysis.take_pairs())
        else:
            postings, shift = self.postings, 64  # by the terms' heads: head >> 64 is the number
        by_letter: dict[str, list[int]] = defaultdict(list)  # first letter -> its terms (numbers or heads)
        for term in postings:
            by_letter[folded[term >> shift][:1]].append(term)
        shards, split, term_sizes = self.write_terms(by_letter, folded, signatures, postings, shift)
        facets = list(self.facets)
        for key in facets:
            self.put(_facet_path(key), _script("f", key, self.facets.pop(key)))
        pair_bytes, buckets = self.write_pairs(folded)
        self.put(LENGTHS_PATH, _lengths_file(self.lengths, self.fields))
        self.put(META_PATH, _meta(len(self.urls), shards, split, facets, buckets))
        return IndexState(FORMAT_VERSION, self.urls, self.keys, self.fields, self.lengths, term_sizes,
                          sorted(shards), sorted(split), sorted(facets), pair_bytes, buckets)

    def write_terms(self, by_letter: dict[str, list[int]], folded: list[str], signatures: list[str | None],
                    postings: dict[int, Any], shift: int) -> tuple[list[str], list[str], dict[str, TermSizes]]:
        """The term shards, one first letter at a time (its plan depends on its own terms alone), so
        that one letter's entries at a time are decoded; returns the shards, the split keys and the
        terms' sizes by first letter. `folded`, `signatures`: by term number (see _WORDS), which is
        a key of `postings` shifted right by `shift`."""
        shards: list[str] = []
        split: list[str] = []
        term_sizes: dict[str, TermSizes] = {}
        for letter in sorted(by_letter):
            entries: dict[str, list[list[str]]] = defaultdict(list)
            for key in by_letter.pop(letter):
                term, sig = _named(key >> shift, folded, signatures)
                entries[term].append([sig, self.spill.whole(postings.pop(key)).decode()])
            for entry in entries.values():
                entry.sort()  # by signature
            sizes = {term: _entry_size(term, entry) for term, entry in entries.items()}
            term_sizes[letter] = TermSizes.of(sizes)
            plan, letter_split = plan_shards(sizes)
            for key, group in plan.items():
                self.put(_shard_path(key), _script("t", key, {term: entries[term] for term in group}))
            shards += plan
            split += letter_split
        return shards, split, term_sizes

    def write_pairs(self, folded_forms: list[str]) -> tuple[int, int]:
        """The pair files; returns their bytes and their number. A pair is named (by the folded forms
        of its words, by number) only as its file is written: in text written freely there are
        millions of pairs, and their names all at once would take some 60 bytes each."""
        pairs = self.pairs
        lengths = list(map(len, folded_forms))
        pair_bytes = sum(_pair_size(lengths[number >> 32] + 1 + lengths[number & _LOW], size)
                         for number, size in pairs.sizes())
        buckets = pair_buckets(pair_bytes)
        in_file: dict[int, list[int]] = defaultdict(list)
        for number, at in zip(pairs, _PairBuckets(folded_forms, buckets).of(pairs)):
            in_file[at].append(number)
        for at in range(buckets):
            content = {folded_forms[number >> 32] + " " + folded_forms[number & _LOW]: pairs.pop(number)
                       for number in in_file.pop(at, [])}
            self.put(_pair_path(at), _script("p", at, content))
        return pair_bytes, buckets


class _TakenLists(dict[int, bytes]):
    """Lists the C extension kept for a clean build (see _analysis.c), by number: read as _IdLists are."""

    def sizes(self) -> Iterator[tuple[int, int]]:
        return ((key, len(ids)) for key, ids in self.items())

    def pop(self, key: int) -> str:  # type: ignore[override]
        return super().pop(key).decode()


class _PairBuckets:
    """`bucket` of pairs given by number, each word's part of the hash worked out once: the hash of
    "uy ban" goes on from that of "uy " (each first word's is kept), over the bytes of "ban"."""

    def __init__(self, folded_forms: list[str], buckets: int):
        self.folded_forms = folded_forms
        self.buckets = buckets
        self.starts: dict[int, int] = {}  # first word -> the hash of its bytes and a space
        self.ends: dict[int, bytes] = {}  # second word -> its bytes

    def of(self, numbers: Iterable[int]) -> Iterator[int]:
        starts, ends, buckets = self.starts, self.ends, self.buckets
        for number in numbers:
            first, second = number >> 32, number & _LOW
            h = starts.get(first)
            if h is None:
                h = starts[first] = _fnv(0x811C9DC5, (self.folded_forms[first] + " ").encode())
            tail = ends.get(second)
            if tail is None:
                tail = ends[second] = self.folded_forms[second].encode()
            for byte in tail:  # _fnv's loop, not a call to it: this runs once a pair, millions of times
                h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
            yield h % buckets


def _fnv(h: int, data: bytes) -> int:
    """FNV-1a (32 bit) from h on over data."""
    for byte in data:
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def _pairs_by_file(pairs: Iterable[str], buckets: int) -> dict[int, list[str]]:
    """The pairs that each pair file holds, by its number."""
    grouped: dict[int, list[str]] = defaultdict(list)
    for pair in pairs:
        grouped[bucket(pair, buckets)].append(pair)
    return grouped


def write_index(docs: Sequence[SearchDoc], out_dir: Path) -> None:
    """Write the search index of docs under out_dir/search/, replacing any earlier one there."""
    root = Path(out_dir)
    files, _ = build_index([(doc.url, doc) for doc in docs])
    if (root / ROOT).exists():
        shutil.rmtree(root / ROOT)
    for folder in ("t", "d", "f", "p"):
        (root / ROOT / folder).mkdir(parents=True)
    for path, content in files.items():
        (root / path).write_bytes(content)


# --- incremental build -----------------------------------------------------------------------


class _Previous:
    """The previous index, read through the caller's function, each file decoded once."""

    def __init__(self, read: Callable[[str], bytes]):
        self.read = read
        self.content: dict[str, bytes] = {}
        self.data: dict[str, object] = {}

    def raw(self, path: str) -> bytes:
        if path not in self.content:
            self.content[path] = self.read(path)
        return self.content[path]

    def __getitem__(self, path: str) -> object:
        if path not in self.data:
            self.data[path] = _unscript(self.raw(path))
        return self.data[path]


def update_index(docs: Iterable[tuple[str, LazyDoc]], state: IndexState,
                 read_previous: Callable[[str], bytes]) -> tuple[dict[str, bytes], list[str], IndexState]:
    """Incremental build from the previous state: the same files and bytes as build_index(docs).

    A doc whose key is in the state may be given lazily (a callable), and is then never called
    (but for one, when docs given in URL order turn out to have other URLs than the state's).
    read_previous(path) returns a file of the previous index as written, and raises
    FileNotFoundError or KeyError for one it does not have (asked only of files about to be new).
    Returns the files to write (changed or new), the paths of the previous index to delete, and
    the new state.
    When the set of URLs changes (or the state is of another format), document ids shift: every
    doc is then loaded (one at a time, as by build_index) and the whole index returned.
    Docs are read as they come when they have the state's URLs in its order, as after an edit;
    else they are read again (an iterator is made a list first).
    """
    _start_over_if_full()
    if iter(docs) is docs:
        docs = list(docs)
    in_place = _changed_in_place(docs, state) if state.version == FORMAT_VERSION else None
    if in_place is not None:
        changed, keys = in_place
        return _Update(state, _Previous(read_previous)).run(changed, keys) if changed else ({}, [], state)
    urls = list(state.urls)
    known = dict(zip(state.keys, range(len(urls)))) if state.version == FORMAT_VERSION else {}
    located: list[tuple[str, str, LazyDoc]] = []  # url, key, doc
    for key, doc in docs:
        doc_id = known.get(key)
        if doc_id is not None:
            located.append((urls[doc_id], key, doc))
        else:
            loaded = doc if isinstance(doc, SearchDoc) else doc()
            located.append((loaded.url, key, loaded))
    located.sort(key=lambda item: item[0])
    if [url for url, _, _ in located] != urls or state.version != FORMAT_VERSION:
        files, new_state = build_index([(key, doc) for _, key, doc in located])  # lazy ones in URL order
        return files, sorted(set(state.paths()) - set(files)), new_state
    _check_unique([key for _, key, _ in located], urls)
    changed = {doc_id: doc for doc_id, (_, key, doc) in enumerate(located)
               if key not in known and isinstance(doc, SearchDoc)}  # always loaded above
    if not changed:
        return {}, [], state
    return _Update(state, _Previous(read_previous)).run(changed, Strings(key for _, key, _ in located))


def _changed_in_place(docs: Iterable[tuple[str, LazyDoc]], state: IndexState,
                      ) -> tuple[dict[int, SearchDoc], Strings] | None:
    """The changed docs by id, loaded, and every doc's key, when the docs come in the state's order
    with its URLs and the changed ones have keys the state does not: what an edit gives. Read as
    they come, with no table of keys or URLs: at 100,000 articles those took 55 MB of the main
    process. None when the docs are otherwise."""
    old_keys, urls = state.keys, state.urls
    changed: dict[int, SearchDoc] = {}
    keys = Strings()
    for doc_id, (key, doc) in enumerate(docs):
        if doc_id == len(old_keys):
            return None  # more docs than before
        if key != old_keys[doc_id]:
            loaded = doc if isinstance(doc, SearchDoc) else doc()
            if loaded.url != urls[doc_id]:
                return None
            changed[doc_id] = loaded
        keys.append(key)
    if len(keys) != len(old_keys):
        return None  # fewer docs
    new_keys = {keys[doc_id] for doc_id in changed}
    if len(new_keys) != len(changed) or (new_keys and any(map(new_keys.__contains__, old_keys))):
        return None  # a key twice
    return changed, keys


class _Update:
    """One incremental update: the changed documents' old and new terms, then the files they touch."""

    def __init__(self, state: IndexState, previous: _Previous):
        self.state = state
        self.previous = previous
        self.files: dict[str, bytes] = {}
        self.deleted: list[str] = []
        # per posting list, per pair, per facet: doc id -> its new value (0 or False: none)
        self.postings: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
        self.pairs: dict[str, dict[int, bool]] = defaultdict(dict)
        self.facets: dict[str, dict[int, bool]] = defaultdict(dict)

    def run(self, changed: dict[int, SearchDoc], keys: Strings) -> tuple[dict[str, bytes], list[str], IndexState]:
        state = self.state
        fields, lengths = list(state.fields), array("I", state.lengths)
        docs_data: dict[int, list[dict]] = {}  # documents file -> its documents, as changed
        for doc_id, doc in sorted(changed.items()):
            number, place = divmod(doc_id, DOCS_PER_FILE)
            if number not in docs_data:
                docs_data[number] = list(self.previous[docs_path(number)])  # type: ignore[call-overload]
            old_data = docs_data[number][place]
            old_fields, new_fields = state.fields[doc_id], DocFields.of(doc)
            old, new = analyze(_restore_doc(old_data, old_fields)), analyze(doc)
            for key in old.counts.keys() | new.counts.keys():
                if old.counts.get(key) != new.counts.get(key):
                    self.postings[key][doc_id] = new.counts.get(key, 0)
            for pair in old.pairs ^ new.pairs:
                self.pairs[pair][doc_id] = pair in new.pairs
            old_facets, new_facets = old_fields.facet_keys(), new_fields.facet_keys()
            for key in old_facets ^ new_facets:
                self.facets[key][doc_id] = key in new_facets
            fields[doc_id], lengths[doc_id] = new_fields, new.length
            docs_data[number][place] = _doc_data(doc)
        for number, data in docs_data.items():
            self.put(docs_path(number), _script("d", number, data))
        term_sizes, shards, split = self.update_terms()
        facets = self.update_facets()
        pair_bytes, buckets = self.update_pairs()
        self.put(LENGTHS_PATH, _lengths_file(lengths, fields))
        self.put(META_PATH, _meta(len(state.urls), shards, split, facets, buckets))
        new_state = IndexState(FORMAT_VERSION, state.urls, keys, fields, lengths, term_sizes, sorted(shards),
                               sorted(split), sorted(facets), pair_bytes, buckets)
        return self.files, sorted(self.deleted), new_state

    def put(self, path: str, content: bytes) -> None:
        """Write a file unless the previous index already has these bytes."""
        try:
            same = self.previous.raw(path) == content
        except (FileNotFoundError, KeyError):
            same = False
        if not same:
            self.files[path] = content

    def update_terms(self) -> tuple[dict[str, TermSizes], set[str], set[str]]:
        """Rewrite the entries of the terms whose postings changed, then re-plan their letters."""
        state = self.state
        old_shards, old_split = set(state.shards), set(state.split)
        by_term: dict[str, dict[str, dict[int, int]]] = defaultdict(dict)
        for (term, sig), changes in self.postings.items():
            by_term[term][sig] = changes
        entries: dict[str, list[list[str]]] = {}  # the new entry of each touched term ([]: gone)
        for term, sig_changes in by_term.items():
            entry = dict(self.old_entry(term, old_shards, old_split))
            for sig, changes in sig_changes.items():
                postings = changed_postings(entry.get(sig, ""), changes)
                if postings:
                    entry[sig] = postings
                else:
                    entry.pop(sig, None)
            entries[term] = [[sig, encoded] for sig, encoded in sorted(entry.items())]

        term_sizes = dict(state.term_sizes)
        shards, split = set(old_shards), set(old_split)
        for letter in sorted({term[:1] for term in entries}):
            old_sizes = state.term_sizes[letter].as_dict() if letter in state.term_sizes else {}
            sizes = dict(old_sizes)
            for term, entry in entries.items():
                if term[:1] != letter:
                    continue
                if entry:
                    sizes[term] = _entry_size(term, entry)
                else:
                    sizes.pop(term, None)
            if sizes:
                term_sizes[letter] = TermSizes.of(sizes)
            else:
                term_sizes.pop(letter, None)
            old_plan = defaultdict(list)
            for term in sorted(old_sizes):
                old_plan[shard_for(term, old_shards, old_split)].append(term)
            plan, letter_split = plan_shards(sizes)
            shards -= {key for key in old_shards if key[:1] == letter}
            split -= {key for key in old_split if key[:1] == letter}
            shards |= plan.keys()
            split |= set(letter_split)
            for key, group in plan.items():
                if old_plan.get(key) == group and not any(term in entries for term in group):
                    continue
                content = {term: entries[term] if term in entries else self.old_entry(term, old_shards, old_split)
                           for term in group}
                self.put(_shard_path(key), _script("t", key, content))
            self.deleted += [_shard_path(key) for key in old_plan if key not in plan]
        return term_sizes, shards, split

    def old_entry(self, term: str, shards: set[str], split: set[str]) -> list[list[str]]:
        key = shard_for(term, shards, split)
        if key is None:
            return []
        return self.previous[_shard_path(key)].get(term, [])  # type: ignore[attr-defined]

    def update_facets(self) -> set[str]:
        facets = set(self.state.facets)
        for key, changes in sorted(self.facets.items()):
            ids = set(decode_ids(self.previous[_facet_path(key)])) if key in facets else set()  # type: ignore[arg-type]
            ids |= {doc for doc, member in changes.items() if member}
            ids -= {doc for doc, member in changes.items() if not member}
            if ids:
                facets.add(key)
                self.put(_facet_path(key), _script("f", key, encode_ids(sorted(ids))))
            else:
                facets.discard(key)
                self.deleted.append(_facet_path(key))
        return facets

    def update_pairs(self) -> tuple[int, int]:
        """Change the touched pairs; every pair file is rewritten only when their number changes."""
        old_buckets = self.state.pair_buckets
        total = self.state.pair_bytes
        touched: dict[str, str] = {}  # pair -> its new encoded ids ("": gone)
        for pair, changes in self.pairs.items():
            old = self.old_pairs(bucket(pair, old_buckets)).get(pair, "") if old_buckets else ""
            ids = set(decode_ids(old)) | {doc for doc, member in changes.items() if member}
            ids -= {doc for doc, member in changes.items() if not member}
            touched[pair] = encode_ids(sorted(ids))
            length = len(pair)
            total += (_pair_size(length, len(touched[pair])) if ids else 0) - (_pair_size(length, len(old)) if old else 0)
        buckets = pair_buckets(total)
        if buckets == old_buckets:
            numbers = sorted({bucket(pair, buckets) for pair in touched})
        else:
            numbers = list(range(max(buckets, old_buckets)))
        merged: dict[str, str] = {}
        for number in numbers:
            if number < old_buckets:
                merged.update(self.old_pairs(number))
        merged.update(touched)
        in_file = _pairs_by_file([pair for pair, ids in merged.items() if ids], buckets)
        for number in numbers:
            if number < buckets:
                content = {pair: merged[pair] for pair in in_file[number]}
                self.put(_pair_path(number), _script("p", number, content))
            else:
                self.deleted.append(_pair_path(number))
        return total, buckets

    def old_pairs(self, number: int) -> dict[str, str]:
        return self.previous[_pair_path(number)]  # type: ignore[return-value]
