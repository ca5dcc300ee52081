"""BM25 (Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond", 2009),
used by both ranking phases: Lucene's never-negative idf and the saturated, length-normalized
term frequency, and the collection statistics they read.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


def idf(doc_count: int, df: int) -> float:
    """BM25's inverse document frequency, Lucene's form: ``log(1 + (N - df + 0.5) / (df + 0.5))``,
    never negative (a frequency that counts deleted documents, as Whoosh's does, is capped at
    the live document count `doc_count`)."""
    df = min(df, doc_count)
    return math.log(1 + (doc_count - df + 0.5) / (df + 0.5))


def bm25(tf: np.ndarray, length: np.ndarray, avg: float, k1: float, b: float, idf: float = 1.0) -> np.ndarray:
    """``idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / avg))`` element-wise: term
    frequencies `tf` (any weights) in texts of `length` tokens, `avg` the average length (taken
    as at least 1, so an empty field never divides by zero). Arrays keep their dtype."""
    norm = k1 * (1 - b + b * length / max(avg, 1.0))
    return idf * tf * (k1 + 1) / (tf + norm)


@dataclass
class CollectionStats:
    """What BM25 needs about the collection: live document count, each field's average length
    (over the documents that have it), and document frequencies (memoized for one query)."""

    doc_count: int
    avg_length: dict[str, float]
    doc_frequency: Callable[[str, str], int]  # (field, term) -> documents holding it
    _idf: dict[tuple[str, str], float] = field(default_factory=dict)

    def idf(self, field: str, term: str) -> float:
        key = (field, term)
        value = self._idf.get(key)
        if value is None:
            value = self._idf[key] = idf(self.doc_count, self.doc_frequency(field, term))
        return value
