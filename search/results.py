"""What a search returns: :class:`Results` (a page of :class:`Hit`) and :class:`ArticleView`, with
the query's words marked between :data:`~search.query.snippets.MARK_OPEN` and
:data:`~search.query.snippets.MARK_CLOSE` until :func:`render_marked` writes them as tags."""

from __future__ import annotations

import html
import math
from dataclasses import asdict, dataclass, field

from search.errors import Notice
from search.ingest.hijri import hijri_iso
from search.query.snippets import MARK_CLOSE, MARK_OPEN
from search.timeline import Histogram


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
    #: the same article published again, dropped as duplicates at indexing: [{id, source, url, date}]
    copies: list[dict] = field(default_factory=list)
    #: the parts of the query this article lacks (when others have them all), as written
    missing: list[str] = field(default_factory=list)
    #: near copies of this story ranked below it (the same wire story in other papers), grouped
    #: here instead of listed again: [{id, title, source, date, url, score, source_name, copies}]
    similar: list[dict] = field(default_factory=list)

    def ids(self) -> list[str]:
        """Every article this hit stands for, in the order a TREC run lists them: the article,
        its exact copies, then each near copy with its own exact copies."""
        return [self.id, *(c["id"] for c in self.copies),
                *(i for near in self.similar for i in [near["id"], *(c["id"] for c in near.get("copies", ()))])]
    source_name: str = ""  # the name readers know the source by (search.ingest.source_names)
    #: why it matched: each query word's forms in the article, [{word, count, forms: [{form, count}]}]
    #: (count 0: the article lacks the word; search.query.explain)
    matched: list[dict] = field(default_factory=list)

    @property
    def snippet_html(self) -> str:
        """The snippet, HTML-escaped, matched words in ``<mark>``."""
        return render_marked(self.marked_snippet, "<mark>", "</mark>")

    @property
    def date_hijri(self) -> str | None:
        """The day of :attr:`date` in the Hijri calendar (Umm al-Qura): ``1436-10-20``."""
        return hijri_iso(self.date)

    def as_dict(self) -> dict:
        d = asdict(self)
        del d["marked_snippet"]
        d["snippet"] = self.snippet_html
        d["date_hijri"] = self.date_hijri
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
    notices: list[Notice] = field(default_factory=list)
    complete: int | None = None  # articles with every part of a query of two parts or more
    elapsed_ms: float = 0.0
    source_names: dict[str, str] = field(default_factory=dict)  # source facet id -> name
    histogram: Histogram | None = None  # the results over time, when asked for
    grouped: int = 0  # articles listed under another as near copies of its story (Hit.similar)

    @property
    def page_count(self) -> int:
        """Pages of hits: the articles less those grouped under another."""
        return max(1, math.ceil((self.total - self.grouped) / self.limit)) if self.limit else 1

    def as_dict(self) -> dict:
        return {
            "query": self.query, "total": self.total, "page": self.page, "limit": self.limit,
            "pages": self.page_count, "grouped": self.grouped, "sort": self.sort, "from": self.date_from, "to": self.date_to,
            "complete": self.complete,
            "elapsed_ms": round(self.elapsed_ms, 2), "notices": [n.as_dict() for n in self.notices],
            "results": [h.as_dict() for h in self.hits],
            "facets": {k: [self._facet(k, v, c) for v, c in vals] for k, vals in self.facets.items()},
            **({"histogram": self.histogram.as_dict()} if self.histogram is not None else {}),
        }

    def _facet(self, name: str, value: str, count: int) -> dict:
        entry: dict = {"value": value, "count": count}
        if name == "source":
            entry["name"] = self.source_names.get(value, value)
        return entry


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
    source_name: str = ""
    #: the same article published again (as :attr:`Hit.copies`, with ``source_name``)
    copies: list[dict] = field(default_factory=list)

    @property
    def date_hijri(self) -> str | None:
        """The day of :attr:`date` in the Hijri calendar (Umm al-Qura): ``1436-10-20``."""
        return hijri_iso(self.date)

    @property
    def body(self) -> str:
        """The body as stored, without marks."""
        return self.marked_body.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")

    @property
    def title_html(self) -> str:
        return render_marked(self.marked_title, "<mark>", "</mark>")

    @property
    def body_html(self) -> str:
        return render_marked(self.marked_body, "<mark>", "</mark>")


def render_marked(marked: str, open_tag: str, close_tag: str, escape=html.escape) -> str:
    """Escape text marked by the highlighter and put `open_tag`/`close_tag` around matches."""
    return escape(marked).replace(MARK_OPEN, open_tag).replace(MARK_CLOSE, close_tag)
