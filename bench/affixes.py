"""A reference for the conflation report: which written words can be forms of one word.

Not an analyzer (nothing here is indexed): a deliberately simple, explainable model of Arabic
affixation that the report (:mod:`bench.conflation`) holds the analyzer's stems against. A word as
written (diacritics removed, letters kept: ة, ى and the hamza seats are told apart) is cut every way
it can be into

    proclitics (:data:`PROCLITICS`: و ف, then ب ك ل, then ال; لل for ل + ال)
    + core
    + ending: one inflection (:data:`INFLECTIONS`: ة ات ان ين ون تان تين ية يات يين يون ا يا ...),
      then one attached pronoun of a noun (:data:`PRONOUNS`: ه ها هم هما هن ك كم كما كن نا ي)

under three guards, the standard ones of light stemmers (Larkey's Light10, Lucene's ArabicStemmer)
made a little stricter:

- a word with the article takes no attached pronoun (الفني is not الف + ني);
- a core keeps at least :data:`MIN_CORE` (3) letters, or 2 when only proclitics with the article
  are cut (الحد → حد, للحق → حق);
- before a pronoun the inflection is written as it is before a suffix: ة as ت (حكومتها), the ن of
  ان/ين/ون dropped (موظفيها, مسؤولوها), ى as ا (مستواه → مستوى);
- an inflection is never cut off a core that would end in ا (حماية is not حما + ية, حماة not حما + ة:
  an alef before those endings belongs to the word);
- a final ى is never an ending (ليلى is not ليل), except the feminine of an elative: a word of four
  letters or more starting with an alef (الأخرى → آخر, الأولى → أول).

The cores of a word are those cuts' middles, spelled with :func:`fold_spelling` (the alef forms
أ إ آ ٱ as ا, the seats ؤ ئ and ء as one hamza, final ى as ي, ة as ه), so spelling variants meet
(مسئول / مسؤول) while a hamza never meets a plain letter (هادئ ≠ هادي, فئة ≠ فيه).

Two words are *plausible forms of one word* when they share a core (:func:`plausible_forms`), and
*spelling variants* when their :func:`fold_spelling` forms are equal. Both are upper bounds: a
name that looks inflected (طالبان = طالب + ان, الرياضة = الرياض + ة) is plausible here; the report
checks those with the words' articles instead (see :mod:`bench.conflation`).
"""

from __future__ import annotations

import functools

#: Proclitic groups (conjunction, then preposition, then article), the empty one first.
PROCLITICS = ("", "و", "ف", "ب", "ك", "ل", "وب", "وك", "ول", "فب", "فك", "فل",
              "ال", "وال", "فال", "بال", "كال", "لل", "وبال", "وكال", "ولل", "فبال", "فكال", "فلل")
#: Inflections as they end a word, and (the second item) as they are written before a pronoun.
INFLECTIONS = {
    "": "", "ة": "ت", "ات": "ات", "ان": "ا", "ين": "ي", "ون": "و", "تان": "تا", "تين": "تي",
    "ي": "ي", "ية": "يت", "يات": "يات", "يين": "يي", "يون": "يو", "يان": "يا", "يتين": "يتي",
    "ا": "", "يا": "",
}
#: Attached pronouns.
PRONOUNS = ("", "ه", "ها", "هم", "هما", "هن", "ك", "كم", "كما", "كن", "نا", "ي")
#: The fewest letters a core keeps once something is cut off ...
MIN_CORE = 3
#: ... or once only proclitics with the article are (الحد, للحق: Light10's two letters).
MIN_CORE_AFTER_ARTICLE = 2
#: The proclitic groups that hold the article.
WITH_ARTICLE = frozenset(p for p in PROCLITICS if "ال" in p or p.endswith("لل"))
#: The proclitic groups without a lone preposition or ف: none, و, and those with the article.
WITHOUT_PREPOSITIONS = tuple(p for p in PROCLITICS if p in ("", "و") or p in WITH_ARTICLE)

ALEF, ALEF_MAKSURA = "ا", "ى"
ALEFS = "اأإآ"
_SPELLING = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "ء", "ئ": "ء", "ة": "ه"})


def fold_spelling(word: str) -> str:
    """The spelling class of a written word: alef forms as ا, the hamza seats ؤ ئ and ء as ء,
    ة as ه, a final ى as ي.

    >>> fold_spelling("مسئول") == fold_spelling("مسؤول"), fold_spelling("هادئ") == fold_spelling("هادي")
    (True, False)
    """
    folded = word.translate(_SPELLING)
    return folded[:-1] + "ي" if folded.endswith(ALEF_MAKSURA) else folded


def _endings() -> list[tuple[str, bool, bool]]:
    """Every written ending (inflection + pronoun) with whether it holds an inflection and
    whether it holds a pronoun, longest first."""
    out = set()
    for inflection, before_pronoun in INFLECTIONS.items():
        for pronoun in PRONOUNS:
            if pronoun and inflection in ("ا", "يا"):
                continue  # the accusative alef and the ا of يا take no pronoun
            written = before_pronoun + pronoun if pronoun else inflection
            out.add((written, bool(inflection), bool(pronoun)))
    return sorted(out, key=lambda e: (-len(e[0]), e))


#: (written ending, holds an inflection, holds a pronoun), longest first; ("", False, False) last.
ENDINGS = _endings()
_ENDING_KINDS: dict[str, list[tuple[bool, bool]]] = {}
for _ending, _inflected, _pronoun in ENDINGS:
    _ENDING_KINDS.setdefault(_ending, []).append((_inflected, _pronoun))
_LONGEST_ENDING = max(len(e[0]) for e in ENDINGS)


@functools.lru_cache(maxsize=400_000)
def cores(word: str, prepositions: bool = True) -> frozenset[str]:
    """The spelling-folded cores of a written word (see the module docstring); the word itself
    (folded) always among them.

    :param prepositions: False leaves out the proclitic groups that start with or hold a single
        preposition ب ك ل or the conjunction ف without the article (بإيران, لمصر, فقال): the cuts
        that an analyzer which leaves those letters to the query side does not make.

    >>> sorted(cores("بإيران"))
    ['اير', 'ايران', 'باير', 'بايران']
    >>> fold_spelling("مصر") in cores("مصراتة"), fold_spelling("فلسطين") in cores("الفلسطينية")
    (False, True)
    """
    found = {fold_spelling(word)}
    for proclitic in PROCLITICS if prepositions else WITHOUT_PREPOSITIONS:
        if not word.startswith(proclitic):
            continue
        rest = word[len(proclitic):]
        for size in range(min(_LONGEST_ENDING, len(rest)) + 1):
            ending = rest[len(rest) - size:] if size else ""
            for inflected, pronoun in _ENDING_KINDS.get(ending, ()):
                if pronoun and proclitic in WITH_ARTICLE:
                    continue  # the article and an attached pronoun exclude each other
                core = rest[:len(rest) - size]
                shortest = MIN_CORE_AFTER_ARTICLE if (proclitic in WITH_ARTICLE and not ending) else MIN_CORE
                if not (proclitic or ending) or len(core) < shortest or (inflected and core.endswith(ALEF)):
                    continue
                found.add(fold_spelling(core))
                if pronoun and not inflected and core.endswith(ALEF):
                    found.add(fold_spelling(core[:-1] + ALEF_MAKSURA))  # مستواه: مستوى + ه
        if len(rest) >= MIN_CORE + 1 and rest[0] in ALEFS and rest.endswith(ALEF_MAKSURA):
            found.add(fold_spelling(rest[:-1]))  # the feminine of an elative: الأخرى → آخر, أولى → أول
    return frozenset(found)


def plausible_forms(first: str, second: str) -> bool:
    """Whether two written words can be forms of one word: they share a core.

    >>> plausible_forms("الحكومة", "حكومتها"), plausible_forms("ليلى", "الليل"), plausible_forms("حماية", "حماة")
    (True, False, False)
    """
    return not cores(first).isdisjoint(cores(second))


def spelling_variants(first: str, second: str) -> bool:
    """Whether two different written words differ only in spelling (:func:`fold_spelling`)."""
    return first != second and fold_spelling(first) == fold_spelling(second)
