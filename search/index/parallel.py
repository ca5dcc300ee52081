"""A multi-process index writer: each worker process analyzes and writes its own segment.

Whoosh's own ``MpWriter`` does the same, but it loses a segment silently when a worker dies
(its commit waits one second per missing result, then goes on without it), and when the parent
fails its workers wait on the job queue forever and keep the process from exiting. This writer
is built for a reindex that must either produce every document or fail cleanly:

- the parent sends batches of documents over a bounded queue (back-pressure: memory stays
  bounded however large the archive);
- each worker adds them to a :class:`search.index.segments.SegmentWriter` of its own (no index lock:
  the parent holds it), finishes the segment when its postings fill the writer's share of
  memory (and starts another) or at the end, and reports each one with the number of documents
  in it; an exception in a worker is reported as a message, not lost;
- :meth:`ParallelWriter.commit` collects every worker's segments, checks that the counts add up
  to the documents sent, and only then writes the table of contents (the segments are not
  merged: SaudiNewsNet's six answered news queries as fast as two did, within this machine's
  noise, and merging them costs a third of a build);
- :meth:`ParallelWriter.cancel` (and any failure in :meth:`commit`) terminates and joins the
  workers, so a failed reindex exits at once.

Workers are forked: they inherit the analyzer's memo and the schema, and
:mod:`search.index.store` closes their copy of the reindex lock and ties their life to the parent's.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
import traceback

from search.index import whoosh_api
from search.index.segments import SegmentWriter

#: Documents per message to a worker: large enough that pickling and the pipe cost little.
BATCH = 64
#: Messages waiting per worker before the parent blocks (bounds the parent's memory).
QUEUE_DEPTH = 4
#: How long :meth:`ParallelWriter.commit` waits for a worker that is still alive (seconds).
FINISH_TIMEOUT = 24 * 3600


class WriterFailed(OSError):
    """A worker process died or failed; the build must not be published."""


def _work(ix, jobs, results, writer_args: dict, prepare) -> None:
    """A worker: add each batch from `jobs` to a segment of its own until None, reporting each
    segment it finishes; a segment is finished when its postings fill the writer's memory, so
    they are sorted in memory, never spilled to disk and merged back (which cost a third of
    the worker's time), then "done"."""
    try:
        writer, in_segment = None, 0
        while True:
            batch = jobs.get()
            if batch is None:
                break
            if writer is None:
                writer = SegmentWriter(ix, _lk=False, **writer_args)
            for doc in batch:
                writer.add_document(**(prepare(doc) if prepare else doc))
            in_segment += len(batch)
            if writer.is_full():
                results.put(("segment", whoosh_api.finalize_segment(writer), in_segment))
                writer, in_segment = None, 0
        if writer is not None:
            results.put(("segment", whoosh_api.finalize_segment(writer), in_segment))
        results.put(("done", None, 0))
    except BaseException as exc:  # reported to the parent, which fails the build
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        results.put(("error", detail, 0))
        raise SystemExit(1)


class ParallelWriter:
    """``add_document``/``commit``/``cancel`` over `procs` writer processes (see the module)."""

    def __init__(self, ix, procs: int, limitmb: int = 256, prepare=None, options: dict | None = None):
        """:param prepare: run on each document in the writer process before it is added
            (work taken off the parent, which reads and de-duplicates for all of them).
        :param options: more keyword arguments of each worker's ``SegmentWriter``."""
        self.ix = ix
        self.procs = procs
        context = multiprocessing.get_context("fork")
        self.jobs = context.Queue(procs * QUEUE_DEPTH)
        self.results = context.Queue()
        self.main = ix.writer()  # holds Whoosh's index lock and writes the table of contents
        writer_args = {"limitmb": max(32, limitmb // procs), **(options or {})}
        self.tasks = [context.Process(target=_work, args=(ix, self.jobs, self.results, writer_args, prepare),
                                      name=f"arshif-writer-{n}", daemon=True) for n in range(procs)]
        for task in self.tasks:
            task.start()
        self.batch: list[dict] = []
        self.sent = 0
        self.closed = False

    def add_document(self, **doc) -> None:
        self.batch.append(doc)
        if len(self.batch) >= BATCH:
            self._send()

    def _send(self) -> None:
        batch, self.batch = self.batch, []
        self._put(batch)
        self.sent += len(batch)

    def _put(self, message) -> None:
        while True:  # a bounded wait, so a dead worker is noticed instead of blocking forever
            try:
                self.jobs.put(message, timeout=1.0)
                return
            except queue.Full:
                self._check_alive()

    def _check_alive(self) -> None:
        dead = [task for task in self.tasks if task.exitcode not in (None, 0)]
        if dead:
            raise WriterFailed(f"a writer process failed (exit code {dead[0].exitcode}); "
                               "the previous index is unchanged")

    def commit(self) -> None:
        """Finish every worker's segment and write them into the index, or raise and cancel."""
        try:
            if self.batch:
                self._send()
            for _ in self.tasks:
                self._put(None)
            segments, added = self._collect()
            if added != self.sent:
                raise WriterFailed(f"the writer processes added {added} articles, not {self.sent}; "
                                   "the previous index is unchanged")
            for task in self.tasks:
                task.join()
            whoosh_api.commit_segments(self.main, segments)  # its own empty segment is dropped
            self.closed = True
        except BaseException:
            self.cancel()
            raise

    def _collect(self) -> tuple[list, int]:
        segments, added, pending = [], 0, len(self.tasks)
        deadline = time.monotonic() + FINISH_TIMEOUT
        while pending:
            try:
                status, value, count = self.results.get(timeout=1.0)
            except queue.Empty:
                # A worker killed inside the job queue's lock would leave the others waiting on it
                # for ever: one dead worker fails the build at once.
                self._check_alive()
                if time.monotonic() > deadline:
                    raise WriterFailed("the writer processes did not finish") from None
                if all(task.exitcode is not None for task in self.tasks) and self.results.empty():
                    self._check_alive()
                    raise WriterFailed("a writer process ended without its segment")
                continue
            if status == "error":
                raise WriterFailed(f"a writer process failed: {value}")
            if status == "done":
                pending -= 1
            else:
                segments.append(value)
                added += count
        return segments, added

    def cancel(self) -> None:
        """Stop the workers (their unfinished files are in the build folder, which is discarded)."""
        if self.closed:
            return
        self.closed = True
        for task in self.tasks:
            if task.is_alive():
                task.terminate()
        for task in self.tasks:
            task.join(10)
        for q in (self.jobs, self.results):
            q.cancel_join_thread()
            q.close()
        try:
            self.main.cancel()
        except Exception:
            pass
