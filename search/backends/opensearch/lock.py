"""The reindex lock of an alias: a document in ``<alias>-lock`` that only one reindex creates,
renewed while it runs, taken over when its reindex died (:func:`_reindex_lock`)."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time

from search.backends.opensearch.settings import _call
from search.index import store

#: A reindex lock not renewed for this long belongs to a reindex that died: the next one takes it.
LOCK_STALE_SECONDS = 120


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
