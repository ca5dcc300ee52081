""""Did you mean": a close spelling of a query word that is much more common than the word typed.

For each Arabic word of the query, every well-formed spelling one edit away (a letter deleted,
inserted, replaced, or two neighbours swapped: Norvig's ``edits1``, plain letters only) is
normalized like the index and looked up in the index vocabulary by its stem; the most frequent
are then checked as words of the index (the very word, not only its stem, in enough articles),
and the one in the most articles wins if it is far more common than the word typed. The edits
are made on the word as typed, so the suggestion keeps the reader's hamzas and teh marbuta where
they were not the mistake.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from search.analysis.analyzer import compound, forms
from search.analysis.arabic import ARABIC_WORD

#: A word is replaced only by a spelling in this many times more articles; when the query found
#: :data:`FEW_RESULTS` or more, by one in :data:`MUCH_MORE_COMMON` times more (a rare spelling beside
#: a correct word, as "داعس تركيا", still gets one).
MORE_COMMON = 5
MUCH_MORE_COMMON = 10
FEW_RESULTS = 3
#: A suggested word is in at least this share of the articles (and in :data:`MIN_COUNT`): 15 of
#: SaudiNewsNet's 30,024.
FREQUENT_SHARE = 0.0005
MIN_COUNT = 2
#: A word typed that is in this share of the articles (and in :data:`KNOWN_MIN`) is a word of the
#: archive, not a typo: 30 of SaudiNewsNet's (نصر, in 93, was corrected to مصر; the misspellings
#: الحوثين and الميلشيات are in 18 and 11).
KNOWN_SHARE = 0.001
KNOWN_MIN = 5
#: A word typed whose stem is in this many times :data:`KNOWN_SHARE` of the articles is taken as
#: known without checking the word itself (a search of its stem saved on most words typed).
COMMON_STEM = 10
#: Words shorter than this are left alone (one edit away from too many other words).
MIN_WORD = 3
#: Only the first words of a long query are checked (each costs a few hundred look-ups).
MAX_WORDS = 8
#: Longer words are left alone: no Arabic word is longer (أفاستسقيناكموها has 15 letters), and a
#: typed string of 999 letters would cost 70,000 look-ups.
MAX_LETTERS = 15
#: At most this many spellings are looked up for one query (about 60 per letter of a word): the
#: work of one request stays bounded whatever is typed.
MAX_LOOKUPS = 2000
#: The spellings of at most this many stems are checked as words of the index, for one word (each
#: check is a search of a stem: :data:`FormFrequency`).
MAX_CHECKED = 6
#: Letters tried for insertions and replacements: the letters and the seated hamzas. The index
#: folds أ إ آ to ا and ؤ ئ to ء, so spellings that differ only there are one word; of those the
#: first in this order is offered, and a bare ء is never offered inside a word (مسءول): an edit
#: writes the seat, مسؤول. Teh marbuta and alef maqsura are tried only as a last letter
#: (:data:`FINAL_LETTERS`).
ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويأإآؤئء"
FINAL_LETTERS = "ةى"
#: Letters a word does not start with.
NOT_FIRST = "ءؤئةى"
#: The letters after which a bare ء may stand inside a word (مساءلة, مروءة).
BEFORE_BARE_HAMZA = "اوي"

_TOKEN = re.compile(r'^([+\-\u2212"\u201c\u00ab(]*)(.*?)([")\u201d\u00bb.,،؛:!?؟]*)$')

#: ``(word as written) -> number of articles containing its stem`` (:func:`index_frequency`).
Frequency = Callable[[str], int]
#: ``(word as written) -> about how many articles contain that very word`` (its normalized form,
#: not only its stem), 0 for a spelling that is no word of the index
#: (:meth:`web.engine.WebSearcher.form_frequency`).
FormFrequency = Callable[[str], int]


def edits1(word: str, letters: str = ARABIC_LETTERS) -> set[str]:
    """All strings one edit away from `word` (deletion, transposition, replacement, insertion:
    Norvig's ``edits1``), with :data:`FINAL_LETTERS` tried at the end only."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in letters if c != b[0]]
    inserts = [a + c + b for a, b in splits for c in letters]
    finals = [word[:-1] + c for c in FINAL_LETTERS if word and word[-1] != c] + [word + c for c in FINAL_LETTERS]
    return {e for e in deletes + transposes + replaces + inserts + finals if well_formed(e)}


def well_formed(word: str) -> bool:
    """Whether `word` could be an Arabic spelling: ة and ى only last, no ء ؤ ئ ة ى first, and a bare
    ء inside the word only after ا, و or ي."""
    if not word or word[0] in NOT_FIRST:
        return False
    if any(ch == "ء" and word[i - 1] not in BEFORE_BARE_HAMZA for i, ch in enumerate(word[:-1]) if i):
        return False
    return not any(ch in FINAL_LETTERS for ch in word[:-1])


def correct_word(word: str, frequency: Frequency, form_frequency: FormFrequency | None = None,
                 min_count: int = 1, ratio: int = MORE_COMMON, known: int | None = None) -> str | None:
    """A spelling one edit away from `word` that is in `ratio` times as many articles, or None.

    Candidates are ranked by the articles holding their stem (`frequency`); with
    `form_frequency`, those of the best :data:`MAX_CHECKED` stems are checked as words of the index, and the one
    in the most articles is offered if it is in at least `min_count` of them and `ratio` times as
    many as `word` itself: a frequent, well-formed index word, never a rare misspelling the
    archive happens to hold. A word in `known` articles or more (default: never) is a word of the
    archive, left alone.

    >>> correct_word("داعس", {"داعش": 9}.get)
    'داعش'
    """
    if not ARABIC_WORD.fullmatch(word) or not MIN_WORD <= len(word) <= MAX_LETTERS:
        return None
    typed_forms = forms(word)
    if typed_forms is None:  # a stopword
        return None
    typed = typed_forms[0]
    if known is not None and form_frequency is not None and (frequency(word) or 0) >= COMMON_STEM * known:
        return None  # a word of the archive (its stem in 10 times as many articles): not checked further
    typed_count = (form_frequency or frequency)(word) or 0
    if known is not None and typed_count >= known:
        return None
    written: dict[str, tuple[str, str]] = {}  # normalized form -> (the spelling offered, its stem)
    for candidate in sorted(edits1(word), key=_letter_order):
        pair = forms(candidate)
        if pair is not None and pair[0] != typed and len(pair[0]) >= MIN_WORD and pair[0] not in written:
            written[pair[0]] = (candidate, pair[1])
    counted = sorted(((frequency(spelling) or 0, spelling, word_stem) for spelling, word_stem in written.values()),
                     key=lambda c: (-c[0], _letter_order(c[1])))
    if form_frequency is None:
        best_count, best, _ = counted[0] if counted else (0, "", "")
        if best_count < max(min_count, 1) or (typed_count and best_count < ratio * typed_count):
            return None
        return best
    floor = max(min_count, ratio * typed_count, 1)
    stems = list(dict.fromkeys(word_stem for count, _, word_stem in counted if count >= floor))[:MAX_CHECKED]
    checked = [(form_frequency(spelling), spelling) for count, spelling, word_stem in counted
               if count >= floor and word_stem in stems]
    found = [(count, spelling) for count, spelling in checked if count >= floor]
    if not found:
        return None
    return max(found, key=lambda cs: (cs[0], -len(cs[1])))[1]


_ORDER = {ch: i for i, ch in enumerate(ARABIC_LETTERS + FINAL_LETTERS)}


def _letter_order(word: str) -> list[int]:
    """`word` sorted by :data:`ARABIC_LETTERS`' order: plain letters before hamza seats."""
    return [_ORDER.get(ch, len(_ORDER) + ord(ch)) for ch in word]


def suggest(text: str, total: int, frequency: Frequency, form_frequency: FormFrequency | None = None,
            doc_count: int | None = None) -> str | None:
    """The query with its misspelt words corrected, or None when there is nothing to suggest.

    :param text: the query as typed (its syntax, quotes and signs, is kept).
    :param total: how many results it found: below :data:`FEW_RESULTS`, a word is corrected to
        one :data:`MORE_COMMON` times as frequent, otherwise :data:`MUCH_MORE_COMMON` times.
    :param frequency: document frequency of a word as written (by its stem) in the index.
    :param form_frequency: document frequency of a word itself (see :func:`correct_word`).
    :param doc_count: the articles in the index: a suggested word is in at least
        :data:`FREQUENT_SHARE` of them, and a word typed that is in :data:`KNOWN_SHARE` of them
        is not corrected (without it: any count, and every word may be).
    """
    if not text.strip():
        return None
    min_count = max(MIN_COUNT, round(doc_count * FREQUENT_SHARE)) if doc_count else 1
    known = max(KNOWN_MIN, round(doc_count * KNOWN_SHARE)) if doc_count else None
    ratio = MORE_COMMON if total < FEW_RESULTS else MUCH_MORE_COMMON
    tokens = text.split()
    # the two words of a compound name (أبو ظبي, عبد الله) are one indexed word: neither is corrected
    paired = {j for i in range(len(tokens) - 1) if compound(tokens[i], tokens[i + 1]) is not None for j in (i, i + 1)}
    changed = False
    lookups = 0
    for i, token in enumerate(tokens[:MAX_WORDS]):
        if i in paired:
            continue
        match = _TOKEN.match(token)
        assert match is not None  # every part is optional and a token has no newline
        lead, core, tail = match.groups()
        if not core or lead.startswith(("-", "\u2212")) or core == "OR" or len(core) > MAX_LETTERS:
            continue
        lookups += (2 * len(ARABIC_LETTERS) + 2) * len(core)  # about len(edits1(core))
        if lookups > MAX_LOOKUPS:
            break
        fixed = correct_word(core, frequency, form_frequency, min_count, ratio, known)
        if fixed:
            tokens[i] = lead + fixed + tail
            changed = True
    return " ".join(tokens) if changed else None


def index_frequency(doc_frequency, fields: tuple[str, ...] = ("title", "body")) -> Frequency:
    """Document frequency of a word as written, by its stem (what the index holds), in the
    field where it is most frequent; 0 for a stopword.

    :param doc_frequency: ``(field, term) -> int``, e.g. ``Searcher.doc_frequency``.
    """

    def frequency(word: str) -> int:
        pair = forms(word)
        return max(doc_frequency(name, pair[1]) for name in fields) if pair else 0

    return frequency
