"""Searching: spelling variants, query syntax, date filter, sort, snippets, bad input."""

import re

import pytest

from search.analysis.arabic import stem_written
from search.errors import Code, QueryError, SearchError
from search.query.parser import MAX_QUERY_CHARS, parse
from search.searcher import Searcher

SEED_ID_PATTERN = re.compile(r"^[0-9a-f]{16}$")


def ids(results):
    return [h.id for h in results.hits]


def marked_words(snippet_html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", snippet_html)


# --- every spelling of a seed word finds the seed article -------------------------------------

@pytest.mark.parametrize("query", [
    # الميليشيات as written, without ال, with و/ب/ل, singular, with diacritics and tatweel
    "الميليشيات", "ميليشيات", "والميليشيات", "بالميليشيات", "للميليشيات", "الميليشيا", "ميليشيا",
    "المِيلِيشِيَات", "الميليـشيات",
    # الإيرانية: hamza forms, ة/ه, masculine, plural
    "الإيرانية", "الايرانية", "الايرانيه", "إيرانية", "إيراني", "الإيرانيين",
    # تنظيم with clitics the stemmer keeps and the query side recovers
    "تنظيم", "التنظيم", "لتنظيم", "بتنظيم", "وتنظيم",
    # أردوغان without hamza, مساندة with ه
    "اردوغان", "مسانده", "المساندة",
    # الاستخبارات: singular, without ال
    "استخبارات", "الاستخبارات",
    # صبراتة written with ه, Persian keyboard yeh in سوریا
    "صبراته", "سوریا",
])
def test_spelling_variants_of_seed_words_find_the_seed(seed_searcher, query):
    results = seed_searcher.search(query)
    assert results.total == 1, query
    assert marked_words(results.hits[0].snippet_html), f"nothing marked for {query}"


def test_a_word_not_in_the_seed_finds_nothing(seed_searcher):
    assert seed_searcher.search("البطاطس").total == 0


def test_seed_is_read_with_title_author_and_date(seed_searcher):
    hit = seed_searcher.search("داعش").hits[0]
    assert hit.title.startswith("بمؤازرة الميليشيات الإيرانية")
    assert hit.date.startswith("2020-06-22T00:19")
    assert "فاطمة عبدالغني" in hit.author
    assert SEED_ID_PATTERN.match(hit.id)


# --- ranking ------------------------------------------------------------------------------------

def test_more_query_words_rank_first(searcher):
    results = searcher.search("صبراتة معسكر البراعم")
    assert results.hits[0].id == "seed-p05"  # the only paragraph with all three words


def test_exact_form_ranks_above_a_stem_only_match(searcher):
    # both paragraphs have the stem of الدواعش/دواعش; p07 has the exact form الدواعش
    results = searcher.search("الدواعش")
    assert results.hits[0].id == "seed-p07"
    assert {"seed-p07", "seed-p10"} <= set(ids(results))


# --- query syntax -------------------------------------------------------------------------------

def test_phrase_requires_the_words_in_order(searcher):
    phrase = searcher.search('"الجيش السوري"', limit=50)
    # by stem: للجيش السوري (p11) counts; p09 and p10 have الجيش without السوري
    assert set(ids(phrase)) == {"seed-p01", "seed-p02", "seed-p03", "seed-p11"}


def test_a_phrase_nobody_wrote_falls_back_to_the_words_and_says_so(searcher):
    reversed_phrase = searcher.search('"السوري الجيش"', limit=50)
    assert [n.code for n in reversed_phrase.notices] == [Code.PHRASE_RELAXED]
    assert "exact phrase" in str(reversed_phrase.notices[0])
    assert {"seed-p01", "seed-p11"} <= set(ids(reversed_phrase))
    exact = searcher.search('"الجيش السوري"')
    assert not exact.notices


def test_exclusion_removes_articles_with_the_word(searcher):
    with_word = set(ids(searcher.search("داعش", limit=50)))
    without = set(ids(searcher.search("داعش -صبراتة", limit=50)))
    assert without and without < with_word
    assert {"seed-p05", "seed-p06", "seed-p07"}.isdisjoint(without)


def test_required_word(searcher):
    results = searcher.search("داعش +أردوغان", limit=50)
    assert set(ids(results)) == {"seed-p06", "seed-p10"}


def test_or_finds_either_word(searcher):
    results = searcher.search("كورونا OR أردوغان", limit=50)
    assert set(ids(results)) == {"seed-p00", "seed-p06", "seed-p10"}


def test_leading_dash_and_space_of_a_typed_question_is_not_an_exclusion(searcher):
    results = searcher.search("- من هو عبدالحكيم المشوط؟")
    assert ids(results)[:1] == ["seed-p09"]


@pytest.mark.parametrize("query", ["-", '"', '""', "- -", "OR", "+", "|", '"داعش', 'داعش"', "((داعش", "*", "؟"])
def test_stray_operators_and_quotes_do_not_crash(searcher, query):
    results = searcher.search(query)
    if "داعش" in query:  # the word is searched, the stray signs ignored
        assert results.total == searcher.search("داعش").total > 0 and not results.notices
    else:  # nothing to search: said, not failed
        assert results.total == 0 and [n.code for n in results.notices] == [Code.NOTHING_TO_SEARCH]


def test_only_stopwords_says_so(searcher):
    results = searcher.search("في من إلى")
    assert results.total == 0 and results.notices


def test_a_wrong_argument_is_a_type_error_not_a_damaged_index(searcher):
    with pytest.raises(TypeError):
        searcher.search("داعش", no_such_option=True)
    for call in (lambda: searcher.search(b"\xd9\x85\xd8\xb5\xd8\xb1"), lambda: searcher.search(5),
                 lambda: searcher.search("مصر", source=5), lambda: searcher.search("مصر", author=5),
                 lambda: searcher.article(5), lambda: searcher.related(None)):
        with pytest.raises(TypeError, match="must be a str"):  # not "the index is damaged"
            call()


def test_only_exclusions_returns_the_rest(searcher):
    results = searcher.search("-داعش", limit=50)
    assert results.total > 0
    assert all("داعش" not in (searcher.article(i).marked_body) for i in ids(results))


def test_too_long_query_is_a_clear_error(searcher):
    with pytest.raises(QueryError, match="too long"):
        searcher.search("داعش " * (MAX_QUERY_CHARS // 5 + 1))


def test_parse_keeps_phrases_exclusions_and_alternatives():
    parsed = parse('"الجيش السوري" -تركيا كورونا OR وباء')
    assert [([t.written for t in c.terms], c.phrase, c.excluded) for c in parsed.clauses] == [
        (["الجيش", "السوري"], True, False), (["تركيا"], False, True), (["كورونا"], False, False)]
    assert [t.written for t in parsed.clauses[2].alternatives[0].terms] == ["وباء"]
    assert [t.written for t in parsed.terms()] == ["الجيش", "السوري", "كورونا", "وباء"]  # positive, in order


def test_a_dash_in_a_remembered_sentence_is_punctuation_not_an_exclusion():
    """Arabic sets a phrase off with dashes (تكافح مصر -كغيرها- من الدول): in a text of five
    words or more a dash before one word is punctuation; in keywords it still excludes."""
    text = parse("ارتفاع معدلات البطالة تكافح مصر -كغيرها")
    assert not text.excluded and text.dashes == ["كغيرها"]
    assert "كغيرها" in [t.written for t in text.terms()]
    keywords = parse("البطالة مصر -كغيرها")
    assert [c.terms[0].written for c in keywords.excluded] == ["كغيرها"] and not keywords.dashes
    phrase = parse('ارتفاع معدلات البطالة تكافح مصر -"الدول العربية"')  # a quoted exclusion is deliberate
    assert len(phrase.excluded) == 1 and not phrase.dashes
    operators = parse('"معدلات البطالة" تكافح مصر الأردن -كغيرها')  # other operators: the user writes syntax
    assert [c.terms[0].written for c in operators.excluded] == ["كغيرها"] and not operators.dashes
    typed = parse("- من هو مؤسس الدولة السعودية")  # a dash then a space: punctuation as before
    assert not typed.excluded and not typed.dashes
    # keywords with their exclusions: the dashed words do not make a text (found by a fresh tester)
    for keywords in ("القمة الخليجية في الرياض -قطر", "أمير منطقة الرياض -جدة -الدمام", "-مصر -السعودية -قطر -الكويت -عمان"):
        assert parse(keywords).excluded and not parse(keywords).dashes, keywords
    closed = parse("مصر -كغيرها- تكافح")  # a phrase set off by two dashes, at any length
    assert not closed.excluded and closed.dashes == ["كغيرها"]
    assert parse("مصر -مصر مصر -مصر مصر كلها اليوم").dashes == ["مصر"]  # named once


def test_a_dashed_word_in_a_sentence_is_searched_and_the_page_says_why(searcher):
    sentence = searcher.search("قوات الجيش السوري في مدينة -داعش", limit=50)
    keywords = searcher.search("الجيش السوري -داعش", limit=50)
    assert Code.DASH_IS_PUNCTUATION in [n.code for n in sentence.notices]
    assert Code.DASH_IS_PUNCTUATION not in [n.code for n in keywords.notices]
    dashed_found = {h.id for h in sentence.hits} - {h.id for h in keywords.hits}
    assert any("داعش" in searcher.article(i).marked_body for i in dashed_found)


def test_each_word_is_analysed_once_into_its_forms():
    """The parser gives every stage the same forms: written, normalized, stem, alternates, and
    the ب/ل/ك/ف forms to look up."""
    (term,) = parse("بتنظيمٍ").terms()
    assert (term.written, term.normalized, term.stem) == ("بتنظيمٍ", "بتنظيم", stem_written("بتنظيمٍ"))
    assert "تنظيم" in term.clitic_forms and "لبتنظيم" in term.clitic_forms  # ب taken off; ل put on
    assert term.stems == (term.stem, *term.alternates)
    (excluded,) = parse("-بتنظيمٍ").excluded
    assert excluded.terms == [term]  # an operator's word is analysed exactly as a plain one


# --- dates and sort -----------------------------------------------------------------------------

def test_date_filter_keeps_only_articles_inside_the_range(searcher):
    results = searcher.search("داعش", date_from="2020-06-21", date_to="2020-06-22", limit=50)
    assert set(ids(results)) == {"seed-p01", "seed-p02"}


def test_date_filter_bounds_are_whole_days(searcher):
    results = searcher.search("صبراتة", date_from="2020-12-31", date_to="2020-12-31")
    assert ids(results) == ["seed-p05"]  # dated 23:59 that day


def test_sort_newest_and_oldest(searcher):
    newest = searcher.search("داعش", sort="newest", limit=50)
    dates = [h.date for h in newest.hits]
    assert dates == sorted(dates, reverse=True)
    oldest = searcher.search("داعش", sort="oldest", limit=50)
    assert [h.date for h in oldest.hits] == sorted(dates)


@pytest.mark.parametrize("kwargs,message", [
    ({"date_from": "2020-13-01"}, "not a date"),
    ({"date_from": "yesterday"}, "not a date"),
    ({"date_from": "2021-01-01", "date_to": "2020-01-01"}, "before"),
    ({"page": 0}, "page"),
    ({"limit": 1_000_000}, "limit"),
    ({"page": 10**9}, "deep"),
    ({"sort": "random"}, "sort"),
])
def test_impossible_parameters_are_clear_errors(searcher, kwargs, message):
    with pytest.raises(SearchError, match=message):
        searcher.search("داعش", **kwargs)


def test_pagination_pages_do_not_overlap(searcher):
    first = searcher.search("داعش", limit=3, page=1)
    second = searcher.search("داعش", limit=3, page=2)
    assert first.total == second.total > 6
    assert not set(ids(first)) & set(ids(second))


# --- snippets and highlighting ------------------------------------------------------------------

def test_stem_matches_are_marked_on_the_original_words(searcher):
    hit = searcher.search("ميليشيا إيران", limit=50)
    marks = {w for h in hit.hits for w in marked_words(h.snippet_html)}
    assert {"الميليشيات", "الإيرانية"} <= marks


def test_marks_cover_whole_words_with_their_diacritics(tmp_path):
    from search.index.build import reindex
    from search.searcher import Searcher
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        '{"id": "d1", "title": "خبر", "body": "عاد تنظيمُ داعشَ إلى الظهورِ مُجدَّدًا في البادية"}\n', encoding="utf-8")
    reindex([folder], tmp_path / "ix", procs=1)
    hit = Searcher(tmp_path / "ix").search("داعش الظهور").hits[0]
    assert marked_words(hit.snippet_html) == ["داعشَ", "الظهورِ"]


def test_article_view_marks_query_words_in_the_full_text(searcher):
    view = searcher.article("seed-p11", "الميليشيات")
    assert "<mark>الميليشيات</mark>" in view.body_html
    assert searcher.article("no-such-id") is None


def test_html_in_articles_is_escaped(tmp_path):
    from search.index.build import reindex
    from search.searcher import Searcher
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        '{"id": "x1", "title": "<script>alert(1)</script> داعش", "body": "داعش <script>alert(1)</script> في البادية"}\n',
        encoding="utf-8")
    reindex([folder], tmp_path / "ix", procs=1)
    hit = Searcher(tmp_path / "ix").search("داعش").hits[0]
    assert "<script>" not in hit.snippet_html and "&lt;script&gt;" in hit.snippet_html


# --- all words first ---------------------------------------------------------------------------

@pytest.mark.parametrize("sort", ["newest", "oldest", "relevance"])
def test_articles_with_every_word_come_first_and_are_counted(searcher, sort):
    results = searcher.search("داعش كورونا", sort=sort, limit=100)
    complete = [h for h in results.hits if not h.missing]
    assert results.complete == len(complete) > 0 and results.total > results.complete
    assert results.hits[:len(complete)] == complete  # every word first, in every order
    for hit in results.hits[len(complete):]:
        assert hit.missing in (["داعش"], ["كورونا"])
        article = searcher.article(hit.id)
        assert hit.missing[0] not in article.marked_title + article.marked_body
    if sort != "relevance":
        dates = [h.date for h in complete]
        assert dates == sorted(dates, reverse=sort == "newest")


def test_a_long_query_is_ranked_by_relevance_alone_but_still_counted(searcher):
    """Questions and pasted sentences rarely have every word in one article: their order is the
    ranking's, not every-word-first (all_words_max_parts), but the count and the marks stay."""
    query = "ماذا فعل داعش بالمكتب المخصص لمكافحته في ليبيا"
    results = searcher.search(query, limit=100)
    assert results.complete is not None
    ranked = Searcher(searcher.root, searcher.ranking.replace(all_words_first=False)).search(query, limit=100)
    assert [h.id for h in results.hits] == [h.id for h in ranked.hits]
    assert ranked.complete is None and all(not h.missing for h in ranked.hits)


def test_or_alternatives_and_phrases_count_as_one_part(searcher):
    results = searcher.search('"الجيش السوري" كورونا OR أردوغان', sort="newest", limit=100)
    for hit in results.hits:
        assert set(hit.missing) <= {'"الجيش السوري"', "كورونا OR أردوغان"}
