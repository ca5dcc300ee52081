"""The conflation report's instruments: the affix reference, the corpus vocabulary and the report
(bench.affixes, bench.vocabulary, bench.conflation), on real Arabic words."""

from __future__ import annotations

import gzip
import json
import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench import conflation
from bench.affixes import PROCLITICS, cores, fold_spelling, plausible_forms, spelling_variants
from bench.conflation import FAMILIES, conflation_report, format_report, lift, report_json
from bench.vocabulary import Vocabulary, count_corpus, load_vocabulary, words

# --- the affix reference ------------------------------------------------------------------------

@pytest.mark.parametrize("first, second", [
    ("الحكومة", "حكومتها"), ("فلسطين", "الفلسطينية"), ("إيران", "بإيران"), ("سوريا", "السورية"),
    ("مستواه", "مستوى"), ("الدولتين", "دولة"), ("اتفاقا", "الاتفاق"), ("يومين", "اليوم"),
    ("الحد", "للحد"), ("الأخرى", "آخر"), ("مسؤولوها", "المسؤول"), ("مسئول", "مسؤول"),
])
def test_forms_of_one_word_share_a_core(first, second):
    assert plausible_forms(first, second) and plausible_forms(second, first)


@pytest.mark.parametrize("first, second", [
    ("مصراتة", "مصر"), ("صبراتة", "صبر"), ("ليلى", "ليل"), ("حماية", "حماة"), ("بداية", "بدأ"),
    ("وائل", "ايل"), ("هادئ", "هادي"), ("زائد", "زايد"), ("فئة", "فيه"), ("ألف", "الفني"),
    ("تسعى", "تسعة"), ("ملايين", "الملا"),
])
def test_words_no_affix_or_spelling_leads_between_share_no_core(first, second):
    assert not plausible_forms(first, second)


def test_spelling_folds_hamza_seats_together_but_never_into_a_letter():
    assert spelling_variants("مسئول", "مسؤول") and spelling_variants("فاطمة", "فاطمه")
    assert spelling_variants("مستوى", "مستوي") and spelling_variants("أحمد", "احمد")
    assert not spelling_variants("هادئ", "هادي") and not spelling_variants("مسؤول", "مسؤول")
    assert fold_spelling("ليلى") == "ليلي" and fold_spelling("ىلي") == "ىلي"  # only a final ى


ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


@given(st.text(alphabet=ARABIC_LETTERS, min_size=3, max_size=8),
       st.sampled_from([p for p in PROCLITICS if p]))
def test_a_word_and_the_word_with_a_proclitic_are_plausible_forms(word, proclitic):
    assert fold_spelling(word) in cores(word)
    assert plausible_forms(word, proclitic + word)


def test_without_prepositions_a_lone_b_l_k_f_is_not_cut():
    assert "ايران" in cores("بإيران") and "ايران" not in cores("بإيران", prepositions=False)
    assert "حكوم" in cores("والحكومة", prepositions=False)


# --- the vocabulary -----------------------------------------------------------------------------

ARTICLES = [
    {"id": "a", "title": "مصراتة", "body": "قالَ الرئيـــسُ إن مصراتة و&quot;مصر&quot; 2020 English مستوى"},
    {"id": "b", "body": "مصر مصر والرئيس"},  # no title
    {"id": "c", "title": "", "body": ""},  # nothing: skipped by the reader, not counted
    {"id": "d", "title": "مستوى", "body": "المستوى مستوى\u200c"},
]


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for article in ARTICLES:
            f.write(json.dumps(article, ensure_ascii=False) + "\n")
    return path


def test_words_are_written_forms_without_marks():
    assert words("قالَ: الرئيـــسُ English 2020 مستوى الى إلى") == ["قال", "الرئيس", "مستوى", "الى", "إلى"]


def test_the_corpus_is_counted_as_the_index_reads_it(corpus):
    vocabulary = count_corpus(corpus, min_documents_kept=1)
    assert vocabulary.articles == 3
    assert vocabulary.frequency["مصر"] == 3 and vocabulary.frequency["مستوى"] == 3
    assert vocabulary.frequency["الرئيس"] == 1 and vocabulary.frequency["والرئيس"] == 1
    assert "English" not in vocabulary.frequency and "quot" not in "".join(vocabulary.frequency)
    assert vocabulary.documents["مصر"].tolist() == [0, 1] and vocabulary.document_frequency("مستوى") == 2
    assert vocabulary.document_frequency("غائب") == 0


def test_the_vocabulary_cache_is_used_until_the_corpus_changes(corpus, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    first = load_vocabulary(corpus, cache, min_documents_kept=1)
    files = list(cache.iterdir())
    assert len(files) == 1 and first.frequency == load_vocabulary(corpus, cache, 1).frequency
    with gzip.open(corpus, "at", encoding="utf-8") as f:
        f.write(json.dumps({"id": "e", "title": "مصر", "body": "مصر"}, ensure_ascii=False) + "\n")
    os.utime(corpus, ns=(corpus.stat().st_atime_ns, corpus.stat().st_mtime_ns + 10**9))
    assert load_vocabulary(corpus, cache, 1).frequency["مصر"] == 5
    files[0].write_bytes(b"not a pickle")  # a damaged cache is counted again, not an error
    assert load_vocabulary(corpus, cache, 1).articles == 4


# --- the report ---------------------------------------------------------------------------------

def vocabulary_of(rows: dict[str, tuple[int, list[int]]], articles: int = 100) -> Vocabulary:
    return Vocabulary({w: f for w, (f, _) in rows.items()},
                      {w: np.array(d, dtype=np.int32) for w, (_, d) in rows.items()}, articles)


def test_lift_is_co_occurrence_over_chance():
    vocabulary = vocabulary_of({"a": (30, [1, 2, 3, 4]), "b": (30, [3, 4, 5, 6]), "c": (30, [50])})
    assert lift(vocabulary, "a", "b") == pytest.approx(100 * 2 / 16)
    assert lift(vocabulary, "a", "c") == 0 and lift(vocabulary, "a", "missing") is None


def test_the_report_counts_suspect_split_and_vanished_words():
    rows = {
        "مصر": (500, list(range(0, 40))), "مصراتة": (40, list(range(0, 3)) + list(range(60, 65))),
        "الحكومة": (300, list(range(10, 30))), "حكومتها": (50, list(range(10, 15))),
        "مسؤول": (200, list(range(30, 40))), "مسئول": (30, list(range(30, 33))),
        "إيران": (200, list(range(40, 50))), "بإيران": (25, list(range(40, 45))),
        "آلية": (100, list(range(70, 80))), "نادر": (3, [90]),
    }
    terms = {"مصر": {"مصر"}, "مصراتة": {"مصر"}, "الحكومة": {"حكوم"}, "حكومتها": {"حكومت"},
             "مسؤول": {"مسوول"}, "مسئول": {"مسيول"}, "إيران": {"ايران"}, "بإيران": {"باير"}, "آلية": set()}

    def index_terms(text: str) -> frozenset[str]:
        return frozenset(terms.get(text, {text}))

    report = conflation_report(vocabulary_of(rows), min_freq=20, examples=5, index_terms=index_terms)
    assert report.frequent_words == 9  # نادر is rare
    assert (report.over_words, report.over_pairs) == (2, 1)
    assert {report.over_examples[0].first, report.over_examples[0].second} == {"مصر", "مصراتة"}
    assert (report.split_spelling_pairs, report.split_affix_pairs, report.split_preposition_pairs) == (1, 1, 1)
    assert report.split_affix_examples[0].lift == pytest.approx(100 * 5 / (20 * 5))
    assert report.unindexed_words == 1 and report.unindexed_examples == [("آلية", 100)]
    families = {tuple(f.words): f for f in report.families}
    assert families[("مصراتة", "مصر")].meet and not families[("مصراتة", "مصر")].right
    assert not families[("آلية",)].right and not families[("مسئول", "مسؤول")].right
    assert len(report.families) == len(FAMILIES)
    text = format_report(report)
    assert "(a) Over-conflation" in text and "مصراتة (40) → مصر" in text
    assert json.loads(report_json(report))["over_pairs"] == 1


def test_the_real_analyzer_is_measured_through_the_index_schema():
    terms = conflation.index_terms_function()
    assert terms("والحكومة") == terms("الحكومة") and terms("في") == frozenset()
    assert terms("وزير الحكومة") == terms("الحكومة وزير")  # a text's terms, in any order


def test_the_command_reports_a_corpus_and_refuses_none(corpus, tmp_path, capsys):
    assert conflation.main(["--corpus", str(corpus), "--cache-dir", str(tmp_path), "--min-freq", "1"]) == 0
    out = capsys.readouterr().out
    assert "Conflation report" in out and "(d) Families of issue 17" in out
    assert conflation.main(["--corpus", str(corpus), "--cache-dir", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles"] == 3
    with pytest.raises(SystemExit) as exit_info:
        conflation.main([])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        conflation.main(["--corpus", str(tmp_path / "missing.jsonl")])
    assert "no such corpus" in capsys.readouterr().err


@pytest.mark.parametrize("module", ["bench.affixes", "bench.vocabulary"])
def test_the_docstring_examples_hold(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
