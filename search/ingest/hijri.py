"""Hijri (Umm al-Qura) dates beside Gregorian ones, through ``hijridate`` (as Saudi readers and
papers use it): an article's day in Hijri, and a Hijri day typed in a date filter.

The calendar covers 1343-01-01 to 1500-12-30 هـ (1924-08-01 to 2077-11-16); outside it there
is no Hijri reading (None). A date typed as ``YYYY-MM-DD`` whose year lies in that Hijri range
(``1436-10-20``) is most likely Hijri typed without its mark: :func:`read_day` refuses to guess
and raises :class:`HijriYearTyped`, so the reader is asked which was meant.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from hijridate import Gregorian, Hijri

#: Hijri years hijridate's Umm al-Qura tables cover.
HIJRI_YEARS = range(1343, 1501)
#: The month names Saudi papers print (محرم ... ذو الحجة), as ``hijridate`` names them.
MONTHS = ("محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة", "رجب", "شعبان",
          "رمضان", "شوال", "ذو القعدة", "ذو الحجة")
#: What marks a typed day as Hijri (هـ, ه, هجري, AH) or as Gregorian (م, ميلادي, CE, AD).
_HIJRI_MARK = re.compile(r"\s*(?:هـ|ه|هجري|هجرية|ah|a\.h\.)\s*$", re.IGNORECASE)
_GREGORIAN_MARK = re.compile(r"\s*(?:م|ميلادي|ميلادية|ce|ad)\s*$", re.IGNORECASE)
_YMD = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")


class NotAHijriDay(ValueError):
    """A Hijri date that does not exist (month 13, the 30th of a 29-day month) or lies outside
    the calendar's years (:data:`HIJRI_YEARS`)."""


class HijriYearTyped(ValueError):
    """A date with no calendar mark whose year is a Hijri year: ``hijri`` is its Hijri reading
    (y, m, d) and ``gregorian`` that day in the Gregorian calendar (None if no such Hijri day)."""

    def __init__(self, text: str, hijri: tuple[int, int, int], gregorian: date | None):
        super().__init__(text)
        self.hijri, self.gregorian = hijri, gregorian


def to_hijri(day: date | datetime | None) -> tuple[int, int, int] | None:
    """(year, month, day) in Hijri; None for no date or one outside the calendar."""
    if day is None:
        return None
    try:
        h = Gregorian(day.year, day.month, day.day).to_hijri()
    except (ValueError, OverflowError):
        return None
    return h.year, h.month, h.day


def hijri_iso(value: str | date | datetime | None) -> str | None:
    """``1436-10-20`` for the day of `value` (a date or an ISO 8601 string); None if none."""
    day = _as_date(value)
    found = to_hijri(day)
    return f"{found[0]:04d}-{found[1]:02d}-{found[2]:02d}" if found else None


def hijri_label(value: str | date | datetime | None) -> str:
    """``20 شوال 1436 هـ`` for the day of `value`; "" if none."""
    found = to_hijri(_as_date(value))
    return f"{found[2]} {MONTHS[found[1] - 1]} {found[0]} هـ" if found else ""


def from_hijri(year: int, month: int, day: int) -> date:
    """The Gregorian day of a Hijri one.

    :raise NotAHijriDay: no such Hijri day in the calendar."""
    try:
        g = Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError) as exc:
        raise NotAHijriDay(str(exc)) from None
    return date(g.year, g.month, g.day)


def read_day(text: str, hijri: bool = False) -> date | None:
    """A typed day: ``2015-08-05`` (or ``2015-08-05م``), ``1436-10-20هـ``, or with ``hijri``
    (the reader chose the Hijri calendar) ``1436-10-20``. None: not in the form YYYY-MM-DD at all
    (the caller words that error).

    :raise NotAHijriDay: a Hijri day that does not exist.
    :raise HijriYearTyped: no mark, the Gregorian calendar, and a Hijri year.
    :raise ValueError: a Gregorian day that does not exist (2015-02-30).
    """
    text = text.strip()
    marked_gregorian = _GREGORIAN_MARK.search(text)
    if _HIJRI_MARK.search(text):
        text, hijri = _HIJRI_MARK.sub("", text), True
    elif marked_gregorian:
        text, hijri = _GREGORIAN_MARK.sub("", text), False
    m = _YMD.match(text)
    if not m:
        return None
    year, month, day = (int(g) for g in m.groups())
    if hijri:
        return from_hijri(year, month, day)
    if year in HIJRI_YEARS and not marked_gregorian:
        try:
            gregorian: date | None = from_hijri(year, month, day)
        except NotAHijriDay:
            gregorian = None
        raise HijriYearTyped(text, (year, month, day), gregorian)
    return date(year, month, day)


def _as_date(value: str | date | datetime | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, (date, datetime)):
        return value
    try:
        return datetime.fromisoformat(str(value)).date()
    except ValueError:
        return None
