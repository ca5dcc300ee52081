""""Did you mean": a close, more common spelling of a query that found little.

For each Arabic word of the query, every spelling one edit away (a letter deleted, inserted,
replaced, or two neighbours swapped: Norvig's ``edits1``) is normalized like the index and looked
up in the index vocabulary; the one in the most articles wins if it is clearly more common than
the word typed. The edits are made on the word as typed, so the suggestion keeps the reader's
hamzas and teh marbuta where they were not the mistake.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from search.analysis.analyzer import STOPWORDS
from search.analysis.arabic import ARABIC_WORD, normalize, stem

#: Suggest only when the query found fewer results than this.
FEW_RESULTS = 3
#: A known word is replaced only by one in this many times more articles.
MORE_COMMON = 5
#: Words shorter than this are left alone (one edit away from too many other words).
MIN_WORD = 3
#: Only the first words of a long query are checked (each costs a few hundred look-ups).
MAX_WORDS = 8
#: Longer words are left alone: no Arabic word is longer (أفاستسقيناكموها has 15 letters), and a
#: typed string of 999 letters would cost 70,000 look-ups.
MAX_LETTERS = 15
#: At most this many spellings are looked up for one query (about 74 per letter of a word): the
#: work of one request stays bounded whatever is typed.
MAX_LOOKUPS = 2000
#: Letters tried for insertions and replacements (hamza forms, teh marbuta and alef maqsura
#: included: they are the usual mistakes).
ARABIC_LETTERS = "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىي"

_MARKED_ALEFS = "آأإٱ"
_TOKEN = re.compile(r'^([+\-\u2212"\u201c\u00ab(]*)(.*?)([")\u201d\u00bb.,،؛:!?؟]*)$')

#: ``(normalized term) -> number of articles containing it``.
Frequency = Callable[[str], int]


def edits1(word: str, letters: str = ARABIC_LETTERS) -> set[str]:
    """All strings one edit away from `word` (deletion, transposition, replacement, insertion)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in letters if c != b[0]]
    inserts = [a + c + b for a, b in splits for c in letters]
    return set(deletes + transposes + replaces + inserts)


def correct_word(word: str, frequency: Frequency) -> str | None:
    """A more common spelling one edit away from `word`, or None.

    >>> correct_word("داعس", {"داعش": 9}.get)
    'داعش'
    """
    if not ARABIC_WORD.fullmatch(word) or not MIN_WORD <= len(word) <= MAX_LETTERS:
        return None
    typed = normalize(word)
    if typed in STOPWORDS:
        return None
    typed_count = frequency(typed) or 0
    best, best_count = None, 0
    # plain letters first: of spellings that normalize alike (سوريا, سوريآ), offer the plain one
    for candidate in sorted(edits1(word), key=lambda c: (sum(ch in _MARKED_ALEFS for ch in c), c)):
        form = normalize(candidate)
        if form == typed or len(form) < MIN_WORD or form in STOPWORDS:
            continue
        count = frequency(form) or 0
        if count > best_count:
            best, best_count = candidate, count
    if best is None:
        return None
    if typed_count and best_count < MORE_COMMON * typed_count:
        return None
    return best


def suggest(text: str, total: int, frequency: Frequency) -> str | None:
    """The query with its misspelt words corrected, or None when there is nothing to suggest.

    :param text: the query as typed (its syntax, quotes and signs, is kept).
    :param total: how many results it found; only a query with few results gets a suggestion.
    :param frequency: document frequency of a normalized term in the index.
    """
    if total >= FEW_RESULTS or not text.strip():
        return None
    tokens = text.split()
    changed = False
    lookups = 0
    for i, token in enumerate(tokens[:MAX_WORDS]):
        match = _TOKEN.match(token)
        assert match is not None  # every part is optional and a token has no newline
        lead, core, tail = match.groups()
        if not core or lead.startswith(("-", "\u2212")) or core == "OR" or len(core) > MAX_LETTERS:
            continue
        lookups += (2 * len(ARABIC_LETTERS) + 2) * len(core)  # about len(edits1(core))
        if lookups > MAX_LOOKUPS:
            break
        fixed = correct_word(core, frequency)
        if fixed:
            tokens[i] = lead + fixed + tail
            changed = True
    return " ".join(tokens) if changed else None


def index_frequency(doc_frequency, fields: tuple[str, ...] = ("title", "body")) -> Frequency:
    """Document frequency of a normalized word, by its stem (what the index holds), in the
    field where it is most frequent.

    :param doc_frequency: ``(field, term) -> int``, e.g. ``Searcher.doc_frequency``.
    """

    def frequency(term: str) -> int:
        term_stem = stem(term)
        return max(doc_frequency(name, term_stem) for name in fields)

    return frequency
