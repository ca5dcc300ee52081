"""Arabic news date lines to naive datetimes: :func:`parse_date`, a pure ``str -> datetime | None``.

Rules:

- The text is normalized first: NFKC; Eastern Arabic (٠-٩) and Persian (۰-۹) digits -> 0-9;
  harakat, tatweel and zero-width/bidi marks removed; أ إ آ ٱ -> ا, ى -> ي, ة -> ه, ی ک -> ي ك;
  Latin lowercased. Month names are matched in that normalized form, so spelling variants work.
- Dates are found anywhere in the text (weekday names and other words around them are ignored):
  ``DAY MONTH-NAME YEAR`` with separators space / - , ، (Egyptian, Levantine, Maghrebi or Hijri
  month names; a doubled Gregorian name such as ``يونيو/حزيران`` or ``حزيران (يونيو)`` must agree),
  ``DAY/MONTH/YEAR`` (day first, as Arab readers write; / - . separators) and ``YEAR-MONTH-DAY``.
- A day and a four-digit year are always required; two-digit years, day-less and year-less dates
  return None. Gregorian years must lie in :data:`GREGORIAN_YEARS`.
- A Hijri date is one with a Hijri month name, or a numeric date followed by هـ (ه, ه‍, هجري);
  it is converted with ``hijridate`` (Umm al-Qura, years 1343-1500); out of range -> None.
  A Gregorian month with هـ, or a Hijri month with م, contradicts itself and is skipped.
- Several dates: the first valid Gregorian one wins, else the first valid Hijri one.
- A time (``12:19``, ``12:19:05``) counts when it is next to the chosen date (at most 24
  characters apart, no digits or line break between), after it or else before it. ص / صباحا / AM
  and م / مساء / PM set the half-day: 12:19 ص -> 00:19, 12:05 م -> 12:05, 3:10 م -> 15:10.
  A time that contradicts its marker (15:10 ص) is ignored, leaving 00:00.
- ISO timezone suffixes (``Z``, ``+03:00``) and fractions of a second are ignored: the result is
  the wall-clock time as written, never converted.
- Invalid dates (31 حزيران, month 13, unknown month word) are skipped, never corrected.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from hijridate import Hijri

from search.analysis.arabic import normalize

WEEKDAYS = ("السبت", "الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة")
"""Weekday names that often lead a date line; informational only, they are skipped like any word."""

EGYPTIAN_MONTHS = {
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "إبريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6,
    "يوليو": 7, "يوليه": 7, "أغسطس": 8, "سبتمبر": 9, "أكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
}
LEVANTINE_MONTHS = {
    "كانون الثاني": 1, "كانون ثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5, "حزيران": 6,
    "تموز": 7, "آب": 8, "أيلول": 9, "تشرين الأول": 10, "تشرين أول": 10, "تشرين الثاني": 11,
    "تشرين ثاني": 11, "كانون الأول": 12, "كانون أول": 12,
}
MAGHREBI_MONTHS = {
    "جانفي": 1, "فيفري": 2, "مارس": 3, "أفريل": 4, "ماي": 5, "جوان": 6, "جويلية": 7, "أوت": 8,
    "سبتمبر": 9, "أكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    # Moroccan forms
    "يوليوز": 7, "غشت": 8, "شتنبر": 9, "نونبر": 11, "دجنبر": 12,
}
GREGORIAN_MONTHS = {**EGYPTIAN_MONTHS, **LEVANTINE_MONTHS, **MAGHREBI_MONTHS}
"""Every Gregorian month name, as commonly spelled, to its number 1-12."""

HIJRI_MONTHS = {
    "محرم": 1, "المحرم": 1, "صفر": 2, "ربيع الأول": 3, "ربيع أول": 3, "ربيع الثاني": 4,
    "ربيع ثاني": 4, "ربيع الآخر": 4, "جمادى الأولى": 5, "جمادى الأول": 5, "جمادى الآخرة": 6,
    "جمادى الآخر": 6, "جمادى الثانية": 6, "جمادى الثاني": 6, "رجب": 7, "شعبان": 8, "رمضان": 9,
    "شوال": 10, "ذو القعدة": 11, "ذي القعدة": 11, "ذو الحجة": 12, "ذي الحجة": 12,
}
"""Every Hijri month name, as commonly spelled, to its number 1-12."""

AM_MARKERS = ("ص", "صباحا", "صباح", "am", "a.m.", "a.m")
PM_MARKERS = ("م", "مساء", "مساءا", "pm", "p.m.", "p.m")
GREGORIAN_YEARS = range(1800, 2201)
"""Years accepted for Gregorian dates; others (say 1441 with no هـ) are not guessed at."""
MAX_TIME_GAP = 24
"""Most characters (no digits, no line break) allowed between a date and its time."""

def _normalize(text: str) -> str:
    """Fold `text` to the form month names and markers are matched in (see the module rules)."""
    return normalize(unicodedata.normalize("NFKC", text))


def _lookup(table: dict[str, int]) -> dict[str, int]:
    return {_normalize(name): month for name, month in table.items()}


_GREGORIAN = _lookup(GREGORIAN_MONTHS)
_HIJRI = _lookup(HIJRI_MONTHS)
_AM = {_normalize(m) for m in AM_MARKERS}
_PM = {_normalize(m) for m in PM_MARKERS}


def _alternation(names) -> str:
    """A regex alternation of `names`, longest first, any run of spaces inside a name."""
    ordered = sorted(set(names), key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, name.split())) for name in ordered)


_NOT_LETTER = r"(?![^\W\d_])"  # end of an Arabic/Latin word (a digit may follow)
_SEP = r"[\s/\-,،]*"
_MONTH = f"(?:{_alternation([*_GREGORIAN, *_HIJRI])}){_NOT_LETTER}"
_ERA = rf"(?:\s*(?P<era>ه(?:جري(?:ه)?)?|م(?:يلادي(?:ه)?)?){_NOT_LETTER})?"
_NAMED = re.compile(
    rf"(?<![0-9])(?P<day>[0-9]{{1,2}}){_SEP}(?P<month>{_MONTH})"
    rf"(?:[\s/\-,،(]*(?P<month2>{_MONTH})\)?)?{_SEP}(?P<year>[0-9]{{4}})(?![0-9]){_ERA}"
)
_DMY = re.compile(
    rf"(?<![0-9])(?P<day>[0-9]{{1,2}})(?P<sep>[-/.])(?P<month>[0-9]{{1,2}})(?P=sep)"
    rf"(?P<year>[0-9]{{4}})(?![0-9]){_ERA}"
)
_YMD = re.compile(
    rf"(?<![0-9])(?P<year>[0-9]{{4}})(?P<sep>[-/.])(?P<month>[0-9]{{1,2}})(?P=sep)"
    rf"(?P<day>[0-9]{{1,2}})(?![0-9]){_ERA}"
)
_MERIDIEM = _alternation([*_AM, *_PM])
_TIME = re.compile(
    r"(?<![0-9:])(?P<hour>[01]?[0-9]|2[0-3]):(?P<minute>[0-5][0-9])(?::(?P<second>[0-5][0-9]))?"
    rf"(?![0-9:])(?:\s*(?P<meridiem>{_MERIDIEM})(?![^\W\d_]))?"
)
_GAP = re.compile(rf"[^0-9\n]{{0,{MAX_TIME_GAP}}}")


def _gregorian(year: int, month: int, day: int) -> datetime | None:
    if year not in GREGORIAN_YEARS:
        return None
    try:
        return datetime(year, month, day)
    except ValueError:
        return None


def _hijri(year: int, month: int, day: int) -> datetime | None:
    try:
        g = Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError, TypeError):
        return None
    return datetime(g.year, g.month, g.day)


def _candidates(text: str):
    """Yield ``(start, end, is_hijri, datetime | None)`` for every date-shaped span of `text`."""
    for m in _NAMED.finditer(text):
        name = " ".join(m["month"].split())
        era, hijri = (m["era"] or "")[:1], name in _HIJRI
        other = " ".join((m["month2"] or name).split())
        table = _HIJRI if hijri else _GREGORIAN
        ok = table.get(other) == table[name] and era != ("م" if hijri else "ه")
        day, year = int(m["day"]), int(m["year"])
        value = (_hijri if hijri else _gregorian)(year, table[name], day) if ok else None
        yield m.start(), m.end(), hijri, value
    for pattern in (_DMY, _YMD):
        for m in pattern.finditer(text):
            hijri = (m["era"] or "").startswith("ه")
            args = int(m["year"]), int(m["month"]), int(m["day"])
            yield m.start(), m.end(), hijri, (_hijri if hijri else _gregorian)(*args)


def _clock(m: re.Match) -> tuple[int, int, int] | None:
    """(hour, minute, second) of a time match in 24-hour form; None when it contradicts ص/م."""
    hour, minute, second = int(m["hour"]), int(m["minute"]), int(m["second"] or 0)
    meridiem = " ".join((m["meridiem"] or "").split())
    if meridiem in _AM:
        if hour > 12:
            return None
        hour %= 12
    elif meridiem in _PM:
        if hour == 0:
            return None
        hour = hour if hour >= 12 else hour + 12
    return hour, minute, second


def _time_near(text: str, start: int, end: int) -> tuple[int, int, int] | None:
    """The clock time written right after text[start:end], else right before it; else None."""
    after = _TIME.search(text, end, end + MAX_TIME_GAP + 80)
    if after and _GAP.fullmatch(text, end, after.start()):
        return _clock(after)
    lo = max(0, start - MAX_TIME_GAP - 80)
    before = [m for m in _TIME.finditer(text, lo, start) if _GAP.fullmatch(text, m.end(), start)]
    return _clock(before[-1]) if before else None


def parse_date(text: str) -> datetime | None:
    """Read the date (and time) of an Arabic news date line, or of any text holding one.

    >>> parse_date("الإثنين 22/يونيو/2020 - 12:19 ص")
    datetime.datetime(2020, 6, 22, 0, 19)

    :param text: a date line, a date string, or text with a date inside it; any string is safe.
    :returns: a naive :class:`datetime` (00:00 when no usable time is next to the date), or None
        when no date can be read with certainty. The first valid Gregorian date in the text is
        preferred to a Hijri one; see the module docstring for every rule. Never raises.
    """
    if not isinstance(text, str) or not text:
        return None
    try:
        text = _normalize(text)
        found = [c for c in _candidates(text) if c[3] is not None]
    except (ValueError, OverflowError, TypeError):  # defensive: the rules above should not raise
        return None
    if not found:
        return None
    start, end, _, value = min(found, key=lambda c: (c[2], c[0]))
    clock = _time_near(text, start, end)
    return value.replace(hour=clock[0], minute=clock[1], second=clock[2]) if clock else value
