"""Arabic letters, normalization and light stemming: pure ``str -> str`` functions.

Nothing here knows about Whoosh; :mod:`search.analysis.analyzer` adapts these functions to token streams.

Normalization (:func:`normalize`), the same at index and query time:

- removes diacritics: harakat, tanween, shadda, sukun, dagger alef and the other Quranic marks;
- removes tatweel (kashida) and invisible bidi and zero-width marks;
- folds alef forms أ إ آ ٱ to ا, and the seated hamzas ؤ ئ to و ي, so words typed without hamza match;
- folds ى to ي and ة to ه (Lucene folds the same way);
- folds Persian/Urdu keyboard letters ی ک ہ ۃ to ي ك ه ه, and leaves the letters Arabic lacks
  (پ چ ژ گ) alone;
- turns Eastern Arabic and Persian digits into 0-9 and lowercases Latin letters.

Light stemming (:func:`stem`) follows Larkey's Light10 (the stemmer Lucene's ArabicStemmer uses),
with the affix segmentation done by Tashaphyne's ``ArabicLightStemmer`` configured with search
affix lists instead of its defaults. Default Tashaphyne also strips verb prefixes (ي ت ن أ) and
single-letter proclitics, which eats letters of the word: تنظيم → نظيم, يونيو → ونيو, فاطمة → اطم.
Here:

- one proclitic group is stripped: ال, وال, بال, كال, فال, لل, ولل, وبال, وكال, فبال, فلل, or و;
- و alone only when at least three letters remain and the word is not a common word that starts
  with a root و (وزير, وطني, ولاية ... in :data:`WAW_INITIAL_WORDS`);
- the single letters ب ف ك ل are not stripped here: they start too many words (بطاطس, فهم,
  فلسطين, لبنان). The query side recovers ب/ل/ك/ف-prefixed forms from the index vocabulary
  instead (see :mod:`search.query.parser`);
- up to two suffixes are stripped, an attached pronoun and then an inflection (سياساتها → سياس,
  but الميليشيات → ميليشي, not ميليش), each only if the stem keeps the minimum length given in
  :data:`PRONOUN_SUFFIXES` and :data:`INFLECTION_SUFFIXES`;
- a word written with a hamza on its first alef before ل (ألمانيا, ألبرت, إلكتروني) does not start
  with the article: :func:`has_hamza_lam` tells the analyzer, which keeps its ال; the query side
  also tries the other reading, for words typed without hamza;
- words in :data:`STEM_EXCEPTIONS` (names and loanwords that merely look affixed) are kept whole.
"""

from __future__ import annotations

import functools
import re
import threading

import numpy as np
from pyarabic import araby
from tashaphyne.stemming import ArabicLightStemmer

# --- letters -------------------------------------------------------------------------------

ALEF = araby.ALEF
YEH = araby.YEH
WAW = araby.WAW
HEH = araby.HEH
KAF = araby.KAF

#: Diacritics removed by normalization: harakat, tanween, shadda, sukun (PyArabic's TASHKEEL),
#: dagger alef, and the other combining marks of the Arabic block (U+0610-U+061A, U+0653-U+065F,
#: U+06D6-U+06ED).
DIACRITICS = (
    "".join(araby.TASHKEEL)
    + araby.MINI_ALEF
    + "".join(chr(c) for c in range(0x0610, 0x061B))
    + "".join(chr(c) for c in range(0x0653, 0x0660))
    + "".join(chr(c) for c in range(0x06D6, 0x06EE) if c not in (0x06DD, 0x06DE, 0x06E9))
)

#: Invisible characters: tatweel, zero-width space/joiners, bidi marks, embeddings, isolates, BOM.
INVISIBLE = (
    araby.TATWEEL
    + "\u00ad\u061c\u200b\u200c\u200d\u200e\u200f"
    + "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)

#: Letters folded to one canonical form.
LETTER_FOLDS = {
    araby.ALEF_HAMZA_ABOVE: ALEF,  # أ
    araby.ALEF_HAMZA_BELOW: ALEF,  # إ
    araby.ALEF_MADDA: ALEF,  # آ
    araby.ALEF_WASLA: ALEF,  # ٱ
    araby.WAW_HAMZA: WAW,  # ؤ
    araby.YEH_HAMZA: YEH,  # ئ
    araby.ALEF_MAKSURA: YEH,  # ى
    araby.TEH_MARBUTA: HEH,  # ة
    "\u06cc": YEH,  # ی Farsi yeh
    "\u06d2": YEH,  # ے Urdu yeh barree
    "\u06a9": KAF,  # ک keheh
    "\u06c1": HEH,  # ہ heh goal
    "\u06c3": HEH,  # ۃ teh marbuta goal
    "\u06d5": HEH,  # ە ae
}

#: Eastern Arabic (U+0660-U+0669) and Persian (U+06F0-U+06F9) digits to ASCII.
#: One of the 28 letters (and hamza forms, ة, ى) of the Arabic alphabet, U+0621-U+064A: what the
#: stemmer, the broad stems and the spelling suggestions treat as an Arabic word's letter. (The
#: tokenizer's word characters, :data:`search.analysis.analyzer.TOKEN_PATTERN`, and the encoding
#: detector's Arabic test, :mod:`search.ingest.encodings`, are wider on purpose: Persian and Urdu
#: letters are word characters, and evidence of an Arabic-script encoding.)
ARABIC_LETTER = re.compile("[\u0621-\u064a]")
#: A word of such letters only (to be matched whole: ``ARABIC_WORD.fullmatch``).
ARABIC_WORD = re.compile("[\u0621-\u064a]+")
DIGIT_FOLDS = {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}

_FOLDS = {**{c: "" for c in DIACRITICS + INVISIBLE}, **LETTER_FOLDS, **DIGIT_FOLDS}
#: The characters :func:`normalize` changes. On a word, a regex substitution touches only those.
_FOLDED = re.compile("[" + "".join(re.escape(c) for c in _FOLDS) + "]")
#: On longer text (an article, for snippets and duplicate fingerprints) the substitution's call
#: per folded letter costs about 65 ns a character; :func:`_normalize_long` maps code points
#: through this table with NumPy instead (4x faster on SaudiNewsNet articles). _DROP: removed.
_DROP = 0xFFFFFFFF
_FOLD_TABLE = np.arange(0x110000, dtype=np.uint32)  # every code point (4 MB)
for _char, _folded in _FOLDS.items():
    assert len(_char) == 1 and len(_folded) <= 1
    _FOLD_TABLE[ord(_char)] = ord(_folded) if _folded else _DROP
#: From this length on, :func:`normalize` uses the table.
_LONG_TEXT = 200


def _fold(match: re.Match) -> str:
    return _FOLDS[match.group()]


def _normalize_long(text: str) -> str:
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    folded = _FOLD_TABLE[codes]
    return folded[folded != _DROP].tobytes().decode("utf-32-le").lower()


def normalize(text: str) -> str:
    """Normalize Arabic text for matching (the rules are in the module docstring).

    >>> normalize("أَحْمَدُ إلى مَدْرَسَةٍ ٢٠٢٠")
    'احمد الي مدرسه 2020'
    """
    if len(text) >= _LONG_TEXT:
        return _normalize_long(text)
    return _FOLDED.sub(_fold, text).lower()


# --- stemming ------------------------------------------------------------------------------

#: Proclitic groups stripped by :func:`stem` (normalized spelling), longest first.
PREFIXES = ("وبال", "وكال", "فبال", "ولل", "فلل", "وال", "بال", "كال", "فال", "لل", "ال", "و")

#: Suffixes stripped by :func:`stem` in two rounds: first an attached pronoun (the ت of ة
#: included: حكومتها), then one inflection (plural, dual, feminine, nisba). Each maps to the
#: minimum stem it must leave; suffixes that end many names and nouns need a longer stem
#: (سلمان, لبنان, حسين, قانون, محاكم stay whole).
PRONOUN_SUFFIXES = {
    "تهما": 3, "تها": 3, "تهم": 3, "تنا": 3, "تكم": 3, "ته": 3,
    "هما": 3, "كما": 4, "ها": 3, "هم": 3, "نا": 3, "كم": 4, "كن": 4, "هن": 4, "ه": 3,
}
INFLECTION_SUFFIXES = {
    "يا": 3,  # the ا of loanwords in يا, dropped before their plural يات: ميليشيا → ميليشي
    "يين": 3, "يون": 3,  # plural of a nisba: الإيرانيين → ايران, like الإيرانية
    "تان": 4, "تين": 4, "ات": 3, "يه": 3, "ان": 4, "ين": 4, "ون": 4, "ه": 3, "ي": 3,
}
SUFFIX_ROUNDS = (PRONOUN_SUFFIXES, INFLECTION_SUFFIXES)

#: Minimum stem length after stripping a prefix group (Light10: two letters).
PREFIX_MIN_STEM = 2

#: Common words whose first و belongs to the word, so و is not stripped from them.
WAW_INITIAL_WORDS = frozenset(normalize(w) for w in """
    وزير وزيرة وزراء وزارة وزارات وطن وطني وطنية وطنيا وجود وجه وجهة وجوه وصول وصل وصف وكيل وكالة
    وكالات ولاية ولايات وليد وليمة والد والدة والدي والده والدته وثيقة وثائق وادي ورقة ورق وراء
    وظيفة وظائف وظيفي وحيد وحدة وحدات وحده وقت وقع وقف وقود وفد وفاة وفيات وفق وعد وعود وعي
    واقع واقعة واحد واحدة واجب واجبات واضح وسط وسيلة وسائل وسيط ورشة ورثة وضع وضعت وطأة واشنطن
    وافق وافقت ولد ولدت ولادة وليمة وفاء ورود ورد وزن وزارية وسام ولي ولية والدها والدهم والدتها
    والدتهم والدين والدان وقته وقتها وقتهم وجهه وجهها وحدها وحدهم
""".split())

#: Words kept whole: names and loanwords that merely look affixed (ألبانيا is not ال + بانيا).
STEM_EXCEPTIONS = frozenset(normalize(w) for w in """
    الله ألبانيا ألباني ألبانية ألمانيا ألماني ألمانية ألبوم إلكتروني إلكترونية الكترونيا آلية آليات
    آلاف ألف آلة آلات أليم إلهام ألياف
    يونيو يونيه يوليو يوليه عليا دنيا
""".split())


class _SearchStemmer(ArabicLightStemmer):
    """Tashaphyne's light stemmer with Arshif's search affix lists instead of its defaults."""

    def __init__(self) -> None:
        super().__init__()
        self.set_prefix_list(list(PREFIXES))
        self.set_suffix_list(sorted(set(PRONOUN_SUFFIXES) | set(INFLECTION_SUFFIXES)))
        self.set_min_stem_length(PREFIX_MIN_STEM)


_local = threading.local()


def _stemmer() -> _SearchStemmer:
    """One Tashaphyne stemmer per thread: it keeps state between calls."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = _SearchStemmer()
    return stemmer


def _prefix_ok(word: str, prefix: str, article: bool = True) -> bool:
    """Whether stripping `prefix` from `word` leaves a stem (the Light10 guards)."""
    rest = len(word) - len(prefix)
    if word in WAW_INITIAL_WORDS:
        return False
    if not article and prefix != WAW:
        return False
    return rest >= (3 if prefix == WAW else PREFIX_MIN_STEM)


def _strip_prefix(word: str, article: bool = True) -> str:
    """Strip the longest allowed proclitic group that Tashaphyne's prefix lookup finds."""
    for left in sorted(_stemmer().lookup_prefixes(word), reverse=True):
        if left and _prefix_ok(word, word[:left], article):
            return word[left:]
    return word


def _strip_suffix(word: str, allowed: dict[str, int]) -> str:
    """Strip the longest suffix in `allowed` that Tashaphyne's suffix lookup finds, if the
    stem keeps its minimum length."""
    for right in sorted(_stemmer().lookup_suffixes(word)):
        suffix = word[right:]
        if suffix not in allowed or right < allowed[suffix]:
            continue
        if suffix[0] == "ت" and word[right - 1] == ALEF:
            continue  # the ت of a plural ات, not of ة: سياساتها is سياسات + ها
        if suffix == "يا":
            if word[right - 1] == ALEF:
                continue  # broken plurals in ايا: قضايا, هدايا
            return word[:right + 1]
        return word[:right]
    return word


_MARKS_TABLE = str.maketrans({c: None for c in DIACRITICS + INVISIBLE})
#: A word written with hamza on the alef before ل, after optional proclitics: وألمانيا, بألغام.
_HAMZA_LAM = re.compile(f"^([{WAW}{araby.FEH}]?[{araby.BEH}{KAF}{araby.LAM}]?)"
                        f"[{araby.ALEF_HAMZA_ABOVE}{araby.ALEF_HAMZA_BELOW}{araby.ALEF_MADDA}]{araby.LAM}")
_TANWEEN_ALEF = (araby.FATHATAN + ALEF, ALEF + araby.FATHATAN)


def has_hamza_lam(raw: str) -> bool:
    """Whether a word, as written, starts (after optional proclitics) with أل, إل or آل: the
    article ال is never written with hamza, so these letters belong to the word (ألمانيا, ألبرت,
    بألغام) and must not be stripped as ال."""
    return _HAMZA_LAM.match(raw.translate(_MARKS_TABLE)) is not None


def stem_written(raw: str) -> str:
    """The stem of a word as written: :func:`stem` of its normalized form, using what
    normalization erases. A hamza on the alef before ل means no article (بألغام → الغام: the ب is
    a proclitic, the ال is the word's); tanween on a final alef means the alef is the accusative
    ending, not the word's (مجدداً → مجدد, يمنياً → يمن)."""
    norm = normalize(raw)
    letters = raw.translate(_MARKS_TABLE)
    match = _HAMZA_LAM.match(letters)
    if match:
        return stem(norm[len(match.group(1)):], article=False)
    if len(norm) > 3 and raw.endswith(_TANWEEN_ALEF):
        return stem(norm[:-1])
    return stem(norm)


@functools.lru_cache(maxsize=1_000_000)
def stem(word: str, article: bool = True) -> str:
    """Light-stem one *normalized* word (see the module docstring). Memoized.

    :param article: False when the word as written has a hamza on its first alef
        (:func:`has_hamza_lam`): then its ال is not the article and stays. Words as written
        go through :func:`stem_written`.

    >>> [stem(normalize(w)) for w in ["والميليشيات", "تنظيم", "فاطمة", "يونيو", "سياساتها"]]
    ['ميليشي', 'تنظيم', 'فاطم', 'يونيو', 'سياس']
    >>> stem(normalize("ألبرت"), article=False), stem(normalize("البرت"))
    ('البرت', 'برت')
    """
    if len(word) < 3 or word in STEM_EXCEPTIONS or not _is_arabic(word):
        return word
    result = _strip_prefix(word, article)
    if result in STEM_EXCEPTIONS:
        return result
    for suffixes in SUFFIX_ROUNDS:
        result = _strip_suffix(result, suffixes)
    return result


def _is_arabic(word: str) -> bool:
    return ARABIC_LETTER.match(word) is not None


def is_arabic_letter(char: str) -> bool:
    """Whether `char` is a letter of the Arabic script (any language written in it)."""
    return char.isalpha() and ("\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f"
                               or "\ufb50" <= char <= "\ufdff" or "\ufe70" <= char <= "\ufeff")
