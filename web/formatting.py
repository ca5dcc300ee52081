"""Dates, months and counts written the way Arabic news readers read them.

Western digits (as Egyptian and Gulf news sites print them) with Arabic weekday and month names:
``الإثنين 22 يونيو 2020``. The month names are the ones most Arabic news sites use (يناير ...
ديسمبر); the Levantine names (كانون الثاني ...) are not shown.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime

from markupsafe import Markup

from search.results import render_marked

#: Monday first, as :meth:`date.weekday` counts.
WEEKDAYS = ("الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")
MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
          "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر")


def _as_datetime(value: str | date | datetime | None) -> datetime | date | None:
    if value is None or value == "":
        return None
    if isinstance(value, (date, datetime)):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def arabic_date(value: str | date | datetime | None, with_time: bool = False, weekday: bool = True) -> str:
    """``الإثنين 22 يونيو 2020`` (and ``، 12:19 ص`` with `with_time`); "" when there is no date.

    >>> arabic_date("2020-06-22T00:19:00", with_time=True)
    'الإثنين 22 يونيو 2020، 12:19 ص'
    """
    when = _as_datetime(value)
    if when is None:
        return ""
    text = f"{when.day} {MONTHS[when.month - 1]} {when.year}"
    if weekday:
        text = f"{WEEKDAYS[when.weekday()]} {text}"
    if with_time and isinstance(when, datetime) and (when.hour or when.minute):
        text += "، " + arabic_time(when)
    return text


def arabic_time(when: datetime) -> str:
    """12-hour clock with ص (morning) / م (evening), as news sites print it: ``12:19 ص``."""
    hour = when.hour % 12 or 12
    return f"{hour}:{when.minute:02d} {'ص' if when.hour < 12 else 'م'}"


def month_label(value: str) -> str:
    """``2020-06`` → ``يونيو 2020``; anything else is returned unchanged."""
    year, _, month = value.partition("-")
    if year.isdigit() and month.isdigit() and 1 <= int(month) <= 12:
        return f"{MONTHS[int(month) - 1]} {year}"
    return value


def count_phrase(n: int, one: str, two: str, few: str, many: str) -> str:
    """A number with its noun in the right Arabic plural form.

    Arabic counts take the singular for 1 (written after the noun: نتيجة واحدة), the dual for 2,
    the plural for 3 to 10, and the singular (accusative) from 11 on, by the last two digits.

    :param one: the singular (نتيجة); :param two: the dual (نتيجتان);
    :param few: the plural for 3–10 (نتائج); :param many: the form for 11 and up (نتيجة).
    """
    if n == 1:
        return f"{one} واحدة" if one.endswith("ة") else f"{one} واحد"
    if n == 2:
        return two
    rest = n % 100
    noun = few if 3 <= rest <= 10 else many
    return f"{n:,} {noun}"


def results_phrase(n: int) -> str:
    """``لا نتائج``, ``نتيجة واحدة``, ``نتيجتان``, ``5 نتائج``, ``25 نتيجة``."""
    if n == 0:
        return "لا نتائج"
    return count_phrase(n, "نتيجة", "نتيجتان", "نتائج", "نتيجة")


def articles_phrase(n: int) -> str:
    """``لا مقالات``, ``مقال واحد``, ``مقالان``, ``5 مقالات``, ``25 مقالًا``."""
    if n == 0:
        return "لا مقالات"
    return count_phrase(n, "مقال", "مقالان", "مقالات", "مقالًا")


def seconds_phrase(ms: float) -> str:
    """Time taken, in seconds with two decimals: ``0.02 ثانية``."""
    return f"{ms / 1000:.2f} ثانية"


#: A run of left-to-right text inside Arabic: Latin words and numbers, with the spaces and
#: punctuation between them (``BBC News``, ``COVID-19``, ``2020/06/22``, ``3.5%``).
_LTR_RUN = re.compile(r"[A-Za-z0-9\u00c0-\u024f](?:[A-Za-z0-9\u00c0-\u024f .,:;/&@%'+_\-]*[A-Za-z0-9\u00c0-\u024f%])?")


def isolated(text: str | None) -> Markup:
    """`text` HTML-escaped, each run of Latin words and numbers in a ``<bdi>``: inside a
    right-to-left paragraph such a run keeps its own order and does not carry the Arabic around
    it (a title starting with ``BBC`` stays a right-to-left line)."""
    return Markup(_isolate(text or ""))


def marked_html(marked: str) -> Markup:
    """Text marked by the highlighter (:mod:`search.query.snippets`) as HTML: escaped, matched
    words in ``<mark>``, Latin words and numbers isolated as by :func:`isolated`."""
    return Markup(render_marked(marked, "<mark>", "</mark>", escape=_isolate))


def _isolate(text: str) -> str:
    out, last = [], 0
    for m in _LTR_RUN.finditer(text):
        out.append(html.escape(text[last:m.start()]))
        out.append("<bdi>" + html.escape(m.group()) + "</bdi>")
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def recorded_time(value: str | date | datetime | None) -> str:
    """The time of day a dated record carries (``12:19 ص``), or "" when it has none (midnight).
    Archives often record the time an article was collected, not published: the page labels it."""
    when = _as_datetime(value)
    if not isinstance(when, datetime) or not (when.hour or when.minute):
        return ""
    return arabic_time(when)


@dataclass(frozen=True)
class DateParts:
    """A day as the date boxes show it (None: not chosen)."""

    day: int | None = None
    month: int | None = None
    year: int | str = ""


def date_parts(value: str) -> DateParts:
    """``2020-06-22`` → day 22, month 6, year 2020; anything else: no day (its text kept as the year,
    so a bad value typed is shown back)."""
    when = _as_datetime(value)
    if when is None:
        return DateParts(year=value or "")
    return DateParts(when.day, when.month, when.year)


def hijri_input(value: str | None) -> str:
    """What the Hijri date field shows for a from/to value: the Hijri day of a Gregorian date
    (``2015-08-05`` → ``1436-10-20``), or a typed Hijri day as it was typed (marks removed)."""
    from search.ingest.hijri import HIJRI_YEARS, hijri_iso

    text = (value or "").strip().rstrip("هـم ").strip()
    if text[:4].isdigit() and int(text[:4]) in HIJRI_YEARS:
        return text
    return hijri_iso(text) or ""
