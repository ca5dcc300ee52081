"""Snippets: passages around the query's words of the seed article, marked on the original words."""

import re

from conftest import SEEDS

from search.query.parser import highlight_terms, parse
from search.query.snippets import GAP, MARK_CLOSE, MARK_OPEN, lead, mark_all, snippet

BODY = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")


def marked(text: str) -> list[str]:
    return re.findall(f"{MARK_OPEN}(.*?){MARK_CLOSE}", text)


def plain(text: str) -> str:
    return text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


def terms(query: str) -> frozenset[str]:
    return highlight_terms(parse(query))


def test_words_are_marked_by_stem_on_their_original_spelling():
    words = marked(snippet(BODY, terms("ميليشيا"), top=5))
    assert words and all("يليشي" in w or "ليشي" in w for w in words)
    assert any(w != "ميليشيا" for w in words)  # a plural or a clitic form, marked whole


def test_every_passage_is_a_piece_of_the_text_cut_at_whole_words():
    text = snippet(BODY, terms("داعش الجيش السوري"))
    passages = plain(text).split(GAP.strip())
    assert 1 <= len(passages) <= 2
    for passage in passages:
        passage = passage.strip()
        assert passage in BODY
        start = BODY.index(passage)
        assert start == 0 or BODY[start - 1].isspace()
        end = start + len(passage)
        assert end == len(BODY) or BODY[end].isspace() or not BODY[end].isalpha()


def test_a_passage_stays_near_its_length():
    for query in ("داعش", "كورونا العراق", "الروس"):
        for passage in plain(snippet(BODY, terms(query), chars=240)).split(GAP.strip()):
            assert len(passage.strip()) <= 240


def test_the_passage_with_more_distinct_words_wins():
    text = "ذكر العراق مرة. " + "كلام عام عن أمور أخرى " * 30 + "ثم ذكر العراق وسوريا معا. " + "حشو " * 80
    best = snippet(text, terms("العراق سوريا"), top=1)
    assert marked(best) == ["العراق", "وسوريا"]


def test_passages_are_in_text_order():
    text = snippet(BODY, terms("داعش الروس"), top=2)
    first, *rest = plain(text).split(GAP.strip())
    if rest:
        assert BODY.index(first.strip()) < BODY.index(rest[0].strip())


def test_no_match_gives_the_start_of_the_text():
    assert snippet(BODY, terms("بطاطس"), chars=100) == lead(BODY, 100)
    assert lead(BODY, 100).endswith(" …") and len(lead(BODY, 100)) <= 102
    assert snippet("قصير", frozenset()) == "قصير"


def test_mark_all_keeps_the_text_and_marks_every_occurrence():
    whole = mark_all(BODY, terms("داعش"))
    assert plain(whole) == BODY
    assert len(marked(whole)) == len(re.findall("داعش", BODY))
    assert mark_all(BODY, frozenset()) == BODY


def test_diacritics_inside_a_marked_word_stay_inside_the_mark():
    text = "عاد تنظيمُ داعشَ إلى الظهورِ مُجدَّدًا"
    assert marked(snippet(text, terms("داعش الظهور"))) == ["داعشَ", "الظهورِ"]


def test_matches_equal_a_plain_token_scan_whatever_the_spacing():
    from search.analysis.analyzer import TOKEN_PATTERN, forms
    from search.query.snippets import matches

    def plain_scan(text, wanted):
        found = []
        for match in TOKEN_PATTERN.finditer(text):
            analyzed = forms(match.group())
            if analyzed is not None and analyzed[1] in wanted:
                found.append((match.start(), match.end(), analyzed[1]))
        return found

    spaced = BODY.replace(" ", "  ", 7).replace("،", " ، \t") + "\n\n«داعش»  الدولةُ \u200fداعش "
    for text in (BODY, spaced, " داعش", "داعش ", ""):
        for query in ("داعش", "الجيش السوري", "كورونا العراق وسوريا", "بطاطس"):
            assert matches(text, terms(query)) == plain_scan(text, terms(query))
    assert matches(spaced, terms("داعش"))


def every_match(text: str, stems: frozenset[str]) -> list[tuple[int, int, str]]:
    """The plain way: tokenize the whole text and keep the tokens whose stem is a query stem."""
    from search.analysis.analyzer import TOKEN_PATTERN, forms
    return [(m.start(), m.end(), forms(m.group())[1]) for m in TOKEN_PATTERN.finditer(text)
            if forms(m.group()) and forms(m.group())[1] in stems]


def test_matches_are_those_of_tokenizing_the_whole_text():
    from search.analysis.analyzer import TOKEN_PATTERN, forms
    from search.query.snippets import matches
    vowelled = "عادَ تنظيمُ «داعش» إلى الظهورِ مُجدَّدًا في سوريا،والعراق ٢٠٢٠ — بالميليشيات الإيرانيّة\u200fو الجيشَ"
    for text in (BODY, vowelled, BODY.replace(" ", "\u00a0", 40), "", "   "):
        stems = {found[1] for m in TOKEN_PATTERN.finditer(text) if (found := forms(m.group()))}
        for query in ("داعش", "ميليشيا ايرانية", "الجيش السوري 2020", "مجددا سوريا العراق", "بطاطس"):
            assert matches(text, terms(query)) == every_match(text, terms(query)), query
        everything = frozenset(stems)
        assert matches(text, everything) == every_match(text, everything)


def test_a_stem_is_part_of_its_normalized_word():
    # what matches() relies on to find the pieces to tokenize
    from conftest import seed_paragraphs

    from search.analysis.analyzer import TOKEN_PATTERN, forms
    from search.analysis.arabic import normalize
    words = {w for text in seed_paragraphs() for w in TOKEN_PATTERN.findall(text)}
    words |= {"بألغام", "مجدداً", "يمنياً", "حكومتها", "الإيرانيين", "للميليشيات", "ألمانيا", "وبالمدينة"}
    for word in words:
        if forms(word):
            assert forms(word)[1] in normalize(word), word
