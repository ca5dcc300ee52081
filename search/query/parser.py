"""The user's query syntax, parsed and analysed once: :func:`parse` → :class:`ParsedQuery`.

Syntax (forgiving: stray quotes, lone operators and punctuation never raise):

- ``words``: ranked, any word may match; articles with more of the words (and in the title) first.
  Each word matches by its light stem and, scoring higher, by its exact normalized form.
- ``"exact phrase"``: the words in this order (by stem), required. An unclosed quote runs to the end.
- ``-word`` / ``-"phrase"``: exclude articles that contain it. A ``-`` followed by a space (the
  ``- `` that starts typed questions) is punctuation, not an exclusion; so is a ``-`` before a
  single word in a text of :data:`TEXT_WORDS` words or more besides the dashed ones, without other
  operators (quotes, ``OR``, ``+``): a pasted or remembered sentence, where Arabic sets a phrase off
  with dashes (``تكافح مصر -كغيرها من الدول``); and so is the first dash of ``-word-`` at any
  length. :attr:`ParsedQuery.dashes` names those words so the page can say so.
- ``+word``: required.
- ``a OR b``: alternatives counted as one word when ranking by how many words match.

Each word is analysed once, here, into a :class:`Term` (written form, normalized form, stem, the
stems of the other readings its spelling leaves open, the stems it would have with a ب/ل/ك/ف
proclitic added or removed); the first phase, the filters, the second phase and the snippets all
read those, so an operator matches the same forms as a plain word.

The stemmer never strips the single-letter proclitics ب ل ك ف (they start too many words), so the
query side recovers them from the index: a query word also matches, with a lower weight, its
ب/ل/ك/ف-prefixed forms (تنظيم finds لتنظيم, إيران بإيران) and, when it starts with one of those
letters, the rest of it (بتنظيم finds تنظيم); likewise the forms the light stemmer leaves apart
(the dual of a three-letter noun, يوم / يومين; the accusative ا without tanween, اتفاق / اتفاقا).
:meth:`ParsedQuery.resolved` keeps such a reading only where the index's document frequencies make
it likely: an affixed form is a minority form of its word, so the affixed stem must be at most
:data:`AFFIXED_RATIO` as frequent as the bare one; a name that merely starts with ف or ك (فيصل,
كمال, كامل) is as frequent as the word its other letters spell (يصل, مال, امل), and keeps to itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from search.analysis.analyzer import COMPOUND_HEADS, compound, forms, tokens
from search.analysis.arabic import ALEF, ARABIC_WORD, HEH, YEH, has_hamza_lam, normalize, spell, stem, without_proclitics
from search.errors import Code, QueryError
from search.query.config import DEFAULT, RankingConfig

#: The longest query, in characters: a pasted paragraph of a few hundred words ("find the
#: source of this text").
MAX_QUERY_CHARS = 4000
#: The most words searched. A longer text is searched by its rarest plain words
#: (:meth:`ParsedQuery.trimmed`); phrases and operators beyond this are refused.
MAX_QUERY_WORDS = 64

#: A query of this many words or more (stopwords counted) is a text, not keywords: a dash before
#: one of its words is punctuation, not an exclusion (see the module docstring).
TEXT_WORDS = 5

def text_words(text: str) -> int:
    """How many words `text` has as typed, stopwords counted, lone punctuation not (the measure
    of "a text, not keywords": :data:`TEXT_WORDS`, ``RankingConfig.learned_min_words``)."""
    return sum(1 for token in text.split() if any(c.isalnum() for c in token))


#: term -> in how many articles the index holds it.
Frequency = Callable[[str], int]
#: An affixed reading is kept when its stem is at most this fraction as frequent as the bare
#: stem (see the module docstring).
AFFIXED_RATIO = 0.5


@dataclass(frozen=True)
class Term:
    """One query word, analysed."""

    written: str  # as the user typed it
    normalized: str
    stem: str
    alternates: tuple[str, ...]  # stems of the other readings of its spelling (full weight)
    clitic_forms: tuple[str, ...]  # stems with a proclitic or an ending added or removed (lower weight)
    #: the readings in `alternates` that take an affix off (the final ا as the accusative ending):
    #: kept by :meth:`ParsedQuery.resolved` only where frequencies make them likely
    affix_alternates: tuple[str, ...] = ()
    #: of `clitic_forms`, those that add an affix (the others take one off the typed word)
    added_forms: tuple[str, ...] = ()

    @classmethod
    def of(cls, written: str, proclitics: tuple[str, ...]) -> Term:
        """:raise TypeError: `written` is a stopword (nothing is indexed for it)."""
        normalized, word_stem = forms(written)  # type: ignore[misc]
        removed = stripped_forms(written, word_stem, proclitics)
        added = [f for f in affixed_forms(written, word_stem, proclitics) if f not in removed]
        return cls(written, normalized, word_stem, tuple(alternate_stems(written)),
                   tuple(dict.fromkeys(added + removed)),
                   tuple(accusative_stems(written, word_stem) + final_yeh_stems(written, word_stem)
                         + nisba_stems(word_stem)), tuple(added))

    def resolved(self, frequency: Frequency, strip: bool = True) -> Term:
        """This word with only the readings that the index makes likely (see the module
        docstring): spelling readings that it holds, affixed readings that are at most
        :data:`AFFIXED_RATIO` as frequent as their bare form.

        :param strip: also read a first ب/ل/ك/ف as a proclitic, a final ا as the accusative ending
            (readings that take letters off the typed word); a word the index lacks always is."""
        own = frequency(self.stem)
        strip = strip or own == 0  # a typed word the index never has is surely affixed (بتنظيم)

        def minority(affixed: int, bare: int) -> bool:
            return bare > 0 and affixed <= AFFIXED_RATIO * bare

        alternates = []
        for alt in self.alternates:
            n = frequency(alt)
            if n and (alt not in self.affix_alternates or (strip and minority(own, n))):
                alternates.append(alt)
        clitics = []
        for form in self.clitic_forms:
            n = frequency(form)
            if (n > 0 and minority(n, own)) if form in self.added_forms else (strip and minority(own, n)):
                clitics.append(form)
        return Term(self.written, self.normalized, self.stem, tuple(alternates), tuple(clitics),
                    self.affix_alternates, self.added_forms)

    @property
    def matching(self) -> tuple[str, ...]:
        """Every stem this word matches: its stems and its affixed forms (once resolved)."""
        return (*self.stems, *self.clitic_forms)

    @property
    def stems(self) -> tuple[str, ...]:
        """The stem and the alternates: what the word matches at full weight."""
        return (self.stem, *self.alternates)


@dataclass
class Clause:
    """One unit of a query: a word (with its OR alternatives) or a phrase."""

    terms: list[Term]  # (for a phrase, in order)
    phrase: bool = False
    required: bool = False
    excluded: bool = False
    alternatives: list[Clause] = field(default_factory=list)

    @property
    def plain(self) -> bool:
        """A single word without operators (the kind a long text may leave out)."""
        return not (self.phrase or self.required or self.excluded or self.alternatives)

    @property
    def options(self) -> list[Clause]:
        """The clause and its OR alternatives."""
        return [self, *self.alternatives]


@dataclass
class ParsedQuery:
    """A query after parsing: what the user typed and its clauses, every word analysed."""

    text: str
    clauses: list[Clause]
    stopped: list[str] = field(default_factory=list)  # the words left out as stopwords, as typed
    dashes: list[str] = field(default_factory=list)  # words after a dash read as punctuation, as typed

    @property
    def positive(self) -> list[Clause]:
        return [c for c in self.clauses if not c.excluded]

    @property
    def excluded(self) -> list[Clause]:
        return [c for c in self.clauses if c.excluded]

    @property
    def constraints(self) -> list[Clause]:
        """The positive clauses every answer must satisfy: phrases and ``+`` words."""
        return [c for c in self.positive if c.required or c.phrase]

    def terms(self) -> list[Term]:
        """The positive words to score, in order (phrase words and OR alternatives count as
        words of their own)."""
        return [term for clause in self.positive for option in clause.options for term in option.terms]

    def resolved(self, frequency: Frequency, config: RankingConfig = DEFAULT) -> ParsedQuery:
        """The query with each word's readings checked against the index (:meth:`Term.resolved`),
        so that plain words, phrases, ``+`` and ``-`` all match the same forms."""
        strip = len(self.terms()) >= config.strip_proclitic_words

        def clause(c: Clause) -> Clause:
            return Clause([t.resolved(frequency, strip) for t in c.terms], c.phrase, c.required, c.excluded,
                          [clause(a) for a in c.alternatives])
        return ParsedQuery(self.text, [clause(c) for c in self.clauses], self.stopped, self.dashes)

    def trimmed(self, frequency: Frequency, limit: int = MAX_QUERY_WORDS) -> tuple[ParsedQuery, int]:
        """The query with at most `limit` words: a longer one (a pasted paragraph) keeps its
        operators and its rarest plain words, each once, in their order (the most telling words
        of a text, as Lucene's MoreLikeThis picks a document's terms by idf).

        :return: (the query, how many plain words were left out, repeats included)."""
        if _word_count(self.clauses) <= limit:
            return self, 0
        fixed = _word_count([c for c in self.clauses if not c.plain])
        plain: dict[str, int] = {}
        for i, c in enumerate(self.clauses):
            if c.plain:
                plain.setdefault(c.terms[0].stem, i)
        def telling(i: int) -> tuple[bool, int, int]:  # a word the index lacks tells nothing
            n = frequency(self.clauses[i].terms[0].stem)
            return n == 0, n, i

        keep = set(sorted(plain.values(), key=telling)[:limit - fixed])
        clauses = [c for i, c in enumerate(self.clauses) if not c.plain or i in keep]
        return ParsedQuery(self.text, clauses, self.stopped, self.dashes), len(self.clauses) - len(clauses)

    def groups(self) -> list[list[list[int]]]:
        """The positive clauses as lists of options, each the indices of its words in
        :meth:`terms`' order (what "has every part of the query" is checked on)."""
        groups, n = [], 0
        for clause in self.positive:
            options = []
            for option in clause.options:
                options.append(list(range(n, n + len(option.terms))))
                n += len(option.terms)
            groups.append(options)
        return groups


_SYNTAX = re.compile(
    r'(?P<sign>[-+\u2212]?)"(?P<phrase>[^"]*)"?'  # "phrase", -"phrase", unclosed quote to the end
    r"|(?P<or>\bOR\b|\|)"
    r'|(?P<wsign>[-+\u2212]?)(?P<word>[^\s"|]+)'
)


def parse(text: str, config: RankingConfig = DEFAULT) -> ParsedQuery:
    """Parse and analyse the user's query (see the module docstring).

    :param config: its ``proclitics`` are the ones tried on each word.
    :raise QueryError: the query is too long or has too many words.
    """
    text = check_length(text or "")
    text = text.replace("\u201c", '"').replace("\u201d", '"')  # « » are quotation marks, not phrases
    text = join_compounds(text)
    clauses: list[Clause] = []
    pending_or = False
    dashed: list[Clause] = []  # excluded by a dash before one word: punctuation in a text
    syntax = False  # quotes, OR or + used: the user writes operators
    for m in _SYNTAX.finditer(text):
        if m.group("or"):
            syntax = True
            pending_or = bool(clauses)
            continue
        if m.group("phrase") is not None:
            sign, words = m.group("sign"), _words(m.group("phrase"))
            new = [Clause(_terms(words, config), phrase=len(words) > 1)] if words else []
        else:
            sign, words = m.group("wsign"), _words(m.group("word"))
            new = [Clause(_terms([w], config)) for w in words]
        for clause in new:
            clause.excluded = sign in ("-", "\u2212")
            clause.required = sign == "+"
        if m.group("wsign") in ("-", "\u2212") and len(new) == 1:
            dashed.append(new[0])
        elif sign == "+" or m.group("phrase") is not None:
            syntax = True
        if pending_or and new and not new[0].excluded and not clauses[-1].excluded:
            clauses[-1].alternatives.append(new.pop(0))
        pending_or = False
        clauses.extend(new)
    dashes = []
    undashed = text_words(" ".join(token for token in text.split() if not token.startswith(("-", "\u2212"))))
    for clause in dashed:
        written = clause.terms[0].written
        closed = f"-{written}-" in text or f"\u2212{written}\u2212" in text  # -كغيرها-: a phrase set off
        if closed or (not syntax and undashed >= TEXT_WORDS):
            clause.excluded = False
            dashes.append(written)
    count = _word_count([c for c in clauses if not c.plain])
    if count > MAX_QUERY_WORDS:
        raise QueryError(Code.QUERY_TOO_MANY_WORDS, words=count, limit=MAX_QUERY_WORDS)
    stopped = [raw for raw in tokens(text) if forms(raw) is None and any(c.isalpha() for c in raw)]
    return ParsedQuery(text, clauses, list(dict.fromkeys(stopped)), list(dict.fromkeys(dashes)))


def _word_count(clauses: list[Clause]) -> int:
    """The words of `clauses`, exclusions and OR alternatives included."""
    return sum(len(option.terms) for c in clauses for option in c.options)


def join_compounds(text: str) -> str:
    """The query with each compound name written as one word (عبد الله → عبدالله, أبو ظبي →
    أبوظبي), as the analyzer also indexes it (:func:`search.analysis.analyzer.compound`), so
    that either spelling finds both."""
    if not any(head in text for head in ("عبد", "بو", "بي")):
        return text
    pieces = re.split(r"(\s+)", text)
    for i in range(0, len(pieces) - 2, 2):
        first, second = pieces[i], pieces[i + 2]
        words = tokens(first)
        if words and normalize(words[-1]) in COMPOUND_HEADS and compound(first, second) is not None:
            pieces[i + 1] = ""
    return "".join(pieces)


def check_length(text: str) -> str:
    """`text`, if it is at most :data:`MAX_QUERY_CHARS` long.

    :raise QueryError: it is longer."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(Code.QUERY_TOO_LONG, chars=len(text), limit=MAX_QUERY_CHARS)
    return text


def _words(chunk: str) -> list[str]:
    """The searchable words in a chunk of user text (stopwords and punctuation dropped)."""
    return [raw for raw in tokens(chunk) if forms(raw) is not None]


def _terms(words: list[str], config: RankingConfig) -> list[Term]:
    return [Term.of(raw, config.proclitics) for raw in words]


def alternate_stems(raw: str) -> list[str]:
    """Stems of the word under readings its spelling leaves open (to look up in the index):
    typed without hamza, البرت may be ألبرت (whose ال stays) and the other way round; its ending
    may be its own (فلسطين, stemmed فلسط, is the stem of الفلسطينية); a final ي
    may be ى typed as ي (مستشفي for مستشفى, ليلي for ليلى) and a final ى ي typed as ى (الشيوعى:
    :func:`final_yeh_stems`), a final ه ة typed as ه (صبراته for
    صبراتة, not صبر + ات + ه); a final ا typed without tanween may be
    the accusative ending (يمنيا for يمنياً: see :func:`accusative_stems`)."""
    norm, word_stem = forms(raw)  # type: ignore[misc]
    spelled = spell(raw)
    others = {stem(spelled, article=has_hamza_lam(raw)), *accusative_stems(raw, word_stem),
              *final_yeh_stems(raw, word_stem), *nisba_stems(word_stem),
              without_proclitics(spelled, article=not has_hamza_lam(raw))}
    if len(spelled) > 3 and spelled.endswith(YEH):
        others.add(stem(spelled[:-1] + "\u0649"))
    if len(spelled) > 3 and spelled.endswith(HEH):
        others.add(stem(spelled[:-1] + "\u0629"))
    others.discard(word_stem)
    return sorted(others)


def accusative_stems(raw: str, word_stem: str) -> list[str]:
    """The stem of a word ending in ا read as the accusative ending (اتفاقا → اتفاق)."""
    spelled = spell(raw)
    if len(spelled) > 3 and spelled.endswith(ALEF):
        found = stem(spelled[:-1])
        if found != word_stem:
            return [found]
    return []


def nisba_stems(word_stem: str) -> list[str]:
    """The noun of an adjective whose nisba the stemmer keeps on a three-letter base (تركي → ترك,
    مصري → مصر), as an ending taken off: kept only where frequencies make it likely
    (:meth:`Term.resolved`), so التركية typed alone is not ترك "leave". (The other way, مصر → مصري,
    is not read: on three-letter names it adds another name, حمد → حمدي, and cost names P@10 0.013.)"""
    if len(word_stem) == 4 and word_stem.endswith(YEH) and ARABIC_WORD.fullmatch(word_stem):
        return [word_stem[:-1]]
    return []


def final_yeh_stems(raw: str, word_stem: str) -> list[str]:
    """The stem of a word ending in ى read as ي typed as ى (الشيوعى for الشيوعي, as some writers
    end every final ي): a reading that may strip the ي, so it is kept, like an affix taken off, only
    where the index's frequencies make it likely (ليلى stays ليلى)."""
    spelled = spell(raw)
    if len(spelled) > 3 and spelled.endswith("\u0649"):
        found = stem(spelled[:-1] + YEH)
        if found != word_stem:
            return [found]
    return []


def affixed_forms(raw: str, word_stem: str, proclitics: tuple[str, ...] = DEFAULT.proclitics) -> list[str]:
    """Stems the word takes with an affix the stemmer keeps: a ب/ل/ك/ف proclitic (بإيران is
    indexed as the stem of بإيران, not of إيران), and on a three-letter stem the dual ين/ان
    (يومين) and the accusative ا without tanween (اتفاقا)."""
    spelled = spell(raw)
    found = [stem(spell(p) + spelled) for p in proclitics]
    if len(word_stem) >= 3 and not spelled.endswith(ALEF):
        accusative = stem(spelled + ALEF)
        if accusative.startswith(word_stem):  # not a new reading of the whole (ايرانا is not ايرا + نا)
            found.append(accusative)
    if len(word_stem) == 3 and word_stem == spelled:
        found += [stem(word_stem + "ين"), stem(word_stem + "ان")]
    return [f for f in dict.fromkeys(found) if f != word_stem]


def stripped_forms(raw: str, word_stem: str, proclitics: tuple[str, ...] = DEFAULT.proclitics) -> list[str]:
    """The stem of the word without its first letter, when that is a ب/ل/ك/ف proclitic."""
    spelled = spell(raw)
    if spelled[:1] in proclitics and len(spelled) > 3:
        rest = stem(spelled[1:])
        if rest != word_stem:
            return [rest]
    return []


def highlight_terms(parsed: ParsedQuery) -> frozenset[str]:
    """The stems to mark in a text for this query: every stem each positive word matches (its
    affixed forms only once the query is :meth:`ParsedQuery.resolved` against an index)."""
    return frozenset(stem for clause in parsed.positive for option in clause.options
                     for term in option.terms for stem in term.matching)


def highlight_phrases(parsed: ParsedQuery) -> tuple[tuple[frozenset[str], ...], ...]:
    """The positive phrases of the query, each as the stems its words match, in order (what a
    snippet looks for to show the passage that holds a phrase)."""
    return tuple(tuple(frozenset(term.matching) for term in option.terms)
                 for clause in parsed.positive for option in clause.options if option.phrase)
