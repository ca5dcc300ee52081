"""Scraped news pages, as plain text (``.txt``, like ``seeds/``) or HTML (``.html``, with
trafilatura): the headline, the dated line, the ``طباعة`` line carrying the author, and the body
without its share/print boilerplate."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, cast

from search.ingest.articles import Article, stable_id
from search.ingest.sources import NOTHING_TO_INDEX, TITLE_ONLY, Record, Source, decode_entities, read_date, read_text

if TYPE_CHECKING:
    from trafilatura.settings import Document

# ---------------------------------------------------------------------------------------------
# Scraped pages: plain text and HTML

_HARAKAT_TATWEEL = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u0640]")
_PUNCTUATION = re.compile(r"[^\w\s]")
_PRINT = "طباعة"  # the print button; on the header line it is followed by the author
_BOILERPLATE = {"شارك", "طباعة"}  # share and print buttons, each alone on its line
_READ_ALSO = "اقرا ايضا"  # "read also": a line starting with it links a related article
_HEADER_LINES = 4  # non-blank lines after the title searched for the dated and طباعة lines
_DATE_LINE_MAX = 80  # a dated line is short; longer lines are body even if they hold a date


def _fold(text: str) -> str:
    """For comparing words: no harakat, tatweel or punctuation; أ إ آ read as ا."""
    text = _HARAKAT_TATWEEL.sub("", text).translate(str.maketrans("أإآ", "ااا"))
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def _is_boilerplate(line: str) -> bool:
    folded = _fold(line)
    return folded in _BOILERPLATE or folded.startswith(_READ_ALSO)


def _is_print_line(line: str) -> bool:
    return _fold(line).split(" ", 1)[0] == _PRINT


def _author_from_print_line(line: str, title: str) -> str:
    """The author on the ``طباعة`` line: what follows the headline's first words, which the
    page repeats as a slug (``طباعة بمؤازرة الميليشيات فاطمة عبدالغني`` -> ``فاطمة عبدالغني``).
    With no headline words to skip, the whole remainder is kept."""
    words = line.split()[1:]
    title_words = _fold(title).split()
    skip = 0
    while skip < min(len(words), len(title_words)) and _fold(words[skip]) == title_words[skip]:
        skip += 1
    return " ".join(words[skip:])


@dataclass
class _Page:
    title: str
    body: str
    date: datetime | None
    author: str
    unread_date: tuple[int, str] | None  # (line number, line) of a dated line parse_date refused


def _split_page(lines: list[tuple[int, str]], title: str, date: datetime | None = None) -> _Page:
    """Header and body of a scraped page's numbered lines (those after the title).

    Among the first few non-blank lines, a line starting with ``طباعة`` gives the author and
    every line above it is header (the dated line and the like); without one, only a short
    line that `parse_date` reads is header. Its date is used unless `date` is given.
    Boilerplate and blank lines leave the body; each paragraph keeps its own line.
    """
    lines = [(n, line.strip()) for n, line in lines if line.strip()]
    head = lines[:_HEADER_LINES]
    at = next((i for i, (_, line) in enumerate(head) if _is_print_line(line)), None)
    header = set(range(at + 1)) if at is not None else set()
    author = _author_from_print_line(head[at][1], title) if at is not None else ""
    found = None
    for i, (_, line) in enumerate(head[:at]):
        if len(line) <= _DATE_LINE_MAX and (found := read_date(line)) is not None:
            header.add(i)
            break
    unread = head[0] if found is None and at else None  # the line above طباعة held no readable date
    body = "\n".join(line for i, (_, line) in enumerate(lines) if i not in header and not _is_boilerplate(line))
    return _Page(title, body, date or found, author, unread)


def _page_records(src: Source, page: _Page, *, author: str = "", url: str = "", source: str = "") -> Iterator[Record]:
    """The Problems and the Article of one scraped page; its id derives from the file's key."""
    if not page.body and not page.title:
        yield src.problem("", NOTHING_TO_INDEX)
        return
    if page.date is None and page.unread_date and page.unread_date[0]:
        n, line = page.unread_date
        yield src.problem(f"line {n}", f"could not read the date in {line!r}; article kept without a date", False)
    elif page.date is None:
        yield src.problem("", "no date found; article kept without a date", skipped=False)
    if not page.title:
        yield src.problem("", "missing title; article kept with an empty title", skipped=False)
    if not page.body:
        yield src.problem("", TITLE_ONLY, skipped=False)
    yield Article(
        id=stable_id(src.key), title=page.title, body=page.body, date=page.date,
        author=author or page.author, source=source, url=url, origin=src.file,
    )


_HTML_START = re.compile(r"\s*(<!doctype html|<html)", re.IGNORECASE)


def read_text_page(src: Source) -> Iterator[Record]:
    """A scraped page as text: the first non-blank line is the title, then :func:`_split_page`.
    A ``.txt`` file that is really an HTML page is read as one."""
    text, problems = read_text(src)
    yield from problems
    if text is None:
        return
    if _HTML_START.match(text):
        yield from _html_records(src, text)
    else:
        lines = list(enumerate(decode_entities(text).splitlines(), 1))
        first = next((i for i, (_, line) in enumerate(lines) if line.strip()), None)
        if first is None:  # only entities such as &nbsp;
            yield src.problem("", NOTHING_TO_INDEX)
            return
        yield from _page_records(src, _split_page(lines[first + 1 :], lines[first][1].strip()))


_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_DATE_PARAMS = {"original_date": True, "extensive_search": True, "outputformat": "%Y-%m-%d %H:%M:%S"}


def read_html(src: Source) -> Iterator[Record]:
    """An HTML page, decoded with its declared charset as a hint."""
    text, problems = read_text(src, html=True)
    yield from problems
    if text is not None:
        yield from _html_records(src, text)


def _html_records(src: Source, html: str) -> Iterator[Record]:
    """Main text, title, date, author, url and site by trafilatura, then the header and
    boilerplate clean-up of text pages (:func:`_split_page`); the title falls back to
    ``<title>``, the date to a dated line at the top of the text."""
    import trafilatura  # slow to import; only HTML needs it

    try:
        doc = cast("Document | None", trafilatura.bare_extraction(  # a dict only with as_dict=True
            html, with_metadata=True, include_comments=False, date_extraction_params=_DATE_PARAMS
        ))
    except Exception as exc:  # noqa: BLE001 -- a page lxml or trafilatura chokes on
        yield src.problem("", f"could not extract an article from the HTML page: {exc}")
        return
    title = ((doc.title if doc is not None else "") or "").strip()
    if not title and (tag := _TITLE_TAG.search(html)):
        title = " ".join(decode_entities(tag.group(1)).split())
    if doc is None or not (doc.text or "").strip():
        if not title:
            yield src.problem("", "no article text and no title found in the HTML page; page skipped")
            return
        yield src.problem("", TITLE_ONLY, skipped=False)  # a photo or video page: found by its title
        yield Article(id=stable_id(src.key), title=title, body="", origin=src.file,
                      url=(doc.url if doc is not None else "") or "",
                      source=(doc.sitename or doc.hostname or "") if doc is not None else "")
        return
    assert doc.text is not None  # checked above
    lines = [(0, line) for line in doc.text.splitlines()]  # 0: not lines of the file
    if lines and _fold(lines[0][1]) == _fold(title):  # trafilatura repeats the headline
        lines = lines[1:]
    page = _split_page(lines, title, read_date(doc.date) if doc.date else None)
    yield from _page_records(
        src, page, author=(doc.author or "").strip(), url=doc.url or "", source=doc.sitename or doc.hostname or ""
    )
