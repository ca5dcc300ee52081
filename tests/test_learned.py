"""The learned second phase (search/query/learned.py) and its fit (bench/ltr.py)."""

import random

import numpy as np
import pytest
from conftest import snn_articles, write_jsonl
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import ltr
from search.index.build import reindex
from search.query import learned
from search.query.config import DEFAULT
from search.query.rerank import FEATURES, linear_score
from search.searcher import Searcher

PER_IDF = [FEATURES.index(name) for name in learned._PER_IDF]


def test_the_shipped_model_reads_the_features_the_engine_computes():
    # a feature added, dropped or reordered without a new fit (python -m bench.ltr --save) fails here
    booster = learned.load(DEFAULT.learned_model)
    assert booster.feature_name() == list(learned.MODEL_FEATURES)
    assert booster.num_trees() > 0


def test_an_unknown_model_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="no ranking model"):
        learned.load("no-such-model")


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 40), st.floats(0.1, 50), st.integers(0, 2**31 - 1))
def test_the_model_input_does_not_depend_on_the_scale_of_idf(n, scale, seed):
    """Sums of idf-weighted terms are divided by the query's idf total: a long question and a
    two-word name meet the model on one scale (proximity, passage, lead and BM25 grow with idf);
    only the query's mean idf (how specific its words are) tells the scale."""
    rng = np.random.default_rng(seed)
    features = rng.random((n, len(FEATURES))) * 5
    features[:, FEATURES.index("matched")] = rng.random(n)
    first, later = rng.random(n) * 20, rng.random(n) < 0.3
    scaled = features.copy()
    scaled[:, PER_IDF] *= scale
    a = learned.model_features(features, first, later, 7.0, 3)
    b = learned.model_features(scaled, first * scale, later, 7.0 * scale, 3)
    mean_idf = learned.MODEL_FEATURES.index("mean_idf")
    others = [i for i in range(len(learned.MODEL_FEATURES)) if i != mean_idf]
    assert np.allclose(a[:, others], b[:, others])
    assert np.allclose(b[:, mean_idf], a[:, mean_idf] * scale)


def test_learned_scores_are_positive_and_order_as_the_model_does():
    rng = np.random.default_rng(3)
    features, first, later = rng.random((60, len(FEATURES))) * 4, rng.random(60) * 10, rng.random(60) < 0.2
    scores = learned.learned_score(DEFAULT.learned_model, features, first, later, 9.0, 4)
    raw = learned.load(DEFAULT.learned_model).predict(learned.model_features(features, first, later, 9.0, 4))
    assert ((scores > 0) & (scores < 1)).all()
    assert (np.argsort(-scores, kind="stable") == np.argsort(-raw, kind="stable")).all()
    assert learned.learned_score(DEFAULT.learned_model, features[:0], first[:0], later[:0], 9.0, 4).shape == (0,)


# --- the fit ---------------------------------------------------------------------------------

def synthetic(set_name: str, count: int, seed: int) -> list[ltr.QueryCandidates]:
    """Queries whose relevant candidate has the best passage but not the best lead: what the
    hand-weighted score (lead weight 1, passage 0.5) gets wrong and a fit can learn."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        n = 30
        f = rng.random((n, len(FEATURES)))
        f[:, FEATURES.index("matched")] = 1.0
        rel = rng.integers(n)
        f[rel, FEATURES.index("passage")] = 2.0
        f[rel, FEATURES.index("lead")] = 0.0
        f[(rel + 1) % n, FEATURES.index("lead")] = 3.0
        labels = np.zeros(n, dtype=np.int32)
        labels[rel] = 1
        out.append(ltr.QueryCandidates(set_name, f"{set_name}-{i}", f, rng.random(n), np.zeros(n, dtype=bool),
                                       5.0, 4, labels))
    return out


def test_a_fit_learns_what_the_hand_weights_miss_on_queries_it_never_saw():
    train = [q for name in ltr.SETS for q in synthetic(name, 40, 1)]
    test = [q for name in ltr.SETS for q in synthetic(name, 15, 2)]
    booster = ltr.train(train, {"num_iterations": 50, "min_data_in_leaf": 20})
    hand = ltr.mean_figure(test, lambda q: linear_score(q.features, DEFAULT))
    fitted = ltr.mean_figure(test, lambda q: booster.predict(q.model_input()))
    assert fitted > hand + 0.2, (hand, fitted)


def test_a_query_figure_puts_candidates_lacking_a_part_last():
    q = synthetic("quote", 1, 5)[0]
    best = int(np.flatnonzero(q.labels)[0])
    scores = np.zeros(len(q.labels))
    scores[best] = 1.0
    assert ltr.figure(q, scores) == 1.0
    q.later[best] = True  # lacks a part of the query: after every complete candidate, whatever its score
    assert ltr.figure(q, scores) == 0.0
    names = ltr.QueryCandidates("names", "n", q.features, q.first, np.zeros(len(q.labels), dtype=bool), 5.0, 1,
                                np.array([1] * 5 + [0] * (len(q.labels) - 5), dtype=np.int32))
    assert ltr.figure(names, -np.arange(len(q.labels), dtype=float)) == 0.5  # precision@10


# --- through the search, on real articles --------------------------------------------------------

@pytest.fixture(scope="module")
def snn_searchers(tmp_path_factory):
    root = tmp_path_factory.mktemp("learned")
    reindex([write_jsonl(root / "snn.jsonl", list(snn_articles(400)))], root / "ix", procs=1)
    whole = DEFAULT.replace(near_duplicates=False)  # each article a hit of its own
    return Searcher(root / "ix", whole), Searcher(root / "ix", whole.replace(learned_model=None))


def remembered(body: str, rng: random.Random) -> str | None:
    """8-12 consecutive words from inside `body` (not its first sentence), about 30% left out."""
    words = body.split()
    if len(words) < 60:
        return None
    start = rng.randrange(20, len(words) - 12)
    kept = [w for w in words[start:start + rng.randint(8, 12)] if rng.random() > 0.3]
    return " ".join(kept) if len(kept) >= 4 else None


def test_a_remembered_sentence_finds_its_article_with_the_learned_ranker(snn_searchers):
    learned_searcher, hand_searcher = snn_searchers
    rng = random.Random(11)
    found = {"learned": 0, "hand": 0}
    asked = 0
    for article in snn_articles(400)[::10]:
        text = remembered(article["body"], rng)
        if text is None:
            continue
        asked += 1
        for name, searcher in (("learned", learned_searcher), ("hand", hand_searcher)):
            hits = searcher.search(text, limit=10, snippets=False).hits
            found[name] += any(article["id"] in hit.ids() for hit in hits)
    assert asked >= 20
    assert found["learned"] >= found["hand"] - 1 and found["learned"] >= 0.8 * asked, found


def test_the_learned_ranker_only_reorders_what_the_first_phase_found(snn_searchers):
    learned_searcher, hand_searcher = snn_searchers
    compared = 0
    for text in ("ارتفاع أسعار النفط في الأسواق العالمية", "أمير منطقة الرياض يفتتح مهرجان التمور",
                 "وزارة الصحة تعلن إصابات جديدة في الرياض"):
        a = learned_searcher.search(text, limit=100, snippets=False)
        b = hand_searcher.search(text, limit=100, snippets=False)
        assert a.total == b.total
        scores = [h.score for h in a.hits]
        assert scores == sorted(scores, reverse=True)  # above the first phase's scores below the head
        head = DEFAULT.rerank_depth
        assert [h.id for h in a.hits[head:]] == [h.id for h in b.hits[head:]]  # below the head: the first phase's order
        assert {h.id for h in a.hits[:head]} == {h.id for h in b.hits[:head]}
        compared += a.total > head
    assert compared >= 2


def test_keywords_keep_the_hand_weighted_phase(snn_searchers):
    """One to four typed words (a name, a topic) are ranked as before: the model was fitted on
    texts (questions, headlines, sentences) and does not weigh a title match."""
    learned_searcher, hand_searcher = snn_searchers
    for text in ("أسعار النفط", "ولي العهد", "أمير منطقة الرياض", "سوق الأسهم السعودية اليوم"):
        a = learned_searcher.search(text, limit=20, snippets=False)
        b = hand_searcher.search(text, limit=20, snippets=False)
        assert [(h.id, h.score) for h in a.hits] == [(h.id, h.score) for h in b.hits] and a.hits
    sentence = "ارتفاع أسعار النفط في الأسواق العالمية اليوم"
    assert [h.score for h in learned_searcher.search(sentence).hits] != [h.score for h in hand_searcher.search(sentence).hits]
