"""Second phase: rescore the best first-phase candidates with Arabic-aware features.

The first phase (:mod:`search.query.first_phase`) finds candidates fast with BM25 over the query
words' stems. The top :attr:`~search.query.config.RankingConfig.rerank_depth` of them are then
scored here from their term ids, stored at index time beside the text
(:mod:`search.index.term_ids`), with features that a plain BM25 over stems lacks (each weight is
a field of :class:`~search.query.config.RankingConfig`, so the ablation can switch it off):

- **exact form**: a word that occurs in the form the user typed (normalized) scores above a
  match on its stem alone (``exact_weight``);
- **field weights**: a match in the title counts more (``field_weights``);
- **coordination**: an article with more of the query's words ranks above one that repeats a
  few of them (``coordination``): long questions need every content word to count;
- **proximity**: query words next to each other in the article, as in the query, add a bonus
  (``proximity_weight``, within ``proximity_window`` words);
- **best passage**: the idf sum of the query words gathered in one window of the body
  (``passage_weight``, ``passage_words``), as in passage retrieval for question answering;
- **lead**: news puts the headline's words in its first sentences; matches in the first
  ``lead_words`` words of the body add a bonus (``lead_weight``);
- **broad stem**: a form of the word's broad stem (:mod:`search.analysis.broad_stems`) counts a
  little when the word itself is missing (``broad_stem_weight``).

Term frequencies are scored with BM25 (:mod:`search.query.bm25`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from search.analysis.analyzer import term_id
from search.analysis.broad_stems import broad_stem
from search.index.term_ids import TermIds
from search.query.bm25 import CollectionStats, bm25
from search.query.config import DEFAULT, RankingConfig
from search.query.parser import Term


@dataclass(frozen=True)
class QueryWord:
    """One query word as the ranking scores it: its exact (normalized) form, its stem, and the
    other stems that count for it in this index."""

    exact: str
    stem: str
    variants: frozenset[str] = frozenset()  # ب/ل/ك/ف forms found in the vocabulary
    alternates: frozenset[str] = frozenset()  # the other readings of its spelling (full weight)

    @classmethod
    def of(cls, term: Term) -> QueryWord:
        """`term` as ranked, with its alternates and affixed forms (those of a term
        :meth:`~search.query.parser.Term.resolved` against the index: the ones it holds)."""
        return cls(term.normalized, term.stem, frozenset(term.clitic_forms), frozenset(term.alternates))

    @property
    def broad_stem(self) -> str:
        return broad_stem(self.exact)


class TermIdSource(Protocol):
    """What :func:`rerank` reads from an index (:class:`search.backends.base.IndexView`)."""

    def stats(self, fields: Sequence[str]) -> CollectionStats: ...
    def term_ids(self, field: str, docs: Sequence[Any]) -> list[bytes]: ...
    def broad_stems(self) -> Any: ...


def rerank(source: TermIdSource, words: list[QueryWord], fields: tuple[str, ...],
           ranked: list[tuple[float, Any]], config: RankingConfig = DEFAULT,
           later: Collection[Any] = (), depth: int | None = None, typed_words: int = 0) -> list[tuple[float, Any]]:
    """The first `depth` (default ``config.rerank_depth``) of `ranked` (first-phase (score,
    document) pairs, best first) rescored from their stored term ids, by the learned model
    ``config.learned_model`` (:mod:`search.query.learned`) for a query of at least
    ``config.learned_min_words`` `typed_words`, else by :func:`linear_score`, and sorted by the
    new score (ties keep their first-phase order), the documents in `later`
    after the others (they lack part of the query); the rest follow as they were."""
    depth = config.rerank_depth if depth is None else depth
    head, tail = ranked[:depth], ranked[depth:]
    docs = [doc for _, doc in head]
    texts = {name: Candidates.stored(source.term_ids(name, docs)) for name in fields}
    stats = source.stats(fields)
    features = candidate_features(words, texts, stats, source.broad_stems(), config)
    if config.learned_model and typed_words >= config.learned_min_words:
        from search.query import learned  # (it reads this module's features)

        scores = learned.learned_score(
            config.learned_model, features, np.array([score for score, _ in head], dtype=np.float64),
            np.array([doc in later for doc in docs], dtype=bool), learned.idf_total(words, stats, fields),
            len(words), config)
        # above the first phase's scores of the rest, so that scores fall along the list as they do
        # with the hand-weighted sum (the model's own are in (0, 1))
        scores = scores + max((score for score, _ in tail), default=0.0)
    else:
        scores = linear_score(features, config)
    rescored = [(float(score), doc) for score, doc in zip(scores, docs)]
    rescored.sort(key=lambda pair: (pair[1] in later, -pair[0]))
    return rescored + tail


def score_all(words: list[QueryWord], docs: list[dict[str, TermIds]], stats: CollectionStats,
              broad_stems=None, config: RankingConfig = DEFAULT) -> np.ndarray:
    """:func:`score_candidates` of candidates given one by one (each a dict of analyzed fields)."""
    names = list(docs[0]) if docs else []
    return score_candidates(words, {name: Candidates.of([doc[name] for doc in docs]) for name in names},
                            stats, broad_stems, config)


#: The second phase's features, one column each of :func:`candidate_features`: BM25 of the stems
#: (with the alternates and the ب/ل/ك/ف forms at ``clitic_weight``) and of the exact forms, in the
#: title and in the other searched fields; the idf sum of the words in the lead; BM25 of broad-stem
#: matches; the proximity bonus in the title and in the other fields; the best passage; and the
#: fraction of the query's words matched.
FEATURES = ("stem_title", "stem_body", "exact_title", "exact_body", "lead", "broad",
            "proximity_title", "proximity_body", "passage", "matched")
#: A feature's column in the matrix of :func:`candidate_features`.
FEATURE_COLUMN = {name: i for i, name in enumerate(FEATURES)}


def score_candidates(words: list[QueryWord], fields: dict[str, Candidates], stats: CollectionStats,
                     broad_stems=None, config: RankingConfig = DEFAULT) -> np.ndarray:
    """The second-phase score of each candidate article (see the module docstring): the features
    of :func:`candidate_features` weighted by `config` (``exact_weight``, ``lead_weight``,
    ``broad_stem_weight``, ``proximity_weight``, ``passage_weight``), summed, and multiplied by
    the coordination factor ``(1 - coordination) + coordination * matched``.

    :param fields: the candidates' searched fields (``title``, ``body``), analyzed.
    :param broad_stems: a :class:`search.analysis.broad_stems.BroadStemMap` (None: no broad-stem matches).
    :return: one float64 score per candidate, in the order of `fields`' candidates.
    """
    return linear_score(candidate_features(words, fields, stats, broad_stems, config), config)


def linear_score(features: np.ndarray, config: RankingConfig = DEFAULT) -> np.ndarray:
    """The hand-weighted second-phase score of a (candidates, :data:`FEATURES`) matrix."""
    f, c = features, FEATURE_COLUMN
    total = (f[:, c["stem_title"]] + f[:, c["stem_body"]]
             + config.exact_weight * (f[:, c["exact_title"]] + f[:, c["exact_body"]])
             + config.lead_weight * f[:, c["lead"]] + config.broad_stem_weight * f[:, c["broad"]]
             + config.proximity_weight * (f[:, c["proximity_title"]] + f[:, c["proximity_body"]])
             + config.passage_weight * f[:, c["passage"]])
    if config.coordination:
        total = total * ((1 - config.coordination) + config.coordination * f[:, c["matched"]])
    return total


def candidate_features(words: list[QueryWord], fields: dict[str, Candidates], stats: CollectionStats,
                       broad_stems=None, config: RankingConfig = DEFAULT) -> np.ndarray:
    """The :data:`FEATURES` of each candidate, computed for all of them at once: term
    frequencies, exact forms, the lead, BM25, proximity and the best passage are array
    operations over the candidates' concatenated tokens. Field weights
    (``field_weights``, ``title_word_discount``) are applied inside the features;
    ``clitic_weight``, ``lead_words``, ``proximity_window``, ``passage_words`` and BM25's k1 and
    b shape them; a broad-stem map of None (or ``broad_stem_weight`` 0) leaves ``broad`` at 0.

    :return: a (candidates, len(FEATURES)) float64 array, in the order of `fields`' candidates.
    """
    n_docs, n_words = (next(iter(fields.values())).n_docs if fields else 0), len(words)
    out = np.zeros((n_docs, len(FEATURES)))
    if not words or not n_docs:
        return out
    stem_rows, norm_rows = _TermMap.for_stems(words), _TermMap.for_forms(words, broad_stems if config.broad_stem_weight else None)
    matched = np.zeros((n_docs, n_words), dtype=bool)
    in_title = np.zeros((n_docs, n_words), dtype=bool)
    title_hits = None
    if "title" in fields:
        titles = fields["title"]
        title_hits = stem_rows.hits(titles.stems, titles)
        doc, word, _, kind = title_hits
        in_title[doc[kind == _TermMap.STEM], word[kind == _TermMap.STEM]] = True
    for field, text in fields.items():
        if not text.size:
            continue
        which = "title" if field == "title" else "body"
        avg = stats.avg_length.get(field, 1.0)
        idf = np.array([stats.idf(field, word.stem) for word in words])
        weight = config.field_weight(field) * (np.where(in_title, config.title_word_discount, 1.0)
                                                  if field != "title" else np.ones((n_docs, n_words)))
        doc, word, pos, kind = title_hits if field == "title" and title_hits is not None else stem_rows.hits(text.stems, text)
        flat = doc * n_words + word
        variant = kind == _TermMap.VARIANT
        tf_stem = np.bincount(flat[~variant], minlength=n_docs * n_words).reshape(n_docs, n_words)
        tf_variant = np.bincount(flat[variant], minlength=n_docs * n_words).reshape(n_docs, n_words)
        found = (tf_stem + tf_variant) > 0
        form_doc, form_word, _, form_kind = norm_rows.hits(text.norms, text)
        form_flat = form_doc * n_words + form_word
        by_form = form_kind == _TermMap.EXACT
        tf_exact = np.bincount(form_flat[by_form], minlength=n_docs * n_words).reshape(n_docs, n_words)
        length = text.lengths[:, None].astype(float)
        out[:, FEATURE_COLUMN[f"stem_{which}"]] += np.where(
            found, weight * idf * _bm25_array(tf_stem + config.clitic_weight * tf_variant, length, avg, config), 0.0).sum(axis=1)
        out[:, FEATURE_COLUMN[f"exact_{which}"]] += np.where(
            found, weight * idf * _bm25_array(tf_exact, length, avg, config), 0.0).sum(axis=1)
        if field == "body":
            first = np.full(n_docs * n_words, np.iinfo(np.int64).max)
            np.minimum.at(first, flat, pos)
            in_lead = found & (first.reshape(n_docs, n_words) < config.lead_words)
            out[:, FEATURE_COLUMN["lead"]] += np.where(in_lead, idf, 0.0).sum(axis=1)
        matched |= found
        if not by_form.all():  # matches on broad stems, for the words a candidate lacks
            tf_root = np.bincount(form_flat[~by_form], minlength=n_docs * n_words).reshape(n_docs, n_words)
            by_root = ~found & (tf_root > 0)
            out[:, FEATURE_COLUMN["broad"]] += np.where(by_root, weight * idf * _bm25_array(tf_root, length, avg, config),
                                                 0.0).sum(axis=1)
            matched |= by_root
        seen = _last_seen(n_words, doc, word, pos)  # what both bonuses read
        out[:, FEATURE_COLUMN[f"proximity_{which}"]] += config.field_weight(field) * _proximity(
            idf, doc, word, seen, n_docs, config.proximity_window)
        if field == "body":
            out[:, FEATURE_COLUMN["passage"]] += _best_passage(idf, doc, seen, n_docs, config.passage_words)
    out[:, FEATURE_COLUMN["matched"]] = matched.sum(axis=1) / n_words
    return out


def _bm25_array(tf: np.ndarray, length: np.ndarray, avg: float, config: RankingConfig) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):  # (tf 0 in an empty text: not used)
        return np.where(tf > 0, bm25(tf, length, avg, config.bm25_k1, config.bm25_b), 0.0)


class Candidates:
    """One field of all candidates, end to end: the stem and form ids of their tokens, the
    candidate each token belongs to, and each token's position in its own text."""

    def __init__(self, stems: np.ndarray, norms: np.ndarray, lengths: np.ndarray):
        self.stems, self.norms, self.lengths = stems, norms, lengths
        self.size = int(lengths.sum())
        self.n_docs = len(lengths)
        self.doc = np.repeat(np.arange(self.n_docs), lengths)
        self.position = np.arange(self.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)

    @classmethod
    def of(cls, texts: list[TermIds]) -> Candidates:
        lengths = np.array([t.length for t in texts], dtype=np.int64)
        if not texts:
            return cls(np.empty(0, np.uint32), np.empty(0, np.uint32), lengths)
        return cls(np.concatenate([t.stems for t in texts]), np.concatenate([t.norms for t in texts]), lengths)

    @classmethod
    def stored(cls, values: list[bytes]) -> Candidates:
        """From the candidates' stored term ids (:func:`search.index.term_ids.encode`), decoded at once."""
        ids = np.frombuffer(b"".join(values), dtype="<u4")
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) // 8
        starts = 2 * (np.cumsum(lengths) - lengths)  # where each candidate's stem ids begin
        stems = np.repeat(starts, lengths) + (np.arange(int(lengths.sum())) - np.repeat(starts // 2, lengths))
        return cls(ids[stems], ids[stems + np.repeat(lengths, lengths)], lengths)


class _TermMap:
    """The ids a query's words count for, as (id, word index, kind) rows sorted by id (one id may
    count for two words, or twice for one word): stems, matched against a text's stem ids (kinds
    STEM, ALTERNATE, VARIANT), or normalized forms, matched against its form ids (EXACT, BROAD)."""

    STEM, ALTERNATE, VARIANT, EXACT, BROAD = range(5)

    def __init__(self, rows: list[tuple[int, int, int]]):
        rows.sort()
        self.ids = np.array([r[0] for r in rows], dtype=np.uint32)
        self.word = np.array([r[1] for r in rows], dtype=np.int64)
        self.kind = np.array([r[2] for r in rows], dtype=np.int8)
        self._maybe = np.zeros(_FILTER_SIZE, dtype=bool)  # see hits()
        self._maybe[self.ids & (_FILTER_SIZE - 1)] = True

    @classmethod
    def for_stems(cls, words: list[QueryWord]) -> _TermMap:
        rows = []
        for i, word in enumerate(words):
            rows.append((term_id(word.stem), i, cls.STEM))
            rows += [(term_id(t), i, cls.ALTERNATE) for t in word.alternates]
            rows += [(term_id(t), i, cls.VARIANT) for t in word.variants]
        return cls(rows)

    @classmethod
    def for_forms(cls, words: list[QueryWord], broad_stems) -> _TermMap:
        """Each word's exact form and, with a broad-stem map, every form of its broad stem."""
        rows = [(term_id(word.exact), i, cls.EXACT) for i, word in enumerate(words)]
        if broad_stems is not None:
            for i, word in enumerate(words):
                rows += [(int(f), i, cls.BROAD) for f in broad_stems.forms_of(word.broad_stem).tolist()]
        return cls(rows)

    def hits(self, values: np.ndarray, text: Candidates):
        """(candidate, word index, position, kind) of every match of `values` (the stem or form ids
        of `text`), by candidate and position.

        The values are first looked up by their low bits in a table of the rows' low bits (linear;
        np.isin sorts the whole text: 4 ms for a root with 300 forms over 50 articles), then the
        few that pass are found among the rows; a value in no row repeats zero times below."""
        idx = np.flatnonzero(self._maybe[values & (_FILTER_SIZE - 1)])
        found = values[idx]
        left = np.searchsorted(self.ids, found, "left")
        count = np.searchsorted(self.ids, found, "right") - left
        rows = np.repeat(left, count) + (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count))
        idx = np.repeat(idx, count)
        return text.doc[idx], self.word[rows], text.position[idx], self.kind[rows]


#: Size of the table of low bits that :meth:`_TermMap.hits` tests first (a power of two).
_FILTER_SIZE = 1 << 16


def _last_seen(n_words: int, doc: np.ndarray, word: np.ndarray, pos: np.ndarray):
    """For the matches of :meth:`_TermMap.hits` (ordered by candidate and position): each match's
    position, counted across candidates so that matches in two candidates are never near, and,
    for each query word and match, the position of that word's last match up to this one."""
    where = doc * _APART + pos
    last = np.full((n_words, len(where)), -_APART, dtype=np.int64)
    last[word, np.arange(len(where))] = where
    np.maximum.accumulate(last, axis=1, out=last)
    return where, last


def _proximity(idf: np.ndarray, doc, word, seen, n_docs: int, window: int) -> np.ndarray:
    """For each candidate, the sum over query words that follow each other in the query of the
    smaller idf of the two, when they occur within `window` words of each other."""
    bonus = np.zeros(n_docs)
    if len(idf) < 2 or not len(doc):
        return bonus
    n_pairs = len(idf) - 1  # pair i: query words i and i + 1
    where, last = seen
    matches, since = np.arange(len(where)), where - window
    # a match of word i + 1 with word i seen within the window before it, or the other way round
    after = (word > 0) & (last[np.maximum(word - 1, 0), matches] >= since)
    before = (word < n_pairs) & (last[np.minimum(word + 1, n_pairs), matches] >= since)
    pairs = np.concatenate([doc[after] * n_pairs + word[after] - 1, doc[before] * n_pairs + word[before]])
    near = np.bincount(pairs, minlength=n_docs * n_pairs).reshape(n_docs, n_pairs) > 0
    return near @ np.minimum(idf[:-1], idf[1:])


def _best_passage(idf: np.ndarray, doc, seen, n_docs: int, width: int) -> np.ndarray:
    """For each candidate, the idf sum of the distinct query words in its best window of
    `width` words: a question is usually written from one sentence of its answer, so its
    words gather there. The window ending at each match is scored at once for all matches."""
    best = np.zeros(n_docs)
    if not len(doc):
        return best
    where, last = seen
    in_window = last > where - width
    np.maximum.at(best, doc, idf @ in_window)
    return best


#: Added to the positions of each candidate after the first (see :func:`_last_seen`).
_APART = 1 << 40
