"""What the archive's tools (issue 19) add to a search: ``python -m bench.archive_tools --index IX``.

Over the news queries (``bench/news_queries.txt``) on an existing index, the median (p50) and p95
of :meth:`search.searcher.Searcher.search` as the page calls it (facets, snippets, a page of 10)
without the archive's additions, with the timeline (``histogram=True``), and with the timeline
and why each hit matched (``explain=True``, as the page asks), in alternation so that both see the same
caches; a browse without a query (newest first, with the timeline); and the time to write a whole
export of the first query's result set (up to 10,000 rows, CSV); the related articles of an
article page (:meth:`search.searcher.Searcher.related`). Each query runs
``--runs`` times (default 5) after one warm-up run. Figures go in the report, not in tests.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from bench.speed import read_news_queries
from search import export
from search.searcher import Searcher

QUERIES = Path(__file__).resolve().parent / "news_queries.txt"


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _percentiles(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return f"p50 {statistics.median(values):7.2f} ms   p95 {p95:7.2f} ms   (n={len(values)})"


def measure(index: Path, runs: int = 5, limit: int | None = None) -> dict[str, list[float]]:
    """Milliseconds per call, by what was called."""
    searcher = Searcher(index)
    queries = [text for _, text in read_news_queries(QUERIES, limit)]
    times: dict[str, list[float]] = {"search": [], "search+timeline": [], "search+timeline+why": [],
                                     "browse+timeline": [], "related": [], "export": []}
    for text in queries:  # warm-up
        searcher.search(text, facets=True, histogram=True)
    for _ in range(runs):
        for text in queries:
            for name, histogram, explain in (("search", False, False), ("search+timeline", True, False),
                                             ("search+timeline+why", True, True)):
                started = time.perf_counter()
                searcher.search(text, facets=True, histogram=histogram, explain=explain)
                times[name].append(_ms(started))
        started = time.perf_counter()
        searcher.search("", facets=True, histogram=True, browse=True)
        times["browse+timeline"].append(_ms(started))
        for text in queries[:20]:  # related articles of each query's first hit (the article page)
            first = searcher.search(text, limit=1, snippets=False).hits
            if first:
                started = time.perf_counter()
                searcher.related(first[0].id)
                times["related"].append(_ms(started))
        started = time.perf_counter()
        results, hits = searcher.export(queries[0])
        rows = sum(1 for _ in export.csv_lines(hits)) - 1
        times["export"].append(_ms(started))
    times["export rows"] = [float(rows)]
    return times


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True, type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--queries", type=int, default=None, help="Only the first N news queries.")
    args = parser.parse_args(argv)
    times = measure(args.index, args.runs, args.queries)
    for name, values in times.items():
        print(f"{name:20} {values[0]:.0f}" if name == "export rows" else f"{name:20} {_percentiles(values)}")


if __name__ == "__main__":
    main()
