"""Second-phase ranking: rescore the best candidates of the Whoosh query with Arabic-aware features.

Whoosh finds candidates fast with an OR of the query words' stems (BM25F). The top
:data:`RERANK_DEPTH` of them are then scored here from their stored text, analyzed again with
the same analyzer (memoized, so it is cheap), with features that a plain BM25 over stems lacks:

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
from dataclasses import dataclass, field

from search.analysis import broad_stem, token_forms

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
#: Weight of a match on the word's root-like stem (Tashaphyne's default, aggressive light stem),
#: which joins forms the light stemmer keeps apart (تأسست / تأسيس, نشرت / نشر).
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
    """BM25's inverse document frequency (Lucene's form, never negative)."""
    return math.log(1 + (doc_count - df + 0.5) / (df + 0.5))


def _bm25(tf: float, length: int, avg: float) -> float:
    if tf <= 0:
        return 0.0
    return tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * length / max(avg, 1.0)))


@dataclass
class FieldText:
    """One field of one article, analyzed for scoring: length, positions by stem, exact counts."""

    length: int
    stem_positions: dict[str, list[int]]
    exact_counts: dict[str, int]

    @classmethod
    def of(cls, text: str) -> "FieldText":
        stem_positions: dict[str, list[int]] = {}
        exact_counts: dict[str, int] = {}
        forms = token_forms(text)
        for pos, (norm, stem) in enumerate(forms):
            stem_positions.setdefault(stem, []).append(pos)
            exact_counts[norm] = exact_counts.get(norm, 0) + 1
        return cls(len(forms), stem_positions, exact_counts)

    def root_count(self, root: str) -> int:
        """How many tokens have `root` as their broad stem. The broad stem is a piece of the
        word, so only words containing it are stemmed (most are not)."""
        return sum(count for norm, count in self.exact_counts.items()
                   if root in norm and broad_stem(norm) == root)


def score(words: list[QueryWord], fields: dict[str, FieldText], stats: CollectionStats) -> float:
    """The second-phase score of one article (see the module docstring).

    :param fields: the article's searched fields (``title``, ``body``), analyzed.
    """
    if not words:
        return 0.0
    total = 0.0
    matched: set[int] = set()
    title = fields.get("title")
    for field, text in fields.items():
        if not text.length:
            continue
        avg = stats.avg_length.get(field, text.length)
        weight = FIELD_WEIGHTS.get(field, 1.0)
        positions: list[list[int]] = []
        for i, word in enumerate(words):
            in_title = field != "title" and title is not None and word.stem in title.stem_positions
            weight = FIELD_WEIGHTS.get(field, 1.0) * (TITLE_WORD_DISCOUNT if in_title else 1.0)
            stem_pos = text.stem_positions.get(word.stem, [])
            for alternate in word.alternates:
                stem_pos = stem_pos + text.stem_positions.get(alternate, [])
            variant_pos = [p for v in word.variants for p in text.stem_positions.get(v, ())]
            positions.append(sorted(stem_pos + variant_pos) if variant_pos else stem_pos)
            if not positions[i]:
                if ROOT_WEIGHT and (tf_root := text.root_count(word.root)):
                    total += weight * ROOT_WEIGHT * stats.idf(field, word.stem) * _bm25(tf_root, text.length, avg)
                    matched.add(i)
                continue
            matched.add(i)
            tf = len(stem_pos) + CLITIC_WEIGHT * len(variant_pos)
            tf_exact = text.exact_counts.get(word.exact, 0)
            idf = stats.idf(field, word.stem)
            total += weight * idf * (_bm25(tf, text.length, avg) + EXACT_WEIGHT * _bm25(tf_exact, text.length, avg))
            if field == "body" and LEAD_WEIGHT and positions[i][0] < LEAD_WORDS:
                total += LEAD_WEIGHT * idf
        field_weight = FIELD_WEIGHTS.get(field, 1.0)
        if PROXIMITY_WEIGHT:
            total += field_weight * PROXIMITY_WEIGHT * _proximity(words, positions, stats, field)
        if PASSAGE_WEIGHT and field == "body":
            total += PASSAGE_WEIGHT * _best_passage(words, positions, stats, field)
    if COORDINATION:
        total *= (1 - COORDINATION) + COORDINATION * len(matched) / len(words)
    return total


def _proximity(words: list[QueryWord], positions: list[list[int]], stats: CollectionStats, field: str) -> float:
    """Sum, over query words that follow each other in the query, of the smaller idf of the two
    when they occur within PROXIMITY_WINDOW words of each other in this field."""
    bonus = 0.0
    for i in range(len(words) - 1):
        a, b = positions[i], positions[i + 1]
        if a and b and _near(a, b, PROXIMITY_WINDOW):
            bonus += min(stats.idf(field, words[i].stem), stats.idf(field, words[i + 1].stem))
    return bonus


def _best_passage(words: list[QueryWord], positions: list[list[int]], stats: CollectionStats, field: str) -> float:
    """The idf sum of the distinct query words in the best window of PASSAGE_WORDS words: a
    question is usually written from one sentence of its answer, so its words gather there."""
    hits = sorted((p, i) for i, plist in enumerate(positions) for p in plist)
    if not hits:
        return 0.0
    idfs = [stats.idf(field, w.stem) for w in words]
    counts = [0] * len(words)
    best = current = 0.0
    left = 0
    for pos, i in hits:
        if counts[i] == 0:
            current += idfs[i]
        counts[i] += 1
        while pos - hits[left][0] >= PASSAGE_WORDS:
            j = hits[left][1]
            counts[j] -= 1
            if counts[j] == 0:
                current -= idfs[j]
            left += 1
        best = max(best, current)
    return best


def _near(a: list[int], b: list[int], window: int) -> bool:
    """Whether some position in `a` is within `window` of some position in `b` (both sorted)."""
    i = j = 0
    while i < len(a) and j < len(b):
        if abs(a[i] - b[j]) <= window:
            return True
        if a[i] < b[j]:
            i += 1
        else:
            j += 1
    return False
