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

import bisect
import re

import numpy as np

from search.analysis.analyzer import TOKEN_PATTERN, forms, words
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
    compounds = frozenset(t for t in terms if t.startswith(_HEADS) or t[1:].startswith(_HEADS))
    if compounds:  # a compound name is written over two pieces (عبد الله): find it on the words
        found = _matches(text, terms)
        joined = [(start, end, stem) for raw, start, end, two in words(text) if two
                  and (pair := forms(raw)) is not None and (stem := pair[1]) in compounds]
        taken = {i for start, end, _ in joined for i in range(start, end)}
        return sorted(joined + [m for m in found if m[0] not in taken])
    return _matches(text, terms)


#: The first words of compound names (:data:`search.analysis.analyzer.COMPOUND_HEADS`), normalized.
_HEADS = ("عبد", "ابو", "ابي")


def _matches(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """:func:`matches` of the words written without a space inside."""
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
            phrases: tuple[tuple[frozenset[str], ...], ...] = (),
            found: list[tuple[int, int, str]] | None = None) -> str:
    """The best `top` passages of `text` (at most `chars` characters each) around the query's
    words, in text order, every query word inside them marked; the start of the text when no
    word matches.

    A candidate passage starts `surround` characters before each match and runs `chars`
    characters. Passages are ranked by how many of the query's `phrases` they hold whole (each
    phrase a sequence of stem sets, one per word, its words next to each other in the text), then
    by how many different query stems, then by how many matches, then by position; the best are
    taken that share no text with a better one (so no sentence is shown twice), each trimmed to
    whole words. `found`: the matches of `terms` in `text` when the caller has them already.
    """
    if found is None:
        found = matches(text, terms) if terms else []
    if not found:
        return lead(text, chars)
    starts = [s for s, _, _ in found]
    held = _phrase_spans(text, found, phrases)  # (first match, last match) of each phrase held
    ranked = []  # (phrases held, distinct stems, match count, -start, start, end, first, last)
    last = 0
    for i in range(len(found)):
        start = max(0, found[i][0] - surround)
        end = min(len(text), start + chars)
        if found[i][1] > end:  # a word longer than the passage: the passage is the word
            start, end = found[i][0], found[i][1]
        first = bisect.bisect_left(starts, start)
        last = max(last, first)
        while last < len(found) and found[last][1] <= end:
            last += 1
        spans = found[first:last]
        phrase_count = sum(1 for a, b in held if first <= a and b < last)
        ranked.append((phrase_count, len({s[2] for s in spans}), len(spans), -start, start, end, first, last))
    ranked.sort(reverse=True)
    chosen: list[tuple[int, int, int, int]] = []
    for *_, start, end, first, last in ranked:
        if all(end <= s or start >= e for s, e, _, _ in chosen):
            chosen.append((start, end, first, last))
            if len(chosen) == top:
                break
    chosen.sort()
    parts: list[str] = []
    for start, end, first, last in chosen:
        part = _trimmed(text, start, end, found[first:last])
        if not any(_plain(part) in _plain(other) for other in parts):  # the same sentence twice in the text
            parts.append(part)
    return GAP.join(parts)


def _plain(marked: str) -> str:
    return marked.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


def _phrase_spans(text: str, found: list[tuple[int, int, str]],
                  phrases: tuple[tuple[frozenset[str], ...], ...]) -> list[tuple[int, int]]:
    """(index of its first match, index of its last) of each place in `found` where a phrase's
    words follow each other, with nothing but spaces and punctuation between them."""
    held = []
    for phrase in phrases:
        n = len(phrase)
        for i in range(len(found) - n + 1):
            if all(found[i + k][2] in phrase[k] for k in range(n)) and all(
                    not _WORD_CHAR.search(text, found[i + k][1], found[i + k + 1][0]) for k in range(n - 1)):
                held.append((i, i + n - 1))
    return held


_WORD_CHAR = re.compile(r"\w")


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
