"""What the engine says to a user, as codes: errors (a request it cannot answer) and notices (an
answer with something to know). Each carries a :class:`Code` and the values its message needs;
the words are chosen by whoever shows them: English here (the CLI, logs), Arabic in
:mod:`web.messages`. A reworded message cannot lose its translation, and a new code without
one fails the web layer's test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Code(str, Enum):
    """Every error and notice the engine gives. The value is the stable name clients see."""

    # errors: the request cannot be answered as asked
    QUERY_TOO_LONG = "query-too-long"  # chars, limit
    QUERY_TOO_MANY_WORDS = "query-too-many-words"  # words, limit
    BAD_DATE = "bad-date"  # value
    BAD_HIJRI_DATE = "bad-hijri-date"  # value
    HIJRI_YEAR_TYPED = "hijri-year-typed"  # value, year, month, day (its Hijri reading), gregorian (date | None)
    DATES_REVERSED = "dates-reversed"  # start, end
    BAD_SORT = "bad-sort"  # value, choices
    BAD_PAGE = "bad-page"
    BAD_LIMIT = "bad-limit"  # most
    TOO_DEEP = "too-deep"  # depth
    BAD_FIELD = "bad-field"  # value, choices
    UNKNOWN_SOURCE = "unknown-source"  # value
    EXPORT_TOO_LARGE = "export-too-large"  # most
    # notices: an answer, with something the user should know
    EMPTY_QUERY = "empty-query"
    NOTHING_TO_SEARCH = "nothing-to-search"  # only stopwords or punctuation
    PHRASE_RELAXED = "phrase-relaxed"  # no article has the phrase or every required word
    STOPWORDS_LEFT_OUT = "stopwords-left-out"  # words: the query's stopwords, not searched
    DASH_IS_PUNCTUATION = "dash-is-punctuation"  # words: read as plain words, the dash before them as punctuation
    LONG_QUERY = "long-query"  # kept, left: a long text searched by its rarest words


#: The English wording of each code (``str.format`` with the code's values).
ENGLISH: dict[Code, str] = {
    Code.QUERY_TOO_LONG: "The query is too long ({chars} characters; the limit is {limit}).",
    Code.QUERY_TOO_MANY_WORDS: "The query has too many words ({words}; the limit is {limit}).",
    Code.BAD_DATE: "'{value}' is not a date for {param}: use YYYY-MM-DD, e.g. 2020-06-22.",
    Code.BAD_HIJRI_DATE: "'{value}' is not a Hijri day (Umm al-Qura calendar, years 1343-1500 AH).",
    Code.HIJRI_YEAR_TYPED: "'{value}' has a Hijri year: write {value}هـ for the Hijri day {year}-{month:02d}-{day:02d} "
                           "AH ({gregorian}), or {value}م for the Gregorian year {year}.",
    Code.DATES_REVERSED: "The 'to' date {end} is before the 'from' date {start}.",
    Code.BAD_SORT: "Unknown sort '{value}': use one of {choices}.",
    Code.BAD_PAGE: "The page must be a whole number from 1.",
    Code.BAD_LIMIT: "The limit must be between 1 and {most}.",
    Code.TOO_DEEP: "Results go {depth} deep at most: narrow the search instead.",
    Code.BAD_FIELD: "Unknown field {value}: use {choices}.",
    Code.UNKNOWN_SOURCE: "No source of this archive has the id or name '{value}'.",
    Code.EXPORT_TOO_LARGE: "An export holds 1 to {most} articles.",
    Code.EMPTY_QUERY: "Type some words to search for.",
    Code.NOTHING_TO_SEARCH: "The query has only very common words (stopwords) or punctuation; "
                            "add a more specific word.",
    Code.PHRASE_RELAXED: "No article has the exact phrase or every required word; "
                         "showing articles with some of the words.",
    Code.STOPWORDS_LEFT_OUT: "Not searched, too common to tell articles apart: {words}.",
    Code.DASH_IS_PUNCTUATION: ("A text, not keywords: the dash before {words} is read as punctuation and the "
                               "word searched (to leave a word out, search with fewer words, or keep a word "
                               "with quotes or +)."),
    Code.LONG_QUERY: "A long text: searched by its {kept} rarest words ({left} more left out).",
}


def english(code: Code, values: dict[str, Any]) -> str:
    """The English message of `code` with its `values`."""
    return ENGLISH[code].format(**values)


class SearchError(ValueError):
    """A search request that cannot be answered as asked (a bad date, page, sort, query...).

    :param code: what is wrong; :param param: the request parameter at fault (``q``, ``from``,
        ``to``, ``sort``, ``page``, ``limit``, ``fields``); :param values: what the message needs.
    """

    def __init__(self, code: Code, param: str, **values: Any):
        self.code, self.param, self.values = code, param, {"param": param, **values}
        super().__init__(english(code, self.values))


class QueryError(SearchError):
    """A query that cannot be searched (too long, too many words)."""

    def __init__(self, code: Code, **values: Any):
        super().__init__(code, "q", **values)


@dataclass(frozen=True)
class Notice:
    """Something to know about an answer: its code and the values its message needs."""

    code: Code
    values: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return english(self.code, self.values)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code.value, "message": str(self)}
