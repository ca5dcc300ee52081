"""Whoosh analyzers over :mod:`search.arabic`: tokenize, normalize, stop, stem.

The chain follows Lucene's ArabicAnalyzer, with one change of order: stopwords are removed *after*
normalization, so the list in ``stopwords_ar.txt`` matches with or without hamza and diacritics.

- :class:`ArabicTokenizer` finds Arabic words (with their diacritics, tatweel and invisible marks
  inside the token, so offsets point at the original word), numbers and other words.
- :class:`NormalizeFilter` applies :func:`search.arabic.normalize`.
- Whoosh's ``StopFilter`` drops :data:`STOPWORDS` (kept as stopped tokens when asked for, so the
  highlighter can still walk them).
- :class:`ArabicStemFilter` applies :func:`search.arabic.stem` (memoized).

Two analyzers come out of it: :func:`build_analyzer` (stems, for the ``title`` and ``body``
fields) and :func:`build_analyzer(stem=False)` (the normalized surface form, for the ``*_exact``
fields, so an exact form can rank above a stem-only match). Every stage is a module-level class:
the schema is pickled into the index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from whoosh.analysis import Filter, StopFilter, Tokenizer
from whoosh.analysis.acore import Token

from search.arabic import DIACRITICS, INVISIBLE, normalize, stem

#: Letters of the Arabic script (Arabic, Persian and Urdu letters, presentation forms excluded).
_ARABIC_LETTER = "\u0620-\u063f\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06ff\u0750-\u077f"
#: Marks that may sit inside an Arabic word; normalization removes them.
_IN_WORD = re.escape(DIACRITICS + INVISIBLE)
_DIGIT = "0-9\u0660-\u0669\u06f0-\u06f9"

#: One token: an Arabic word (starting with a letter), a number (3.5, 1,000, ٢٠٢٠), or a run of
#: other letters (Latin and the rest). Underscores and punctuation separate tokens.
TOKEN_PATTERN = re.compile(
    rf"[{_ARABIC_LETTER}][{_ARABIC_LETTER}{_IN_WORD}]*"
    rf"|[{_DIGIT}]+(?:[.,\u066b\u066c][{_DIGIT}]+)*"
    rf"|[^\W\d_\u0600-\u06ff\u0750-\u077f]+"
)


def _load_stopwords() -> frozenset[str]:
    text = resources.files("search").joinpath("stopwords_ar.txt").read_text(encoding="utf-8")
    words = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(normalize(w) for w in words if w)


#: The normalized stopword list, loaded once.
STOPWORDS = _load_stopwords()


class ArabicTokenizer(Tokenizer):
    """Split text into words and numbers, keeping each token's offsets in the original text.

    >>> [t.text for t in ArabicTokenizer()("مَبنا الـ127 iPhone")]
    ['مَبنا', 'الـ', '127', 'iPhone']
    """

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        for pos, match in enumerate(TOKEN_PATTERN.finditer(value)):
            token.text = match.group()
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


class NormalizeFilter(Filter):
    """Normalize each token with :func:`search.arabic.normalize` (diacritics, hamza, ة, digits...)."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = normalize(t.text)
            if t.text:
                yield t


class ArabicStemFilter(Filter):
    """Light-stem each token that is not stopped with :func:`search.arabic.stem` (memoized)."""

    is_morph = True

    def __call__(self, tokens):
        for t in tokens:
            if not t.stopped:
                t.text = stem(t.text)
            yield t


def build_analyzer(stem: bool = True, stoplist: frozenset[str] = STOPWORDS):
    """The Arabic analyzer: tokenize | normalize | stop | (stem).

    :param stem: light-stem the tokens (the default); False keeps the normalized surface form.
    :param stoplist: normalized words to drop.

    >>> [t.text for t in build_analyzer()("والميليشيات الإيرانية في سوريا")]
    ['ميليشي', 'ايران', 'سوري']
    """
    chain = ArabicTokenizer() | NormalizeFilter() | StopFilter(stoplist=stoplist, minsize=1)
    if stem:
        chain = chain | ArabicStemFilter()
    return chain


@dataclass(frozen=True)
class AnalyzedToken:
    """One token as `arshif analyze` shows it."""

    original: str
    normalized: str
    stem: str | None  # None: a stopword, not indexed
    start: int
    end: int


_FORMS: dict[str, tuple[str, str] | None] = {}
_FORMS_LIMIT = 2_000_000


def token_forms(text: str) -> list[tuple[str, str]]:
    """(normalized form, stem) of each indexed token of `text`, in order, stopwords left out:
    what the two analyzers index, computed in one pass with a memo per raw token."""
    out = []
    memo = _FORMS
    for raw in TOKEN_PATTERN.findall(text):
        forms = memo.get(raw, False)
        if forms is False:
            norm = normalize(raw)
            forms = None if (not norm or norm in STOPWORDS) else (norm, stem(norm))
            if len(memo) < _FORMS_LIMIT:
                memo[raw] = forms
        if forms is not None:
            out.append(forms)
    return out


def analyze(text: str) -> list[AnalyzedToken]:
    """Each token of `text` with its normalized form and stem (None for stopwords)."""
    out = []
    for match in TOKEN_PATTERN.finditer(text):
        norm = normalize(match.group())
        if not norm:
            continue
        out.append(AnalyzedToken(match.group(), norm, None if norm in STOPWORDS else stem(norm),
                                 match.start(), match.end()))
    return out
