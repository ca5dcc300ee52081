"""A Whoosh index's postings and per-document columns as NumPy arrays.

Whoosh matches queries one posting at a time in Python: an OR of ten words over thirty thousand
news articles takes most of a second. A ranked OR query needs far less: read each query term's
posting list once (document numbers and term frequencies, block by block), add its BM25
contribution to one score array (:mod:`search.query.first_phase`), and take the top N. Filters
(dates), exclusions, exact totals and facet counts are array operations on the same arrays.

The postings stay in the Whoosh index; this module only reads them (through the codec's block
reader, :mod:`search.index.whoosh_api`) and keeps the arrays of recently used terms in a bounded
cache. Per-document columns (field lengths, dates, year/month/source facet values, deleted
documents) are loaded once per index generation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date as Day
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from search.index import whoosh_api
from search.index.schema import FACET_FIELDS

#: Most postings (document numbers) kept in the term cache, over all cached terms.
CACHE_POSTINGS = 20_000_000
#: Most document frequencies remembered (they are cleared, not evicted one by one, beyond it).
FREQUENCIES_CACHED = 500_000
_EPOCH = datetime(1970, 1, 1)
#: The date column's value for an undated document, as :attr:`Columns.date` holds it.
UNDATED = np.iinfo(np.int64).min
#: Whoosh's DATETIME column holds microseconds since ``datetime.min``; an undated document holds
#: the column's default (2**64 - 1), which is no datetime: anything past ``datetime.max`` is undated.
_EPOCH_US = (_EPOCH - datetime.min) // timedelta(microseconds=1)
_LAST_US = (datetime.max - datetime.min) // timedelta(microseconds=1)


def column_values(reader, name: str, translate: bool = True) -> Iterator[tuple[int, Any]]:
    """(document number, value) of column `name`, segment by segment; a segment without the
    column (an incremental reindex's new segment whose articles all lack the field) has no values.
    (Whoosh's reader over several segments mis-addresses such a segment: IndexError.)"""
    for sub, offset in reader.leaf_readers():
        if sub.has_column(name):
            col = sub.column_reader(name, translate=translate)
            for i in range(sub.doc_count_all()):
                yield offset + i, col[i]


def _dates(reader, n: int) -> np.ndarray:
    """Each document's date in seconds since 1970 (:data:`UNDATED` when it has none), read from
    the raw column: Whoosh's own translation raises OverflowError on an undated document."""
    raw = np.full(n, np.iinfo(np.uint64).max, dtype=np.uint64)
    for docnum, value in column_values(reader, "date", translate=False):
        raw[docnum] = value
    date = np.full(n, UNDATED, dtype=np.int64)
    dated = raw <= _LAST_US
    date[dated] = (raw[dated].astype(np.int64) - _EPOCH_US) // 1_000_000
    return date


def _days(dates: np.ndarray, alive: np.ndarray) -> tuple[np.ndarray, Day | None]:
    """Each document's day as days since the first dated live document's (-1: undated), and that
    first day."""
    dated = (dates != UNDATED) & alive
    if not dated.any():
        return np.full(len(dates), -1, dtype=np.int32), None
    day = np.full(len(dates), -1, dtype=np.int64)
    day[dated] = dates[dated] // 86_400
    first = int(day[dated].min())
    day[dated] -= first
    return day.astype(np.int32), (_EPOCH + timedelta(days=first)).date()


def date_order(date: np.ndarray, newest: bool) -> np.ndarray:
    """A sort key (ascending) for dates of :data:`UNDATED` or seconds: newest or oldest first,
    undated last either way."""
    key = -date if newest else date.copy()  # -date cannot overflow: UNDATED is replaced below
    key[date == UNDATED] = np.iinfo(np.int64).max
    return key


@dataclass
class Columns:
    """Per-document arrays for one index generation."""

    alive: np.ndarray  # bool: not deleted
    lengths: dict[str, np.ndarray]  # field -> float32 token counts
    avg_length: dict[str, float]
    date: np.ndarray  # int64 seconds since 1970; UNDATED when undated
    facets: dict[str, tuple[np.ndarray, list[str]]]  # field -> (codes, values); code -1: none
    #: int32 days since `first_day` (-1: undated), the ``day`` facet of the timeline
    day: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    first_day: Day | None = None  # the archive's first dated day


class PostingIndex:
    """Scores terms over one index generation. Safe to share between threads."""

    def __init__(self, reader, text_fields: tuple[str, ...]):
        self.doc_count_all = reader.doc_count_all()
        self.doc_count = reader.doc_count()
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached = 0
        self._frequencies: dict[tuple[str | tuple[str, ...], str], int] = {}
        self.columns = self._load_columns(reader, text_fields)

    # --- per-document columns -------------------------------------------------------------

    def _load_columns(self, reader, text_fields) -> Columns:
        n = self.doc_count_all
        alive = np.zeros(n, dtype=bool)
        alive[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        lengths, avg = {}, {}
        for name in text_fields:
            # Whoosh answers None (not 0) for a document whose field is absent or empty: 0 here,
            # or the average length (and every score that divides by it) would be NaN. The average
            # is over the documents that have the field, as Lucene's BM25 takes it (sumTotalTermFreq
            # / docCount): an archive of many untitled photos does not make every title look long.
            arr = np.fromiter((reader.doc_field_length(i, name, 0) or 0 for i in range(n)), dtype=np.float32, count=n)
            lengths[name] = arr
            having = arr[alive & (arr > 0)]
            avg[name] = float(having.mean()) if len(having) else 1.0
        dates = _dates(reader, n)
        return Columns(alive, lengths, avg, dates, self._load_facets(reader, n), *_days(dates, alive))

    def _load_facets(self, reader, n: int) -> dict[str, tuple[np.ndarray, list[str]]]:
        facets = {}
        for name in FACET_FIELDS:
            codes = np.full(n, -1, dtype=np.int32)
            values: list[str] = []
            index: dict[str, int] = {}
            for i, value in column_values(reader, name):
                if isinstance(value, bytes):
                    value = value.decode("utf-8")
                if value:
                    code = index.get(value)
                    if code is None:
                        code = index[value] = len(values)
                        values.append(value)
                    codes[i] = code
            facets[name] = (codes, values)
        return facets

    # --- postings -------------------------------------------------------------------------

    def postings(self, reader, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, term frequencies) of `term` in `field`; empty arrays if absent."""
        key = (field, term)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        ids: list[int] = []
        weights: list[float] = []
        for sub, offset in reader.leaf_readers():
            if (field, term) not in sub:
                continue
            # the deleted-documents filter is left out: Columns.alive does that job
            matcher = whoosh_api.leaf_matcher(sub.postings(field, term))
            # Read whole blocks from the codec instead of stepping posting by posting.
            while matcher.is_active():
                block, block_weights = whoosh_api.read_block(matcher)
                ids.extend(block if not offset else (d + offset for d in block))
                weights.extend(block_weights)
        result = (np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float32))
        with self._lock:
            self._cache[key] = result
            self._cached += len(ids)
            while self._cached > CACHE_POSTINGS and self._cache:
                _, (old, _) = self._cache.popitem(last=False)
                self._cached -= len(old)
        return result

    def doc_frequency(self, reader, field: str, term: str) -> int:
        """In how many documents `term` occurs in `field` (deleted ones included, as Whoosh
        counts). Memoized per generation: a question looks up dozens of forms, each a seek in
        every segment's term table."""
        key = (field, term)
        found = self._frequencies.get(key)
        if found is None:
            found = reader.doc_frequency(field, term)
            if len(self._frequencies) >= FREQUENCIES_CACHED:
                self._frequencies.clear()
            self._frequencies[key] = found
        return found

    def documents_holding(self, reader, fields: tuple[str, ...], term: str) -> int:
        """In how many documents `term` occurs in any of `fields` (BM25F's document-level
        frequency). Memoized per generation, as :meth:`doc_frequency`."""
        key = (fields, term)
        found = self._frequencies.get(key)
        if found is None:
            holders = [self.postings(reader, name, term)[0] for name in fields]
            found = len(holders[0]) if len(holders) == 1 else len(np.unique(np.concatenate(holders)))
            if len(self._frequencies) >= FREQUENCIES_CACHED:
                self._frequencies.clear()
            self._frequencies[key] = found
        return found

    def field_lengths(self, field: str) -> tuple[np.ndarray, float]:
        """Each document's length in `field` (tokens), and the average over documents having it."""
        return self.columns.lengths[field], self.columns.avg_length[field]

    def bound(self, reader) -> "BoundPostings":
        """This index read through `reader` (one thread's: Whoosh readers are not shared)."""
        return BoundPostings(self, reader)

    def date_mask(self, start: datetime | None, end: datetime | None) -> np.ndarray:
        """Documents dated within [start, end] (undated documents are outside any range)."""
        date = self.columns.date
        mask = date != UNDATED
        if start is not None:
            mask &= date >= int((start - _EPOCH).total_seconds())
        if end is not None:
            mask &= date <= int((end - _EPOCH).total_seconds())
        return mask

    def day_counts(self, matched: np.ndarray) -> dict[str, int]:
        """The ``day`` facet: dated documents of the boolean mask `matched` per day
        (``YYYY-MM-DD`` -> count; days with none left out)."""
        columns = self.columns
        sel = columns.day[matched]
        sel = sel[sel >= 0]
        if not len(sel) or columns.first_day is None:
            return {}
        counts = np.bincount(sel)
        first = columns.first_day
        return {(first + timedelta(days=int(i))).isoformat(): int(counts[i]) for i in np.flatnonzero(counts)}

    def date_span(self) -> tuple[datetime | None, datetime | None]:
        """The first and last instants of the live dated documents (None, None: none dated)."""
        columns = self.columns
        dates = columns.date[columns.alive & (columns.date != UNDATED)]
        if not len(dates):
            return None, None
        return _EPOCH + timedelta(seconds=int(dates.min())), _EPOCH + timedelta(seconds=int(dates.max()))

    def facet_counts(self, matched: np.ndarray) -> dict[str, dict[str, int]]:
        """Counts of each facet value among the documents in the boolean mask `matched`."""
        out = {}
        for name, (codes, values) in self.columns.facets.items():
            sel = codes[matched]
            sel = sel[sel >= 0]
            counts = np.bincount(sel, minlength=len(values)) if len(values) else np.zeros(0, dtype=np.int64)
            out[name] = {values[i]: int(c) for i, c in enumerate(counts) if c}
        return out


class BoundPostings:
    """A :class:`PostingIndex` with one thread's reader: a
    :class:`search.query.first_phase.PostingSource`."""

    def __init__(self, index: PostingIndex, reader):
        self.index, self.reader = index, reader
        self.doc_count, self.doc_count_all = index.doc_count, index.doc_count_all

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        return self.index.postings(self.reader, field, term)

    def doc_frequency(self, field: str, term: str) -> int:
        return self.index.doc_frequency(self.reader, field, term)

    def documents_holding(self, fields: tuple[str, ...], term: str) -> int:
        return self.index.documents_holding(self.reader, fields, term)

    def field_lengths(self, field: str) -> tuple[np.ndarray, float]:
        return self.index.field_lengths(field)
