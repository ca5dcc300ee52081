"""The user's query syntax, parsed and analysed once: :func:`parse` → :class:`ParsedQuery`.

Syntax (forgiving: stray quotes, lone operators and punctuation never raise):

- ``words``: ranked, any word may match; articles with more of the words (and in the title) first.
  Each word matches by its light stem and, scoring higher, by its exact normalized form.
- ``"exact phrase"``: the words in this order (by stem), required. An unclosed quote runs to the end.
- ``-word`` / ``-"phrase"``: exclude articles that contain it. A ``-`` followed by a space (the
  ``- `` that starts typed questions) is punctuation, not an exclusion.
- ``+word``: required.
- ``a OR b``: alternatives counted as one word when ranking by how many words match.

Each word is analysed once, here, into a :class:`Term` (written form, normalized form, stem, the
stems of the other readings its spelling leaves open, the stems it would have with a ب/ل/ك/ف
proclitic added or removed); the first phase, the filters, the second phase and the snippets all
read those, so an operator matches the same forms as a plain word.

The stemmer never strips the single-letter proclitics ب ل ك ف (they start too many words), so the
query side recovers them from the index vocabulary: a query word also matches, with a lower
weight, its ب/ل/ك/ف-prefixed forms that occur in the index (تنظيم finds لتنظيم) and, when it starts
with one of those letters, the rest of it when that is an indexed word (بتنظيم finds تنظيم).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from search.analysis.analyzer import forms, tokens
from search.analysis.arabic import has_hamza_lam, stem
from search.errors import Code, QueryError
from search.query.config import DEFAULT, RankingConfig

MAX_QUERY_CHARS = 1000
MAX_QUERY_WORDS = 64

#: (field, term) -> whether the index holds the term in that field.
Vocabulary = Callable[[str, str], bool]


@dataclass(frozen=True)
class Term:
    """One query word, analysed."""

    written: str  # as the user typed it
    normalized: str
    stem: str
    alternates: tuple[str, ...]  # stems of the other readings of its spelling (full weight)
    clitic_forms: tuple[str, ...]  # stems with a ب/ل/ك/ف proclitic added or removed (if indexed)

    @classmethod
    def of(cls, written: str, proclitics: tuple[str, ...]) -> Term:
        """:raise TypeError: `written` is a stopword (nothing is indexed for it)."""
        normalized, word_stem = forms(written)  # type: ignore[misc]
        return cls(written, normalized, word_stem, tuple(alternate_stems(written)),
                   tuple(clitic_forms(normalized, word_stem, proclitics)))

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
    def options(self) -> list[Clause]:
        """The clause and its OR alternatives."""
        return [self, *self.alternatives]


@dataclass
class ParsedQuery:
    """A query after parsing: what the user typed and its clauses, every word analysed."""

    text: str
    clauses: list[Clause]

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
    clauses: list[Clause] = []
    pending_or = False
    for m in _SYNTAX.finditer(text):
        if m.group("or"):
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
        if pending_or and new and not new[0].excluded and not clauses[-1].excluded:
            clauses[-1].alternatives.append(new.pop(0))
        pending_or = False
        clauses.extend(new)
    count = sum(len(option.terms) for c in clauses for option in c.options)
    if count > MAX_QUERY_WORDS:
        raise QueryError(Code.QUERY_TOO_MANY_WORDS, words=count, limit=MAX_QUERY_WORDS)
    return ParsedQuery(text, clauses)


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
    typed without hamza, البرت may be ألبرت (whose ال stays) and the other way round; a final ا
    typed without tanween may be the accusative ending (يمنيا for يمنياً)."""
    norm, word_stem = forms(raw)  # type: ignore[misc]
    others = {stem(norm, article=has_hamza_lam(raw))}
    if len(norm) > 3 and norm.endswith("ا"):
        others.add(stem(norm[:-1]))
    others.discard(word_stem)
    return sorted(others)


def clitic_forms(word: str, word_stem: str, proclitics: tuple[str, ...] = DEFAULT.proclitics) -> list[str]:
    """Stems a word may take with a ب/ل/ك/ف proclitic added or removed (to look up in the index)."""
    found = [p + word_stem for p in proclitics]
    if word[:1] in proclitics and len(word) > 3:
        rest = stem(word[1:])
        if rest != word_stem:
            found.append(rest)
    return found


def highlight_terms(parsed: ParsedQuery, vocabulary: Vocabulary | None = None,
                    field_name: str = "body") -> frozenset[str]:
    """The stems to mark in a text for this query: each positive word's stems, and, for words
    outside phrases, its proclitic forms that the index holds."""
    terms: set[str] = set()
    for clause in parsed.positive:
        for option in clause.options:
            for term in option.terms:
                terms.update(term.stems)
                if vocabulary is not None and not option.phrase:
                    terms.update(f for f in term.clitic_forms if vocabulary(field_name, f))
    return frozenset(terms)


def highlight_phrases(parsed: ParsedQuery) -> tuple[tuple[frozenset[str], ...], ...]:
    """The positive phrases of the query, each as the stems of its words in order (what a
    snippet looks for to show the passage that holds a phrase)."""
    return tuple(tuple(frozenset(term.stems) for term in option.terms)
                 for clause in parsed.positive for option in clause.options if option.phrase)
