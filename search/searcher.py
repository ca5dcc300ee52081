"""Search the live index: ``Searcher.search(...) -> Results``, the one search path.

The CLI, the web page, the JSON API and the evaluation all call :meth:`Searcher.search`, so what
is measured is what users get. A :class:`Searcher` is opened once and reused; each call checks the
``current`` link of the index directory and moves to a new generation when a reindex swapped one
in, without a restart. Whoosh searchers are kept one per thread (their file readers are not safe
to share between threads).
"""

from __future__ import annotations

import html
import math
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time as dtime
from pathlib import Path

from whoosh import query as wq
from whoosh import sorting
from whoosh.highlight import ContextFragmenter, Formatter, WholeFragmenter, highlight

from search import config, store
from search import query as q
from search.analysis import build_analyzer
from search.schema import TEXT_FIELDS

SORTS = ("relevance", "newest", "oldest")
_MARK_OPEN, _MARK_CLOSE = "\x02", "\x03"


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


class _MarkFormatter(Formatter):
    """Whoosh formatter that marks matched tokens with sentinels (escaping is done later)."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return _MARK_OPEN + text[token.startchar:token.endchar] + _MARK_CLOSE


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


class Searcher:
    """Searches one index directory; safe to share between threads."""

    def __init__(self, index_root: str | Path | None = None):
        self.root = config.index_dir(index_root)
        self._local = threading.local()
        self._analyzer = build_analyzer(stem=True)
        store.open_current(self.root).close()  # fail now, with the hint, if there is no index

    def _searcher(self):
        """This thread's Whoosh searcher, reopened when a new generation is live."""
        gen = store.current_generation(self.root)
        held = getattr(self._local, "held", None)
        if held is not None and held[0] == gen:
            return held[1]
        ix = store.open_current(self.root)
        searcher = ix.searcher(weighting=q.weighting())
        if held is not None:
            try:
                held[1].close()
            except Exception:
                pass
        self._local.held = (gen, searcher)
        return searcher

    def doc_count(self) -> int:
        return self._searcher().doc_count()

    def search(self, text: str, date_from: str | date | None = None, date_to: str | date | None = None,
               sort: str = "relevance", page: int = 1, limit: int = config.PAGE_SIZE,
               fields: tuple[str, ...] = TEXT_FIELDS, facets: bool = False,
               snippets: bool = True) -> Results:
        """Search the index.

        :param text: the user's query (syntax in :mod:`search.query`).
        :param date_from: first day to include (YYYY-MM-DD or a date).
        :param date_to: last day to include.
        :param sort: ``relevance``, ``newest`` or ``oldest``.
        :param page: 1-based page number; :param limit: results per page.
        :param fields: the text fields to search (the knownitem evaluation searches ``body`` only).
        :param facets: also count results by year, month and source.
        :raise SearchError, search.query.QueryError: a request that cannot be answered as asked.
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

        parsed = q.parse(text)
        searcher = self._searcher()
        reader = searcher.reader()

        def vocabulary(name: str, term: str) -> bool:
            return reader.doc_frequency(name, term) > 0

        query = q.build(parsed, fields, vocabulary)
        results = Results(query=text, total=0, page=page, limit=limit, hits=[], sort=sort,
                          date_from=start.isoformat() if start else None,
                          date_to=end.isoformat() if end else None)
        if query is None:
            results.notices.append(
                "The query has only very common words (stopwords) or punctuation; add a more specific word."
                if (text or "").strip() else "Type some words to search for.")
            results.elapsed_ms = (time.perf_counter() - started) * 1000
            return results

        kwargs: dict = {}
        if start or end:
            kwargs["filter"] = wq.DateRange(
                "date", datetime.combine(start, dtime.min) if start else None,
                datetime.combine(end, dtime.max) if end else None)
        if sort != "relevance":
            kwargs["sortedby"] = "date"
            kwargs["reverse"] = sort == "newest"
        if facets:
            kwargs["groupedby"] = {
                "year": sorting.FieldFacet("year", maptype=sorting.Count),
                "month": sorting.FieldFacet("month", maptype=sorting.Count),
                "source": sorting.FieldFacet("source", maptype=sorting.Count),
            }
        # Whoosh's block-quality skipping trips an assertion on intersections (required words and
        # phrases), so those queries are collected without it.
        kwargs["optimize"] = not any(c.required or c.phrase for c in parsed.positive)
        found = searcher.search(query, limit=page * limit, **kwargs)
        results.total = len(found)
        terms = q.highlight_terms(parsed, vocabulary) if snippets else frozenset()
        for hit in found[(page - 1) * limit: page * limit]:
            stored = hit.fields()
            results.hits.append(Hit(
                id=stored["id"], title=stored.get("title", ""),
                date=stored["date"].isoformat() if stored.get("date") else None,
                source=stored.get("source", ""), author=stored.get("author", ""),
                url=stored.get("url", ""), score=round(float(hit.score or 0.0), 4),
                marked_snippet=self._snippet(stored.get("body", ""), terms) if snippets else "",
            ))
        if facets:
            for name in ("year", "month", "source"):
                counts = found.groups(name)
                results.facets[name] = sorted(((k, v) for k, v in counts.items() if k), key=_facet_order(name))
        results.elapsed_ms = (time.perf_counter() - started) * 1000
        return results

    def _snippet(self, body: str, terms: frozenset[str], chars: int = 240) -> str:
        marked = highlight(body, terms, self._analyzer, ContextFragmenter(maxchars=chars, surround=70),
                           _MarkFormatter(), top=2) if terms else ""
        if not marked:
            marked = body[:chars].rsplit(" ", 1)[0] + (" …" if len(body) > chars else "")
        return marked

    def article(self, doc_id: str, text: str = "") -> ArticleView | None:
        """The article with id `doc_id`, the words of query `text` marked; None if not found."""
        stored = self._searcher().document(id=doc_id)
        if stored is None:
            return None
        terms = q.highlight_terms(q.parse(text)) if text else frozenset()

        def mark(value: str) -> str:
            if not terms or not value:
                return value
            return highlight(value, terms, self._analyzer, WholeFragmenter(charlimit=None),
                             _MarkFormatter(), top=1) or value

        return ArticleView(
            id=stored["id"], title=stored.get("title", ""),
            date=stored["date"].isoformat() if stored.get("date") else None,
            source=stored.get("source", ""), author=stored.get("author", ""), url=stored.get("url", ""),
            marked_title=mark(stored.get("title", "")), marked_body=mark(stored.get("body", "")),
        )


def _facet_order(name: str):
    if name in ("year", "month"):
        return lambda kv: kv[0]
    return lambda kv: (-kv[1], kv[0])
