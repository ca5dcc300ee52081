"""The app's one :class:`~search.searcher.Searcher`, opened on first use and shared by all requests.

The engine's Searcher is thread-safe and moves to a new index generation by itself after a
reindex, so one per app is enough. When there is no index yet, opening fails with
:class:`search.index.store.IndexMissing` (shown as a 503) and is tried again on the next request, so
running ``arshif reindex`` fixes a running server without a restart.
"""

from __future__ import annotations

import functools
import threading
from datetime import date
from typing import TYPE_CHECKING, cast

import numpy as np
from flask import current_app

from search.analysis.analyzer import forms, term_id
from search.backends import open_backend
from search.backends.base import CandidateRequest
from search.index.schema import TEXT_FIELDS
from search.index.term_ids import TermIds
from search.query.rerank import QueryWord
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


#: Articles of a stem read to estimate how many hold one of its words (:meth:`WebSearcher.form_frequency`).
FORM_SAMPLE = 200
#: Words whose frequency is remembered per index generation.
FORMS_REMEMBERED = 20_000


class WebSearcher(Searcher):
    """The engine's Searcher with the look-ups the page needs."""

    _years: tuple[object, list[str]] | None = None
    _forms: tuple[object, dict[str, int]] | None = None

    def form_frequency(self, word: str) -> int:
        """About how many articles hold `word` itself (its normalized form, in title or body), not
        only its stem: the share of the first :data:`FORM_SAMPLE` articles of its stem whose
        analyzed text (the term-id columns) has the word, times the articles of the stem. 0 when
        no sampled article has it. Remembered per index generation.

        :param word: a word as written (its normalized form and stem are the analyzer's).
        """
        generation = self.generation()
        if self._forms is None or self._forms[0] != generation:
            self._forms = (generation, {})
        memo = self._forms[1]
        found = memo.get(word)
        if found is None:
            found = self._form_frequency(word)
            if len(memo) < FORMS_REMEMBERED:
                memo[word] = found
        return found

    def _form_frequency(self, word: str) -> int:
        pair = forms(word)
        if pair is None:  # a stopword: not indexed
            return 0
        total, sampled, ids, counts = self._stem_sample(self.generation(), pair[1])
        if not sampled:
            return 0
        wanted = term_id(pair[0])
        at = int(np.searchsorted(ids, wanted))
        holding = int(counts[at]) if at < len(ids) and ids[at] == wanted else 0
        return round(holding / sampled * total)

    @functools.lru_cache(maxsize=64)  # noqa: B019 -- one searcher per app, kept for its life
    def _stem_sample(self, generation: object, word_stem: str) -> tuple[int, int, np.ndarray, np.ndarray]:
        """(articles holding `word_stem`, articles sampled, the normalized-form ids of the sample
        sorted, in how many sampled articles each occurs), in index `generation`."""
        view = self.backend.view()
        found = view.candidates(CandidateRequest([QueryWord(word_stem, word_stem)], TEXT_FIELDS, self.ranking,
                                                 depth=FORM_SAMPLE))
        docs = [doc for _, doc in found.ranked]
        per_doc: list[list[np.ndarray]] = [[] for _ in docs]
        for name in TEXT_FIELDS:
            for i, stored in enumerate(view.term_ids(name, docs)):
                if stored:
                    per_doc[i].append(TermIds.decode(stored).norms)
        unique = [np.unique(np.concatenate(arrays)) for arrays in per_doc if arrays]
        if not unique:
            return found.total, len(docs), np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
        ids, counts = np.unique(np.concatenate(unique), return_counts=True)
        return found.total, len(docs), ids, counts

    _span: tuple[object, tuple[date | None, list[str]]] | None = None

    def years(self) -> list[str]:
        """The years that have articles in the index, newest first (read once per generation:
        the page asks on every request)."""
        generation = self.generation()
        if self._years is None or self._years[0] != generation:
            self._years = (generation, sorted((y for y in self.field_values("year") if y), reverse=True))
        return self._years[1]

    def span(self) -> tuple[date | None, list[str]]:
        """The day of the newest dated article, and the months (``YYYY-MM``) that have articles,
        newest first (read once per generation)."""
        generation = self.generation()
        if self._span is None or self._span[0] != generation:
            newest = self.backend.view().date_span()[1]
            months = sorted((m for m in self.field_values("month") if m), reverse=True)
            self._span = (generation, (newest.date() if newest else None, months))
        return self._span[1]

    def sources_in_index(self) -> list[str]:
        """The source ids of the index (read once per generation)."""
        generation = self.generation()
        cached = getattr(self, "_sources_in_index", None)
        if cached is None or cached[0] != generation:
            cached = self._sources_in_index = (generation, [v for v in self.field_values("source") if v])
        return cached[1]
