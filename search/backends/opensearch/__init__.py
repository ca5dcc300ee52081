"""The cluster backend: an OpenSearch index (shards and replicas on many machines) behind an alias.

Arshif's analyzer runs in Python and the index holds its output (:func:`os_document`):

- ``title`` and ``body``: the stems of the text, space-separated, indexed with OpenSearch's
  ``whitespace`` analyzer and BM25 (k1 1.2, b 0.75, the first phase's), with positions for phrases;
- ``text``: title and body stems together (no positions), which the first phase searches when it
  searches both with equal weights: one frequency, one length and one idf per word, as BM25F
  weighs an article, where separate fields would give a title match its own, much larger idf;
- ``title_length`` and ``body_length``: each text's token count as the embedded index keeps it (one
  byte, Whoosh's ``length_to_byte``), so both backends normalize lengths alike;
- ``title_term_ids`` and ``body_term_ids``: the per-document term ids the second phase reads
  (:mod:`search.index.term_ids`; binary, not indexed);
- ``author``: the byline's normalized words (not stemmed), as the embedded index's ``author``
  field holds them, for the byline filter;
- ``date``, ``year``, ``month``, ``source``, ``origin``: filters and facet aggregations (the
  timeline's ``day`` facet is a date histogram of ``date``);
- ``stored``: what the page shows (original title, body, author, URL...), kept in ``_source`` only.

The stems and term ids are :func:`search.analysis.analyzer.token_forms`' (compound names such as
عبد الله one word), so the mapping's ``_meta`` records :data:`search.index.store.FORMAT_VERSION`: an
index written by another analysis is refused with the hint to reindex, as the embedded one is.

The first phase runs in OpenSearch with ``dfs_query_then_fetch`` (document frequencies of the whole
index, across shards): the query words' stems, other readings and ب/ل/ك/ف forms, the filters (date
range, sources, byline, required words and phrases, exclusions: each word by every stem it
matches, :attr:`search.query.parser.Term.matching`), the total, the facet counts and, for
queries of several parts, the articles with every part, and the timeline's days, all in one
request. It fetches a window of candidates (:data:`WINDOW_FACTOR` times the rerank depth, more for
a deeper request) whose term ids are then scored with Arshif's BM25F
(:func:`search.query.first_phase.add_bm25f`'s formula, from the same term ids) so that the second
phase (:mod:`search.query.rerank`), near-copy grouping, the snippets and the page run on the same
candidates as with the embedded backend.

A reindex (:class:`OpenSearchBuild`) writes a new index ``<alias>-g<time>`` with bulk requests
(retried when a node rejects or drops one), refuses it if it holds fewer articles than were sent,
then raises its replicas, waits for them and moves the alias to it in one atomic alias update: a
killed reindex leaves the alias on the previous index. A lock document in ``<alias>-lock`` makes a
second reindex at the same time fail with :class:`search.index.store.ReindexRunning`; the lock of
a reindex that died is taken over (at once when it ran on this machine, else after
:data:`LOCK_STALE_SECONDS` without its heartbeat).

Shards and replicas: :data:`DEFAULT_SHARDS` primaries (2) with :data:`DEFAULT_REPLICAS` (1) copy
each by default; see the README, "Outgrowing one machine".

The package, one job a module: :mod:`~search.backends.opensearch.settings` (the client, the
settings and mapping, an article's document), :mod:`~search.backends.opensearch.query` (the first
phase's request), :mod:`~search.backends.opensearch.view` (reading: the backend and a request's
view), :mod:`~search.backends.opensearch.build` (writing: bulk build, check and alias swap) and
:mod:`~search.backends.opensearch.lock` (the reindex lock).
"""

from __future__ import annotations

from search.backends.opensearch.build import BULK_ATTEMPTS, BULK_DOCS, OpenSearchBuild
from search.backends.opensearch.lock import LOCK_STALE_SECONDS
from search.backends.opensearch.settings import (
                                                 COMBINED,
                                                 DEFAULT_ALIAS,
                                                 DEFAULT_REPLICAS,
                                                 DEFAULT_SHARDS,
                                                 FACET_SIZE,
                                                 FORMAT_KEY,
                                                 connect,
                                                 index_settings,
                                                 os_document,
                                                 stored_length,
)
from search.backends.opensearch.view import KEPT_DOCUMENTS, WINDOW_FACTOR, OpenSearchBackend, OpenSearchView

__all__ = ["BULK_ATTEMPTS", "BULK_DOCS", "COMBINED", "DEFAULT_ALIAS", "DEFAULT_REPLICAS", "DEFAULT_SHARDS",
           "FACET_SIZE", "FORMAT_KEY", "KEPT_DOCUMENTS", "LOCK_STALE_SECONDS", "WINDOW_FACTOR", "OpenSearchBackend",
           "OpenSearchBuild", "OpenSearchView", "connect", "index_settings", "os_document", "stored_length"]
