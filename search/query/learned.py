"""A learned second phase: a LambdaMART model (LightGBM) over the second phase's features.

The model reads, for each candidate, :data:`MODEL_FEATURES`: the idf-weighted features of
:func:`search.query.rerank.candidate_features` divided by the query's idf total (so that a long
question and a two-word name are on one scale), the fraction of words matched, the first-phase
and hand-weighted scores relative to the query's best, whether the candidate has every part of the
query, and the query's length and mean idf. It is fitted by ``python -m bench.ltr`` (Burges,
"From RankNet to LambdaRank to LambdaMART: An Overview", MSR-TR-2010-82; LightGBM's ``lambdarank``
objective) and cross-validated there over the four dev sets.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from search.query.bm25 import CollectionStats
from search.query.config import DEFAULT, RankingConfig
from search.query.rerank import FEATURE_COLUMN, QueryWord, linear_score

#: The features divided by the query's idf total (each is a sum of idf-weighted terms).
_PER_IDF = ("stem_title", "stem_body", "exact_title", "exact_body", "lead", "broad",
            "proximity_title", "proximity_body", "passage")
MODEL_FEATURES = (*_PER_IDF, "matched", "first_phase", "hand_weighted", "complete", "words", "mean_idf")

#: LightGBM's settings for the fit (``python -m bench.ltr --params`` overrides them).
TRAINING: dict[str, Any] = {
    "objective": "lambdarank", "metric": "ndcg", "eval_at": [10], "lambdarank_truncation_level": 20,
    "num_leaves": 7, "min_data_in_leaf": 100, "learning_rate": 0.05, "num_iterations": 200,
    "feature_fraction": 1.0, "bagging_fraction": 0.8, "bagging_freq": 1, "seed": 7, "deterministic": True,
    "num_threads": 1, "verbosity": -1,
}

#: The model shipped with the engine (``RankingConfig.learned_model`` names it).
MODEL_DIR = Path(__file__).resolve().parent / "models"


def idf_total(words: Sequence[QueryWord], stats: CollectionStats, fields: Sequence[str]) -> float:
    """The sum of the query words' idf in the last searched field (the body)."""
    return float(sum(stats.idf(fields[-1], w.stem) for w in words))


def model_features(features: np.ndarray, first: np.ndarray, later: np.ndarray, idf_sum: float,
                   n_words: int, config: RankingConfig = DEFAULT) -> np.ndarray:
    """The (candidates, :data:`MODEL_FEATURES`) input of the model.

    :param features: (candidates, :data:`search.query.rerank.FEATURES`) of the query's candidates.
    :param first: their first-phase scores; `later`: True for a candidate lacking a part of the query.
    """
    n = len(features)
    scale = max(idf_sum, 1e-9)
    hand = linear_score(features, config)
    out = np.empty((n, len(MODEL_FEATURES)))
    for i, name in enumerate(_PER_IDF):
        out[:, i] = features[:, FEATURE_COLUMN[name]] / scale
    k = len(_PER_IDF)
    out[:, k] = features[:, FEATURE_COLUMN["matched"]]
    out[:, k + 1] = first / max(float(first.max()), 1e-9) if n else first
    out[:, k + 2] = hand / max(float(hand.max()), 1e-9) if n else hand
    out[:, k + 3] = ~later
    out[:, k + 4] = n_words
    out[:, k + 5] = idf_sum / max(n_words, 1)
    return out


@functools.lru_cache(maxsize=4)
def load(name: str) -> Any:
    """The LightGBM booster saved as ``models/<name>.txt`` (or at the path `name`, ending in ``.txt``).

    :raise FileNotFoundError: no such model; ImportError: LightGBM is not installed."""
    import lightgbm

    path = Path(name) if name.endswith(".txt") else MODEL_DIR / f"{name}.txt"
    if not path.is_file():
        raise FileNotFoundError(f"no ranking model {path}")
    return lightgbm.Booster(model_file=str(path))


def learned_score(name: str, features: np.ndarray, first: np.ndarray, later: np.ndarray, idf_sum: float,
                  n_words: int, config: RankingConfig = DEFAULT) -> np.ndarray:
    """The model `name`'s score of each candidate, float64 in (0, 1), higher is better: the
    logistic function of LambdaMART's raw score (which only orders, and may be negative), so that
    a hit's score stays a positive figure as the hand-weighted one is."""
    if not len(features):
        return np.zeros(0)
    x = model_features(features, first, later, idf_sum, n_words, config)
    raw = np.asarray(load(name).predict(x, num_threads=1), dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-raw))
