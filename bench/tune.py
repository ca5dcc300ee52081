"""Cross-validated ranking constants: coordinate ascent over :class:`~search.query.config.RankingConfig`
fields, with leave-one-set-out cross-validation over the four dev sets of ``../shared/eval``.

``python -m bench.tune --arcd-index IX1 --snn-index IX2`` (IX1 built from ``eval/arcd/corpus.jsonl``,
IX2 from ``data/saudinewsnet.jsonl.gz``, both by ``arshif reindex``) fits a small grid of
second-phase constants (:data:`DEFAULT_GRID`; ``--grid NAME=V1,V2,V3`` to change it) by coordinate
ascent (Metzler & Croft, "Linear feature-based models for information retrieval", Information
Retrieval 10(3), 2007, §4.2: one constant at a time, the others held, keep the value that raises the
objective; here over a grid per constant instead of a line search, and without restarts). The
objective is the mean of the sets' primary figures: MRR@10 for arcd, knownitem and quote (ir-measures,
:func:`bench.trec.score_run`), precision@10 for names (``../shared/tools/names_score.py``).

Cross-validation: for each set, the constants are fitted on the other three and the set left out is
scored with the fitted constants and with the defaults (one fold per set); then the constants are
fitted once more on all four (the proposal, which the folds judge). A fold's fit never evaluates the
set it holds out (:func:`cross_validate` enforces it). Each (constants, set) figure is cached as a
JSON line under ``--cache`` (default ``/tmp/arshif-tune``), keyed by the engine's sources (``search/``), the index
and the query limit, so folds reuse each other's evaluations and a rerun only pays for new points.

The searches go through :func:`bench.evaluate.arshif_searcher` (``Searcher.search``, each article's
copies listed after it), as ``python -m bench.evaluate`` does.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.evaluate import DEFAULT_SHARED, REPO, arshif_searcher, engine_version
from bench.trec import read_qrels, read_queries, score_run, write_trec_run
from search.query.config import DEFAULT, RankingConfig

#: Constants -> the values tried: the default and one step either side. The five constants the
#: second phase (:mod:`search.query.rerank`) weighs its features by.
DEFAULT_GRID: dict[str, tuple[float, ...]] = {
    "exact_weight": (0.75, 1.0, 1.25),  # around the defaults the first fit chose (it was 0.5/0.75/1.0)
    "coordination": (0.3, 0.5, 0.7),
    "proximity_weight": (0.3, 0.5, 0.7),  # (0.15/0.3/0.5)
    "passage_weight": (0.3, 0.5, 0.7),  # (0.15/0.3/0.5)
    "lead_weight": (0.5, 1.0, 1.5),
}
SET_NAMES = ("arcd", "knownitem", "quote", "names")

#: A point of the search: constant -> value (only the tuned constants).
Point = dict[str, float]
#: (point, set name) -> the set's primary figure.
SetScore = Callable[[Point, str], float]


@dataclass(frozen=True)
class TuneSet:
    """One dev set: its queries, the index and fields searched, and how a run is scored
    (``qrels`` for MRR@10; without qrels, `names_docs` for names precision@10)."""

    name: str
    index: Path
    fields: tuple[str, ...]
    queries: Path
    qrels: Path | None = None

    @property
    def measure(self) -> str:
        return "MRR@10" if self.qrels is not None else "P@10"


def default_sets(shared: Path, arcd_index: Path, snn_index: Path) -> dict[str, TuneSet]:
    """The four dev sets of ``shared/eval`` (see its README): arcd over its corpus (title + body),
    knownitem (body only), quote and names (title + body) over SaudiNewsNet."""
    ev = shared / "eval"
    return {
        "arcd": TuneSet("arcd", arcd_index, ("title", "body"), ev / "arcd" / "dev.tsv", ev / "arcd" / "dev.qrels"),
        "knownitem": TuneSet("knownitem", snn_index, ("body",), ev / "knownitem" / "dev.tsv",
                             ev / "knownitem" / "dev.qrels"),
        "quote": TuneSet("quote", snn_index, ("title", "body"), ev / "quote" / "dev.tsv", ev / "quote" / "dev.qrels"),
        "names": TuneSet("names", snn_index, ("title", "body"), ev / "names" / "dev.tsv"),
    }


def load_names_score(shared: Path) -> Any:
    """The names scorer ``shared/tools/names_score.py`` as a module (``load``, ``score``).

    :raise FileNotFoundError: the tool is not there."""
    path = shared / "tools" / "names_score.py"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found (use --shared DIR)")
    spec = importlib.util.spec_from_file_location("names_score", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def search_sources() -> str:
    """A digest of the engine's sources (``search/``, as the work tree holds them): what a cached
    figure depends on, unlike the commit, which also moves with bench, docs and tests."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "search").rglob("*.py")):
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _key(point: Point) -> str:
    return json.dumps(sorted(point.items()))


class CachedScorer:
    """``scorer(point, set_name) -> float``: a set's primary figure with `base` changed by `point`,
    computed through ``Searcher.search`` and cached (memory, and JSON lines in `cache_file`).

    :param names_score: the names scorer module (:func:`load_names_score`), needed for a set
        without qrels; `corpus` is the file its ``load`` reads."""

    def __init__(self, sets: Mapping[str, TuneSet], cache_file: Path | None = None, limit_queries: int | None = None,
                 base: RankingConfig = DEFAULT, names_score: Any = None, corpus: Path | None = None,
                 log: Callable[[str], None] = print) -> None:
        self.sets, self.cache_file, self.limit, self.base = dict(sets), cache_file, limit_queries, base
        self.names_score, self.corpus, self.log = names_score, corpus, log
        self.engine, self.sources = engine_version(), search_sources()
        self.evaluations = 0  # computed here, not read from the cache
        self._names_docs: Any = None
        self._memo: dict[tuple[str, str], float] = {}
        if cache_file is not None and cache_file.is_file():
            for line in cache_file.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                if row["context"] == self._context(row["set"]):
                    self._memo[(row["set"], row["point"])] = row["value"]

    def _context(self, set_name: str) -> list:
        ts = self.sets[set_name]
        return [self.sources, str(ts.index), list(ts.fields), str(ts.queries), self.limit, repr(self.base)]

    def __call__(self, point: Point, set_name: str) -> float:
        memo_key = (set_name, _key(point))
        if memo_key not in self._memo:
            started = time.perf_counter()
            value = self._compute(point, self.sets[set_name])
            self.evaluations += 1
            self._memo[memo_key] = value
            self.log(f"  {set_name:9s} {value:.4f}  {time.perf_counter() - started:5.1f} s  {_key(point)}")
            if self.cache_file is not None:
                self.cache_file.parent.mkdir(parents=True, exist_ok=True)
                row = {"set": set_name, "point": memo_key[1], "value": value, "context": self._context(set_name)}
                with open(self.cache_file, "a", encoding="utf-8") as f:
                    f.write(json.dumps(row, ensure_ascii=False) + "\n")
        return self._memo[memo_key]

    def _compute(self, point: Point, ts: TuneSet) -> float:
        search = arshif_searcher(ts.index, ts.fields, self.base.replace(**point))
        queries = read_queries(ts.queries, self.limit)
        run = {qid: search(text) for qid, text in queries}
        if ts.qrels is not None:
            return float(score_run(run, read_qrels(ts.qrels), [q for q, _ in queries]).means["MRR@10"])
        if self.names_score is None or self.corpus is None:
            raise ValueError(f"{ts.name}: no qrels and no names scorer")
        if self._names_docs is None:
            self._names_docs = self.names_score.load(str(self.corpus))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "names.run"
            write_trec_run(path, run, "arshif")
            precision, _empty, _low = self.names_score.score(dict(queries), str(path), self._names_docs)
        return float(precision)


@dataclass
class Ascent:
    """The result of :func:`coordinate_ascent`: the best point, its objective, and each step
    (round, constant, value, objective)."""

    point: Point
    objective: float
    steps: list[tuple[int, str, float, float]] = field(default_factory=list)


def coordinate_ascent(objective: Callable[[Point], float], grid: Mapping[str, Sequence[float]], start: Point,
                      rounds: int = 1, min_gain: float = 0.0) -> Ascent:
    """Maximize `objective` over the grid, one constant at a time (Metzler & Croft 2007, §4.2): for
    each constant in `grid` order, try each of its values with the others held, keep the best
    (a tie keeps the current value); `rounds` passes, stopping early after a pass that moves nothing.

    :param start: the starting point (a value for every constant of `grid`).
    :param min_gain: a move must raise the objective by more than this (0: any rise)."""
    best, best_value = dict(start), objective(dict(start))
    out = Ascent(dict(best), best_value)
    for round_no in range(1, rounds + 1):
        moved = False
        for name, values in grid.items():
            for value in values:
                if value == best[name]:
                    continue
                candidate = {**best, name: value}
                score = objective(candidate)
                out.steps.append((round_no, name, value, score))
                if score > best_value + min_gain:
                    best, best_value, moved = candidate, score, True
        if not moved:
            break
    out.point, out.objective = best, best_value
    return out


def mean_objective(score: SetScore, sets: Sequence[str]) -> Callable[[Point], float]:
    """The objective over `sets`: the mean of their primary figures at a point."""
    return lambda point: sum(score(point, s) for s in sets) / len(sets)


@dataclass
class Fold:
    """One fold: `held_out` scored with the constants fitted on `train` and with the defaults."""

    held_out: str
    train: tuple[str, ...]
    chosen: Point
    train_default: float
    train_fitted: float
    held_default: float
    held_fitted: float
    fit_sets: set[str]  # the sets the fit evaluated

    @property
    def delta(self) -> float:
        return self.held_fitted - self.held_default


def fit(score: SetScore, sets: Sequence[str], grid: Mapping[str, Sequence[float]], start: Point,
        rounds: int, min_gain: float = 0.0) -> tuple[Ascent, set[str]]:
    """Coordinate ascent of the mean figure over `sets` only: (the ascent, the sets it evaluated).

    :raise ValueError: (a defect) the fit asked for a set outside `sets`."""
    seen: set[str] = set()

    def restricted(point: Point, set_name: str) -> float:
        if set_name not in sets:
            raise ValueError(f"the fit on {', '.join(sets)} asked for {set_name}")
        seen.add(set_name)
        return score(point, set_name)

    return coordinate_ascent(mean_objective(restricted, sets), grid, start, rounds, min_gain), seen


def cross_validate(score: SetScore, sets: Sequence[str], grid: Mapping[str, Sequence[float]], start: Point,
                   rounds: int = 1, min_gain: float = 0.0) -> list[Fold]:
    """Leave one set out: for each set, fit on the others (:func:`fit`), then score the set left out
    with the fitted point and with `start`."""
    folds = []
    for held in sets:
        train = tuple(s for s in sets if s != held)
        ascent, seen = fit(score, train, grid, start, rounds, min_gain)
        folds.append(Fold(held, train, ascent.point, mean_objective(score, train)(start), ascent.objective,
                          score(start, held), score(ascent.point, held), seen))
    return folds


def consistent(folds: Sequence[Fold], worst: float = 0.005) -> bool:
    """Whether the fitted constants beat the defaults held out: at least all folds but one better,
    none worse by more than `worst`."""
    better = sum(f.delta > 0 for f in folds)
    return better >= len(folds) - 1 and all(f.delta >= -worst for f in folds)


def _changes(point: Point, start: Point) -> str:
    moved = [f"{k} {start[k]:g} → {v:g}" for k, v in point.items() if v != start[k]]
    return ", ".join(moved) or "the defaults"


def fold_table(folds: Sequence[Fold], sets: Mapping[str, TuneSet], start: Point) -> str:
    """The per-fold figures as a Markdown table."""
    lines = ["| held out | measure | defaults | fitted | Δ | train mean: defaults → fitted "
             "| constants chosen on the other three |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for f in folds:
        lines.append(f"| {f.held_out} | {sets[f.held_out].measure} | {f.held_default:.3f} | {f.held_fitted:.3f} | "
                     f"{f.delta:+.3f} | {f.train_default:.3f} → {f.train_fitted:.3f} | {_changes(f.chosen, start)} |")
    return "\n".join(lines)


def one_at_a_time(score: SetScore, sets: Sequence[str], grid: Mapping[str, Sequence[float]],
                  start: Point) -> str:
    """Each value of the grid alone, the other constants at `start`: every set's figure and its
    change from `start`, as a Markdown table (which constant helps one set and hurts another)."""
    lines = ["| constant | " + " | ".join(sets) + " | mean |", "| --- |" + " --- |" * (len(sets) + 1)]
    base = {s: score(start, s) for s in sets}
    lines.append("| the defaults | " + " | ".join(f"{base[s]:.3f}" for s in sets)
                 + f" | {sum(base.values()) / len(sets):.3f} |")
    for name, values in grid.items():
        for value in values:
            if value == start[name]:
                continue
            point = {**start, name: value}
            got = {s: score(point, s) for s in sets}
            lines.append(f"| {name} {value:g} | " + " | ".join(f"{got[s]:.3f} ({got[s] - base[s]:+.3f})" for s in sets)
                         + f" | {sum(got.values()) / len(sets):.3f} |")
    return "\n".join(lines)


def parse_grid(items: Sequence[str], base: RankingConfig = DEFAULT) -> dict[str, tuple[float, ...]]:
    """``NAME=V1,V2,...`` strings -> {constant: values}; the default value is added when missing.

    :raise argparse.ArgumentTypeError: not NAME=values, or not a numeric RankingConfig field."""
    grid: dict[str, tuple[float, ...]] = {}
    for item in items:
        name, sep, values = item.partition("=")
        name = name.strip()
        default = getattr(base, name, None)
        if not sep or isinstance(default, bool) or not isinstance(default, (int, float)):
            raise argparse.ArgumentTypeError(f"--grid wants NAME=V1,V2,... with NAME a numeric ranking setting, "
                                             f"got {item!r}")
        try:
            tried = {float(v) for v in values.split(",") if v.strip()}
        except ValueError:
            raise argparse.ArgumentTypeError(f"--grid {name}: values must be numbers, got {values!r}") from None
        grid[name] = tuple(sorted(tried | {float(default)}))
    return grid


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.tune", description=__doc__.split("\n\n")[0])
    p.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared folder with eval/, data/, tools/")
    p.add_argument("--arcd-index", type=Path, required=True, help="an Arshif index of eval/arcd/corpus.jsonl")
    p.add_argument("--snn-index", type=Path, required=True, help="an Arshif index of data/saudinewsnet.jsonl.gz")
    p.add_argument("--sets", default=",".join(SET_NAMES), help="comma-separated (default: all four)")
    p.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2,V3",
                   help="a constant and its values (repeat; default: DEFAULT_GRID)")
    p.add_argument("--rounds", type=int, default=1, help="coordinate-ascent passes (default 1)")
    p.add_argument("--one-at-a-time", action="store_true",
                   help="also print each grid value alone against the defaults, per set")
    p.add_argument("--min-gain", type=float, default=0.0,
                   help="a move must raise the mean figure by more than this (default 0)")
    p.add_argument("--limit-queries", type=int, default=None, help="the first N queries of each set (development)")
    p.add_argument("--cache", type=Path, default=Path("/tmp/arshif-tune"), help="where figures are cached")
    p.add_argument("--json", type=Path, default=None, help="also write the folds and the full fit as JSON")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        grid = parse_grid(args.grid) if args.grid else dict(DEFAULT_GRID)
    except argparse.ArgumentTypeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    sets = default_sets(args.shared, args.arcd_index, args.snn_index)
    unknown = [n for n in names if n not in sets]
    if unknown or len(names) < 2:
        print(f"error: --sets wants two or more of {', '.join(sets)}", file=sys.stderr)
        return 2
    missing = [str(p) for n in names for p in (sets[n].index, sets[n].queries, sets[n].qrels) if p and not p.exists()]
    if missing:
        print(f"error: not found: {', '.join(missing)}", file=sys.stderr)
        return 2
    names_score = load_names_score(args.shared) if "names" in names else None
    scorer = CachedScorer({n: sets[n] for n in names}, args.cache / "figures.jsonl", args.limit_queries,
                          names_score=names_score, corpus=args.shared / "data" / "saudinewsnet.jsonl.gz")
    start = {name: float(getattr(DEFAULT, name)) for name in grid}
    print(f"engine {scorer.engine}; grid {grid}; rounds {args.rounds}; min gain {args.min_gain}; "
          f"sets {', '.join(names)}", flush=True)
    folds = cross_validate(scorer, names, grid, start, args.rounds, args.min_gain)
    full = fit(scorer, names, grid, start, args.rounds, args.min_gain)[0]
    print()
    print(fold_table(folds, sets, start))
    print(f"\nfitted on all {len(names)} sets: {_changes(full.point, start)}; mean "
          f"{mean_objective(scorer, names)(start):.3f} → {full.objective:.3f} "
          f"({', '.join(f'{n} {scorer(full.point, n):.3f}' for n in names)})")
    if args.one_at_a_time:
        print()
        print(one_at_a_time(scorer, names, grid, start))
    verdict = consistent(folds)
    print("held out, the fitted constants " + ("beat the defaults consistently" if verdict else
          "do not beat the defaults consistently (keep the defaults)"))
    print(f"{scorer.evaluations} set evaluations computed, the rest from {args.cache}")
    if args.json:
        args.json.write_text(json.dumps({
            "engine": scorer.engine, "grid": grid, "rounds": args.rounds, "min_gain": args.min_gain,
            "limit_queries": args.limit_queries,
            "folds": [{"held_out": f.held_out, "train": f.train, "chosen": f.chosen, "held_default": f.held_default,
                       "held_fitted": f.held_fitted, "train_default": f.train_default,
                       "train_fitted": f.train_fitted, "fit_sets": sorted(f.fit_sets)} for f in folds],
            "full": {"point": full.point, "objective": full.objective, "steps": full.steps},
            "consistent": verdict}, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
