"""Writing: one reindex into a new index with bulk requests, checked, then swapped in behind the
alias (:class:`OpenSearchBuild`, the :class:`search.index.build_protocol.IndexBuild` of this backend)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from search.analysis.broad_stems import FILE as BROAD_STEMS_FILE
from search.analysis.broad_stems import BroadStemCollector
from search.backends.opensearch.lock import _reindex_lock
from search.backends.opensearch.settings import (
    DEFAULT_ALIAS,
    DEFAULT_REPLICAS,
    DEFAULT_SHARDS,
    _call,
    _meta_name,
    connect,
    index_settings,
    os_document,
)

#: Articles per bulk request, and attempts of one bulk request before the build fails.
BULK_DOCS = 500
BULK_ATTEMPTS = 6


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
