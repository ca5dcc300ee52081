"""Snippets: passages around the query's words of the seed article, marked on the original words."""

import itertools
import re

from conftest import SEEDS
from hypothesis import given, settings
from hypothesis import strategies as st

from search.query.parser import highlight_phrases, highlight_terms, parse
from search.query.snippets import GAP, MARK_CLOSE, MARK_OPEN, lead, mark_all, matches, snippet

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


# --- issue 20: every shown word marked, no text twice, the phrase's passage ----------------


QUERIES = ("الحوثيين", "داعش", "الجيش السوري", "داعش الروس", "كورونا العراق وسوريا", "ميليشيا ايرانية",
           '"الجيش السوري الحر"', "تركيا ليبيا")


def passages(text: str) -> list[str]:
    return [p.strip() for p in text.split(GAP.strip())]


def unmarked_matches(passage: str, stems: frozenset[str]) -> list[str]:
    """The query words in `passage` that are not inside a mark."""
    outside = re.sub(f"{MARK_OPEN}.*?{MARK_CLOSE}", " ", passage)
    return [outside[s:e] for s, e, _ in matches(outside, stems)]


def test_every_query_word_in_a_snippet_is_marked_to_its_last_characters():
    # the match in the last 70 characters of a passage was left unmarked ("تقاتل الحوثيين")
    text = ("قالت المصادر إن القوات اليمنية " + "تتقدم في المحافظات الشمالية ببطء " * 4
            + "وهي تقاتل الحوثيين في الجبال منذ أشهر طويلة")
    shown = snippet(text, terms("القوات الحوثيين"), top=1)
    assert "الحوثيين" in plain(shown)
    assert marked(shown) == ["القوات", "الحوثيين"]
    for query in QUERIES:
        for top in (1, 2, 3):
            shown = snippet(BODY, terms(query), top=top)
            for passage in passages(shown):
                assert unmarked_matches(passage, terms(query)) == [], (query, passage)


@settings(max_examples=150, deadline=None)
@given(query=st.sampled_from(QUERIES), chars=st.integers(40, 400), surround=st.integers(0, 120),
       top=st.integers(1, 4), cut=st.integers(0, len(BODY)))
def test_snippets_mark_every_shown_match_and_never_repeat_text(query, chars, surround, top, cut):
    text = BODY[cut:] + "\n" + BODY[:cut]
    stems = terms(query)
    shown = snippet(text, stems, chars=chars, surround=min(surround, chars), top=top,
                    phrases=highlight_phrases(parse(query)))
    if not matches(text, stems):
        assert shown == lead(text, chars)
        return
    spans = []
    for passage in passages(shown):
        assert unmarked_matches(passage, stems) == [], passage
        start = text.index(plain(passage))
        spans.append((start, start + len(plain(passage))))
    assert len(spans) <= top
    spans.sort()
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), "two passages share text"


def test_overlapping_passages_do_not_print_a_sentence_twice():
    # three close matches used to make two passages of mostly the same sentence
    text = ("حشو " * 40 + "أعلن الجيش السوري أن الجيش السوري سيطر على المدينة وأن الجيش انسحب منها "
            + "حشو " * 40)
    shown = snippet(text, terms("الجيش السوري"), top=2)
    sentence = "سيطر على المدينة"
    assert plain(shown).count(sentence) == 1
    repeated = "فقرة أولى عن داعش في سوريا. " + "حشو " * 60 + "فقرة أولى عن داعش في سوريا. " + "حشو " * 20
    assert plain(snippet(repeated, terms("داعش"), top=2)).count("فقرة أولى") == 1


def test_a_quoted_phrase_shows_the_passage_that_holds_it():
    text = ("الجيش في الشمال والجيش في الجنوب، " * 3 + "ومقاتلو الحر في الريف والسوري " * 2
            + "حشو " * 60 + "وقال قائد في الجيش السوري الحر إن المعارك مستمرة. " + "حشو " * 40)
    query = '"الجيش السوري الحر"'
    shown = snippet(text, terms(query), top=1, phrases=highlight_phrases(parse(query)))
    assert f"{MARK_OPEN}الجيش{MARK_CLOSE} {MARK_OPEN}السوري{MARK_CLOSE} {MARK_OPEN}الحر{MARK_CLOSE}" in shown
    # without the phrase, the passage with more matches wins: the phrase is what chooses
    assert "الجيش السوري الحر" not in plain(snippet(text, terms(query), top=1))
