"""Vietnamese text handling shared by every stage: one normal form, folding, slugs."""

from __future__ import annotations

import re
import unicodedata

from slugify import slugify as _slugify
from vi_textmatch.tone import normalize_tone

# Spaces that scraped pages carry and that must compare equal to a plain space.
_ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_MULTI_SPACE = re.compile(r"[ \t]{2,}")


def normalize(text: str) -> str:
    """NFC, new-style tone placement (hoá -> hóa, uỷ -> ủy), plain spaces.

    Line structure is kept: the cleaner needs it. normalize_tone wants NFC input.
    """
    if text.isascii():
        return text  # each step below changes only non-ASCII characters
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH.sub("", text)
    text = _ODD_SPACES.sub(" ", text)
    text = normalize_tone(text)
    return unicodedata.normalize("NFC", text)


def normalize_name(name: str) -> str:
    """A place or person name in one canonical spelling: normalized, single-spaced, trimmed."""
    return _MULTI_SPACE.sub(" ", normalize(name)).strip()


def fold(text: str) -> str:
    """Lower case without diacritics, đ -> d: what a reader types on a keyboard without Telex.

    đ/Đ have no Unicode decomposition, so stripping combining marks alone keeps them.
    """
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c))


# Names a page may not take: Windows device names (with any extension) and the listing pages'
# own "index", which an article or a province called "Index" would otherwise overwrite.
RESERVED_SLUGS = frozenset({"con", "prn", "aux", "nul", "index", *(f"com{n}" for n in range(10)),
                            *(f"lpt{n}" for n in range(10))})
MAX_SLUG_LENGTH = 200  # bytes, as slugs are ASCII; leaves room for "-2", ".html" within 255
_SAFE_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII slug: "Đắk Lắk" -> "dak-lak"; never empty, never a reserved name, safe as a file name."""
    slug = _slugify(fold(text), max_length=min(max_length, MAX_SLUG_LENGTH), word_boundary=True)
    slug = slug or "bai-viet"
    return f"{slug}-1" if slug in RESERVED_SLUGS else slug


def is_safe_slug(slug: str) -> bool:
    """Lower-case ASCII words joined by '-', not reserved, short enough for any file system."""
    return (len(slug) <= MAX_SLUG_LENGTH and _SAFE_SLUG.fullmatch(slug) is not None
            and slug not in RESERVED_SLUGS)


_SENTENCE_END = re.compile(r"(?<=[.!?…;])\s+(?=[\"“”'(]?[A-ZĐÀ-Ỹ0-9])")


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences (good enough to quote a metric's context)."""
    parts = [p.strip() for p in _SENTENCE_END.split(paragraph)]
    return [p for p in parts if p]
