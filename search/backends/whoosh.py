"""The embedded backend: a Whoosh index in a directory on this machine (:mod:`search.index`).

:class:`WhooshBackend` keeps one Whoosh searcher per thread (Whoosh's file readers are not safe
to share) and, shared by all threads, what it loads once per index generation: the postings and
per-document columns (:class:`search.index.postings.PostingIndex`), the broad-stem map and the
term-id columns. Each :meth:`WhooshBackend.view` checks the ``current`` link of the index
directory and moves to a new generation when a reindex swapped one in, without a restart.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from search.analysis.broad_stems import BroadStemMap
from search.backends.base import CandidateRequest, CandidateSet
from search.index import store
from search.index.postings import UNDATED, BoundPostings, PostingIndex, date_order
from search.index.schema import TERM_IDS_SUFFIX, TEXT_FIELDS
from search.index.term_ids import TermIdColumn
from search.index.whoosh_build import MANIFEST
from search.query import filters, first_phase
from search.query.bm25 import CollectionStats


@dataclass
class _Generation:
    """What is loaded once per index generation, shared by threads."""

    path: Path
    index: PostingIndex
    broad_stems: BroadStemMap | None
    term_ids: dict[str, TermIdColumn]
    copies: dict[str, list[dict]]


class WhooshBackend:
    """The Whoosh index at `root` (see :mod:`search.index.store`); safe to share between threads."""

    def __init__(self, root: Path):
        self.root = root
        self._local = threading.local()
        self._shared_lock = threading.Lock()
        self._shared: _Generation | None = None

    def view(self) -> WhooshView:
        searcher, path = self._searcher()
        return WhooshView(path, searcher, self._generation_data(path, searcher))

    def _searcher(self):
        """This thread's Whoosh searcher, reopened when a new generation is live. The one it
        replaces stays open until the next swap: a request may still read a view it took before
        (the page's spelling suggestions read their view after the search opened the new one;
        closing it at once made them fail with ReaderClosed in one request in 3,000 during swaps)."""
        gen = store.current_generation(self.root)
        held = getattr(self._local, "held", None)
        if held is not None and held[0] == gen:
            return held[1], gen
        ix = store.open_current(self.root)
        searcher = ix.searcher()
        retired = getattr(self._local, "retired", None)
        if retired is not None:
            try:
                retired[1].close()
            except Exception:  # noqa: BLE001 -- an old generation's files may be gone
                pass
        self._local.retired = held
        self._local.held = (gen, searcher)
        return searcher, gen

    def _generation_data(self, gen: Path, searcher) -> _Generation:
        with self._shared_lock:
            if self._shared is None or self._shared.path != gen:
                if self._shared is not None:
                    store.MappedStorage.forget(self._shared.path)  # threads still on it keep their maps
                reader = searcher.reader()
                self._shared = _Generation(
                    gen, PostingIndex(reader, TEXT_FIELDS), BroadStemMap.load(gen),
                    {name: TermIdColumn(reader, name + TERM_IDS_SUFFIX) for name in TEXT_FIELDS},
                    _copies(gen))
            return self._shared


#: What the date column's seconds count from.
_EPOCH = datetime(1970, 1, 1)


class WhooshView:
    """One request's view of one generation, through this thread's Whoosh searcher."""

    def __init__(self, path: Path, searcher, data: _Generation):
        self.generation = path
        self._searcher, self._data = searcher, data
        self._postings: BoundPostings = data.index.bound(searcher.reader())
        self.doc_count = data.index.doc_count
        self._term_ids: dict[str, dict[int, bytes]] = {}  # field -> document -> its term ids, as read

    def doc_frequency(self, field: str, term: str) -> int:
        return self._postings.doc_frequency(field, term)

    def stats(self, fields: Sequence[str]) -> CollectionStats:
        columns = self._data.index.columns
        return CollectionStats(self.doc_count, {f: columns.avg_length[f] for f in fields}, self.doc_frequency)

    def candidates(self, request: CandidateRequest) -> CandidateSet:
        """First phase, filters and facets over every document (see :mod:`search.query.first_phase`)."""
        index, source = self._data.index, self._postings
        per_word: list[np.ndarray] = []
        scores, matched = first_phase.score(source, request.words, request.fields, request.config, per_word)
        allowed = index.columns.alive.copy()
        if request.start or request.end:
            allowed &= index.date_mask(request.start, request.end)
        if request.source:
            allowed &= self._facet_mask("source", request.source)
        if request.sources:
            allowed &= np.logical_or.reduce([self._facet_mask("source", s) for s in request.sources])
        for excluded_source in request.excluded_sources:
            allowed &= ~self._facet_mask("source", excluded_source)
        for term in request.author_terms:
            holders = np.zeros(len(allowed), dtype=bool)
            holders[source.postings("author", term)[0]] = True
            allowed &= holders
        excluded = filters.constraint_mask(request.excluded, request.fields, source, self._data.term_ids, False)
        matched &= allowed & ~excluded
        relaxed = False
        if request.constraints:
            required = filters.constraint_mask(request.constraints, request.fields, source, self._data.term_ids, True)
            if (matched & required).any():
                matched &= required
            elif matched.any():
                relaxed = True
        docnums = np.flatnonzero(matched)
        counts = index.facet_counts(matched) if request.facets else {}
        if request.days:
            counts["day"] = index.day_counts(matched)
        config = request.config
        if not (config.all_words_first and len(request.groups) > 1):
            ranked = first_phase.order(docnums, scores, index.columns.date, request.sort, request.depth, date_order)
            return CandidateSet(len(docnums), ranked, counts, relaxed)
        every, parts = first_phase.complete(per_word, request.groups, len(scores))
        every &= matched
        first = request.sort != "relevance" or len(request.groups) <= config.all_words_max_parts
        ranked = first_phase.order(docnums, scores, index.columns.date, request.sort, request.depth, date_order,
                                   every if first else None)
        missing = {doc: [i for i, met in enumerate(parts) if not met[doc]] for _, doc in ranked if not every[doc]}
        return CandidateSet(len(docnums), ranked, counts, relaxed, int(every.sum()), missing, first)

    def _facet_mask(self, name: str, value: str) -> np.ndarray:
        codes, values = self._data.index.columns.facets[name]
        if value not in values:
            return np.zeros(len(codes), dtype=bool)
        return codes == values.index(value)

    def term_ids(self, field: str, docs: Sequence[int]) -> list[bytes]:
        """Read once per view: the rerank and the near-copy grouping ask for the same articles."""
        column, seen = self._data.term_ids[field], self._term_ids.setdefault(field, {})
        out = []
        for docnum in docs:
            found = seen.get(docnum)
            if found is None:
                found = seen[docnum] = column[docnum]
            out.append(found)
        return out

    def dates(self, docs: Sequence[int]) -> list[datetime | None]:
        seconds = self._data.index.columns.date
        return [None if seconds[d] == UNDATED else _EPOCH + timedelta(seconds=int(seconds[d])) for d in docs]

    def prefetch(self, docs: Sequence[int]) -> None:
        """Nothing to do: stored fields are read from local files as asked."""

    def prefetch_frequencies(self, keys: Iterable[tuple[Sequence[str], str]]) -> None:
        """Nothing to do: document frequencies are read from memory as asked."""

    def stored_fields(self, doc: int) -> dict[str, Any]:
        return self._searcher.stored_fields(doc)

    def document(self, doc_id: str) -> dict[str, Any] | None:
        return self._searcher.document(id=doc_id)

    def field_values(self, field: str) -> list[str]:
        return [v.decode("utf-8") if isinstance(v, bytes) else v for v in self._searcher.reader().field_terms(field)]

    def date_span(self) -> tuple[datetime | None, datetime | None]:
        return self._data.index.date_span()

    def broad_stems(self) -> BroadStemMap | None:
        return self._data.broad_stems

    def copies(self, doc_id: str) -> list[dict[str, Any]]:
        return [{k: c.get(k) for k in ("id", "source", "url", "date")} for c in self._data.copies.get(doc_id, ())]


def _copies(gen: Path) -> dict[str, list[dict]]:
    """The duplicates recorded in generation `gen`'s manifest, by the id of the article kept."""
    try:
        found = json.loads((gen / MANIFEST).read_text(encoding="utf-8")).get("copies")
    except (OSError, ValueError, AttributeError):
        return {}
    return found if isinstance(found, dict) else {}

