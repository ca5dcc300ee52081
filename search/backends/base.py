"""The backend seam: what the query pipeline needs from an index, whatever holds it.

A :class:`Backend` opens an :class:`IndexView` per request: the live index as of that moment
(a reindex that swaps a new index in meanwhile does not change a view). The view gives
collection statistics, first-phase candidates with their total and facet counts under the
request's filters, the stored term ids the second phase reads, and stored fields. Analysis,
the second phase, snippets and the page never see more than this, so another engine (a
cluster) is another implementation of these two classes (:mod:`search.backends.whoosh` is the
embedded one).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from search.index.build_protocol import IndexBuild
from search.query.bm25 import CollectionStats
from search.query.config import RankingConfig
from search.query.parser import Clause
from search.query.rerank import QueryWord

#: How a backend names one document in one view (a Whoosh document number, a cluster's _id).
DocKey = Any


@dataclass(frozen=True)
class CandidateRequest:
    """What the first phase is asked for."""

    words: list[QueryWord]  # scored (none: only exclusions; every article is a candidate)
    fields: tuple[str, ...]  # the text fields searched
    config: RankingConfig
    constraints: list[Clause] = field(default_factory=list)  # phrases and + words: all required
    excluded: list[Clause] = field(default_factory=list)
    start: datetime | None = None  # first instant included (undated articles never are)
    end: datetime | None = None  # last instant included
    source: str | None = None
    sources: tuple[str, ...] = ()  # only articles from any of these sources (ids)
    excluded_sources: tuple[str, ...] = ()  # no article from these sources (ids)
    author_terms: tuple[str, ...] = ()  # the author field must hold each of these terms (analyzed, unstemmed)
    sort: str = "relevance"  # relevance (ties newest first), newest or oldest; undated last
    depth: int = 10  # ranked candidates wanted
    facets: bool = False  # count the matches by year, month and source
    days: bool = False  # count the dated matches by day (the timeline's facet ``day``: YYYY-MM-DD -> count)
    #: the query's parts (clauses), each a list of options, each a list of indices into `words`:
    #: with ``config.all_words_first`` and two parts or more, the articles with every part first
    groups: list[list[list[int]]] = field(default_factory=list)


@dataclass
class CandidateSet:
    """The first phase's answer."""

    total: int  # articles matching
    ranked: list[tuple[float, DocKey]]  # (first-phase score, document), at most `depth`, in order
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # facet -> value -> count (and ``day``)
    relaxed: bool = False  # no article met every constraint, so they were left out
    complete: int | None = None  # articles with every part of the query (None: not counted)
    missing: dict[DocKey, list[int]] = field(default_factory=dict)  # ranked document -> parts it lacks
    complete_first: bool = False  # the ranked documents with every part come first


class IndexView(Protocol):
    """One request's view of the live index."""

    @property
    def generation(self) -> Hashable: ...  # changes when a new index is swapped in (read-only: Path is one)

    doc_count: int  # live articles

    def doc_frequency(self, field: str, term: str) -> int: ...
    def stats(self, fields: Sequence[str]) -> CollectionStats: ...
    def candidates(self, request: CandidateRequest) -> CandidateSet: ...
    def term_ids(self, field: str, docs: Sequence[DocKey]) -> list[bytes]: ...
    def stored_fields(self, doc: DocKey) -> dict[str, Any]: ...
    def dates(self, docs: Sequence[DocKey]) -> list[datetime | None]:
        """Each document's publication instant (None: undated), without reading its text."""
        ...
    def prefetch(self, docs: Sequence[DocKey]) -> None:
        """Say which documents' stored fields will be asked next (a cluster fetches them in one
        request; an embedded index ignores it)."""
        ...
    def prefetch_frequencies(self, keys: Iterable[tuple[Sequence[str], str]]) -> None:
        """Say which document frequencies will be asked next, as ``(fields, term)``: the articles
        with `term` in any of `fields` (one field: :meth:`doc_frequency`). A cluster counts them
        in one request; an embedded index ignores it."""
        ...
    def document(self, doc_id: str) -> dict[str, Any] | None: ...
    def copies(self, doc_id: str) -> list[dict[str, Any]]:
        """The records dropped at indexing as duplicates of article `doc_id`
        (``{id, source, url, date}`` each; none: an empty list)."""
        ...
    def field_values(self, field: str) -> list[str]: ...
    def date_span(self) -> tuple[datetime | None, datetime | None]:
        """The first and last dates of the live articles ((None, None): none is dated)."""
        ...
    def broad_stems(self) -> Any: ...  # a search.analysis.broad_stems.BroadStemMap, or None


class Backend(Protocol):
    """An index the searcher reads; safe to share between threads."""

    def view(self) -> IndexView:
        """The live index for one request.

        :raise search.index.store.IndexMissing: there is no usable index (with how to build one).
        """
        ...


__all__ = ["Backend", "CandidateRequest", "CandidateSet", "DocKey", "IndexBuild", "IndexView"]
