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
    if len(stems) < k:
        return frozenset()
    ids = stems.astype(np.uint64)
    mixed = ids[:len(ids) - k + 1].copy()
    for j in range(1, k):  # a polynomial hash of the k ids (wrapping: only equality matters)
        mixed = mixed * np.uint64(1_000_003) + ids[j:len(ids) - k + 1 + j]
    return frozenset(mixed.tolist())


def resemblance(a: frozenset[int], b: frozenset[int]) -> float:
    """Jaccard coefficient |a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


@dataclass
class Group:
    """One story: the best-ranked article and the near copies ranked below it."""

    score: float
    doc: Any
    members: list[tuple[float, Any]] = field(default_factory=list)


def group_near_duplicates(ranked: Sequence[tuple[float, Any]], wanted: int,
                          bodies: Callable[[list[Any]], list[frozenset[int]]],
                          dates: Callable[[Any], datetime | None],
                          threshold: float = THRESHOLD, days: int = DAYS, batch: int = 32) -> list[Group]:
    """Walk `ranked` ((score, document) pairs, best first) until `wanted` groups are formed (or
    the list ends); each document joins the first earlier group whose article it resembles.

    :param bodies: documents -> their bodies' shingle sets (:func:`shingles`), asked in batches.
    :param dates: document -> its publication instant (None: undated, never grouped).
    :return: the groups in rank order (at most `wanted`).
    """
    groups: list[Group] = []
    signatures: list[tuple[frozenset[int], datetime | None]] = []
    i = 0
    while i < len(ranked) and len(groups) < wanted:
        chunk = list(ranked[i:i + batch])
        i += len(chunk)
        for (score, doc), body in zip(chunk, bodies([doc for _, doc in chunk])):
            when = dates(doc)
            home = None
            if when is not None and len(body) >= MIN_SHINGLES:
                for g, (other, other_when) in enumerate(signatures):
                    if other_when is not None and abs((when - other_when).total_seconds()) <= days * 86400 \
                            and len(other) >= MIN_SHINGLES and resemblance(body, other) >= threshold:
                        home = g
                        break
            if home is None:
                if len(groups) == wanted:
                    return groups
                groups.append(Group(score, doc))
                signatures.append((body, when))
            else:
                groups[home].members.append((score, doc))
    return groups
