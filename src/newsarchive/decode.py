"""Turn a seed's bytes into text, or say clearly why it cannot be read.

Seeds are meant to be UTF-8. Older Vietnamese sites and documents used legacy encodings, which show
up in two ways: as bytes that are not UTF-8 (the file was saved in the legacy encoding), or as valid
UTF-8 full of Latin-1 look-alikes ("Vieät Nam", "ViÖt Nam": text typed for a legacy font and
copied as it looked). Both are recognised:

* Windows-1258 (Vietnamese ANSI): Python's codec, then NFC, since it writes tones as combining marks.
* VNI-Windows: a base letter followed by a mark character ("aù" = á), plus a few single characters.
* TCVN3 (ABC, TCVN 5712:1993 VN3): one byte per lower-case letter; it has no capitals with tones.

The VNI and TCVN3 tables below are written from the public encoding definitions and built by
composing base letters with marks. A conversion is used only when its result is clearly Vietnamese
(no stray foreign letters, common Vietnamese words present); it is reported as a warning so an
editor can check it. Anything else is an error that says what to do.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .problems import InputError

# A news article is tens of kilobytes; extraction takes ~15 s per megabyte, so a far bigger seed is
# a page dump or the wrong file, and would stall ingest.
MAX_SEED_BYTES = 2 * 1024 * 1024

_ACUTE, _GRAVE, _HOOK, _TILDE, _DOT = "\u0301", "\u0300", "\u0309", "\u0303", "\u0323"
_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"

# Every Vietnamese letter with a diacritic, both cases: the vowels with their shapes and five tones, đ.
_VOWEL_SHAPES = ("a", "a" + _BREVE, "a" + _CIRCUMFLEX, "e", "e" + _CIRCUMFLEX, "i", "o", "o" + _CIRCUMFLEX,
                 "o" + _HORN, "u", "u" + _HORN, "y")
VIETNAMESE_LETTERS = frozenset(
    unicodedata.normalize("NFC", case(shape) + tone)
    for shape in _VOWEL_SHAPES for tone in ("", _ACUTE, _GRAVE, _HOOK, _TILDE, _DOT)
    for case in (str.lower, str.upper)
) - set("aeiouyAEIOUY") | {"đ", "Đ"}
# Those that Latin-1 lacks: their presence is what tells Vietnamese from French or German.
_VIETNAMESE_ONLY = frozenset(c for c in VIETNAMESE_LETTERS if ord(c) > 0xFF)
# Words so frequent that any paragraph of Vietnamese prose has several of them.
_COMMON_WORDS = frozenset(["và", "của", "các", "được", "là", "người", "những", "với", "đã", "này", "không", "một", "để", "năm", "về", "có", "trong", "cho"])
_WORD = re.compile(r"\w+")


def _compose(base: str, *marks: str) -> str:
    return unicodedata.normalize("NFC", base + "".join(marks))


# --- VNI-Windows -----------------------------------------------------------------------------------
# Mark characters (lower-case form; they follow the case of the base letter).
_VNI_TONES = {"ù": _ACUTE, "ø": _GRAVE, "û": _HOOK, "õ": _TILDE, "ï": _DOT}
_VNI_CIRCUMFLEX = {"â": "", "á": _ACUTE, "à": _GRAVE, "å": _HOOK, "ã": _TILDE, "ä": _DOT}
_VNI_BREVE = {"ê": "", "é": _ACUTE, "è": _GRAVE, "ú": _HOOK, "ü": _TILDE, "ë": _DOT}
# Letters that are one character in VNI: i with tones, ỵ, đ, and the horned ơ/ư (which take tones).
_VNI_SINGLE = {"í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ", "ñ": "đ", "ô": "ơ", "ö": "ư"}


def _vni_table() -> dict[str, str]:
    lower: dict[str, str] = dict(_VNI_SINGLE)
    for base in ("a", "e", "o", "u", "y", "ô", "ö"):
        for mark, tone in _VNI_TONES.items():
            if not (base == "y" and tone == _DOT):  # ỵ is the single character "î"
                lower[base + mark] = _compose(_VNI_SINGLE.get(base, base), tone)
    for base in ("a", "e", "o"):
        for mark, tone in _VNI_CIRCUMFLEX.items():
            lower[base + mark] = _compose(base, _CIRCUMFLEX, tone)
    for mark, tone in _VNI_BREVE.items():
        lower["a" + mark] = _compose("a", _BREVE, tone)
    return {**lower, **{legacy.upper(): letter.upper() for legacy, letter in lower.items()}}


# --- TCVN3 (ABC) ----------------------------------------------------------------------------------
# Bytes in the order of the standard's table: each vowel shape, then its tones in the order
# grave, hook, tilde, acute, dot below.
_TCVN3_TONES = (_GRAVE, _HOOK, _TILDE, _ACUTE, _DOT)
_TCVN3_RUNS = (
    ("a", (0xB5, 0xB6, 0xB7, 0xB8, 0xB9)), ("ă", (0xBB, 0xBC, 0xBD, 0xBE, 0xC6)),
    ("â", (0xC7, 0xC8, 0xC9, 0xCA, 0xCB)), ("e", (0xCC, 0xCE, 0xCF, 0xD0, 0xD1)),
    ("ê", (0xD2, 0xD3, 0xD4, 0xD5, 0xD6)), ("i", (0xD7, 0xD8, 0xDC, 0xDD, 0xDE)),
    ("o", (0xDF, 0xE1, 0xE2, 0xE3, 0xE4)), ("ô", (0xE5, 0xE6, 0xE7, 0xE8, 0xE9)),
    ("ơ", (0xEA, 0xEB, 0xEC, 0xED, 0xEE)), ("u", (0xEF, 0xF1, 0xF2, 0xF3, 0xF4)),
    ("ư", (0xF5, 0xF6, 0xF7, 0xF8, 0xF9)), ("y", (0xFA, 0xFB, 0xFC, 0xFD, 0xFE)),
)
_TCVN3_PLAIN = {0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
                0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ"}


def _tcvn3_table() -> dict[str, str]:
    table = {chr(byte): letter for byte, letter in _TCVN3_PLAIN.items()}
    for shape, codes in _TCVN3_RUNS:
        table.update({chr(code): _compose(shape, tone) for code, tone in zip(codes, _TCVN3_TONES)})
    return table


VNI = _vni_table()
TCVN3 = _tcvn3_table()
_VNI_MARKS = frozenset(case(mark) for mark in (*_VNI_TONES, *_VNI_CIRCUMFLEX, *_VNI_BREVE)
                       for case in (str.lower, str.upper))
_VNI_PAIR = re.compile("|".join(sorted(re.escape(k) for k in VNI if len(k) == 2)))
_VNI_ANY = re.compile("|".join(re.escape(k) for k in sorted(VNI, key=lambda k: (-len(k), k))))


def vni_to_unicode(text: str) -> tuple[str, int]:
    """The text with VNI sequences converted, and how many mark characters were left unexplained."""
    converted = _VNI_ANY.sub(lambda m: VNI[m.group()], text)
    # A mark the table did not consume (after a consonant, say) means this is not VNI after all.
    leftovers = sum(1 for c in _VNI_ANY.sub("", text) if c in _VNI_MARKS)
    return converted, leftovers


def tcvn3_to_unicode(text: str) -> str:
    return "".join(TCVN3.get(c, c) for c in text)


def looks_vietnamese(text: str) -> bool:
    """Clearly Vietnamese prose: Vietnamese letters, no stray foreign letters, common words present."""
    text = unicodedata.normalize("NFC", text)
    foreign = sum(1 for c in text if ord(c) > 0x7F and c.isalpha() and c not in VIETNAMESE_LETTERS)
    foreign += sum(1 for c in text if unicodedata.combining(c))  # a tone mark that fits no letter
    vietnamese = sum(1 for c in text if c in _VIETNAMESE_ONLY)
    words = {w for w in _WORD.findall(text.lower()) if w in _COMMON_WORDS}
    return vietnamese >= 3 and foreign * 100 <= vietnamese and len(words) >= 2


# --- recognising what a file is -------------------------------------------------------------------

@dataclass(frozen=True)
class Decoded:
    text: str
    warning: str | None = None  # set when the text was converted from a legacy encoding


_HOW_TO_CONVERT = ("Convert it to Unicode (UniKey's converter: Công cụ → Chuyển mã, destination "
                   "\"Unicode dựng sẵn\") and save it as UTF-8.")


def _legacy_signs(text: str) -> tuple[int, int]:
    """How many VNI mark pairs and TCVN3 letter bytes follow a letter: the encodings' fingerprints.

    Legacy Vietnamese is mostly ASCII (the base letters); text that is not is binary junk.
    """
    if sum(1 for c in text if c < "\x80") < 0.6 * len(text):
        return 0, 0
    vni = len(_VNI_PAIR.findall(text))
    tcvn3 = sum(1 for i in range(1, len(text)) if text[i] in TCVN3 and 0xA1 <= ord(text[i]) <= 0xC6
                and text[i - 1].isalpha())
    return vni, tcvn3


def _from_legacy(text: str, how: str) -> Decoded | None:
    """The text converted from VNI or TCVN3 when exactly that reading is clearly Vietnamese."""
    vni, leftovers = vni_to_unicode(text)
    if leftovers == 0 and looks_vietnamese(vni):
        return Decoded(vni, f"{how} VNI-Windows; it was converted to Unicode. Check the text, then save the "
                            f"seed as UTF-8 to silence this warning.")
    tcvn3 = tcvn3_to_unicode(text)
    if looks_vietnamese(tcvn3):
        return Decoded(tcvn3, f"{how} TCVN3 (ABC); it was converted to Unicode. TCVN3 has no capital letters "
                              f"with tone marks, so check the capitals of headings, then save the seed as UTF-8.")
    return None


def _from_cp1258(data: bytes) -> Decoded | None:
    """Windows-1258 writes tones as combining marks after the letter; NFC makes them one character."""
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:  # bytes the code page leaves undefined: not Windows-1258
        return None
    if not looks_vietnamese(text):
        return None
    return Decoded(text, "the file is not UTF-8 but Windows-1258 (Vietnamese ANSI); it was read as such. "
                         "Check the text, then save the seed as UTF-8 to silence this warning.")


def read_seed(path: Path) -> Decoded:
    """The seed's text and, when it was converted from a legacy encoding, a warning saying so."""
    try:
        size = path.stat().st_size
        if size > MAX_SEED_BYTES:
            raise InputError(path, f"the file is {size // 1024} KiB, far more than one article "
                                   f"(the limit is {MAX_SEED_BYTES // 1024} KiB). Is it a whole page dump? "
                                   f"Split it into one file per article.")
        data = path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read the file ({err.strerror}).") from err
    return decode_bytes(data, path)


def decode_seed(path: Path) -> str:
    return read_seed(path).text


def seed_warning(path: Path) -> str | None:
    """What ingest reports about a seed it read: a legacy encoding converted (errors surface elsewhere)."""
    try:
        return read_seed(path).warning
    except InputError:
        return None


def decode_bytes(data: bytes, path: Path | str) -> Decoded:
    """The text of a seed, with newlines made plain; InputError when it cannot be read for sure."""
    text = _unicode_text(data, path)
    if text is None:
        legacy = _from_legacy(data.decode("latin-1"), "the file is not UTF-8 but") or _from_cp1258(data)
        if legacy is None:
            vni, tcvn3 = _legacy_signs(data.decode("latin-1"))
            line = _first_bad_line(data)
            if vni or tcvn3:
                name = "VNI" if vni >= tcvn3 else "TCVN3 (ABC)"
                raise InputError(path, f"not valid UTF-8; it looks like the legacy {name} encoding, but it "
                                       f"could not be converted with certainty. {_HOW_TO_CONVERT}", line)
            raise InputError(path, "not valid UTF-8, nor recognisably Windows-1258, VNI or TCVN3. Open it in an "
                                   "editor that can tell its encoding and save it as UTF-8.", line)
        text, warning = legacy.text, legacy.warning
    else:
        warning = None
        if not any(c in _VIETNAMESE_ONLY for c in text) and any(_legacy_signs(text)):
            converted = _from_legacy(text, "the text is UTF-8 but was typed in the legacy encoding")
            if converted is not None:
                text, warning = converted.text, converted.warning
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Decoded(text, warning)


def _unicode_text(data: bytes, path: Path | str) -> str | None:
    """UTF-8 (with or without BOM) or UTF-16/32 with a BOM; None when the bytes are not UTF-8."""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return _refuse_binary(data.decode(codec), path)
            except UnicodeDecodeError as err:
                raise InputError(path, f"starts with a {codec.upper()} byte-order mark but is not valid "
                                       f"{codec.upper()}. Save it as UTF-8.") from err
    if b"\x00" in data[:4096]:
        raise InputError(path, "this is not a text file (it contains NUL bytes). Remove it from seeds/.")
    try:
        return _refuse_binary(data.decode("utf-8-sig"), path)
    except UnicodeDecodeError:
        return None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _refuse_binary(text: str, path: Path | str) -> str:
    """Text with many control characters is a binary file that happens to decode."""
    if len(_CONTROL.findall(text[:65536])) * 100 > max(len(text[:65536]), 1):
        raise InputError(path, "this is not a text file (it is full of control characters). Remove it from seeds/.")
    return _CONTROL.sub("", text)  # a few stray ones are noise that YAML could not even write


def _first_bad_line(data: bytes) -> int:
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return data[: err.start].count(b"\n") + 1
    return 1
