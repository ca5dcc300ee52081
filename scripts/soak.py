#!/usr/bin/env python3
"""Soak the real server: ``arshif serve`` (waitress) on loopback, 16 clients on keep-alive
connections asking for search pages, API results, article pages and static files for N minutes,
with a full ``arshif reindex`` swapped in under them in the middle. Passes with zero errors
(no 5xx, no unexpected status, no refused or dropped connection); prints the server's resident
memory at the start, middle and end.

    python scripts/soak.py                 # 10 minutes, 16 clients
    python scripts/soak.py --minutes 1     # quick mode
    python scripts/soak.py --source snn --records 5000   # on SaudiNewsNet's first articles

The index is built from articles made from the seed article (``--source seed``, the default) or
from the first lines of ``../shared/data/saudinewsnet.jsonl.gz`` (read at run time, never copied).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reliability as rel


@dataclass
class Soak:
    """What a soak saw."""

    seconds: float = 0.0
    clients: int = 0
    served: int = 0
    statuses: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    rss_kb: list[tuple[str, float, int]] = field(default_factory=list)  # (label, at second, kB)
    swaps: list[tuple[float, float]] = field(default_factory=list)  # (started at, took) in seconds
    p50: float = 0.0
    p99: float = 0.0
    max_latency: float = 0.0
    totals_after: dict = field(default_factory=dict)  # query -> total the API gave at the end


def _corpus(workdir: Path, name: str, records: int, seed: int, source: str) -> Path:
    if source == "snn":
        path = rel.snn_corpus(workdir / name / f"{name}.jsonl", records, skip=(seed - 1) * records)
        if path is None:
            raise SystemExit(f"SaudiNewsNet is not at {rel.SNN}; use --source seed")
        return path
    return rel.seed_corpus(workdir / name / f"{name}.jsonl", records, seed=seed)


def _api_total(port: int, query: str) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q={quote(query)}", timeout=60) as r:
        return json.load(r)["total"]


def run_soak(workdir: Path, seconds: float, clients: int = 16, records: int = 1000, swaps: int = 1,
             source: str = "seed", threads: int = 8, log=print) -> Soak:
    """Serve an index of corpus A, load it for `seconds`, and swap in a reindex of B (then A, ...)
    `swaps` times, evenly spaced. The reindex runs in its own process, as a user would run it."""
    corpora = [_corpus(workdir, "a", records, 1, source),
               _corpus(workdir, "b", records + max(1, records // 10), 2, source)]
    index = workdir / "index"
    proc = rel.start_reindex([corpora[0]], index, procs=1)
    _, err = proc.communicate(timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"first reindex failed: {err[-2000:]}")
    expected = {}
    result = Soak(clients=clients)
    with rel.server(index, threads=threads) as (port, server):
        paths = rel.request_mix() if source == "seed" else \
            rel.request_mix(list(dict.fromkeys(h for _, _, hits in rel.answers(index) for h in hits))[:20])
        load = rel.Load(port, paths, clients=clients).start()
        started = time.monotonic()
        time.sleep(min(10.0, seconds / 20))  # warm up: the first requests load the index

        def sample(label: str) -> None:
            at = time.monotonic() - started
            result.rss_kb.append((label, at, rel.rss_kb(server.pid)))
            log(f"{at:7.1f} s  {label:<6} RSS {result.rss_kb[-1][2] / 1024:7.1f} MB  served {load.served:>8,}  "
                f"errors {len(load.errors)}  load {rel.load_average()}")

        sample("start")
        swap_times = [seconds * (n + 1) / (swaps + 1) for n in range(swaps)]
        next_sample = 30.0
        half_sampled = False
        while (now := time.monotonic() - started) < seconds:
            if swap_times and now >= swap_times[0]:
                swap_times.pop(0)
                corpus = corpora[1 - len(result.swaps) % 2]  # B, A, B, ...
                t0 = time.monotonic()
                proc = rel.start_reindex([corpus], index, procs=1)
                _, err = proc.communicate(timeout=3600)
                if proc.returncode != 0:
                    load.errors.append(f"reindex during the soak failed: {err[-500:]}")
                result.swaps.append((t0 - started, time.monotonic() - t0))
                log(f"{time.monotonic() - started:7.1f} s  swap   reindex of {corpus.name} took "
                    f"{result.swaps[-1][1]:.1f} s and was swapped in")
                expected = {q: t for q, t, _ in rel.answers(index)}
            if not half_sampled and now >= seconds / 2:
                sample("middle")
                half_sampled = True
            elif now >= next_sample:
                sample("")
                next_sample += 30.0
            time.sleep(0.2)
        if not half_sampled:
            sample("middle")
        load.stop()
        sample("end")
        for query, _ in rel.QUERIES[:3]:
            result.totals_after[query] = _api_total(port, query)
            if expected and result.totals_after[query] != expected[query]:
                load.errors.append(f"after the swaps the server answers {query!r} with "
                                   f"{result.totals_after[query]} results, the new index has {expected[query]}")
    result.seconds = time.monotonic() - started
    result.served = load.served
    result.statuses = dict(load.statuses)
    result.errors = load.errors
    result.p50, result.p99 = load.percentile(0.5), load.percentile(0.99)
    result.max_latency = load.percentile(1.0)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="how long (default 10)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--records", type=int, default=1000, help="articles in the index (default 1000)")
    parser.add_argument("--swaps", type=int, default=1, help="reindexes swapped in, evenly spaced (default 1)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (default 8, as arshif serve)")
    parser.add_argument("--source", choices=("seed", "snn"), default="seed")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="arshif-soak-"))
    try:
        result = run_soak(workdir, args.minutes * 60, args.clients, args.records, args.swaps, args.source,
                          args.threads)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    rss = ", ".join(f"{label} {kb / 1024:.1f} MB" for label, _, kb in result.rss_kb if label)
    print(f"\n{result.served:,} requests in {result.seconds:.0f} s ({result.served / result.seconds:.0f}/s) "
          f"from {result.clients} clients; statuses {result.statuses}; errors {len(result.errors)}; "
          f"latency p50 {result.p50 * 1000:.0f} ms, p99 {result.p99 * 1000:.0f} ms, "
          f"max {result.max_latency * 1000:.0f} ms; swaps {len(result.swaps)}; RSS {rss}.")
    for error in result.errors[:20]:
        print("ERROR:", error)
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
