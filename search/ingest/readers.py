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

import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, Any, cast

from search.ingest.articles import Article, Problem, stable_id

__all__ = ["decode_bytes", "read_file", "read_paths"]


from search.ingest.encodings import ARABIC_LEGACY_CODECS, ASCII_COMPATIBLE, SNIFF_BYTES, decode_bytes, decode_strict, detect
from search.ingest.pages import read_html, read_text_page
from search.ingest.sources import (
    NOTHING_TO_INDEX,
    READ_ERRORS,
    TITLE_ONLY,
    OwningGzipFile,
    Record,
    Source,
    decode_entities,
    read_date,
    read_text,
)

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


def _record_articles(src: Source, record: Any, where: str) -> Iterator[Record]:
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
    date = read_date(date_text) if date_text else None
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


def _line_records(src: Source, lines: Iterable[tuple[int, str] | Problem]) -> Iterator[Record]:
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


def _numbered_lines(src: Source, codec: str) -> Iterator[tuple[int, str] | Problem]:
    """The decoded lines of a streamed file, numbered from 1; a read failure ends them.

    ASCII-compatible codecs are decoded line by line, so a line in another encoding is
    detected on its own instead of stopping the file.
    """
    lineno = 0
    try:
        with src.opener() as stream:
            if codec not in ASCII_COMPATIBLE:  # UTF-16/32: lines are not split on b"\n"
                yield from enumerate(io.TextIOWrapper(stream, encoding=codec), 1)
                return
            for lineno, raw in enumerate(stream, 1):
                try:
                    line = raw.decode(codec)
                except UnicodeDecodeError:
                    found = detect(raw)
                    if found is None:
                        yield src.problem(f"line {lineno}", "line is not text in a supported encoding")
                        continue
                    if found.warning:
                        yield src.problem(f"line {lineno}", found.warning, skipped=False)
                    line = found.text
                yield lineno, line
    except UnicodeDecodeError as exc:  # UTF-16/32 only
        yield src.problem("", f"cannot decode the file as {codec}: {exc.reason}")
    except READ_ERRORS as exc:
        yield src.read_failure(f"line {lineno + 1}" if lineno else "", exc)


def _read_jsonl(src: Source) -> Iterator[Record]:
    """JSON Lines, streamed: only the first 64 KB are held at once, to choose the encoding.

    The sample is read with ``read1``: on a gzip stream cut short, ``read`` raises and drops
    what it had already decompressed, while ``read1`` returns it before the error.
    """
    chunks: list[bytes] = []
    complete = False
    failure = None
    try:
        with src.opener() as stream:  # a buffered stream from every opener: it has read1
            while sum(map(len, chunks)) < SNIFF_BYTES and (chunk := cast(io.BufferedIOBase, stream).read1(8192)):
                chunks.append(chunk)
            complete = not chunk
    except READ_ERRORS as exc:
        failure = exc
        if not chunks:  # else the lines before the damage are read, then it is reported
            yield src.read_failure("", exc)
            return
    sample = b"".join(chunks)
    found = detect(sample, complete=complete)
    if found is None:
        yield src.problem("", "binary or undecodable file")
        return
    codec, start, _ = found  # a warning about the sample: each line is decoded again
    if codec in ARABIC_LEGACY_CODECS and _mostly_utf8(sample):
        codec = "utf-8"  # the odd lines are detected on their own by _numbered_lines
    if not start.strip():  # (or cut before its first whole character: the damage is what to say)
        yield src.read_failure("", failure) if failure is not None else src.problem("", "empty file")
    elif start.lstrip("\ufeff \t\r\n").startswith("["):  # a JSON array named .jsonl
        yield from _read_json(src)
    else:
        yield from _line_records(src, _numbered_lines(src, codec))


def _mostly_utf8(sample: bytes) -> bool:
    """Whether most complete lines of `sample` that are not plain ASCII are strict UTF-8: then
    a line in a legacy codec, or with a damaged byte, does not make the whole file read as one
    (UTF-8 Arabic read as Windows-1256 is mojibake, with no error to report)."""
    lines = [line for line in sample.split(b"\n")[:-1] if not line.isascii()]
    return sum(decode_strict(line, "utf-8") is not None for line in lines) * 2 > len(lines)


def _read_json(src: Source) -> Iterator[Record]:
    """A JSON document, loaded whole (one file's worth); records placed as ``record N``."""
    text, problems = read_text(src)
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


def _array_records(src: Source, records: list[Any]) -> Iterator[Record]:
    for number, record in enumerate(records, 1):
        yield from _record_articles(src, record, f"record {number}")


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"\s*")
_CUT_LITERAL = re.compile(r"[\w.+-]*\s*\Z")  # tr, nul, -1.5e: a number or name cut short


def _cut_array(text: str) -> tuple[list[Any], bool] | None:
    """The complete elements of a JSON array the file cuts short (an interrupted download or
    copy), and whether it ends inside an element rather than between two; None when `text`
    is not an array or is malformed before its end."""
    pos = cast(re.Match, _SPACE.match(text)).end()  # \s* always matches
    if not text.startswith("[", pos):
        return None
    records: list[Any] = []
    pos += 1
    while True:
        pos = cast(re.Match, _SPACE.match(text, pos)).end()
        if pos == len(text):
            return records, False
        if records:  # a comma before every element but the first
            if text[pos] != ",":
                return None
            pos = cast(re.Match, _SPACE.match(text, pos + 1)).end()
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


def _read_zip(src: Source) -> Iterator[Record]:
    """A zip archive (SaudiNewsNet's ``YYYY-MM-DD.zip``): each member read by its own name,
    in name order, its places prefixed with the member name."""
    try:
        stream = src.opener()
    except READ_ERRORS as exc:
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
                yield from _read_source(Source(
                    file=src.file, name=info.filename, key=f"{src.key}/{info.filename}",
                    opener=cast("Callable[[], IO[bytes]]", lambda info=info: archive.open(info)),  # mypy: a default arg
                    member=info.filename, container="zip",
                ))


def _is_ignored_member(name: str) -> bool:
    parts = name.split("/")
    return parts[0] == "__MACOSX" or any(part.startswith(".") or part.lower() == "readme.md" for part in parts)


# ---------------------------------------------------------------------------------------------
# Formats, files and folders

_READERS: dict[str, Callable[[Source], Iterator[Record]]] = {
    ".txt": read_text_page,
    ".html": read_html,
    ".htm": read_html,
    ".json": _read_json,
    ".jsonl": _read_jsonl,
    ".ndjson": _read_jsonl,
    ".zip": _read_zip,
}
_SUPPORTED = "expected .txt, .html, .htm, .json, .jsonl or .zip, each possibly gzipped as .gz"


def _read_source(src: Source) -> Iterator[Record]:
    """Dispatch on the name's suffix; ``.gz`` adds a decompressing layer and looks again."""
    name = src.name.lower()
    if name.endswith(".gz"):
        opener = src.opener
        src = replace(src, name=src.name[:-3], opener=lambda: cast(IO[bytes], OwningGzipFile(opener())), container="gzip")
        name = name[:-3]
    reader = _READERS.get(os.path.splitext(name)[1])
    if reader is None:
        yield src.problem("", f"unsupported format ({_SUPPORTED})")
        return
    yield from reader(src)


def _read(path: Path, key: str) -> Iterator[Record]:
    src = Source(file=str(path), name=path.name, key=key, opener=lambda: open(path, "rb"))
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


def list_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[Path, str] | Problem]:
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


def read_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Record]:
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
