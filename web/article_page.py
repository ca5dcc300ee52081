"""The article page's reading aids: numbered marks to jump from one match to the next, and a
citation to copy. No JavaScript: each mark is a link to the next one (the last to the first),
and a list at the top links to every match."""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.ingest.hijri import hijri_label
from search.results import ArticleView
from web.formatting import arabic_date, count_phrase

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


@dataclass
class Marked:
    """The article's paragraphs (HTML) with their marks numbered, and how many there are."""

    title_html: str
    paragraphs: list[str]
    count: int

    @property
    def label(self) -> str:
        """``مطابقة واحدة``, ``مطابقتان``, ``6 مطابقات``, ``12 مطابقة``."""
        return count_phrase(self.count, "مطابقة", "مطابقتان", "مطابقات", "مطابقة")


def number_marks(title_html: str, paragraphs: list[str]) -> Marked:
    """Wrap each ``<mark>`` of the title and the paragraphs in a link with an id (``m1``,
    ``m2``...) to the next one (the last to the first). The HTML is the engine's escaped text with its
    ``<mark>`` tags, so the tags are the only markup in it."""
    texts = [title_html, *paragraphs]
    total = sum(len(_MARK.findall(t)) for t in texts)
    seen = 0

    def numbered(m: re.Match) -> str:
        nonlocal seen
        seen += 1
        following = seen % total + 1
        return (f'<a class="match" id="m{seen}" href="#m{following}" title="المطابقة التالية ({following} من {total})">'
                f'<mark>{m.group(1)}</mark></a>')

    out = [_MARK.sub(numbered, t) for t in texts]
    return Marked(out[0], out[1:], total)


def citation(article: ArticleView, permalink: str) -> str:
    """``«title». source، date (Hijri date). permalink``: a citation to copy."""
    parts = [f"«{article.title}»" if article.title else "(بلا عنوان)"]
    if article.source_name or article.source:
        parts.append(article.source_name or article.source)
    if article.date:
        day = arabic_date(article.date, weekday=False)
        hijri = hijri_label(article.date)
        parts.append(f"{day} ({hijri})" if hijri else day)
    rest = "، ".join(parts[1:])
    return f"{parts[0]}. {rest}. {permalink}" if rest else f"{parts[0]}. {permalink}"
