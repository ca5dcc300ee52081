"""Browsing the archive without a query: the welcome page's ways in (newest, oldest, each source
with its article count), plain links to ``/`` with the browse state in the URL
(:attr:`web.params.SearchParams.browsing`)."""

from __future__ import annotations

from web.engine import WebSearcher
from web.navigation import SORT_LABELS, Link, _url
from web.params import SearchParams


def browse_links(searcher: WebSearcher) -> dict[str, list[Link]]:
    """``{"order": [newest, oldest], "sources": [each source by its name, with its count]}``."""
    empty = SearchParams()
    archive = searcher.search("", browse=True, facets=True, limit=1, snippets=False)
    sources = [Link(searcher.sources.name(value), _url(empty, source=value, sort="newest"), count=count)
               for value, count in archive.facets.get("source", [])]
    return {"order": [Link("الأحدث أولًا", _url(empty, sort="newest")), Link("الأقدم أولًا", _url(empty, sort="oldest"))],
            "sources": sources}


def browse_sorts(params: SearchParams) -> list[Link]:
    """The orders of a browse: newest (the default) and oldest; relevance means nothing without
    a query."""
    oldest = params.sort == "oldest"
    return [Link(SORT_LABELS["newest"], _url(params, sort="newest"), not oldest),
            Link(SORT_LABELS["oldest"], _url(params, sort="oldest"), oldest)]


def source_choices(searcher: WebSearcher) -> list[tuple[str, str]]:
    """(id, name) of every source of the archive, by name: the advanced search's checkboxes."""
    return sorted(((value, searcher.sources.name(value)) for value in searcher.sources_in_index()),
                  key=lambda pair: pair[1])
