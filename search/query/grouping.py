"""Near-duplicate grouping: the same wire story published by several papers, shown once.

News archives hold the same agency story (واس, أ ف ب) in five papers with small edits: a new
headline, a dropped paragraph, a local sentence. Exact copies are already dropped at indexing
(:mod:`search.index.build`); near copies are grouped here, at query time, on the ranked list: a
candidate joins the group of the first higher-ranked article that it resembles, and the page lists
groups, each under its best-ranked article with the others "also in".

Resemblance is the Jaccard coefficient of the two bodies' sets of word 3-shingles (Broder, "On the
resemblance and containment of documents", 1997), over the stems the index stores for the second
phase (so spelling and clitic differences do not count), for articles published within
:data:`DAYS` days of each other (a daily bulletin that reuses yesterday's wording is a new story).
On SaudiNewsNet the same story in two papers scores 0.5-0.9; different stories on one subject
(daily figures of one ministry) score under 0.4.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from scipy import sparse

#: Shingles of this many consecutive stems.
SHINGLE = 3
#: Two bodies at least this similar (Jaccard of their shingle sets) are one story.
THRESHOLD = 0.5
#: ... when published at most this many days apart (undated articles are never grouped).
DAYS = 2
#: Bodies with fewer shingles are too short to tell (a caption, a one-line brief).
MIN_SHINGLES = 20


def shingles(stems: np.ndarray, k: int = SHINGLE) -> frozenset[int]:
    """The set of `k`-stem shingles of a body (term ids in order), each hashed to one integer."""
    return frozenset(_window_hashes(np.asarray(stems).astype(np.uint64), k).tolist())


def _window_hashes(ids: np.ndarray, k: int) -> np.ndarray:
    """The hash of each run of `k` consecutive ids (uint64): a polynomial of the k ids, wrapping
    (only equality matters); empty when there are fewer than `k` ids."""
    if len(ids) < k:
        return np.empty(0, dtype=np.uint64)
    mixed = ids[:len(ids) - k + 1].copy()
    for j in range(1, k):
        mixed = mixed * np.uint64(1_000_003) + ids[j:len(ids) - k + 1 + j]
    return mixed


def resemblance(a: frozenset[int], b: frozenset[int]) -> float:
    """Jaccard coefficient |a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def resemblances(bodies: Sequence[np.ndarray], k: int = SHINGLE) -> tuple[np.ndarray, np.ndarray]:
    """The :func:`resemblance` of every pair of `bodies` (term ids in order) at once, and each
    body's number of distinct shingles: the bodies' shingles (hashed as :func:`shingles` hashes
    them) as a sparse 0/1 (documents × shingles) matrix X, whose product X·Xᵀ counts the shingles
    each pair shares (SciPy's sparse product: the cost grows with the shared shingles, not with
    the pairs compared).

    :return: (an (n, n) float64 matrix of Jaccard coefficients, 0 where either body has no
        shingle; an (n,) int array of shingle counts)."""
    n = len(bodies)
    lengths = np.fromiter((len(b) for b in bodies), dtype=np.int64, count=n)
    total = int(lengths.sum())
    if total < k:
        return np.zeros((n, n)), np.zeros(n, dtype=np.int64)
    ids = np.concatenate([np.asarray(b) for b in bodies]).astype(np.uint64)
    doc = np.repeat(np.arange(n), lengths)
    starts = total - k + 1
    mixed = _window_hashes(ids, k)  # over the bodies end to end, as :func:`shingles` hashes one
    inside = doc[:starts] == doc[k - 1:]  # a shingle's first and last ids in one body
    values, rows = mixed[inside], doc[:starts][inside]
    distinct, cols = np.unique(values, return_inverse=True)
    x = sparse.csr_matrix((np.ones(len(cols), dtype=np.int32), (rows, cols.ravel())), shape=(n, len(distinct)))
    x.sum_duplicates()
    x.data[:] = 1  # a set: a shingle repeated in one body counts once
    sizes = np.asarray(x.sum(axis=1)).ravel().astype(np.int64)
    common = (x @ x.T).toarray().astype(np.float64)
    union = sizes[:, None] + sizes[None, :] - common
    with np.errstate(divide="ignore", invalid="ignore"):
        jaccard = np.where((sizes[:, None] > 0) & (sizes[None, :] > 0), common / union, 0.0)
    return jaccard, sizes


@dataclass
class Group:
    """One story: the best-ranked article and the near copies ranked below it."""

    score: float
    doc: Any
    members: list[tuple[float, Any]] = field(default_factory=list)


def group_near_duplicates(ranked: Sequence[tuple[float, Any]], wanted: int,
                          bodies: Callable[[list[Any]], list[np.ndarray]],
                          dates: Callable[[Any], datetime | None],
                          threshold: float = THRESHOLD, days: int = DAYS) -> list[Group]:
    """Walk `ranked` ((score, document) pairs, best first) until `wanted` groups are formed (or
    the list ends); each document joins the first earlier group whose article it resembles
    (:func:`resemblances`, all pairs of `ranked` at once).

    :param bodies: documents -> their bodies' term ids in order (asked once, for all of `ranked`).
    :param dates: document -> its publication instant (None: undated, never grouped).
    :return: the groups in rank order (at most `wanted`).
    """
    if not ranked or wanted <= 0:
        return []
    docs = [doc for _, doc in ranked]
    jaccard, sizes = resemblances(bodies(docs))
    instants = [dates(doc) for doc in docs]
    base = next((w for w in instants if w is not None), None)
    seconds = np.array([np.nan if w is None or base is None else (w - base).total_seconds() for w in instants])
    usable = ~np.isnan(seconds) & (sizes >= MIN_SHINGLES)
    with np.errstate(invalid="ignore"):  # (nan: undated, not usable anyway)
        near = (jaccard >= threshold) & (np.abs(seconds[:, None] - seconds[None, :]) <= days * 86400)
    near &= usable[:, None] & usable[None, :]
    groups: list[Group] = []
    heads: list[int] = []  # the position in `ranked` of each group's article
    for i, (score, doc) in enumerate(ranked):
        found = np.flatnonzero(near[i, heads]) if usable[i] and heads else np.empty(0, dtype=np.int64)
        if len(found):
            groups[int(found[0])].members.append((score, doc))
            continue
        if len(groups) == wanted:
            break
        groups.append(Group(score, doc))
        heads.append(i)
    return groups
