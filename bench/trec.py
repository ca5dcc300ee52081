"""TREC files and their scores, shared by the evaluation (:mod:`bench.evaluate`) and the benchmark
(:mod:`bench.speed`): query files (``qid<TAB>text``), qrels (``qid iter docid rel``), runs
(``qid Q0 docid rank score tag``), and MRR@10, nDCG@10, Recall@100 computed with ir-measures
(MacAvaney et al., 2022)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

try:
    import ir_measures
    from ir_measures import RR, R, Success, nDCG
except ImportError:  # python -m bench.evaluate / bench.speed without the extra: say what to install
    raise SystemExit("The evaluation needs the eval extra (ir-measures): pip install -e '.[eval]'") from None

MEASURES = (RR @ 10, nDCG @ 10, R @ 100)
#: Column names of the measures, in table order.
METRICS = ("MRR@10", "nDCG@10", "R@100")
#: Also computed: the share of queries with at least one relevant document in the top 100. It
#: differs from R@100 only for queries with several relevant documents (knownitem's exact
#: duplicates, which Arshif's reindex collapses into one article).
EXTRA_MEASURES = (Success @ 100,)
EXTRA_METRICS = ("S@100",)
_METRIC_OF = {str(m): name for m, name in zip(MEASURES + EXTRA_MEASURES, METRICS + EXTRA_METRICS)}

def read_queries(path: str | os.PathLike, limit: int | None = None) -> list[tuple[str, str]]:
    """``qid<TAB>text`` lines, in file order (the first `limit` of them when given)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n").rstrip("\r")
            qid, sep, text = line.partition("\t")
            if sep and qid.strip():
                out.append((qid.strip(), text))
            if limit is not None and len(out) >= limit:
                break
    return out


def read_qrels(path: str | os.PathLike) -> dict[str, dict[str, int]]:
    """TREC qrels ``qid iter docid rel`` -> {qid: {docid: rel}}."""
    qrels: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 4:
                qrels.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    return qrels


Run = dict[str, list[tuple[str, float]]]  # qid -> [(docid, score)], best first


def write_trec_run(path: str | os.PathLike, run: Run, tag: str) -> None:
    """Write `run` as ``qid Q0 docid rank score tag`` lines, in the run's order, with a score that
    falls with the rank (the number of documents less the rank, plus one): trec_eval and
    ir-measures order a run by its scores, and a system's own scores need not fall along its
    order (Arshif's second phase scores its first candidates on another scale than the first
    phase's below them)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for qid, docs in run.items():
            for rank, (doc, _score) in enumerate(docs, start=1):
                f.write(f"{qid} Q0 {doc} {rank} {len(docs) - rank + 1} {tag}\n")


def read_trec_run(path: str | os.PathLike) -> Run:
    """A TREC run, each query's documents in rank order (the rank column, then file order)."""
    rows: dict[str, list[tuple[int, int, str, float]]] = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            parts = line.split()
            if len(parts) >= 6:
                rows.setdefault(parts[0], []).append((int(parts[3]), n, parts[2], float(parts[4])))
    return {qid: [(doc, score) for _, _, doc, score in sorted(docs)] for qid, docs in rows.items()}


# --- scoring -------------------------------------------------------------------------------

@dataclass
class Scores:
    """Mean scores over the judged queries, and each query's scores."""

    means: dict[str, float]
    per_query: dict[str, dict[str, float]]
    judged: int  # queries averaged over
    unjudged: list[str] = field(default_factory=list)  # qids of the query file without qrels


def score_run(run: Run, qrels: dict[str, dict[str, int]], qids: Iterable[str] | None = None) -> Scores:
    """MRR@10, nDCG@10 and Recall@100 of `run`, averaged over every judged query in `qids`.

    A query that is missing from the run or has no results scores zero (ir-measures alone would
    only average over the queries of the run). Documents are taken in the order of the run's
    lists: ties in the scores are not re-ordered.

    :param qids: the queries that were asked (default: every query of the qrels).
    """
    qids = list(dict.fromkeys(qids)) if qids is not None else list(qrels)
    judged = [q for q in qids if any(rel > 0 for rel in qrels.get(q, {}).values())]
    unjudged = [q for q in qids if q not in set(judged)]
    sub_qrels = {q: qrels[q] for q in judged}
    # Rank-derived scores, strictly decreasing: the evaluator sees exactly the returned order.
    sub_run = {}
    for q in judged:
        docs = list(dict.fromkeys(doc for doc, _ in run.get(q, [])))
        if docs:
            sub_run[q] = {doc: float(len(docs) - i) for i, doc in enumerate(docs)}
    per_query = {q: {name: 0.0 for name in METRICS + EXTRA_METRICS} for q in judged}
    if sub_run:
        for metric in ir_measures.iter_calc(list(MEASURES + EXTRA_MEASURES), sub_qrels, sub_run):
            if metric.query_id in per_query:
                per_query[metric.query_id][_METRIC_OF[str(metric.measure)]] = float(metric.value)
    means = {name: (sum(s[name] for s in per_query.values()) / len(per_query) if per_query else 0.0)
             for name in METRICS + EXTRA_METRICS}
    return Scores(means, per_query, len(judged), unjudged)


