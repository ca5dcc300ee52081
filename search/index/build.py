"""Reindex: read articles, drop duplicates, build a new index aside, swap it in, report.

The flow: :func:`search.ingest.readers.read_paths` yields articles and problems → duplicates (same URL,
or same normalized body) are counted and skipped → the rest go to a Whoosh writer in a fresh
build directory → :func:`search.index.store.publish` swaps it in atomically. Any failure (or Ctrl-C)
discards the build and leaves the live index as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from search.index import store
from search.analysis.analyzer import TOKEN_PATTERN
from search.analysis.arabic import normalize
from search.ingest.articles import Article, Problem
from search.index.parallel import ParallelWriter
from search.index.segments import SegmentWriter
from search.ingest.readers import list_files, read_listed, read_paths
from search.analysis.broad_stems import BroadStemCollector, BroadStemMap
from search.index import term_ids
from search.index.schema import TERM_IDS_SUFFIX, TEXT_FIELDS, build_schema

#: Called now and then during a reindex with (articles indexed so far, problems so far).
Progress = Callable[[int, int], None]


@dataclass
class ReindexSummary:
    """What a reindex did."""

    indexed: int = 0
    duplicates: int = 0
    problems: list[Problem] = field(default_factory=list)  # skipped records and files
    warnings: list[Problem] = field(default_factory=list)  # indexed, with something to say
    seconds: float = 0.0
    index_dir: str = ""
    title_only: int = 0  # indexed with a title and no body (photo galleries, videos, briefs)
    removed: int = 0  # incremental: articles of changed or vanished files taken out
    unchanged_files: int = 0  # incremental: files not read again

    @property
    def skipped(self) -> int:
        return len(self.problems)

    @property
    def docs_per_second(self) -> float:
        return self.indexed / self.seconds if self.seconds > 0 else 0.0


def normalized_words(text: str) -> list[str]:
    """The words of `text`, normalized: the whole text normalized at once, then tokenized (three
    times faster than the analyzer's per-word pass; the reindex's parent process, which must see
    every body to drop duplicates, does this for every article)."""
    return TOKEN_PATTERN.findall(normalize(text))


def body_fingerprint(body: str, words: list[str] | None = None) -> str:
    """A hash of the normalized body's words: the same article re-published with other spacing,
    punctuation or diacritics has the same fingerprint."""
    text = " ".join(normalized_words(body) if words is None else words)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def fingerprint(article: Article, words: list[str] | None = None) -> str:
    """What makes two articles the same one: :func:`body_fingerprint`; for an article without
    body words (a photo gallery, a video, a cartoon), its normalized title with its source, date
    and URL (marked, so that it never equals a body's): the daily cartoons of one paper, all
    titled كاريكاتير, are not duplicates of each other."""
    words = normalized_words(article.body) if words is None else words
    if words:
        return body_fingerprint(article.body, words)
    when = article.date.isoformat() if article.date else ""
    return "title:" + body_fingerprint(" ".join((article.title, article.source, when, article.url)))


def to_document(article: Article, words: list[str] | None = None) -> dict:
    """The Whoosh document for an article (field names from :mod:`search.index.schema`)."""
    doc = {
        "id": article.id,
        "title": article.title,
        "body": article.body,
        "author": article.author,
        "source": article.source,
        "url": article.url,
        "origin": article.origin,
        "fingerprint": fingerprint(article, words),
    }
    if article.date is not None:
        doc["date"] = article.date
        doc["year"] = f"{article.date.year:04d}"
        doc["month"] = f"{article.date.year:04d}-{article.date.month:02d}"
    return {k: v for k, v in doc.items() if v not in ("", None)}


#: Whoosh writer options. Segments are left as separate files: a compound segment file is read by
#: copying each of its parts into memory, per searcher (one per server thread), which cost the
#: server 300 MB at its first query and 65 MB per thread on SaudiNewsNet; plain files are read
#: through the operating system's page cache, shared by threads and processes.
WRITER_OPTIONS = {"compound": False}


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


def reindex(paths: Iterable[str | os.PathLike], index_root: str | os.PathLike,
            progress: Progress | None = None, procs: int | None = None,
            limitmb: int = 384, incremental: bool = False) -> ReindexSummary:
    """Index every article under `paths` into a new generation of `index_root`, then swap it in.

    :param procs: writer processes (default: :func:`default_procs`).
    :param limitmb: memory for the postings being sorted, shared by the writer processes; a
        writer finishes its segment and starts another when its share is full.
    :param incremental: start from the live index and read only the files that are new or changed
        since it was built (by size and modification time); articles of changed files and of files
        no longer under `paths` are removed. Falls back to a full build when there is no index.
    :raise search.index.store.ReindexRunning: another reindex holds the lock; nothing is touched.
    """
    root = Path(index_root)
    summary = ReindexSummary(index_dir=str(root))
    started = time.perf_counter()
    paths = list(paths)
    with store.reindex_lock(root):
        files = list(list_files(paths))
        manifest = Manifest({str(item[0]): _signature(item[0]) for item in files if not isinstance(item, Problem)})
        live = store.current_generation(root)
        reusable = incremental and live is not None and store.index_format(live) == store.FORMAT_VERSION
        previous = _read_manifest(live) if reusable else None  # (another format: a full build)
        build_dir = store.new_build_dir(root)
        try:
            if previous is None:
                broad_stems = BroadStemCollector()
                ix = store.BuildStorage(str(build_dir)).create_index(build_schema())
                procs = procs or default_procs()
                writer = ParallelWriter(ix, procs, limitmb=limitmb, prepare=add_term_ids, options=WRITER_OPTIONS) if procs > 1 \
                    else _Preparing(SegmentWriter(ix, limitmb=limitmb, **WRITER_OPTIONS), add_term_ids)
                records, seen = read_paths(paths), None
            else:
                broad_stems = BroadStemCollector(BroadStemMap.load(live))
                writer, records, seen = _incremental(live, build_dir, files, manifest, previous, summary)
            try:
                manifest.with_duplicates |= _add_all(writer, records, summary, progress, seen, broad_stems)
                writer.commit()
            except BaseException:
                if not getattr(writer, "is_closed", False):
                    writer.cancel()
                raise
            _check_count(build_dir, summary)
            broad_stems.save(build_dir)
            _write_manifest(build_dir, manifest)
            store.publish(root, build_dir)
        except BaseException:
            store.discard(build_dir)
            raise
    summary.seconds = time.perf_counter() - started
    return summary


MANIFEST = "arshif-sources.json"


def _check_count(build_dir: Path, summary: "ReindexSummary") -> None:
    """Refuse a build that lost articles: fewer documents in the new index than were added
    (checked before the swap, so the old index stays live)."""
    if not summary.removed and not summary.unchanged_files:
        count = whoosh_index.open_dir(str(build_dir)).doc_count()
        if count != summary.indexed:
            raise OSError(f"the new index holds {count} articles, not {summary.indexed}; "
                          "the previous index is unchanged")


def _signature(path: Path) -> list[int]:
    """What tells a changed file: its size and modification time (nanoseconds)."""
    try:
        info = path.stat()
    except OSError:
        return [-1, -1]
    return [info.st_size, info.st_mtime_ns]


@dataclass
class Manifest:
    """What a generation was built from: each file's signature, and the files some of whose
    records were dropped as duplicates of an article in another file (when that file changes or
    goes, they must be read again, or the copies they hold would be lost)."""

    files: dict[str, list[int]]
    with_duplicates: set[str] = field(default_factory=set)


def _read_manifest(generation: Path) -> Manifest | None:
    try:
        data = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
        return Manifest(dict(data["files"]), set(data["with_duplicates"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # an index built before manifests (or before this format), or damaged: rebuild in full


def _write_manifest(build_dir: Path, manifest: Manifest) -> None:
    data = {"files": manifest.files, "with_duplicates": sorted(manifest.with_duplicates)}
    (build_dir / MANIFEST).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _incremental(live: Path, build_dir: Path, files, manifest: Manifest, previous: Manifest,
                 summary: "ReindexSummary"):
    """Copy the live generation aside, delete what changed or disappeared, and return a writer,
    the records of the files to read, and the URLs, fingerprints and ids already indexed.

    The files to read are the new and changed ones and, when anything changed or vanished, every
    unchanged file that had records dropped as duplicates: the article they duplicated may have
    been in a changed file, and its copies must then be indexed in its place."""
    for item in live.iterdir():
        if item.is_file() and item.name != MANIFEST:
            shutil.copy2(item, build_dir / item.name)
    ix = store.BuildStorage(str(build_dir)).open_index()
    writer = _Preparing(SegmentWriter(ix, **WRITER_OPTIONS), add_term_ids)
    stale = {name for name in previous.files if manifest.files.get(name) != previous.files[name]}
    if stale:
        stale |= previous.with_duplicates & set(manifest.files)
    manifest.with_duplicates |= previous.with_duplicates - stale  # still true of the files not read
    for name in sorted(stale):
        summary.removed += writer.delete_by_term("origin", name)
    summary.unchanged_files = len(previous.files) - len(stale & set(previous.files))
    seen_urls: set[str] = set()
    seen_bodies: set[str] = set()
    seen_ids: set[str] = set()
    with ix.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            if fields.get("origin") in stale:
                continue
            seen_ids.add(fields["id"])
            if fields.get("url"):
                seen_urls.add(fields["url"])
            if fields.get("fingerprint"):
                seen_bodies.add(fields["fingerprint"])
    todo = [item for item in files if isinstance(item, Problem) or str(item[0]) in stale
            or str(item[0]) not in previous.files]

    def records():
        for item in todo:
            if isinstance(item, Problem):
                yield item
            else:
                yield from read_listed(*item)

    return writer, records(), (seen_urls, seen_bodies, seen_ids)


class _Preparing:
    """A Whoosh writer that runs `prepare` on each document first (what :class:`ParallelWriter`
    does in its writer processes)."""

    def __init__(self, writer, prepare):
        self.writer, self.prepare = writer, prepare

    def add_document(self, **doc) -> None:
        self.writer.add_document(**self.prepare(doc))

    def __getattr__(self, name):
        return getattr(self.writer, name)


def _add_all(writer, records, summary: ReindexSummary, progress: Progress | None, seen=None,
             broad_stems: BroadStemCollector | None = None) -> set[str]:
    """Add every article of `records` that is not a duplicate; return the files (origins) that
    had records dropped as duplicates. An id already taken by another article is made unique
    (``id~2``, ``id~3``...) with a warning: both articles stay findable and each opens by its id."""
    seen_urls, seen_bodies, seen_ids = seen if seen is not None else (set(), set(), set())
    with_duplicates: set[str] = set()
    last_report = 0.0
    for record in records:
        if isinstance(record, Problem):
            (summary.problems if record.skipped else summary.warnings).append(record)
            continue
        words = normalized_words(record.body)
        if not words and not normalized_words(record.title):
            summary.problems.append(Problem(record.origin, record.id, "no words in its title or body: nothing to index"))
            continue
        doc = to_document(record, words)
        url = record.url.strip()
        if (url and url in seen_urls) or doc["fingerprint"] in seen_bodies:
            summary.duplicates += 1
            with_duplicates.add(record.origin)
            continue
        if url:
            seen_urls.add(url)
        seen_bodies.add(doc["fingerprint"])
        if doc["id"] in seen_ids:
            doc["id"] = _unique_id(doc["id"], seen_ids)
            summary.warnings.append(Problem(record.origin, record.id, f"id {record.id!r} is already another "
                                            f"article's; this one is indexed as {doc['id']!r}", skipped=False))
        seen_ids.add(doc["id"])
        if broad_stems is not None:
            broad_stems.add(words)
            broad_stems.add(normalized_words(record.title))
        writer.add_document(**doc)
        summary.indexed += 1
        if not words:
            summary.title_only += 1
        if progress is not None:
            now = time.monotonic()
            if now - last_report > 0.2:
                progress(summary.indexed, len(summary.problems))
                last_report = now
    if progress is not None:
        progress(summary.indexed, len(summary.problems))
    return with_duplicates


def _unique_id(taken: str, seen: set[str]) -> str:
    """``taken~2``, ``taken~3``...: the first not in `seen`."""
    n = 2
    while f"{taken}~{n}" in seen:
        n += 1
    return f"{taken}~{n}"
