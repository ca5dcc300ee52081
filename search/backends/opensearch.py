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
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.util.numeric import byte_to_length, length_to_byte

from search.analysis.analyzer import term_id, token_forms
from search.analysis.broad_stems import FILE as BROAD_STEMS_FILE
from search.analysis.broad_stems import BroadStemCollector, BroadStemMap
from search.backends.base import CandidateRequest, CandidateSet
from search.index import store, term_ids
from search.index.schema import FACET_FIELDS, TERM_IDS_SUFFIX, TEXT_FIELDS
from search.query.bm25 import CollectionStats, bm25, idf
from search.query.config import RankingConfig
from search.query.parser import Clause
from search.query.rerank import QueryWord

#: Primary shards of a new index, and copies of each (a second machine keeps every shard).
DEFAULT_SHARDS = 2
DEFAULT_REPLICAS = 1
#: The alias searched when none is named (``ARSHIF_OPENSEARCH_ALIAS``).
DEFAULT_ALIAS = "arshif"
#: Candidates fetched from OpenSearch for the first phase's exact ordering: this many times the
#: rerank depth, and at least the depth asked for plus that many times less one (the 300 candidates
#: of a short query come from 450: the top 10 of 288 of 290 news queries are then Whoosh's, as
#: from 1,200; from 300, 285). Their term ids travel with them.
WINDOW_FACTOR = 4
#: Articles per bulk request, and attempts of one bulk request before the build fails.
BULK_DOCS = 500
BULK_ATTEMPTS = 6
#: A reindex lock not renewed for this long belongs to a reindex that died: the next one takes it.
LOCK_STALE_SECONDS = 120
#: Facet values counted per facet (more than any archive has years, months or sources).
FACET_SIZE = 10_000
_LENGTH = "_length"
#: The field of title and body stems together.
COMBINED = "text"
#: The mapping's ``_meta`` key of the index format (:data:`search.index.store.FORMAT_VERSION`).
FORMAT_KEY = "arshif_format"
#: Stored documents a view keeps at most (an export reads thousands, a batch at a time).
KEPT_DOCUMENTS = 2_000


def connect(url: str, timeout: float = 30.0):
    """An ``opensearchpy.OpenSearch`` client for `url` (one address, or several comma-separated: the
    client spreads requests over them and tries the next when one does not answer). No HTTP
    compression: a first phase's answer is about 0.5 MB (the window's term ids), which compressing
    costs more than sending over a data-centre network (40 ms a query on a loaded 2-core machine)."""
    from opensearchpy import OpenSearch

    hosts = [u.strip() for u in url.split(",") if u.strip()]
    return OpenSearch(hosts, timeout=timeout, max_retries=len(hosts) + 2, retry_on_timeout=True,
                      retry_on_status=(429, 502, 503, 504))


def index_settings(shards: int = DEFAULT_SHARDS, replicas: int = DEFAULT_REPLICAS) -> dict:
    """The settings and mappings of a new Arshif index (see the module docstring)."""
    text = {"type": "text", "analyzer": "whitespace", "similarity": "arshif_bm25", "norms": True}
    keyword = {"type": "keyword"}
    properties: dict[str, Any] = {
        "id": keyword, "date": {"type": "date"}, "origin": keyword,
        "author": {"type": "text", "analyzer": "whitespace", "index_options": "docs", "norms": False},
        "stored": {"type": "object", "enabled": False},
    }
    for name in FACET_FIELDS:
        properties[name] = keyword
    properties[COMBINED] = {**text, "index_options": "freqs"}
    for name in TEXT_FIELDS:
        properties[name] = text
        properties[name + _LENGTH] = {"type": "integer"}
        properties[name + TERM_IDS_SUFFIX] = {"type": "binary"}
    return {
        "settings": {"index": {
            "number_of_shards": shards, "number_of_replicas": replicas,
            "similarity": {"arshif_bm25": {"type": "BM25", "k1": 1.2, "b": 0.75}},
        }},
        "mappings": {"dynamic": "strict", "_meta": {FORMAT_KEY: store.FORMAT_VERSION}, "properties": properties},
    }


def stored_length(tokens: int) -> int:
    """A text's length as the embedded index stores it (one byte: Whoosh's ``length_to_byte``)."""
    return int(byte_to_length(length_to_byte(tokens))) if tokens else 0


def os_document(doc: dict[str, Any]) -> dict[str, Any]:
    """The OpenSearch document of an article given as :func:`search.index.build.to_document` makes it."""
    out: dict[str, Any] = {"id": doc["id"]}
    for name in TEXT_FIELDS:
        text = doc.get(name) or ""
        forms = token_forms(text) if text else []
        out[name] = " ".join(stem for _, stem in forms)
        out[name + _LENGTH] = stored_length(len(forms))
        if forms:
            out[name + TERM_IDS_SUFFIX] = base64.b64encode(term_ids.encode(text)).decode("ascii")
    out[COMBINED] = " ".join(out[name] for name in TEXT_FIELDS if out[name])
    author = doc.get("author") or ""
    if author:
        out["author"] = " ".join(norm for norm, _ in token_forms(author))
    date = doc.get("date")
    if date is not None:
        out["date"] = date.isoformat()
        out["year"], out["month"] = doc["year"], doc["month"]
    for name in ("source", "origin"):
        if doc.get(name):
            out[name] = doc[name]
    out["stored"] = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in doc.items()}
    return out


def _stored(source: dict[str, Any]) -> dict[str, Any]:
    """The stored fields of a hit, as the embedded backend gives them (``date`` a datetime)."""
    stored = dict(source.get("stored") or {})
    if isinstance(stored.get("date"), str):
        try:
            stored["date"] = datetime.fromisoformat(stored["date"])
        except ValueError:
            stored.pop("date")
    return stored


# --- reading ---------------------------------------------------------------------------------


@dataclass
class _Generation:
    """What is read once per index behind the alias, shared by threads."""

    name: str
    doc_count: int
    avg_length: dict[str, float]
    broad_stems: BroadStemMap | None
    copies: dict[str, list[dict]]
    span: tuple[datetime | None, datetime | None] = (None, None)
    frequencies: dict[tuple[Any, str], int] = field(default_factory=dict)


class OpenSearchBackend:
    """The Arshif index behind alias `alias` on the cluster at `url`; safe to share between threads.

    :param url: one node's address or several, comma-separated (``http://host:9200,...``).
    """

    #: seconds a resolved alias is trusted before it is asked again (a reindex's swap shows after it)
    ALIAS_TTL = 0.5

    def __init__(self, url: str, alias: str = DEFAULT_ALIAS, client=None):
        self.url, self.alias = url, alias
        self.client = client or connect(url)
        self._lock = threading.Lock()
        self._resolved: tuple[float, str] | None = None
        self._generation: _Generation | None = None

    def view(self) -> OpenSearchView:
        """The index behind the alias now.

        :raise search.index.store.IndexMissing: no such alias, or the cluster does not answer."""
        name = self._current()
        with self._lock:
            gen = self._generation
        if gen is None or gen.name != name:
            from opensearchpy.exceptions import TransportError

            try:
                gen = self._load(name)
            except TransportError as exc:  # (ConnectionError is one too)
                raise store.IndexMissing(f"The OpenSearch cluster at {self.url} could not answer ({exc}); "
                                         "try again in a moment.") from exc
            with self._lock:
                self._generation = gen
        return OpenSearchView(self.client, gen, self.url)

    def _current(self) -> str:
        from opensearchpy.exceptions import ConnectionError as Unreachable
        from opensearchpy.exceptions import NotFoundError, TransportError

        now = time.monotonic()
        resolved = self._resolved
        if resolved is not None and now - resolved[0] < self.ALIAS_TTL:
            return resolved[1]
        try:
            # (local: this node's cluster state, so searches go on while no cluster manager is elected)
            names = list(self.client.indices.get_alias(name=self.alias, local=True))
        except NotFoundError:
            raise store.IndexMissing(
                f"No Arshif index {self.alias!r} on the OpenSearch cluster at {self.url}. Build one with: "
                f"arshif reindex [PATH ...] --backend opensearch --url {self.url}") from None
        except (Unreachable, TransportError) as exc:
            raise store.IndexMissing(f"The OpenSearch cluster at {self.url} does not answer ({exc}).") from None
        if len(names) != 1:
            raise store.IndexMissing(f"The alias {self.alias!r} points at {len(names)} indexes ({', '.join(names)}); "
                                     f"run arshif reindex --backend opensearch to point it at one.")
        self._resolved = (now, names[0])
        return names[0]

    def _load(self, name: str) -> _Generation:
        # (local: this node's cluster state, so a search goes on while no cluster manager is elected)
        written = (self.client.indices.get_mapping(index=name, local=True).get(name, {}).get("mappings", {})
                   .get("_meta", {}).get(FORMAT_KEY))
        if written != store.FORMAT_VERSION:
            raise store.IndexMissing(
                f"The OpenSearch index {name} behind {self.alias!r} is of index format {written or 'unknown'}; "
                f"this version of Arshif reads format {store.FORMAT_VERSION}. Rebuild it with: "
                f"arshif reindex [PATH ...] --backend opensearch --url {self.url} --index {self.alias}")
        aggs: dict[str, Any] = {f: {"filter": {"range": {f + _LENGTH: {"gt": 0}}},
                                    "aggs": {"avg": {"avg": {"field": f + _LENGTH}}}} for f in TEXT_FIELDS}
        aggs["first"], aggs["last"] = {"min": {"field": "date"}}, {"max": {"field": "date"}}
        found = self.client.search(index=name, body={"size": 0, "track_total_hits": True, "aggs": aggs})
        avg = {f: float(found["aggregations"][f]["avg"]["value"] or 1.0) for f in TEXT_FIELDS}
        span = (_instant(found["aggregations"]["first"]), _instant(found["aggregations"]["last"]))
        meta = _read_meta(self.client, name)
        return _Generation(name, int(found["hits"]["total"]["value"]), avg, meta.get("broad_stems"),
                           meta.get("copies") or {}, span)


def _unavailable(method):
    """A cluster that fails a request (overloaded, a node gone mid-request, a timeout) becomes
    :class:`search.index.store.IndexMissing` saying so: not the embedded index's "damaged, rebuild"."""
    import functools

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        from opensearchpy.exceptions import ConnectionError as Unreachable
        from opensearchpy.exceptions import NotFoundError, TransportError

        try:
            return method(self, *args, **kwargs)
        except NotFoundError as exc:
            raise store.IndexMissing(f"The index {self.generation} is gone from the OpenSearch cluster at "
                                     f"{self.url} (a reindex replaced it?); search again.") from exc
        except (Unreachable, TransportError) as exc:
            raise store.IndexMissing(f"The OpenSearch cluster at {self.url} could not answer ({exc}); "
                                     "try again in a moment.") from exc

    return wrapper


class OpenSearchView:
    """One request's view of one index (the alias's target when the view was opened)."""

    def __init__(self, client, gen: _Generation, url: str = ""):
        self.client, self._gen, self.url = client, gen, url
        self.generation = gen.name
        self.doc_count = gen.doc_count
        self._sources: dict[Any, dict] = {}  # this request's fetched documents, by _id

    # --- statistics ------------------------------------------------------------------------

    def _remember(self, key: tuple[Any, str], count: int) -> None:
        if len(self._gen.frequencies) > 500_000:
            self._gen.frequencies.clear()
        self._gen.frequencies[key] = count

    def _count(self, fields: Sequence[str], term: str) -> int:
        key = _frequency_key(fields, term)
        found = self._gen.frequencies.get(key)
        if found is None:
            found = int(self.client.count(index=self._gen.name, body={"query": _holding(fields, term)})["count"])
            self._remember(key, found)
        return found

    @_unavailable
    def doc_frequency(self, field: str, term: str) -> int:
        return self._count((field,), term)

    @_unavailable
    def documents_holding(self, fields: tuple[str, ...], term: str) -> int:
        """Articles with `term` in any of `fields` (BM25F's document frequency)."""
        return self._count(fields, term)

    @_unavailable
    def prefetch_frequencies(self, keys: Iterable[tuple[Sequence[str], str]]) -> None:
        """Count, in one request, the articles holding each `term` in any of `fields` for the
        ``(fields, term)`` pairs of `keys` not counted yet: :meth:`doc_frequency` and
        :meth:`documents_holding` then answer from memory. One ``_msearch`` of size-0 searches
        with exact totals (what ``_count`` answers, in one round trip instead of one per word);
        a pair whose search failed is left to be counted alone when asked."""
        wanted: dict[tuple[Any, str], dict] = {}
        for fields, term in keys:
            key = _frequency_key(fields, term)
            if key not in wanted and key not in self._gen.frequencies:
                wanted[key] = _holding(fields, term)
        if not wanted:
            return
        lines: list[dict] = []
        for query in wanted.values():
            lines += [{"index": self._gen.name}, {"size": 0, "track_total_hits": True, "query": query}]
        answer = self.client.msearch(body=lines)
        for key, item in zip(wanted, answer.get("responses") or ()):
            total = (item.get("hits") or {}).get("total") if "error" not in item else None
            if isinstance(total, dict) and total.get("relation", "eq") == "eq":
                self._remember(key, int(total["value"]))

    def _idf(self, fields: tuple[str, ...], term: str) -> float:
        """BM25's idf of `term` over the articles with it in any of `fields` (Lucene's formula,
        which OpenSearch uses too)."""
        return idf(self.doc_count, self.documents_holding(fields, term))

    def stats(self, fields: Sequence[str]) -> CollectionStats:
        return CollectionStats(self.doc_count, {f: self._gen.avg_length[f] for f in fields}, self.doc_frequency)

    # --- first phase -----------------------------------------------------------------------

    @_unavailable
    def candidates(self, request: CandidateRequest) -> CandidateSet:
        """First phase, filters, total, facets and the parts each candidate has, in one search
        (a second one only when no article meets every required word or phrase)."""
        config = request.config
        self.prefetch_frequencies(_frequency_keys(request))
        tiers = config.all_words_first and len(request.groups) > 1
        first = tiers and (request.sort != "relevance" or len(request.groups) <= config.all_words_max_parts)
        window = request.depth if request.sort != "relevance" else min(store_depth_cap(), max(
            request.depth + config.rerank_depth * (WINDOW_FACTOR - 1), config.rerank_depth * WINDOW_FACTOR))
        body = _search_body(request, window, tiers, first, True, self._idf)
        found = self._search(body)
        relaxed = False
        if request.constraints and not found["hits"]["total"]["value"]:
            loose = self._search(_search_body(request, window, tiers, first, False, self._idf))
            if loose["hits"]["total"]["value"]:
                found, relaxed = loose, True
        hits = found["hits"]["hits"]
        total = int(found["hits"]["total"]["value"])
        aggs = found.get("aggregations") or {}
        facets = {name: {b["key"]: int(b["doc_count"]) for b in aggs[name]["buckets"]}
                  for name in FACET_FIELDS if name in aggs} if request.facets else {}
        if request.days:
            facets["day"] = {b["key_as_string"]: int(b["doc_count"]) for b in aggs["day"]["buckets"]
                             if b["doc_count"]}
        for hit in hits:
            self._sources[hit["_id"]] = hit.get("_source") or {}
        scores = self.first_phase_scores(request, [h["_id"] for h in hits])
        parts = len(request.groups)
        missing: dict[Any, list[int]] = {}
        complete: set[Any] = set()
        if tiers:
            for hit in hits:
                names = set(hit.get("matched_queries") or ())
                lacks = [i for i in range(parts) if f"part-{i}" not in names]
                if lacks:
                    missing[hit["_id"]] = lacks
                else:
                    complete.add(hit["_id"])
        keyed = []
        for position, hit in enumerate(hits):
            doc = hit["_id"]
            tier = 0 if not first or doc in complete else 1
            if request.sort == "relevance":
                key: tuple = (tier, -scores[position], _date_key(hit.get("_source", {}).get("date"), True))
            else:
                key = (tier, position)  # OpenSearch sorted them by date (undated last)
            keyed.append((key, scores[position], doc))
        keyed.sort(key=lambda k: k[0])
        ranked = [(score, doc) for _, score, doc in keyed[:request.depth]]
        if not tiers:
            return CandidateSet(total, ranked, facets, relaxed)
        missing = {doc: lacks for doc, lacks in missing.items() if any(doc == d for _, d in ranked)}
        every = int(aggs["complete"]["doc_count"]) if "complete" in aggs else None
        return CandidateSet(total, ranked, facets, relaxed, every, missing, first)

    def _search(self, body: dict) -> dict:
        return self.client.search(index=self._gen.name, body=body, search_type="dfs_query_then_fetch")

    def first_phase_scores(self, request: CandidateRequest, docs: Sequence[Any]) -> list[float]:
        """Arshif's first-phase score (BM25F, or per-field BM25 with ``bm25f`` off) of each of
        `docs`, from their term ids and the index's statistics: what
        :func:`search.query.first_phase.score` gives the same articles in the embedded backend."""
        config, words, fields = request.config, request.words, request.fields
        scores = np.zeros(len(docs), dtype=np.float64)
        if not words or not docs:
            return scores.tolist()
        with_clitics = len(words) <= config.clitic_candidate_words
        stems = {f: [self._stems(f, d) for d in docs] for f in fields}
        b, k1 = config.candidate_bm25_b, config.bm25_k1
        for word in words:
            terms = [(word.stem, 1.0)] + [(a, 1.0) for a in word.alternates]
            if with_clitics:
                terms += [(v, config.clitic_weight) for v in word.variants]
            ids = [(np.uint32(term_id(t)), w) for t, w in terms]
            per_field = {}
            for f in fields:
                tf = np.array([sum(w * float(np.count_nonzero(s == i)) for i, w in ids) for s in stems[f]])
                lengths = np.array([stored_length(len(s)) for s in stems[f]], dtype=np.float64)
                per_field[f] = (tf, lengths, max(self._gen.avg_length[f], 1.0))
            if config.bm25f:
                pseudo = np.zeros(len(docs))
                for f, (tf, lengths, avg) in per_field.items():
                    pseudo += config.field_weight(f) * tf / (1 - b + b * lengths / avg)
                weight = idf(self.doc_count, self.documents_holding(fields, word.stem))
                scores += weight * pseudo * (k1 + 1) / (pseudo + k1)
            else:
                for f, (tf, lengths, avg) in per_field.items():
                    weight = idf(self.doc_count, self.doc_frequency(f, word.stem)) * config.field_weight(f)
                    scores += np.where(tf > 0, bm25(tf, lengths, avg, k1, b, idf=weight), 0.0)
        return np.asarray(scores, dtype=np.float32).astype(float).tolist()

    def _stems(self, field: str, doc: Any) -> np.ndarray:
        stored = self._source(doc).get(field + TERM_IDS_SUFFIX)
        return term_ids.TermIds.decode(base64.b64decode(stored)).stems if stored else np.empty(0, dtype=np.uint32)

    def _source(self, doc: Any) -> dict:
        found = self._sources.get(doc)
        if found is None:
            got = self.client.get(index=self._gen.name, id=doc, _source_includes=_READ)
            found = self._sources[doc] = got.get("_source") or {}
        return found

    # --- stored data -----------------------------------------------------------------------

    @_unavailable
    def term_ids(self, field: str, docs: Sequence[Any]) -> list[bytes]:
        wanted = [d for d in docs if field + TERM_IDS_SUFFIX not in self._sources.get(d, {})
                  and "stored" not in self._sources.get(d, {})]
        if wanted:
            got = self.client.mget(index=self._gen.name, body={"ids": list(dict.fromkeys(wanted))},
                                   _source_includes=_READ)
            for item in got["docs"]:
                if item.get("found"):
                    self._sources[item["_id"]] = item["_source"]
        out = []
        for d in docs:
            stored = self._sources.get(d, {}).get(field + TERM_IDS_SUFFIX)
            out.append(base64.b64decode(stored) if stored else b"")
        return out

    @_unavailable
    def prefetch(self, docs: Sequence[Any]) -> None:
        """Fetch the stored fields (and term ids) of `docs` in one request: a page's hits, or a
        batch that near-copy grouping reads the dates of. The view keeps at most
        :data:`KEPT_DOCUMENTS` of them (an export reads thousands, a batch at a time)."""
        wanted = [d for d in dict.fromkeys(docs) if "stored" not in self._sources.get(d, {})]
        if not wanted:
            return
        if len(self._sources) + len(wanted) > KEPT_DOCUMENTS:
            keep = set(docs)
            self._sources = {d: v for d, v in self._sources.items() if d in keep}
        got = self.client.mget(index=self._gen.name, body={"ids": wanted}, _source_includes=_READ)
        for item in got["docs"]:
            if item.get("found"):
                self._sources[item["_id"]] = item["_source"]

    def dates(self, docs: Sequence[Any]) -> list[datetime | None]:
        """From the stored fields (one request for those not fetched yet: :meth:`prefetch`)."""
        self.prefetch(docs)
        return [value if isinstance(value := self.stored_fields(d).get("date"), datetime) else None for d in docs]

    @_unavailable
    def stored_fields(self, doc: Any) -> dict[str, Any]:
        source = self._sources.get(doc)
        if source is None or "stored" not in source:
            source = self._sources[doc] = self.client.get(index=self._gen.name, id=doc,
                                                          _source_includes=_READ)["_source"]
        return _stored(source)

    @_unavailable
    def document(self, doc_id: str) -> dict[str, Any] | None:
        from opensearchpy.exceptions import NotFoundError

        try:
            return _stored(self.client.get(index=self._gen.name, id=doc_id, _source_includes=["stored"])["_source"])
        except NotFoundError:
            return None

    def copies(self, doc_id: str) -> list[dict[str, Any]]:
        return [{k: c.get(k) for k in ("id", "source", "url", "date")} for c in self._gen.copies.get(doc_id, ())]

    @_unavailable
    def field_values(self, field: str) -> list[str]:
        found = self.client.search(index=self._gen.name, body={
            "size": 0, "aggs": {"values": {"terms": {"field": field, "size": FACET_SIZE, "order": {"_key": "asc"}}}}})
        return [b["key"] for b in found["aggregations"]["values"]["buckets"]]

    def date_span(self) -> tuple[datetime | None, datetime | None]:
        """The first and last dates of the articles ((None, None): none is dated); read once per
        index."""
        return self._gen.span

    def broad_stems(self) -> BroadStemMap | None:
        return self._gen.broad_stems


#: What a view reads of a document: its stored fields, date and term ids (not the indexed stems).
_READ = ["stored", "date", *(f + TERM_IDS_SUFFIX for f in TEXT_FIELDS)]


def _frequency_key(fields: Sequence[str], term: str) -> tuple[Any, str]:
    """How the view remembers a document frequency: (field, term) for one field, else (fields, term)."""
    return (fields[0], term) if len(fields) == 1 else (tuple(fields), term)


def _holding(fields: Sequence[str], term: str) -> dict:
    """The articles with `term` in any of `fields`: in both texts, the combined field (the same
    articles, counted from its postings' document frequency: no postings are walked)."""
    if len(fields) == 1:
        return {"term": {fields[0]: term}}
    if set(fields) == set(TEXT_FIELDS):
        return {"term": {COMBINED: term}}
    return {"bool": {"should": [{"term": {f: term}} for f in fields]}}


def _frequency_keys(request: CandidateRequest) -> list[tuple[Sequence[str], str]]:
    """The document frequencies a first phase of `request` reads (its terms' idfs in the request,
    :func:`_word_query`; its words' stems in :meth:`OpenSearchView.first_phase_scores`) and the
    rerank next (each word's stem in each field)."""
    config, fields = request.config, request.fields
    with_clitics = len(request.words) <= config.clitic_candidate_words
    weights = {config.field_weight(f) for f in fields}
    searched = [tuple(fields)] if set(fields) == set(TEXT_FIELDS) and len(weights) == 1 else [(f,) for f in fields]
    keys: list[tuple[Sequence[str], str]] = []
    for word in request.words:
        keys += [(over, t) for over in searched for t, _ in _word_terms(word, config, with_clitics)]
        keys += [(tuple(fields), word.stem)] + [((f,), word.stem) for f in fields]
    return keys


def store_depth_cap() -> int:
    """The deepest window one search may fetch (OpenSearch's ``index.max_result_window``)."""
    return 10_000


def _instant(aggregation: dict) -> datetime | None:
    """A min or max date aggregation's value as a naive UTC datetime (as stored); None: no dates."""
    value = aggregation.get("value")
    if value is None:
        return None
    return datetime.fromtimestamp(float(value) / 1000, tz=timezone.utc).replace(tzinfo=None)


def _date_key(value: str | None, newest: bool) -> float:
    """A sort key (ascending): newest (or oldest) first, undated last."""
    if not value:
        return float("inf")
    stamp = datetime.fromisoformat(value).timestamp()
    return -stamp if newest else stamp


# --- the request --------------------------------------------------------------------------


def _word_terms(word: QueryWord, config: RankingConfig, with_clitics: bool) -> list[tuple[str, float]]:
    terms = [(word.stem, 1.0)] + [(a, 1.0) for a in sorted(word.alternates)]
    if with_clitics:
        terms += [(v, config.clitic_weight) for v in sorted(word.variants)]
    return terms


#: (fields, term) -> the idf of `term` over articles with it in any of `fields`
Idf = Callable[[tuple[str, ...], str], float]


def _word_query(word: QueryWord, fields: tuple[str, ...], config: RankingConfig, with_clitics: bool,
                idf_of: Idf | None = None) -> dict:
    """A word's first-phase query: each of its terms in the combined field when both texts are
    searched with one weight, else in each field; BM25 with the field's and the term's weight.

    With `idf_of`, each term's boost also scales its idf to its word's stem's (Arshif scores the
    frequencies of a word's other readings and ب/ل/ك/ف forms with the stem's idf: a rare stem's
    common clitic-free form, عسير for بعسير, counts with the stem's weight, not its own)."""
    weights = {config.field_weight(f) for f in fields}
    searched = (COMBINED,) if set(fields) == set(TEXT_FIELDS) and len(weights) == 1 else fields
    should = []
    for f in searched:
        over = fields if f == COMBINED else (f,)
        weight = config.field_weight(over[0])
        stem_idf = idf_of(over, word.stem) if idf_of else 1.0
        for t, w in _word_terms(word, config, with_clitics):
            scale = stem_idf / max(idf_of(over, t), 1e-6) if idf_of and t != word.stem else 1.0
            should.append({"term": {f: {"value": t, "boost": weight * w * scale}}})
    return {"bool": {"should": should}}


def _clause_query(clause: Clause, fields: tuple[str, ...]) -> dict:
    """Articles that satisfy `clause` (one of its options): a phrase's words one right after the
    other in one field, each word by any stem it matches, or one word by any of them
    (:attr:`search.query.parser.Term.matching`, as :func:`search.query.filters.constraint_mask`)."""
    should: list[dict] = []
    for option in clause.options:
        if option.phrase and len(option.terms) > 1:
            should += [{"span_near": {"clauses": [_span_word(f, t.matching) for t in option.terms],
                                      "slop": 0, "in_order": True}} for f in fields]
        else:
            should += [{"terms": {f: list(option.terms[0].matching)}} for f in fields]
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _span_word(field_name: str, stems: Sequence[str]) -> dict:
    """One place of a phrase: any of `stems` in `field_name`."""
    terms = [{"span_term": {field_name: stem}} for stem in dict.fromkeys(stems)]
    return terms[0] if len(terms) == 1 else {"span_or": {"clauses": terms}}


def _part_queries(request: CandidateRequest, with_clitics: bool) -> list[dict]:
    """Each part (clause) of the query: one of its options with every one of its words."""
    words, fields, config = request.words, request.fields, request.config
    parts = []
    for clause in request.groups:
        options = [{"bool": {"filter": [_word_query(words[w], fields, config, with_clitics) for w in option]}}
                   for option in clause]
        parts.append({"bool": {"should": options, "minimum_should_match": 1}})
    return parts


def _search_body(request: CandidateRequest, size: int, tiers: bool, first: bool, with_constraints: bool,
                 idf_of: Idf | None = None) -> dict:
    config, fields = request.config, request.fields
    with_clitics = len(request.words) <= config.clitic_candidate_words
    filters: list[dict] = []
    if request.start or request.end:
        bounds = {}
        if request.start:
            bounds["gte"] = request.start.isoformat()
        if request.end:
            bounds["lte"] = request.end.isoformat()
        filters.append({"range": {"date": bounds}})
    if request.source:
        filters.append({"term": {"source": request.source}})
    if request.sources:
        filters.append({"terms": {"source": list(request.sources)}})
    filters += [{"term": {"author": term}} for term in request.author_terms]
    if with_constraints:
        filters += [_clause_query(c, fields) for c in request.constraints]
    must_not = [_clause_query(c, fields) for c in request.excluded]
    if request.excluded_sources:
        must_not.append({"terms": {"source": list(request.excluded_sources)}})
    relevance = request.sort == "relevance"
    if request.words:
        matched: dict = {"bool": {"should": [_word_query(w, fields, config, with_clitics, idf_of) for w in request.words],
                                  "minimum_should_match": 1}}
    else:
        matched = {"match_all": {}}
    query: dict[str, Any] = {"bool": {"filter": filters, "must_not": must_not}}
    if relevance:
        query["bool"]["must"] = [matched]
    else:
        query["bool"]["filter"].append(matched)
    aggs: dict[str, Any] = {}
    if tiers:
        parts = _part_queries(request, with_clitics)
        query["bool"]["should"] = [{"constant_score": {"filter": p, "boost": 0.0, "_name": f"part-{i}"}}
                                   for i, p in enumerate(parts)]
        every = {"bool": {"filter": parts}}
        aggs["complete"] = {"filter": every}
        if first:  # the articles with every part first, whatever the sort
            query["bool"]["should"].append({"constant_score": {"filter": every, "boost": 1000.0}})
    if request.facets:
        for name in FACET_FIELDS:
            aggs[name] = {"terms": {"field": name, "size": FACET_SIZE}}
    if request.days:  # the timeline's day facet (UTC days, as the embedded index counts them)
        aggs["day"] = {"date_histogram": {"field": "date", "calendar_interval": "day", "format": "yyyy-MM-dd",
                                          "min_doc_count": 1}}
    source = [f + TERM_IDS_SUFFIX for f in fields] + ["date"]
    body: dict[str, Any] = {"size": size, "query": query, "track_total_hits": True, "_source": source}
    if aggs:
        body["aggs"] = aggs
    if not relevance:
        order = "desc" if request.sort == "newest" else "asc"
        body["sort"] = ([{"_score": "desc"}] if first else []) + [
            {"date": {"order": order, "missing": "_last"}}, {"id": "asc"}]
    else:
        body["sort"] = [{"_score": "desc"}, {"date": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
    return body


# --- the meta index: broad stems and copies, beside each generation ---------------------------


def _meta_name(index: str) -> str:
    return index + "-meta"


def _read_meta(client, index: str) -> dict[str, Any]:
    from opensearchpy.exceptions import NotFoundError

    out: dict[str, Any] = {}
    try:
        got = client.get(index=_meta_name(index), id="meta")["_source"]
    except NotFoundError:
        return out
    if got.get("broad_stems"):
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / BROAD_STEMS_FILE).write_bytes(base64.b64decode(got["broad_stems"]))
            out["broad_stems"] = BroadStemMap.load(Path(tmp))
    try:
        out["copies"] = json.loads(got.get("manifest") or "{}").get("copies") or {}
    except ValueError:
        out["copies"] = {}
    return out


# --- writing ----------------------------------------------------------------------------------


class OpenSearchBuild:
    """One reindex into a new index behind `alias` (open it with :meth:`locked`); the
    :class:`search.index.build_protocol.IndexBuild` of this backend. Always a full build
    (``--incremental`` builds everything again: :meth:`previous` is None)."""

    def __init__(self, client, alias: str, shards: int, replicas: int,
                 log: Callable[[str], None] | None = None):
        self.client, self.alias = client, alias
        self.shards, self.replicas = shards, replicas
        self.name = f"{alias}-g{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
        self.sent = 0
        self._buffer: list[dict] = []
        self._lost: list[str] = []
        self._log = log or (lambda message: None)

    @classmethod
    @contextlib.contextmanager
    def locked(cls, url: str, alias: str = DEFAULT_ALIAS, shards: int = DEFAULT_SHARDS,
               replicas: int = DEFAULT_REPLICAS, client=None,
               log: Callable[[str], None] | None = None) -> Iterator[OpenSearchBuild]:
        """A build of `alias` under its reindex lock; its index is deleted unless committed.

        :raise search.index.store.ReindexRunning: another reindex holds the lock.
        :raise OSError: the cluster does not answer."""
        client = client or connect(url)
        with _reindex_lock(client, alias):
            build = cls(client, alias, shards, replicas, log)
            try:
                yield build
            except BaseException:
                build.cancel()
                raise

    def previous(self) -> dict | None:
        return None

    def start(self, from_live: bool) -> BroadStemCollector:
        """Create the new index (no replicas and no refreshes while it fills)."""
        body = index_settings(self.shards, 0)
        body["settings"]["index"]["refresh_interval"] = "-1"
        _call(lambda: self.client.indices.create(index=self.name, body=body))
        return BroadStemCollector()

    def delete_origin(self, origin: str) -> int:
        return 0

    def existing(self) -> Iterator[dict[str, Any]]:
        return iter(())

    def add_document(self, doc: dict[str, Any]) -> None:
        self._buffer.append(os_document(doc))
        if len(self._buffer) >= BULK_DOCS:
            self._flush()

    def _flush(self) -> None:
        """Send the buffered articles; retry those a node rejected (429, 5xx) or a dropped
        request, with a growing pause; count those refused for good."""
        pending = self._buffer
        self._buffer = []
        self.sent += len(pending)
        for attempt in range(BULK_ATTEMPTS):
            if not pending:
                return
            lines: list[dict] = []
            for doc in pending:
                lines += [{"index": {"_index": self.name, "_id": doc["id"]}}, doc]
            try:
                answer = self.client.bulk(body=lines, request_timeout=120)
            except Exception as exc:  # noqa: BLE001 -- a dropped request: all of it again
                self._log(f"bulk request failed ({type(exc).__name__}: {exc}); retrying")
                time.sleep(min(2 ** attempt, 30))
                continue
            retry = []
            for doc, item in zip(pending, answer["items"]):
                result = item.get("index", {})
                status = int(result.get("status", 500))
                if status in (429, 500, 502, 503, 504):
                    retry.append(doc)
                elif status >= 300:
                    self._lost.append(f"{doc['id']}: {result.get('error')}")
            if retry:
                self._log(f"{len(retry)} articles rejected by a node; retrying")
                time.sleep(min(2 ** attempt, 30))
            pending = retry
        self._lost += [f"{doc['id']}: not accepted after {BULK_ATTEMPTS} attempts" for doc in pending]

    def commit(self, manifest: dict, broad_stems: BroadStemCollector, expected: int | None) -> None:
        """Send the rest, check that the new index holds every article sent, store the broad stems
        and the manifest beside it, add its replicas, wait for them and move the alias to it.

        :raise OSError: articles were lost, or the cluster failed (the alias is unchanged)."""
        self._flush()
        client = self.client
        _call(lambda: client.indices.refresh(index=self.name))
        count = int(_call(lambda: client.count(index=self.name))["count"])
        wanted = self.sent if expected is None else expected
        if count != wanted or self._lost:
            detail = "; ".join(self._lost[:3])
            raise OSError(f"the new OpenSearch index holds {count} articles, not {wanted}"
                          + (f" ({len(self._lost)} refused: {detail})" if self._lost else "")
                          + f"; the alias {self.alias!r} is unchanged")
        with tempfile.TemporaryDirectory() as tmp:
            broad_stems.save(Path(tmp))
            stems = base64.b64encode((Path(tmp) / BROAD_STEMS_FILE).read_bytes()).decode("ascii")
        meta = _meta_name(self.name)
        _call(lambda: client.indices.create(index=meta, body={
            "settings": {"index": {"number_of_shards": 1, "number_of_replicas": self.replicas}},
            "mappings": {"dynamic": False, "properties": {}}}))
        _call(lambda: client.index(index=meta, id="meta", refresh=True, body={
            "broad_stems": stems, "manifest": json.dumps(manifest, ensure_ascii=False)}))
        _call(lambda: client.indices.put_settings(index=self.name, body={
            "index": {"number_of_replicas": self.replicas, "refresh_interval": "1s"}}))
        health = _call(lambda: client.cluster.health(index=f"{self.name},{meta}", wait_for_status="green",
                                                     wait_for_no_initializing_shards=True, request_timeout=320,
                                                     params={"timeout": "300s"}))
        if health.get("status") != "green":
            self._log(f"the new index's replicas are not all placed ({health.get('status')}): "
                      "the cluster has fewer nodes than copies")
        old = [name for name in _alias_targets(client, self.alias) if name != self.name]
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": self.name, "alias": self.alias}})
        _call(lambda: client.indices.update_aliases(body={"actions": actions}))
        self._committed = True
        _remove_old_generations(client, self.alias, keep={self.name, *old})

    def cancel(self) -> None:
        """Delete the new index (the alias never pointed at it)."""
        if getattr(self, "_committed", False):
            return
        with contextlib.suppress(Exception):
            self.client.indices.delete(index=f"{self.name},{_meta_name(self.name)}", ignore_unavailable=True)


def _call(function: Callable[[], Any]) -> Any:
    """Run a cluster call; a cluster that fails it becomes an OSError (the reindex's failure)."""
    from opensearchpy.exceptions import OpenSearchException

    try:
        return function()
    except OpenSearchException as exc:
        raise OSError(f"OpenSearch: {exc}") from exc


def _alias_targets(client, alias: str) -> list[str]:
    """The indexes alias `alias` points at (none: an empty list)."""
    from opensearchpy.exceptions import NotFoundError

    try:
        return list(_call(lambda: client.indices.get_alias(name=alias)))
    except OSError as exc:
        if isinstance(exc.__cause__, NotFoundError):
            return []
        raise


def _remove_old_generations(client, alias: str, keep: set[str]) -> None:
    """Delete the alias's indexes older than the previous one (kept one swap longer, for searches
    still on it) and those of killed reindexes."""
    with contextlib.suppress(Exception):
        names = list(client.indices.get(index=f"{alias}-g*", expand_wildcards="open,closed"))
        stale = [n for n in names if n not in keep and not any(n == _meta_name(k) for k in keep)]
        if stale:
            client.indices.delete(index=",".join(stale), ignore_unavailable=True)


def _died_here(owner: str) -> bool:
    """Whether lock owner ``host:pid:time`` was a process of this machine that is gone (a killed
    reindex: its lock is taken at once, as the embedded backend's file lock would be)."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _create_lock_index(client, index: str) -> None:
    from opensearchpy.exceptions import RequestError

    with contextlib.suppress(RequestError):  # (already there)
        client.indices.create(index=index, body={
            "settings": {"index": {"number_of_shards": 1, "number_of_replicas": 0, "auto_expand_replicas": "0-1"}}})


@contextlib.contextmanager
def _reindex_lock(client, alias: str):
    """Hold the reindex lock of `alias` (a document in ``<alias>-lock``, created only if absent)
    while the body runs; a lock not renewed for :data:`LOCK_STALE_SECONDS` is taken over.

    :raise search.index.store.ReindexRunning: another reindex holds it."""
    from opensearchpy.exceptions import ConflictError, NotFoundError

    index = f"{alias}-lock"
    owner = f"{socket.gethostname()}:{os.getpid()}:{time.time()}"
    _call(lambda: _create_lock_index(client, index))
    record = {"owner": owner, "heartbeat": time.time()}
    try:
        _call(lambda: client.create(index=index, id="lock", body=record, refresh=True))
    except OSError as exc:
        if not isinstance(exc.__cause__, ConflictError):
            raise
        held = client.get(index=index, id="lock")
        age = time.time() - float(held["_source"].get("heartbeat", 0))
        if age < LOCK_STALE_SECONDS and not _died_here(str(held["_source"].get("owner", ""))):
            raise store.ReindexRunning(
                f"Another reindex of {alias!r} is running ({held['_source'].get('owner')}, "
                f"{age:.0f} s since it last reported); wait for it to finish. Nothing was changed.") from None
        try:  # a dead reindex's lock: take it, unless another reindex took it first
            client.index(index=index, id="lock", body=record, refresh=True,
                         if_seq_no=held["_seq_no"], if_primary_term=held["_primary_term"])
        except ConflictError:
            raise store.ReindexRunning(f"Another reindex of {alias!r} just started; nothing was changed.") from None
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(15):
            with contextlib.suppress(Exception):
                client.index(index=index, id="lock", body={"owner": owner, "heartbeat": time.time()})

    beat = threading.Thread(target=heartbeat, daemon=True)
    beat.start()
    try:
        yield
    finally:
        stop.set()
        with contextlib.suppress(NotFoundError, Exception):
            held = client.get(index=index, id="lock")
            if held["_source"].get("owner") == owner:
                client.delete(index=index, id="lock", refresh=True)


__all__ = ["DEFAULT_ALIAS", "DEFAULT_REPLICAS", "DEFAULT_SHARDS", "OpenSearchBackend", "OpenSearchBuild",
           "OpenSearchView", "connect", "index_settings", "os_document"]
