"""Turn a seed's bytes into text, or say clearly why it cannot be read."""

from __future__ import annotations

import codecs
from pathlib import Path

from .problems import InputError


def decode_seed(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read the file ({err.strerror}).") from err
    return decode_bytes(data, path)


def decode_bytes(data: bytes, path: Path | str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise InputError(path, "this is not a text file (it contains NUL bytes). Remove it from seeds/.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(path, "not valid UTF-8. Save the file as UTF-8 (legacy Vietnamese encodings "
                               "such as Windows-1258, TCVN3 or VNI must be converted first).", line) from err
    return text.replace("\r\n", "\n").replace("\r", "\n")
