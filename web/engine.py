"""The app's one :class:`~search.searcher.Searcher`, opened on first use and shared by all requests.

The engine's Searcher is thread-safe and moves to a new index generation by itself after a
reindex, so one per app is enough. When there is no index yet, opening fails with
:class:`search.index.store.IndexMissing` (shown as a 503) and is tried again on the next request, so
running ``arshif reindex`` fixes a running server without a restart.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, cast

from flask import current_app

from search.backends import open_backend
from search.searcher import Searcher

if TYPE_CHECKING:
    from flask import Flask
    from werkzeug.local import LocalProxy

_LOCK = threading.Lock()
_KEY = "arshif.searcher"


def get_searcher() -> WebSearcher:
    """The current app's searcher, opened on first use.

    :raise search.index.store.IndexMissing: no usable index (yet).
    """
    app = cast("LocalProxy[Flask]", current_app)._get_current_object()  # typed as the Flask it stands for
    searcher = app.extensions.get(_KEY)
    if searcher is None:
        with _LOCK:
            searcher = app.extensions.get(_KEY)
            if searcher is None:
                searcher = WebSearcher(app.config["INDEX_DIR"], backend=open_backend(
                    app.config.get("BACKEND"), app.config.get("BACKEND_URL"), app.config["INDEX_DIR"]))
                app.extensions[_KEY] = searcher
    return searcher


class WebSearcher(Searcher):
    """The engine's Searcher with the two look-ups the page needs."""

    _years: tuple[object, list[str]] | None = None

    def years(self) -> list[str]:
        """The years that have articles in the index, newest first (read once per generation:
        the page asks on every request)."""
        generation = self.generation()
        if self._years is None or self._years[0] != generation:
            self._years = (generation, sorted((y for y in self.field_values("year") if y), reverse=True))
        return self._years[1]
