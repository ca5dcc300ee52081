"""The second phase's analyzed text: the form stored at index time is the text's analysis."""

import numpy as np
from conftest import seed_paragraphs

from search.analysis.analyzer import term_id, token_forms
from search.analysis.broad_stems import BroadStemCollector, BroadStemMap, broad_stem
from search.index.term_ids import TermIds, encode
from search.query.bm25 import CollectionStats
from search.query.config import DEFAULT as C


def test_the_stored_form_holds_each_indexed_token_in_order():
    for text in seed_paragraphs() + ["", "داعش", "عاد تنظيمُ داعشَ إلى الظهورِ مُجدَّدًا 2020 iPhone"]:
        field = TermIds.decode(encode(text))
        forms = token_forms(text)
        assert field.length == len(forms)
        assert field.stems.tolist() == [term_id(stem) for _, stem in forms]
        assert field.norms.tolist() == [term_id(norm) for norm, _ in forms]


def test_term_ids_are_stable_across_processes():
    # The writer processes and the server compute them apart: no salted hash().
    import zlib
    assert term_id("ميليشي") == zlib.crc32("ميليشي".encode())


# --- score_all against a plain, one-article-at-a-time reading of the ranking rules -------------

from search.query import rerank as ranking
from search.query.parser import parse


def query_words(parsed, vocabulary):
    """The query's words resolved against a vocabulary (a term it holds: in 1,000 articles)."""
    frequency = lambda term: 1000 if vocabulary("body", term) else 0
    return [ranking.QueryWord.of(t) for t in parsed.resolved(frequency).terms()]


def bm25(tf: float, length: int, avg: float) -> float:
    if tf <= 0:
        return 0.0
    return tf * (C.bm25_k1 + 1) / (tf + C.bm25_k1 * (1 - C.bm25_b + C.bm25_b * length / max(avg, 1.0)))


def proximity(words, positions, stats, field) -> float:
    return sum(min(stats.idf(field, words[i].stem), stats.idf(field, words[i + 1].stem))
               for i in range(len(words) - 1)
               if any(abs(a - b) <= C.proximity_window for a in positions[i] for b in positions[i + 1]))


def best_passage(words, positions, stats, field) -> float:
    """The best idf sum of distinct words over every window of PASSAGE_WORDS words ending on a match."""
    ends = {p for plist in positions for p in plist}
    return max((sum(stats.idf(field, w.stem) for w, plist in zip(words, positions)
                    if any(end - C.passage_words < p <= end for p in plist)) for end in ends), default=0.0)


def reference_score(words, fields: dict[str, list[tuple[str, str]]], stats) -> float:
    """The module docstring's rules, term by term, over (normalized form, stem) lists."""
    total, matched = 0.0, set()
    title = fields.get("title")
    for field, tokens in fields.items():
        if not tokens:
            continue
        length, avg = len(tokens), stats.avg_length[field]
        positions = []
        for i, word in enumerate(words):
            in_title = field != "title" and title is not None and any(s == word.stem for _, s in title)
            weight = C.field_weight(field) * (C.title_word_discount if in_title else 1.0)
            stems = [p for p, (_, s) in enumerate(tokens) for t in (word.stem, *word.alternates) if s == t]
            variants = [p for p, (_, s) in enumerate(tokens) for t in word.variants if s == t]
            positions.append(sorted(stems + variants))
            idf = stats.idf(field, word.stem)
            if not positions[i]:
                tf_root = sum(1 for n, _ in tokens if broad_stem(n) == word.broad_stem)
                if tf_root:
                    total += weight * C.broad_stem_weight * idf * bm25(tf_root, length, avg)
                    matched.add(i)
                continue
            matched.add(i)
            tf = len(stems) + C.clitic_weight * len(variants)
            tf_exact = sum(1 for n, _ in tokens if n == word.exact)
            total += weight * idf * (bm25(tf, length, avg) + C.exact_weight * bm25(tf_exact, length, avg))
            if field == "body" and positions[i][0] < C.lead_words:
                total += C.lead_weight * idf
        total += C.field_weight(field) * C.proximity_weight * proximity(words, positions, stats, field)
        if field == "body":
            total += C.passage_weight * best_passage(words, positions, stats, field)
    return total * ((1 - C.coordination) + C.coordination * len(matched) / len(words))


def test_score_all_follows_the_ranking_rules_on_the_seed_paragraphs(tmp_path):
    paragraphs = seed_paragraphs()
    docs = [{"title": " ".join(p.split()[:8]), "body": p} for p in paragraphs] + [{"title": "", "body": "داعش"},
                                                                                 {"title": "", "body": "يهاجم المسلحون القرية"}]
    for gap in (C.proximity_window - 1, C.proximity_window, C.passage_words - 2, C.passage_words - 1):
        docs.append({"title": "", "body": " ".join(["داعش", *["مدينة"] * gap, "سوريا"])})  # the windows' edges
    collector = BroadStemCollector()
    for d in docs:
        for text in d.values():
            collector.add(norm for norm, _ in token_forms(text))
    collector.save(tmp_path)
    roots = BroadStemMap.load(tmp_path)
    vocabulary = {stem for d in docs for text in d.values() for _, stem in token_forms(text)}
    stats = CollectionStats(doc_count=1000, avg_length={"title": 8.0, "body": 120.0},
                                    doc_frequency=lambda field, term: 1 + len(term) * 7 % 200)
    for query in ("داعش", "ميليشيات إيرانية في سوريا", "الجيش السوري والروس", "تنظيم الدولة يعود للظهور مجددا",
                  "كورونا OR الوباء", "بطاطس", "هاجم المسلحون", "هجوم الميليشيات", "داعش سوريا داعش",
                  "ما الذي حدث للجيش السوري والميليشيات الإيرانية في سوريا بعد هجوم تنظيم الدولة"):
        words = query_words(parse(query), lambda field, term: term in vocabulary)
        for fields in (("title", "body"), ("body",)):
            analyzed = [{f: TermIds.of(d[f]) for f in fields} for d in docs]
            got = ranking.score_all(words, analyzed, stats, roots)
            want = [reference_score(words, {f: token_forms(d[f]) for f in fields}, stats) for d in docs]
            assert np.allclose(got, want), (query, fields)
    attacked = query_words(parse("هاجم"), lambda field, term: term in vocabulary)
    article = [{"body": TermIds.of("يهاجم المسلحون القرية")}]  # stem يهاجم, broad stem هاجم
    assert ranking.score_all(attacked, article, stats, roots)[0] > 0
    assert ranking.score_all(attacked, article, stats, None)[0] == 0


def test_candidates_decoded_at_once_are_those_decoded_one_by_one():
    texts = seed_paragraphs()[:7] + ["", "داعش", ""]
    at_once = ranking.Candidates.stored([encode(t) for t in texts])
    one_by_one = ranking.Candidates.of([TermIds.decode(encode(t)) for t in texts])
    for name in ("stems", "norms", "lengths", "doc", "position"):
        assert getattr(at_once, name).tolist() == getattr(one_by_one, name).tolist(), name
    assert at_once.n_docs == len(texts) and at_once.size == sum(len(token_forms(t)) for t in texts)


def test_the_second_tier_keeps_its_score_order_when_cut_to_depth():
    """Articles lacking a query part follow those with every part, best first among themselves
    (a float32 tier offset once rounded their scores away and picked them at random)."""
    import numpy as np

    from search.query.first_phase import order
    rng = np.random.default_rng(7)
    scores = rng.uniform(1, 20, 2000).astype(np.float32)
    first = np.zeros(2000, dtype=bool)
    first[:5] = True  # five articles have every part
    ranked = order(np.arange(2000), scores, np.zeros(2000), "relevance", 20, lambda d, newest: np.zeros(len(d)), first)
    rest = [doc for _, doc in ranked[5:]]
    assert sorted(doc for _, doc in ranked[:5]) == [0, 1, 2, 3, 4]
    assert rest == [int(d) for d in 5 + np.argsort(-scores[5:], kind="stable")[:15]]  # the best of the rest
