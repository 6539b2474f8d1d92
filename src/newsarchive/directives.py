"""Party documents named in an article: the catalogue of central documents and a number grammar.

Three shapes of reference are recognised:

* a full number, `<number>-<kind code>/<issuer code>` ("05-CT/TW", "56-CTr/TU"), also in the swapped
  government style ("05/CT-TW") and with the typo "/W". Issuer TW (or TƯ, or W with its T lost)
  is central and becomes a `DirectiveRef`; any other party issuer (TU, HU, ĐU, QU, TĐTN...) is a
  `LocalDocument`, never a directive; central departments' own codes ("BTGTW") are neither;
* a kind word and a bare number ("Chỉ thị số 05", "CT 05", "Chị thị 05 của Bộ Chính trị (khóa
  XII)"), resolved through the catalogue by kind and number, preferring the campaign's documents;
  a bare number that the catalogue lacks is kept only when the text names a central issuer;
* a plenum ("Nghị quyết Trung ương 4 khóa XII", "NQ TW4 (khóa XI)", "Nghị quyết Hội nghị lần thứ tư
  Ban Chấp hành Trung ương khóa XII"), resolved through the catalogue's `plenum` and `term`.

Matching runs on `text.fold`ed text (lower case, no diacritics), one character for one character of
the original, so typos of tone marks ("Chị thị") and upper case cost nothing and evidence is always
cut from the words as written.

Primary document, first rule that decides:
1. named in the title;
2. the document the reported event reviews: the first document after "sơ kết", "tổng kết" or
   "N năm (triển khai) thực hiện" in the same sentence (a conference reviewing Kết luận 01 is about
   01-KL/TW even though it is "về tiếp tục thực hiện Chỉ thị 05");
3. the campaign document (`campaign: true`) mentioned most;
4. the document mentioned most.
Ties go to the earlier first appearance.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .config import package_yaml
from .records import DirectiveRef, LocalDocument
from .text import fold, normalize

KINDS = ("chỉ thị", "nghị quyết", "kết luận", "quy định")
CENTRAL_ISSUERS = ("Bộ Chính trị", "Ban Bí thư", "Ban Chấp hành Trung ương")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
         "XV", "XVI", "XVII", "XVIII", "XIX", "XX")


@dataclass(frozen=True)
class Directive:
    """One central document of the catalogue (data/directives.yaml)."""

    id: str  # "05-CT/TW"
    kind: str  # one of KINDS
    code: str  # "CT", "NQ", "KL", "QĐ", "QĐi"
    number: str  # "05"
    issuer: str  # one of CENTRAL_ISSUERS
    term: str  # "XII"
    date: str  # ISO 8601
    title: str
    campaign: bool
    source: str
    plenum: int | None = None  # the Central Committee plenum that adopted it
    uncertain: tuple[str, ...] = ()  # fields not confirmed by the source


@lru_cache(maxsize=1)
def _load_catalogue() -> tuple[Directive, ...]:
    raw = package_yaml(resources.files("newsarchive").joinpath("data/directives.yaml").read_text("utf-8"))
    entries = []
    for item in raw:
        value = item["date"]
        date = value.isoformat() if isinstance(value, datetime.date) else str(value)
        directive = Directive(
            id=item["id"], kind=item["kind"], code=item["code"], number=str(item["number"]),
            issuer=item["issuer"], term=str(item["term"]), date=date,
            title=" ".join(normalize(item["title"]).split()), campaign=bool(item["campaign"]),
            source=item["source"], plenum=item.get("plenum"), uncertain=tuple(item.get("uncertain") or ()),
        )
        _check_entry(directive)
        entries.append(directive)
    ids = [d.id for d in entries]
    if len(set(ids)) != len(ids):
        raise ValueError("data/directives.yaml: an id is listed twice")
    return tuple(entries)


def _check_entry(d: Directive) -> None:
    """A catalogue entry must agree with itself: the grammar relies on id = number-code/TW."""
    problems = []
    if d.id != f"{d.number}-{d.code}/TW":
        problems.append(f"id is not {d.number}-{d.code}/TW")
    if d.kind not in KINDS:
        problems.append(f"kind {d.kind!r} is not one of {KINDS}")
    if d.issuer not in CENTRAL_ISSUERS:
        problems.append(f"issuer {d.issuer!r} is not one of {CENTRAL_ISSUERS}")
    if d.term not in ROMAN:
        problems.append(f"term {d.term!r} is not a Roman numeral")
    datetime.date.fromisoformat(d.date)
    if problems:
        raise ValueError(f"data/directives.yaml, {d.id}: " + "; ".join(problems))


@lru_cache(maxsize=1)
def _ids() -> frozenset[str]:
    return frozenset(d.id for d in _load_catalogue())


def catalogue() -> dict[str, Directive]:
    """The central documents by canonical id, in catalogue order."""
    return {d.id: d for d in _load_catalogue()}


# ---------------------------------------------------------------------------------------------
# Grammar (patterns over folded text: lower case, no diacritics, đ -> d)

# Kind codes inside a document number, folded -> canonical. Longest first for the alternation.
_KIND_CODES = {
    "ctr": "CTr", "qdi": "QĐi", "ttr": "TTr", "ct": "CT", "nq": "NQ", "kl": "KL", "qd": "QĐ",
    "kh": "KH", "hd": "HD", "tb": "TB", "bc": "BC", "da": "ĐA", "qc": "QC", "cv": "CV",
}
_CODE_ALT = "|".join(sorted(_KIND_CODES, key=lambda c: (-len(c), c)))
_DASH = "[-\u2013\u2014]"
_NUMBER = re.compile(
    rf"(?<![\w/.-])(?P<num>\d{{1,4}})\s*(?P<sep1>{_DASH}|/)\s*(?P<code>{_CODE_ALT})"
    rf"\s*(?P<sep2>/|{_DASH})\s*(?P<issuer>[a-z]{{1,8}}(?:-[a-z]{{1,8}})?)(?![\w])"
)
# Words that name the kind of a document, folded; used to extend a number's evidence leftwards.
_DOC_WORDS = (
    r"chuong trinh hanh dong|chuong trinh|ke hoach|huong dan|thong bao|bao cao|de an|quy che|"
    r"cong van|to trinh|chi thi|nghi quyet|ket luan|quy dinh|qui dinh|quyet dinh|ct|nq|kl|qd"
)
_DOC_WORDS_BEFORE = re.compile(rf"\b(?:{_DOC_WORDS})\s*(?:so\s*)?$")

# Kind word + bare number. "chi thi" also covers the typos "Chị thị", "Chỉ thi".
_BARE_KINDS = {"chi thi": "CT", "nghi quyet": "NQ", "ket luan": "KL", "quy dinh": "QĐ", "qui dinh": "QĐ",
               "ct": "CT", "nq": "NQ", "kl": "KL"}
_ABBREVIATIONS = ("ct", "nq", "kl")  # count only when written in capitals ("CT 05")
_BARE = re.compile(
    r"\b(?P<kind>chi thi|nghi quyet|ket luan|quy dinh|qui dinh|ct|nq|kl)\s*(?:so\s*)?(?P<num>\d{1,3})\b"
    r"(?:\s*/\s*(?P<issuer>tw|tu)\b)?"  # "CT05/TW", "KL 01/TƯ": the issuer without the kind code
    rf"(?!\s*(?:{_DASH}|/)\s*[a-z0-9])"
)
_DATE = r"\s*,?\s*ngay\s*\d{1,2}\s*[/-]\s*\d{1,2}\s*[/-]\s*\d{2,4}"
_CENTRAL_BODY = (r"bo chinh tri|ban bi thu|ban chap hanh trung uong(?: dang)?|bch\s*trung uong|bch\s*tw|"
                 r"bchtw|trung uong dang|trung uong|tw")
_LOCAL_BODY = (r"(?:ban thuong vu|ban chap hanh|bch|thuong truc)?\s*(?:tinh uy|huyen uy|thanh uy|quan uy|"
               r"thi uy|dang uy|dang bo|chi bo|ubnd|uy ban|hdnd|hoi dong|chinh phu|thu tuong|quoc hoi|"
               r"so |bo (?!chinh tri)|tinh |huyen |xa )")
_TERM = r"\s*,?\s*\(?\s*khoa\s*(?P<term>[ivx]{1,5}|\d{1,2})\b\s*\)?"
_QUALIFIER = re.compile(rf"(?:{_DATE})?(?:\s*,?\s*cua\s+(?P<central>{_CENTRAL_BODY})\b)?(?:{_TERM})?")
_LOCAL_QUALIFIER = re.compile(rf"(?:{_DATE})?\s*,?\s*cua\s+{_LOCAL_BODY}")

# Plenum references.
_ORDINALS = {"nhat": 1, "mot": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6, "bay": 7,
             "tam": 8, "chin": 9, "muoi": 10}
_ORDINAL_ALT = "|".join(sorted(_ORDINALS, key=lambda w: (-len(w), w)))
_PLENUM_KIND = r"(?P<kind>nghi quyet|nq|ket luan|kl)"
_PLENUM = re.compile(
    rf"\b{_PLENUM_KIND}\s*(?:hoi nghi\s*)?(?:"
    # "Nghị quyết (Hội nghị) Trung ương 4", "NQ TW4", "NQ TƯ 4"
    rf"(?:ban chap hanh\s*)?(?:trung uong|tw|tu(?=\s*\d))\s*(?:dang\s*)?(?:lan thu\s*)?(?P<n1>\d{{1,2}})\b"
    # "Nghị quyết Hội nghị lần thứ tư Ban Chấp hành Trung ương (Đảng)"
    rf"|(?:lan thu\s*)(?P<n2>\d{{1,2}}|{_ORDINAL_ALT})\b\s*(?:ban chap hanh trung uong|bch\s*tw|bch\s*trung uong|"
    rf"trung uong)(?:\s*dang)?"
    rf")(?:{_TERM}(?:\s*(?:,|va)\s*(?:khoa\s*)?(?P<term2>[ivx]{{1,5}})\b\s*\)?)?)?"
)
_PLENUM_KIND_CODE = {"nghi quyet": "NQ", "nq": "NQ", "ket luan": "KL", "kl": "KL"}

# "sơ kết / tổng kết / N năm (triển khai) thực hiện": the event reviews the next document named.
_REVIEW = re.compile(r"\b(?:so ket|tong ket|\d+\s*nam\s*(?:trien khai\s*)?(?:thuc hien|trien khai))\b")
_SENTENCE_END = re.compile(r"[.!?;:]\s")
_REVIEW_REACH = 120  # characters between the review words and the document they review


def _aligned_fold(text: str) -> str:
    """fold() one character at a time, so that positions in the result are positions in `text`."""
    out = []
    for char in text:
        folded = fold(char)
        out.append(folded[0] if folded else char)
    return "".join(out)


def _pad(number: str) -> str:
    """Party numbering writes numbers below 10 with a leading zero: "5" -> "05"."""
    return f"{int(number):02d}"


def _roman(term: str) -> str:
    if term.isdigit():
        value = int(term)
        return ROMAN[value - 1] if 1 <= value <= len(ROMAN) else term
    return term.upper()


@dataclass
class _Mention:
    id: str
    form: str  # the words as written
    order: tuple[int, int]  # (block, offset); block -1 is the title
    end: int
    central: bool = True
    plenum: int | None = None  # set while a plenum reference without a term awaits resolution
    review: str | None = None  # the words saying the event reviews this document


def _issuer_code(written: str) -> tuple[str, str]:
    """(canonical issuer code, scope) from the issuer as written; scope is central, local or other.

    "TW" (also "TƯ", and "W" with its T lost) is the Central Committee and its Politburo and
    Secretariat. Codes that end in TW belong to central departments ("HD/BTGTW"): their guidance
    is neither a directive of the campaign nor a local document.
    """
    code = written.upper()
    if code in ("TW", "TƯ", "W"):
        return "TW", "central"
    if code.endswith(("TW", "TƯ")):
        return code, "other"
    return code, "local"


def _number_mentions(block: int, text: str, folded: str) -> list[_Mention]:
    mentions = []
    for match in _NUMBER.finditer(folded):
        issuer, scope = _issuer_code(text[match.start("issuer"):match.end("issuer")])
        standard = match["sep1"] != "/" and match["sep2"] == "/"
        if scope == "other" or not standard and scope != "central":
            continue  # "05/CT-TTg", "12/KH-UBND": government style, not a party document
        number = _pad(match["num"])
        code = _KIND_CODES[match["code"]]
        start = match.start()
        before = _DOC_WORDS_BEFORE.search(folded, max(0, start - 40), start)
        if before:
            start = before.start()
        doc_id = f"{number}-{code}/{issuer}"
        if code == "QĐ" and doc_id not in _ids() and f"{number}-QĐi/TW" in _ids() and scope == "central":
            doc_id = f"{number}-QĐi/TW"  # "08-QĐ/TW" for 08-QĐi/TW: the i is often lost
        mentions.append(_Mention(doc_id, text[start:match.end()], (block, start), match.end(), scope == "central"))
    return mentions


def _bare_mentions(block: int, text: str, folded: str, taken: list[tuple[int, int]]) -> list[_Mention]:
    entries = _load_catalogue()
    mentions = []
    for match in _BARE.finditer(folded):
        if any(s <= match.start() < e for s, e in taken):
            continue
        kind = match["kind"]
        if kind in _ABBREVIATIONS and not text[match.start():match.end("kind")].isupper():
            continue
        issuer = match["issuer"] and _issuer_code(text[match.start("issuer"):match.end("issuer")])[1]
        if issuer == "local":
            continue  # "CT05/TU": the provincial committee's, written as its own
        if _LOCAL_QUALIFIER.match(folded, match.end()):
            continue  # "Chỉ thị 05 của Tỉnh ủy": a local document without its full number
        qualifier = _QUALIFIER.match(folded, match.end())
        term = _roman(qualifier["term"]) if qualifier["term"] else None
        code = _BARE_KINDS[kind]
        number = _pad(match["num"])
        family = ("QĐ", "QĐi") if code == "QĐ" else (code,)
        candidates = sorted(
            (d for d in entries if d.code in family and d.number == number),
            key=lambda d: (term is not None and d.term != term, not d.campaign, d.id),
        )
        if candidates:
            doc_id = candidates[0].id
        elif qualifier["central"] or issuer:
            doc_id = f"{number}-{code}/TW"  # central, but not in the catalogue: flagged for review
        else:
            continue
        end = qualifier.end() if (qualifier["central"] or term) else match.end()
        form = text[match.start():end].rstrip(" ,")
        mentions.append(_Mention(doc_id, form, (block, match.start()), end))
    return mentions


def _plenum_mentions(block: int, text: str, folded: str) -> list[_Mention]:
    """Plenum references; "Nghị quyết Trung ương 4 khóa XI, XII" names two documents."""
    mentions = []
    for match in _PLENUM.finditer(folded):
        raw = match["n1"] or match["n2"]
        plenum = int(raw) if raw.isdigit() else _ORDINALS[raw]
        form = text[match.start():match.end()].rstrip(" ,")
        order = (block, match.start())
        if not match["term"]:
            mentions.append(_Mention("", form, order, match.end(), plenum=plenum))
            continue
        for term in (match["term"], match["term2"]):
            doc_id = _plenum_document(plenum, _roman(term), _PLENUM_KIND_CODE[match["kind"]]) if term else None
            if doc_id:  # None: a plenum the catalogue does not hold, with no number to give it
                mentions.append(_Mention(doc_id, form, order, match.end()))
    return mentions


def _plenum_document(plenum: int, term: str, code: str) -> str | None:
    """The catalogue's document of a plenum, preferring the kind the text names, then NQ, then KL."""
    preference = [code, "NQ", "KL"]
    found = [d for d in _load_catalogue() if d.plenum == plenum and d.term == term]
    found.sort(key=lambda d: (preference.index(d.code) if d.code in preference else len(preference), d.id))
    return found[0].id if found else None


def _mark_reviews(block: int, text: str, folded: str, mentions: list[_Mention]) -> None:
    """Mark the first document after each review phrase in the same sentence."""
    for review in _REVIEW.finditer(folded):
        stop = _SENTENCE_END.search(folded, review.end())
        limit = min(stop.start() if stop else len(folded), review.end() + _REVIEW_REACH)
        following = [m for m in mentions if m.order[0] == block and review.end() <= m.order[1] < limit]
        if following:
            first = min(following, key=lambda m: m.order)
            if first.review is None:
                first.review = text[review.start():first.end]


def _scan(block: int, text: str) -> list[_Mention]:
    folded = _aligned_fold(text)
    numbers = _number_mentions(block, text, folded)
    plenums = _plenum_mentions(block, text, folded)
    taken = [(m.order[1], m.end) for m in numbers + plenums]
    mentions = numbers + plenums + _bare_mentions(block, text, folded, taken)
    mentions.sort(key=lambda m: m.order)
    _mark_reviews(block, text, folded, mentions)
    return mentions


def find_directives(title: str, paragraphs: list[str]) -> tuple[list[DirectiveRef], list[LocalDocument]]:
    """Central documents (with one primary) and local document numbers, by first appearance."""
    mentions: list[_Mention] = []
    for block, text in enumerate([title, *paragraphs], start=-1):
        mentions.extend(_scan(block, unicodedata.normalize("NFC", text)))

    # A plenum named without its term is the one of the same number named with it elsewhere.
    by_plenum = {}
    for m in mentions:
        if m.plenum is None and m.id:
            directive = catalogue().get(m.id)
            if directive and directive.plenum is not None:
                by_plenum.setdefault(directive.plenum, m.id)
    resolved = []
    for m in mentions:
        if m.plenum is not None:
            if m.plenum not in by_plenum:
                continue
            m.id = by_plenum[m.plenum]
        resolved.append(m)

    local: dict[str, LocalDocument] = {}
    central: dict[str, list[_Mention]] = {}
    for m in resolved:
        if m.central:
            central.setdefault(m.id, []).append(m)
        else:
            local.setdefault(m.id, LocalDocument(m.id, m.form))
    return _directive_refs(central), list(local.values())


def _directive_refs(central: dict[str, list[_Mention]]) -> list[DirectiveRef]:
    if not central:
        return []
    known = catalogue()
    primary_id, why = _choose_primary(central, known)
    refs = []
    for doc_id, found in central.items():
        forms = list(dict.fromkeys(m.form for m in found))
        directive = known.get(doc_id)
        if doc_id == primary_id:
            reason = why
        else:
            reason = f"Không phải văn bản chính: nhắc {len(found)} lần; bài viết chủ yếu nói về {primary_id}."
        if directive is None:
            reason += " Số hiệu không có trong danh mục văn bản, cần kiểm tra."
        refs.append(DirectiveRef(id=doc_id, primary=doc_id == primary_id, mentions=len(found), evidence=forms,
                                 reason=reason, title=directive.title if directive else ""))
    return refs


def _choose_primary(central: dict[str, list[_Mention]], known: dict[str, Directive]) -> tuple[str, str]:
    """The primary document and the reason, by the rules of the module docstring."""
    ids = list(central)  # already in order of first appearance
    in_title = [i for i in ids if any(m.order[0] == -1 for m in central[i])]
    if in_title:
        form = next(m.form for m in central[in_title[0]] if m.order[0] == -1)
        return in_title[0], f"Văn bản chính: được nêu trong tiêu đề bài viết (“{form}”)."
    reviewed = [i for i in ids if any(m.review for m in central[i])]
    if reviewed:
        words = next(m.review for m in central[reviewed[0]] if m.review)
        return reviewed[0], f"Văn bản chính: bài viết đánh giá kết quả thực hiện văn bản này (“{words}”)."
    campaign = [i for i in ids if i in known and known[i].campaign]
    pool, what = (campaign, "văn bản của Cuộc vận động") if campaign else (ids, "văn bản")
    best = max(pool, key=lambda i: (len(central[i]), -ids.index(i)))
    tied = [i for i in pool if len(central[i]) == len(central[best])]
    tie = ", nêu trước các văn bản được nhắc bằng số lần" if len(tied) > 1 else ""
    return best, f"Văn bản chính: {what} được nhắc nhiều nhất ({len(central[best])} lần{tie})."
