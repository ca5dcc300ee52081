"""Building a Whoosh index generation: :class:`WhooshBuild`, the :class:`search.backends.base.IndexBuild`
of the embedded backend.

Under the reindex lock of the index directory (:mod:`search.index.store`), documents go to one
:class:`~search.index.segments.SegmentWriter` or to several writer processes
(:class:`~search.index.parallel.ParallelWriter`) in a fresh build directory, each with its term
ids added there (:func:`add_term_ids`); an incremental build copies the live generation first and
deletes from the copy. :meth:`WhooshBuild.commit` checks that no article was lost, writes the
broad-stem map and the manifest beside the index and swaps the generation in atomically; any
failure discards the build and leaves the live index as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from search.analysis.broad_stems import BroadStemCollector, BroadStemMap
from search.index import store, term_ids
from search.index.parallel import ParallelWriter
from search.index.schema import TERM_IDS_SUFFIX, TEXT_FIELDS, build_schema
from search.index.segments import SegmentWriter

#: Whoosh writer options. Segments are left as separate files: a compound segment file is read by
#: copying each of its parts into memory, per searcher (one per server thread), which cost the
#: server 300 MB at its first query and 65 MB per thread on SaudiNewsNet; plain files are read
#: through the operating system's page cache, shared by threads and processes.
WRITER_OPTIONS = {"compound": False}
#: What the generation was built from (:class:`search.index.build.Manifest`), beside the index.
MANIFEST = "arshif-sources.json"


def add_term_ids(doc: dict) -> dict:
    """Add the term ids of each text field (run by the writer processes: it is the second most
    expensive step of indexing, after Whoosh's own)."""
    for name in TEXT_FIELDS:
        if doc.get(name):
            doc[name + TERM_IDS_SUFFIX] = term_ids.encode(doc[name])
    return doc


def default_procs() -> int:
    """Writer processes: one per core, at most two. Two writers and the reading parent already
    fill a 2-core machine; beyond that the single parent (reading, de-duplicating) is the limit
    and every writer adds a segment to search."""
    return max(1, min(2, os.cpu_count() or 1))


class WhooshBuild:
    """One reindex of the Whoosh index at `root` (open it with :meth:`locked`)."""

    def __init__(self, root: Path, build_dir: Path, procs: int | None, limitmb: int):
        self.root, self.build_dir = root, build_dir
        self.procs, self.limitmb = procs or default_procs(), limitmb
        self.live = store.current_generation(root)
        self._writer: Any = None
        self._ix: Any = None

    @classmethod
    @contextlib.contextmanager
    def locked(cls, root: Path, procs: int | None = None, limitmb: int = 384) -> Iterator["WhooshBuild"]:
        """A build of `root` under its reindex lock; discarded unless committed.

        :raise search.index.store.ReindexRunning: another reindex holds the lock."""
        with store.reindex_lock(root):
            build = cls(root, store.new_build_dir(root), procs, limitmb)
            try:
                yield build
            except BaseException:
                build.cancel()
                raise
            finally:
                store.discard(build.build_dir)  # (renamed away when published)

    def previous(self) -> dict | None:
        """The live generation's manifest, when this build can start from it (same format)."""
        if self.live is None or store.index_format(self.live) != store.FORMAT_VERSION:
            return None
        try:
            return json.loads((self.live / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def start(self, from_live: bool) -> BroadStemCollector:
        """Open the writer: on an empty index, or on a copy of the live generation. The
        collector of the archive's broad stems (holding the live generation's, when copied)."""
        if not from_live:
            ix = store.BuildStorage(str(self.build_dir)).create_index(build_schema())
            self._writer = ParallelWriter(ix, self.procs, limitmb=self.limitmb, prepare=add_term_ids,
                                          options=WRITER_OPTIONS) if self.procs > 1 \
                else _Preparing(SegmentWriter(ix, limitmb=self.limitmb, **WRITER_OPTIONS), add_term_ids)
            return BroadStemCollector()
        assert self.live is not None
        for item in self.live.iterdir():
            if item.is_file() and item.name != MANIFEST:
                shutil.copy2(item, self.build_dir / item.name)
        self._ix = store.BuildStorage(str(self.build_dir)).open_index()
        self._writer = _Preparing(SegmentWriter(self._ix, **WRITER_OPTIONS), add_term_ids)
        return BroadStemCollector(BroadStemMap.load(self.live))

    def delete_origin(self, origin: str) -> int:
        """Delete the copied articles read from file `origin`; how many there were."""
        return self._writer.delete_by_term("origin", origin)

    def existing(self) -> Iterator[dict]:
        """The stored fields of every article in the copied generation."""
        with self._ix.searcher() as searcher:
            yield from searcher.all_stored_fields()

    def add_document(self, doc: dict) -> None:
        self._writer.add_document(**doc)

    def commit(self, manifest: dict, broad_stems: BroadStemCollector, expected: int | None) -> None:
        """Write the documents, check that the new index holds `expected` of them (when given),
        save the broad stems and the manifest beside it, and swap it in.

        :raise OSError: the writers failed, or articles were lost (the live index is unchanged)."""
        try:
            self._writer.commit()
        except BaseException:
            self.cancel()
            raise
        if expected is not None:
            count = whoosh_index.open_dir(str(self.build_dir)).doc_count()
            if count != expected:
                raise OSError(f"the new index holds {count} articles, not {expected}; "
                              "the previous index is unchanged")
        broad_stems.save(self.build_dir)
        (self.build_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        store.publish(self.root, self.build_dir)

    def cancel(self) -> None:
        """Stop the writers (the build directory is removed as the build ends)."""
        if self._writer is not None and not getattr(self._writer, "is_closed", False):
            self._writer.cancel()


class _Preparing:
    """A Whoosh writer that runs `prepare` on each document first (what :class:`ParallelWriter`
    does in its writer processes)."""

    def __init__(self, writer, prepare):
        self.writer, self.prepare = writer, prepare

    def add_document(self, **doc) -> None:
        self.writer.add_document(**self.prepare(doc))

    def __getattr__(self, name):
        return getattr(self.writer, name)
