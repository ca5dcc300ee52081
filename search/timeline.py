"""The timeline of a result set: its dated matches counted per period (a histogram), the period
chosen by the span the matches cover, so that three weeks of news show as days and ten years as
years.

The counts come from the first phase's matching set, per day (the ``day`` facet of
:class:`search.backends.base.CandidateSet`); this module only groups days into periods:

==========  ======================  ===========================================
interval    when the span is        periods
==========  ======================  ===========================================
``day``     up to 62 days           one day
``week``    up to 62 weeks          Saturday to Friday (the Arab calendar week)
``month``   up to 72 months         a calendar month
``year``    longer                  a calendar year
==========  ======================  ===========================================

The span runs from the first to the last day with a match; periods with no match inside it are
kept (with a count of 0), so the series is continuous.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, timedelta

INTERVALS = ("day", "week", "month", "year")
MOST_DAYS, MOST_WEEKS, MOST_MONTHS = 62, 62, 72
#: date.weekday() of the first day of a week: Saturday.
WEEK_START = 5


@dataclass(frozen=True)
class Bucket:
    """One period: its first and last day (inclusive) and how many matching articles it holds."""

    start: date
    end: date
    count: int

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "count": self.count}


@dataclass
class Histogram:
    """Matching articles over time: ``interval`` (:data:`INTERVALS`), continuous ``buckets``
    (oldest first), and the matches with no date (not in any bucket)."""

    interval: str = "day"
    buckets: list[Bucket] = field(default_factory=list)
    undated: int = 0

    def as_dict(self) -> dict:
        return {"interval": self.interval, "buckets": [b.as_dict() for b in self.buckets], "undated": self.undated}


def interval_for(first: date, last: date) -> str:
    """The period that shows the span [first, last] in at most some sixty bars."""
    days = (last - first).days + 1
    if days <= MOST_DAYS:
        return "day"
    if days <= MOST_WEEKS * 7:
        return "week"
    if (last.year - first.year) * 12 + last.month - first.month + 1 <= MOST_MONTHS:
        return "month"
    return "year"


def period(day: date, interval: str) -> tuple[date, date]:
    """The first and last day of the `interval` holding `day`."""
    if interval == "day":
        return day, day
    if interval == "week":
        start = day - timedelta(days=(day.weekday() - WEEK_START) % 7)
        return start, start + timedelta(days=6)
    if interval == "month":
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return start, following - timedelta(days=1)
    if interval == "year":
        return date(day.year, 1, 1), date(day.year, 12, 31)
    raise ValueError(f"unknown interval {interval!r}: use one of {', '.join(INTERVALS)}")


def histogram(day_counts: dict[str, int], total: int, interval: str | None = None) -> Histogram:
    """The timeline of a result set.

    :param day_counts: matching articles per day, ``YYYY-MM-DD`` -> count (days with none may be
        left out).
    :param total: all matching articles, dated or not (the difference is ``undated``).
    :param interval: a period from :data:`INTERVALS`; default: chosen by :func:`interval_for`.
    """
    counts = {date.fromisoformat(d): n for d, n in day_counts.items() if n}
    dated = sum(counts.values())
    if not counts:
        return Histogram(interval or "day", [], total - dated)
    first, last = min(counts), max(counts)
    interval = interval or interval_for(first, last)
    periods: list[tuple[date, date]] = []
    start, end = period(first, interval)
    while start <= last:
        periods.append((start, end))
        start, end = period(end + timedelta(days=1), interval)
    starts = [s for s, _ in periods]
    found = [0] * len(periods)
    for day, n in counts.items():
        found[bisect.bisect_right(starts, day) - 1] += n
    return Histogram(interval, [Bucket(s, e, n) for (s, e), n in zip(periods, found)], total - dated)
