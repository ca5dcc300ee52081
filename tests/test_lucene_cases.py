"""Lucene's Arabic analysis test cases (TestArabicNormalizationFilter, TestArabicStemFilter) as
searches: each spelling finds its pair, each affixed form its base and each base its affixed form
(see :mod:`bench.lucene_cases`; the pairs are in tests/data/lucene_arabic_cases.tsv).

The searches that fail today are marked ``xfail(strict=True)``: when the analyzer is fixed they
pass, strict xfail turns that into a failure, and the mark is to be removed then."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.lucene_cases import (
    FORWARD,
    UNRELATED,
    CaseSearch,
    case_searches,
    found_ids,
    read_cases,
    search_holds,
    target_index,
)

CASES = read_cases()
SEARCHES = case_searches(CASES)

#: (test method, query) of the searches that fail today, with the reason.
KNOWN_FAILURES = {
    # Kept on purpose: a pronoun before a plural ending (ه + ات) is not written in Arabic (the
    # pronoun follows: ساهداتها), and the rule that would strip it breaks real words whose ه is
    # their own (اتجاهات → اتجا, توجهات → توج).
    ("testComboSuf", "ساهدهات"): "one pronoun round then one inflection: ساهدهات → ساهده, not ساهد",
    ("testComboSuf", "ساهد"): "ساهدهات is indexed as ساهده, so ساهد does not find it",
}


def _param(search: CaseSearch):
    reason = KNOWN_FAILURES.get((search.case.method, search.query))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(search, id=f"{search.direction}-{search.name}", marks=marks)


def test_the_file_holds_lucenes_35_pairs_and_49_forward_searches():
    assert len(CASES) == 35
    assert sum(c.is_normalization for c in CASES) == 14
    assert sum(s.direction == FORWARD for s in SEARCHES) == 49
    assert len(SEARCHES) == 49 + 19
    assert all(key in {(s.case.method, s.query) for s in SEARCHES} for key in KNOWN_FAILURES)


@pytest.fixture(scope="module")
def index_of(tmp_path_factory):
    """The tiny index of a target form, built once per form (several searches share a target)."""
    built: dict[str, Path] = {}

    def get(target: str) -> Path:
        if target not in built:
            built[target] = target_index(target, tmp_path_factory.mktemp("lucene-case"))
        return built[target]

    return get


@pytest.mark.parametrize("search", [_param(s) for s in SEARCHES])
def test_lucene_case_as_a_search(search: CaseSearch, index_of):
    index = index_of(search.target)
    found = found_ids(index, search.query)
    assert search_holds(search, found), f"{search.query} should find {search.target}; found {sorted(found)}"


def test_the_unrelated_word_is_found_by_itself_only(tmp_path):
    # The check can fail both ways: a query for the unrelated word finds its article, not the target.
    index = target_index("الحسن", tmp_path)
    assert found_ids(index, UNRELATED) == {"unrelated"}
    assert found_ids(index, "حسن") == {"target"}
