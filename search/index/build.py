"""Reindex: read articles, drop duplicates, build a new index aside, swap it in, report.

The flow: :func:`search.ingest.readers.read_paths` yields articles and problems → duplicates (same
URL, or same normalized body) are counted and named on the article kept (its ``copies`` in the
manifest) → the rest go to an
:class:`~search.backends.base.IndexBuild` (the Whoosh one by default:
:class:`search.index.whoosh_build.WhooshBuild`), which builds the new index aside and swaps it in
atomically. Any failure (or Ctrl-C) discards the build and leaves the live index as it was.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ContextManager

from search.analysis.analyzer import TOKEN_PATTERN
from search.analysis.arabic import normalize
from search.analysis.broad_stems import BroadStemCollector
from search.index.build_protocol import IndexBuild
from search.index.store import NothingIndexed
from search.index.whoosh_build import WhooshBuild
from search.ingest.articles import Article, Problem
from search.ingest.readers import list_files, read_listed, read_paths

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
    doc: dict[str, Any] = {
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


def reindex(paths: Iterable[str | os.PathLike], index_root: str | os.PathLike,
            progress: Progress | None = None, procs: int | None = None,
            limitmb: int = 384, incremental: bool = False,
            build: ContextManager[IndexBuild] | None = None) -> ReindexSummary:
    """Index every article under `paths` into a new index at `index_root`, then swap it in.

    :param procs: writer processes (default: :func:`search.index.whoosh_build.default_procs`).
    :param limitmb: memory for the postings being sorted, shared by the writer processes; a
        writer finishes its segment and starts another when its share is full.
    :param incremental: start from the live index and read only the files that are new or changed
        since it was built (by size and modification time); articles of changed files and of files
        no longer under `paths` are removed. Falls back to a full build when there is no index.
    :param build: the build to write into (default: a :class:`~search.index.whoosh_build.WhooshBuild`
        of `index_root`).
    :raise search.index.store.ReindexRunning: another reindex holds the lock; nothing is touched.
    :raise search.index.store.NothingIndexed: no article was found while an index is live (a
        mistyped path, an empty folder); the live index is kept.
    :raise OSError: the build failed (a writer died, the disk is full, articles were lost).
    """
    root = Path(index_root)
    summary = ReindexSummary(index_dir=str(root))
    started = time.perf_counter()
    paths = list(paths)
    with build if build is not None else WhooshBuild.locked(root, procs, limitmb) as target:
        files = list(list_files(paths))
        manifest = Manifest({str(item[0]): _signature(item[0]) for item in files if not isinstance(item, Problem)})
        previous = Manifest.of(target.previous()) if incremental else None
        if previous is None:
            broad_stems, records, seen = target.start(from_live=False), read_paths(paths), None
        else:
            broad_stems = target.start(from_live=True)
            todo, seen = _incremental(target, files, manifest, previous, summary)
            records = _records(todo)
        manifest.with_duplicates |= _add_all(target, records, summary, progress, seen, broad_stems, manifest.copies)
        if summary.indexed == 0 and previous is None and target.previous() is not None:
            missing = [str(p) for p in summary.problems[:3]]
            raise NothingIndexed(f"no article found to index in {', '.join(map(str, paths))}"
                                 + (f" ({'; '.join(missing)})" if missing else "")
                                 + f": the index at {root} is unchanged")
        unchanged = summary.removed or summary.unchanged_files
        target.commit(manifest.as_dict(), broad_stems, None if unchanged else summary.indexed)
    summary.seconds = time.perf_counter() - started
    return summary


def _records(files):
    """The records of listed files, a Problem for each that could not be listed."""
    for item in files:
        if isinstance(item, Problem):
            yield item
        else:
            yield from read_listed(*item)


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
    #: kept article id -> the records dropped as its duplicates: [{id, source, url, date, origin}]
    copies: dict[str, list[dict]] = field(default_factory=dict)

    @classmethod
    def of(cls, data: dict | None) -> "Manifest | None":
        """From :meth:`as_dict`'s form; None for none, or one of an older form (a full build)."""
        try:
            if data is None:
                return None
            return cls(dict(data["files"]), set(data["with_duplicates"]), dict(data["copies"]))
        except (KeyError, TypeError, ValueError):
            return None

    def as_dict(self) -> dict:
        return {"files": self.files, "with_duplicates": sorted(self.with_duplicates), "copies": self.copies}


def _incremental(target: IndexBuild, files, manifest: Manifest, previous: Manifest, summary: "ReindexSummary"):
    """Delete from the build (a copy of the live index) what changed or disappeared; return the
    files to read, and the URLs, fingerprints and ids already indexed.

    The files to read are the new and changed ones and, when anything changed or vanished, every
    unchanged file that had records dropped as duplicates: the article they duplicated may have
    been in a changed file, and its copies must then be indexed in its place."""
    stale = {name for name in previous.files if manifest.files.get(name) != previous.files[name]}
    if stale:
        stale |= previous.with_duplicates & set(manifest.files)
    manifest.with_duplicates |= previous.with_duplicates - stale  # still true of the files not read
    for name in sorted(stale):
        summary.removed += target.delete_origin(name)
    summary.unchanged_files = len(previous.files) - len(stale & set(previous.files))
    seen_urls: dict[str, str] = {}
    seen_bodies: dict[str, str] = {}
    seen_ids: set[str] = set()
    for fields in target.existing():
        if fields.get("origin") in stale:
            continue
        seen_ids.add(fields["id"])
        if fields.get("url"):
            seen_urls[fields["url"]] = fields["id"]
        if fields.get("fingerprint"):
            seen_bodies[fields["fingerprint"]] = fields["id"]
    for kept, copies in previous.copies.items():  # copies of articles still there, from files not read again
        left = [c for c in copies if c.get("origin") not in stale]
        if kept in seen_ids and left:
            manifest.copies[kept] = left
    todo = [item for item in files if isinstance(item, Problem) or str(item[0]) in stale
            or str(item[0]) not in previous.files]
    return todo, (seen_urls, seen_bodies, seen_ids)


def _add_all(writer, records, summary: ReindexSummary, progress: Progress | None, seen=None,
             broad_stems: BroadStemCollector | None = None, copies: dict[str, list[dict]] | None = None) -> set[str]:
    """Add every article of `records` that is not a duplicate; return the files (origins) that
    had records dropped as duplicates. Each duplicate is named in `copies` under the id of the
    article it duplicates (its id, source, URL, date and file: "also published in"). An id
    already taken by another article is made unique (``id~2``, ``id~3``...) with a warning: both
    articles stay findable and each opens by its id."""
    seen_urls, seen_bodies, seen_ids = seen if seen is not None else ({}, {}, set())
    copies = {} if copies is None else copies
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
        kept = (seen_urls.get(url) if url else None) or seen_bodies.get(doc["fingerprint"])
        if kept is not None:
            summary.duplicates += 1
            with_duplicates.add(record.origin)
            copies.setdefault(kept, []).append({
                "id": record.id, "source": record.source, "url": record.url,
                "date": record.date.isoformat() if record.date else None, "origin": record.origin})
            continue
        if doc["id"] in seen_ids:
            doc["id"] = _unique_id(doc["id"], seen_ids)
            summary.warnings.append(Problem(record.origin, record.id, f"id {record.id!r} is already another "
                                            f"article's; this one is indexed as {doc['id']!r}", skipped=False))
        seen_ids.add(doc["id"])
        if url:
            seen_urls[url] = doc["id"]
        seen_bodies[doc["fingerprint"]] = doc["id"]
        if broad_stems is not None:
            broad_stems.add(words)
            broad_stems.add(normalized_words(record.title))
        writer.add_document(doc)
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
