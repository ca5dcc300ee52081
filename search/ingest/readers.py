"""Files and folders to a stream of `Article` and `Problem` records, one reader per format.

Formats, chosen by file name (and, where the name is ambiguous, by content):

- ``.txt``: a scraped news page as plain text (see ``seeds/``): headline, dated line, a
  ``طباعة`` line carrying the author, then the body; share/print boilerplate is dropped.
- ``.jsonl`` / ``.ndjson``: one JSON object a line, streamed (a multi-GB file is never loaded).
- ``.json``: an array of objects, one object, or an object with the list under ``articles``,
  ``data`` or ``items`` (a ``.json`` file that turns out to hold JSON Lines is read as such).
- ``.zip``: SaudiNewsNet's distribution, each member read by its own name (``YYYY-MM-DD.json``).
- ``.html`` / ``.htm``: the main text and metadata extracted with trafilatura.
- any of these gzip-compressed, with ``.gz`` appended (``.jsonl.gz``, ``.json.gz``, ...).

Text is decoded from UTF-8 (with or without BOM), UTF-16/32 (with BOM), Windows-1256 or
ISO-8859-6; see :func:`decode_bytes`. Bad input never raises out of :func:`read_paths`: each
failure is a `Problem` naming the file, the place in it (``line N``, ``record N``,
``member.json record N``; numbered from 1) and a reason, and reading goes on.
"""

from __future__ import annotations

import codecs
import gzip
import html
import io
import json
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import IO, Any, NamedTuple

from charset_normalizer import from_bytes

from search.ingest.articles import Article, Problem, stable_id
from search.ingest.dates import parse_date

__all__ = ["read_paths", "read_file", "decode_bytes"]

Record = Article | Problem

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
_ASCII_COMPATIBLE = {"utf-8", "utf-8-sig", *ARABIC_LEGACY_CODECS}
_SNIFF_BYTES = 1 << 16  # how much of a streamed file decides its encoding
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


def _decode_strict(data: bytes, codec: str, complete: bool = True) -> str | None:
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
_MAX_REPLACED = 200  # UTF-8 with at most 1 bad byte in this many characters is damaged UTF-8


def _decode_cut(data: bytes, codec: str, complete: bool) -> _Decoded | None:
    """`data` decoded strictly; when it is a whole file that ends inside a character (a cut
    download), the cut character is dropped with a warning. None when it is not `codec`."""
    text = _decode_strict(data, codec, complete)
    if text is not None:
        return _Decoded(codec, text)
    if complete and (text := _decode_strict(data, codec, complete=False)) is not None:
        return _Decoded(codec, text, _CUT_CHARACTER)
    return None


def _decode_damaged_utf8(data: bytes) -> _Decoded | None:
    """UTF-8 with a few bad bytes (disk or transfer damage), each replaced by U+FFFD, or None
    when they are more than 1 in 200 characters: text in a legacy Arabic codec is invalid
    UTF-8 at nearly every letter, so it is never read as damaged UTF-8."""
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd")
    if replaced * _MAX_REPLACED > len(text) or not _looks_like_text(text):
        return None
    return _Decoded("utf-8", text, f"{replaced} undecodable bytes replaced")


def _detect(data: bytes, *, complete: bool = True, hint: str | None = None) -> _Decoded | None:
    """The codec to read `data` with and the text it gives, or None for binary or
    undecodable bytes.

    Order: a byte-order mark; UTF-16 without BOM when there are NUL bytes; strict UTF-8;
    `hint` (an HTML page's declared charset); UTF-8 with a few bad bytes replaced
    (:func:`_decode_damaged_utf8`); then charset-normalizer restricted to the Arabic legacy
    codecs (:func:`_detect_legacy`). A whole file cut inside its last character is read
    without it (:func:`_decode_cut`).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            found = _decode_cut(data, codec, complete)
            return found if found is not None and _looks_like_text(found.text) else None
    if b"\x00" in data:
        for codec in ("utf-16-le", "utf-16-be"):
            found = _decode_cut(data, codec, complete)
            if found is not None and _is_arabic_text(found.text):
                return found
        return None
    found = _decode_cut(data, "utf-8", complete)
    if found is not None:
        return found if _looks_like_text(found.text) else None
    if hint and (text := _decode_strict(data, hint)) is not None and _is_arabic_text(text):
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
        text = _decode_strict(data, codec)  # single-byte codecs: no character to cut
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
    found = _detect(data, hint=hint)
    return None if found is None else found.text


_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)


def _declared_charset(html: bytes) -> str | None:
    """The Python codec an HTML page declares in its first 2 KB, if any and known."""
    found = _HTML_CHARSET.search(html[:2048])
    if not found:
        return None
    try:
        return codecs.lookup(found.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


# ---------------------------------------------------------------------------------------------
# Sources: a file, a gzip stream or a zip member, with what reports need to name it


@dataclass(frozen=True)
class _Source:
    file: str  # Problem.file and Article.origin
    name: str  # decides the format; `.gz` already removed
    key: str  # relative path: what ids of text and HTML articles derive from
    opener: Callable[[], IO[bytes]]
    member: str = ""  # member of a zip archive, put before every place
    container: str = ""  # "gzip" or "zip": names corrupt data in reasons

    def problem(self, where: str, reason: str, skipped: bool = True) -> Problem:
        place = " ".join(part for part in (self.member, where) if part)
        return Problem(self.file, place, reason, skipped)

    def read_failure(self, where: str, exc: BaseException) -> Problem:
        if isinstance(exc, (EOFError, zlib.error, gzip.BadGzipFile, zipfile.BadZipFile)):
            return self.problem(where, f"corrupt {self.container or 'compressed'} data: {exc}")
        return self.problem(where, f"cannot read the file: {getattr(exc, 'strerror', None) or exc}")


_READ_ERRORS = (OSError, EOFError, zlib.error, zipfile.BadZipFile)


class _OwningGzipFile(gzip.GzipFile):
    """A GzipFile that also closes the stream it decompresses."""

    def __init__(self, raw: IO[bytes]):
        super().__init__(fileobj=raw, mode="rb")
        self._raw = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


def _read_all(src: _Source) -> bytes | Problem:
    try:
        with src.opener() as stream:
            return stream.read()
    except _READ_ERRORS as exc:
        return src.read_failure("", exc)


def _read_text(src: _Source, *, html: bool = False) -> tuple[str | None, list[Problem]]:
    """The whole source decoded (None when it cannot be) and its Problems: the one that
    stopped it, or a warning for what decoding dropped or replaced."""
    data = _read_all(src)
    if isinstance(data, Problem):
        return None, [data]
    found = _detect(data, hint=_declared_charset(data) if html else None)
    if found is None:
        return None, [src.problem("", "binary or undecodable file")]
    if not found.text.strip():
        return None, [src.problem("", "empty file")]
    return found.text, [src.problem("", found.warning, skipped=False)] if found.warning else []


# ---------------------------------------------------------------------------------------------
# Records (JSON, JSON Lines, zip): field names, ids, checks

_TITLE_FIELDS = ("title", "headline", "head_line")
_BODY_FIELDS = ("body", "content", "text")
_DATE_FIELDS = ("date", "published", "date_extracted", "published_at")
_URL_FIELDS = ("url", "link")
_LIST_FIELDS = ("articles", "data", "items")


def _field(record: dict[str, Any], names: Iterable[str]) -> str:
    """The first of `names` present with a value, as stripped text with HTML entities decoded
    ('' when none)."""
    for name in names:
        value = record.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, list):  # a body given as a list of paragraphs
            return decode_entities("\n".join(str(v).strip() for v in value if v is not None)).strip()
        return decode_entities(str(value)).strip()
    return ""


def decode_entities(text: str) -> str:
    """`text` with HTML character references decoded once (``&quot;`` → ``"``, ``&#8220;`` → ``“``,
    ``&nbsp;`` → a space), as HTML5 defines them (:func:`html.unescape`). Scraped archives keep
    them in titles and bylines; left in, they are indexed as words and shown literally, and
    ``&rlm;``-like ones break the order of a right-to-left line. HTML pages need no call:
    their parser decodes references already."""
    if "&" not in text:
        return text
    return html.unescape(text).replace("\u00a0", " ")


def _parse_date(text: str) -> datetime | None:
    """`search.ingest.dates.parse_date`, with a failure inside it counted as no date."""
    try:
        return parse_date(text)
    except Exception:  # noqa: BLE001 -- one odd date must not stop a reindex
        return None


def _record_articles(src: _Source, record: Any, where: str) -> Iterator[Record]:
    """One JSON value to an Article, after a Problem for each thing missing or unreadable.

    The record's ``id`` is kept exactly as given (as text); without one the id derives from
    the url, else from title and body.
    """
    if not isinstance(record, dict):
        yield src.problem(where, f"record is not a JSON object (it is {_json_type(record)})")
        return
    title, body, url = _field(record, _TITLE_FIELDS), _field(record, _BODY_FIELDS), _field(record, _URL_FIELDS)
    if not body and not title:
        yield src.problem(where, NOTHING_TO_INDEX)
        return
    given_id = record.get("id")
    if given_id is not None and str(given_id).strip():
        article_id = str(given_id)
    else:
        article_id = stable_id(url) if url else stable_id(title, body)
    date_text = _field(record, _DATE_FIELDS)
    date = _parse_date(date_text) if date_text else None
    if date_text and date is None:
        yield src.problem(where, f"unreadable date {date_text!r}; article kept without a date", skipped=False)
    if not title:
        yield src.problem(where, "missing title; article kept with an empty title", skipped=False)
    if not body:
        yield src.problem(where, TITLE_ONLY, skipped=False)
    yield Article(
        id=article_id, title=title, body=body, date=date, author=_field(record, ("author",)),
        source=_field(record, ("source",)), url=url, origin=src.file,
    )


#: Problem reasons of a record without a body.
NOTHING_TO_INDEX = "no title and no body: nothing to index; record skipped"
TITLE_ONLY = "no body; article indexed by its title"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    names = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)


#: What json.loads raises: JSONDecodeError (a ValueError) for bad syntax, RecursionError for
#: nesting deeper than the interpreter's limit, ValueError for an integer over 4,300 digits.
_JSON_ERRORS = (ValueError, RecursionError)


def _json_error(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"malformed JSON: {exc.msg} (column {exc.colno})"
    if isinstance(exc, RecursionError):
        return "malformed JSON: nested too deeply"
    return "malformed JSON: number too long"


def _line_records(src: _Source, lines: Iterable[tuple[int, str] | Problem]) -> Iterator[Record]:
    """JSON Lines: each non-blank line one record, placed as ``line N``."""
    for item in lines:
        if isinstance(item, Problem):
            yield item
            continue
        lineno, line = item
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except _JSON_ERRORS as exc:
            yield src.problem(f"line {lineno}", _json_error(exc))
            continue
        yield from _record_articles(src, record, f"line {lineno}")


def _numbered_lines(src: _Source, codec: str) -> Iterator[tuple[int, str] | Problem]:
    """The decoded lines of a streamed file, numbered from 1; a read failure ends them.

    ASCII-compatible codecs are decoded line by line, so a line in another encoding is
    detected on its own instead of stopping the file.
    """
    lineno = 0
    try:
        with src.opener() as stream:
            if codec not in _ASCII_COMPATIBLE:  # UTF-16/32: lines are not split on b"\n"
                yield from enumerate(io.TextIOWrapper(stream, encoding=codec), 1)
                return
            for lineno, raw in enumerate(stream, 1):
                try:
                    line = raw.decode(codec)
                except UnicodeDecodeError:
                    found = _detect(raw)
                    if found is None:
                        yield src.problem(f"line {lineno}", "line is not text in a supported encoding")
                        continue
                    if found.warning:
                        yield src.problem(f"line {lineno}", found.warning, skipped=False)
                    line = found.text
                yield lineno, line
    except UnicodeDecodeError as exc:  # UTF-16/32 only
        yield src.problem("", f"cannot decode the file as {codec}: {exc.reason}")
    except _READ_ERRORS as exc:
        yield src.read_failure(f"line {lineno + 1}" if lineno else "", exc)


def _read_jsonl(src: _Source) -> Iterator[Record]:
    """JSON Lines, streamed: only the first 64 KB are held at once, to choose the encoding.

    The sample is read with ``read1``: on a gzip stream cut short, ``read`` raises and drops
    what it had already decompressed, while ``read1`` returns it before the error.
    """
    chunks: list[bytes] = []
    complete = False
    try:
        with src.opener() as stream:
            while sum(map(len, chunks)) < _SNIFF_BYTES and (chunk := stream.read1(8192)):
                chunks.append(chunk)
            complete = not chunk
    except _READ_ERRORS as exc:
        if not chunks:  # else the lines before the damage are read, then it is reported
            yield src.read_failure("", exc)
            return
    sample = b"".join(chunks)
    found = _detect(sample, complete=complete)
    if found is None:
        yield src.problem("", "binary or undecodable file")
        return
    codec, start, _ = found  # a warning about the sample: each line is decoded again
    if codec in ARABIC_LEGACY_CODECS and _mostly_utf8(sample):
        codec = "utf-8"  # the odd lines are detected on their own by _numbered_lines
    if not start.strip():
        yield src.problem("", "empty file")
    elif start.lstrip("\ufeff \t\r\n").startswith("["):  # a JSON array named .jsonl
        yield from _read_json(src)
    else:
        yield from _line_records(src, _numbered_lines(src, codec))


def _mostly_utf8(sample: bytes) -> bool:
    """Whether most complete lines of `sample` that are not plain ASCII are strict UTF-8: then
    a line in a legacy codec, or with a damaged byte, does not make the whole file read as one
    (UTF-8 Arabic read as Windows-1256 is mojibake, with no error to report)."""
    lines = [line for line in sample.split(b"\n")[:-1] if not line.isascii()]
    return sum(_decode_strict(line, "utf-8") is not None for line in lines) * 2 > len(lines)


def _read_json(src: _Source) -> Iterator[Record]:
    """A JSON document, loaded whole (one file's worth); records placed as ``record N``."""
    text, problems = _read_text(src)
    yield from problems
    if text is None:
        return
    try:
        data = json.loads(text)
    except _JSON_ERRORS as exc:
        if isinstance(exc, json.JSONDecodeError) and exc.msg == "Extra data":  # JSON Lines named .json
            yield from _line_records(src, enumerate(text.splitlines(), 1))
        elif (cut := _cut_array(text)) is not None:
            records, inside = cut
            yield from _array_records(src, records)
            if inside:
                yield src.problem(f"record {len(records) + 1}", "the file ends inside this record")
            else:
                yield src.problem("", "the file ends before the JSON array is closed")
        else:
            where = f"line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
            yield src.problem(where, _json_error(exc))
        return
    if isinstance(data, dict):
        listed = next((data[key] for key in _LIST_FIELDS if isinstance(data.get(key), list)), None)
        records = [data] if listed is None else listed
    elif isinstance(data, list):
        records = data
    else:
        yield src.problem("", f"the JSON holds {_json_type(data)}, not article records")
        return
    if not records:
        yield src.problem("", "the JSON holds no records")
    yield from _array_records(src, records)


def _array_records(src: _Source, records: list[Any]) -> Iterator[Record]:
    for number, record in enumerate(records, 1):
        yield from _record_articles(src, record, f"record {number}")


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"\s*")
_CUT_LITERAL = re.compile(r"[\w.+-]*\s*\Z")  # tr, nul, -1.5e: a number or name cut short


def _cut_array(text: str) -> tuple[list[Any], bool] | None:
    """The complete elements of a JSON array the file cuts short (an interrupted download or
    copy), and whether it ends inside an element rather than between two; None when `text`
    is not an array or is malformed before its end."""
    pos = _SPACE.match(text).end()
    if not text.startswith("[", pos):
        return None
    records: list[Any] = []
    pos += 1
    while True:
        pos = _SPACE.match(text, pos).end()
        if pos == len(text):
            return records, False
        if records:  # a comma before every element but the first
            if text[pos] != ",":
                return None
            pos = _SPACE.match(text, pos + 1).end()
            if pos == len(text):
                return records, False
        try:
            record, pos = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            return (records, True) if _ends_inside(exc) else None
        except (ValueError, RecursionError):
            return None
        records.append(record)


def _ends_inside(exc: json.JSONDecodeError) -> bool:
    """Whether a decoding error comes from the end of the text, not from bad JSON before it."""
    return exc.msg.startswith("Unterminated string") or bool(_CUT_LITERAL.match(exc.doc, exc.pos))


def _read_zip(src: _Source) -> Iterator[Record]:
    """A zip archive (SaudiNewsNet's ``YYYY-MM-DD.zip``): each member read by its own name,
    in name order, its places prefixed with the member name."""
    try:
        stream = src.opener()
    except _READ_ERRORS as exc:
        yield src.read_failure("", exc)
        return
    with stream:
        try:
            archive = zipfile.ZipFile(stream)
        except zipfile.BadZipFile as exc:
            yield src.problem("", f"corrupt zip file: {exc}")
            return
        with archive:
            members = sorted(
                (info for info in archive.infolist() if not info.is_dir() and not _is_ignored_member(info.filename)),
                key=lambda info: info.filename,
            )
            if not members:
                yield src.problem("", "the zip archive holds no files")
            for info in members:
                yield from _read_source(_Source(
                    file=src.file, name=info.filename, key=f"{src.key}/{info.filename}",
                    opener=lambda info=info: archive.open(info), member=info.filename, container="zip",
                ))


def _is_ignored_member(name: str) -> bool:
    parts = name.split("/")
    return parts[0] == "__MACOSX" or any(part.startswith(".") or part.lower() == "readme.md" for part in parts)


# ---------------------------------------------------------------------------------------------
# Scraped pages: plain text and HTML

_HARAKAT_TATWEEL = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u0640]")
_PUNCTUATION = re.compile(r"[^\w\s]")
_PRINT = "طباعة"  # the print button; on the header line it is followed by the author
_BOILERPLATE = {"شارك", "طباعة"}  # share and print buttons, each alone on its line
_READ_ALSO = "اقرا ايضا"  # "read also": a line starting with it links a related article
_HEADER_LINES = 4  # non-blank lines after the title searched for the dated and طباعة lines
_DATE_LINE_MAX = 80  # a dated line is short; longer lines are body even if they hold a date


def _fold(text: str) -> str:
    """For comparing words: no harakat, tatweel or punctuation; أ إ آ read as ا."""
    text = _HARAKAT_TATWEEL.sub("", text).translate(str.maketrans("أإآ", "ااا"))
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def _is_boilerplate(line: str) -> bool:
    folded = _fold(line)
    return folded in _BOILERPLATE or folded.startswith(_READ_ALSO)


def _is_print_line(line: str) -> bool:
    return _fold(line).split(" ", 1)[0] == _PRINT


def _author_from_print_line(line: str, title: str) -> str:
    """The author on the ``طباعة`` line: what follows the headline's first words, which the
    page repeats as a slug (``طباعة بمؤازرة الميليشيات فاطمة عبدالغني`` -> ``فاطمة عبدالغني``).
    With no headline words to skip, the whole remainder is kept."""
    words = line.split()[1:]
    title_words = _fold(title).split()
    skip = 0
    while skip < min(len(words), len(title_words)) and _fold(words[skip]) == title_words[skip]:
        skip += 1
    return " ".join(words[skip:])


@dataclass
class _Page:
    title: str
    body: str
    date: datetime | None
    author: str
    unread_date: tuple[int, str] | None  # (line number, line) of a dated line parse_date refused


def _split_page(lines: list[tuple[int, str]], title: str, date: datetime | None = None) -> _Page:
    """Header and body of a scraped page's numbered lines (those after the title).

    Among the first few non-blank lines, a line starting with ``طباعة`` gives the author and
    every line above it is header (the dated line and the like); without one, only a short
    line that `parse_date` reads is header. Its date is used unless `date` is given.
    Boilerplate and blank lines leave the body; each paragraph keeps its own line.
    """
    lines = [(n, line.strip()) for n, line in lines if line.strip()]
    head = lines[:_HEADER_LINES]
    at = next((i for i, (_, line) in enumerate(head) if _is_print_line(line)), None)
    header = set(range(at + 1)) if at is not None else set()
    author = _author_from_print_line(head[at][1], title) if at is not None else ""
    found = None
    for i, (_, line) in enumerate(head[:at]):
        if len(line) <= _DATE_LINE_MAX and (found := _parse_date(line)) is not None:
            header.add(i)
            break
    unread = head[0] if found is None and at else None  # the line above طباعة held no readable date
    body = "\n".join(line for i, (_, line) in enumerate(lines) if i not in header and not _is_boilerplate(line))
    return _Page(title, body, date or found, author, unread)


def _page_records(src: _Source, page: _Page, *, author: str = "", url: str = "", source: str = "") -> Iterator[Record]:
    """The Problems and the Article of one scraped page; its id derives from the file's key."""
    if not page.body and not page.title:
        yield src.problem("", NOTHING_TO_INDEX)
        return
    if page.date is None and page.unread_date and page.unread_date[0]:
        n, line = page.unread_date
        yield src.problem(f"line {n}", f"could not read the date in {line!r}; article kept without a date", False)
    elif page.date is None:
        yield src.problem("", "no date found; article kept without a date", skipped=False)
    if not page.title:
        yield src.problem("", "missing title; article kept with an empty title", skipped=False)
    if not page.body:
        yield src.problem("", TITLE_ONLY, skipped=False)
    yield Article(
        id=stable_id(src.key), title=page.title, body=page.body, date=page.date,
        author=author or page.author, source=source, url=url, origin=src.file,
    )


_HTML_START = re.compile(r"\s*(<!doctype html|<html)", re.IGNORECASE)


def _read_text_page(src: _Source) -> Iterator[Record]:
    """A scraped page as text: the first non-blank line is the title, then :func:`_split_page`.
    A ``.txt`` file that is really an HTML page is read as one."""
    text, problems = _read_text(src)
    yield from problems
    if text is None:
        return
    if _HTML_START.match(text):
        yield from _html_records(src, text)
    else:
        lines = list(enumerate(decode_entities(text).splitlines(), 1))
        first = next((i for i, (_, line) in enumerate(lines) if line.strip()), None)
        if first is None:  # only entities such as &nbsp;
            yield src.problem("", NOTHING_TO_INDEX)
            return
        yield from _page_records(src, _split_page(lines[first + 1 :], lines[first][1].strip()))


_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_DATE_PARAMS = {"original_date": True, "extensive_search": True, "outputformat": "%Y-%m-%d %H:%M:%S"}


def _read_html(src: _Source) -> Iterator[Record]:
    """An HTML page, decoded with its declared charset as a hint."""
    text, problems = _read_text(src, html=True)
    yield from problems
    if text is not None:
        yield from _html_records(src, text)


def _html_records(src: _Source, html: str) -> Iterator[Record]:
    """Main text, title, date, author, url and site by trafilatura, then the header and
    boilerplate clean-up of text pages (:func:`_split_page`); the title falls back to
    ``<title>``, the date to a dated line at the top of the text."""
    import trafilatura  # slow to import; only HTML needs it

    try:
        doc = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, date_extraction_params=_DATE_PARAMS
        )
    except Exception as exc:  # noqa: BLE001 -- a page lxml or trafilatura chokes on
        yield src.problem("", f"could not extract an article from the HTML page: {exc}")
        return
    title = ((doc.title if doc is not None else "") or "").strip()
    if not title and (tag := _TITLE_TAG.search(html)):
        title = " ".join(decode_entities(tag.group(1)).split())
    if doc is None or not (doc.text or "").strip():
        if not title:
            yield src.problem("", "no article text and no title found in the HTML page; page skipped")
            return
        yield src.problem("", TITLE_ONLY, skipped=False)  # a photo or video page: found by its title
        yield Article(id=stable_id(src.key), title=title, body="", origin=src.file,
                      url=(doc.url if doc is not None else "") or "",
                      source=(doc.sitename or doc.hostname or "") if doc is not None else "")
        return
    lines = [(0, line) for line in doc.text.splitlines()]  # 0: not lines of the file
    if lines and _fold(lines[0][1]) == _fold(title):  # trafilatura repeats the headline
        lines = lines[1:]
    page = _split_page(lines, title, _parse_date(doc.date) if doc.date else None)
    yield from _page_records(
        src, page, author=(doc.author or "").strip(), url=doc.url or "", source=doc.sitename or doc.hostname or ""
    )


# ---------------------------------------------------------------------------------------------
# Formats, files and folders

_READERS: dict[str, Callable[[_Source], Iterator[Record]]] = {
    ".txt": _read_text_page,
    ".html": _read_html,
    ".htm": _read_html,
    ".json": _read_json,
    ".jsonl": _read_jsonl,
    ".ndjson": _read_jsonl,
    ".zip": _read_zip,
}
_SUPPORTED = "expected .txt, .html, .htm, .json, .jsonl or .zip, each possibly gzipped as .gz"


def _read_source(src: _Source) -> Iterator[Record]:
    """Dispatch on the name's suffix; ``.gz`` adds a decompressing layer and looks again."""
    name = src.name.lower()
    if name.endswith(".gz"):
        opener = src.opener
        src = replace(src, name=src.name[:-3], opener=lambda: _OwningGzipFile(opener()), container="gzip")
        name = name[:-3]
    reader = _READERS.get(os.path.splitext(name)[1])
    if reader is None:
        yield src.problem("", f"unsupported format ({_SUPPORTED})")
        return
    yield from reader(src)


def _read(path: Path, key: str) -> Iterator[Record]:
    src = _Source(file=str(path), name=path.name, key=key, opener=lambda: open(path, "rb"))
    try:
        yield from _read_source(src)
    except Exception as exc:  # noqa: BLE001 -- a reader bug costs one file, not the whole run
        yield src.problem("", f"reading stopped by an unexpected error: {type(exc).__name__}: {exc}")


def _is_ignored(path: Path) -> bool:
    """Hidden files and folders, and README.md notes, are not articles."""
    return path.name.startswith(".") or path.name.lower() == "readme.md"


def _walk(folder: Path, root: Path, seen: set[Path]) -> Iterator[tuple[Path, str] | Problem]:
    """Files under `folder`, in name order, recursively, each with its key (the path below `root`)."""
    real = folder.resolve()
    if real in seen:  # a symlink loop
        return
    seen.add(real)
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        yield Problem(str(folder), "", f"cannot read the folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if _is_ignored(entry):
            continue
        if entry.is_dir():
            yield from _walk(entry, root, seen)
        else:
            yield entry, entry.relative_to(root).as_posix()


def list_files(paths: Iterable[str | Path]) -> Iterator[tuple[Path, str] | Problem]:
    """The files that :func:`read_paths` would read, each with the key its derived ids come
    from, in the same order; a Problem for a path that does not exist or cannot be listed."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            yield from _walk(path, path, set())
        elif not path.exists() and not path.is_symlink():
            yield Problem(str(path), "", "no such file or folder")
        else:
            yield path, path.name


def read_listed(path: Path, key: str) -> Iterator[Record]:
    """Articles and Problems from one file listed by :func:`list_files`."""
    return _read(path, key)


def read_file(path: str | Path) -> Iterator[Record]:
    """Articles and Problems from one file (or, given a folder, every file under it).

    Ids derived from a file (text and HTML pages) come from its name.
    """
    yield from read_paths([path])


def read_paths(paths: Iterable[str | Path]) -> Iterator[Record]:
    """Articles and Problems from files and folders, in the order given; folders are walked
    recursively in name order, skipping hidden entries and README.md.

    Ids derived from a file come from its path relative to the folder given (or its name).
    Never raises for bad input: every failure is a `Problem`.
    """
    for item in list_files(paths):
        if isinstance(item, Problem):
            yield item
        else:
            yield from _read(*item)
