"""Reading: the backend (:class:`OpenSearchBackend`: the alias followed, each index's statistics
read once) and one request's view of an index (:class:`OpenSearchView`: document frequencies, the
first phase in one search, term ids and stored fields)."""

from __future__ import annotations

import base64
import json
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from search.analysis.analyzer import term_id
from search.analysis.broad_stems import FILE as BROAD_STEMS_FILE
from search.analysis.broad_stems import BroadStemMap
from search.backends.base import CandidateRequest, CandidateSet
from search.backends.opensearch.query import _frequency_key, _frequency_keys, _holding, _search_body, store_depth_cap
from search.backends.opensearch.settings import (
    _LENGTH,
    DEFAULT_ALIAS,
    FACET_SIZE,
    FORMAT_KEY,
    _meta_name,
    _stored,
    connect,
    stored_length,
)
from search.index import store, term_ids
from search.index.schema import FACET_FIELDS, TERM_IDS_SUFFIX, TEXT_FIELDS
from search.query.bm25 import CollectionStats, bm25, idf

#: Candidates fetched from OpenSearch for the first phase's exact ordering: this many times the
#: rerank depth, and at least the depth asked for plus that many times less one (the 300 candidates
#: of a short query come from 450: the top 10 of 288 of 290 news queries are then Whoosh's, as
#: from 1,200; from 300, 285). Their term ids travel with them.
WINDOW_FACTOR = 4
#: Stored documents a view keeps at most (an export reads thousands, a batch at a time).
KEPT_DOCUMENTS = 2_000


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
