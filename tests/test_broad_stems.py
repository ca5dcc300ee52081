"""Broad stems: the fast path gives Tashaphyne's own light stem; the map survives a reindex."""

from conftest import seed_paragraphs
from tashaphyne.stemming import ArabicLightStemmer

from search.analysis.analyzer import term_id, token_forms
from search.analysis.broad_stems import BroadStemCollector, BroadStemMap, broad_stem


def test_broad_stem_is_tashaphynes_light_stem():
    stemmer = ArabicLightStemmer()
    norms = {norm for text in seed_paragraphs() for norm, _ in token_forms(text)} | {"يهاجم", "والمسلحون", "ا"}
    assert len(norms) > 200
    for norm in norms:
        assert broad_stem(norm) == (stemmer.light_stem(norm) or norm), norm


def test_the_map_gives_the_forms_sharing_a_broad_stem(tmp_path):
    collector = BroadStemCollector()
    collector.add(["يهاجم", "هاجم", "هاجمت", "في", "2020", "يهاجم"])
    collector.save(tmp_path)
    roots = BroadStemMap.load(tmp_path)
    found = set(roots.forms_of(broad_stem("هاجم")).tolist())
    assert {term_id("يهاجم"), term_id("هاجم")} <= found
    assert term_id("في") not in found and not len(roots.forms_of("2020"))  # stopwords, digits: left out
    more = BroadStemCollector(roots)  # an incremental reindex keeps the old forms
    more.add(["سيهاجمون"])
    more.save(tmp_path)
    assert term_id("يهاجم") in set(BroadStemMap.load(tmp_path).forms_of(broad_stem("هاجم")).tolist())
    assert BroadStemMap.load(tmp_path / "none") is None
