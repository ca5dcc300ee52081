"""Links that change the search state: quick date choices, sort, facets and pages.

Each is a plain link to ``/`` with the new state in the URL (no JavaScript needed); the
templates only lay them out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote_plus

from flask import g, url_for

from search import config
from web.formatting import month_label
from web.params import SearchParams

#: Years offered as quick choices (the newest in the index).
QUICK_YEARS = 5
#: The archive's months are offered as quick choices when it has at most this many.
QUICK_MONTHS_WITHIN = 12
#: Months listed when no year is chosen (the newest with results); sources listed at most.
MONTHS_SHOWN = 12
SOURCES_SHOWN = 15
SORT_LABELS = {"relevance": "الأكثر صلة", "newest": "الأحدث", "oldest": "الأقدم"}


@dataclass
class Link:
    """One link: its label, its URL, whether it is the current state, and an optional count."""

    label: str
    url: str
    active: bool = False
    count: int | None = None


def _url(params: SearchParams, **changes) -> str:
    """The search page's URL for the state `params` with `changes`: what ``url_for`` gives, with
    the route looked up once per request (a page has some fifty of these links)."""
    base = g.get("arshif_search_url")
    if base is None:
        base = g.arshif_search_url = url_for("arshif.search")
    args = params.url_args(**changes)
    return base + "?" + "&".join(f"{_quoted(k)}={_quoted(v)}" for k, v in args.items()) if args else base


@functools.lru_cache(maxsize=4096)
def _quoted(value: str) -> str:
    """`value` escaped as ``urlencode`` does, with what Werkzeug leaves unescaped in a query
    (``werkzeug.urls._urlencode``); memoized: the query is the same in every link of a page."""
    return quote_plus(value, safe="!$'()*,/:;?@")


def quick_dates(params: SearchParams, newest: date | None, years: list[str], months: list[str]) -> list[Link]:
    """Any time; the archive's last week, month and year, counted back from its newest article
    (`newest`; not today: an archive of 2015 has nothing in "the last week" of today); then the
    archive's own years (`years`, newest first) when it has more than one, and its months
    (`months`, ``YYYY-MM``) when it has at most :data:`QUICK_MONTHS_WITHIN` of them."""
    ranges: list[tuple[str, date | None, date | None]] = [("أي وقت", None, None)]
    if newest is not None:
        ranges += [("آخر أسبوع", newest - timedelta(days=6), newest),
                   ("آخر شهر", newest - timedelta(days=29), newest),
                   ("آخر سنة", newest - timedelta(days=364), newest)]
    if len(years) > 1:
        ranges += [(y, date(int(y), 1, 1), date(int(y), 12, 31)) for y in years[:QUICK_YEARS]]
    if len(months) <= QUICK_MONTHS_WITHIN:
        for m in months:
            first = date(int(m[:4]), int(m[5:7]), 1)
            ranges.append((month_label(m), first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)))
    links = []
    for label, start, end in ranges:
        active = (params.date_from, params.date_to) == (start, end) and not (params.year or params.month)
        links.append(Link(label, _url(params, date_from=start, date_to=end, year="", month=""), active))
    return links


def sort_links(params: SearchParams) -> list[Link]:
    """The three orders, the current one marked."""
    return [Link(label, _url(params, sort=key), params.sort == key) for key, label in SORT_LABELS.items()]


@dataclass
class FacetGroup:
    """One facet: its heading and its value links."""

    name: str
    title: str
    links: list[Link]


def facet_groups(params: SearchParams, facets: dict[str, list[tuple[str, int]]],
                 names: dict[str, str] | None = None) -> list[FacetGroup]:
    """Year, month and source counts as links that narrow the search (or widen it back); a
    source shows as its name in `names` (id -> name)."""
    known: dict[str, str] = names or {}
    groups = []
    years = sorted(facets.get("year", []), reverse=True)
    months = sorted(facets.get("month", []), reverse=True)
    if not params.year:
        months = months[:MONTHS_SHOWN]
    sources = facets.get("source", [])[:SOURCES_SHOWN]

    def source_label(value: str) -> str:
        return known.get(value, value)

    for name, title, values, label in (("year", "السنة", years, str),
                                       ("month", "الشهر", months, month_label),
                                       ("source", "المصدر", sources, source_label)):
        current = getattr(params, name)
        chosen = {current, *(k for k, v in known.items() if v == current)} if name == "source" else {current}
        links = [Link(label(value), _url(params, **{name: "" if value in chosen else value}),
                      value in chosen, count) for value, count in values]
        if links:
            groups.append(FacetGroup(name, title, links))
    return groups


def active_filters(params: SearchParams, names: dict[str, str] | None = None) -> list[Link]:
    """The facets in force, each a link that removes it (a source by its name in `names`)."""
    links = []
    if params.year:
        links.append(Link(f"السنة: {params.year}", _url(params, year="")))
    if params.month:
        links.append(Link(f"الشهر: {month_label(params.month)}", _url(params, month="")))
    if params.source:
        links.append(Link(f"المصدر: {source_label(params.source, names or {})}", _url(params, source="")))
    if params.author:
        links.append(Link(f"الكاتب: {params.author}", _url(params, author="")))
    if params.within:
        links.append(Link("في العناوين فقط", _url(params, within="")))
    return links


def source_label(source: str, names: dict[str, str]) -> str:
    """``عكاظ``, ``عكاظ أو سبق``, ``كل المصادر عدا واس`` for a ``source`` parameter."""
    keep = [names.get(p, p) for p in source.split(",") if p and not p.startswith("-")]
    drop = [names.get(p[1:], p[1:]) for p in source.split(",") if p.startswith("-")]
    label = " أو ".join(keep)
    if drop:
        label = (label + "، " if label else "كل المصادر ") + "عدا " + " و".join(drop)
    return label


def page_links(params: SearchParams, page_count: int, window: int = 2) -> dict:
    """Previous/next and numbered pages around the current one (first and last always shown)."""
    last = min(page_count, max(1, config.MAX_RESULT_DEPTH // params.limit))
    current = params.page
    numbers = sorted({1, last, *range(max(1, current - window), min(last, current + window) + 1)})
    pages: list[Link | None] = []
    for i, n in enumerate(numbers):
        if i and n - numbers[i - 1] > 1:
            pages.append(None)  # a gap, shown as …
        pages.append(Link(str(n), _url(params, page=n), n == current))
    return {
        "previous": _url(params, page=current - 1) if 1 < current <= last + 1 else None,
        "next": _url(params, page=current + 1) if current < last else None,
        "pages": pages if last > 1 else [],
    }
