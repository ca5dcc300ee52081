"""Filters: which articles satisfy a query's required words, phrases and exclusions (no scoring).

Document sets are boolean NumPy masks over the index's document numbers, built from posting
arrays (:class:`search.query.first_phase.PostingSource`). A word matches by the same stems as in
ranking (:attr:`search.query.parser.Term.matching`: with its alternates and the affixed forms the
index makes likely, so ``"وزارة الداخلية"`` finds بوزارة الداخلية and ``-مصر`` leaves out بمصر).
A phrase is checked on the candidates that hold all its words, in each text's stored term ids
(the stems in order, stopwords left out, as the analyzer indexes them,
:mod:`search.index.term_ids`), so the index keeps no positions: that saves a quarter of a reindex
and of the index size. A phrase of common words costs a few microseconds per candidate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np

from search.analysis.analyzer import term_id
from search.index.term_ids import TermIds
from search.query.first_phase import PostingSource
from search.query.parser import Clause


class TermIdColumn(Protocol):
    """A document number's stored term ids (:class:`search.index.term_ids.TermIdColumn`)."""

    def __getitem__(self, docnum: int) -> bytes: ...


#: text field -> its term-id column.
TermIdColumns = Mapping[str, TermIdColumn]


def constraint_mask(clauses: list[Clause], fields: tuple[str, ...], source: PostingSource,
                    columns: TermIdColumns, require_all: bool) -> np.ndarray:
    """The articles that satisfy all (`require_all`) or any of `clauses` (none, without clauses)."""
    if not clauses:
        return np.zeros(source.doc_count_all, dtype=bool)
    masks = [_clause_mask(c, fields, source, columns) for c in clauses]
    out = masks[0]
    for mask in masks[1:]:
        out = (out & mask) if require_all else (out | mask)
    return out


def _clause_mask(clause: Clause, fields, source: PostingSource, columns: TermIdColumns) -> np.ndarray:
    mask = np.zeros(source.doc_count_all, dtype=bool)
    for option in clause.options:
        if option.phrase and len(option.terms) > 1:
            mask |= _phrase_mask([t.matching for t in option.terms], fields, source, columns)
        else:
            for name in fields:
                for stem in option.terms[0].matching:
                    mask[source.postings(name, stem)[0]] = True
    return mask


def _phrase_mask(words: list[tuple[str, ...]], fields, source: PostingSource, columns: TermIdColumns) -> np.ndarray:
    """Articles with the words one after the other in one of `fields` (each word by any of its
    stems)."""
    mask = np.zeros(source.doc_count_all, dtype=bool)
    ids = [np.array([term_id(s) for s in stems], dtype=np.uint32) for stems in words]
    for name in fields:
        candidates = None
        for stems in words:
            docs = np.unique(np.concatenate([source.postings(name, s)[0] for s in stems]))
            candidates = docs if candidates is None else np.intersect1d(candidates, docs, assume_unique=True)
        column = columns[name]
        assert candidates is not None  # a phrase has two words or more
        for docnum in candidates.tolist():
            if not mask[docnum] and has_sequence(TermIds.decode(column[docnum]).stems, ids):
                mask[docnum] = True
    return mask


def has_sequence(stems: np.ndarray, ids: list[np.ndarray] | np.ndarray) -> bool:
    """Whether `ids` occur in `stems` one right after the other (each entry of `ids` one id, or
    an array of the ids any of which may stand at that place)."""
    k, n = len(ids), len(stems)
    if n < k:
        return False
    hit = np.isin(stems[:n - k + 1], ids[0])
    for j in range(1, k):
        hit &= np.isin(stems[j:n - k + 1 + j], ids[j])
    return bool(hit.any())
