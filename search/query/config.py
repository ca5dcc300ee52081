"""The ranking settings as one frozen value, :class:`RankingConfig`, handed to a
:class:`~search.searcher.Searcher`. The evaluation and its ablation build configs
(:meth:`RankingConfig.replace`) instead of changing module globals, so two searchers with different
settings can run side by side in one process, in threads.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RankingConfig:
    """How the two phases rank. Defaults are the engine's; see :mod:`search.query.rerank` for what
    each second-phase feature does."""

    #: First-phase candidates rescored by the second phase.
    rerank_depth: int = 50
    #: ... for queries of at most ``short_query_words`` words: a name or a keyword, whose stem may
    #: be shared by many more articles than its exact form (المنصورة, stemmed منصور), so the second
    #: phase, which sees exact forms, looks deeper (names P@10 0.952 → 0.970 at 300, as at 1,000 or
    #: 3,000; the other three dev sets unchanged; +7 ms median on the news queries).
    short_rerank_depth: int = 300
    short_query_words: int = 2
    #: A first ب/ل/ك/ف is also read as a proclitic (بتنظيم as ب + تنظيم), and a final ا as the
    #: accusative ending (اتفاقا), only in queries of at least this many words (pasted text and
    #: questions write words with their affixes; one or two typed words are typed bare: فادي, كمال,
    #: بسام, درعا are names, not ف + ادي, ك + مال, ب + سام, درع + ا), or when the index lacks the
    #: word as typed. Chosen on the four dev sets: names P@10 0.942 → 0.952, the others unchanged.
    strip_proclitic_words: int = 3
    #: Group near copies of one story (the same wire story in several papers) under its best-ranked
    #: article (:mod:`search.query.grouping`).
    near_duplicates: bool = True
    #: First phase as BM25F (field frequencies weighted and summed before one saturation, one
    #: document-level idf); off: a weighted sum of per-field BM25 scores, each with its own idf.
    bm25f: bool = True
    #: For a query of two parts or more, the articles with every part come first when sorting by
    #: date, and are counted; the others follow, each with the parts it lacks.
    all_words_first: bool = True
    #: ... and by relevance too for queries of at most this many parts (longer ones are questions
    #: and remembered sentences, whose article often lacks a word: 3 parts cost arcd 0.010 MRR@10).
    all_words_max_parts: int = 2
    #: Weight of a match in each field, relative to the body, as ``(field, weight)`` pairs. A title
    #: counts as much as the body (chosen by cross-validation over the four dev sets, docs/relevance.md);
    #: its words still count once (``title_word_discount``).
    field_weights: tuple[tuple[str, float], ...] = (("title", 1.0), ("body", 1.0))
    #: Extra weight of an exact-form match, relative to its stem match. This, ``proximity_weight``
    #: and ``passage_weight`` were raised (0.75, 0.3, 0.3 before) by leave-one-set-out coordinate
    #: ascent over the four dev sets (bench/tune.py; every fold chose them; docs/relevance.md):
    #: arcd MRR@10 0.832 → 0.835, knownitem 0.688 → 0.683, quote 0.732 → 0.755, names P@10 0.975 → 0.984.
    exact_weight: float = 1.0
    #: Single-letter proclitics the stemmer leaves on, which the query side tries (ب/ل/ك/ف).
    proclitics: tuple[str, ...] = ("ب", "ل", "ك", "ف")
    #: Weight of a match on a proclitic form found in the index, relative to the stem.
    clitic_weight: float = 0.4
    #: Queries up to this many words also look for proclitic forms in the first phase.
    clitic_candidate_words: int = 4
    #: Coordination: the score is multiplied by (1 - C) + C * (words matched / words in query).
    coordination: float = 0.5
    #: Bonus for each pair of consecutive query words within ``proximity_window`` words.
    proximity_weight: float = 0.5
    proximity_window: int = 3
    #: Bonus for the best passage: the idf sum of the query words within ``passage_words`` words.
    passage_weight: float = 0.5
    passage_words: int = 20
    #: A query word in the article's title counts this much in its body.
    title_word_discount: float = 0.25
    #: Bonus for query words in the first ``lead_words`` words of the body.
    lead_weight: float = 1.0
    lead_words: int = 50
    #: Weight of a match on the word's broad stem (:mod:`search.analysis.broad_stems`).
    broad_stem_weight: float = 0.5
    #: The learned second phase: the LambdaMART model ``search/query/models/<name>.txt``
    #: (:mod:`search.query.learned`, fitted by ``python -m bench.ltr`` on the four dev sets) scores
    #: the candidates from the features the weights above combine by hand; None: the hand-weighted
    #: sum (:func:`search.query.rerank.linear_score`). Five folds over the dev queries: quote
    #: MRR@10 +0.074, names P@10 +0.010, arcd ±0.000, knownitem −0.006 (docs/relevance.md).
    learned_model: str | None = "lambdarank"
    #: ... for queries of at least this many words as typed (stopwords counted): texts, the kinds of
    #: search it was fitted on (questions, headlines, remembered sentences); one to four keywords (a
    #: name, a topic: أسعار النفط) keep the hand-weighted sum, which counts a match in the title,
    #: as the model, fitted on none such, did not (a fresh tester's measure: two-word news queries
    #: with every word in the title among the first ten, 425 learned against 961 hand-weighted).
    learned_min_words: int = 5
    #: BM25 (Robertson & Zaragoza, 2009) of the second phase; the first phase keeps Lucene's b.
    bm25_k1: float = 1.2
    bm25_b: float = 0.9
    candidate_bm25_b: float = 0.75

    @functools.cached_property
    def _weights(self) -> dict[str, float]:
        return dict(self.field_weights)

    def field_weight(self, name: str) -> float:
        """The weight of text field `name` (1.0 for a field not listed)."""
        return self._weights.get(name, 1.0)

    def replace(self, **changes: Any) -> RankingConfig:
        """A copy with `changes`; a field weight by its field's name (``title=1.5``).

        :raise TypeError: an unknown setting."""
        weights = {name: float(changes.pop(name)) for name in list(changes) if name in dict(self.field_weights)}
        if weights:
            changes["field_weights"] = tuple({**dict(self.field_weights), **weights}.items())
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise TypeError(f"unknown ranking setting {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **changes)


DEFAULT = RankingConfig()
