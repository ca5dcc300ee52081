"""Learning to rank the second phase: LightGBM's lambdarank over its features, cross-validated.

``python -m bench.ltr --arcd-index IX1 --snn-index IX2`` (the indexes of :mod:`bench.tune`)

1. **exports** each dev query's second-phase candidates (the articles :func:`search.query.rerank.rerank`
   rescores, at the engine's depths) through the product search path (:class:`search.searcher.Searcher`),
   with their :data:`search.query.rerank.FEATURES`, their first-phase score and a label: 1 when
   the article or one of its copies is in the qrels (arcd, knownitem, quote), or, for names, when
   it holds the name (``../shared/tools/names_score.py``'s rule);
2. **cross-validates** a LambdaMART ranker (Burges, "From RankNet to LambdaRank to LambdaMART: An
   Overview", MSR-TR-2010-82; LightGBM's ``lambdarank`` objective, Ke et al., NeurIPS 2017) against the
   hand-weighted score (:func:`search.query.rerank.linear_score`) on the same candidates: five folds
   over the queries of all four sets pooled (each fold trains on the other four fifths), and leave
   one set out (train on three kinds of search, score the fourth). Each fold's figure is MRR@10 of
   the candidates reordered (names: precision@10), the articles that lack a part of the query after
   the others, as the engine orders them;
3. with ``--end-to-end``, runs each pooled fold's held-out queries through ``Searcher.search`` with
   the model fitted on the other folds (copies listed, near copies grouped, as ``arshif search
   --batch`` gives them) and scores the whole run: MRR@10, nDCG@10, R@100 and names P@10 that
   no query's own judgments trained;
4. with ``--save PATH``, fits on every query of the four sets and writes the model
   (:mod:`search.query.learned`).

The features a model reads are :func:`search.query.learned.model_features` of the exported ones.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.evaluate import DEFAULT_SHARED
from bench.trec import read_qrels, read_queries
from bench.tune import TuneSet, default_sets, load_names_score
from search.query import learned
from search.query.config import DEFAULT, RankingConfig
from search.query.parser import text_words
from search.query.rerank import Candidates, candidate_features, linear_score

SETS = ("arcd", "knownitem", "quote", "names")


@dataclass
class QueryCandidates:
    """One query's second-phase candidates: features (candidates, FEATURES), first-phase scores,
    the "lacks a part of the query" flags, the query's idf total and word count, and labels."""

    set_name: str
    qid: str
    features: np.ndarray
    first: np.ndarray
    later: np.ndarray
    idf_total: float
    n_words: int
    labels: np.ndarray
    #: the query's words as typed (:func:`search.query.parser.text_words`)
    typed_words: int = 0
    #: model features left out (zeroed) in an ablation
    dropped: tuple[int, ...] = ()

    @property
    def learned(self) -> bool:
        """Whether the engine ranks this query with the model (``RankingConfig.learned_min_words``)."""
        return self.typed_words >= DEFAULT.learned_min_words

    def model_input(self) -> np.ndarray:
        x = learned.model_features(self.features, self.first, self.later, self.idf_total, self.n_words)
        x[:, list(self.dropped)] = 0.0
        return x


def export(ts: TuneSet, config: RankingConfig, names_module: Any, names_docs: Any = None,
           limit: int | None = None) -> list[QueryCandidates]:
    """Every query of `ts` through ``Searcher.search``, its second-phase candidates recorded."""
    import search.searcher as searcher_module
    from search.errors import SearchError

    recorded: list[dict] = []
    original = searcher_module.rerank

    def recording(source, words, fields, ranked, config=DEFAULT, later=(), depth=None, typed_words=0):
        depth = config.rerank_depth if depth is None else depth
        head = ranked[:depth]
        docs = [doc for _, doc in head]
        texts = {name: Candidates.stored(source.term_ids(name, docs)) for name in fields}
        stats = source.stats(fields)
        feats = candidate_features(words, texts, stats, source.broad_stems(), config)
        ids = []
        for doc in docs:
            stored = source.stored_fields(doc)
            ids.append((stored["id"], [c["id"] for c in source.copies(stored["id"])],
                        (stored.get("title") or "") + " " + (stored.get("body") or "")))
        recorded.append({"features": feats, "first": np.array([s for s, _ in head], dtype=float),
                         "later": np.array([doc in later for doc in docs], dtype=bool),
                         "idf_total": learned.idf_total(words, stats, fields), "n_words": len(words), "ids": ids})
        return original(source, words, fields, ranked, config, later, depth, typed_words)

    searcher_module.rerank = recording
    try:
        searcher = searcher_module.Searcher(ts.index, config)
        qrels = read_qrels(ts.qrels) if ts.qrels else None
        out = []
        for qid, text in read_queries(ts.queries, limit):
            recorded.clear()
            try:
                searcher.search(text, fields=ts.fields, limit=10, snippets=False)
            except SearchError:
                continue
            if not recorded:
                continue
            r = recorded[0]
            if qrels is not None:
                rel = qrels.get(qid, {})
                labels = [int(any(rel.get(i, 0) > 0 for i in (doc_id, *copies))) for doc_id, copies, _ in r["ids"]]
            else:
                core = names_module.core(text)
                labels = [int(core in names_module.tokens(body)) for _, _, body in r["ids"]]
            out.append(QueryCandidates(ts.name, qid, r["features"], r["first"], r["later"], r["idf_total"],
                                       r["n_words"], np.array(labels, dtype=np.int32), text_words(text)))
        return out
    finally:
        searcher_module.rerank = original


def ordered(scores: np.ndarray, later: np.ndarray) -> np.ndarray:
    """Candidate indices as the engine orders them: the complete ones by score, then the others
    (ties keep the first-phase order)."""
    return np.lexsort((np.arange(len(scores)), -scores, later))


def figure(q: QueryCandidates, scores: np.ndarray) -> float:
    """RR@10 of one query (names: precision@10 of its first ten)."""
    top = q.labels[ordered(scores, q.later)][:10]
    if q.set_name == "names":
        return float(top.mean()) if len(top) else 0.0
    hit = np.flatnonzero(top)
    return 1.0 / (hit[0] + 1) if len(hit) else 0.0


def mean_figure(queries: Sequence[QueryCandidates], scorer) -> float:
    return float(np.mean([figure(q, scorer(q)) for q in queries])) if queries else 0.0


def train(queries: Sequence[QueryCandidates], params: dict | None = None):
    """A LightGBM lambdarank booster over `queries` (each set's queries weighted alike)."""
    import lightgbm as lgb

    rows = [q for q in queries if len(q.labels) > 1]
    x = np.vstack([q.model_input() for q in rows])
    y = np.concatenate([np.minimum(q.labels, 1) for q in rows])
    group = [len(q.labels) for q in rows]
    per_set = {name: n for name in SETS if (n := sum(1 for q in rows if q.set_name == name))}
    # every set counts as much as the others (LightGBM takes a weight per row)
    weights = np.concatenate([np.full(len(q.labels), len(rows) / (len(per_set) * per_set[q.set_name])) for q in rows])
    data = lgb.Dataset(x, y, group=group, weight=weights, feature_name=list(learned.MODEL_FEATURES))
    settings = {**learned.TRAINING, **(params or {})}
    rounds = settings.pop("num_iterations")
    return lgb.train(settings, data, num_boost_round=rounds)


def scorer(booster):
    """query -> its candidates' scores as the engine gives them: the booster's for a query it
    gives the model, the hand-weighted sum for the others."""
    return lambda q: booster.predict(q.model_input()) if q.learned else linear_score(q.features, DEFAULT)


def evaluate_folds(queries: list[QueryCandidates], params: dict | None, seed: int = 7, folds: int = 5) -> dict:
    """Five folds over the pooled queries and leave one set out: per fold and set, the learned
    ranker's mean figure against the hand-weighted score's on the same held-out queries."""
    def linear(q: QueryCandidates) -> np.ndarray:
        return linear_score(q.features, DEFAULT)

    report: dict[str, Any] = {"pooled": [], "leave_one_set_out": [], "paired": {name: [] for name in SETS}}
    order = list(range(len(queries)))
    random.Random(seed).shuffle(order)
    for k in range(folds):
        test_idx = set(order[k::folds])
        test = [queries[i] for i in sorted(test_idx)]
        booster = train([q for i, q in enumerate(queries) if i not in test_idx], params)
        learned_scores = scorer(booster)
        for q in test:
            report["paired"][q.set_name].append(figure(q, learned_scores(q)) - figure(q, linear(q)))
        report["pooled"].append({name: (mean_figure([q for q in test if q.set_name == name], linear),
                                        mean_figure([q for q in test if q.set_name == name], learned_scores))
                                 for name in SETS})
    for name in SETS:
        booster = train([q for q in queries if q.set_name != name], params)
        test = [q for q in queries if q.set_name == name]
        report["leave_one_set_out"].append({name: (mean_figure(test, linear),
                                                   mean_figure(test, scorer(booster)))})
    return report


def fold_of(queries: list[QueryCandidates], seed: int = 7, folds: int = 5) -> dict[tuple[str, str], int]:
    """(set, qid) -> its pooled fold (as :func:`evaluate_folds` deals them)."""
    order = list(range(len(queries)))
    random.Random(seed).shuffle(order)
    return {(queries[i].set_name, queries[i].qid): k for k in range(folds) for i in order[k::folds]}


def end_to_end(queries: list[QueryCandidates], sets: dict[str, TuneSet], params: dict | None, names_module: Any,
               corpus: Path, workdir: Path, seed: int = 7, folds: int = 5, base: RankingConfig = DEFAULT) -> str:
    """Each set's figures through the product search path, every query ranked by the model of
    the fold that held it out (a query without candidates ranks alike in every fold)."""
    from bench.evaluate import arshif_searcher
    from bench.trec import score_run, write_trec_run

    where = fold_of(queries, seed, folds)
    models = []
    for k in range(folds):
        path = workdir / f"fold-{k}.txt"
        train([q for q in queries if where[(q.set_name, q.qid)] != k], params).save_model(str(path))
        models.append(str(path))
    rows = ["| set | hand-weighted | learned, cross-validated |", "| --- | --- | --- |"]
    names_docs = None
    for name, ts in sets.items():
        texts = read_queries(ts.queries)
        figures = []
        for model in (None, *models):
            search = arshif_searcher(ts.index, ts.fields, base.replace(learned_model=model))
            figures.append({qid: search(text) for qid, text in texts
                            if model is None or where.get((name, qid), 0) == models.index(model)})
        hand, learned_run = figures[0], {q: hits for run in figures[1:] for q, hits in run.items()}
        cells = []
        for run in (hand, learned_run):
            if ts.qrels is not None:
                m = score_run(run, read_qrels(ts.qrels), [q for q, _ in texts]).means
                cells.append(f"{m['MRR@10']:.3f} / {m['nDCG@10']:.3f} / {m['R@100']:.3f}")
            else:
                names_docs = names_docs or names_module.load(str(corpus))
                path = workdir / "names.run"
                write_trec_run(path, run, "arshif")
                cells.append(f"P@10 {names_module.score(dict(texts), str(path), names_docs)[0]:.3f}")
        rows.append(f"| {name} | {cells[0]} | {cells[1]} |")
    return "\n".join(rows)


def show(report: dict) -> str:
    lines = ["five folds over the pooled queries (hand-weighted → learned, each fold's held-out queries):",
             "| fold | " + " | ".join(SETS) + " |", "| --- |" + " --- |" * len(SETS)]
    for k, row in enumerate(report["pooled"], 1):
        lines.append(f"| {k} | " + " | ".join(f"{a:.3f} → {b:.3f}" for a, b in (row[n] for n in SETS)) + " |")
    means = {n: (np.mean([r[n][0] for r in report["pooled"]]), np.mean([r[n][1] for r in report["pooled"]]))
             for n in SETS}
    lines.append("| mean | " + " | ".join(f"{a:.3f} → {b:.3f} ({b - a:+.3f})" for a, b in means.values()) + " |")
    lines += ["", "per query, learned − hand-weighted over the pooled folds' held-out queries:",
              "| set | mean Δ | standard error | queries up | down |", "| --- | --- | --- | --- | --- |"]
    for name, diffs in report["paired"].items():
        d = np.array(diffs)
        se = d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else 0.0
        lines.append(f"| {name} | {d.mean():+.4f} | {se:.4f} | {(d > 0).sum()} | {(d < 0).sum()} |")
    lines += ["", "leave one set out (trained on the other three):", "| held out | hand-weighted | learned | Δ |",
              "| --- | --- | --- | --- |"]
    for row in report["leave_one_set_out"]:
        (name, (a, b)), = row.items()
        lines.append(f"| {name} | {a:.3f} | {b:.3f} | {b - a:+.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.ltr", description=__doc__.split("\n\n")[0])
    p.add_argument("--arcd-index", type=Path, required=True)
    p.add_argument("--snn-index", type=Path, required=True)
    p.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    p.add_argument("--cache", type=Path, default=Path("/tmp/arshif-ltr.pickle"),
                   help="exported candidates (rebuilt with --export)")
    p.add_argument("--export", action="store_true", help="export the candidates again")
    p.add_argument("--params", default="{}", help="LightGBM parameters over search.query.learned.TRAINING, as JSON")
    p.add_argument("--seed", type=int, default=7, help="how the queries are dealt into folds")
    p.add_argument("--end-to-end", action="store_true", help="also score the cross-validated models through Searcher.search")
    p.add_argument("--workdir", type=Path, default=Path("/tmp/arshif-ltr"), help="the folds' models (--end-to-end)")
    p.add_argument("--rerank-depth", type=int, default=DEFAULT.rerank_depth,
                   help="candidates reranked for queries of three words or more (exported and searched)")
    p.add_argument("--ablation", action="store_true", help="cross-validate the model without each feature in turn")
    p.add_argument("--save", type=Path, help="fit on all four sets and write the model here")
    args = p.parse_args(argv)
    if args.export or not args.cache.is_file():
        names_module = load_names_score(args.shared)
        queries = []
        for name, ts in default_sets(args.shared, args.arcd_index, args.snn_index).items():
            print(f"exporting {name} ...", file=sys.stderr, flush=True)
            queries += export(ts, DEFAULT.replace(learned_model=None, rerank_depth=args.rerank_depth), names_module)
        with open(args.cache, "wb") as f:
            pickle.dump(queries, f)
    with open(args.cache, "rb") as f:
        queries = pickle.load(f)
    sets = default_sets(args.shared, args.arcd_index, args.snn_index)
    typed = {(name, qid): text_words(text) for name, ts in sets.items() for qid, text in read_queries(ts.queries)}
    for q in queries:
        q.typed_words = typed[(q.set_name, q.qid)]
    params = json.loads(args.params)
    print(show(evaluate_folds(queries, params, seed=args.seed)))
    if args.ablation:
        print("\nablation: five pooled folds, the model without one feature (fitted without it):")
        print("| without | " + " | ".join(SETS) + " |\n| --- |" + " --- |" * len(SETS))
        for i, name in enumerate(learned.MODEL_FEATURES):
            for q in queries:
                q.dropped = (i,)
            pooled = evaluate_folds(queries, params, seed=args.seed)["pooled"]
            print(f"| {name} | " + " | ".join(f"{np.mean([r[n][1] for r in pooled]):.3f}" for n in SETS) + " |",
                  flush=True)
        for q in queries:
            q.dropped = ()
    if args.end_to_end:
        args.workdir.mkdir(parents=True, exist_ok=True)
        sets = default_sets(args.shared, args.arcd_index, args.snn_index)
        print("\nthrough Searcher.search (MRR@10 / nDCG@10 / R@100; names P@10):")
        print(end_to_end(queries, sets, params, load_names_score(args.shared),
                         args.shared / "data" / "saudinewsnet.jsonl.gz", args.workdir, args.seed,
                         base=DEFAULT.replace(rerank_depth=args.rerank_depth)))
    if args.save:
        booster = train(queries, params)
        booster.save_model(str(args.save))
        print(f"model written to {args.save}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
