"""Bytes to text for the readers: :func:`decode_bytes` finds the encoding of an Arabic text file
(UTF-8 with or without BOM, UTF-16/32 with BOM, Windows-1256, ISO-8859-6; charset-normalizer
for what is left, checked for Arabic letters) and decodes it, naming any damage."""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

from charset_normalizer import from_bytes

# ---------------------------------------------------------------------------------------------
# Encodings

_BOMS = (  # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Legacy single-byte encodings that carry Arabic; the detector may only choose among these.
ARABIC_LEGACY_CODECS = ("cp1256", "iso8859_6")
ASCII_COMPATIBLE = {"utf-8", "utf-8-sig", *ARABIC_LEGACY_CODECS}
SNIFF_BYTES = 1 << 16  # how much of a streamed file decides its encoding
_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3]")
# Latin-1 letters (à é ç ...) and ¬ inside Arabic text: ISO-8859-6 letters and comma read as cp1256.
_MOJIBAKE = re.compile(r"[\u00AC\u00C0-\u00FF]")
_DEFINITE_ARTICLE = re.compile(r"(?<!\w)ال")
# C0 and C1 control characters but tab, line feed, vertical tab, form feed, carriage return
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _looks_like_text(text: str) -> bool:
    """False for binary data: more than 1 in 200 characters are control characters."""
    return len(_CONTROL.findall(text)) * 200 <= len(text)


def _is_arabic_text(text: str) -> bool:
    """Arabic letters are present and Latin-1 look-alikes are rare among them (<5%)."""
    arabic = len(_ARABIC_LETTER.findall(text))
    return arabic > 0 and len(_MOJIBAKE.findall(text)) * 20 <= arabic and _looks_like_text(text)


def decode_strict(data: bytes, codec: str, complete: bool = True) -> str | None:
    """`data` decoded, or None when it is not valid `codec` (a cut last character is allowed
    when the data is only the beginning of a file)."""
    try:
        return codecs.getincrementaldecoder(codec)().decode(data, final=complete)
    except UnicodeDecodeError:
        return None


class _Decoded(NamedTuple):
    codec: str
    text: str
    warning: str = ""  # what was dropped or replaced to read it, for a kept-with-warning Problem


_CUT_CHARACTER = "file ends inside a character; last character dropped"
MAX_REPLACED = 200  # UTF-8 with at most 1 bad byte in this many characters is damaged UTF-8


def decode_cut(data: bytes, codec: str, complete: bool) -> _Decoded | None:
    """`data` decoded strictly; when it is a whole file that ends inside a character (a cut
    download), the cut character is dropped with a warning. None when it is not `codec`."""
    text = decode_strict(data, codec, complete)
    if text is not None:
        return _Decoded(codec, text)
    if complete and (text := decode_strict(data, codec, complete=False)) is not None:
        return _Decoded(codec, text, _CUT_CHARACTER)
    return None


def _decode_damaged_utf8(data: bytes) -> _Decoded | None:
    """UTF-8 with a few bad bytes (disk or transfer damage), each replaced by U+FFFD, or None
    when they are more than 1 in 200 characters: text in a legacy Arabic codec is invalid
    UTF-8 at nearly every letter, so it is never read as damaged UTF-8."""
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd")
    if replaced * MAX_REPLACED > len(text) or not _looks_like_text(text):
        return None
    return _Decoded("utf-8", text, f"{replaced} undecodable bytes replaced")


def detect(data: bytes, *, complete: bool = True, hint: str | None = None) -> _Decoded | None:
    """The codec to read `data` with and the text it gives, or None for binary or
    undecodable bytes.

    Order: a byte-order mark; UTF-16 without BOM when there are NUL bytes; strict UTF-8;
    `hint` (an HTML page's declared charset); UTF-8 with a few bad bytes replaced
    (:func:`_decode_damaged_utf8`); then charset-normalizer restricted to the Arabic legacy
    codecs (:func:`_detect_legacy`). A whole file cut inside its last character is read
    without it (:func:`decode_cut`).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            found = decode_cut(data, codec, complete)
            return found if found is not None and _looks_like_text(found.text) else None
    if b"\x00" in data:
        for codec in ("utf-16-le", "utf-16-be"):
            found = decode_cut(data, codec, complete)
            if found is not None and _is_arabic_text(found.text):
                return found
        return None
    found = decode_cut(data, "utf-8", complete)
    if found is not None:
        return found if _looks_like_text(found.text) else None
    if hint and (text := decode_strict(data, hint)) is not None and _is_arabic_text(text):
        return _Decoded(hint, text)
    return _decode_damaged_utf8(data) or _detect_legacy(data)


def _detect_legacy(data: bytes) -> _Decoded | None:
    """`data` in Windows-1256 or ISO-8859-6, or None when neither reads as Arabic.

    Windows-1256 and ISO-8859-6 share most letter bytes and every byte string is valid
    Windows-1256, so a guess of charset-normalizer is kept only when the decoded text is
    Arabic (:func:`_is_arabic_text`); when several are, the one with more words starting
    with ``ال`` wins (the other codec turns ``ال`` into ``اف`` or ``ان``), detector order
    breaking ties.
    """
    guesses = [match.encoding for match in from_bytes(data, cp_isolation=list(ARABIC_LEGACY_CODECS))]
    best, best_score = None, -1
    for codec in dict.fromkeys([*guesses, *ARABIC_LEGACY_CODECS]):
        text = decode_strict(data, codec)  # single-byte codecs: no character to cut
        if text is None or not _is_arabic_text(text):
            continue
        score = len(_DEFINITE_ARTICLE.findall(text))
        if score > best_score:
            best, best_score = _Decoded(codec, text), score
    return best


def decode_bytes(data: bytes, *, hint: str | None = None) -> str | None:
    """The text in `data` (UTF-8/16/32, Windows-1256 or ISO-8859-6), or None when it is
    binary or undecodable. A leading BOM is removed; a few bad bytes in UTF-8 become U+FFFD.

    :param hint: a codec the file declares (HTML ``charset``), tried before the detector
        when the bytes are not UTF-8.
    """
    found = detect(data, hint=hint)
    return None if found is None else found.text


_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)


def declared_charset(html: bytes) -> str | None:
    """The Python codec an HTML page declares in its first 2 KB, if any and known."""
    found = _HTML_CHARSET.search(html[:2048])
    if not found:
        return None
    try:
        return codecs.lookup(found.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
