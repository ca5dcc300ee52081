"""The search state in the URL: parse and check it (with Arabic messages), and write it back.

Every state of the page lives in these query parameters, so any page is a permalink:

=========  ===========================================================
``q``      the query (the engine's syntax: words, "phrase", -word, +word, OR)
``from``   first day, YYYY-MM-DD
``to``     last day, YYYY-MM-DD
``sort``   ``relevance`` (default), ``newest`` or ``oldest``
``page``   1-based page number
``limit``  results per page (1–100; default ``PAGE_SIZE``)
``year``   year facet, e.g. ``2020`` (narrows the from/to range)
``month``  month facet, e.g. ``2020-06`` (narrows the from/to range)
``source`` source facet, e.g. ``okaz``; or several, ``okaz,sabq`` (repeated ``source=``
           too); ``-was,-sabq`` (or with ``except=1``): every source but these
``author`` words the byline must hold
``in``     ``title``: the query's words in the title only
``cal``    ``hijri``: from/to are Hijri days (else a Hijri day is marked: ``1436-10-20هـ``)
=========  ===========================================================

The request's values are read here from the URL's strings; whether they make a search is the
engine's check (:meth:`search.searcher.SearchRequest.checked`), worded in Arabic by its code.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, fields
from datetime import date

from search import config
from search.analysis.arabic import DIGIT_FOLDS
from search.errors import SearchError
from search.ingest.hijri import HIJRI_YEARS
from search.searcher import SearchRequest, parse_day
from web import messages
from web.messages import ltr

#: URL name of each :class:`SearchParams` field.
URL_NAMES = {"q": "q", "date_from": "from", "date_to": "to", "sort": "sort", "page": "page",
             "limit": "limit", "year": "year", "month": "month", "source": "source", "author": "author",
             "within": "in"}
#: What ``in`` may say: where the query's words are searched (title only, or title and body).
WITHIN = {"": ("title", "body"), "title": ("title",)}
MAX_AUTHOR_CHARS = 200
MAX_SOURCE_CHARS = 200
_YEAR = re.compile(r"^[0-9]{4}$")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class ParamError(ValueError):
    """A URL parameter that cannot be used, with an Arabic message for the reader."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass(frozen=True)
class SearchParams:
    """One search request, checked."""

    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    limit: int = config.PAGE_SIZE
    year: str = ""
    month: str = ""
    source: str = ""
    default_limit: int = config.PAGE_SIZE
    author: str = ""
    within: str = ""

    @property
    def text_fields(self) -> tuple[str, ...]:
        """The text fields the query's words are searched in."""
        return WITHIN[self.within]

    @property
    def browsing(self) -> bool:
        """No query, but a filter or an order: list the archive's articles by date."""
        return not self.q and bool(self.date_from or self.date_to or self.year or self.month or self.source
                                   or self.author or self.sort != "relevance")

    def effective_range(self) -> tuple[date | None, date | None]:
        """from/to narrowed by the year and month facets.

        :raise ParamError: the facets leave no day inside from/to.
        """
        start, end = self.date_from, self.date_to
        for lo, hi in (_year_range(self.year), _month_range(self.month)):
            if lo is not None:
                assert hi is not None  # the ranges give both or neither
                start = max(start, lo) if start else lo
                end = min(end, hi) if end else hi
        if start and end and end < start:
            raise ParamError("year", "السنة أو الشهر المختار خارج نطاق التاريخ (من … إلى) المحدد.")
        return start, end

    def url_args(self, **changes) -> dict[str, str]:
        """The URL parameters of this state with `changes` applied; defaults are left out.

        Any change other than ``page`` goes back to page 1 (a new search starts at the top).
        """
        if "page" not in changes:
            changes["page"] = 1
        unknown = set(changes) - set(_FIELD_NAMES)
        if unknown:
            raise TypeError(f"not a search parameter: {', '.join(sorted(unknown))}")
        args = {}
        for name in _FIELD_NAMES:
            value = changes[name] if name in changes else getattr(self, name)
            url_name = URL_NAMES.get(name)
            if url_name is None or value in (None, "") or value == _DEFAULTS.get(name):
                continue
            if name == "limit" and value == changes.get("default_limit", self.default_limit):
                continue
            args[url_name] = value.isoformat() if isinstance(value, date) else str(value)
        return args


_DEFAULTS = {"sort": "relevance", "page": 1}
_FIELD_NAMES = tuple(f.name for f in fields(SearchParams))


def parse_params(args, default_limit: int = config.PAGE_SIZE) -> SearchParams:
    """Check the request's query parameters (a mapping of str to str).

    :raise ParamError: a parameter that is not usable, with the message to show.
    """
    q = _text(args, "q")
    date_from, date_to = _day(args, "from", "من"), _day(args, "to", "إلى")
    sort = _text(args, "sort") or "relevance"
    page = _whole(args, "page", 1, "رقم الصفحة")
    limit = _whole(args, "limit", default_limit, "عدد النتائج في الصفحة")
    try:  # the engine's own checks, worded in Arabic
        SearchRequest.checked(q, date_from, date_to, sort, page, limit)
    except SearchError as exc:
        raise ParamError(exc.param, messages.error(exc)) from None
    year, month = _digits(_text(args, "year")), _digits(_text(args, "month"))
    if year and _year_range(year)[0] is None:
        raise ParamError("year", f"«{ltr(year[:20])}» ليست سنة: اكتبها بأربعة أرقام مثل 2020.")
    if month and _month_range(month)[0] is None:
        raise ParamError("month", f"«{ltr(month[:20])}» ليس شهرًا: اكتبه بالشكل {ltr('2020-06')}.")
    source = _sources(args)
    if len(source) > MAX_SOURCE_CHARS:
        raise ParamError("source", "اسم المصدر طويل جدًا.")
    author = _text(args, "author")
    if len(author) > MAX_AUTHOR_CHARS:
        raise ParamError("author", "اسم الكاتب طويل جدًا.")
    within = _text(args, "in")
    if within not in WITHIN:
        raise ParamError("in", "مكان البحث غير معروف: اكتب in=title للبحث في العناوين فقط، أو احذفه.")
    params = SearchParams(q, date_from, date_to, sort, page, limit, year, month, source, default_limit, author, within)
    params.effective_range()  # the facets must leave some days
    return params


def _text(args, name: str) -> str:
    """A parameter as text, stripped, with control characters removed."""
    value = args.get(name) or ""
    return "".join(ch for ch in value if ch >= " " or ch in "\t\n").strip()


def _sources(args) -> str:
    """``source`` as one comma-separated list (a repeated parameter joined; with ``except=1``
    each one left out)."""
    getlist = getattr(args, "getlist", None)
    values = getlist("source") if getlist else [args.get("source") or ""]
    parts = [p.strip() for v in values for p in _clean(v).split(",") if p.strip()]
    if _text(args, "except") == "1":
        parts = [p if p.startswith("-") else "-" + p for p in parts]
    return ",".join(dict.fromkeys(parts))


def _clean(value: str) -> str:
    return "".join(ch for ch in value if ch >= " " or ch in "\t\n").strip()


def _digits(value: str) -> str:
    """Eastern Arabic and Persian digits (٢٠٢٠) as ASCII digits (2020)."""
    return value.translate(_DIGIT_TABLE)


_DIGIT_TABLE = str.maketrans(DIGIT_FOLDS)


def _day(args, name: str, label: str) -> date | None:
    value = _digits(_text(args, name))
    if not value:
        return None
    hijri = _text(args, "cal") == "hijri"
    if hijri or not value.isascii() or value.endswith(("م", "ه", "هـ")) or _hijri_year(value):
        try:  # Hijri, or marked with its calendar: the engine reads it (search.ingest.hijri)
            return parse_day(value, name, hijri)
        except SearchError as exc:
            raise ParamError(name, messages.error(exc)) from None
    if _DAY.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ParamError(name, f"«{ltr(value[:40])}» ليس تاريخًا صحيحًا في خانة «{label}»: "
                           f"اكتبه بالشكل سنة-شهر-يوم، مثل {ltr('2020-06-22')}.")


def _hijri_year(value: str) -> bool:
    return value[:4].isdigit() and int(value[:4]) in HIJRI_YEARS


def _whole(args, name: str, default: int, label: str) -> int:
    value = _digits(_text(args, name))
    if not value:
        return default
    if len(value) > 12 or not value.isascii() or not value.isdigit():
        raise ParamError(name, f"{label} يجب أن يكون عددًا صحيحًا موجبًا، مثل 2.")
    return int(value)


def _year_range(value: str) -> tuple[date | None, date | None]:
    if not value or not _YEAR.match(value) or int(value) < 1:
        return None, None
    return date(int(value), 1, 1), date(int(value), 12, 31)


def _month_range(value: str) -> tuple[date | None, date | None]:
    m = _MONTH.match(value or "")
    if not m or int(m.group(1)) < 1 or not 1 <= int(m.group(2)) <= 12:
        return None, None
    year, month = int(m.group(1)), int(m.group(2))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


#: The search form's date boxes: ``from_day``, ``from_month``, ``from_year``, ``to_day``...
DATE_BOXES = tuple(f"{name}_{part}" for name in ("from", "to") for part in ("day", "month", "year"))


def joined_dates(args) -> dict[str, str] | None:
    """The request's parameters with the form's date boxes (day, month and year of ``from`` and
    ``to``) joined into ``from`` and ``to`` (YYYY-MM-DD), or None when there are no date boxes. A
    year alone is the whole year, a month of a year the whole month (from its first day, to its
    last).

    :raise ParamError: a day or month without a year, a day without a month, a year that is not
        four digits.
    """
    if not any(box in args for box in DATE_BOXES):
        return None
    joined = {name: value for name, value in args.items() if name not in DATE_BOXES}
    for name, label, last in (("from", "من", False), ("to", "إلى", True)):
        day, month, year = (_digits(_text(args, f"{name}_{part}")) for part in ("day", "month", "year"))
        joined.pop(name, None)
        if not (day or month or year):
            continue
        if not year:
            raise ParamError(name, f"اكتب السنة في خانة «{label}»، مثل {ltr('2020')}.")
        if not _YEAR.match(year):
            raise ParamError(name, f"«{ltr(year[:20])}» ليست سنة: اكتبها بأربعة أرقام مثل {ltr('2020')}.")
        if day and not month:
            raise ParamError(name, f"اختر الشهر في خانة «{label}».")
        if not month:
            joined[name] = f"{year}-12-31" if last else f"{year}-01-01"
            continue
        if not month.isdigit() or not 1 <= int(month) <= 12 or (day and not day.isdigit()):
            raise ParamError(name, f"اختر اليوم والشهر في خانة «{label}» من القائمتين.")
        whole_month = calendar.monthrange(int(year), int(month))[1] if int(year) else 31
        number = int(day) if day else (whole_month if last else 1)
        joined[name] = f"{year}-{int(month):02d}-{number:02d}"
    return joined
