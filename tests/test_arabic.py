"""One test per normalization and stemming rule, on real Arabic (mostly words of the seed article)."""

import pytest

from search.analysis.arabic import normalize, stem, stem_written


def check_norm(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def check_stem(raw: str, expected: str) -> None:
    assert stem_written(raw) == expected


# --- normalization ---------------------------------------------------------------------------

def test_harakat_tanween_shadda_sukun_are_removed():
    check_norm("مُجَدَّدًا", "مجددا")
    check_norm("الْعِرَاقِ", "العراق")
    check_norm("جَمِيعاً", "جميعا")


def test_dagger_alef_is_removed():
    check_norm("هٰذا", "هذا")


def test_tatweel_is_removed():
    check_norm("داعـــش", "داعش")


def test_zero_width_and_bidi_marks_are_removed():
    check_norm("دا\u200cعش\u200f", "داعش")
    check_norm("\u202bسوريا\u202c", "سوريا")


@pytest.mark.parametrize("raw", ["أحمد", "إحمد", "آحمد", "ٱحمد", "احمد"])
def test_alef_forms_fold_to_bare_alef(raw):
    check_norm(raw, "احمد")


def test_alef_maksura_folds_to_yeh():
    check_norm("على", "علي")
    check_norm("مرأى", "مراي")


def test_teh_marbuta_folds_to_heh():
    check_norm("فاطمة", "فاطمه")


def test_seated_hamzas_fold_to_one_hamza_so_the_spellings_of_a_word_meet():
    assert normalize("مسؤول") == normalize("مسئول") == "مسءول"
    check_norm("رئيس", "رءيس")
    assert normalize("هادئ") != normalize("هادي")  # calm is not the name Hadi
    assert normalize("زائد") != normalize("زايد")
    assert normalize("شيئ") == normalize("شيء")


def test_persian_keyboard_letters_fold_to_arabic():
    check_norm("سوریا", "سوريا")  # Farsi yeh
    check_norm("ترکیا", "تركيا")  # keheh
    check_norm("مدینۃ", "مدينه")  # teh marbuta goal


def test_letters_arabic_lacks_are_left_alone():
    check_norm("پاکستان", "پاكستان")
    check_norm("گاز", "گاز")


def test_eastern_arabic_and_persian_digits_become_ascii():
    check_norm("٢٠٢٠", "2020")
    check_norm("۱۳۹۹", "1399")


def test_latin_is_lowercased():
    check_norm("ISIS", "isis")


def test_normalize_is_idempotent_on_the_seed(seed_text):
    once = normalize(seed_text)
    assert normalize(once) == once


# --- stemming: clitics ------------------------------------------------------------------------

def test_al_prefix():
    check_stem("الجيش", "جيش")


def test_wal_prefix():
    check_stem("والرقة", "رقه")


def test_bal_prefix():
    check_stem("بالتنسيق", "تنسيق")


def test_kal_and_fal_prefixes():
    check_stem("كالتنظيم", "تنظيم")
    check_stem("فالتنظيم", "تنظيم")


def test_lil_prefix():
    check_stem("للجيش", "جيش")


def test_waw_prefix_on_long_words():
    check_stem("وسوريا", "سوري")
    check_stem("وبالتنسيق", "تنسيق")


def test_waw_that_belongs_to_the_word_stays():
    check_stem("وزير", "وزير")
    check_stem("وطني", "وطني")


# --- stemming: suffixes -----------------------------------------------------------------------

def test_feminine_plural_at():
    check_stem("الاستخبارات", "استخبار")


def test_masculine_plurals_un_and_in():
    check_stem("المسلمين", "مسلم")
    check_stem("المراقبون", "مراقب")


def test_nisba_and_feminine_endings():
    check_stem("الإيرانية", "ايران")  # the nisba of a base of four letters or more is stripped
    check_stem("الإيرانيين", "ايران")
    # on a three-letter base it stays, lest the adjective meet a word of those three letters
    check_stem("التركية", "تركي")  # not ترك, "leave"
    assert meet("التركية", "تركيا") and meet("السورية", "سوريا") and meet("سورية", "السوري")
    assert not meet("السورية", "السور") and not meet("المصريين", "مصر")


def test_attached_pronouns():
    check_stem("ضرباته", "ضرب")  # ات + ه
    check_stem("عناصره", "عناصر")
    check_stem("سياساتها", "سياس")


def test_teh_of_teh_marbuta_before_a_pronoun():
    check_stem("حكومته", "حكوم")
    check_stem("حكومة", "حكوم")


# --- the over-stemming default Tashaphyne does, guarded --------------------------------------

def test_teh_that_begins_the_word_is_kept():
    check_stem("تنظيم", "تنظيم")  # default Tashaphyne: نظيم


def test_feh_that_begins_a_name_is_kept():
    assert stem(normalize("فاطمة")).startswith("فاطم")  # default Tashaphyne: اطم


def test_yeh_that_begins_a_month_is_kept():
    check_stem("يونيو", "يونيو")  # default Tashaphyne: ونيو


def test_plural_of_a_loanword_keeps_its_last_letter():
    check_stem("الميليشيات", "ميليشي")  # default Tashaphyne: ميليش
    check_stem("الميليشيا", "ميليشي")


def test_single_letter_proclitics_are_not_stripped():
    check_stem("فهم", "فهم")  # Tashaphyne issue #4: فهم → هم
    check_stem("بطاطس", "بطاطس")
    check_stem("فلسطين", "فلسط")  # ين stripped, ف kept
    check_stem("لبنان", "لبنان")


def test_name_endings_need_a_longer_stem():
    check_stem("سلمان", "سلمان")
    check_stem("قانون", "قانون")
    check_stem("المحاكم", "محاكم")


def test_al_initial_words_in_the_exception_list_are_kept():
    check_stem("ألمانيا", "المانيا")
    check_stem("الله", "الله")


def test_short_words_and_non_arabic_are_untouched():
    check_stem("من", "من")
    check_stem("isis", "isis")
    check_stem("2020", "2020")


def test_empty_word():
    assert stem("") == ""
    assert normalize("") == ""


@pytest.fixture(scope="module")
def seed_text():
    from conftest import SEED_FILE
    return SEED_FILE.read_text(encoding="utf-8")


# --- what normalization erases: hamza before ل, tanween -----------------------------------------

def test_hamza_on_the_alef_before_lam_means_no_article():
    from search.analysis.arabic import stem_written
    assert stem_written("ألبرت") == "البرت"  # not ال + برت
    assert stem_written("البرت") == "برت"  # typed without hamza: read as the article
    assert stem_written("بألغام") == "الغام"  # ب is a proclitic, ال belongs to ألغام
    assert stem_written("وألمانيا") == "المانيا"


def test_tanween_alef_is_the_accusative_ending():
    from search.analysis.arabic import stem_written
    assert stem_written("مجدداً") == "مجدد"
    assert stem_written("يمنياً") == stem_written("اليمني")


def test_a_query_typed_without_hamza_or_tanween_also_tries_the_other_reading():
    from search.query.parser import alternate_stems
    assert "البرت" in alternate_stems("البرت")
    assert "برت" in alternate_stems("ألبرت")
    assert "يمن" in alternate_stems("يمنيا")


# --- names and word forms (issue 17): one test per kind of fault, on real words -------------

def meet(a: str, b: str) -> bool:
    return stem_written(a) == stem_written(b)


def test_stopwords_are_matched_as_written_so_names_that_fold_to_them_stay():
    from search.analysis.analyzer import forms
    for name, particle in [("علي", "على"), ("منى", "مني"), ("إمام", "أمام"), ("آلية", "إليه"), ("فئة", "فيه")]:
        assert forms(name) is not None, name  # a name or a noun: indexed
        assert forms(particle) is None, particle  # the particle: a stopword
    assert forms("عَلَى") is None and forms("الى") is None  # diacritics, and a particle typed without hamza


def test_teh_marbuta_is_not_a_pronoun_and_ends_the_stripping():
    assert not meet("مصراتة", "مصر") and not meet("صبراتة", "صبر")
    assert meet("مصراتة", "والمصراتة")
    assert meet("حكومتها", "الحكومة")  # the ت of ة before a pronoun is still the feminine ending


def test_alef_maksura_is_not_the_nisba_yeh():
    assert not meet("ليلى", "ليل") and not meet("سلمى", "سلم") and not meet("مستوى", "مستو")
    assert meet("السعودي", "السعودية")  # the nisba ي is still an ending


def test_aya_and_aa_words_keep_apart():
    assert not meet("حماية", "حماة") and not meet("بداية", "بدا")
    assert meet("حمايته", "الحماية")


def test_waw_is_kept_before_alef_hamza():
    assert stem_written("وائل") != stem_written("ايل")
    assert meet("وأكد", "أكد")  # a conjunction before a verb is still stripped


def test_hamza_seats_meet_each_other_not_waw_or_yeh():
    assert meet("مسؤول", "مسئول") and meet("المسؤولين", "مسئول")
    assert not meet("هادئ", "هادي") and not meet("زائد", "زايد") and not meet("فئة", "فيه")


def test_alef_maksura_written_alef_before_a_pronoun():
    assert meet("مستواه", "مستوى") and meet("معناه", "معنى") and meet("فتواها", "الفتوى")
    assert meet("قضاياها", "قضايا")  # the ا of ايا stays


def test_dual_of_a_feminine_noun_meets_its_singular():
    assert meet("الدولتين", "الدولة") and meet("الشركتان", "الشركة")


def test_hospital_and_its_plural():
    assert meet("مستشفى", "مستشفيات")


def test_dagger_alef_inside_a_word_is_an_alef():
    assert normalize("ٱلۡكِتَٰبُ") == "الكتاب" and normalize("خَٰلِدُونَ") == "خالدون"
    assert normalize("هٰذا") == "هذا" and normalize("ٱلرَّحۡمَٰنِ") == "الرحمن"


def test_presentation_forms_separators_and_old_hamza_spellings():
    assert normalize("ﺍﻻﺳﺘﺜﻤﺎﺭ") == normalize("الاستثمار")  # copied from a PDF, with the lam-alef ligature
    assert normalize("٣٫٥") == "3.5" and normalize("١٬٠٠٠") == "1,000"
    assert normalize("ءادم") == normalize("آدم") and normalize("ٲحمد") == normalize("أحمد")
    assert normalize("قراءات") == "قراءات"  # ءا inside a word is not آ


def test_names_ending_in_allah_are_kept_whole():
    assert stem_written("عبدالله") == "عبدالله" and meet("وعبدالله", "عبدالله")
    assert stem_written("بالله") == "الله"


def test_compound_names_are_one_word_in_either_spelling():
    from search.analysis.analyzer import token_forms
    from search.query.parser import join_compounds
    assert [s for _, s in token_forms("قال عبد الله")] == [s for _, s in token_forms("قال عبدالله")]
    assert [s for _, s in token_forms("في أبو ظبي")] == [s for _, s in token_forms("في أبوظبي")]
    assert join_compounds("الأمير عبد العزيز") == "الأمير عبدالعزيز"
    assert len(token_forms("عبد. الله")) == 2  # punctuation between: two words


def test_explain_names_each_rule():
    from search.analysis.arabic import explain
    assert explain("مصراتة") == ("مصرات", ("ending ة",))
    assert explain("والميليشيات")[1] == ("proclitic وال", "ending ات")
    assert "و kept" in explain("وائل")[1][0]


def test_a_ligature_inside_a_word_and_a_zero_width_space_between_words():
    from search.analysis.analyzer import token_forms
    assert token_forms("ﻻعب اﻷفلاج") == token_forms("لاعب الأفلاج")  # lam-alef ligatures beside plain letters
    assert len(token_forms("كلمة\u200bكلمتان")) == 2  # a zero-width space separates words
