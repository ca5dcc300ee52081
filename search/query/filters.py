"""Which articles satisfy a query's required words, phrases and exclusions (no scoring).

Document sets are boolean NumPy masks over the index's document numbers, built from the posting
arrays of :class:`search.index.postings.PostingIndex`. A phrase is checked on the candidates that hold
all its words, in the analyzed form stored for each text (the stems in order, stopwords left
out, as the analyzer indexes them), so the index keeps no positions: that saves a quarter of a
reindex and of the index size. A phrase of common words costs a few microseconds per candidate.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from search.analysis.analyzer import forms, term_id
from search.index.postings import PostingIndex
from search.query.parser import Clause, alternate_stems
from search.query.rerank import FieldText

#: text field -> the column of its analyzed form (:class:`search.index.term_ids.FormsColumn`).
FormsColumns = Mapping[str, object]


def constraint_mask(clauses: list[Clause], fields: tuple[str, ...], index: PostingIndex, reader,
                    forms_columns: FormsColumns, require_all: bool) -> np.ndarray:
    """The articles that satisfy all (`require_all`) or any of `clauses` (none, without clauses)."""
    if not clauses:
        return np.zeros(index.doc_count_all, dtype=bool)
    masks = [_clause_mask(c, fields, index, reader, forms_columns) for c in clauses]
    out = masks[0]
    for mask in masks[1:]:
        out = (out & mask) if require_all else (out | mask)
    return out


def _clause_mask(clause: Clause, fields, index: PostingIndex, reader, forms_columns: FormsColumns) -> np.ndarray:
    mask = np.zeros(index.doc_count_all, dtype=bool)
    for option in (clause, *clause.alternatives):
        if option.phrase and len(option.words) > 1:
            mask |= _phrase_mask([forms(w)[1] for w in option.words], fields, index, reader, forms_columns)
        else:
            raw = option.words[0]
            for name in fields:
                for stem in (forms(raw)[1], *alternate_stems(raw)):
                    mask[index.postings(reader, name, stem)[0]] = True
    return mask


def _phrase_mask(stems: list[str], fields, index: PostingIndex, reader, forms_columns: FormsColumns) -> np.ndarray:
    """Articles with the stems one after the other in one of `fields`."""
    mask = np.zeros(index.doc_count_all, dtype=bool)
    ids = np.array([term_id(s) for s in stems], dtype=np.uint32)
    for name in fields:
        candidates = None
        for stem in stems:
            docs = index.postings(reader, name, stem)[0]
            candidates = docs if candidates is None else np.intersect1d(candidates, docs, assume_unique=True)
        column = forms_columns[name]
        for docnum in candidates.tolist():
            if not mask[docnum] and has_sequence(FieldText.decode(column[docnum]).stems, ids):
                mask[docnum] = True
    return mask


def has_sequence(stems: np.ndarray, ids: np.ndarray) -> bool:
    """Whether `ids` occur in `stems` one right after the other."""
    k, n = len(ids), len(stems)
    if n < k:
        return False
    hit = stems[:n - k + 1] == ids[0]
    for j in range(1, k):
        hit &= stems[j:n - k + 1 + j] == ids[j]
    return bool(hit.any())
