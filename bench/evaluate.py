"""Relevance evaluation: index a corpus, run a query file, score the run against TREC qrels.

``python -m bench.evaluate`` (or ``arshif evaluate``) puts, in one table and one run:

1. ``plain``: no Arabic processing (Whoosh StandardAnalyzer: tokenize + lowercase; BM25F; OR of
   the query's tokens over the fields);
2. ``normalize``: Arshif's analyzer without stemming (tokenize, normalize, stopwords), same query;
3. ``tashaphyne``: StandardAnalyzer + default Tashaphyne ``ArabicLightStemmer().light_stem``;
4. ``arshif``: the real engine: :func:`search.index.build.reindex`, then
   :meth:`search.searcher.Searcher.search`, the one search path of ``arshif search``, the web page
   and the batch mode, with its default settings;
5. ``lucene``: Lucene 9 ArabicAnalyzer + BM25 through ``../shared/tools/lucene/run`` (skipped, with
   the reason, when ``java`` or ``javac`` is not on PATH);
6. ``bm25s``: bm25s with Snowball's Arabic stemmer through ``../shared/tools/bm25s_baseline.py``
   (the searched fields as one text; skipped, with the reason, without bm25s and PyStemmer);
7. ``plain-qp``, ``tashaphyne-qp``: the indexes of rows 1 and 3 queried through Whoosh's own
   ``MultifieldParser`` with ``OrGroup``, as the eval README's "stock Whoosh" rows were measured
   (that parser leaves the Arabic question mark on the last word: see :mod:`bench.baselines`);

on the four sets of ``../shared/eval``: three with qrels, ``arcd`` (title + body indexed and searched),
``knownitem`` (the headline is the query, so only the body is searched: ``fields=("body",)``.
Arshif's index keeps the title, as ``arshif reindex`` builds it, and every run proves on the real
index that a body-only search ignores it) and ``quote`` (a sentence remembered from inside an
article, over SaudiNewsNet's title + body, as users index their archives; the same Arshif index as
knownitem); and ``names`` (places, people and organisations typed alone over the same index,
scored as mean precision@10 by ``../shared/tools/names_score.py``: a hit counts when one of its
words, less proclitics, is the name). Rows 1-3 live in :mod:`bench.baselines`, apart from the
product path.

Scores: MRR@10 (RR@10), nDCG@10 and Recall@100 with ir-measures, computed per query and averaged
over every judged query of the query file: a query with no results (or a query error) counts as
zero. Runs are scored in the order the system returned them (the TREC file keeps the engine's
scores; ties of rounded scores are not re-sorted by document id).

Built indexes are cached under ``~/.cache/arshif-eval`` (or ``$ARSHIF_EVAL_CACHE`` / ``--cache``),
keyed by the corpus file and by what shapes the index (Arshif: the source of the modules
``search.index.build`` imports; a baseline: its analyzer's output on a probe text). Re-running after
a query-side change (``search/query/``, ``search/searcher.py``) only re-runs the queries.
``--rebuild`` forces new indexes.

``--ablation`` runs Arshif again with each of its ranking choices turned off in turn (a
:class:`~search.query.config.RankingConfig` per variant, handed to its own
:class:`~search.searcher.Searcher`) and prints the deltas. ``--set NAME=VALUE`` tries another value
of a setting for the ``arshif`` row (e.g. ``--set bm25_b=0.9``, ``--set title=1.5``).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from bench.trec import (
    MEASURES,
    METRICS,
    Run,
    Scores,
    read_qrels,
    read_queries,
    read_trec_run,
    score_run,
    write_trec_run,
)
from search.query.config import DEFAULT, RankingConfig

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO.parent / "shared"

DEPTH = 100  # documents retrieved per query

SYSTEMS = ("plain", "normalize", "tashaphyne", "arshif", "lucene", "bm25s", "plain-qp", "tashaphyne-qp")
#: Arshif with its index on an OpenSearch cluster (``--backend opensearch --url URL``): run when named.
OPENSEARCH_SYSTEM = "arshif-opensearch"
SYSTEM_LABELS = {
    OPENSEARCH_SYSTEM: "**Arshif on OpenSearch** (the same engine, its index on a cluster: `--backend opensearch`)",
    "plain": "no Arabic processing (StandardAnalyzer, BM25F, OR of tokens)",
    "normalize": "normalization only (Arshif tokenizer + normalize + stopwords, OR of tokens)",
    "tashaphyne": "StandardAnalyzer + default Tashaphyne light_stem (OR of tokens)",
    "arshif": "**Arshif** (default engine, `Searcher.search`)",
    "lucene": "Lucene 9 ArabicAnalyzer + BM25 (k1 1.2, b 0.75)",
    "bm25s": "bm25s + Snowball Arabic (PyStemmer), the fields as one text",
    "plain-qp": "stock Whoosh: StandardAnalyzer + MultifieldParser/OrGroup",
    "tashaphyne-qp": "stock Whoosh + default Tashaphyne, MultifieldParser/OrGroup",
}
#: Baseline system -> (index kind in bench.baselines, query parser). The ``-qp`` rows query the
#: same index through Whoosh's own parser, as the eval README's "stock Whoosh" rows were measured.
BASELINE_SYSTEMS = {
    "plain": ("plain", "tokens"), "normalize": ("normalize", "tokens"), "tashaphyne": ("tashaphyne", "tokens"),
    "plain-qp": ("plain", "whoosh"), "tashaphyne-qp": ("tashaphyne", "whoosh"),
}


@dataclass(frozen=True)
class EvalSet:
    """One test collection: a corpus, a query file, qrels, and the text fields to index and search."""

    name: str
    corpus: Path
    queries: Path
    qrels: Path | None  # None: scored by the names tool (``names``), not by qrels
    fields: tuple[str, ...]  # searched; for baselines and Lucene also the only fields indexed

    @property
    def metrics(self) -> tuple[str, ...]:
        """The figures this set is scored by."""
        return METRICS if self.qrels is not None else NAMES_METRICS


#: The names set's figure: mean precision@10 by ``../shared/tools/names_score.py`` (a hit is
#: relevant when one of its words, less proclitics, is the name).
NAMES_METRICS = ("P@10",)


def default_sets(shared: Path = DEFAULT_SHARED) -> dict[str, EvalSet]:
    """The sets of ``shared/eval`` (see its README): arcd, knownitem (body only) and quote
    (SaudiNewsNet title + body, as users index their archives), with qrels; names (title + body),
    scored by the shared names tool."""
    ev = shared / "eval"
    snn = shared / "data" / "saudinewsnet.jsonl.gz"
    return {
        "arcd": EvalSet("arcd", ev / "arcd" / "corpus.jsonl", ev / "arcd" / "dev.tsv", ev / "arcd" / "dev.qrels",
                        ("title", "body")),
        "knownitem": EvalSet("knownitem", snn, ev / "knownitem" / "dev.tsv", ev / "knownitem" / "dev.qrels", ("body",)),
        "quote": EvalSet("quote", snn, ev / "quote" / "dev.tsv", ev / "quote" / "dev.qrels", ("title", "body")),
        "names": EvalSet("names", snn, ev / "names" / "dev.tsv", None, ("title", "body")),
    }


def score_names(ev: EvalSet, run: Run, queries, tools: Path) -> Scores:
    """Mean precision@10 of a run of the names set, by the shared tool's own rule
    (``tools/names_score.py``), and each name's precision."""
    import importlib.util
    import tempfile

    spec = importlib.util.spec_from_file_location("names_score", tools / "names_score.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    docs = _NAMES_DOCS.get(ev.corpus) or _NAMES_DOCS.setdefault(ev.corpus, tool.load(str(ev.corpus)))
    names = dict(queries)
    per_query = {}
    with tempfile.TemporaryDirectory() as tmp:
        for qid in names:
            path = Path(tmp) / "run"
            write_trec_run(path, {qid: run.get(qid, [])}, "x")
            per_query[qid] = {"P@10": tool.score({qid: names[qid]}, str(path), docs)[0]}
        path = Path(tmp) / "all.run"
        write_trec_run(path, run, "x")
        mean, _, _ = tool.score(names, str(path), docs)
    return Scores({"P@10": mean}, per_query, len(names))


_NAMES_DOCS: dict[Path, Any] = {}


#: The sets run when none are named.
DEFAULT_SETS = ("arcd", "knownitem", "quote")


# --- files ---------------------------------------------------------------------------------

# --- caching -------------------------------------------------------------------------------

def _digest(*parts) -> str:
    h = hashlib.sha1()
    for part in parts:
        if isinstance(part, Path):
            h.update(part.read_bytes() if part.is_file() else str(part).encode())
        else:
            h.update(json.dumps(part, sort_keys=True, default=str).encode())
        h.update(b"\0")
    return h.hexdigest()[:12]


def _corpus_identity(path: Path) -> list:
    st = path.stat()
    return [str(path.resolve()), st.st_size, st.st_mtime_ns]


def _versions(*names: str) -> list[str]:
    from importlib import metadata

    out = []
    for name in names:
        try:
            out.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name}==?")
    return out


#: Text that shows what an analyzer does (diacritics, hamza, clitics, suffixes, digits, Latin,
#: punctuation, stopwords): baseline indexes are keyed by their analyzer's output on it.
PROBE_TEXT = ("وَالمَيْلِيشِيَاتُ الإيرانيّة في سوريا: تنظيم «داعش» يعود للظهور مجدداً بالتنسيق مع الاستخبارات؟ "
              "فاطمة وبالمدارس لأنهم كتبوا ٢٠٢٠ 3.5 iPhone's ال- بـ127 عليها ومنها")


def _index_side_sources() -> list[Path]:
    """The source files that shape an Arshif index: every ``search`` module that
    :mod:`search.index.build` imports (found in a fresh interpreter), and the package's data files."""
    code = ("import sys, search.index.build; print('\\n'.join(sorted(m.__file__ for n, m in list(sys.modules.items()) "
            "if (n == 'search' or n.startswith('search.')) and getattr(m, '__file__', None))))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(REPO))
    files = [Path(line) for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not files:  # be conservative: every file of the package
        files = sorted((REPO / "search").rglob("*.py"))
    data = sorted(p for p in (REPO / "search").rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc"))
    return files + data


def index_key(system: str, ev: EvalSet) -> str:
    """Cache key of a built index: the corpus file, the indexed fields, and what shapes the index
    (Arshif: the source of the indexing code; a baseline: its analyzer's output on PROBE_TEXT)."""
    versions = _versions("whoosh-reloaded", "tashaphyne", "pyarabic")
    if system == "arshif":  # the whole record is indexed whatever the set searches: one index a corpus
        code = _index_side_sources()
        shape: list[Any] = [str(p.relative_to(REPO)) if p.is_relative_to(REPO) else p.name for p in code] + code
        name = ev.corpus.name.split(".")[0]
        return f"{name}-arshif-" + _digest(system, _corpus_identity(ev.corpus), versions, *shape)
    else:
        from bench import baselines

        shape = [baselines.INDEX_VERSION, [t.text for t in baselines.analyzer(system)(PROBE_TEXT)],
                 repr(baselines.schema(system, ev.fields).items())]
    return f"{ev.name}-{system}-" + _digest(system, _corpus_identity(ev.corpus), ev.fields, versions, *shape)


def engine_version() -> str:
    """The commit of the engine measured, and whether ``search/`` differs from it."""
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "search"],
                               capture_output=True, text=True, check=True).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    changed = sorted(line[3:] for line in dirty if line.strip() and not line.startswith("??"))
    return head + (f" with uncommitted changes to {', '.join(changed)}" if changed else "")


def default_cache() -> Path:
    return Path(os.environ.get("ARSHIF_EVAL_CACHE") or Path.home() / ".cache" / "arshif-eval")


# --- systems -------------------------------------------------------------------------------

@dataclass
class SystemRun:
    """What one system did on one set."""

    system: str
    set: str
    run: Run = field(default_factory=dict)
    index_seconds: float | None = None
    docs: int | None = None
    latencies_ms: list[float] = field(default_factory=list)
    p50_ms: float | None = None
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None
    scores: Scores | None = None
    index_root: Path | None = None


def read_corpus(ev: EvalSet) -> Iterator[dict]:
    """The corpus records (JSON Lines, gzip or not) for the baseline indexes."""
    import gzip

    opener = gzip.open if str(ev.corpus).endswith(".gz") else open
    with opener(ev.corpus, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


_BUILT_NOW: set[Path] = set()  # built by this process: --rebuild does not build them twice


def _fresh(directory: Path, rebuild: bool) -> bool:
    """Whether a complete cached build is in `directory` (else it is cleared for a new build)."""
    if (not rebuild or directory in _BUILT_NOW) and (directory / "meta.json").is_file():
        return True
    shutil.rmtree(directory, ignore_errors=True)
    _BUILT_NOW.add(directory)
    return False


_REINDEX_CODE = """
import json, sys
from search.index.build import reindex
summary = reindex([sys.argv[1]], sys.argv[2], procs=int(sys.argv[3]))
print(json.dumps({"seconds": summary.seconds, "docs": summary.indexed, "duplicates": summary.duplicates,
                  "skipped": summary.skipped}))
"""


def build_arshif(ev: EvalSet, cache: Path, rebuild: bool, procs: int, log=print) -> tuple[Path, dict]:
    """The Arshif index of `ev` (all of each record, as ``arshif reindex`` builds it), cached.

    The index is built by :func:`search.index.build.reindex` in a fresh interpreter, so it is built by
    the code on disk that its cache key was computed from (not by modules this process imported
    earlier); if that code changes during the build, the build is discarded and redone.
    """
    for _ in range(3):
        key = index_key("arshif", ev)
        root = cache / key
        if _fresh(root, rebuild):
            break
        log(f"  indexing {ev.corpus} with arshif (procs={procs}) ...")
        proc = subprocess.run([sys.executable, "-c", _REINDEX_CODE, str(ev.corpus), str(root), str(procs)],
                              cwd=str(REPO), stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(f"reindex of {ev.corpus} failed (exit {proc.returncode})")
        if index_key("arshif", ev) != key:
            log("  the indexing code changed during the build: building again")
            shutil.rmtree(root, ignore_errors=True)
            _BUILT_NOW.discard(root)
            continue
        (root / "meta.json").write_text(proc.stdout.strip().splitlines()[-1])
        break
    else:
        raise RuntimeError("the indexing code keeps changing; try again later")
    return root, json.loads((root / "meta.json").read_text())


def build_baseline(kind: str, ev: EvalSet, cache: Path, rebuild: bool, procs: int, log=print) -> tuple[Path, dict]:
    """The index of baseline `kind` over `ev`'s fields only, cached."""
    from bench import baselines

    root = cache / index_key(kind, ev)
    if not _fresh(root, rebuild):
        log(f"  indexing {ev.corpus} with {kind} (procs={procs}) ...")
        docs, seconds = baselines.build_index(kind, read_corpus(ev), ev.fields, root / "index", procs=procs)
        (root / "meta.json").write_text(json.dumps({"seconds": seconds, "docs": docs}))
    return root / "index", json.loads((root / "meta.json").read_text())


def _timed_run(queries: list[tuple[str, str]], search: Callable[[str], list[tuple[str, float]]],
               out: SystemRun) -> None:
    for qid, text in queries:
        started = time.perf_counter()
        out.run[qid] = search(text)
        out.latencies_ms.append((time.perf_counter() - started) * 1000)
    out.p50_ms = statistics.median(out.latencies_ms) if out.latencies_ms else None


def check_title_not_searched(index_root: Path, fields: tuple[str, ...], probes: int = 3) -> str:
    """Prove on the real index that a search over `fields` (without ``title``) ignores the title.

    Takes words that the index holds in titles but in no body (nor in a body with a ب/ل/ك/ف
    proclitic), searches each through :meth:`Searcher.search` with `fields`: the result must be
    empty, and the same word over title + body must find its article.

    :return: what was checked (for the report). :raise AssertionError: the title was searched.
    """
    from search.analysis.arabic import stem
    from search.index import store
    from search.searcher import Searcher

    if "title" in fields:
        return "title searched (as asked)"
    ix = store.open_current(index_root)
    words = []
    with ix.searcher() as s:
        reader = s.reader()
        if "title" not in reader.indexed_field_names():
            return "no title field in the index"
        for raw in reader.lexicon("title"):
            term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            if len(term) < 4 or not all("\u0621" <= c <= "\u064a" for c in term) or stem(term) != term:
                continue
            forms = [term] + [p + term for p in "وبلكف"] + ([term[1:]] if term[0] in "وبلكف" else [])
            if any(reader.doc_frequency(f, form) for f in fields for form in forms):
                continue
            words.append(term)
            if len(words) >= probes:
                break
    if not words:
        return "no title-only word to probe with"
    searcher = Searcher(index_root)
    for word in words:
        only = searcher.search(word, fields=fields, limit=10, snippets=False)
        both = searcher.search(word, fields=("title",) + tuple(fields), limit=10, snippets=False)
        if only.total:
            raise AssertionError(f"searching {fields} for {word!r} (only in titles) found {only.total} articles: "
                                 f"the title is searched")
        if not both.total:
            return f"probe inconclusive: {word!r} not found over title + body either"
    return f"checked: words found only in titles ({', '.join(words)}) find nothing over {', '.join(fields)}"


def arshif_searcher(index_root: Path, fields: tuple[str, ...],
                    ranking: RankingConfig = DEFAULT, backend=None) -> Callable[[str], list[tuple[str, float]]]:
    """A function text -> [(id, score)] through :meth:`Searcher.search`, the product search path
    (over `backend`, default the Whoosh index at `index_root`)."""
    from search.errors import QueryError, SearchError
    from search.searcher import Searcher

    searcher = Searcher(index_root, ranking, backend=backend)

    def search(text: str) -> list[tuple[str, float]]:
        try:
            results = searcher.search(text, fields=fields, limit=DEPTH, snippets=False)
        except (QueryError, SearchError):
            return []
        return [(doc_id, hit.score) for hit in results.hits for doc_id in hit.ids()]

    return search


def run_arshif(ev: EvalSet, queries, cache: Path, rebuild: bool, procs: int, log=print,
               ranking: RankingConfig = DEFAULT) -> SystemRun:
    out = SystemRun("arshif", ev.name)
    root, meta = build_arshif(ev, cache, rebuild, procs, log)
    out.index_root = root
    out.index_seconds, out.docs = meta["seconds"], meta["docs"]
    if meta.get("duplicates"):
        out.notes.append(f"{meta['duplicates']} duplicate articles collapsed at indexing")
    out.notes.append(check_title_not_searched(root, ev.fields))
    _timed_run(queries, arshif_searcher(root, ev.fields, ranking), out)
    return out


def run_arshif_opensearch(ev: EvalSet, queries, url: str | None, rebuild: bool, log=print,
                          ranking: RankingConfig = DEFAULT) -> SystemRun:
    """Arshif over an OpenSearch index of the same corpus, built with ``arshif reindex --backend
    opensearch`` under the alias ``arshif-eval-<index key>-<document digest>`` (reused while the
    indexing code, the corpus and what an OpenSearch document holds are unchanged, unless `rebuild`)."""
    out = SystemRun(OPENSEARCH_SYSTEM, ev.name)
    if not url:
        out.skipped = "no cluster: give --url URL or set $ARSHIF_URL"
        return out
    from datetime import datetime

    from search.backends.opensearch import OpenSearchBackend, OpenSearchBuild, connect, index_settings, os_document
    from search.index.build import reindex

    probe = {"id": "probe", "title": PROBE_TEXT, "body": PROBE_TEXT, "source": "probe", "date": datetime(2015, 7, 21),
             "year": "2015", "month": "2015-07"}  # what the OpenSearch index holds, whatever its query side
    alias = "arshif-eval-" + index_key("arshif", ev).lower() + "-" + _digest(index_settings(), os_document(probe))
    client = connect(url)
    if rebuild or not client.indices.exists_alias(name=alias):
        log(f"  indexing {ev.corpus} into OpenSearch alias {alias} ...")
        summary = reindex([ev.corpus], Path(alias), build=OpenSearchBuild.locked(url, alias, client=client, log=log))
        out.index_seconds, out.docs = summary.seconds, summary.indexed
    else:
        out.notes.append(f"OpenSearch index {alias} reused (its build time is not measured again)")
    backend = OpenSearchBackend(url, alias, client=client)
    out.docs = out.docs or backend.view().doc_count
    _timed_run(queries, arshif_searcher(Path(alias), ev.fields, ranking, backend), out)
    return out


def _note_absent(out: SystemRun, index_root: Path, qrels: dict[str, dict[str, int]]) -> None:
    """Note the relevant documents that are not in the index (collapsed as duplicates of another)."""
    from search.index import store

    ix = store.open_current(index_root)
    assert out.scores is not None  # called once the run is scored
    with ix.searcher() as s:
        asked = [q for q in out.scores.per_query]
        absent = [(q, d) for q in asked for d, rel in qrels[q].items() if rel > 0 and s.document_number(id=d) is None]
    if absent:
        lost = sum(1 / sum(1 for r in qrels[q].values() if r > 0) for q, _ in absent) / max(1, len(asked))
        out.notes.append(f"{len(absent)} relevant documents of {len({q for q, _ in absent})} queries are not in the "
                         f"index (duplicates of a kept article): Recall@100 can reach at most {1 - lost:.3f}")


def run_baseline(kind: str, ev: EvalSet, queries, cache: Path, rebuild: bool, procs: int, log=print) -> SystemRun:
    from bench.baselines import BaselineSearcher

    out = SystemRun(kind, ev.name)
    index_kind, parser = BASELINE_SYSTEMS[kind]
    directory, meta = build_baseline(index_kind, ev, cache, rebuild, procs, log)
    out.index_seconds, out.docs = meta["seconds"], meta["docs"]
    searcher = BaselineSearcher(directory, index_kind, ev.fields, parser)
    try:
        _timed_run(queries, lambda text: searcher.search(text, DEPTH), out)
    finally:
        searcher.close()
    return out


#: The peers run from ``../shared/tools`` (system -> path under the tools folder).
PEER_TOOLS = {"lucene": Path("lucene") / "run", "bm25s": Path("bm25s_baseline.py")}


def lucene_missing(tool: Path) -> str | None:
    """Why the Lucene row cannot run here, or None."""
    return peer_missing("lucene", tool)


def peer_missing(system: str, tool: Path) -> str | None:
    """Why a peer's row cannot run here (no Java, no bm25s, no tool), or None."""
    if system == "lucene":
        missing = [exe for exe in ("java", "javac") if shutil.which(exe) is None]
        if missing:
            return f"{' and '.join(missing)} not on PATH"
    else:
        import importlib.util

        if any(importlib.util.find_spec(m) is None for m in ("bm25s", "Stemmer")):
            return "bm25s and PyStemmer are not installed (pip install bm25s PyStemmer)"
    if not tool.is_file():
        return f"{tool} not found"
    return None


def run_lucene(ev: EvalSet, queries, tool: Path, cache: Path, rebuild: bool, log=print) -> SystemRun:
    """Lucene's ArabicAnalyzer + BM25 through the shared reference tool (its run cached)."""
    return run_peer("lucene", ev, queries, tool, cache, rebuild, log)


def run_peer(system: str, ev: EvalSet, queries, tool: Path, cache: Path, rebuild: bool, log=print) -> SystemRun:
    """A peer (Lucene's ArabicAnalyzer + BM25, or bm25s + Snowball) through its shared reference
    tool, ``TOOL CORPUS FIELDS QUERIES RUN``; its run and the timings it reports are cached."""
    out = SystemRun(system, ev.name)
    reason = peer_missing(system, tool)
    if reason:
        out.skipped = reason
        return out
    text = "".join(f"{qid}\t{q}\n" for qid, q in queries)
    sources = [tool, tool.parent / "LuceneBaseline.java"] if system == "lucene" else [tool]
    key = f"{ev.name}-{system}-" + _digest(_corpus_identity(ev.corpus), ev.fields, text, *sources)
    folder = cache / key
    if not _fresh(folder, rebuild):
        folder.mkdir(parents=True)
        (folder / "queries.tsv").write_text(text, encoding="utf-8")
        log(f"  running {tool} on {ev.corpus} ...")
        command = [str(tool)] if system == "lucene" else [sys.executable, str(tool)]
        proc = subprocess.run(command + [str(ev.corpus), ",".join(ev.fields), str(folder / "queries.tsv"),
                                         str(folder / "run")], capture_output=True, text=True)
        if proc.returncode != 0:
            out.skipped = f"the {system} tool failed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}"
            shutil.rmtree(folder, ignore_errors=True)
            return out
        meta: dict[str, Any] = {"stderr": proc.stderr}
        m = re.search(r"indexed (\d+) docs in ([\d.]+)s", proc.stderr)
        if m:
            meta["docs"], meta["seconds"] = int(m.group(1)), float(m.group(2))
        m = re.search(r"p50 ([\d.]+) ms", proc.stderr)
        if m:
            meta["p50_ms"] = float(m.group(1))
        (folder / "meta.json").write_text(json.dumps(meta))
    meta = json.loads((folder / "meta.json").read_text())
    out.run = read_trec_run(folder / "run")
    out.docs, out.index_seconds, out.p50_ms = meta.get("docs"), meta.get("seconds"), meta.get("p50_ms")
    out.notes.append("timings as reported by the tool" + (" (in-memory index, JVM)" if system == "lucene" else ""))
    return out


# --- ranking settings ----------------------------------------------------------------------

def parse_settings(items: Iterable[str], base: RankingConfig = DEFAULT) -> RankingConfig:
    """``NAME=VALUE`` strings (a :class:`~search.query.config.RankingConfig` field, any case;
    VALUE a Python literal; ``title=1.5`` sets that field's weight) applied to `base`.

    :raise argparse.ArgumentTypeError: not NAME=VALUE, or an unknown setting."""
    changes: dict = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(f"--set wants NAME=VALUE, got {item!r}")
        changes[name.strip().lower()] = ast.literal_eval(value.strip())
    try:
        return base.replace(**changes)
    except TypeError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def ablations(base: RankingConfig = DEFAULT) -> list[tuple[str, RankingConfig]]:
    """Each ranking choice of Arshif turned off in turn: (label, config)."""
    off: list[tuple[str, dict[str, Any]]] = [
        ("second phase off (rerank_depth=0: first-phase BM25 of stems only)", {"rerank_depth": 0}),
        ("exact-form bonus off (exact_weight=0)", {"exact_weight": 0.0}),
        ("clitic recovery off (proclitics=(), clitic_weight=0)", {"proclitics": (), "clitic_weight": 0.0}),
        ("coordination off (coordination=0)", {"coordination": 0.0}),
        ("proximity off (proximity_weight=0)", {"proximity_weight": 0.0}),
        ("best-passage bonus off (passage_weight=0)", {"passage_weight": 0.0}),
        ("lead bonus off (lead_weight=0)", {"lead_weight": 0.0}),
        ("broad-stem matches off (broad_stem_weight=0)", {"broad_stem_weight": 0.0}),
        ("title-word discount off (title_word_discount=1)", {"title_word_discount": 1.0}),
        ("title weight 2.0 (title=2)", {"title": 2.0}),
        ("first phase as a sum of per-field BM25 (bm25f=False)", {"bm25f": False}),
        ("BM25 k1 0.9, b 0.4 (Anserini's defaults)", {"bm25_k1": 0.9, "bm25_b": 0.4, "candidate_bm25_b": 0.4}),
    ]
    return [(label, base.replace(**changes)) for label, changes in off]


# --- the table -----------------------------------------------------------------------------

def reference_rows(shared: Path) -> list[tuple[str, list[str]]]:
    """The reference rows of ``shared/eval/README.md`` (label, its figures), as printed there."""
    readme = shared / "eval" / "README.md"
    rows: list[tuple[str, list[str]]] = []
    try:
        lines = readme.read_text(encoding="utf-8").splitlines()
    except OSError:
        return rows
    inside = False
    for line in lines:
        if line.startswith("## "):
            inside = line.lower().startswith("## reference")
            continue
        if inside and line.startswith("|") and not line.startswith("| system") and "---" not in line:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 7:
                rows.append((cells[0], cells[1:]))
    return rows


def _fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def results_table(results: dict[tuple[str, str], SystemRun], systems: list[str], sets: list[str],
                  references: Sequence[tuple[str, list[str]]] = ()) -> str:
    """The Markdown table: three score columns for each of arcd, knownitem, quote (and any other
    set asked), then index seconds and query p50 per set asked; then the README's reference rows."""
    all_sets = list(DEFAULT_SETS) + [s for s in sets if s not in DEFAULT_SETS]
    metrics = {s: NAMES_METRICS if s == "names" else METRICS for s in all_sets}
    head = ["system"] + [f"{s} {m}" for s in all_sets for m in metrics[s]] \
        + [f"{s} {t}" for s in sets for t in ("index s", "p50 ms")]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for system in systems:
        cells = [SYSTEM_LABELS.get(system, system)]
        for s in all_sets:
            r = results.get((system, s))
            for m in metrics[s]:
                cells.append("–" if r is None or r.scores is None else f"{r.scores.means[m]:.3f}")
        for s in sets:
            r = results.get((system, s))
            cells.append(_fmt(r.index_seconds, 1) if r else "–")
            cells.append(_fmt(r.p50_ms, 1) if r else "–")
        lines.append("| " + " | ".join(cells) + " |")
    for label, figures in references:  # the README's columns: three per set of DEFAULT_SETS, in order
        figures = figures[:len(DEFAULT_SETS) * len(METRICS)]
        cells = [f"*reference: {label}*"] + figures + ["–"] * (len(head) - 1 - len(figures))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- main ----------------------------------------------------------------------------------

def evaluate(sets: list[EvalSet], systems: list[str], cache: Path, rebuild: bool = False, procs: int = 2,
             limit_queries: int | None = None, runs_dir: Path | None = None, lucene_tool: Path | None = None,
             ranking: RankingConfig = DEFAULT, log=print, url: str | None = None) -> dict[tuple[str, str], SystemRun]:
    """Run `systems` on `sets`, one after another; score each run. Returns {(system, set): SystemRun}.

    :param url: the OpenSearch cluster of the ``arshif-opensearch`` system."""
    results: dict[tuple[str, str], SystemRun] = {}
    for ev in sets:
        queries = read_queries(ev.queries, limit_queries)
        qrels = read_qrels(ev.qrels) if ev.qrels is not None else {}
        tools = (lucene_tool.parent.parent if lucene_tool else DEFAULT_SHARED / "tools")
        for system in systems:
            log(f"[{ev.name}] {system}: {len(queries)} queries")
            if system == "arshif":
                out = run_arshif(ev, queries, cache, rebuild, procs, log, ranking)
            elif system == OPENSEARCH_SYSTEM:
                out = run_arshif_opensearch(ev, queries, url, rebuild, log, ranking)
            elif system == "lucene":
                out = run_lucene(ev, queries, lucene_tool or DEFAULT_SHARED / "tools" / "lucene" / "run",
                                 cache, rebuild, log)
            elif system == "bm25s":
                tool = (lucene_tool.parent.parent if lucene_tool else DEFAULT_SHARED / "tools") / PEER_TOOLS["bm25s"]
                out = run_peer("bm25s", ev, queries, tool, cache, rebuild, log)
            else:
                out = run_baseline(system, ev, queries, cache, rebuild, procs, log)
            if out.skipped:
                log(f"  skipped: {out.skipped}")
            else:
                out.scores = (score_run(out.run, qrels, [qid for qid, _ in queries]) if ev.qrels is not None
                              else score_names(ev, out.run, queries, tools))
                if runs_dir is not None:
                    write_trec_run(runs_dir / f"{ev.name}-{system}.run", out.run, system)
                if system == "arshif" and out.index_root is not None and ev.qrels is not None:
                    _note_absent(out, out.index_root, qrels)
                log("  " + "  ".join(f"{m} {out.scores.means[m]:.3f}" for m in ev.metrics)
                    + f"  (index {_fmt(out.index_seconds, 1)} s, {out.docs} docs; p50 {_fmt(out.p50_ms, 1)} ms)")
                if out.scores.unjudged:
                    log(f"  note: {len(out.scores.unjudged)} queries have no judgments and are not averaged")
                for note in out.notes:
                    log(f"  note: {note}")
            results[(system, ev.name)] = out
    return results


def run_ablation(sets: list[EvalSet], cache: Path, rebuild: bool, procs: int, limit_queries: int | None,
                 base: RankingConfig = DEFAULT, variants: list[tuple[str, RankingConfig]] | None = None,
                 log=print) -> list[tuple[str, dict[str, Scores]]]:
    """Arshif with `base`, then each variant: [(label, {set: Scores})]."""
    variants = [("Arshif default", base)] + (variants if variants is not None else ablations(base))
    rows = []
    for ev in sets:
        build_arshif(ev, cache, rebuild, procs, log)
    for label, ranking in variants:
        scores = {}
        for ev in sets:
            queries = read_queries(ev.queries, limit_queries)
            root, _ = build_arshif(ev, cache, False, procs, log)
            search = arshif_searcher(root, ev.fields, ranking)
            run = {qid: search(text) for qid, text in queries}
            scores[ev.name] = (score_run(run, read_qrels(ev.qrels), [qid for qid, _ in queries]) if ev.qrels is not None
                               else score_names(ev, run, queries, DEFAULT_SHARED / "tools"))
        log(f"  {label}: " + "; ".join(
            f"{name} " + " ".join(f"{m} {v:.3f}" for m, v in s.means.items() if m in METRICS + NAMES_METRICS)
            for name, s in scores.items()))
        rows.append((label, scores))
    return rows


def ablation_table(rows: list[tuple[str, dict[str, Scores]]]) -> str:
    """Markdown: the default's figures, then each variant's figures with the delta to the default."""
    base_label, base = rows[0]
    sets = list(base)
    columns = [(s, m) for s in sets for m in (NAMES_METRICS if "P@10" in base[s].means else METRICS)]
    head = ["Arshif with"] + [f"{s} {m}" for s, m in columns]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    lines.append("| " + " | ".join([base_label] + [f"{base[s].means[m]:.3f}" for s, m in columns]) + " |")
    for label, scores in rows[1:]:
        cells = [label]
        for s, m in columns:
            value, delta = scores[s].means[m], scores[s].means[m] - base[s].means[m]
            cells.append(f"{value:.3f} ({delta:+.3f})")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.evaluate",
        description="Index the relevance sets, run their queries through each system, print MRR@10, "
                    "nDCG@10 and Recall@100 (ir-measures) in one Markdown table.")
    p.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                   help=f"the shared folder with eval/, data/ and tools/ (default {DEFAULT_SHARED})")
    p.add_argument("--sets", default=",".join((*DEFAULT_SETS, "names")),
                   help=f"comma-separated sets (default {','.join(DEFAULT_SETS)},names)")
    p.add_argument("--systems", default=",".join(SYSTEMS),
                   help=f"comma-separated, from {','.join(SYSTEMS + (OPENSEARCH_SYSTEM,))}")
    p.add_argument("--backend", choices=("whoosh", "opensearch"), default=None,
                   help="where the arshif row's index is: opensearch runs it as arshif-opensearch (with --url; "
                        "default $ARSHIF_BACKEND or whoosh)")
    p.add_argument("--url", default=None, help="the OpenSearch cluster (default $ARSHIF_URL)")
    p.add_argument("--limit-queries", type=int, default=None, metavar="N", help="only the first N queries of each set")
    p.add_argument("--rebuild", action="store_true", help="rebuild cached indexes (and re-run Lucene)")
    p.add_argument("--cache", type=Path, default=None,
                   help="where indexes and runs are cached (default $ARSHIF_EVAL_CACHE or ~/.cache/arshif-eval)")
    p.add_argument("--runs", type=Path, default=None, help="write each TREC run here (default CACHE/runs)")
    p.add_argument("--procs", type=int, default=2, help="writer processes when indexing (default 2)")
    p.add_argument("--ablation", action="store_true",
                   help="run Arshif with each ranking choice off in turn and print the deltas")
    p.add_argument("--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                   help="a ranking setting (a RankingConfig field) for the arshif row (repeatable), e.g. "
                        "bm25_k1=1.5, coordination=0, title=1.5 (a field weight)")
    p.add_argument("--json", type=Path, default=None, help="also write all figures (and per-query scores) here")
    for name in (*DEFAULT_SETS, "names"):
        for part in ("corpus", "queries", "qrels"):
            p.add_argument(f"--{name}-{part}", type=Path, default=None, help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    shared = args.shared
    available = default_sets(shared)
    for name, ev in list(available.items()):
        changes = {part: getattr(args, f"{name}_{part}") for part in ("corpus", "queries", "qrels")
                   if getattr(args, f"{name}_{part}") is not None}
        if changes:
            available[name] = EvalSet(name, changes.get("corpus", ev.corpus), changes.get("queries", ev.queries),
                                      changes.get("qrels", ev.qrels), ev.fields)
    set_names = [s.strip() for s in args.sets.split(",") if s.strip()]
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    if (args.backend or os.environ.get("ARSHIF_BACKEND") or "whoosh").strip().lower() == "opensearch":
        systems = [OPENSEARCH_SYSTEM if s == "arshif" else s for s in systems]
    url = args.url or os.environ.get("ARSHIF_URL") or None
    for name in set_names:
        if name not in available:
            print(f"unknown set {name!r}; choose from {', '.join(available)}", file=sys.stderr)
            return 2
    for system in systems:
        if system not in SYSTEMS + (OPENSEARCH_SYSTEM,):
            print(f"unknown system {system!r}; choose from {', '.join(SYSTEMS + (OPENSEARCH_SYSTEM,))}", file=sys.stderr)
            return 2
    sets = [available[n] for n in set_names]
    for ev in sets:
        for path in (ev.corpus, ev.queries, ev.qrels):
            if path is not None and not path.is_file():
                print(f"{ev.name}: {path} not found (use --shared DIR)", file=sys.stderr)
                return 2
    cache = args.cache or default_cache()
    cache.mkdir(parents=True, exist_ok=True)
    runs_dir = args.runs or cache / "runs"
    try:
        ranking = parse_settings(args.settings)
    except argparse.ArgumentTypeError as exc:
        print(exc, file=sys.stderr)
        return 2
    settings = {k: v for k, v in vars(ranking).items() if v != getattr(DEFAULT, k)}
    log = lambda msg: print(msg, file=sys.stderr, flush=True)
    if settings:
        log(f"ranking settings for the arshif row: {settings}")

    version = engine_version()
    log(f"engine: {version}")
    payload: dict = {"sets": set_names, "engine": version, "settings": {k: repr(v) for k, v in settings.items()}}
    if args.ablation:
        rows = run_ablation(sets, cache, args.rebuild, args.procs, args.limit_queries, ranking, log=log)
        print(ablation_table(rows))
        print(f"\nEngine: {version}." + (f" Base settings: {settings}." if settings else ""))
        payload["ablation"] = [{"variant": label, **{s: sc.means for s, sc in scores.items()}} for label, scores in rows]
    else:
        results = evaluate(sets, systems, cache, args.rebuild, args.procs, args.limit_queries, runs_dir,
                           shared / "tools" / "lucene" / "run", ranking, log, url)
        print(results_table(results, systems, set_names, reference_rows(shared)))
        for set_name in set_names:
            pairs = [(s, results[(s, set_name)]) for s in systems if results.get((s, set_name)) and results[(s, set_name)].scores]
            means = [(s, cast(Scores, out.scores).means) for s, out in pairs]  # pairs: the scored runs
            if any("S@100" in m and m["S@100"] != m["R@100"] for _, m in means):
                figures = ", ".join(f"{s} {m['S@100']:.3f}" for s, m in means)
                print(f"\n{set_name}: S@100, queries with at least one copy of their article in the top 100 (R@100 "
                      f"asks for every exact duplicate): {figures}")
        for (system, set_name), out in results.items():
            if out.skipped:
                print(f"\n{SYSTEM_LABELS[system]} on {set_name}: skipped ({out.skipped}).")
        print(f"\nEngine: {version}." + (f" Settings for the arshif row: {settings}." if settings else ""))
        print(f"Runs in {runs_dir}. Scores: ir-measures {', '.join(map(str, MEASURES))}, averaged over "
              f"every judged query (no result = 0). Index seconds: build time (cached builds show their "
              f"original time); p50: median time of one query.")
        payload["results"] = [
            {"system": out.system, "set": out.set, "skipped": out.skipped, "index_seconds": out.index_seconds,
             "docs": out.docs, "p50_ms": out.p50_ms, "notes": out.notes,
             "means": out.scores.means if out.scores else None,
             "per_query": out.scores.per_query if out.scores else None}
            for out in results.values()]
    if args.json:
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
