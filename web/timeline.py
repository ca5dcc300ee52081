"""The timeline above the results: :class:`search.timeline.Histogram` as bars of an SVG chart
drawn on the server, each bar a link that narrows the search to its period, with the same counts
in a text table. No JavaScript: the bars are plain links (``<a>`` inside the SVG).

Time runs right to left, as the page reads: the oldest period is the rightmost bar.
"""

from __future__ import annotations

from dataclasses import dataclass

from search.timeline import Bucket, Histogram
from web.formatting import MONTHS, arabic_date, articles_phrase
from web.navigation import _url
from web.params import SearchParams

#: Width of one bar's slot and the chart's height, in SVG units (the chart scales to its box).
SLOT, HEIGHT, GAP = 12.0, 64.0, 2.0
INTERVAL_LABELS = {"day": "يوميًا", "week": "أسبوعيًا", "month": "شهريًا", "year": "سنويًا"}


@dataclass
class Bar:
    """One period: where it is drawn, its label, count and link."""

    x: float
    y: float
    width: float
    height: float
    label: str
    count: int
    url: str
    active: bool
    start: str  # ISO days
    end: str

    @property
    def title(self) -> str:
        return f"{self.label}: {articles_phrase(self.count)}"


@dataclass
class Timeline:
    """What ``_timeline.html`` draws."""

    interval: str
    bars: list[Bar]
    width: float
    height: float
    undated: int

    @property
    def interval_label(self) -> str:
        return INTERVAL_LABELS[self.interval]

    @property
    def first(self) -> Bar:
        return self.bars[0]

    @property
    def last(self) -> Bar:
        return self.bars[-1]


def period_label(bucket: Bucket, interval: str) -> str:
    """``5 أغسطس 2015``, ``أسبوع 1 أغسطس 2015``, ``أغسطس 2015`` or ``2015``."""
    if interval == "day":
        return arabic_date(bucket.start, weekday=False)
    if interval == "week":
        return "أسبوع " + arabic_date(bucket.start, weekday=False)
    if interval == "month":
        return f"{MONTHS[bucket.start.month - 1]} {bucket.start.year}"
    return str(bucket.start.year)


def timeline(params: SearchParams, histogram: Histogram | None) -> Timeline | None:
    """The chart of `histogram` for the search `params`; None with fewer than two periods."""
    if histogram is None or len(histogram.buckets) < 2:
        return None
    top = max(b.count for b in histogram.buckets) or 1
    n = len(histogram.buckets)
    width = n * SLOT
    bars = []
    for i, bucket in enumerate(histogram.buckets):
        height = 0.0 if not bucket.count else max(1.5, HEIGHT * bucket.count / top)
        x = width - (i + 1) * SLOT + GAP / 2  # oldest at the right
        active = (params.date_from, params.date_to) == (bucket.start, bucket.end) and not (params.year or params.month)
        url = _url(params, date_from=bucket.start, date_to=bucket.end, year="", month="")
        bars.append(Bar(round(x, 2), round(HEIGHT - height, 2), SLOT - GAP, round(height, 2),
                        period_label(bucket, histogram.interval), bucket.count, url, active,
                        bucket.start.isoformat(), bucket.end.isoformat()))
    return Timeline(histogram.interval, bars, width, HEIGHT, histogram.undated)
