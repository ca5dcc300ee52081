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

import dataclasses
import functools
import inspect
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

import numpy as np

from search import config as settings
from search.analysis.analyzer import build_analyzer
from search.analysis.arabic import DIGIT_FOLDS
from search.backends.base import Backend, CandidateRequest, IndexView
from search.backends.whoosh import WhooshBackend
from search.errors import Code, Notice, QueryError, SearchError
from search.index import store
from search.index.schema import FACET_FIELDS, TEXT_FIELDS
from search.index.term_ids import TermIds
from search.ingest import hijri as hijri_dates
from search.ingest.source_names import SourceNames
from search.query.config import DEFAULT, RankingConfig
from search.query.explain import explain, word_stems
from search.query.grouping import group_near_duplicates
from search.query.parser import ParsedQuery, check_length, highlight_phrases, highlight_terms, parse, text_words
from search.query.related import key_words
from search.query.rerank import QueryWord, rerank
from search.query.snippets import mark_all, matches
from search.query.snippets import snippet as make_snippet
from search.results import ArticleView, Hit, Results, render_marked
from search.timeline import histogram

SORTS = ("relevance", "newest", "oldest")
#: The stopwords a notice names (a pasted paragraph has dozens).
STOPWORDS_SHOWN = 8
#: Near copies are grouped among this many best-ranked articles (a fixed window, so that every
#: page of one search agrees on the groups); articles below it are listed one by one, and exports
#: list every article.
GROUP_WINDOW = 100
#: Hits whose stored fields a cluster backend fetches in one request (a page, or a slice of an export).
PREFETCHED = 100


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
    histogram: bool = False
    browse: bool = False  # no query: every article under the filters (see Searcher.search)
    author: str | None = None  # words the byline must hold
    explain: bool = False  # say for each hit which query words it matched, in which forms
    group: bool = True  # group near copies of a story (RankingConfig.near_duplicates); exports do not

    @classmethod
    def checked(cls, text: str, date_from: str | date | None = None, date_to: str | date | None = None,
                sort: str = "relevance", page: int = 1, limit: int = settings.PAGE_SIZE,
                fields: tuple[str, ...] = TEXT_FIELDS, facets: bool = False, snippets: bool = True,
                source: str | None = None, histogram: bool = False) -> SearchRequest:
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
        return cls(text or "", start, end, sort, page, limit, tuple(fields), facets, snippets, source, histogram)


_DIGITS = str.maketrans({k: v for k, v in DIGIT_FOLDS.items() if v.isdigit()})


def parse_day(value: str | date | None, name: str, hijri: bool = False) -> date | None:
    """A day from a flag or URL parameter; None when empty: ``YYYY-MM-DD`` (Gregorian, or
    ``YYYY-MM-DDم``), ``YYYY-MM-DDهـ`` (Hijri, Umm al-Qura), or with `hijri` any ``YYYY-MM-DD``
    read as Hijri (:func:`search.ingest.hijri.read_day`).

    :raise SearchError: not such a date (``BAD_DATE``), no such Hijri day (``BAD_HIJRI_DATE``), or
        a Hijri year typed with no mark (``HIJRI_YEAR_TYPED``: the reader is asked which was meant)."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip().translate(_DIGITS)  # Eastern Arabic and Persian digits, as the page takes them
    try:
        found = hijri_dates.read_day(text, hijri)
    except hijri_dates.NotAHijriDay:
        raise SearchError(Code.BAD_HIJRI_DATE, name, value=text) from None
    except hijri_dates.HijriYearTyped as typed:
        y, m, d = typed.hijri
        raise SearchError(Code.HIJRI_YEAR_TYPED, name, value=text, year=y, month=m, day=d,
                          gregorian=typed.gregorian) from None
    except ValueError:
        found = None
    if found is None:
        raise SearchError(Code.BAD_DATE, name, value=value)
    return found


#: Arguments of the public methods that are text (or None): another type is the caller's error.
_TEXT_ARGUMENTS = ("text", "doc_id", "source", "author")


def _damage_is_missing(method):
    """Turn whatever a damaged index makes the backend raise (EOFError, zlib.error, a pickling
    error...) into :class:`search.index.store.IndexMissing` with the hint to reindex; errors the
    caller made (:class:`~search.errors.SearchError`, arguments the method does not take) pass through."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)  # a wrong argument is the caller's TypeError, not damage
        for name in _TEXT_ARGUMENTS:
            value = bound.arguments.get(name)
            if (value is not None or name == "doc_id") and name in bound.arguments and not isinstance(value, str):
                raise TypeError(f"{method.__name__}(): {name} must be a str, not {type(value).__name__}")
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
        #: source id <-> the name readers know (shipped, and the owner's file in the index directory)
        self.sources = SourceNames.load(self.root)

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
               snippets: bool = True, source: str | None = None, histogram: bool = False,
               browse: bool = False, author: str | None = None, explain: bool = False) -> Results:
        """Search the index.

        :param text: the user's query (syntax in :mod:`search.query.parser`).
        :param date_from: first day to include (YYYY-MM-DD or a date); :param date_to: the last.
        :param sort: ``relevance``, ``newest`` or ``oldest`` (undated articles last in each).
        :param page: 1-based page number; :param limit: results per page.
        :param fields: the text fields to search (the knownitem evaluation searches ``body`` only).
        :param facets: also count results by year, month and source.
        :param snippets: build a marked snippet for each hit.
        :param source: only articles from this source: its id (``okaz``) or its name (عكاظ); several
            separated by commas (any of them); ``-okaz`` leaves a source out.
        :param author: only articles whose byline holds each word of this text (as written,
            letters normalized, not stemmed).
        :param explain: say for each hit which query words it matched and in which forms
            (:attr:`Hit.matched`, :mod:`search.query.explain`).
        :param histogram: also count the results over time (:attr:`Results.histogram`,
            :mod:`search.timeline`).
        :param browse: with no query (empty `text`), list every article under the filters,
            newest first (or oldest), instead of the ``EMPTY_QUERY`` notice.
        :raise search.errors.SearchError: a request that cannot be answered as asked (its
            :class:`~search.errors.QueryError` kind for the query itself).
        """
        started = time.perf_counter()
        request = SearchRequest.checked(text, date_from, date_to, sort, page, limit, fields, facets, snippets, source,
                                        histogram)
        parsed = parse(request.text, self.ranking)
        if author and author.strip():
            request = dataclasses.replace(request, author=author)
        if explain:
            request = dataclasses.replace(request, explain=True)
        if browse and not request.text.strip():
            request = _browsing(request)
        results = Results(query=request.text, total=0, page=page, limit=limit, hits=[], sort=request.sort,
                          date_from=_iso(request.date_from), date_to=_iso(request.date_to))
        if parsed.clauses or request.browse:
            if parsed.stopped:
                results.notices.append(Notice(Code.STOPWORDS_LEFT_OUT, {"words": _listed(parsed.stopped)}))
            if parsed.dashes:
                results.notices.append(Notice(Code.DASH_IS_PUNCTUATION,
                                              {"words": _listed([f"«{w}»" for w in parsed.dashes])}))
            results.hits = list(self._run(request, parsed, results))
        else:
            results.notices.append(Notice(Code.NOTHING_TO_SEARCH if request.text.strip() else Code.EMPTY_QUERY))
        results.elapsed_ms = (time.perf_counter() - started) * 1000
        return results

    @_damage_is_missing
    def export(self, text: str, date_from: str | date | None = None, date_to: str | date | None = None,
               sort: str = "relevance", source: str | None = None, most: int = settings.MAX_EXPORT,
               fields: tuple[str, ...] = TEXT_FIELDS, browse: bool = False,
               author: str | None = None) -> tuple[Results, Iterator[Hit]]:
        """A whole result set for export (:mod:`search.export`): the search's total (``Results``
        without hits) and its first `most` hits in order, each made (stored fields, snippet) as
        the iterator is read.

        Everything that can refuse the request runs before this returns, so a streamed response
        can still answer with an error status; the iterator itself only reads stored fields.

        :raise search.errors.SearchError: as :meth:`search`, and ``EXPORT_TOO_LARGE`` for `most`
            outside 1..:data:`search.config.MAX_EXPORT`.
        """
        if not isinstance(most, int) or not 1 <= most <= settings.MAX_EXPORT:
            raise SearchError(Code.EXPORT_TOO_LARGE, "limit", most=settings.MAX_EXPORT)
        request = SearchRequest.checked(text, date_from, date_to, sort, 1, 1, fields, False, True, source)
        request = dataclasses.replace(request, limit=most, author=author or None, group=False)  # page 1 of `most`
        if browse and not request.text.strip():
            request = _browsing(request)
        parsed = parse(request.text, self.ranking)
        results = Results(query=request.text, total=0, page=1, limit=most, hits=[], sort=request.sort,
                          date_from=_iso(request.date_from), date_to=_iso(request.date_to))
        if not parsed.clauses and not request.browse:
            results.notices.append(Notice(Code.NOTHING_TO_SEARCH if request.text.strip() else Code.EMPTY_QUERY))
            return results, iter(())
        return results, self._run(request, parsed, results)

    def _run(self, request: SearchRequest, parsed: ParsedQuery, results: Results) -> Iterator[Hit]:
        """The stages after parsing: candidates, rerank (now), then the asked page's hits with
        their snippets (as the iterator is read)."""
        view = self.backend.view()
        sources, excluded_sources = self._source_filter(view, request.source)
        frequency = functools.partial(view.doc_frequency, request.fields[-1])
        view.prefetch_frequencies(_frequency_keys(parsed, request.fields))  # a cluster: in one request
        parsed, left = parsed.trimmed(frequency)
        if left:
            results.notices.append(Notice(Code.LONG_QUERY, {"kept": len(parsed.terms()), "left": left}))
        parsed = parsed.resolved(frequency, self.ranking)
        words = [QueryWord.of(term) for term in parsed.terms()]
        rerank_depth = (self.ranking.short_rerank_depth if len(words) <= self.ranking.short_query_words
                        else self.ranking.rerank_depth)
        groups = parsed.groups()
        start, end = _day_bounds(request.date_from, request.date_to)
        depth = request.page * request.limit
        grouped = self.ranking.near_duplicates and request.group
        # the grouping window, then as many more as the page needs (the window may group into few)
        wanted = GROUP_WINDOW + depth if grouped else depth
        found = view.candidates(CandidateRequest(
            words, request.fields, self.ranking, parsed.constraints, parsed.excluded, start, end, None,
            sources, excluded_sources, _author_terms(request.author),
            request.sort, max(wanted, rerank_depth) if request.sort == "relevance" else wanted,
            request.facets, groups=groups, days=request.histogram))
        results.total, results.complete = found.total, found.complete
        if request.histogram:
            results.histogram = histogram(found.facets.get("day", {}), found.total)
        if found.relaxed:
            results.notices.append(Notice(Code.PHRASE_RELAXED))
        if request.facets:
            results.facets = {name: sorted(found.facets.get(name, {}).items(), key=_facet_order(name))
                              for name in FACET_FIELDS}
            results.source_names = {value: self.sources.name(value) for value, _ in results.facets["source"]}
        ranked = found.ranked
        if request.sort == "relevance" and words:
            ranked = rerank(view, words, request.fields, ranked, self.ranking,
                            found.missing if found.complete_first else (), rerank_depth, text_words(request.text))
        members: dict = {}
        if grouped:
            stories = _stories(view, ranked[:GROUP_WINDOW], request.fields)
            members = {story.doc: story.members for story in stories if story.members}
            results.grouped = sum(len(m) for m in members.values())
            ranked = [(story.score, story.doc) for story in stories] + ranked[GROUP_WINDOW:]
        terms = highlight_terms(parsed) if request.snippets else None
        explained = word_stems(parsed) if request.explain and parsed.clauses else None
        return self._hits(view, ranked[(request.page - 1) * request.limit: depth], terms, highlight_phrases(parsed),
                          [_part_text(clause) for clause in parsed.positive], found.missing, explained, members)

    def _hits(self, view: IndexView, ranked: list, terms: frozenset[str] | None,
              phrases: tuple[tuple[frozenset[str], ...], ...], parts: list[str],
              missing: dict, explained: dict[str, frozenset[str]] | None = None,
              members: dict | None = None) -> Iterator[Hit]:
        """The hits of the ranked `(score, document)` pairs, read one by one (`members`: each
        story's near copies, document -> [(score, document)]). A cluster backend fetches their
        stored fields :data:`PREFETCHED` hits at a time (:meth:`IndexView.prefetch`)."""
        for at, (score, doc) in enumerate(ranked):
            if at % PREFETCHED == 0:
                view.prefetch([d for _, head in ranked[at:at + PREFETCHED]
                               for d in (head, *(other for _, other in (members or {}).get(head, ())))])
            stored = view.stored_fields(doc)
            body = stored.get("body", "")
            found = matches(body, terms) if explained and terms else None  # shared by the snippet and why
            hit = _hit(stored, score, terms, phrases, found)
            if explained:
                hit.matched = explain([stored.get("title", ""), body], explained, [None, found])
            hit.source_name = self.sources.name(hit.source)
            hit.copies = self._named(view.copies(hit.id))
            hit.missing = [parts[i] for i in missing.get(doc, ())]
            hit.similar = [{**near, "copies": self._named(view.copies(near["id"]))} for near in
                           self._named([_similar(view.stored_fields(other), s) for s, other in (members or {}).get(doc, ())])]
            yield hit

    def _source_filter(self, view: IndexView, source: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The source ids to keep and to leave out, from ``source``: one source, or several
        separated by commas (any of them), each by id or name; one written ``-okaz`` is left out
        (``-was,-sabq``: every source but these).

        :raise SearchError: no source of the index has one of those ids or names."""
        if not source or not source.strip():
            return (), ()
        known = set(view.field_values("source"))
        keep: list[str] = []
        drop: list[str] = []
        for part in source.split(","):
            part = part.strip()
            excluded = part.startswith("-")
            part = part[1:].strip() if excluded else part
            if not part:
                continue
            found = self.sources.resolve(part, known)
            if found is None:
                raise SearchError(Code.UNKNOWN_SOURCE, "source", value=part[:100])
            (drop if excluded else keep).append(found)
        return tuple(dict.fromkeys(keep)), tuple(dict.fromkeys(drop))

    def _named(self, copies: list[dict]) -> list[dict]:
        """Copies (``{id, source, url, date}``) with their source's name as ``source_name``."""
        return [{**c, "source_name": self.sources.name(c.get("source"))} for c in copies]

    @_damage_is_missing
    def article(self, doc_id: str, text: str = "") -> ArticleView | None:
        """The article with id `doc_id`, the words of query `text` marked as the search's
        snippets mark them (stems, and the proclitic forms the index holds: فأطفالهم for
        أطفال), with the copies dropped as its duplicates; None if not found."""
        view = self.backend.view()
        stored = view.document(doc_id)
        if stored is None:
            return None
        frequency = functools.partial(view.doc_frequency, "body")  # resolved as the search resolves it
        terms = highlight_terms(parse(text, self.ranking).resolved(frequency, self.ranking)) if text else frozenset()
        mark = functools.partial(mark_all, terms=terms)
        return ArticleView(
            id=stored["id"], title=stored.get("title", ""), date=_iso(stored.get("date")),
            source=stored.get("source", ""), source_name=self.sources.name(stored.get("source", "")),
            author=stored.get("author", ""), url=stored.get("url", ""),
            marked_title=mark(stored.get("title", "")), marked_body=mark(stored.get("body", "")),
            copies=self._named(view.copies(stored["id"])),
        )

    @_damage_is_missing
    def related(self, doc_id: str, most: int = 5) -> list[Hit]:
        """More like article `doc_id`: a search for its key words (:mod:`search.query.related`),
        the article itself left out; [] if there is no such article or nothing like it.
        Each hit's snippet marks those key words."""
        view = self.backend.view()
        stored = view.document(doc_id)
        if stored is None:
            return []
        words = key_words(stored.get("title", ""), stored.get("body", ""),
                          lambda stem: view.doc_frequency("body", stem), view.doc_count)
        if not words:
            return []
        found = self.search(" ".join(words), limit=most + 1)
        return [hit for hit in found.hits if hit.id != doc_id][:most]


def _author_terms(author: str | None) -> tuple[str, ...]:
    """The byline words as the author field indexes them (normalized, not stemmed)."""
    return tuple(t.text for t in _AUTHOR_ANALYZER(author)) if author else ()


_AUTHOR_ANALYZER = build_analyzer(stem=False)


def _browsing(request: SearchRequest) -> SearchRequest:
    """`request` as a browse of the archive: by date, newest first unless oldest was asked for."""
    return dataclasses.replace(request, browse=True, sort="oldest" if request.sort == "oldest" else "newest")


def _hit(stored: dict, score: float, terms: frozenset[str] | None,
         phrases: tuple[tuple[frozenset[str], ...], ...] = (), found: list | None = None) -> Hit:
    """One result from its stored fields; its snippet marks `terms` (no snippet: None), whose
    matches in the body are `found` if already known, and shows the passage holding `phrases`
    first."""
    return Hit(
        id=stored["id"], title=stored.get("title", ""), date=_iso(stored.get("date")),
        source=stored.get("source", ""), author=stored.get("author", ""), url=stored.get("url", ""),
        score=round(float(score), 4),
        marked_snippet=make_snippet(stored.get("body", ""), terms, phrases=phrases, found=found) if terms is not None else "",
    )


def _frequency_keys(parsed: ParsedQuery, fields: tuple[str, ...]) -> list[tuple[tuple[str, ...], str]]:
    """The document frequencies a search of `parsed` over `fields` reads, as ``(fields, term)``:
    each word's stems and affixed forms in the last field (choosing its readings), in any of the
    fields (the first phase's BM25F), and each word's stem in each field (the rerank)."""
    forms: dict[str, None] = {}
    stems: dict[str, None] = {}

    def walk(clause) -> None:
        for term in clause.terms:
            stems[term.stem] = None
            forms.update(dict.fromkeys((term.stem, *term.alternates, *term.clitic_forms)))
        for alternative in clause.alternatives:
            walk(alternative)

    for clause in parsed.clauses:
        walk(clause)
    return ([((fields[-1],), form) for form in forms] + [(tuple(fields), form) for form in forms]
            + [((field,), stem) for stem in stems for field in fields])


def _listed(words: list[str]) -> str:
    """Words for a notice: the first :data:`STOPWORDS_SHOWN`, Arabic commas between, … if more."""
    return "، ".join(words[:STOPWORDS_SHOWN] + (["…"] if len(words) > STOPWORDS_SHOWN else []))


def _stories(view: IndexView, ranked: list[tuple[float, Any]], fields: tuple[str, ...]) -> list:
    """The ranked articles as stories, near copies grouped (:mod:`search.query.grouping`): all
    of `ranked` is walked, so the groups never depend on the page asked."""
    field_name = "body" if "body" in fields else fields[-1]
    docs = [doc for _, doc in ranked]
    view.prefetch(docs)  # a cluster: the window's stored fields in one request (for their dates and the page)
    when = dict(zip(docs, view.dates(docs)))

    def bodies(batch: list[Any]) -> list[np.ndarray]:
        return [TermIds.decode(raw).stems for raw in view.term_ids(field_name, batch)]

    return group_near_duplicates(ranked, len(ranked), bodies, when.get)


def _similar(stored: dict, score: float) -> dict:
    """A near copy as a hit lists it."""
    return {"id": stored["id"], "title": stored.get("title", ""), "source": stored.get("source", ""),
            "date": _iso(stored.get("date")), "url": stored.get("url", ""), "score": round(float(score), 4)}


def _part_text(clause) -> str:
    """A query part as the user wrote it (a phrase in quotes; OR alternatives joined)."""
    options = [" ".join(t.written for t in option.terms) for option in clause.options]
    options = [f'"{o}"' if option.phrase else o for o, option in zip(options, clause.options)]
    return " OR ".join(options)


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
