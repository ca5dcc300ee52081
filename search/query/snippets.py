"""Snippets and marks: the query's words marked on the original text of an article.

A word is marked when its stem (the memoized :func:`search.analysis.analyzer.forms` of the raw token) is
one of the query's stems, so ``للميليشيات`` is marked for ``ميليشيا``, whatever the spelling,
hamza or diacritics. Marks wrap the original characters between :data:`MARK_OPEN` and
:data:`MARK_CLOSE` (escaping happens when the text is rendered).

This replaces Whoosh's highlighter, which ran the analyzer's full token pipeline over the whole
body of every hit (two thirds of a query's time); here only the pieces of text where a query stem
occurs are tokenized (:func:`matches`).
"""

from __future__ import annotations

import numpy as np

from search.analysis.analyzer import TOKEN_PATTERN, forms
from search.analysis.arabic import normalize

MARK_OPEN, MARK_CLOSE = "\x02", "\x03"
#: Between two fragments of one snippet.
GAP = " … "


def matches(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, stem) of every token of `text` whose stem is in `terms`.

    Python's regex engine is slow on Arabic text (about 50 ns a character), so the whole text is
    not tokenized. A stem is always a part of its word's normalized form (the light stemmer only
    strips affixes; checked over SaudiNewsNet's 316,884 distinct words), so the query's stems are
    looked for in the normalized text with ``str.find``, and only the space-separated pieces
    where one occurs are tokenized, to keep their tokens whose stem is a query stem.
    Normalization keeps spaces, so piece i of the normalized text is piece i of the text."""
    if not terms or not text:
        return []
    normalized = normalize(text)
    raw_spaces, norm_spaces = _spaces(text), _spaces(normalized)
    if len(raw_spaces) != len(norm_spaces):  # not expected: tokenize it all
        return [(m.start(), m.end(), pair[1]) for m in TOKEN_PATTERN.finditer(text)
                if (pair := forms(m.group())) is not None and pair[1] in terms]
    places = []
    for term in terms:
        at = normalized.find(term)
        while at != -1:
            places.append(at)
            at = normalized.find(term, at + 1)
    if not places:
        return []
    found: list[tuple[int, int, str]] = []
    bounds = [-1, *raw_spaces.tolist(), len(text)]  # piece i lies between bounds[i] and bounds[i + 1]
    for piece in sorted(set(np.searchsorted(norm_spaces, places).tolist())):  # its number: spaces before
        start, end = bounds[piece] + 1, bounds[piece + 1]
        found.extend((start + s, start + e, stem) for s, e, stem in _piece_tokens(text[start:end])
                     if stem in terms)
    return found


def _piece_tokens(piece: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, stem) of the indexed tokens of a piece of text without spaces. Memoized: the
    pieces asked for are the forms of query words, met again and again."""
    found = _PIECES.get(piece)
    if found is None:
        found = tuple((m.start(), m.end(), analyzed[1]) for m in TOKEN_PATTERN.finditer(piece)
                      if (analyzed := forms(m.group())) is not None)
        if len(_PIECES) < _PIECES_LIMIT:
            _PIECES[piece] = found
    return found


_PIECES: dict[str, tuple[tuple[int, int, str], ...]] = {}
_PIECES_LIMIT = 200_000


def _spaces(text: str) -> np.ndarray:
    """The offsets of the spaces in `text`."""
    return np.flatnonzero(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) == 32)


def mark(text: str, spans) -> str:
    """`text` with each (start, end, ...) span wrapped in the mark sentinels."""
    out, last = [], 0
    for start, end, *_ in spans:
        out.append(text[last:start])
        out.append(MARK_OPEN + text[start:end] + MARK_CLOSE)
        last = end
    out.append(text[last:])
    return "".join(out)


def mark_all(text: str, terms: frozenset[str]) -> str:
    """The whole of `text`, every matching word marked (the article page)."""
    return mark(text, matches(text, terms)) if terms and text else text


def lead(text: str, chars: int) -> str:
    """The start of `text`, cut at a word boundary, with an ellipsis when there is more."""
    if len(text) <= chars:
        return text
    return text[:chars].rsplit(" ", 1)[0] + " …"


def snippet(text: str, terms: frozenset[str], chars: int = 240, surround: int = 70, top: int = 2,
            found: list[tuple[int, int, str]] | None = None) -> str:
    """The best `top` passages of `text` (about `chars` characters each) around the query's words,
    in text order and marked; the start of the text when no word matches.

    A passage starts `surround` characters before a match and takes in the following matches
    while it fits in `chars`. Passages are ranked by how many different query stems they hold,
    then by how many matches; each is trimmed to whole words. `found`: the matches of `terms` in
    `text` when the caller has them already.
    """
    if found is None:
        found = matches(text, terms) if terms else []
    if not found:
        return lead(text, chars)
    passages = []  # (distinct stems, match count, -start, start, end, spans)
    i = 0
    while i < len(found):
        start = max(0, found[i][0] - surround)
        j = i
        while j + 1 < len(found) and found[j + 1][1] - start <= chars - surround:
            j += 1
        end = max(min(len(text), start + chars), found[j][1])
        spans = found[i:j + 1]
        passages.append((len({s[2] for s in spans}), len(spans), -start, start, end, spans))
        i = j + 1
    best = sorted(passages, reverse=True)[:top]
    best.sort(key=lambda p: p[3])
    return GAP.join(_trimmed(text, start, end, spans) for *_, start, end, spans in best)


def _trimmed(text: str, start: int, end: int, spans) -> str:
    """text[start:end] with its first and last partial words dropped (never a marked one), marked."""
    if start > 0:
        cut = text.find(" ", start, spans[0][0])
        start = cut + 1 if cut != -1 else spans[0][0]
    if end < len(text):
        cut = text.rfind(" ", spans[-1][1], end)
        end = cut if cut != -1 else spans[-1][1]
    shifted = [(s - start, e - start) for s, e, _ in spans]
    return mark(text[start:end], shifted).strip()
