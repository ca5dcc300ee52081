"""The app's one :class:`~search.searcher.Searcher`, opened on first use and shared by all requests.

The engine's Searcher is thread-safe and moves to a new index generation by itself after a
reindex, so one per app is enough. When there is no index yet, opening fails with
:class:`search.store.IndexMissing` (shown as a 503) and is tried again on the next request, so
running ``arshif reindex`` fixes a running server without a restart.

:class:`WebSearcher` adds a filter by source, which ``Searcher.search`` does not take yet (the
change asked of the engine: a ``source=`` parameter ANDed into its date filter). It works by
wrapping the thread's Whoosh searcher for the duration of one call, relying on the engine's
``_searcher()`` and ``_local``; drop it when the engine has the parameter.
"""

from __future__ import annotations

import threading

from flask import current_app
from whoosh import query as wq

from search.searcher import Results, Searcher

_LOCK = threading.Lock()
_KEY = "arshif.searcher"


def get_searcher() -> "WebSearcher":
    """The current app's searcher, opened on first use.

    :raise search.store.IndexMissing: no usable index (yet).
    """
    app = current_app._get_current_object()
    searcher = app.extensions.get(_KEY)
    if searcher is None:
        with _LOCK:
            searcher = app.extensions.get(_KEY)
            if searcher is None:
                searcher = WebSearcher(app.config["INDEX_DIR"])
                app.extensions[_KEY] = searcher
    return searcher


class WebSearcher(Searcher):
    """A Searcher whose :meth:`search` also takes ``source`` (see the module docstring)."""

    def search(self, text: str, *args, source: str = "", **kwargs) -> Results:
        if not source:
            return super().search(text, *args, **kwargs)
        self._local.source = source
        try:
            return super().search(text, *args, **kwargs)
        finally:
            self._local.source = ""

    def _searcher(self):
        whoosh_searcher = super()._searcher()
        source = getattr(self._local, "source", "")
        return _SourceFiltered(whoosh_searcher, source) if source else whoosh_searcher

    def years(self) -> list[str]:
        """The years that have articles in the index, newest first."""
        reader = super()._searcher().reader()
        return sorted((y for y in reader.field_terms("year") if y), reverse=True)

    def reader(self):
        """This thread's Whoosh index reader (for vocabulary look-ups)."""
        return super()._searcher().reader()


class _SourceFiltered:
    """A Whoosh searcher whose ``search`` also keeps only one source's articles."""

    def __init__(self, searcher, source: str):
        self._wrapped = searcher
        self._source = source

    def __getattr__(self, name):
        return getattr(self._wrapped, name)

    def search(self, query, **kwargs):
        only = wq.Term("source", self._source)
        existing = kwargs.get("filter")
        kwargs["filter"] = wq.And([existing, only]) if existing is not None else only
        return self._wrapped.search(query, **kwargs)
