"""The ``backends`` section of the speed benchmark (:mod:`bench.speed`): Arshif on its embedded
Whoosh backend beside Arshif on an OpenSearch cluster, as the corpus grows.

For each size (``--backend-sizes``, default 25%, 100%, 4× and 16× of the corpus; larger sizes are
the corpus repeated with new ids, :func:`bench.speed.write_repeated`) and each backend, it measures:

- a full reindex through the public entry point (:func:`search.index.build.reindex`; for OpenSearch
  with :class:`search.backends.opensearch.OpenSearchBuild`, as ``arshif reindex --backend
  opensearch`` does): seconds, input records per second, index size (OpenSearch: its primaries and
  all copies);
- news-query latency p50/p95 (``bench/news_queries.txt``, title + body, top 10 with snippets, as
  users get them) through :class:`search.searcher.Searcher`, one thread, the median of ``--runs``
  passes' percentiles;
- the real server (``arshif serve [--backend opensearch --url URL]``) under ``--web-clients``
  clients for ``--backend-web-seconds``: requests/s, p50/p95, errors;

then deletes what it built (index, alias, corpus copy). The cluster is the one at
``--opensearch-url``, or a 2-node cluster it starts with ``scripts/opensearch_cluster.py`` in the
work folder and stops at the end. ``--backend-budget`` (minutes) skips a build whose expected
duration (its size at the backend's last measured docs/s) would end past the budget, and says so.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.speed import Bench

BACKENDS = ("opensearch", "whoosh")  # (the cluster first: at the largest size, the longer build)
LABELS = {"whoosh": "Arshif + Whoosh", "opensearch": "Arshif + OpenSearch"}
SIZES = (0.25, 1.0, 4.0, 16.0)
CLUSTER_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "opensearch_cluster.py"
ALIAS_PREFIX = "arshif-bench"


class Cluster:
    """The OpenSearch cluster the section measures: given (``--opensearch-url``) or started here."""

    def __init__(self, url: str | None, directory: Path, nodes: int = 2, heap: str = "1g"):
        self.url, self.directory, self.nodes, self.heap = url, directory, nodes, heap
        self.started = False

    def __enter__(self) -> Cluster:
        if self.url:
            return self
        from bench.speed import log

        log(f"backends: starting a {self.nodes}-node OpenSearch cluster in {self.directory} (heap {self.heap}) ...")
        run = subprocess.run([sys.executable, str(CLUSTER_SCRIPT), "start", "--nodes", str(self.nodes),
                              "--dir", str(self.directory), "--heap", self.heap],
                             capture_output=True, text=True, timeout=1200)
        if run.returncode != 0:
            raise RuntimeError(f"the OpenSearch cluster did not start: {run.stderr[-2000:]}")
        self.url, self.started = run.stdout.strip().splitlines()[-1], True
        log(f"backends: cluster at {self.url}")
        return self

    def __exit__(self, *exc) -> None:
        if self.started:
            subprocess.run([sys.executable, str(CLUSTER_SCRIPT), "stop", "--dir", str(self.directory)],
                           capture_output=True, text=True, timeout=120)
            self.started = False

    def jvm_rss_kb(self) -> int | None:
        """Summed RSS of the nodes started here (None: a cluster given by URL)."""
        if not self.started:
            return None
        import json

        from bench.speed import vmrss_kb

        try:
            nodes = json.loads((self.directory / "cluster.json").read_text())["nodes"]
        except (OSError, ValueError, KeyError):
            return None
        return sum(vmrss_kb(n["pid"]) or 0 for n in nodes)


def missing(url: str | None) -> str | None:
    """Why the section cannot run here (None: it can)."""
    try:
        import opensearchpy  # noqa: F401
    except ImportError:
        return "opensearch-py is not installed (pip install -e '.[opensearch]')"
    if url:
        return None
    tools = [t for t in ("java", "javac", "mvn") if shutil.which(t) is None]
    if tools:
        return f"not on PATH: {', '.join(tools)} (the cluster script needs Java 17 and Maven; or give --opensearch-url)"
    return None


def drop(url: str, alias: str) -> None:
    """Delete every index of `alias` (its generations, their meta indexes and its lock)."""
    from search.backends.opensearch import connect

    client = connect(url)
    names = list(client.indices.get(index=f"{alias}-g*,{alias}-lock", expand_wildcards="open,closed",
                                    ignore_unavailable=True))
    if names:
        client.indices.delete(index=",".join(names), ignore_unavailable=True)


def store_size(url: str, alias: str) -> tuple[int | None, int | None]:
    """Bytes on disk of the index behind `alias`: its primaries, and all its copies."""
    from search.backends.opensearch import connect

    stats = connect(url).indices.stats(index=alias, metric="store")["_all"]
    return stats["primaries"]["store"]["size_in_bytes"], stats["total"]["store"]["size_in_bytes"]


def run(bench: Bench) -> None:
    """The section: every size × backend, then the table and the plot (see the module docstring)."""
    from bench import speed

    args = bench.args
    unknown = [b for b in args.backends if b not in BACKENDS]
    if unknown:
        raise ValueError(f"unknown backend(s) {', '.join(unknown)}; choose from {', '.join(BACKENDS)}")
    why = missing(args.opensearch_url) if "opensearch" in args.backends else None
    if why:
        bench.add("Backends", f"Skipped: {why}.")
        return
    rows: list[dict] = []
    started = time.monotonic()
    budget = args.backend_budget * 60 if args.backend_budget else None
    rate: dict[str, float] = {}
    cluster = Cluster(args.opensearch_url if "opensearch" in args.backends else "(not used)",
                      bench.workdir / "opensearch", heap=args.opensearch_heap)
    with cluster:
        url = str(cluster.url)
        for factor in args.backend_sizes:
            corpus, records = size_corpus(bench, factor)
            try:
                for backend in [b for b in BACKENDS if b in args.backends]:
                    row = {"factor": factor, "records": records, "backend": backend}
                    if budget is not None and backend in rate:
                        expected = records / rate[backend]
                        spent = time.monotonic() - started
                        if spent + expected > budget:
                            row["skipped"] = (f"skipped: its reindex alone would take about {expected / 60:.0f} min "
                                              f"at {rate[backend]:,.0f} docs/s, past the {args.backend_budget:g}-min "
                                              f"budget ({spent / 60:.0f} min spent)")
                            bench.note(f"{LABELS[backend]} at {label(factor)}: {row['skipped']}")
                            rows.append(row)
                            continue
                    row.update(measure(bench, backend, corpus, records, factor, url, cluster))
                    rate[backend] = row["docs_per_s"]
                    rows.append(row)
                    bench.add("Backends", table(rows, args, len(bench.news)) + "\n\n(partial: the run goes on)", final=False)
            finally:
                if corpus != bench.corpus:
                    corpus.unlink(missing_ok=True)
    md = table(rows, args, len(bench.news)) + "\n\n" + summary(rows)
    plot = plot_path(args)
    if plot is not None:
        made = backends_plot(rows, plot)
        md += f"\n\n![backends]({plot.name})" if made else \
            f"\n\nNo plot: {'matplotlib is not installed' if made is None else 'it failed (see stderr)'}."
    bench.add("Backends", md)
    speed.log(f"backends: done in {(time.monotonic() - started) / 60:.1f} min")


def label(factor: float) -> str:
    return f"{factor * 100:g}%" if factor <= 1 else f"{factor:g}×"


def size_corpus(bench: Bench, factor: float) -> tuple[Path, int]:
    """The corpus of one size (the benchmark's own corpus for 1) and its record count."""
    from bench.speed import log, write_repeated, write_slice

    if factor == 1.0:
        return bench.corpus, bench.records
    path = bench.workdir / f"backends-{factor:g}.jsonl.gz"
    if factor < 1:
        return path, write_slice(bench.corpus, path, max(1, round(bench.records * factor)))
    log(f"backends: writing the corpus ×{factor:g} (streamed) ...")
    return path, write_repeated(bench.corpus, path, int(factor))


def measure(bench: Bench, backend: str, corpus: Path, records: int, factor: float, url: str,
            cluster: Cluster) -> dict:
    """One backend at one size: reindex, queries, web load; what it built is deleted after."""
    from bench.speed import log, median, percentile, run_worker

    args = bench.args
    alias = f"{ALIAS_PREFIX}-{factor:g}".replace(".", "_")
    index = bench.fresh(f"backends-whoosh-{factor:g}")
    target: dict[str, Any] = {"url": url, "alias": alias} if backend == "opensearch" else {}
    try:
        if backend == "opensearch":
            drop(url, alias)
        log(f"backends: {LABELS[backend]} reindex of {records:,} records ...")
        out = run_worker({"task": "build", "system": "arshif", "corpus": str(corpus), "index": str(index),
                          **target}, bench.workdir)
        row: dict[str, Any] = {"seconds": out["seconds"], "docs_per_s": records / out["seconds"],
                               "indexed": out.get("indexed"), "build_rss": out["peak_rss"]}
        if backend == "opensearch":
            row["size"], row["size_all"] = store_size(url, alias)
            row["jvm_rss_kb"] = cluster.jvm_rss_kb()
        else:
            row["size"] = row["size_all"] = speed_dir_size(index)
        log(f"  {row['seconds']:.1f} s ({row['docs_per_s']:,.0f} docs/s)")
        q = run_worker({"task": "query", "system": "arshif", "runs": args.runs, "sets": [
            {"key": "news", "index": str(index), "fields": ["title", "body"], "queries": bench.news,
             "snippets": True, **target}]}, bench.workdir)["sets"]["news"]
        row["p50"] = median(percentile(p, 50) for p in q["passes"])
        row["p95"] = median(percentile(p, 95) for p in q["passes"])
        row["first_pass_p95"] = percentile(q["passes"][0], 95) if q["passes"] else None
        row["query_errors"] = q["errors"]
        log(f"  news p50 {row['p50']:.1f} ms, p95 {row['p95']:.1f} ms")
        row.update(web(bench, backend, index, target))
        log(f"  web {row['web_rps']:.1f} req/s, p95 {row['web_p95']:.0f} ms, {row['web_errors']} errors")
        row["load"] = os.getloadavg()[0]
        return row
    finally:
        shutil.rmtree(index, ignore_errors=True)
        if backend == "opensearch":
            try:
                drop(url, alias)
            except Exception as exc:  # noqa: BLE001 -- reported, the benchmark goes on
                bench.note(f"could not delete the OpenSearch alias {alias}: {exc}")


def speed_dir_size(path: Path) -> int:
    from bench.speed import dir_size

    return dir_size(path)


def web(bench: Bench, backend: str, index: Path, target: dict) -> dict:
    """The real server on the index under load: requests/s, p50/p95 and errors of the whole run."""
    from bench.speed import percentile

    extra = ["--backend", "opensearch", "--url", target["url"], "--index", target["alias"]] if target else \
        ["--index", str(index)]
    seconds, clients = bench.args.backend_web_seconds, bench.args.web_clients
    records, _, _, _, warm_ms, _ = bench.serve_and_load(extra, seconds, clients)
    lat = [r[1] for r in records]
    return {"web_rps": len(records) / seconds, "web_p50": percentile(lat, 50), "web_p95": percentile(lat, 95),
            "web_errors": sum(1 for r in records if r[2] != 200), "web_requests": len(records), "web_first_ms": warm_ms}


def table(rows: list[dict], args, queries: int) -> str:
    from bench.speed import fmt, mb
    from bench.speed import table as md_table

    out = []
    for r in rows:
        if r.get("skipped"):
            out.append([label(r["factor"]), fmt(r["records"]), LABELS[r["backend"]], r["skipped"]] + [""] * 10)
            continue
        size = fmt(mb(r["size"]), 0)
        if r["backend"] == "opensearch":
            size += f" ({fmt(mb(r['size_all']), 0)} all copies)"
        out.append([label(r["factor"]), fmt(r["records"]), LABELS[r["backend"]], fmt(r["indexed"]), fmt(r["seconds"]),
                    fmt(r["docs_per_s"], 0), size, fmt(r["p50"], 1), fmt(r["p95"], 1), fmt(r["web_rps"], 1),
                    fmt(r["web_p50"], 0), fmt(r["web_p95"], 0), fmt(r["web_errors"]), f"{r['load']:.1f}"])
    md = md_table(["corpus", "records", "backend", "docs indexed", "reindex s", "docs/s", "index MB",
                   "news p50 ms", "news p95 ms", "web req/s", "web p50 ms", "web p95 ms", "web errors",
                   "load (1 min)"], out)
    md += (f"\n\nEach row: a full reindex (`search.index.build.reindex`, the engine's defaults; for OpenSearch "
           "into a new index of 2 primary shards with 1 replica, the backend's defaults, whose time includes "
           "placing the replicas and moving the alias), then news queries (`bench/news_queries.txt`, "
           f"{queries} queries over title + body, top 10 with snippets, one thread, the median of "
           f"{args.runs} passes' percentiles), then `arshif serve` under {args.web_clients} clients for "
           f"{args.backend_web_seconds:g} s (half `/api/search?q=`, half the page), then the index is deleted. "
           "docs/s counts input records; Arshif collapses duplicates, so it indexes fewer. Sizes above 100%: "
           "the corpus repeated with new ids, URLs and the copy number at the end of the body. The load "
           "average is read at the end of each row (the machine's 2 cores run the cluster, the server, the "
           "load client and any other work).")
    return md


def _exponent(rows: list[dict], key: str) -> float | None:
    """How `key` grows with the corpus: the slope of log(value) over log(records), first to last size."""
    pts = [(r["records"], r[key]) for r in rows if not r.get("skipped") and r.get(key)]
    if len(pts) < 2 or pts[0][0] == pts[-1][0]:
        return None
    (n0, v0), (n1, v1) = pts[0], pts[-1]
    return math.log(v1 / v0) / math.log(n1 / n0)


def summary(rows: list[dict]) -> str:
    """Where each backend wins, size by size, and how each grows (from the rows, not written by hand)."""
    metrics = (("docs_per_s", "reindex docs/s", True), ("p95", "news p95", False), ("web_p95", "web p95", False),
               ("web_rps", "web requests/s", True))
    lines = []
    factors = list(dict.fromkeys(r["factor"] for r in rows))
    for key, name, higher in metrics:
        wins = []
        for factor in factors:
            pair = {r["backend"]: r for r in rows if r["factor"] == factor and not r.get("skipped")}
            if len(pair) < 2:
                continue
            w, o = pair["whoosh"][key], pair["opensearch"][key]
            if not w or not o:
                continue
            best = "whoosh" if (w > o) == higher else "opensearch"
            times = max(w, o) / min(w, o)
            wins.append(f"{label(factor)}: even (within 5%)" if times < 1.05 else
                        f"{label(factor)}: {LABELS[best].split(' + ')[1]} ({times:.1f}×)")
        growth = []
        for backend in BACKENDS:
            e = _exponent([r for r in rows if r["backend"] == backend], key)
            if e is not None:
                growth.append(f"{LABELS[backend].split(' + ')[1]} ∝ n^{e:.2f}")
        if wins or growth:
            lines.append(f"- **{name}**: better with " + "; ".join(wins) + (f". Growth from the smallest to the "
                         f"largest size measured: {', '.join(growth)}" if growth else "") + ".")
    return ("Where each backend wins (the better backend per size and by how much) and how each grows "
            "(n = input records; an exponent of 0 is flat, 1 grows in proportion to the corpus):\n\n"
            + "\n".join(lines))


def plot_path(args) -> Path | None:
    if args.backends_plot:
        return Path(args.backends_plot)
    if args.out:
        out = Path(args.out)
        return out.with_name(out.stem + ("" if "backends" in out.stem else "-backends") + ".png")
    return None


def backends_plot(rows: list[dict], path: Path) -> bool | None:
    """Reindex docs/s, news p95 and web p95 against the corpus size, one line per backend; None
    when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    from bench.speed import log

    try:
        fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), dpi=90)
        panels = (("docs_per_s", "reindex (input records/s)", "Reindex speed"),
                  ("p95", "news query p95 (ms)", "Query latency, one client"),
                  ("web_p95", "p95 (ms)", "Web, 16 clients"))
        styles = {"whoosh": ("o-", "#1f6f8b"), "opensearch": ("s--", "#b5651d")}
        for ax, (key, ylabel, title) in zip(axes, panels):
            for backend in BACKENDS:
                pts = [(r["records"], r[key]) for r in rows if r["backend"] == backend and not r.get("skipped")
                       and r.get(key) is not None]
                if pts:
                    style, color = styles[backend]
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], style, color=color, label=LABELS[backend])
            ax.set_xscale("log")
            sizes = sorted({r["records"] for r in rows})
            ax.set_xticks(sizes, [f"{n / 1000:,.0f}k" if n >= 10_000 else f"{n / 1000:,.1f}k" for n in sizes])
            ax.minorticks_off()
            ax.set_xlabel("articles (log scale)")
            ax.set_ylabel(ylabel)
            ax.set_title(title)
            ax.set_ylim(bottom=0)
            ax.grid(alpha=0.3)
        axes[0].legend(fontsize=8)
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=90)
        plt.close(fig)
        return True
    except Exception as exc:  # noqa: BLE001 -- reported, the benchmark goes on
        log(f"plot failed: {exc}")
        return False
