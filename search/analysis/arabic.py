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
import unicodedata

import numpy as np
from pyarabic import araby
from tashaphyne.stemming import ArabicLightStemmer

# --- letters -------------------------------------------------------------------------------

ALEF = araby.ALEF
YEH = araby.YEH
WAW = araby.WAW
HEH = araby.HEH
KAF = araby.KAF
HAMZA = araby.HAMZA

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

#: Letters folded to one canonical form, in the spelling the stemmer reads (:func:`spell`).
#: The seated hamzas ؤ and ئ become ء, so the spellings of one hamza word meet (مسؤول / مسئول,
#: شيء / شيئ) without merging it with a word of و or ي (هادئ is not هادي, زائد not زايد).
SPELLING_FOLDS = {
    araby.ALEF_HAMZA_ABOVE: ALEF,  # أ
    araby.ALEF_HAMZA_BELOW: ALEF,  # إ
    araby.ALEF_MADDA: ALEF,  # آ
    araby.ALEF_WASLA: ALEF,  # ٱ
    "\u0672": ALEF,  # ٲ alef with wavy hamza above
    "\u0673": ALEF,  # ٳ alef with wavy hamza below
    araby.WAW_HAMZA: HAMZA,  # ؤ
    araby.YEH_HAMZA: HAMZA,  # ئ
    "\u06cc": YEH,  # ی Farsi yeh
    "\u06d2": YEH,  # ے Urdu yeh barree
    "\u06a9": KAF,  # ک keheh
    "\u06c1": HEH,  # ہ heh goal
    "\u06c3": araby.TEH_MARBUTA,  # ۃ teh marbuta goal
    "\u06d5": HEH,  # ە ae
}
#: The two letters the stemmer reads as written but matching folds: ة (not the pronoun ه) and
#: ى (not the nisba ي). Folding them is the last step of :func:`normalize` and of :func:`stem`.
FINAL_FOLDS = {araby.TEH_MARBUTA: HEH, araby.ALEF_MAKSURA: YEH}
LETTER_FOLDS = {**{k: FINAL_FOLDS.get(v, v) for k, v in SPELLING_FOLDS.items()}, **FINAL_FOLDS}

#: Eastern Arabic (U+0660-U+0669) and Persian (U+06F0-U+06F9) digits to ASCII, and the Arabic
#: decimal and thousands separators ٫ ٬ to . and , (٣٫٥ is 3.5).
DIGIT_FOLDS = ({chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}
               | {"\u066b": ".", "\u066c": ","})
#: One of the 28 letters (and hamza forms, ة, ى) of the Arabic alphabet, U+0621-U+064A: what the
#: stemmer, the broad stems and the spelling suggestions treat as an Arabic word's letter. (The
#: tokenizer's word characters, :data:`search.analysis.analyzer.TOKEN_PATTERN`, and the encoding
#: detector's Arabic test, :mod:`search.ingest.encodings`, are wider on purpose: Persian and Urdu
#: letters are word characters, and evidence of an Arabic-script encoding.)
ARABIC_LETTER = re.compile("[\u0621-\u064a]")
#: A word of such letters only (to be matched whole: ``ARABIC_WORD.fullmatch``).
ARABIC_WORD = re.compile("[\u0621-\u064a]+")

#: Arabic presentation forms (U+FB50-U+FDFF, U+FE70-U+FEFC: the glyph shapes text copied from a
#: PDF carries, ﺍﻻﺳﺘﺜﻤﺎﺭ) to the letters they show, by their Unicode compatibility decomposition
#: (NFKC, applied to these characters only: elsewhere NFKC would also rewrite digits and Latin).
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]")
_PRESENTATION_TABLE = {c: unicodedata.normalize("NFKC", chr(c)) for c in
                       (*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFD))
                       if unicodedata.normalize("NFKC", chr(c)) != chr(c)}
#: ءا at the start of a word is an old spelling of آ (ءادم, ءامن).
_HAMZA_ALEF = re.compile("(?<![\u0621-\u064a])\u0621\u0627")


#: A word with a dagger alef (ٰ, the long ā of Quranic spelling: ٱلۡكِتَٰبُ is الكتاب, خَٰلِدُونَ
#: خالدون), and the words whose standard spelling has no alef there (هٰذا is هذا).
_DAGGER_WORD = re.compile("[\u0621-\u065f\u0670\u0671\u06d6-\u06ed]*\u0670[\u0621-\u065f\u0670\u0671\u06d6-\u06ed]*")
_NO_ALEF = frozenset("هذا هذه هذان هذين هؤلاء ذلك ذلكم لكن لكنه لكنها الله لله بالله والله الرحمن اله".split())


def _dagger(match: re.Match) -> str:
    word = match.group()
    bare = "".join(c for c in word if "\u0621" <= c <= "\u064a" or c == "\u0671").replace("\u0671", "\u0627")
    if bare.replace("\u0623", "\u0627").replace("\u0625", "\u0627") in _NO_ALEF:
        return word
    return _DAGGER_AS_ALEF.sub("\\1\\2\u0627", word)


#: A dagger alef not after an alef or ى (on those it only marks the length: عَلَىٰ is على).
_DAGGER_AS_ALEF = re.compile("([^\u0622\u0623\u0625\u0627\u0649\u0671\u064b-\u065f\u06d6-\u06ed])"
                             "([\u064b-\u065f\u06d6-\u06ed]*)\u0670")


def _prepare(text: str) -> str:
    """What comes before the letter folds: presentation forms decomposed, initial ءا as آ, a
    dagger alef inside a word written as ا (except in هٰذا, ذٰلك, لٰكن, اللّٰه ...)."""
    if _PRESENTATION.search(text):
        text = text.translate(_PRESENTATION_TABLE)
    if "\u0621\u0627" in text:
        text = _HAMZA_ALEF.sub(araby.ALEF_MADDA, text)
    if "\u0670" in text:
        text = _DAGGER_WORD.sub(_dagger, text)
    return text


_FOLDS = {**{c: "" for c in DIACRITICS + INVISIBLE}, **LETTER_FOLDS, **DIGIT_FOLDS}
_SPELLING = {**{c: "" for c in DIACRITICS + INVISIBLE}, **SPELLING_FOLDS, **DIGIT_FOLDS}
#: The characters :func:`normalize` changes. On a word, a regex substitution touches only those.
_FOLDED = re.compile("[" + "".join(re.escape(c) for c in _FOLDS) + "]")
_SPELLED = re.compile("[" + "".join(re.escape(c) for c in _SPELLING) + "]")
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
_FINAL_TABLE = str.maketrans(FINAL_FOLDS)


def _fold(match: re.Match) -> str:
    return _FOLDS[match.group()]


def _spell(match: re.Match) -> str:
    return _SPELLING[match.group()]


def _normalize_long(text: str) -> str:
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    folded = _FOLD_TABLE[codes]
    return folded[folded != _DROP].tobytes().decode("utf-32-le").lower()


def normalize(text: str) -> str:
    """Normalize Arabic text for matching (the rules are in the module docstring).

    >>> normalize("أَحْمَدُ إلى مَدْرَسَةٍ ٢٠٢٠ مسئول")
    'احمد الي مدرسه 2020 مسءول'
    """
    text = _prepare(text)
    if len(text) >= _LONG_TEXT:
        return _normalize_long(text)
    return _FOLDED.sub(_fold, text).lower()


def spell(word: str) -> str:
    """A word in the spelling the stemmer reads: :func:`normalize` without its last step, so ة
    and ى are still told apart from ه and ي (``fold_final(spell(w)) == normalize(w)``).

    >>> spell("مِصْراتة"), spell("لَيْلى")
    ('مصراتة', 'ليلى')
    """
    return _SPELLED.sub(_spell, _prepare(word)).lower()


_WRITTEN_TABLE = str.maketrans({**{c: None for c in DIACRITICS + INVISIBLE},
                                **{k: v for k, v in SPELLING_FOLDS.items() if ord(k) >= 0x0670}})


def written(word: str) -> str:
    """A word as written, with only its diacritics, tatweel and invisible marks removed (and
    presentation forms and Persian keyboard letters read as Arabic letters): what stopwords are
    matched on, so that علي (a name) is not على, nor منى مني, nor إمام أمام.

    >>> written("عَلِيّ"), written("على")
    ('علي', 'على')
    """
    return _prepare(word).translate(_WRITTEN_TABLE)


def fold_final(word: str) -> str:
    """The last step of :func:`normalize`: ة → ه, ى → ي."""
    return word.translate(_FINAL_TABLE)


# --- stemming ------------------------------------------------------------------------------

#: Proclitic groups stripped by :func:`stem` (spelling of :func:`spell`), longest first.
PREFIXES = ("وبال", "وكال", "فبال", "ولل", "فلل", "وال", "بال", "كال", "فال", "لل", "ال", "و")

#: Suffixes stripped by :func:`stem` in two rounds, on the word as spelled (ة is not ه, ى is
#: not ي): first an attached pronoun (the ت of ة included: حكومتها), then one inflection (plural,
#: dual, feminine, nisba). Each maps to the minimum stem it must leave; suffixes that end many
#: names and nouns need a longer stem (سلمان, لبنان, حسين, قانون, محاكم stay whole). A ة ends
#: the word: nothing before it is stripped (مصراتة → مصرات, never مصر; حماية → حماي, not حماة).
PRONOUN_SUFFIXES = {
    "تهما": 3, "تها": 3, "تهم": 3, "تنا": 3, "تكم": 3, "ته": 3,
    "هما": 3, "كما": 4, "ها": 3, "هم": 3, "نا": 3, "كم": 4, "كن": 4, "هن": 4, "ه": 3,
}
INFLECTION_SUFFIXES = {
    "يا": 3,  # the ا of loanwords in يا, dropped before their plural يات: ميليشيا → ميليشي
    "يين": 4, "يون": 4,  # plural of a nisba: الإيرانيين → ايران, like الإيرانية
    "تان": 3, "تين": 3,  # dual of a feminine noun: الدولتين → دول, like الدولة
    # the nisba ي/ية leaves four letters at least: on a three-letter base it stays (التركية → تركي,
    # not ترك "leave"; السورية → سوري, not سور "wall"; يعني stays يعني); the query side reads the
    # noun of such an adjective where frequencies make it likely
    "ات": 3, "ية": 4, "ان": 4, "ين": 4, "ون": 4, "ة": 3, "ي": 4,
}
SUFFIX_ROUNDS = (PRONOUN_SUFFIXES, INFLECTION_SUFFIXES)

#: Minimum stem length after stripping a prefix group (Light10: two letters).
PREFIX_MIN_STEM = 2

#: Common words whose first و belongs to the word, so و is not stripped from them.
WAW_INITIAL_WORDS = frozenset(spell(w) for w in """
    وزير وزيرة وزراء وزارة وزارات وطن وطني وطنية وطنيا وجود وجه وجهة وجوه وصول وصل وصف وكيل وكالة
    وكالات ولاية ولايات وليد وليمة والد والدة والدي والده والدته وثيقة وثائق وادي ورقة ورق وراء
    وظيفة وظائف وظيفي وحيد وحدة وحدات وحده وقت وقع وقف وقود وفد وفاة وفيات وفق وعد وعود وعي
    واقع واقعة واحد واحدة واجب واجبات واضح وسط وسيلة وسائل وسيط ورشة ورثة وضع وضعت وطأة واشنطن
    وافق وافقت ولد ولدت ولادة وليمة وفاء ورود ورد وزن وزارية وسام ولي ولية والدها والدهم والدتها
    والدتهم والدين والدان وقته وقتها وقتهم وجهه وجهها وحدها وحدهم
""".split())

#: Words kept whole: names and loanwords that merely look affixed (ألبانيا is not ال + بانيا).
STEM_EXCEPTIONS = frozenset(spell(w) for w in """
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


def _prefix_ok(word: str, prefix: str, article: bool, why: list[str]) -> bool:
    """Whether stripping `prefix` from `word` leaves a stem (the Light10 guards)."""
    rest = word[len(prefix):]
    if word in WAW_INITIAL_WORDS:
        why.append(f"و kept: {word} is a word of its own")
        return False
    if not article and prefix != WAW:
        why.append(f"{prefix} kept: written with hamza (أل, إل), not the article")
        return False
    if prefix == WAW and rest[:1] == ALEF and rest[1:2] == HAMZA:
        why.append("و kept: no word starts with ائ/اء after a conjunction (وائل)")
        return False
    if len(rest) < (3 if prefix == WAW else PREFIX_MIN_STEM):
        why.append(f"{prefix} kept: too short a stem would be left")
        return False
    return True


def _strip_prefix(word: str, article: bool, why: list[str]) -> str:
    """Strip the longest allowed proclitic group that Tashaphyne's prefix lookup finds."""
    for left in sorted(_stemmer().lookup_prefixes(word), reverse=True):
        if left and _prefix_ok(word, word[:left], article, why):
            why.append(f"proclitic {word[:left]}")
            return word[left:]
    return word


def _strip_suffix(word: str, allowed: dict[str, int], why: list[str]) -> str:
    """Strip the longest suffix in `allowed` that Tashaphyne's suffix lookup finds, if the
    stem keeps its minimum length."""
    for right in sorted(_stemmer().lookup_suffixes(word)):
        suffix = word[right:]
        if suffix not in allowed:
            continue
        if right < allowed[suffix]:
            why.append(f"{suffix} kept: the stem would be shorter than {allowed[suffix]} letters")
            continue
        if suffix[0] == "ت" and word[right - 1] == ALEF:
            continue  # the ت of a plural ات, not of ة: سياساتها is سياسات + ها
        if suffix == "ية" and word[right - 1] == ALEF:
            continue  # the ي of ـاية is the word's: حماية → حماي, never حماة's حما
        if suffix == "يا":
            if word[right - 1] == ALEF:
                continue  # broken plurals in ايا: قضايا, هدايا
            why.append("ا of a loanword in يا")
            return word[:right + 1]
        why.append(("pronoun " if allowed is PRONOUN_SUFFIXES else "ending ") + suffix)
        return word[:right]
    return word


def _restore_alef_maksura(word: str, why: list[str]) -> str:
    """A final ى is written ا before a pronoun (مستواه, معناه, فتواها): give it back, so the
    stem is that of مستوى. Not after ا or ي (قضاياها is قضايا + ها) nor on short stems."""
    if len(word) >= 4 and word[-1] == ALEF and word[-2] not in (ALEF, YEH):
        why.append("ا before the pronoun is ى")
        return word[:-1] + araby.ALEF_MAKSURA
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
    """The stem of a word as written (see :func:`explain`)."""
    return explain(raw)[0]


def explain(raw: str) -> tuple[str, tuple[str, ...]]:
    """The stem of a word as written and the rules that made it, in order (what
    ``arshif analyze`` shows). Uses what normalization erases: ة and ى (:func:`spell`); a hamza
    on the alef before ل means no article (بألغام → الغام: the ب is a proclitic, the ال is the
    word's); tanween on a final alef means the alef is the accusative ending, not the word's
    (مجدداً → مجدد, يمنياً → يمن).

    >>> explain("مصراتة")
    ('مصرات', ('ending ة',))
    """
    spelled = spell(raw)
    letters = raw.translate(_MARKS_TABLE)
    match = _HAMZA_LAM.match(letters)
    if match:
        return _stem(spelled[len(match.group(1)):], False)
    if len(spelled) > 3 and raw.endswith(_TANWEEN_ALEF):
        found, why = _stem(spelled[:-1], True)
        return found, ("ا with tanween: the accusative ending", *why)
    return _stem(spelled, True)


def without_proclitics(word: str, article: bool = True) -> str:
    """A spelled word with only its proclitics stripped (folded like a stem): the reading of a
    word whose ending belongs to it (فلسطين, whose ين is not a plural: الفلسطينية)."""
    return fold_final(_strip_prefix(word, article, []))


def stem(word: str, article: bool = True) -> str:
    """Light-stem one word spelled as :func:`spell` gives it (a :func:`normalize`d word works too,
    read with ة as ه and ى as ي). The stem is folded like :func:`normalize`. Memoized.

    :param article: False when the word as written has a hamza on its first alef
        (:func:`has_hamza_lam`): then its ال is not the article and stays. Words as written
        go through :func:`stem_written`.

    >>> [stem(spell(w)) for w in ["والميليشيات", "تنظيم", "فاطمة", "يونيو", "سياساتها", "ليلى"]]
    ['ميليشي', 'تنظيم', 'فاطم', 'يونيو', 'سياس', 'ليلي']
    >>> stem(spell("ألبرت"), article=False), stem(spell("البرت"))
    ('البرت', 'برت')
    """
    return _stem(word, article)[0]


_ALLAH = "الله"
_ALLAH_PROCLITICS = frozenset(("و", "ف", "ب", "ك", "وب", "فب", "وك", "فك"))


@functools.lru_cache(maxsize=1_000_000)
def _stem(word: str, article: bool) -> tuple[str, tuple[str, ...]]:
    why: list[str] = []
    if len(word) < 3 or not _is_arabic(word):
        return fold_final(word), ()
    if word in STEM_EXCEPTIONS:
        return fold_final(word), ("kept whole: a name or loanword that looks affixed",)
    if word.endswith(_ALLAH) and len(word) > len(_ALLAH):
        if word[:-len(_ALLAH)] in _ALLAH_PROCLITICS:
            return _ALLAH, (f"proclitic {word[:-len(_ALLAH)]}", "kept whole: a name or loanword that looks affixed")
        result = _strip_prefix(word, article, why)
        why.append("kept whole: a name ending in الله (عبدالله, نصرالله)")
        return fold_final(result), tuple(why)
    result = _strip_prefix(word, article, why)
    if result in STEM_EXCEPTIONS:
        why.append("kept whole: a name or loanword that looks affixed")
        return fold_final(result), tuple(why)
    stripped = _strip_suffix(result, PRONOUN_SUFFIXES, why)
    if stripped != result:
        if result[len(stripped)] == "ت":  # the ت of ة before the pronoun: the feminine ending, the last one
            return fold_final(stripped), tuple(why)
        stripped = _restore_alef_maksura(stripped, why)
    result = _strip_suffix(stripped, INFLECTION_SUFFIXES, why)
    return fold_final(result), tuple(why)


def _is_arabic(word: str) -> bool:
    return ARABIC_LETTER.match(word) is not None


def is_arabic_letter(char: str) -> bool:
    """Whether `char` is a letter of the Arabic script (any language written in it)."""
    return char.isalpha() and ("\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f"
                               or "\ufb50" <= char <= "\ufdff" or "\ufe70" <= char <= "\ufeff")
