"""Search the live index: ``Searcher.search(...) -> Results``, the one search path.

The CLI, the web page, the JSON API and the evaluation all call :meth:`Searcher.search`, so what
is measured is what users get. A :class:`Searcher` is opened once and reused; each call checks the
``current`` link of the index directory and moves to a new generation when a reindex swapped one
in, without a restart. Whoosh searchers are kept one per thread (their file readers are not safe
to share between threads).
"""

from __future__ import annotations

import functools
import html
import math
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time as dtime
from pathlib import Path

import numpy as np
from search import config
from search.index import store
from search.query import filters as matching
from search.query import parser as q
from search.query import rerank as ranking
from search.index.term_ids import FormsColumn
from search.index.postings import PostingIndex, date_order
from search.analysis.broad_stems import RootMap
from search.index.schema import FORMS_SUFFIX, TEXT_FIELDS
from search.query.snippets import MARK_CLOSE as _MARK_CLOSE, MARK_OPEN as _MARK_OPEN, mark_all, snippet as make_snippet

SORTS = ("relevance", "newest", "oldest")


class SearchError(ValueError):
    """A search request that cannot be answered as asked (bad date, page, sort...)."""


@dataclass
class Hit:
    """One result."""

    id: str
    title: str
    date: str | None  # ISO 8601
    source: str
    author: str
    url: str
    score: float
    marked_snippet: str  # the snippet with matched words between \x02 and \x03

    @property
    def snippet_html(self) -> str:
        """The snippet, HTML-escaped, matched words in ``<mark>``."""
        return render_marked(self.marked_snippet, "<mark>", "</mark>")

    def as_dict(self) -> dict:
        d = asdict(self)
        del d["marked_snippet"]
        d["snippet"] = self.snippet_html
        return d


@dataclass
class Results:
    """One page of results, with the total, facet counts and timing."""

    query: str
    total: int
    page: int
    limit: int
    hits: list[Hit]
    sort: str = "relevance"
    date_from: str | None = None
    date_to: str | None = None
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0

    @property
    def page_count(self) -> int:
        return max(1, math.ceil(self.total / self.limit)) if self.limit else 1

    def as_dict(self) -> dict:
        return {
            "query": self.query, "total": self.total, "page": self.page, "limit": self.limit,
            "pages": self.page_count, "sort": self.sort, "from": self.date_from, "to": self.date_to,
            "elapsed_ms": round(self.elapsed_ms, 2), "notices": self.notices,
            "results": [h.as_dict() for h in self.hits],
            "facets": {k: [{"value": v, "count": c} for v, c in vals] for k, vals in self.facets.items()},
        }


@dataclass
class ArticleView:
    """One article in full, with the query's words marked."""

    id: str
    title: str
    date: str | None
    source: str
    author: str
    url: str
    marked_title: str
    marked_body: str

    @property
    def title_html(self) -> str:
        return render_marked(self.marked_title, "<mark>", "</mark>")

    @property
    def body_html(self) -> str:
        return render_marked(self.marked_body, "<mark>", "</mark>")


def render_marked(marked: str, open_tag: str, close_tag: str, escape=html.escape) -> str:
    """Escape text marked by the highlighter and put `open_tag`/`close_tag` around matches."""
    return escape(marked).replace(_MARK_OPEN, open_tag).replace(_MARK_CLOSE, close_tag)


def parse_day(value: str | date | None, name: str) -> date | None:
    """A YYYY-MM-DD date from a flag or URL parameter; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise SearchError(f"'{value}' is not a date for {name}: use YYYY-MM-DD, e.g. 2020-06-22.") from None


def _damage_is_missing(method):
    """Turn whatever a damaged index makes Whoosh raise (EOFError, zlib.error, a pickling
    error...) into :class:`search.index.store.IndexMissing` with the hint to reindex; errors the
    caller made (:class:`SearchError`, :class:`~search.query.parser.QueryError`) pass through."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (SearchError, q.QueryError, store.IndexMissing):
            raise
        except Exception as exc:  # noqa: BLE001 -- any failure reading the index
            raise store.IndexMissing(
                f"The index at {self.root} is damaged ({type(exc).__name__}: {exc}). "
                f"Rebuild it with: arshif reindex [PATH ...] --index {self.root}") from exc

    return wrapper


class Searcher:
    """Searches one index directory; safe to share between threads."""

    def __init__(self, index_root: str | Path | None = None):
        self.root = config.index_dir(index_root)
        self._local = threading.local()
        self._shared_lock = threading.Lock()
        self._shared: _Generation | None = None
        store.open_current(self.root).close()  # fail now, with the hint, if there is no index

    def _searcher(self):
        """This thread's Whoosh searcher, reopened when a new generation is live."""
        gen = store.current_generation(self.root)
        held = getattr(self._local, "held", None)
        if held is not None and held[0] == gen:
            return held[1]
        ix = store.open_current(self.root)
        searcher = ix.searcher()
        if held is not None:
            try:
                held[1].close()
            except Exception:
                pass
        self._local.held = (gen, searcher)
        return searcher

    def _generation_data(self, searcher) -> _Generation:
        """The posting arrays, root map and analyzed-form columns of this thread's generation,
        shared by threads."""
        gen = self._local.held[0]
        with self._shared_lock:
            if self._shared is None or self._shared.path != gen:
                if self._shared is not None:
                    store.MappedStorage.forget(self._shared.path)  # threads still on it keep their maps
                reader = searcher.reader()
                self._shared = _Generation(gen, PostingIndex(reader, TEXT_FIELDS), RootMap.load(gen),
                                           {name: _forms_column(reader, name) for name in TEXT_FIELDS})
            return self._shared

    @_damage_is_missing
    def doc_count(self) -> int:
        """How many articles the live index holds."""
        return self._searcher().doc_count()

    @_damage_is_missing
    def doc_frequency(self, field: str, term: str) -> int:
        """In how many articles `term` (an indexed form: a stem, a year...) occurs in `field`."""
        return self._searcher().reader().doc_frequency(field, term)

    @_damage_is_missing
    def field_values(self, field: str) -> list[str]:
        """The distinct indexed values of a keyword field (``year``, ``month``, ``source``)."""
        return [v.decode("utf-8") if isinstance(v, bytes) else v
                for v in self._searcher().reader().field_terms(field)]

    @_damage_is_missing
    def search(self, text: str, date_from: str | date | None = None, date_to: str | date | None = None,
               sort: str = "relevance", page: int = 1, limit: int = config.PAGE_SIZE,
               fields: tuple[str, ...] = TEXT_FIELDS, facets: bool = False,
               snippets: bool = True, source: str | None = None) -> Results:
        """Search the index.

        :param text: the user's query (syntax in :mod:`search.query.parser`).
        :param date_from: first day to include (YYYY-MM-DD or a date).
        :param date_to: last day to include.
        :param sort: ``relevance``, ``newest`` or ``oldest``.
        :param page: 1-based page number; :param limit: results per page.
        :param fields: the text fields to search (the knownitem evaluation searches ``body`` only).
        :param facets: also count results by year, month and source.
        :param snippets: build a marked snippet for each hit.
        :param source: only articles from this source.
        :raise SearchError, search.query.parser.QueryError: a request that cannot be answered as asked.
        """
        started = time.perf_counter()
        start, end = parse_day(date_from, "from"), parse_day(date_to, "to")
        if start and end and end < start:
            raise SearchError(f"The 'to' date {end} is before the 'from' date {start}.")
        if sort not in SORTS:
            raise SearchError(f"Unknown sort '{sort}': use one of {', '.join(SORTS)}.")
        if not isinstance(page, int) or page < 1:
            raise SearchError("The page must be a whole number from 1.")
        if not isinstance(limit, int) or not 1 <= limit <= config.MAX_PAGE_SIZE:
            raise SearchError(f"The limit must be between 1 and {config.MAX_PAGE_SIZE}.")
        if page * limit > config.MAX_RESULT_DEPTH:
            raise SearchError(f"Results go {config.MAX_RESULT_DEPTH} deep at most: narrow the search instead.")
        unknown = [f for f in fields if f not in TEXT_FIELDS]
        if unknown or not fields:
            raise SearchError(f"Unknown field {', '.join(unknown) or '(none)'}: use {', '.join(TEXT_FIELDS)}.")

        parsed = q.parse(text)
        results = Results(query=text, total=0, page=page, limit=limit, hits=[], sort=sort,
                          date_from=start.isoformat() if start else None,
                          date_to=end.isoformat() if end else None)
        if not parsed.positive and not parsed.excluded:
            results.notices.append(
                "The query has only very common words (stopwords) or punctuation; add a more specific word."
                if (text or "").strip() else "Type some words to search for.")
            results.elapsed_ms = (time.perf_counter() - started) * 1000
            return results

        searcher = self._searcher()
        reader = searcher.reader()
        gen = self._generation_data(searcher)
        index = gen.index

        def vocabulary(name: str, term: str) -> bool:
            return index.doc_frequency(reader, name, term) > 0

        scores, matched, words = self._score(reader, index, parsed, fields, vocabulary)
        allowed = index.columns.alive.copy()
        if start or end:
            allowed &= index.date_mask(datetime.combine(start, dtime.min) if start else None,
                                       datetime.combine(end, dtime.max) if end else None)
        if source:
            allowed &= self._facet_mask(index, "source", source)
        matched &= allowed & ~self._constraint(searcher, gen, parsed.excluded, fields, require_all=False)
        required_clauses = [c for c in parsed.positive if c.required or c.phrase]
        if required_clauses:
            required = self._constraint(searcher, gen, required_clauses, fields, require_all=True)
            if (matched & required).any():
                matched &= required
            elif matched.any():
                results.notices.append("No article has the exact phrase or every required word; "
                                       "showing articles with some of the words.")

        docnums = np.flatnonzero(matched)
        results.total = int(len(docnums))
        if facets:
            counts = index.facet_counts(matched)
            for name in ("year", "month", "source"):
                results.facets[name] = sorted(counts.get(name, {}).items(), key=_facet_order(name))
        ranked = self._order(index, docnums, scores, sort, page * limit)
        if sort == "relevance" and words:
            ranked = self._rerank(searcher, gen, words, fields, ranked)
        terms = q.highlight_terms(parsed, vocabulary) if snippets else frozenset()
        for hit_score, docnum in ranked[(page - 1) * limit: page * limit]:
            stored = searcher.stored_fields(docnum)
            results.hits.append(Hit(
                id=stored["id"], title=stored.get("title", ""),
                date=stored["date"].isoformat() if stored.get("date") else None,
                source=stored.get("source", ""), author=stored.get("author", ""),
                url=stored.get("url", ""), score=round(float(hit_score), 4),
                marked_snippet=make_snippet(stored.get("body", ""), terms) if snippets else "",
            ))
        results.elapsed_ms = (time.perf_counter() - started) * 1000
        return results

    @staticmethod
    def _score(reader, index: PostingIndex, parsed, fields, vocabulary):
        """First phase: BM25 of every query word over every document, by field weight.

        :return: (scores, matched mask, query words for the second phase).
        """
        words = q.query_words(parsed, vocabulary, fields[-1])
        scores = np.zeros(index.doc_count_all, dtype=np.float32)
        matched = np.zeros(index.doc_count_all, dtype=bool)
        if not words:  # only exclusions: every article is a candidate
            matched[:] = True
            return scores, matched, words
        candidates_with_clitics = len(words) <= q.CLITIC_CANDIDATE_WORDS
        for word in words:
            for name in fields:
                terms = [(word.stem, 1.0)] + [(a, 1.0) for a in word.alternates]
                if candidates_with_clitics:
                    terms += [(v, ranking.CLITIC_WEIGHT) for v in word.variants]
                idf = ranking.idf(index.doc_count, index.doc_frequency(reader, name, word.stem))
                ids = index.bm25(reader, name, terms, idf * ranking.FIELD_WEIGHTS.get(name, 1.0), scores,
                                 ranking.BM25_K1, ranking.CANDIDATE_BM25_B)
                matched[ids] = True
        return scores, matched, words

    @staticmethod
    def _constraint(searcher, gen: _Generation, clauses, fields, require_all: bool) -> np.ndarray:
        """The articles satisfying all (or any) of `clauses`, as a mask; none when no clauses."""
        index = gen.index
        if not clauses:
            return np.zeros(index.doc_count_all, dtype=bool)
        if all(gen.forms[name] is not None for name in fields):
            return matching.constraint_mask(clauses, fields, index, searcher.reader(), gen.forms, require_all)
        # An index built before the analyzed forms were stored has positions: Whoosh's own matchers.
        mask = np.zeros(index.doc_count_all, dtype=bool)
        mask[list(searcher.docs_for_query(q.constraint(clauses, fields, require_all)))] = True
        return mask

    @staticmethod
    def _facet_mask(index: PostingIndex, name: str, value: str) -> np.ndarray:
        codes, values = index.columns.facets[name]
        if value not in values:
            return np.zeros(len(codes), dtype=bool)
        return codes == values.index(value)

    @staticmethod
    def _order(index: PostingIndex, docnums: np.ndarray, scores: np.ndarray, sort: str, depth: int):
        """The first `depth` (score, docnum) pairs of the matched documents in the asked order
        (relevance: at least the re-ranking depth; ties newest first; undated articles after
        the dated ones in every order)."""
        if sort == "relevance":
            depth = max(depth, ranking.RERANK_DEPTH)
            key = scores[docnums]
            if len(docnums) > depth:
                top = np.argpartition(-key, depth - 1)[:depth]
                docnums, key = docnums[top], key[top]
            order = np.lexsort((date_order(index.columns.date[docnums], newest=True), -key))
        else:
            key = date_order(index.columns.date[docnums], newest=sort == "newest")
            order = np.argsort(key, kind="stable")[:depth]
        return [(float(scores[d]), int(d)) for d in docnums[order][:depth]]

    @staticmethod
    def _rerank(searcher, gen: _Generation, words, fields, ranked):
        """Second phase: rescore the top candidates with :mod:`search.query.rerank`, from their analyzed
        form (a column of the index; their text, in an index built before that column existed)."""
        index = gen.index
        stats = ranking.CollectionStats(
            doc_count=index.doc_count, avg_length={f: index.columns.avg_length[f] for f in fields},
            doc_frequency=functools.partial(index.doc_frequency, searcher.reader()))
        head, tail = ranked[:ranking.RERANK_DEPTH], ranked[ranking.RERANK_DEPTH:]
        docnums = [docnum for _, docnum in head]
        texts = {}
        for name in fields:
            column = gen.forms[name]
            if column is not None:
                texts[name] = ranking.Candidates.stored([column[docnum] for docnum in docnums])
            else:  # an index built before the analyzed forms were stored
                texts[name] = ranking.Candidates.of([ranking.FieldText.of(searcher.stored_fields(d).get(name, ""))
                                                     for d in docnums])
        scores = ranking.score_candidates(words, texts, stats, gen.roots)
        rescored = [(float(score), docnum) for score, (_, docnum) in zip(scores, head)]
        rescored.sort(key=lambda pair: -pair[0])
        return rescored + tail

    @_damage_is_missing
    def article(self, doc_id: str, text: str = "") -> ArticleView | None:
        """The article with id `doc_id`, the words of query `text` marked; None if not found."""
        stored = self._searcher().document(id=doc_id)
        if stored is None:
            return None
        terms = q.highlight_terms(q.parse(text)) if text else frozenset()
        mark = functools.partial(mark_all, terms=terms)
        return ArticleView(
            id=stored["id"], title=stored.get("title", ""),
            date=stored["date"].isoformat() if stored.get("date") else None,
            source=stored.get("source", ""), author=stored.get("author", ""), url=stored.get("url", ""),
            marked_title=mark(stored.get("title", "")), marked_body=mark(stored.get("body", "")),
        )


@dataclass
class _Generation:
    """What the searcher keeps of one index generation, shared by its threads."""

    path: Path
    index: PostingIndex
    roots: RootMap | None
    forms: dict[str, FormsColumn | None]  # text field -> its analyzed-form column (None: older index)


def _forms_column(reader, name: str) -> FormsColumn | None:
    """The analyzed-form column of text field `name`; None in an index built without it."""
    column = name + FORMS_SUFFIX
    present = column in reader.schema.names() and reader.has_column(column)
    return FormsColumn(reader, column) if present else None


def _facet_order(name: str):
    if name in ("year", "month"):
        return lambda kv: kv[0]
    return lambda kv: (-kv[1], kv[0])
