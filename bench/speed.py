"""Speed benchmark: Arshif beside stock Whoosh and Lucene, in one invocation.

``python -m bench.speed`` (or ``arshif bench``) over ``../shared/data/saudinewsnet.jsonl.gz``
measures, each figure the median of ``--runs`` runs (default 3) with its ratio to stock Whoosh (and
to Lucene where Lucene has the figure):

1. ``reindex``: a full reindex (title + body) with Arshif (:func:`search.index.build.reindex`), stock
   Whoosh (StandardAnalyzer, one process, default writer) and Lucene (``../shared/tools/lucene/run``,
   skipped with the reason when ``java``/``javac`` are missing): seconds, docs/s, index size on
   disk, peak RSS. Each build runs in its own subprocess; its peak RSS is the largest of the
   process tree's summed RSS (sampled from /proc every 0.1 s) and the ``ru_maxrss`` of the build
   process and of its children (Whoosh's multi-process writer).
2. ``queries``: latency p50/p95/p99 of three kinds of query: news queries (``bench/news_queries.txt``,
   1-3 words, over title + body), long questions (``../shared/eval/arcd/dev.tsv`` over the arcd
   corpus, title + body) and headlines (``../shared/eval/knownitem/dev.tsv``, body only). Arshif
   through :meth:`search.searcher.Searcher.search` with snippets (as users get it) and without;
   stock Whoosh through ``MultifieldParser``/``OrGroup`` + BM25F, ``searcher.search(q, limit=10)``.
3. ``web``: the real server (``arshif serve``) under a bounded Python load client (16 threads,
   keep-alive, a mix of ``/api/search?q=`` and ``/?q=``): requests/s, p50/p95, errors (any non-200)
   and the server's RSS at the start, middle and end of the load. The figures are the median of
   ``--runs`` consecutive windows of the run.
4. ``relevance``: nDCG@10 and MRR@10 of the same runs (arcd; knownitem too on the whole corpus),
   so a speed-up that costs relevance shows.
5. ``growth``: Arshif's reindex time, peak RSS and query p50 at 25%, 50%, 100% and 4× the corpus
   (repeated with new ids, URLs and a copy number at the end of the body, so that the engine's
   duplicate detection keeps every copy; streamed through a temporary .jsonl.gz), a table and a
   plot; and adding 100 new articles to the full index incrementally, when the engine can.
6. ``backends`` (only when named in ``--sections``): Arshif on Whoosh beside Arshif on an OpenSearch
   cluster at 25%, 100%, 4× and 16× the corpus: reindex docs/s, news-query p50/p95 with snippets and
   the web p95 under 16 clients, a table and a plot (:mod:`bench.backends`).

It only uses the engine's public entry points (``reindex``, ``Searcher.search``, ``arshif
serve``), so it keeps working while the engine changes. Tests only check that it runs
(``tests/test_bench.py``); figures belong in ``docs/benchmark.md``, not in assertions.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import importlib.metadata
import inspect
import io
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, cast

from bench import trec

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DEFAULT_CORPUS = SHARED / "data" / "saudinewsnet.jsonl.gz"
DEFAULT_NEWS_QUERIES = REPO / "bench" / "news_queries.txt"
DEFAULT_ARCD = SHARED / "eval" / "arcd"
DEFAULT_KNOWNITEM = SHARED / "eval" / "knownitem"
DEFAULT_LUCENE = SHARED / "tools" / "lucene" / "run"

SECTIONS = ("reindex", "queries", "web", "relevance", "growth", "backends")
#: what runs when --sections is not given (``backends`` needs an OpenSearch cluster and about an hour)
DEFAULT_SECTIONS = SECTIONS[:-1]
SYSTEMS = ("arshif", "whoosh", "lucene")
LABELS = {"arshif": "Arshif", "whoosh": "stock Whoosh", "lucene": "Lucene 9"}
QUICK_DOCS = 2_000
GROWTH = (0.25, 0.5, 1.0, 4.0)
LIMIT = 10  # results per query, as the search page shows them
NEW_ARTICLES = 100  # added incrementally to the full index


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


# --- corpus files ----------------------------------------------------------------------------

def _open_text(path: Path, mode: str = "rt"):
    if str(path).endswith(".gz"):
        return gzip.open(path, mode, encoding="utf-8", compresslevel=1) if "w" in mode else \
            gzip.open(path, mode, encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def iter_lines(path: Path):
    """The non-empty lines of a JSON Lines file (gzip or not), streamed."""
    with _open_text(path) as f:
        for line in f:
            if line.strip():
                yield line


def count_records(path: Path) -> int:
    return sum(1 for _ in iter_lines(path))


def write_slice(src: Path, dst: Path, count: int) -> int:
    """The first `count` records of `src` into `dst`; returns how many were written."""
    n = 0
    with _open_text(dst, "wt") as out:
        for line in iter_lines(src):
            if n >= count:
                break
            out.write(line if line.endswith("\n") else line + "\n")
            n += 1
    return n


def copy_record(line: str, copy: int, tag: str = "x") -> str:
    """A record of copy number `copy` of the corpus: a new id, a new URL and the copy number at the
    end of the body (so it is a new article, not a duplicate the engine would collapse)."""
    rec = json.loads(line)
    if copy:
        rec["id"] = f"{rec.get('id', '')}-{tag}{copy}"
        if rec.get("url"):
            rec["url"] = f"{rec['url']}#{tag}{copy}"
        rec["body"] = f"{rec.get('body', '')}\n{copy}"
    return json.dumps(rec, ensure_ascii=False) + "\n"


def write_repeated(src: Path, dst: Path, times: int) -> int:
    """`src` repeated `times` times with new ids, streamed record by record."""
    n = 0
    with _open_text(dst, "wt") as out:
        for copy in range(times):
            for line in iter_lines(src):
                out.write(copy_record(line, copy))
                n += 1
    return n


def read_news_queries(path: Path, limit: int | None = None) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8") as f:
        texts = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    out = [(f"news-{n:03d}", t) for n, t in enumerate(texts, start=1)]
    return out[:limit] if limit else out


def write_tsv(queries: list[tuple[str, str]], path: Path) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for qid, text in queries:
            f.write(f"{qid}\t{' '.join(text.split())}\n")
    return path


def dir_size(path: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


# --- stock Whoosh ------------------------------------------------------------------------------

def stock_schema():
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import DATETIME, ID, TEXT, Schema

    return Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=StandardAnalyzer()),
                  body=TEXT(analyzer=StandardAnalyzer(), stored=True), date=DATETIME())


def _parse_date(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).strip())
    except ValueError:
        return None


def build_stock_whoosh(corpus: Path, directory: Path) -> dict:
    """The reference: a plain Whoosh index, one process, default writer, same corpus file."""
    from whoosh import index as whoosh_index

    started = time.perf_counter()
    directory.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(directory), stock_schema())
    writer = ix.writer()
    n = 0
    for line in iter_lines(corpus):
        rec = json.loads(line)
        doc = {"id": str(rec.get("id", n)), "title": rec.get("title") or "", "body": rec.get("body") or ""}
        date = _parse_date(rec.get("date"))
        if date is not None:
            doc["date"] = date
        writer.add_document(**doc)
        n += 1
    writer.commit()
    return {"seconds": time.perf_counter() - started, "indexed": n}


class StockWhooshSearcher:
    def __init__(self, directory: Path, fields: tuple[str, ...]):
        from whoosh import index as whoosh_index
        from whoosh.qparser import MultifieldParser, OrGroup
        from whoosh.scoring import BM25F

        self._ix = whoosh_index.open_dir(str(directory))
        self._searcher = self._ix.searcher(weighting=BM25F())
        self._qp = MultifieldParser(list(fields), self._ix.schema, group=OrGroup)

    def search(self, text: str) -> list[str]:
        hits = self._searcher.search(self._qp.parse(text), limit=LIMIT)
        return [hit["id"] for hit in hits]


class ArshifSearch:
    def __init__(self, root: Path, fields: tuple[str, ...], snippets: bool, url: str | None = None,
                 alias: str | None = None):
        """Arshif's searcher of the Whoosh index at `root`, or of the OpenSearch alias `alias` on the
        cluster at `url` (as ``arshif search --backend opensearch`` opens it)."""
        from search.searcher import Searcher

        if url:
            from search.backends import open_backend

            self._searcher = Searcher(alias, backend=open_backend("opensearch", url, alias))
        else:
            self._searcher = Searcher(root)
        self.fields, self.snippets = fields, snippets

    def search(self, text: str) -> list[str]:
        results = self._searcher.search(text, fields=self.fields, limit=LIMIT, snippets=self.snippets)
        return [hit.id for hit in results.hits]


# --- the worker: one build or one query session in a subprocess --------------------------------

def _maxrss_kb(who) -> int:
    return resource.getrusage(who).ru_maxrss  # KiB on Linux


def run_job(job: dict) -> dict:
    """Do one job in this process (``--worker``) and return what it measured."""
    task = job["task"]
    if task == "build":
        corpus, index = Path(job["corpus"]), Path(job["index"])
        if job["system"] == "whoosh":
            out = build_stock_whoosh(corpus, index)
        else:
            from search.index.build import reindex

            build = None
            if job.get("url"):  # the OpenSearch backend, as `arshif reindex --backend opensearch` builds it
                from search.backends.opensearch import DEFAULT_REPLICAS, DEFAULT_SHARDS, OpenSearchBuild

                build = OpenSearchBuild.locked(job["url"], job["alias"], DEFAULT_SHARDS, DEFAULT_REPLICAS, log=log)
            started = time.perf_counter()
            summary = reindex([corpus], index, build=build)
            out = {"seconds": time.perf_counter() - started, "indexed": getattr(summary, "indexed", None),
                   "duplicates": getattr(summary, "duplicates", None), "skipped": getattr(summary, "skipped", None)}
    elif task == "incremental":
        out = incremental_add(Path(job["corpus"]), Path(job["new"]), Path(job["index"]))
    elif task == "query":
        out = {"sets": {}}
        for qset in job["sets"]:
            out["sets"][qset["key"]] = query_session(job["system"], Path(qset["index"]), tuple(qset["fields"]),
                                                     qset["queries"], job["runs"], qset.get("snippets", True),
                                                     qset.get("url"), qset.get("alias"))
    else:
        raise ValueError(f"unknown task {task!r}")
    out["maxrss_self_kb"] = _maxrss_kb(resource.RUSAGE_SELF)
    out["maxrss_children_kb"] = _maxrss_kb(resource.RUSAGE_CHILDREN)
    return out


def query_session(system: str, index: Path, fields: tuple[str, ...], queries, runs: int, snippets: bool,
                  url: str | None = None, alias: str | None = None) -> dict:
    """Open a searcher, time the first query (cold), then `runs` timed passes over the queries."""
    started = time.perf_counter()
    searcher = StockWhooshSearcher(index, fields) if system == "whoosh" else \
        ArshifSearch(index, fields, snippets, url, alias)
    opened = time.perf_counter()
    errors: dict[str, str] = {}
    top: dict[str, list[str]] = {}

    def ask(qid: str, text: str) -> list[str]:
        try:
            return searcher.search(text)
        except Exception as exc:  # noqa: BLE001 -- a query the engine refuses still counts, as an error
            errors.setdefault(qid, f"{type(exc).__name__}: {exc}"[:200])
            return []

    if queries:
        ask(*queries[0])
    first = time.perf_counter()
    passes = []
    for run in range(runs):
        lat = []
        for qid, text in queries:
            t0 = time.perf_counter()
            ids = ask(qid, text)
            lat.append((time.perf_counter() - t0) * 1000)
            if run == 0:
                top[qid] = ids
        passes.append(lat)
    return {"open_s": opened - started, "first_ms": (first - opened) * 1000, "passes": passes,
            "top": top, "errors": len(errors), "error_examples": list(errors.items())[:3]}


def incremental_support() -> str | None:
    """How the engine adds articles to a live index ("update" or "reindex(incremental=)"); None if it can't."""
    try:
        from search.index import build as indexing
    except Exception:  # noqa: BLE001 -- reported, the benchmark goes on
        return None
    if callable(getattr(indexing, "update", None)):
        return "update"
    try:
        if "incremental" in inspect.signature(indexing.reindex).parameters:
            return "reindex(incremental=True)"
    except (TypeError, ValueError):
        pass
    return None


def incremental_add(corpus: Path, new_file: Path, index: Path) -> dict:
    from search.index import build as indexing

    how = incremental_support()
    started = time.perf_counter()
    if how == "update":
        # an older engine's API, probed by incremental_support(); this one has no update()
        summary = cast(Any, indexing).update([new_file], index)
    else:
        summary = indexing.reindex([corpus, new_file], index, incremental=True)
    seconds = time.perf_counter() - started
    from search.searcher import Searcher

    return {"how": how, "seconds": seconds, "indexed": getattr(summary, "indexed", None),
            "doc_count": Searcher(index).doc_count()}


# --- running workers and measuring their memory ------------------------------------------------

def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(b")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes(pid: int) -> int:
    """Resident set size of one process (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss_kb(pid: int) -> int | None:
    """Summed VmRSS of `pid` and its descendants (a server's worker processes), in KiB."""
    own = vmrss_kb(pid)
    if own is None:
        return None
    kids = _children_map() if os.path.isdir("/proc") else {}
    todo, total, seen = list(kids.get(pid, ())), own, {pid}
    while todo:
        child = todo.pop()
        if child in seen:
            continue
        seen.add(child)
        total += vmrss_kb(child) or 0
        todo.extend(kids.get(child, ()))
    return total


def vmrss_kb(pid: int) -> int | None:
    """VmRSS from /proc/<pid>/status, in KiB."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and all its descendants; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop_event = threading.Event()

    def tree_rss(self) -> int:
        kids = _children_map() if os.path.isdir("/proc") else {}
        todo, total, seen = [self.pid], 0, set()
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            total += rss_bytes(pid)
            todo.extend(kids.get(pid, ()))
        return total

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, self.tree_rss())
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


def run_worker(job: dict, workdir: Path) -> dict:
    """Run `job` in a fresh ``python -m bench.speed --worker`` process; add its peak RSS (bytes)."""
    fd, job_path = tempfile.mkstemp(prefix="job-", suffix=".json", dir=workdir)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(job, f, ensure_ascii=False)
    out_path = job_path + ".out"
    proc = subprocess.Popen([sys.executable, "-m", "bench.speed", "--worker", job_path],
                            cwd=str(REPO), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    peak = sampler.stop()
    try:
        if proc.returncode != 0:
            raise RuntimeError(f"worker {job['task']} {job.get('system', '')} failed (exit {proc.returncode}):\n"
                               + stderr.decode("utf-8", "replace")[-3000:])
        with open(out_path, encoding="utf-8") as f:
            out = json.load(f)
    finally:
        for p in (job_path, out_path):
            try:
                os.unlink(p)
            except OSError:
                pass
    out["peak_rss"] = max(peak, out.get("maxrss_self_kb", 0) * 1024, out.get("maxrss_children_kb", 0) * 1024)
    return out


def worker_main(job_path: str) -> int:
    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    out = run_job(job)
    with open(job_path + ".out", "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)
    return 0


# --- Lucene ----------------------------------------------------------------------------------

def lucene_missing(tool: Path | None) -> str | None:
    if tool is None:
        return "Lucene skipped (--no-lucene)"
    if not tool.exists():
        return f"Lucene skipped: {tool} not found"
    missing = [exe for exe in ("java", "javac") if shutil.which(exe) is None]
    if missing:
        return f"Lucene skipped: {' and '.join(missing)} not found (Java 11+ with javac is needed)"
    return None


_LUCENE_INDEXED = re.compile(r"indexed (\d+) docs in ([\d.]+)s \(([\d.]+) docs/s\)")
_LUCENE_QUERIES = re.compile(r"queries (\d+)\s+p50 ([\d.]+) ms\s+p95 ([\d.]+) ms")


def run_lucene(tool: Path, corpus: Path, fields: str, queries: Path, workdir: Path) -> dict:
    """One run of the reference tool: its index rate and query p50/p95 (from stderr), its top 10s."""
    out_file = workdir / "lucene.run"
    proc = subprocess.Popen([str(tool), str(corpus), fields, str(queries), str(out_file)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = TreeSampler(proc.pid, interval=0.2)
    sampler.start()
    stdout, stderr = proc.communicate()
    peak = sampler.stop()
    text = stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"Lucene run failed (exit {proc.returncode}): {text[-2000:]}")
    m, mq = _LUCENE_INDEXED.search(text), _LUCENE_QUERIES.search(text)
    if not m:
        raise RuntimeError(f"could not read Lucene's output: {text[-1000:]}")
    top: dict[str, list[str]] = {}
    with open(out_file, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and len(top.setdefault(parts[0], [])) < LIMIT:
                top[parts[0]].append(parts[2])
    out_file.unlink()
    return {"indexed": int(m.group(1)), "seconds": float(m.group(2)), "docs_per_s": float(m.group(3)),
            "p50": float(mq.group(2)) if mq else None, "p95": float(mq.group(3)) if mq else None,
            "queries": int(mq.group(1)) if mq else 0, "peak_rss": peak, "top": top}


# --- statistics and formatting ---------------------------------------------------------------

def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def median(values) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def fmt(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, int) or (isinstance(value, float) and abs(value) >= 1000 and digits <= 1):
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def ratio(value, reference) -> str:
    if value is None or not reference:
        return "–"
    return f"{value / reference:.2f}×"


def mb(nbytes) -> float | None:
    return nbytes / 2**20 if nbytes else None


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# --- the benchmark ---------------------------------------------------------------------------

@dataclass
class Bench:
    args: argparse.Namespace
    workdir: Path
    corpus: Path  # what is indexed (the corpus, or a slice of it in quick mode)
    records: int
    lucene_skip: str | None
    sections_md: list[tuple[str, str]] = field(default_factory=list)  # (title, markdown)
    notes: list[str] = field(default_factory=list)
    indexes: dict[str, Path] = field(default_factory=dict)  # system -> index of `corpus`
    reindex: dict[str, dict] = field(default_factory=dict)  # system -> medians
    query: dict = field(default_factory=dict)  # (kind, system) -> figures
    tops: dict = field(default_factory=dict)  # (kind, system) -> {qid: [ids]}
    growth_rows: list[dict] = field(default_factory=list)
    lucene_runs: dict[str, list[dict]] = field(default_factory=dict)  # kind -> runs of the reference tool
    checkpoint: Callable[[], None] | None = None  # called after each (partial) section: writes the report so far

    # ---- helpers
    def add(self, title: str, md: str, final: bool = True) -> None:
        """Put a section in the report (replacing a partial one of the same title) and save it."""
        self.sections_md = [(t, m) for t, m in self.sections_md if t != title] + [(title, md)]
        if final:
            print(f"\n## {title}\n\n{md}\n", flush=True)
        if self.checkpoint is not None:
            self.checkpoint()

    def note(self, text: str) -> None:
        self.notes.append(text)
        log(f"note: {text}")

    def fresh(self, name: str) -> Path:
        path = self.workdir / name
        shutil.rmtree(path, ignore_errors=True)
        return path

    def build(self, system: str, corpus: Path, name: str) -> dict:
        index = self.fresh(name)
        out = run_worker({"task": "build", "system": system, "corpus": str(corpus), "index": str(index)}, self.workdir)
        out["size"] = dir_size(index)
        out["index"] = str(index)
        return out

    def ensure_index(self, system: str) -> Path:
        if system not in self.indexes:
            log(f"building the {LABELS[system]} index of {self.corpus} (for the queries) ...")
            out = self.build(system, self.corpus, f"{system}-main")
            log(f"  {out['seconds']:.1f} s")
            self.indexes[system] = Path(out["index"])
        return self.indexes[system]

    @property
    def full_corpus(self) -> bool:
        return self.corpus == Path(self.args.corpus) and not self.args.quick and not self.args.docs

    # ---- 1. reindex
    def run_reindex(self) -> None:
        runs = self.args.runs
        results: dict[str, list[dict]] = {s: [] for s in SYSTEMS}
        news_tsv = write_tsv(self.news, self.workdir / "news.tsv")
        for run in range(1, runs + 1):
            for system in ("arshif", "whoosh"):
                log(f"reindex run {run}/{runs}: {LABELS[system]} over {self.records:,} records ...")
                out = self.build(system, self.corpus, f"{system}-main")
                log(f"  {out['seconds']:.1f} s, {mb(out['size']):.0f} MB, peak RSS {mb(out['peak_rss']):.0f} MB")
                results[system].append(out)
                self.indexes[system] = Path(out["index"])
            if not self.lucene_skip:
                log(f"reindex run {run}/{runs}: Lucene (title,body) + news queries ...")
                out = run_lucene(self.args.lucene, self.corpus, "title,body", news_tsv, self.workdir)
                log(f"  {out['seconds']:.1f} s")
                results["lucene"].append(out)
                self.lucene_runs.setdefault("news", []).append(out)
        rows = []
        for system in SYSTEMS:
            outs = results[system]
            if not outs:
                continue
            med = {
                "seconds": median(o["seconds"] for o in outs),
                "docs_per_s": median(self.records / o["seconds"] if system != "lucene" else o["docs_per_s"]
                                     for o in outs),
                "size": median(o.get("size") for o in outs) if system != "lucene" else None,
                "peak_rss": median(o["peak_rss"] for o in outs),
                "indexed": outs[-1].get("indexed"), "all": [o["seconds"] for o in outs],
            }
            self.reindex[system] = med
        w, lu = self.reindex.get("whoosh", {}), self.reindex.get("lucene", {})
        for system, med in self.reindex.items():
            rows.append([
                LABELS[system], fmt(med["indexed"]), fmt(med["seconds"]), ", ".join(f"{s:.1f}" for s in med["all"]),
                fmt(med["docs_per_s"], 0), ratio(med["docs_per_s"], w.get("docs_per_s")),
                ratio(med["docs_per_s"], lu.get("docs_per_s")),
                fmt(mb(med["size"]), 0) if med["size"] else "in memory", ratio(med["size"], w.get("size")),
                fmt(mb(med["peak_rss"]), 0), ratio(med["peak_rss"], w.get("peak_rss")),
            ])
        md = table(["system", "docs indexed", "seconds (median)", "runs (s)", "docs/s", "× Whoosh", "× Lucene",
                    "index MB", "size × Whoosh", "peak RSS MB", "RSS × Whoosh"], rows)
        md += (f"\n\n{self.records:,} input records, title + body. docs/s counts input records (the same for "
               "every system); Arshif collapses duplicates (same URL or same normalized body), so it indexes "
               "fewer. Arshif: `search.index.build.reindex` with its defaults (writer processes: the engine's "
               "choice); stock Whoosh: StandardAnalyzer, one process, default writer; Lucene: in-memory "
               "directory, one thread, its own timing (JVM start not included), peak RSS of the JVM. "
               "Peak RSS: the largest summed RSS of the build's process tree.")
        if self.lucene_skip:
            md += f"\n\n{self.lucene_skip}."
        self.add("Full reindex", md)

    # ---- 2. queries
    def query_sets(self) -> list[dict]:
        """kind -> corpus side: (name, queries, fields, index builder)."""
        return [
            {"kind": "news", "queries": self.news, "fields": ("title", "body"), "corpus": "main"},
            {"kind": "questions", "queries": self.arcd_queries, "fields": ("title", "body"), "corpus": "arcd"},
            {"kind": "headlines", "queries": self.ki_queries, "fields": ("body",), "corpus": "main"},
        ]

    def arcd_index(self, system: str) -> Path:
        key = f"{system}-arcd"
        if key not in self.indexes:
            out = self.build(system, self.args.arcd_dir / "corpus.jsonl", key)
            self.indexes[key] = Path(out["index"])
        return self.indexes[key]

    def run_queries(self, sections_md: bool = True, runs: int | None = None, kinds=None) -> None:
        runs = runs or self.args.runs
        sets = [s for s in self.query_sets() if (kinds is None or s["kind"] in kinds) and s["queries"]]
        variants = [("arshif", True), ("arshif", False), ("whoosh", None)]
        for system, snippets in variants:
            label = LABELS[system] + ("" if snippets is None else (" (snippets)" if snippets else " (no snippets)"))
            job: dict[str, Any] = {"task": "query", "system": system, "runs": runs, "sets": []}
            for s in sets:
                index = self.arcd_index(system) if s["corpus"] == "arcd" else self.ensure_index(system)
                job["sets"].append({"key": s["kind"], "index": str(index), "fields": list(s["fields"]),
                                    "queries": s["queries"], "snippets": bool(snippets)})
            log(f"queries: {label}, {runs} pass(es) over {sum(len(s['queries']) for s in sets)} queries ...")
            out = run_worker(job, self.workdir)
            name = system if snippets is not False else "arshif-nosnip"
            for kind, res in out["sets"].items():
                per_pass = [(percentile(p, 50), percentile(p, 95), percentile(p, 99)) for p in res["passes"]]
                self.query[(kind, name)] = {
                    "p50": median(p[0] for p in per_pass), "p95": median(p[1] for p in per_pass),
                    "p99": median(p[2] for p in per_pass), "first_ms": res["first_ms"], "open_s": res["open_s"],
                    "errors": res["errors"], "n": len(res["passes"][0]) if res["passes"] else 0,
                    "examples": res["error_examples"], "rss": out["peak_rss"],
                }
                self.tops[(kind, name)] = res["top"]
                log(f"  {kind}: p50 {self.query[(kind, name)]['p50']:.2f} ms, p95 {self.query[(kind, name)]['p95']:.2f} ms")
        if not self.lucene_skip:
            self.run_lucene_queries(sets, runs)
        if sections_md:
            self.query_table(sets)

    def run_lucene_queries(self, sets, runs: int) -> None:
        for s in sets:
            have = self.lucene_runs.get(s["kind"], [])
            if len(have) < runs:
                corpus = self.args.arcd_dir / "corpus.jsonl" if s["corpus"] == "arcd" else self.corpus
                tsv = write_tsv(s["queries"], self.workdir / f"{s['kind']}.tsv")
                have = []
                for run in range(runs):
                    log(f"queries: Lucene {s['kind']} run {run + 1}/{runs} ...")
                    have.append(run_lucene(self.args.lucene, corpus, ",".join(s["fields"]), tsv, self.workdir))
                self.lucene_runs[s["kind"]] = have
            self.query[(s["kind"], "lucene")] = {
                "p50": median(o["p50"] for o in have), "p95": median(o["p95"] for o in have), "p99": None,
                "n": have[0]["queries"] if have else 0, "errors": 0, "first_ms": None,
            }
            self.tops[(s["kind"], "lucene")] = have[0]["top"] if have else {}

    def query_table(self, sets) -> None:
        rows = []
        for s in sets:
            kind = s["kind"]
            w, lu = self.query.get((kind, "whoosh"), {}), self.query.get((kind, "lucene"), {})
            for name, label in (("arshif", "Arshif, snippets (as users get it)"), ("arshif-nosnip", "Arshif, no snippets"),
                                ("whoosh", "stock Whoosh"), ("lucene", "Lucene 9")):
                r = self.query.get((kind, name))
                if not r:
                    continue
                rows.append([
                    kind, label, fmt(r["n"]), fmt(r["p50"], 2), fmt(r["p95"], 2), fmt(r["p99"], 2),
                    ratio(r["p50"], w.get("p50")), ratio(r["p95"], w.get("p95")), ratio(r["p99"], w.get("p99")),
                    ratio(r["p50"], lu.get("p50")), ratio(r["p95"], lu.get("p95")),
                    fmt(r["first_ms"], 0) if r.get("first_ms") is not None else "–", fmt(r["errors"]),
                ])
        md = table(["kind", "system", "queries", "p50 ms", "p95 ms", "p99 ms", "p50 × Whoosh", "p95 × Whoosh",
                    "p99 × Whoosh", "p50 × Lucene", "p95 × Lucene", "first query ms", "errors"], rows)
        md += ("\n\nnews: `bench/news_queries.txt` over title + body of the benchmark corpus; questions: arcd dev "
               "over the arcd corpus (title + body); headlines: knownitem dev over the body only. Top 10 per "
               "query, one thread, after opening the searcher; the first query (it loads the index's arrays) is "
               "shown apart and not counted. p50/p95/p99: the median over the runs of each run's percentile. "
               "Stock Whoosh: `MultifieldParser(..., group=OrGroup)` + BM25F, `searcher.search(q, limit=10)` "
               "and the hits' ids. Lucene: its own timing of parse + top 100, without fetching documents.")
        for (kind, name), r in sorted(self.query.items()):
            if r.get("errors"):
                ex = "; ".join(f"{q}: {e}" for q, e in r.get("examples", []))
                md += f"\n\n{LABELS.get(name, name)} {kind}: {r['errors']} queries failed ({ex})."
        self.add("Query latency", md)

    # ---- 3. web
    def run_web(self) -> None:
        index = self.ensure_index("arshif")
        seconds, clients = self.args.web_seconds, self.args.web_clients
        records, rss, rss_idle, rss_warm, warm_ms, complaint = self.serve_and_load(["--index", str(index)], seconds,
                                                                                   clients)
        self.web_table(records, rss, rss_idle, rss_warm, warm_ms, seconds, clients)
        if complaint:
            self.note(complaint)

    def serve_and_load(self, serve_args: list[str], seconds: float, clients: int):
        """Start ``arshif serve <serve_args>``, time a first search, load it with `clients` clients
        for `seconds`, stop it: (records, rss, rss_idle, rss_warm, warm_ms, the server's complaint
        on stderr or None), records and rss as :func:`load` gives them."""
        port = free_port()
        exe = Path(sys.executable).with_name("arshif")
        cmd = ([str(exe)] if exe.exists() else [sys.executable, "-m", "search.cli"]) + \
            ["serve", "--port", str(port), *serve_args]
        log(f"web: {' '.join(cmd)}")
        server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        stderr_lines: list[bytes] = []
        threading.Thread(target=lambda: stderr_lines.extend(cast(IO[bytes], server.stderr)), daemon=True).start()  # PIPE
        try:
            rss: list[tuple[float, int | None]] = []
            wait_ready(port, server)
            rss_idle = tree_rss_kb(server.pid)
            t0 = time.perf_counter()
            status, _ = http_get(port, "/api/search?q=" + urllib.parse.quote(self.news[0][1]))
            warm_ms = (time.perf_counter() - t0) * 1000
            rss_warm = tree_rss_kb(server.pid)
            log(f"web: first search {warm_ms:.0f} ms (HTTP {status}); load: {clients} clients for {seconds:g} s ...")
            records, rss = load(port, [t for _, t in self.news], clients, seconds, server.pid)
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        complaint = None
        if server.returncode not in (0, -15, None) and stderr_lines:
            complaint = "the server wrote on stderr: " + b"".join(stderr_lines[-5:]).decode("utf-8", "replace")[-500:]
        return records, rss, rss_idle, rss_warm, warm_ms, complaint

    def web_table(self, records, rss, rss_idle, rss_warm, warm_ms, seconds, clients) -> None:
        windows = self.args.runs
        span = seconds / windows
        per_window = []
        for w in range(windows):
            lo, hi = w * span, (w + 1) * span
            lat = [r[1] for r in records if lo <= r[0] < hi]
            per_window.append((len(lat) / span, percentile(lat, 50), percentile(lat, 95), percentile(lat, 99)))
        errors = [r for r in records if r[2] != 200]
        by_kind = {}
        for kind in ("api", "page"):
            lat = [r[1] for r in records if r[3] == kind]
            by_kind[kind] = (len(lat), percentile(lat, 50), percentile(lat, 95))

        def at(fraction: float):
            if not rss:
                return None
            target = fraction * seconds
            return min(rss, key=lambda s: abs(s[0] - target))[1]

        rss_vals = [v for _, v in rss if v]
        rows = [[
            fmt(clients), f"{seconds:g}", fmt(len(records)), fmt(median(w[0] for w in per_window), 1),
            fmt(median(w[1] for w in per_window), 1), fmt(median(w[2] for w in per_window), 1),
            fmt(median(w[3] for w in per_window), 1), fmt(len(errors)),
        ]]
        md = table(["clients", "seconds", "requests", "requests/s", "p50 ms", "p95 ms", "p99 ms", "errors"], rows)
        md += "\n\n" + table(["window", "requests/s", "p50 ms", "p95 ms", "p99 ms"],
                             [[f"{i + 1} ({i * span:g}-{(i + 1) * span:g} s)", fmt(w[0], 1), fmt(w[1], 1), fmt(w[2], 1),
                               fmt(w[3], 1)] for i, w in enumerate(per_window)])
        md += "\n\n" + table(["request", "count", "p50 ms", "p95 ms"],
                             [["`/api/search?q=` (JSON)", fmt(by_kind["api"][0]), fmt(by_kind["api"][1], 1),
                               fmt(by_kind["api"][2], 1)],
                              ["`/?q=` (the page)", fmt(by_kind["page"][0]), fmt(by_kind["page"][1], 1),
                               fmt(by_kind["page"][2], 1)]])
        md += "\n\n" + table(["server RSS MB", "idle", "after first search", "load start", "load middle", "load end",
                              "max"],
                             [["", fmt(rss_idle / 1024 if rss_idle else None, 0),
                               fmt(rss_warm / 1024 if rss_warm else None, 0),
                               fmt(at(0) / 1024 if at(0) else None, 0), fmt(at(0.5) / 1024 if at(0.5) else None, 0),
                               fmt(at(1) / 1024 if at(1) else None, 0),
                               fmt(max(rss_vals) / 1024 if rss_vals else None, 0)]])
        kinds: dict[int, int] = {}
        for r in errors:
            kinds[r[2]] = kinds.get(r[2], 0) + 1
        md += (f"\n\n`arshif serve` (waitress, its default threads) on loopback; a Python client of {clients} "
               f"threads, each with one keep-alive `http.client` connection, asking news queries at random "
               f"(seeded), half to `/api/search?q=` and half to `/?q=` (the HTML page, with facets), each response "
               f"read in full, for {seconds:g} s. The first figures are the medians of {windows} consecutive "
               f"windows of the run. The client runs on the same 2 cores as the server. First search after start "
               f"(loads the index arrays): {warm_ms:.0f} ms, not counted."
               + (f" Errors by status: {kinds}." if kinds else ""))
        self.add("Web page under load", md)

    # ---- 4. relevance
    def run_relevance(self) -> None:
        sets = {}
        if self.arcd_queries:
            sets["questions"] = (self.args.arcd_dir / "dev.qrels", self.arcd_queries)
        if self.full_corpus and self.ki_queries:
            sets["headlines"] = (self.args.knownitem_dir / "dev.qrels", self.ki_queries)
        if not sets:
            self.add("Relevance of the same run", "Skipped: no judged query set was found.")
            return
        if not all((k, "arshif") in self.tops for k in sets):
            log("relevance: one pass of the judged queries ...")
            self.run_queries(sections_md=False, runs=1, kinds=list(sets))
        rows = []
        for kind, (qrels_path, queries) in sets.items():
            qrels = trec.read_qrels(qrels_path)
            qids = [q for q, _ in queries]
            for name, label in (("arshif", "Arshif (`Searcher.search`)"), ("whoosh", "stock Whoosh"),
                                ("lucene", "Lucene 9")):
                top = self.tops.get((kind, name))
                if top is None:
                    continue
                scores = score(top, qrels, qids)
                rows.append([{"questions": "arcd dev", "headlines": "knownitem dev"}[kind], label,
                             fmt(scores["judged"]), f"{scores['nDCG@10']:.3f}", f"{scores['RR@10']:.3f}"])
        md = table(["set", "system", "judged queries", "nDCG@10", "MRR@10"], rows)
        md += ("\n\nFrom the top 10 of the first timed pass of the query runs above (a query with no results "
               "or an error counts as zero), scored with ir-measures.")
        if not self.full_corpus and self.ki_queries:
            md += " knownitem is left out: the benchmark corpus is a slice, so most relevant articles are not in it."
        self.add("Relevance of the same run", md)

    # ---- 5. growth
    def run_growth(self) -> None:
        base = self.corpus
        rows: list[dict] = []
        incremental = None
        self.growth_rows = rows
        for factor in self.args.growth:
            if factor == 1.0:
                corpus, records = base, self.records
            elif factor < 1:
                corpus = self.workdir / f"growth-{factor:g}.jsonl.gz"
                records = write_slice(base, corpus, max(1, round(self.records * factor)))
            else:
                corpus = self.workdir / f"growth-{factor:g}.jsonl.gz"
                log(f"growth: writing the corpus ×{factor:g} (streamed) ...")
                records = write_repeated(base, corpus, int(factor))
            if factor == 1.0 and "arshif" in self.reindex:
                med = self.reindex["arshif"]
                build = {"seconds": med["seconds"], "peak_rss": med["peak_rss"], "size": med["size"],
                         "indexed": med["indexed"], "reused": True}
                index = self.indexes["arshif"]
            else:
                log(f"growth: Arshif reindex of {records:,} records ...")
                build = self.build("arshif", corpus, f"arshif-growth-{factor:g}" if factor != 1.0 else "arshif-main")
                index = Path(build["index"])
                if factor == 1.0:
                    self.indexes["arshif"] = index
            if factor == 1.0 and ("news", "arshif") in self.query:
                q = self.query[("news", "arshif")]
            else:
                out = run_worker({"task": "query", "system": "arshif", "runs": self.args.runs, "sets": [
                    {"key": "news", "index": str(index), "fields": ["title", "body"], "queries": self.news,
                     "snippets": True}]}, self.workdir)
                res = out["sets"]["news"]
                q = {"p50": median(percentile(p, 50) for p in res["passes"]),
                     "p95": median(percentile(p, 95) for p in res["passes"])}
            row = {"factor": factor, "records": records, "indexed": build.get("indexed"), "seconds": build["seconds"],
                   "docs_per_s": records / build["seconds"], "size": build.get("size"),
                   "peak_rss": build["peak_rss"], "p50": q["p50"], "p95": q["p95"]}
            log(f"  ×{factor:g}: {row['seconds']:.1f} s, news p50 {row['p50']:.2f} ms")
            rows.append(row)
            if factor > 1 and corpus != base:
                corpus.unlink(missing_ok=True)
                shutil.rmtree(index, ignore_errors=True)
            if factor == 1.0:  # on the full index, before the larger sizes (the longest builds)
                incremental = self.run_incremental()
            if len(rows) < len(self.args.growth):  # a run stopped later keeps the rows measured so far
                self.add("Growth", self.growth_table(rows) + "\n\n(partial: the run has not reached the "
                         "other sizes yet)" + (f"\n\n{incremental}" if incremental else ""), final=False)
        self.growth_rows = rows
        md = self.growth_table(rows)
        plot = self.plot_path()
        if plot is not None:
            made = growth_plot(rows, plot)
            md += f"\n\n![growth]({plot.name})" if made else \
                f"\n\nNo plot: {'matplotlib is not installed' if made is None else 'it failed (see stderr)'}."
        md += "\n\n" + (incremental or "Incremental add: skipped (the growth sizes do not include 1, the full corpus).")
        self.add("Growth", md)

    def growth_table(self, rows: list[dict]) -> str:
        md = table(["corpus", "records", "docs indexed", "reindex s", "docs/s", "index MB", "peak RSS MB",
                    "news p50 ms", "news p95 ms"],
                   [[f"{r['factor'] * 100:g}%" if r["factor"] <= 1 else f"{r['factor']:g}×", fmt(r["records"]),
                     fmt(r["indexed"]), fmt(r["seconds"]), fmt(r["docs_per_s"], 0), fmt(mb(r["size"]), 0),
                     fmt(mb(r["peak_rss"]), 0), fmt(r["p50"], 2), fmt(r["p95"], 2)] for r in rows])
        md += ("\n\nArshif only (`reindex` with its defaults; news queries with snippets). 25% and 50%: the first "
               "records of the corpus; 4×: the corpus four times, each copy with new ids, URLs and the copy "
               "number at the end of the body (the engine would collapse exact copies as duplicates), streamed "
               "through a temporary .jsonl.gz. One build per size (the 100% row is the reindex section's median "
               "when it ran); query figures are the median of the runs' percentiles.")
        return md

    def plot_path(self) -> Path | None:
        if self.args.plot:
            return Path(self.args.plot)
        if self.args.out:
            out = Path(self.args.out)
            return out.with_name(out.stem + "-growth.png")
        return None

    def run_incremental(self) -> str:
        how = incremental_support()
        if how is None:
            msg = ("Incremental add of 100 articles: skipped: the engine has no incremental reindex yet "
                   "(`search.index.build` has no `update` function and `reindex` no `incremental` parameter).")
            self.note(msg)
            return msg
        index = self.indexes.get("arshif")
        if index is None:
            return "Incremental add: skipped (no full Arshif index was built in this run)."
        new = self.workdir / "new-articles" / "new.jsonl"
        new.parent.mkdir(parents=True, exist_ok=True)
        added = 0
        with open(new, "w", encoding="utf-8") as f:
            for line in iter_lines(self.corpus):
                if added >= NEW_ARTICLES:
                    break
                f.write(copy_record(line, 1, tag="new"))
                added += 1
        log(f"incremental: adding {added} articles with {how} ...")
        try:
            out = run_worker({"task": "incremental", "corpus": str(self.corpus), "new": str(new), "index": str(index)},
                             self.workdir)
        except Exception as exc:  # noqa: BLE001 -- reported, the benchmark goes on
            msg = f"Incremental add of {added} articles with `{how}`: failed: {str(exc)[-400:]}"
            self.note(msg)
            return msg
        full = self.reindex.get("arshif", {}).get("seconds") or next(
            (r["seconds"] for r in self.growth_rows if r["factor"] == 1.0), None)
        return (f"Incremental add of {added} new articles (a new .jsonl file beside the corpus) to the full index "
                f"with `{how}`: "
                f"{out['seconds']:.2f} s (full reindex: {fmt(full)} s; ratio {ratio(out['seconds'], full)}), "
                f"index now holds {fmt(out.get('doc_count'))} articles, peak RSS {fmt(mb(out['peak_rss']), 0)} MB.")

    # ---- 6. backends
    def run_backends(self) -> None:
        from bench import backends

        backends.run(self)

    # ---- query files
    def load_queries(self) -> None:
        limit = self.args.max_queries
        self.news = read_news_queries(Path(self.args.news_queries), limit)
        self.arcd_queries: list[tuple[str, str]] = []
        self.ki_queries: list[tuple[str, str]] = []
        for attr, folder, files in (("arcd_queries", self.args.arcd_dir, ("dev.tsv", "dev.qrels", "corpus.jsonl")),
                                    ("ki_queries", self.args.knownitem_dir, ("dev.tsv", "dev.qrels"))):
            missing = [name for name in files if not (folder / name).is_file()]
            if missing:
                self.note(f"{folder}: {', '.join(missing)} not found: those queries are left out")
            else:
                setattr(self, attr, trec.read_queries(folder / "dev.tsv", limit))


def score(top: dict[str, list[str]], qrels: dict[str, dict[str, int]], qids: list[str]) -> dict:
    """nDCG@10 and RR@10 (:func:`bench.trec.score_run`) averaged over every judged query asked."""
    scores = trec.score_run({q: [(d, 0.0) for d in docs] for q, docs in top.items()}, qrels, qids)
    return {"judged": scores.judged, "nDCG@10": scores.means["nDCG@10"], "RR@10": scores.means["MRR@10"]}


# --- web helpers ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port: int, path: str, timeout: float = 60) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def wait_ready(port: int, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited (code {server.returncode}) before it answered")
        try:
            status, _ = http_get(port, "/", timeout=5)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer on port {port} within {timeout:.0f} s")


def load(port: int, queries: list[str], clients: int, seconds: float, server_pid: int):
    """`clients` threads asking until `seconds` have passed; (start s, latency ms, status, kind) per
    request, and (s, VmRSS KiB) of the server once a second."""
    start = time.perf_counter()
    deadline = start + seconds
    results: list[list[tuple[float, float, int, str]]] = [[] for _ in range(clients)]
    rss: list[tuple[float, int | None]] = [(0.0, tree_rss_kb(server_pid))]
    stop = threading.Event()

    def client(n: int) -> None:
        rng = random.Random(1000 + n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        out = results[n]
        while True:
            t0 = time.perf_counter()
            if t0 >= deadline:
                break
            q = urllib.parse.quote(rng.choice(queries))
            kind = "api" if rng.random() < 0.5 else "page"
            path = f"/api/search?q={q}" if kind == "api" else f"/?q={q}"
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                status = resp.status
                if resp.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            except (OSError, http.client.HTTPException):
                status = 0  # connection error or timeout
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            out.append((t0 - start, (time.perf_counter() - t0) * 1000, status, kind))
        conn.close()

    def monitor() -> None:
        while not stop.wait(1.0):
            rss.append((time.perf_counter() - start, tree_rss_kb(server_pid)))

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    mon = threading.Thread(target=monitor, daemon=True)
    mon.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    mon.join()
    rss.append((time.perf_counter() - start, tree_rss_kb(server_pid)))
    return [r for rs in results for r in rs], rss


# --- plot ------------------------------------------------------------------------------------

def growth_plot(rows: list[dict], path: Path) -> bool | None:
    """Reindex seconds and query p50 against the corpus size; None when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    try:
        docs = [r["records"] for r in rows]
        fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.4), dpi=90)
        a.plot(docs, [r["seconds"] for r in rows], "o-", color="#1f6f8b")
        a.set_xlabel("articles")
        a.set_ylabel("full reindex (s)")
        a.set_title("Reindex time")
        for r in rows:
            a.annotate(f"{r['docs_per_s']:,.0f}/s", (r["records"], r["seconds"]), textcoords="offset points",
                       xytext=(4, -12), fontsize=8)
        b.plot(docs, [r["p50"] for r in rows], "o-", color="#b5651d", label="p50")
        b.plot(docs, [r["p95"] for r in rows], "s--", color="#888888", label="p95")
        b.set_xlabel("articles")
        b.set_ylabel("news query (ms)")
        b.set_title("Query latency (snippets)")
        b.legend(fontsize=8)
        for ax in (a, b):
            ax.grid(alpha=0.3)
            ax.set_ylim(bottom=0)
            ax.set_xlim(left=0)
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=90)
        plt.close(fig)
        return True
    except Exception as exc:  # noqa: BLE001 -- reported, the benchmark goes on
        log(f"plot failed: {exc}")
        return False


# --- machine description ----------------------------------------------------------------------

def machine() -> list[tuple[str, str]]:
    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            kb = next(int(line.split()[1]) for line in f if line.startswith("MemTotal"))
        mem = f"{kb / 2**20:.1f} GiB"
    except (OSError, StopIteration):
        pass
    versions = []
    for dist in ("whoosh-reloaded", "numpy", "flask", "waitress", "ir-measures", "matplotlib", "arshif"):
        try:
            versions.append(f"{dist} {importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    java = "not found"
    if shutil.which("java"):
        try:
            out = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=30)
            java = (out.stderr or out.stdout).splitlines()[0]
        except (OSError, subprocess.SubprocessError, IndexError):
            java = "?"
    commit = "?"
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=10).stdout.strip() or "?"
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "search", "web"],
                               capture_output=True, text=True, timeout=10).stdout.split("\n")
        changed = [line[3:] for line in dirty if line.strip()]
        if changed:
            commit += f" (with uncommitted changes in {', '.join(changed[:8])}{' …' if len(changed) > 8 else ''})"
    except (OSError, subprocess.SubprocessError):
        pass
    return [("CPU", f"{cpu}, {os.cpu_count()} cores"), ("RAM", mem),
            ("OS", f"{platform.system()} {platform.release()}"),
            ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
            ("libraries", ", ".join(versions)), ("Java", java), ("engine", f"git {commit}")]


# --- command line -----------------------------------------------------------------------------

def _factors(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers such as 0.25,0.5,1,4, not {text!r}") from None
    if not values or any(v <= 0 or (v > 1 and v != int(v)) for v in values):
        raise argparse.ArgumentTypeError("sizes are fractions up to 1 or whole multiples of the corpus")
    return values


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.speed", description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSON Lines corpus (.gz or not)")
    p.add_argument("--runs", type=int, default=None, help="runs per figure, the median is shown (default 3; --quick: 1)")
    p.add_argument("--quick", action="store_true",
                   help=f"smoke run: the first {QUICK_DOCS:,} articles, 1 run, 20 s of web load")
    p.add_argument("--docs", type=int, default=None, help="benchmark the first N articles of the corpus only")
    p.add_argument("--sections", default=",".join(DEFAULT_SECTIONS),
                   help=f"comma-separated, of: {', '.join(SECTIONS)} (default: all but backends)")
    p.add_argument("--web-seconds", type=float, default=None, help="web load duration (default 300; --quick: 20)")
    p.add_argument("--web-clients", type=int, default=16)
    p.add_argument("--growth", type=_factors, default=GROWTH, metavar="F,F,...",
                   help="corpus sizes of the growth section, as fractions of the corpus (default 0.25,0.5,1,4)")
    p.add_argument("--backend-sizes", type=_factors, default=(0.25, 1.0, 4.0, 16.0), metavar="F,F,...",
                   help="corpus sizes of the backends section (default 0.25,1,4,16)")
    p.add_argument("--backends", type=lambda text: tuple(t.strip() for t in text.split(",") if t.strip()),
                   default=("opensearch", "whoosh"), metavar="B,B",
                   help="backends section: which backends (default opensearch,whoosh)")
    p.add_argument("--backend-web-seconds", type=float, default=60.0,
                   help="backends section: web load per size and backend (default 60)")
    p.add_argument("--backend-budget", type=float, default=None, metavar="MINUTES",
                   help="backends section: skip a build expected to end past this many minutes (default: none)")
    p.add_argument("--opensearch-url", default=None, metavar="URL[,URL...]",
                   help="backends section: an OpenSearch cluster to use (default: start 2 nodes with "
                        "scripts/opensearch_cluster.py in the work folder, stopped at the end)")
    p.add_argument("--opensearch-heap", default="1g", help="heap of each node the backends section starts")
    p.add_argument("--backends-plot", type=Path,
                   help="backends plot PNG (default: <out>-backends.png beside --out)")
    p.add_argument("--out", type=Path, help="write the Markdown report here (e.g. docs/benchmark.md)")
    p.add_argument("--plot", type=Path, help="growth plot PNG (default: <out>-growth.png beside --out)")
    p.add_argument("--note", action="append", default=[], help="a line for the report's notes (repeatable)")
    p.add_argument("--news-queries", type=Path, default=DEFAULT_NEWS_QUERIES)
    p.add_argument("--arcd-dir", type=Path, default=DEFAULT_ARCD, help="corpus.jsonl, dev.tsv, dev.qrels")
    p.add_argument("--knownitem-dir", type=Path, default=DEFAULT_KNOWNITEM, help="dev.tsv, dev.qrels")
    p.add_argument("--lucene", type=Path, default=DEFAULT_LUCENE, help="the reference tool's run script")
    p.add_argument("--no-lucene", action="store_true", help="leave Lucene out")
    p.add_argument("--max-queries", type=int, default=None, help="ask only the first N queries of each kind")
    p.add_argument("--workdir", type=Path, help="where indexes are built (default: a temporary folder, removed)")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.worker:
        return worker_main(args.worker)
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        build_parser().error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    args.runs = args.runs or (1 if args.quick else 3)
    args.web_seconds = args.web_seconds or (20.0 if args.quick else 300.0)
    if args.runs < 1:
        build_parser().error("--runs must be at least 1")
    if args.quick and not args.docs:
        args.docs = QUICK_DOCS
    if not Path(args.corpus).exists():
        print(f"error: corpus {args.corpus} not found", file=sys.stderr)
        return 2
    args.lucene = None if args.no_lucene else args.lucene

    own_workdir = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="arshif-bench-")) if own_workdir else Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    load_start = os.getloadavg()
    try:
        corpus = Path(args.corpus)
        if args.docs:
            sliced = workdir / "corpus-slice.jsonl.gz"
            records = write_slice(corpus, sliced, args.docs)
            corpus = sliced
        else:
            records = count_records(corpus)
        bench = Bench(args, workdir, corpus, records, lucene_missing(args.lucene))
        bench.load_queries()
        if bench.lucene_skip and {"reindex", "queries", "relevance"} & set(sections):
            bench.note(bench.lucene_skip)
        log(f"benchmark over {records:,} records of {args.corpus}; sections {', '.join(sections)}; "
            f"{args.runs} run(s); load average {load_start[0]:.2f}")
        command = argv if argv is not None else sys.argv[1:]

        def write_report() -> None:
            if args.out:
                Path(args.out).parent.mkdir(parents=True, exist_ok=True)
                Path(args.out).write_text(render(bench, command, started, load_start, os.getloadavg()),
                                          encoding="utf-8")

        bench.checkpoint = write_report
        failed = []
        for section in SECTIONS:  # always in this order: later sections reuse earlier indexes
            if section not in sections:
                continue
            try:
                getattr(bench, f"run_{section}")()
            except Exception as exc:  # noqa: BLE001 -- one broken section does not lose the others' figures
                traceback.print_exc()
                failed.append(section)
                bench.note(f"section {section} failed: {type(exc).__name__}: {str(exc)[-300:]}")
            write_report()  # after each section, so a long run that is stopped keeps what it measured
        if args.out:
            log(f"report written to {args.out}")
        if failed:
            return 1
    finally:
        if own_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def render(bench: Bench, argv: list[str], started: float, load_start, load_end) -> str:
    args = bench.args
    when = datetime.fromtimestamp(started, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    minutes = (time.time() - started) / 60
    cores = os.cpu_count() or 1
    out = io.StringIO()
    if bench.sections_md and all(title == "Backends" for title, _ in bench.sections_md):
        out.write("# Arshif's backends: Whoosh beside OpenSearch\n\n")
        out.write("Arshif on its embedded Whoosh backend beside Arshif on an OpenSearch cluster, as the corpus "
                  "grows, measured in one invocation of\n\n")
    else:
        out.write("# Arshif benchmark\n\n")
        out.write("Arshif beside stock Whoosh and Lucene, measured in one invocation of\n\n")
    out.write(f"    python -m bench.speed {' '.join(argv)}\n\n")
    out.write(f"on {when} ({minutes:.0f} minutes), over {bench.records:,} records of `{args.corpus}`"
              f"{' (the first ' + format(args.docs, ',') + ')' if args.docs else ''}, {args.runs} run(s) per figure "
              "(the median is shown). Ratios are Arshif's figure divided by the reference's: for docs/s higher is "
              "better, for seconds, sizes, memory and latencies lower is better.\n\n")
    out.write("## Machine\n\n")
    rows = machine() + [("load average", f"{load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end "
                                         f"(1 min, {cores} cores)")]
    out.write(table(["", ""], [[k, v] for k, v in rows]) + "\n\n")
    notes = list(args.note)
    if max(load_start[0], load_end[0]) > 0.5 * cores:
        notes.append(f"The load average reached {max(load_start[0], load_end[0]):.1f} on {cores} cores at the start "
                     "or the end of the run (the minute before the start, and the benchmark's own last build, count "
                     "in it; so may other work): absolute timings are pessimistic and noisy; the ratios, measured "
                     "side by side in the same run, are the figures to compare.")
    notes += bench.notes
    if notes:
        out.write("## Notes\n\n" + "\n".join(f"- {n}" for n in notes) + "\n\n")
    for title, md in bench.sections_md:
        out.write(f"## {title}\n\n{md}\n\n")
    return out.getvalue()


if __name__ == "__main__":
    sys.exit(main())
