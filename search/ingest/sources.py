"""What every reader shares: a source file (:class:`Source`, possibly inside a gzip or zip file),
reading it whole or as text, and the clean-up of a record's fields (HTML entities, dates)."""

from __future__ import annotations

import gzip
import html
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from search.ingest.articles import Article, Problem
from search.ingest.dates import parse_date
from search.ingest.encodings import declared_charset, detect

Record = Article | Problem


# ---------------------------------------------------------------------------------------------
# Sources: a file, a gzip stream or a zip member, with what reports need to name it


@dataclass(frozen=True)
class Source:
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


READ_ERRORS = (OSError, EOFError, zlib.error, zipfile.BadZipFile)


class OwningGzipFile(gzip.GzipFile):
    """A GzipFile that also closes the stream it decompresses."""

    def __init__(self, raw: IO[bytes]):
        super().__init__(fileobj=raw, mode="rb")
        self._raw = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


def read_all(src: Source) -> bytes | Problem:
    try:
        with src.opener() as stream:
            return stream.read()
    except READ_ERRORS as exc:
        return src.read_failure("", exc)


def read_text(src: Source, *, html: bool = False) -> tuple[str | None, list[Problem]]:
    """The whole source decoded (None when it cannot be) and its Problems: the one that
    stopped it, or a warning for what decoding dropped or replaced."""
    data = read_all(src)
    if isinstance(data, Problem):
        return None, [data]
    found = detect(data, hint=declared_charset(data) if html else None)
    if found is None:
        return None, [src.problem("", "binary or undecodable file")]
    if not found.text.strip():
        return None, [src.problem("", "empty file")]
    return found.text, [src.problem("", found.warning, skipped=False)] if found.warning else []


def decode_entities(text: str) -> str:
    """`text` with HTML character references decoded once (``&quot;`` → ``"``, ``&#8220;`` → ``“``,
    ``&nbsp;`` → a space), as HTML5 defines them (:func:`html.unescape`). Scraped archives keep
    them in titles and bylines; left in, they are indexed as words and shown literally, and
    ``&rlm;``-like ones break the order of a right-to-left line. HTML pages need no call:
    their parser decodes references already."""
    if "&" not in text:
        return text
    return html.unescape(text).replace("\u00a0", " ")


def read_date(text: str) -> datetime | None:
    """`search.ingest.dates.parse_date`, with a failure inside it counted as no date."""
    try:
        return parse_date(text)
    except Exception:  # noqa: BLE001 -- one odd date must not stop a reindex
        return None


NOTHING_TO_INDEX = "no title and no body: nothing to index; record skipped"
TITLE_ONLY = "no body; article indexed by its title"
