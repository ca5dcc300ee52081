"""A result set as rows to take away: CSV and JSON Lines, one article a row, written as they are
read (:meth:`search.searcher.Searcher.export` gives the hits).

Each row holds :data:`FIELDS`; the snippet is plain text (the marks dropped). A spreadsheet
program runs a CSV cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula, so such a text
cell is written with a leading apostrophe (OWASP's advice on CSV injection); the CSV starts with a
byte-order mark, so that spreadsheet programs read it as UTF-8 (Arabic). JSON Lines hold the
data as is.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from search.results import Hit, render_marked

FIELDS = ("id", "title", "date", "date_hijri", "source", "source_name", "author", "url", "score", "snippet")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def row(hit: Hit) -> dict:
    """One exported article: :data:`FIELDS`, the snippet as plain text."""
    return {"id": hit.id, "title": hit.title, "date": hit.date, "date_hijri": hit.date_hijri, "source": hit.source,
            "source_name": hit.source_name, "author": hit.author, "url": hit.url, "score": hit.score,
            "snippet": " ".join(render_marked(hit.marked_snippet, "", "", escape=lambda s: s).split())}


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if isinstance(value, str) and text.startswith(_FORMULA_START) else text


def csv_lines(hits: Iterable[Hit]) -> Iterator[str]:
    """A byte-order mark and the header, then one CSV line per hit."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(FIELDS)
    yield "\ufeff" + buffer.getvalue()
    for hit in hits:
        buffer.seek(0)
        buffer.truncate()
        record = row(hit)
        writer.writerow([_csv_cell(record[name]) for name in FIELDS])
        yield buffer.getvalue()


def jsonl_lines(hits: Iterable[Hit]) -> Iterator[str]:
    for hit in hits:
        yield json.dumps(row(hit), ensure_ascii=False, allow_nan=False) + "\n"


