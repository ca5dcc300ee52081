"""Phrases and required words without positions in the index: checked in the analyzed forms."""

import numpy as np

from search.query.filters import has_sequence


def test_has_sequence_needs_the_ids_one_right_after_the_other():
    stems = np.array([5, 1, 2, 3, 1, 2], dtype=np.uint32)
    assert has_sequence(stems, np.array([1, 2, 3], dtype=np.uint32))
    assert has_sequence(stems, np.array([2], dtype=np.uint32))
    assert not has_sequence(stems, np.array([1, 3], dtype=np.uint32))
    assert not has_sequence(stems, np.array([3, 2], dtype=np.uint32))
    assert not has_sequence(stems[:1], np.array([5, 1], dtype=np.uint32))
    assert has_sequence(stems, np.array([1, 2], dtype=np.uint32))


def test_a_phrase_matches_across_diacritics_clitics_and_stopwords_but_not_out_of_order(searcher):
    # The seed says «الجيش السوري» many times; the stopword في between two words does not count
    # (it is not indexed), as in Whoosh's phrase queries before.
    found = {h.id for h in searcher.search('"الجيشُ السوريّ"', limit=50).hits}
    assert found == {h.id for h in searcher.search('"الجيش السوري"', limit=50).hits} and found
    assert searcher.search('"السوري الجيش"', limit=50).notices  # nobody wrote it: a notice, not a match


def test_an_excluded_phrase_removes_only_articles_with_the_phrase(searcher):
    everything = {h.id for h in searcher.search("داعش", limit=50).hits}
    without = {h.id for h in searcher.search('داعش -"الجيش السوري"', limit=50).hits}
    with_phrase = {h.id for h in searcher.search('"الجيش السوري"', limit=50).hits}
    assert without == everything - with_phrase and without
