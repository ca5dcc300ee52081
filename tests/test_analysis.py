"""The Whoosh analyzers: tokens, offsets on the original text, stopwords, pickling."""

import pickle

from search.analysis.analyzer import STOPWORDS, analyze, build_analyzer, forms, tokens


def texts(analyzer, text):
    return [t.text for t in analyzer(text)]


def test_harakat_stay_inside_one_token():
    assert tokens("مَبنا") == ["مَبنا"]
    assert texts(build_analyzer(stem=False), "مَبنا") == ["مبنا"]


def test_arabic_latin_and_numbers_are_separate_tokens():
    assert tokens("بالإضافة لـ127 من ISIS") == ["بالإضافة", "لـ", "127", "من", "ISIS"]


def test_offsets_point_at_the_original_words():
    text = "تنظيمُ داعشَ يعود للظهور مُجدَّدًا"
    for token in build_analyzer()(text, chars=True):
        original = text[token.startchar:token.endchar]
        assert original and " " not in original
    spans = [(t.startchar, t.endchar) for t in build_analyzer()(text, chars=True)]
    assert [text[start:end] for start, end in spans] == text.split()


def test_stemming_analyzer_normalizes_stops_and_stems():
    assert texts(build_analyzer(), "وبالتنسيق مع الاستخبارات التركية") == ["تنسيق", "استخبار", "تركي"]


def test_exact_analyzer_keeps_the_normalized_surface_form():
    assert texts(build_analyzer(stem=False), "وبالتنسيق مع الاستخبارات") == ["وبالتنسيق", "الاستخبارات"]


def test_stopwords_include_clitic_prefixed_forms():
    for word in ["في", "وفي", "بان", "لهذا", "التي", "متي", "ماذا", "كم"]:
        assert word in STOPWORDS
    assert texts(build_analyzer(), "وفي بأن لهذا") == []


def test_stopwords_match_with_or_without_hamza_and_diacritics():
    assert texts(build_analyzer(), "إلى الى إلَى أنّ") == []


def test_content_words_that_look_like_clitic_forms_are_not_stopwords():
    assert "فهم" not in STOPWORDS and "وهم" not in STOPWORDS and "ولي" not in STOPWORDS


def test_stopped_tokens_are_kept_when_asked_for_highlighting():
    tokens = [(t.text, t.stopped) for t in build_analyzer()("في سوريا", removestops=False)]
    assert tokens == [("في", True), ("سوري", False)]


def test_analyzer_pickles():
    for analyzer in (build_analyzer(), build_analyzer(stem=False)):
        clone = pickle.loads(pickle.dumps(analyzer))
        assert texts(clone, "الميليشيات الإيرانية") == texts(analyzer, "الميليشيات الإيرانية")


def test_empty_and_punctuation_only_text():
    assert texts(build_analyzer(), "") == []
    assert texts(build_analyzer(), "؟! ، .. - «»") == []


def test_analyze_reports_original_normalized_and_stem():
    rows = [(t.original, t.normalized, t.stem) for t in analyze("وبالتنسيق مع الإيرانية")]
    assert rows == [("وبالتنسيق", "وبالتنسيق", "تنسيق"), ("مع", "مع", None), ("الإيرانية", "الايرانيه", "ايران")]


def test_positions_skip_stopwords_but_phrases_stay_adjacent():
    positions = [(t.text, t.pos) for t in build_analyzer()("الجيش في السوري", positions=True)]
    assert positions == [("جيش", 0), ("سوري", 1)]


def test_forms_are_memoized_and_none_for_stopwords():
    assert forms("والميليشيات") == ("والميليشيات", "ميليشي")
    assert forms("والميليشيات") is forms("والميليشيات")
    assert forms("وفي") is None
