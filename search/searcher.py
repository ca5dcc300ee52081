"""Search an index: ``Searcher.search(...) -> Results``, the one search path.

The CLI, the web page, the JSON API and the evaluation all call :meth:`Searcher.search`, so what
is measured is what users get. A search runs these stages, each in its own module:

1. **check** the request (:class:`SearchRequest`);
2. **parse** the query and analyse each word once (:func:`search.query.parser.parse`);
3. **candidates**: first-phase BM25, filters, total and facets, from the backend
   (:meth:`search.backends.base.IndexView.candidates`);
4. **rerank** the best candidates (:func:`search.query.rerank.rerank`);
5. **page** and **snippets**: the hits of the asked page, their query words marked
   (:mod:`search.query.snippets`).

A :class:`Searcher` is opened once and reused; it reads through a backend
(:class:`~search.backends.whoosh.WhooshBackend` by default), which follows reindexes.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path

from search import config as settings
from search.backends.base import Backend, CandidateRequest, IndexView
from search.backends.whoosh import WhooshBackend
from search.errors import Code, Notice, QueryError, SearchError
from search.index import store
from search.index.schema import FACET_FIELDS, TEXT_FIELDS
from search.query.config import DEFAULT, RankingConfig
from search.query.parser import ParsedQuery, check_length, highlight_terms, parse
from search.query.rerank import QueryWord, rerank
from search.query.snippets import mark_all
from search.query.snippets import snippet as make_snippet
from search.results import ArticleView, Hit, Results, render_marked

SORTS = ("relevance", "newest", "oldest")


@dataclass(frozen=True)
class SearchRequest:
    """One search, checked: :meth:`checked` raises :class:`~search.errors.SearchError` (with a
    code and the parameter at fault) for anything it cannot answer."""

    text: str
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    limit: int = settings.PAGE_SIZE
    fields: tuple[str, ...] = TEXT_FIELDS
    facets: bool = False
    snippets: bool = True
    source: str | None = None

    @classmethod
    def checked(cls, text: str, date_from: str | date | None = None, date_to: str | date | None = None,
                sort: str = "relevance", page: int = 1, limit: int = settings.PAGE_SIZE,
                fields: tuple[str, ...] = TEXT_FIELDS, facets: bool = False, snippets: bool = True,
                source: str | None = None) -> SearchRequest:
        """:raise SearchError: a query too long, a bad date, reversed dates, an unknown sort or
        field, a page or limit out of range, or a page deeper than
        :data:`search.config.MAX_RESULT_DEPTH`."""
        check_length(text or "")
        start, end = parse_day(date_from, "from"), parse_day(date_to, "to")
        if start and end and end < start:
            raise SearchError(Code.DATES_REVERSED, "to", start=start, end=end)
        if sort not in SORTS:
            raise SearchError(Code.BAD_SORT, "sort", value=sort, choices=", ".join(SORTS))
        if not isinstance(page, int) or page < 1:
            raise SearchError(Code.BAD_PAGE, "page")
        if not isinstance(limit, int) or not 1 <= limit <= settings.MAX_PAGE_SIZE:
            raise SearchError(Code.BAD_LIMIT, "limit", most=settings.MAX_PAGE_SIZE)
        if page * limit > settings.MAX_RESULT_DEPTH:
            raise SearchError(Code.TOO_DEEP, "page", depth=settings.MAX_RESULT_DEPTH)
        unknown = [f for f in fields if f not in TEXT_FIELDS]
        if unknown or not fields:
            raise SearchError(Code.BAD_FIELD, "fields", value=", ".join(unknown) or "(none)",
                              choices=", ".join(TEXT_FIELDS))
        return cls(text or "", start, end, sort, page, limit, tuple(fields), facets, snippets, source)


def parse_day(value: str | date | None, name: str) -> date | None:
    """A YYYY-MM-DD date from a flag or URL parameter; None when empty.

    :raise SearchError: not such a date."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise SearchError(Code.BAD_DATE, name, value=value) from None


def _damage_is_missing(method):
    """Turn whatever a damaged index makes the backend raise (EOFError, zlib.error, a pickling
    error...) into :class:`search.index.store.IndexMissing` with the hint to reindex; errors the
    caller made (:class:`~search.errors.SearchError`) pass through."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (SearchError, store.IndexMissing):
            raise
        except Exception as exc:
            raise store.IndexMissing(
                f"The index at {self.root} is damaged ({type(exc).__name__}: {exc}). "
                f"Rebuild it with: arshif reindex [PATH ...] --index {self.root}") from exc

    return wrapper


class Searcher:
    """Searches one index; safe to share between threads.

    :param index_root: the index directory (default: :func:`search.config.index_dir`).
    :param ranking: the ranking settings (default: the engine's).
    :param backend: what holds the index (default: the Whoosh index at `index_root`).
    :raise search.index.store.IndexMissing: there is no usable index.
    """

    def __init__(self, index_root: str | Path | None = None, ranking: RankingConfig = DEFAULT,
                 backend: Backend | None = None):
        self.root = settings.index_dir(index_root)
        self.ranking = ranking
        self.backend: Backend = backend or WhooshBackend(self.root)
        self.backend.view()  # fail now, with the hint, if there is no index

    @_damage_is_missing
    def generation(self) -> object:
        """What identifies the live index: it changes when a reindex swaps a new one in."""
        return self.backend.view().generation

    @_damage_is_missing
    def doc_count(self) -> int:
        """How many articles the live index holds."""
        return self.backend.view().doc_count

    @_damage_is_missing
    def doc_frequency(self, field: str, term: str) -> int:
        """In how many articles `term` (an indexed form: a stem, a year...) occurs in `field`."""
        return self.backend.view().doc_frequency(field, term)

    @_damage_is_missing
    def frequencies(self) -> Callable[[str, str], int]:
        """``doc_frequency`` over one view of the live index, for many look-ups in one request
        (the page's spelling suggestions)."""
        return self.backend.view().doc_frequency

    @_damage_is_missing
    def field_values(self, field: str) -> list[str]:
        """The distinct indexed values of a keyword field (``year``, ``month``, ``source``)."""
        return self.backend.view().field_values(field)

    @_damage_is_missing
    def search(self, text: str, date_from: str | date | None = None, date_to: str | date | None = None,
               sort: str = "relevance", page: int = 1, limit: int = settings.PAGE_SIZE,
               fields: tuple[str, ...] = TEXT_FIELDS, facets: bool = False,
               snippets: bool = True, source: str | None = None) -> Results:
        """Search the index.

        :param text: the user's query (syntax in :mod:`search.query.parser`).
        :param date_from: first day to include (YYYY-MM-DD or a date); :param date_to: the last.
        :param sort: ``relevance``, ``newest`` or ``oldest`` (undated articles last in each).
        :param page: 1-based page number; :param limit: results per page.
        :param fields: the text fields to search (the knownitem evaluation searches ``body`` only).
        :param facets: also count results by year, month and source.
        :param snippets: build a marked snippet for each hit.
        :param source: only articles from this source.
        :raise search.errors.SearchError: a request that cannot be answered as asked (its
            :class:`~search.errors.QueryError` kind for the query itself).
        """
        started = time.perf_counter()
        request = SearchRequest.checked(text, date_from, date_to, sort, page, limit, fields, facets, snippets, source)
        parsed = parse(request.text, self.ranking)
        results = Results(query=request.text, total=0, page=page, limit=limit, hits=[], sort=sort,
                          date_from=_iso(request.date_from), date_to=_iso(request.date_to))
        if not parsed.clauses:
            results.notices.append(Notice(Code.NOTHING_TO_SEARCH if request.text.strip() else Code.EMPTY_QUERY))
        else:
            self._run(request, parsed, results)
        results.elapsed_ms = (time.perf_counter() - started) * 1000
        return results

    def _run(self, request: SearchRequest, parsed: ParsedQuery, results: Results) -> None:
        """The stages after parsing: candidates, rerank, page, snippets."""
        view = self.backend.view()
        vocabulary = functools.partial(_in_vocabulary, view)
        words = [QueryWord.of(term, vocabulary, request.fields[-1]) for term in parsed.terms()]
        groups = parsed.groups()
        start, end = _day_bounds(request.date_from, request.date_to)
        depth = request.page * request.limit
        found = view.candidates(CandidateRequest(
            words, request.fields, self.ranking, parsed.constraints, parsed.excluded, start, end, request.source,
            request.sort, max(depth, self.ranking.rerank_depth) if request.sort == "relevance" else depth,
            request.facets, groups))
        results.total, results.complete = found.total, found.complete
        if found.relaxed:
            results.notices.append(Notice(Code.PHRASE_RELAXED))
        if request.facets:
            results.facets = {name: sorted(found.facets.get(name, {}).items(), key=_facet_order(name))
                              for name in FACET_FIELDS}
        ranked = found.ranked
        if request.sort == "relevance" and words:
            ranked = rerank(view, words, request.fields, ranked, self.ranking,
                            found.missing if found.complete_first else ())
        terms = highlight_terms(parsed, vocabulary) if request.snippets else frozenset()
        positive = parsed.positive
        shown = ranked[(request.page - 1) * request.limit: depth]
        view.prefetch([doc for _, doc in shown])
        for score, doc in shown:
            hit = _hit(view.stored_fields(doc), score, terms if request.snippets else None)
            hit.copies = view.copies(hit.id)
            hit.missing = [_part_text(positive[i]) for i in found.missing.get(doc, ())]
            results.hits.append(hit)

    @_damage_is_missing
    def article(self, doc_id: str, text: str = "") -> ArticleView | None:
        """The article with id `doc_id`, the words of query `text` marked; None if not found."""
        stored = self.backend.view().document(doc_id)
        if stored is None:
            return None
        terms = highlight_terms(parse(text, self.ranking)) if text else frozenset()
        mark = functools.partial(mark_all, terms=terms)
        return ArticleView(
            id=stored["id"], title=stored.get("title", ""), date=_iso(stored.get("date")),
            source=stored.get("source", ""), author=stored.get("author", ""), url=stored.get("url", ""),
            marked_title=mark(stored.get("title", "")), marked_body=mark(stored.get("body", "")),
        )


def _hit(stored: dict, score: float, terms: frozenset[str] | None) -> Hit:
    """One result from its stored fields; its snippet marks `terms` (no snippet: None)."""
    return Hit(
        id=stored["id"], title=stored.get("title", ""), date=_iso(stored.get("date")),
        source=stored.get("source", ""), author=stored.get("author", ""), url=stored.get("url", ""),
        score=round(float(score), 4),
        marked_snippet=make_snippet(stored.get("body", ""), terms) if terms is not None else "",
    )


def _part_text(clause) -> str:
    """A query part as the user wrote it (a phrase in quotes; OR alternatives joined)."""
    options = [" ".join(t.written for t in option.terms) for option in clause.options]
    options = [f'"{o}"' if option.phrase else o for o, option in zip(options, clause.options)]
    return " OR ".join(options)


def _in_vocabulary(view: IndexView, field: str, term: str) -> bool:
    return view.doc_frequency(field, term) > 0


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def _day_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """The first instant of day `start` and the last of day `end`."""
    return (datetime.combine(start, dtime.min) if start else None, datetime.combine(end, dtime.max) if end else None)


def _facet_order(name: str):
    if name in ("year", "month"):
        return lambda kv: kv[0]
    return lambda kv: (-kv[1], kv[0])


__all__ = ["SORTS", "ArticleView", "Hit", "QueryError", "Results", "SearchError", "SearchRequest", "Searcher",
           "parse_day", "render_marked"]
