"""Second-phase ranking: rescore the best candidates of the Whoosh query with Arabic-aware features.

The first phase (:mod:`search.index.postings`) finds candidates fast with BM25 over the query words'
stems. The top :data:`RERANK_DEPTH` of them are then scored here from their analyzed text, stored
at index time beside the text (:func:`encode_forms`), with features that a plain BM25 over stems
lacks:

- **exact form**: a word that occurs in the form the user typed (normalized) scores above a
  match on its stem alone (:data:`EXACT_WEIGHT`);
- **field weights**: a match in the title counts more (:data:`FIELD_WEIGHTS`);
- **coordination**: an article with more of the query's words ranks above one that repeats a
  few of them (:data:`COORDINATION`): long questions need every content word to count;
- **proximity**: query words next to each other in the article, as in the query, add a bonus
  (:data:`PROXIMITY_WEIGHT`, within :data:`PROXIMITY_WINDOW` words);
- **lead**: news puts the headline's words in its first sentences; matches in the first
  :data:`LEAD_WORDS` words of the body add a bonus (:data:`LEAD_WEIGHT`).

Every weight is a module constant so the evaluation's ablation can switch each one off.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field

import numpy as np

from search.analysis.analyzer import term_id, token_forms
from search.analysis.broad_stems import broad_stem

#: How many first-phase candidates are rescored.
RERANK_DEPTH = 50
#: Weight of a match in each field, relative to the body.
FIELD_WEIGHTS = {"title": 2.0, "body": 1.0}
#: Extra weight of an exact-form match, relative to its stem match.
EXACT_WEIGHT = 0.75
#: Weight of a match on a ب/ل/ك/ف form recovered from the vocabulary, relative to the stem.
CLITIC_WEIGHT = 0.4
#: Coordination: the score is multiplied by (1 - C) + C * (words matched / words in query).
COORDINATION = 0.5
#: Bonus for each pair of query words found within PROXIMITY_WINDOW words of each other.
PROXIMITY_WEIGHT = 0.3
PROXIMITY_WINDOW = 3
#: Bonus for the best passage: the idf sum of the query words within PASSAGE_WORDS words.
PASSAGE_WEIGHT = 0.3
PASSAGE_WORDS = 20
#: A query word that is in the article's title says little more in its body (every article under
#: that title has it): its body score is multiplied by this, so the other words decide.
TITLE_WORD_DISCOUNT = 0.25
#: Bonus for query words in the first LEAD_WORDS words of the body.
LEAD_WEIGHT = 1.0
LEAD_WORDS = 50
#: Weight of a match on the word's root-like stem (:mod:`search.analysis.broad_stems`: Tashaphyne's default,
#: aggressive light stem), which joins forms the light stemmer keeps apart (تأسست / تأسيس).
ROOT_WEIGHT = 0.5
#: BM25 parameters. The first phase keeps Lucene's defaults (its recall at 100 is what the second
#: phase can work with); the second normalizes by length more (b 0.9): among candidates that all
#: match, a long article that repeats the words is less often the one sought than a short one.
BM25_K1 = 1.2
BM25_B = 0.9
CANDIDATE_BM25_B = 0.75


@dataclass(frozen=True)
class QueryWord:
    """One query word: its exact (normalized) form, its stem, and extra stems that count for it."""

    exact: str
    stem: str
    variants: frozenset[str] = frozenset()  # ب/ل/ك/ف forms found in the vocabulary
    alternates: frozenset[str] = frozenset()  # the other reading of a leading ال (full weight)

    @property
    def root(self) -> str:
        return broad_stem(self.exact)


@dataclass
class CollectionStats:
    """What BM25 needs about the collection: document count, average field lengths, frequencies."""

    doc_count: int
    avg_length: dict[str, float]
    doc_frequency: callable  # (field, term) -> int
    _idf: dict = field(default_factory=dict)  # memo for one query

    def idf(self, field: str, term: str) -> float:
        key = (field, term)
        value = self._idf.get(key)
        if value is None:
            value = self._idf[key] = idf(self.doc_count, self.doc_frequency(field, term))
        return value


def idf(doc_count: int, df: int) -> float:
    """BM25's inverse document frequency (Lucene's form, never negative: a frequency that counts
    deleted documents, as Whoosh's does, is capped at the live document count)."""
    df = min(df, doc_count)
    return math.log(1 + (doc_count - df + 0.5) / (df + 0.5))


class FieldText:
    """One field of one article, analyzed for scoring: for each indexed token, in order (stopwords
    left out, as in the index), the :func:`term_id` of its stem and of its normalized form, as two
    NumPy arrays.

    Built from the analyzed form stored at index time (:func:`encode_forms`), so a candidate is
    not analyzed again (:class:`Candidates` decodes all candidates at once for the second phase);
    :meth:`of` analyzes a text (indexes built before the analyzed form was stored)."""

    __slots__ = ("stems", "norms", "length")

    def __init__(self, ids: np.ndarray):
        self.stems, self.norms = ids
        self.length = len(self.stems)

    @classmethod
    def of(cls, text: str) -> "FieldText":
        return cls.decode(encode_forms(text))

    @classmethod
    def decode(cls, stored: bytes) -> "FieldText":
        """From :func:`encode_forms`' bytes."""
        return cls(np.frombuffer(stored, dtype="<u4").reshape(2, -1))


def encode_forms(text: str) -> bytes:
    """The analyzed form of `text` to store beside it (see :class:`FieldText`): the stem ids of
    its tokens, then their form ids, as little-endian uint32."""
    forms = token_forms(text)
    stems = list(map(_STEM_BYTES.get, forms))
    norms = list(map(_FORM_BYTES.get, forms))
    if None in stems or None in norms:
        for i, pair in enumerate(forms):
            if stems[i] is None or norms[i] is None:
                stems[i], norms[i] = _pair_bytes(pair)
    return b"".join(stems) + b"".join(norms)


#: (normalized form, stem) -> the 4 bytes of the stem's id, of the form's id. Memoized.
_STEM_BYTES: dict[tuple[str, str], bytes] = {}
_FORM_BYTES: dict[tuple[str, str], bytes] = {}


def _pair_bytes(pair: tuple[str, str]) -> tuple[bytes, bytes]:
    ids = (_UINT32.pack(term_id(pair[1])), _UINT32.pack(term_id(pair[0])))
    if len(_STEM_BYTES) < 2_000_000:
        _STEM_BYTES[pair], _FORM_BYTES[pair] = ids
    return ids


_UINT32 = struct.Struct("<I")


def score_all(words: list[QueryWord], docs: list[dict[str, FieldText]], stats: CollectionStats,
              roots=None) -> np.ndarray:
    """:func:`score_candidates` of candidates given one by one (each a dict of analyzed fields)."""
    names = list(docs[0]) if docs else []
    return score_candidates(words, {name: Candidates.of([doc[name] for doc in docs]) for name in names},
                            stats, roots)


def score_candidates(words: list[QueryWord], fields: dict[str, "Candidates"], stats: CollectionStats,
                     roots=None) -> np.ndarray:
    """The second-phase score of each candidate article (see the module docstring), computed for
    all of them at once: term frequencies, exact forms, the lead, BM25, proximity and the best
    passage are array operations over the candidates' concatenated tokens.

    :param fields: the candidates' searched fields (``title``, ``body``), analyzed.
    :param roots: a :class:`search.analysis.broad_stems.RootMap` (None: no root-like stem matches).
    """
    n_docs, n_words = (next(iter(fields.values())).n_docs if fields else 0), len(words)
    total = np.zeros(n_docs)
    if not words or not n_docs:
        return total
    stem_rows, norm_rows = _TermMap.for_stems(words), _TermMap.for_forms(words, roots if ROOT_WEIGHT else None)
    matched = np.zeros((n_docs, n_words), dtype=bool)
    in_title = np.zeros((n_docs, n_words), dtype=bool)
    if "title" in fields:
        titles = fields["title"]
        doc, word, _, kind = stem_rows.hits(titles.stems, titles)
        in_title[doc[kind == _TermMap.STEM], word[kind == _TermMap.STEM]] = True
    for field, text in fields.items():
        if not text.size:
            continue
        avg = stats.avg_length.get(field, 1.0)
        idf = np.array([stats.idf(field, word.stem) for word in words])
        weight = FIELD_WEIGHTS.get(field, 1.0) * (np.where(in_title, TITLE_WORD_DISCOUNT, 1.0)
                                                  if field != "title" else np.ones((n_docs, n_words)))
        doc, word, pos, kind = stem_rows.hits(text.stems, text)
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
        gain = weight * idf * (_bm25_array(tf_stem + CLITIC_WEIGHT * tf_variant, length, avg)
                               + EXACT_WEIGHT * _bm25_array(tf_exact, length, avg))
        if field == "body" and LEAD_WEIGHT:
            first = np.full(n_docs * n_words, np.iinfo(np.int64).max)
            np.minimum.at(first, flat, pos)
            gain += np.where(first.reshape(n_docs, n_words) < LEAD_WORDS, LEAD_WEIGHT * idf, 0.0)
        total += np.where(found, gain, 0.0).sum(axis=1)
        matched |= found
        if not by_form.all():  # matches on root-like stems, for the words a candidate lacks
            tf_root = np.bincount(form_flat[~by_form], minlength=n_docs * n_words).reshape(n_docs, n_words)
            by_root = ~found & (tf_root > 0)
            total += np.where(by_root, weight * ROOT_WEIGHT * idf * _bm25_array(tf_root, length, avg), 0.0).sum(axis=1)
            matched |= by_root
        if PROXIMITY_WEIGHT or (PASSAGE_WEIGHT and field == "body"):
            seen = _last_seen(n_words, doc, word, pos)  # what both bonuses read
        if PROXIMITY_WEIGHT:
            total += FIELD_WEIGHTS.get(field, 1.0) * PROXIMITY_WEIGHT * _proximity(idf, doc, word, seen, n_docs)
        if PASSAGE_WEIGHT and field == "body":
            total += PASSAGE_WEIGHT * _best_passage(idf, doc, seen, n_docs)
    if COORDINATION:
        total *= (1 - COORDINATION) + COORDINATION * matched.sum(axis=1) / n_words
    return total


def _bm25_array(tf: np.ndarray, length: np.ndarray, avg: float) -> np.ndarray:
    norm = BM25_K1 * (1 - BM25_B + BM25_B * length / max(avg, 1.0))
    return np.where(tf > 0, tf * (BM25_K1 + 1) / (tf + norm), 0.0)


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
    def of(cls, texts: list[FieldText]) -> "Candidates":
        lengths = np.array([t.length for t in texts], dtype=np.int64)
        if not texts:
            return cls(np.empty(0, np.uint32), np.empty(0, np.uint32), lengths)
        return cls(np.concatenate([t.stems for t in texts]), np.concatenate([t.norms for t in texts]), lengths)

    @classmethod
    def stored(cls, values: list[bytes]) -> "Candidates":
        """From the candidates' stored analyzed forms (:func:`encode_forms`), decoded at once."""
        ids = np.frombuffer(b"".join(values), dtype="<u4")
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) // 8
        starts = 2 * (np.cumsum(lengths) - lengths)  # where each candidate's stem ids begin
        stems = np.repeat(starts, lengths) + (np.arange(int(lengths.sum())) - np.repeat(starts // 2, lengths))
        return cls(ids[stems], ids[stems + np.repeat(lengths, lengths)], lengths)


class _TermMap:
    """The ids a query's words count for, as (id, word index, kind) rows sorted by id (one id may
    count for two words, or twice for one word): stems, matched against a text's stem ids (kinds
    STEM, ALTERNATE, VARIANT), or normalized forms, matched against its form ids (EXACT, ROOT)."""

    STEM, ALTERNATE, VARIANT, EXACT, ROOT = range(5)

    def __init__(self, rows: list[tuple[int, int, int]]):
        rows.sort()
        self.ids = np.array([r[0] for r in rows], dtype=np.uint32)
        self.word = np.array([r[1] for r in rows], dtype=np.int64)
        self.kind = np.array([r[2] for r in rows], dtype=np.int8)
        self._maybe = np.zeros(_FILTER_SIZE, dtype=bool)  # see hits()
        self._maybe[self.ids & (_FILTER_SIZE - 1)] = True

    @classmethod
    def for_stems(cls, words: list[QueryWord]) -> "_TermMap":
        rows = []
        for i, word in enumerate(words):
            rows.append((term_id(word.stem), i, cls.STEM))
            rows += [(term_id(t), i, cls.ALTERNATE) for t in word.alternates]
            rows += [(term_id(t), i, cls.VARIANT) for t in word.variants]
        return cls(rows)

    @classmethod
    def for_forms(cls, words: list[QueryWord], roots) -> "_TermMap":
        """Each word's exact form and, with a root map, every form of its root-like stem."""
        rows = [(term_id(word.exact), i, cls.EXACT) for i, word in enumerate(words)]
        if roots is not None:
            for i, word in enumerate(words):
                rows += [(int(f), i, cls.ROOT) for f in roots.forms_of(word.root).tolist()]
        return cls(rows)

    def hits(self, values: np.ndarray, text: "_Concatenated"):
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


def _proximity(idf: np.ndarray, doc, word, seen, n_docs: int) -> np.ndarray:
    """For each candidate, the sum over query words that follow each other in the query of the
    smaller idf of the two, when they occur within PROXIMITY_WINDOW words of each other."""
    bonus = np.zeros(n_docs)
    if len(idf) < 2 or not len(doc):
        return bonus
    n_pairs = len(idf) - 1  # pair i: query words i and i + 1
    where, last = seen
    matches, since = np.arange(len(where)), where - PROXIMITY_WINDOW
    # a match of word i + 1 with word i seen within the window before it, or the other way round
    after = (word > 0) & (last[np.maximum(word - 1, 0), matches] >= since)
    before = (word < n_pairs) & (last[np.minimum(word + 1, n_pairs), matches] >= since)
    pairs = np.concatenate([doc[after] * n_pairs + word[after] - 1, doc[before] * n_pairs + word[before]])
    near = np.bincount(pairs, minlength=n_docs * n_pairs).reshape(n_docs, n_pairs) > 0
    return near @ np.minimum(idf[:-1], idf[1:])


def _best_passage(idf: np.ndarray, doc, seen, n_docs: int) -> np.ndarray:
    """For each candidate, the idf sum of the distinct query words in its best window of
    PASSAGE_WORDS words: a question is usually written from one sentence of its answer, so its
    words gather there. The window ending at each match is scored at once for all matches."""
    best = np.zeros(n_docs)
    if not len(doc):
        return best
    where, last = seen
    in_window = last > where - PASSAGE_WORDS
    np.maximum.at(best, doc, idf @ in_window)
    return best


#: Added to the positions of each candidate after the first (see :func:`_last_seen`).
_APART = 1 << 40
