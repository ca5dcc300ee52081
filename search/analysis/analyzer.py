"""The Arabic analyzer for Whoosh: tokenize, normalize, drop stopwords, stem.

The rules follow Lucene's ArabicAnalyzer: stopwords are matched on the word as written, with only
its diacritics removed (:func:`search.analysis.arabic.written`), before the letters are folded, so
that a name is never taken for a particle that folds to the same letters (علي is not على, منى not
مني, إمام not أمام, فئة not فيه). The list in ``stopwords_ar.txt`` gives each particle's spellings.

- :data:`TOKEN_PATTERN` finds Arabic words (with their diacritics, tatweel and invisible marks
  inside the token, so offsets point at the original word), numbers and other words;
- :func:`search.analysis.arabic.normalize` folds each token; :data:`STOPWORDS` are dropped (or kept as
  stopped tokens when the highlighter asks for them); :func:`search.analysis.arabic.stem` light-stems.

The analysis runs once per token of every article, so :func:`forms` memoizes the whole
normalize → stop → stem composition per raw token, and :class:`ArabicAnalyzer` is one Whoosh stage
that applies it (a chain of four generator stages cost four times as much per token).
:func:`build_analyzer` gives the stemming analyzer (the ``title`` and ``body`` fields) or, with
``stem=False``, the normalized surface form (query words, the ``author`` field).
:func:`token_forms` gives both forms of every token of a text, for the second ranking phase.
The analyzer pickles (the schema is pickled into the index): its memo lives at module level.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from itertools import chain
from operator import itemgetter
from typing import Literal, cast

from whoosh.analysis import Tokenizer
from whoosh.analysis.acore import Token
from whoosh.fields import TEXT
from whoosh.formats import Frequency
from whoosh.system import pack_uint

from search.analysis.arabic import DIACRITICS, INVISIBLE, explain, normalize, stem_written, written

#: Letters of the Arabic script (Arabic, Persian and Urdu letters, and the presentation forms that
#: text copied from a PDF carries: ﻻعب is one word, read as لاعب by normalization).
_ARABIC_LETTER = ("\u0620-\u063f\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff\u0750-\u077f"
                  "\ufb50-\ufdff\ufe70-\ufefc")
#: Marks that may sit inside an Arabic word; normalization removes them. (Not the zero-width
#: space, which separates words.)
_IN_WORD = re.escape((DIACRITICS + INVISIBLE).replace("\u200b", ""))
_DIGIT = "0-9\u0660-\u0669\u06f0-\u06f9"

#: One token: an Arabic word (starting with a letter), a number (3.5, 1,000, ٢٠٢٠), or a run of
#: other letters (Latin and the rest). Underscores and punctuation separate tokens.
TOKEN_PATTERN = re.compile(
    rf"[{_ARABIC_LETTER}][{_ARABIC_LETTER}{_IN_WORD}]*"
    rf"|[{_DIGIT}]+(?:[.,\u066b\u066c][{_DIGIT}]+)*"
    rf"|[^\W\d_\u0600-\u06ff\u0750-\u077f]+"
)


def _load_stopwords() -> list[str]:
    text = resources.files("search.analysis").joinpath("stopwords_ar.txt").read_text(encoding="utf-8")
    words = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [w for w in words if w]


#: The stopwords as written (:func:`search.analysis.arabic.written`): what a token is matched on.
STOPWORDS_WRITTEN = frozenset(map(written, _load_stopwords()))
#: Their normalized forms: the index never holds a stopword, so a normalized form in this set is
#: not worth suggesting or grouping (the spelling suggestions and the broad stems skip them).
STOPWORDS = frozenset(map(normalize, STOPWORDS_WRITTEN))


def is_stopword(raw: str) -> bool:
    """Whether a token, as written, is a stopword (never indexed)."""
    return written(raw) in STOPWORDS_WRITTEN


_FORMS: dict[str, tuple[str, str] | None] = {}
_FORMS_LIMIT = 2_000_000


def forms(raw: str) -> tuple[str, str] | None:
    """(normalized form, stem) of one raw token, or None for a stopword (or nothing left). Memoized."""
    found: tuple[str, str] | Literal[False] | None = _FORMS.get(raw, False)
    if found is False:
        norm = normalize(raw)
        found = None if (not norm or written(raw) in STOPWORDS_WRITTEN) else (norm, stem_written(raw))
        if len(_FORMS) < _FORMS_LIMIT:
            _FORMS[raw] = found
    return found


class ArabicAnalyzer(Tokenizer):
    """Tokenize, normalize, drop stopwords and (optionally) stem, keeping each token's offsets
    in the original text.

    >>> [t.text for t in ArabicAnalyzer()("مَبنا الـ127 iPhone في سوريا")]
    ['مبنا', '127', 'iphone', 'سوري']
    """

    is_morph = True

    def __init__(self, stem: bool = True):
        self.stem = stem

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.boost = 1.0
        form_index = 1 if self.stem else 0
        pos = start_pos
        found: tuple[str, str] | None
        if tokenize and removestops and not chars and not keeporiginal:
            # Indexing: no offsets needed, only the forms, in order (the fast path).
            for found in token_forms(value):
                token.text = found[form_index]
                token.stopped = False
                if positions:
                    token.pos = pos
                pos += 1
                yield token
            return
        matches = words(value) if tokenize else [(value, 0, len(value), False)]
        for raw, start, end, _ in matches:
            found = forms(raw)
            if found is None:
                if removestops:
                    continue
                token.text = normalize(raw)
                token.stopped = True
            else:
                token.text = found[form_index]
                token.stopped = False
                if positions:
                    token.pos = pos
                pos += 1
            if keeporiginal:
                token.original = raw
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class ArabicText(TEXT):
    """Whoosh's ``TEXT`` field for text analyzed by :class:`ArabicAnalyzer` without positions.

    Whoosh indexes a text by running the analyzer, which yields one Token object per word, and
    counting the tokens' texts in its ``Frequency`` format. Here the terms are counted straight
    from :func:`token_forms` (memoized), and their UTF-8 bytes and encoded frequencies are
    shared objects: the same (term, frequency, weight, encoded frequency) postings, in a third
    of the time and, in the writer's pool, a third less memory."""

    def index(self, value, **kwargs):
        if kwargs or not isinstance(value, str) or not isinstance(self.analyzer, ArabicAnalyzer) \
                or type(self.format) is not Frequency:
            yield from super().index(value, **kwargs)
            return
        counts = Counter(map(itemgetter(1 if self.analyzer.stem else 0), token_forms(value)))
        boost = self.format.field_boost
        utf8 = _UTF8.get
        for term, freq in counts.items():
            encoded = utf8(term)
            if encoded is None:
                encoded = term.encode("utf-8")
                if len(_UTF8) < _FORMS_LIMIT:
                    _UTF8[term] = encoded
            yield encoded, freq, freq * boost, _FREQUENCIES[freq] if freq < 256 else pack_uint(freq)


_UTF8: dict[str, bytes] = {}
#: The encoded frequencies of the postings (shared bytes objects: a pool holds millions).
_FREQUENCIES = [pack_uint(freq) for freq in range(256)]


def build_analyzer(stem: bool = True) -> ArabicAnalyzer:
    """The Arabic analyzer (see the module docstring).

    :param stem: light-stem the tokens (the default); False keeps the normalized surface form.

    >>> [t.text for t in build_analyzer()("والميليشيات الإيرانية في سوريا")]
    ['ميليشي', 'ايران', 'سوري']
    """
    return ArabicAnalyzer(stem=stem)


def term_id(term: str) -> int:
    """A stable 32-bit id of a stem or normalized form (CRC-32 of its UTF-8), for the analyzed
    forms stored beside the index. Two forms of one article sharing an id by chance would only
    blur that article's second-phase score a little."""
    found = _IDS.get(term)
    if found is None:
        found = zlib.crc32(term.encode("utf-8"))
        if len(_IDS) < _FORMS_LIMIT:
            _IDS[term] = found
    return found


_IDS: dict[str, int] = {}


def tokens(text: str) -> list[str]:
    """The raw tokens of `text` (words and numbers as written)."""
    return TOKEN_PATTERN.findall(text)


@dataclass(frozen=True)
class AnalyzedToken:
    """One token as `arshif analyze` shows it."""

    original: str
    normalized: str
    stem: str | None  # None: a stopword, not indexed
    start: int
    end: int
    why: tuple[str, ...] = ()  # the rules that made the stem, in order (or kept a letter)


_CHUNKS: dict[str, tuple[tuple[str, str], ...]] = {}
_CHUNKS_LIMIT = 500_000


def chunk_forms(chunk: str) -> tuple[tuple[str, str], ...]:
    """:func:`token_forms` of one run of text without whitespace (a word with its punctuation,
    as ``str.split`` cuts it). Memoized: a news archive repeats the same few hundred thousand."""
    found = _CHUNKS.get(chunk)
    if found is None:
        found = tuple(f for f in map(forms, TOKEN_PATTERN.findall(chunk)) if f is not None)
        if len(_CHUNKS) < _CHUNKS_LIMIT:
            _CHUNKS[chunk] = found
    return found


def token_forms(text: str) -> list[tuple[str, str]]:
    """(normalized form, stem) of each indexed token of `text`, in order, stopwords left out:
    what the index holds. The last two results are kept: indexing asks twice for each of an
    article's two texts (for the stored analyzed form, then in the Whoosh analyzer).

    No token contains whitespace, so the text is cut with ``str.split`` (in C) and each piece
    looked up in :func:`chunk_forms`' memo; Python's regex engine, at about 50 ns a character on
    Arabic text, only sees the pieces not met before. Four times faster than tokenizing the text."""
    recent = _RECENT.__dict__.setdefault("pairs", [])
    for seen, found in recent:
        if seen is text:
            return found
    chunks = text.split()
    parts = list(map(_CHUNKS.get, chunks))
    if None in parts:
        for i, part in enumerate(parts):
            if part is None:
                parts[i] = chunk_forms(chunks[i])
    complete = cast("list[tuple[tuple[str, str], ...]]", parts)  # no None left
    after_join = -1
    for i in [i for i, part in enumerate(complete[:-1]) if part and part[-1][0] in COMPOUND_HEADS]:
        joined = None if i == after_join else compound(chunks[i], chunks[i + 1])
        if joined is not None:
            complete[i], complete[i + 1] = complete[i][:-1], (joined, *complete[i + 1][1:])
            after_join = i + 1
    found = list(chain.from_iterable(complete))
    recent.insert(0, (text, found))
    del recent[2:]
    return found


#: First words of compound names written as one word or two (عبد الله / عبدالله, أبو ظبي /
#: أبوظبي), normalized, with the proclitics they take (وعبد, لأبو, بأبي).
_HEADS = ("عبد", "ابو", "ابي")
COMPOUND_HEADS = frozenset(p + h for h in _HEADS for p in ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل"))


def compound(first: str, second: str) -> tuple[str, str] | None:
    """The forms of a compound name whose head ends chunk `first` and whose second word starts
    chunk `second` (``("عبد", "الله،")`` → the forms of عبدالله), or None: not one name (the head
    is followed by punctuation, or the next word is not Arabic or is a stopword).

    The analyzer indexes the two words as this one word (:func:`token_forms`), and the query
    parser writes them as one, so that each spelling finds the other, phrases see one word, and
    the parts are not found alone (ظبي, the gazelle, is not أبو ظبي; العزيز not عبد العزيز)."""
    head = TOKEN_PATTERN.findall(first)
    rest = TOKEN_PATTERN.match(second)
    if not head or not first.endswith(head[-1]) or normalize(head[-1]) not in COMPOUND_HEADS \
            or rest is None or rest.start() != 0:
        return None
    word = rest.group()
    if not ("\u0621" <= word[0] <= "\u064a") or forms(word) is None:
        return None
    return forms(head[-1] + word)


#: :func:`token_forms`' last two texts and results, per thread (results are shared: do not modify).
_RECENT = threading.local()


def words(text: str) -> Iterator[tuple[str, int, int, bool]]:
    """The words of `text` with their offsets, a compound name (عبد الله) as one word written
    without its space: (word, start, end, compound). What :func:`token_forms` analyzes, in order,
    stopwords included."""
    matches = list(TOKEN_PATTERN.finditer(text))
    i = 0
    while i < len(matches):
        match = matches[i]
        raw, end, joined = match.group(), match.end(), False
        if i + 1 < len(matches) and text[end:matches[i + 1].start()].isspace() \
                and compound(raw, text[matches[i + 1].start():]) is not None:
            i += 1
            raw, end, joined = raw + matches[i].group(), matches[i].end(), True
        i += 1
        yield raw, match.start(), end, joined


def analyze(text: str) -> list[AnalyzedToken]:
    """Each token of `text` with its normalized form, its stem (None for stopwords) and why
    (:func:`search.analysis.arabic.explain`); a compound name (عبد الله) is one token."""
    out: list[AnalyzedToken] = []
    for raw, start, end, joined in words(text):
        norm = normalize(raw)
        if not norm:
            continue
        if forms(raw) is None:
            out.append(AnalyzedToken(text[start:end], norm, None, start, end, ("a stopword (matched as written)",)))
            continue
        found, steps = explain(raw)
        steps = (("a compound name: indexed as one word",) if joined else ()) + (steps or ("nothing stripped",))
        out.append(AnalyzedToken(text[start:end], norm, found, start, end, steps))
    return out
