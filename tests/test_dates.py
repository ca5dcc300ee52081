"""Tests for search.ingest.dates: Arabic news date lines to naive datetimes."""

from __future__ import annotations

from datetime import datetime

import pytest
from hijridate import Hijri
from hypothesis import given, settings
from hypothesis import strategies as st

from search.ingest.dates import (
    GREGORIAN_MONTHS,
    HIJRI_MONTHS,
    _normalize,
    parse_date,
)


def _hijri(year: int, month: int, day: int) -> datetime:
    g = Hijri(year, month, day).to_gregorian()
    return datetime(g.year, g.month, g.day)


def test_seed_article_date_line():
    assert parse_date("الإثنين 22/يونيو/2020 - 12:19 ص") == datetime(2020, 6, 22, 0, 19)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("22 يونيو 2020", datetime(2020, 6, 22)),
        ("22/يونيو/2020", datetime(2020, 6, 22)),
        ("22-يونيو-2020", datetime(2020, 6, 22)),
        ("22 يونيو، 2020", datetime(2020, 6, 22)),
        ("22, يونيو, 2020", datetime(2020, 6, 22)),
        ("22 يونيه 2020", datetime(2020, 6, 22)),
        ("1 يناير 2021", datetime(2021, 1, 1)),
        ("14 فبراير 2019", datetime(2019, 2, 14)),
        ("8 مارس 2018", datetime(2018, 3, 8)),
        ("25 أبريل 2017", datetime(2017, 4, 25)),
        ("25 إبريل 2017", datetime(2017, 4, 25)),
        ("25 ابريل 2017", datetime(2017, 4, 25)),
        ("9 مايو 2016", datetime(2016, 5, 9)),
        ("23 يوليو 2015", datetime(2015, 7, 23)),
        ("23 يوليه 2015", datetime(2015, 7, 23)),
        ("15 أغسطس 2014", datetime(2014, 8, 15)),
        ("11 سبتمبر 2001", datetime(2001, 9, 11)),
        ("6 أكتوبر 1973", datetime(1973, 10, 6)),
        ("30 نوفمبر 2022", datetime(2022, 11, 30)),
        ("31 ديسمبر 1999", datetime(1999, 12, 31)),
    ],
)
def test_egyptian_month_names(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 كانون الثاني 2015", datetime(2015, 1, 1)),
        ("28 شباط 2015", datetime(2015, 2, 28)),
        ("15 آذار 2011", datetime(2011, 3, 15)),
        ("7 نيسان 2003", datetime(2003, 4, 7)),
        ("6 أيار 2016", datetime(2016, 5, 6)),
        ("5 حزيران 1967", datetime(1967, 6, 5)),
        ("الأحد 5 تموز 2015", datetime(2015, 7, 5)),
        ("4 آب 2020", datetime(2020, 8, 4)),
        ("13 أيلول 1993", datetime(1993, 9, 13)),
        ("17 تشرين الأول 2019", datetime(2019, 10, 17)),
        ("22 تشرين الثاني 1943", datetime(1943, 11, 22)),
        ("25 كانون الأول 2018", datetime(2018, 12, 25)),
        ("25 كانون   الاول 2018", datetime(2018, 12, 25)),
        ("3 كانون ثاني 2010", datetime(2010, 1, 3)),
    ],
)
def test_levantine_month_names(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("14 جانفي 2011", datetime(2011, 1, 14)),
        ("22 فيفري 2019", datetime(2019, 2, 22)),
        ("9 أفريل 2018", datetime(2018, 4, 9)),
        ("1 ماي 2020", datetime(2020, 5, 1)),
        ("12 جوان 2021", datetime(2021, 6, 12)),
        ("3 جويلية 2019", datetime(2019, 7, 3)),
        ("20 أوت 1955", datetime(1955, 8, 20)),
        ("30 يوليوز 2022", datetime(2022, 7, 30)),
        ("20 غشت 2022", datetime(2022, 8, 20)),
        ("6 نونبر 1975", datetime(1975, 11, 6)),
    ],
)
def test_maghrebi_month_names(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("22 يونيو/حزيران 2020", datetime(2020, 6, 22)),
        ("22 حزيران (يونيو) 2020", datetime(2020, 6, 22)),
        ("1 كانون الثاني/يناير 2015", datetime(2015, 1, 1)),
    ],
)
def test_paired_gregorian_month_names(text, expected):
    assert parse_date(text) == expected


def test_paired_month_names_that_disagree_are_not_guessed():
    assert parse_date("22 حزيران (تموز) 2020") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("22 يونـــيو 2020", datetime(2020, 6, 22)),  # tatweel
        ("22 يُونْيُو 2020", datetime(2020, 6, 22)),  # harakat
        ("25 أَبْرِيل 2017", datetime(2017, 4, 25)),
        ("\u200f22 يونيو 2020\u200f", datetime(2020, 6, 22)),  # bidi marks
        ("22 جويليه 2019", datetime(2019, 7, 22)),  # ة written ه
        ("22 جُمادى الأولى 1441 هـ", _hijri(1441, 5, 22)),  # ى and harakat
    ],
)
def test_spelling_variants_match_after_normalizing(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("22/6/2020", datetime(2020, 6, 22)),
        ("22-06-2020", datetime(2020, 6, 22)),
        ("22.06.2020", datetime(2020, 6, 22)),
        ("5/7/2015", datetime(2015, 7, 5)),
        ("2020-06-22", datetime(2020, 6, 22)),
        ("2020/06/22", datetime(2020, 6, 22)),
        ("2015-07-21 02:51:32", datetime(2015, 7, 21, 2, 51, 32)),
        ("2015-07-21T02:51:32", datetime(2015, 7, 21, 2, 51, 32)),
        ("https://example.com/news/2020/06/22/story", datetime(2020, 6, 22)),
    ],
)
def test_numeric_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["2015-07-21T02:51:32Z", "2015-07-21T02:51:32+03:00", "2015-07-21T02:51:32.123-05:00"],
)
def test_iso_timezone_suffix_is_ignored_keeping_wall_clock(text):
    assert parse_date(text) == datetime(2015, 7, 21, 2, 51, 32)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("٢٢ يونيو ٢٠٢٠", datetime(2020, 6, 22)),
        ("٢٢/٦/٢٠٢٠", datetime(2020, 6, 22)),
        ("۲۲ يونيو ۲۰۲۰", datetime(2020, 6, 22)),
        ("٢٠١٥-٠٧-٢١ ٠٢:٥١:٣٢", datetime(2015, 7, 21, 2, 51, 32)),
        ("الإثنين ٢٢/يونيو/٢٠٢٠ - ١٢:١٩ ص", datetime(2020, 6, 22, 0, 19)),
        ("٢٢ يونيو 2020", datetime(2020, 6, 22)),
    ],
)
def test_eastern_arabic_and_persian_digits(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "time_text, hour, minute, second",
    [
        ("12:19 ص", 0, 19, 0),
        ("12:05 م", 12, 5, 0),
        ("3:10 م", 15, 10, 0),
        ("11:59 م", 23, 59, 0),
        ("1:00 ص", 1, 0, 0),
        ("12:00 ص", 0, 0, 0),
        ("12:00 م", 12, 0, 0),
        ("9:30 صباحا", 9, 30, 0),
        ("9:30 صباحاً", 9, 30, 0),
        ("9:30 مساء", 21, 30, 0),
        ("9:30 مساءً", 21, 30, 0),
        ("9:30 AM", 9, 30, 0),
        ("9:30 p.m.", 21, 30, 0),
        ("12:30 am", 0, 30, 0),
        ("15:10 م", 15, 10, 0),
        ("12:19", 12, 19, 0),
        ("12:19:05", 12, 19, 5),
        ("00:05", 0, 5, 0),
        ("12:19:05 ص", 0, 19, 5),
    ],
)
def test_times_and_am_pm(time_text, hour, minute, second):
    assert parse_date(f"22 يونيو 2020 - {time_text}") == datetime(2020, 6, 22, hour, minute, second)


def test_time_before_the_date_is_used():
    assert parse_date("3:10 م - الأحد 21 يونيو 2020") == datetime(2020, 6, 21, 15, 10)


def test_time_far_from_the_date_is_not_used():
    text = "22 يونيو 2020 وقالت الوزارة في بيانها الرسمي الصادر عن المكتب إن الهجوم وقع 3:10 م"
    assert parse_date(text) == datetime(2020, 6, 22)


def test_time_contradicting_its_marker_is_ignored():
    assert parse_date("22 يونيو 2020 - 15:10 ص") == datetime(2020, 6, 22)


def test_date_month_marker_m_is_not_read_as_pm():
    assert parse_date("20 يوليو 2015 م - 10:30 ص") == datetime(2015, 7, 20, 10, 30)


@pytest.mark.parametrize(
    "text, hijri",
    [
        ("1 ذو القعدة 1441 هـ", (1441, 11, 1)),
        ("1 ذو القعدة 1441 ه", (1441, 11, 1)),
        ("1 ذو القعدة 1441 ه\u200d", (1441, 11, 1)),
        ("1 ذو القعدة 1441هـ", (1441, 11, 1)),
        ("1 ذي القعدة 1441", (1441, 11, 1)),
        ("10 محرم 1442 هـ", (1442, 1, 10)),
        ("5 صفر 1440 هـ", (1440, 2, 5)),
        ("12 ربيع الأول 1445 هـ", (1445, 3, 12)),
        ("12 ربيع الاول 1445", (1445, 3, 12)),
        ("3 ربيع الثاني 1430 هـ", (1430, 4, 3)),
        ("3 ربيع الآخر 1430 هـ", (1430, 4, 3)),
        ("7 جمادى الأولى 1435 هـ", (1435, 5, 7)),
        ("7 جمادى الأول 1435 هـ", (1435, 5, 7)),
        ("20 جمادى الآخرة 1438 هـ", (1438, 6, 20)),
        ("20 جمادى الثانية 1438 هـ", (1438, 6, 20)),
        ("27 رجب 1420 هـ", (1420, 7, 27)),
        ("15 شعبان 1443 هـ", (1443, 8, 15)),
        ("1 رمضان 1441 هـ", (1441, 9, 1)),
        ("الاثنين 5 شوال 1436 هـ", (1436, 10, 5)),
        ("10 ذو الحجة 1444 هـ", (1444, 12, 10)),
        ("9 ذي الحجة 1444 هجرية", (1444, 12, 9)),
        ("١ ذو القعدة ١٤٤١ هـ", (1441, 11, 1)),
        ("1/11/1441 هـ", (1441, 11, 1)),
        ("1441/11/01 هـ", (1441, 11, 1)),
    ],
)
def test_hijri_dates_convert_with_hijridate(text, hijri):
    assert parse_date(text) == _hijri(*hijri)


def test_hijri_conversion_known_value():
    assert parse_date("1 ذو القعدة 1441 هـ") == datetime(2020, 6, 22)


def test_hijri_date_keeps_its_time():
    assert parse_date("1 ذو القعدة 1441 هـ - 3:10 م") == datetime(2020, 6, 22, 15, 10)


@pytest.mark.parametrize(
    "text",
    [
        "الاثنين 5 شوال 1436 هـ - 20 يوليو 2015 م",
        "20 يوليو 2015 م الموافق 5 شوال 1436 هـ",
        "5 شوال 1436 هـ الموافق 20/7/2015",
    ],
)
def test_gregorian_preferred_over_hijri(text):
    assert parse_date(text) == datetime(2015, 7, 20)


@pytest.mark.parametrize(
    "text",
    [
        "1 محرم 1200 هـ",  # before hijridate's range
        "1 محرم 1600 هـ",  # after it
        "30 شوال 1441 هـ",  # Shawwal 1441 has 29 days (Umm al-Qura)
        "31 رمضان 1441 هـ",
        "1/13/1441 هـ",
        "22 يونيو 2020 هـ",  # Gregorian month with a Hijri marker
        "1 ذو القعدة 1441 م",  # Hijri month with a Gregorian marker
    ],
)
def test_invalid_hijri_dates_are_none(text):
    assert parse_date(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("القاهرة - نشر بتاريخ 22 يونيو 2020 في تمام 12:19 ص", datetime(2020, 6, 22, 0, 19)),
        ("طباعة\nالإثنين 22/يونيو/2020 - 12:19 ص\nشارك", datetime(2020, 6, 22, 0, 19)),
        ("آخر تحديث: 2020-06-22 13:45 بتوقيت مكة", datetime(2020, 6, 22, 13, 45)),
        ("نشر في 22 يونيو 2020، وحُدّث في 23 يونيو 2020", datetime(2020, 6, 22)),
    ],
)
def test_date_inside_other_text_is_found(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "None",
        "null",
        "غير معروف",
        "شن التنظيم فجر الأحد 21 يونيو هجومًا جديدًا",  # no year
        "22 يونيو",
        "يونيو 2020",  # no day
        "31 حزيران 2020",
        "31 يونيو 2020",
        "30 فبراير 2020",
        "29 شباط 2019",
        "22/13/2020",
        "13/13/2020",
        "2020-13-01",
        "2020-02-30",
        "0/6/2020",
        "22 فلان 2020",  # unknown month word
        "22 كانون 2020",  # incomplete Levantine name
        "22 June 2020",
        "22/6/20",  # two-digit year
        "22/6/1441",  # Hijri-looking year with no marker
        "12:19 ص",
        "اتصل على 0123456789",
        "\x00\x01\ufffd",
    ],
)
def test_unreadable_dates_are_none(text):
    assert parse_date(text) is None


@pytest.mark.parametrize("value", [None, 20200622, b"22/6/2020", ["22 يونيو 2020"]])
def test_non_string_input_is_none(value):
    assert parse_date(value) is None


def test_huge_input_is_handled_quickly():
    assert parse_date("كلام " * 200_000 + "22 يونيو 2020") == datetime(2020, 6, 22)
    assert parse_date("22 يونيو" + " " * 200_000) is None


def test_month_tables_do_not_clash_after_normalizing():
    gregorian = {_normalize(name) for name in GREGORIAN_MONTHS}
    hijri = {_normalize(name) for name in HIJRI_MONTHS}
    assert not gregorian & hijri
    assert set(GREGORIAN_MONTHS.values()) == set(range(1, 13))
    assert set(HIJRI_MONTHS.values()) == set(range(1, 13))


@settings(max_examples=300)
@given(st.text())
def test_never_raises_on_random_text(text):
    result = parse_date(text)
    assert result is None or isinstance(result, datetime)


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(min_codepoint=0x600, max_codepoint=0x6FF)))
def test_never_raises_on_arabic_text(text):
    result = parse_date(text)
    assert result is None or isinstance(result, datetime)


@settings(max_examples=300)
@given(
    st.lists(
        st.sampled_from(
            [*GREGORIAN_MONTHS, *HIJRI_MONTHS, "هـ", "م", "ص", ":", "/", "-", " ", "،", "(", ")"]
        )
        | st.integers(min_value=0, max_value=3000).map(str),
        max_size=12,
    ).map(" ".join)
)
def test_never_raises_on_date_like_text(text):
    result = parse_date(text)
    assert result is None or isinstance(result, datetime)
