"""First phase: candidates for the second, by BM25 over the postings of every query word.

Each query word is scored in each searched field as one BM25 term (Robertson & Zaragoza, 2009)
whose frequency adds up its stem, the stems of its other readings and, for short queries, its
ب/ل/ك/ف forms found in the index (at ``clitic_weight``), before saturation; the field's score is
weighted (``field_weights``). Everything is an array over the index's document numbers, so
filters (dates, exclusions), exact totals and facet counts are array operations too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from search.query.bm25 import bm25, idf
from search.query.config import RankingConfig
from search.query.rerank import QueryWord

Postings = tuple[np.ndarray, np.ndarray]  # (document numbers, term frequencies)


class PostingSource(Protocol):
    """What the first phase reads: postings, frequencies, field lengths (a Whoosh index's
    :class:`search.index.postings.BoundPostings`, or any index that can give posting arrays)."""

    doc_count: int
    doc_count_all: int

    def postings(self, field: str, term: str) -> Postings: ...
    def doc_frequency(self, field: str, term: str) -> int: ...
    def documents_holding(self, fields: tuple[str, ...], term: str) -> int: ...
    def field_lengths(self, field: str) -> tuple[np.ndarray, float]: ...


def score(source: PostingSource, words: list[QueryWord], fields: tuple[str, ...],
          config: RankingConfig, per_word: list[np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The first-phase score of every document: BM25F of the query words over `fields`
    (:func:`add_bm25f`), or, with ``config.bm25f`` off, a weighted sum of per-field BM25.

    :param per_word: a list to append, for each word in order, the document numbers it matched.
    :return: (float32 scores, boolean "matched some word" mask), both one entry per document
        number; without words (a query of exclusions only) every document is matched.
    """
    scores = np.zeros(source.doc_count_all, dtype=np.float32)
    matched = np.zeros(source.doc_count_all, dtype=bool)
    if not words:
        matched[:] = True
        return scores, matched
    per_word = [] if per_word is None else per_word
    with_clitics = len(words) <= config.clitic_candidate_words
    for word in words:
        terms = [(word.stem, 1.0)] + [(a, 1.0) for a in word.alternates]
        if with_clitics:
            terms += [(v, config.clitic_weight) for v in word.variants]
        if config.bm25f:
            ids = add_bm25f(source, fields, word.stem, terms, scores, config)
            matched[ids] = True
            per_word.append(ids)
            continue
        found = []
        for name in fields:
            weight = idf(source.doc_count, source.doc_frequency(name, word.stem)) * config.field_weight(name)
            ids = add_bm25(source, name, terms, weight, scores, config.bm25_k1, config.candidate_bm25_b)
            matched[ids] = True
            found.append(ids)
        per_word.append(np.unique(np.concatenate(found)) if len(found) > 1 else found[0])
    return scores, matched


def complete(per_word: list[np.ndarray], groups: list[list[list[int]]], n: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Which documents have every part of the query: a part (a clause) is met when one of its
    options (a word, a phrase's words, an OR alternative) has all its words.

    :param per_word: each query word's matched document numbers (from :func:`score`).
    :param groups: the clauses, each a list of options, each a list of word indices.
    :return: (the "has every part" mask, each part's mask), over `n` documents."""
    parts = []
    for clause in groups:
        met = np.zeros(n, dtype=bool)
        for option in clause:
            has = np.ones(n, dtype=bool)
            for w in option:
                word = np.zeros(n, dtype=bool)
                word[per_word[w]] = True
                has &= word
            met |= has
        parts.append(met)
    every = np.ones(n, dtype=bool)
    for met in parts:
        every &= met
    return every, parts


def add_bm25f(source: PostingSource, fields: tuple[str, ...], stem: str, terms: list[tuple[str, float]],
              scores: np.ndarray, config: RankingConfig) -> np.ndarray:
    """Add one query word's BM25F score to `scores`; return the document numbers it matched.

    BM25F as Robertson and Zaragoza define it ("The Probabilistic Relevance Framework: BM25 and
    Beyond", 2009, section 3.1): each field's frequency is length-normalized on its own
    (``1 - b + b * length / average``) and weighted, the fields are summed into one pseudo
    frequency, saturated once (``k1``), and multiplied by one document-level idf (documents
    with the word's stem in any of `fields`). One title match of a common word no longer
    outweighs body matches of every word of a sentence.

    :param terms: (term, weight) pairs counted as this word (its stem, the other readings of its
        spelling, its ب/ل/ك/ف forms at a lower weight); their frequencies add up.
    """
    found = []
    b, k1 = config.candidate_bm25_b, config.bm25_k1
    for name in fields:
        ids, tf = _postings_of(source, name, terms, len(scores))
        if not len(ids):
            continue
        lengths, avg = source.field_lengths(name)
        norm = 1 - b + b * lengths[ids] / max(avg, 1.0)
        found.append((ids, config.field_weight(name) * tf / norm))
    if not found:
        return np.empty(0, dtype=np.int64)
    ids, tf = _add_up(found, len(scores))
    df = source.documents_holding(fields, stem)
    scores[ids] += idf(source.doc_count, df) * tf * (k1 + 1) / (tf + k1)
    return ids


def _postings_of(source: PostingSource, field: str, terms: list[tuple[str, float]], n: int) -> Postings:
    """The documents holding any of `terms` in `field`, with their weighted frequencies added up."""
    found = []
    for term, weight in terms:
        ids, tf = source.postings(field, term)
        if len(ids):
            found.append((ids, tf * weight))
    if not found:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    return _add_up(found, n)


def _add_up(found: list[Postings], n: int) -> Postings:
    """(document numbers, values) pairs merged: each document once, its values summed."""
    if len(found) == 1:
        return found[0]
    ids = np.concatenate([i for i, _ in found])
    values = np.concatenate([v for _, v in found])
    if len(ids) * 8 > n:  # many postings: add them up by document, linearly
        summed = np.bincount(ids, weights=values, minlength=n)
        ids = np.flatnonzero(summed)
        return ids, summed[ids].astype(np.float32)
    ids, inverse = np.unique(ids, return_inverse=True)  # a few: sort them
    return ids, np.bincount(inverse, weights=values).astype(np.float32)


def add_bm25(source: PostingSource, field: str, terms: list[tuple[str, float]], idf: float,
             scores: np.ndarray, k1: float, b: float) -> np.ndarray:
    """Add one query word's BM25 score in `field` to `scores`; return the document numbers it
    matched.

    :param terms: (term, weight) pairs counted as this word; their frequencies add up before
        saturation.
    """
    ids, tf = _postings_of(source, field, terms, len(scores))
    if not len(ids):
        return ids
    lengths, avg = source.field_lengths(field)
    scores[ids] += bm25(tf, lengths[ids], avg, k1, b, idf=idf)
    return ids


def order(docnums: np.ndarray, scores: np.ndarray, dates: np.ndarray, sort: str, depth: int,
          date_order: Callable[[np.ndarray, bool], np.ndarray],
          first: np.ndarray | None = None) -> list[tuple[float, int]]:
    """The first `depth` (score, document number) pairs of `docnums` in the asked order:
    ``relevance`` (ties newest first), ``newest`` or ``oldest`` (undated last in every order,
    as `date_order` keys them); the documents of the mask `first` before the others in each."""
    tier = np.zeros(len(docnums), dtype=np.int8) if first is None else (~first[docnums]).astype(np.int8)
    if sort == "relevance":
        # a tier apart from any score, in float64: float32 would round every score of the second
        # tier to -1e30 and argpartition would pick among them at random
        key = scores[docnums].astype(np.float64) - tier * 1e9
        if len(docnums) > depth:
            top = np.argpartition(-key, depth - 1)[:depth]
            docnums, key, tier = docnums[top], key[top], tier[top]
        ranked = np.lexsort((date_order(dates[docnums], True), -scores[docnums], tier))
    else:
        ranked = np.lexsort((date_order(dates[docnums], sort == "newest"), tier))[:depth]
    return [(float(scores[d]), int(d)) for d in docnums[ranked][:depth]]
