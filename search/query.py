"""User query syntax to a Whoosh query, with the ranking settings in one place.

Syntax (forgiving: stray quotes, lone operators and punctuation never raise):

- ``words``: ranked, any word may match; articles with more of the words (and in the title) first.
  Each word matches by its light stem and, scoring higher, by its exact normalized form.
- ``"exact phrase"``: the words in this order (by stem), required. An unclosed quote runs to the end.
- ``-word`` / ``-"phrase"``: exclude articles that contain it. A ``-`` followed by a space (the
  ``- `` that starts typed questions) is punctuation, not an exclusion.
- ``+word``: required.
- ``a OR b``: alternatives counted as one word when ranking by how many words match.

The stemmer never strips the single-letter proclitics ب ل ك ف (they start too many words), so the
query side recovers them from the index vocabulary: a query word also matches, with a lower
weight, its ب/ل/ك/ف-prefixed forms that occur in the index (تنظيم finds لتنظيم) and, when it starts
with one of those letters, the rest of it when that is an indexed word (بتنظيم finds تنظيم).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.scoring import BM25F

from search.analysis import build_analyzer
from search.arabic import normalize, stem
from search.schema import EXACT_SUFFIX

# --- ranking settings ----------------------------------------------------------------------

#: Weight of a match in each field, relative to a stem match in the body.
FIELD_WEIGHTS = {"title": 2.0, "body": 1.0}
#: Extra weight of an exact-form match over a stem-only match (added, in the *_exact fields).
EXACT_WEIGHT = 0.5
#: Weight of a form recovered from the vocabulary (a ب/ل/ك/ف proclitic added or removed).
CLITIC_WEIGHT = 0.4
#: Proclitics the stemmer leaves on and the query side tries.
SINGLE_PROCLITICS = ("ب", "ل", "ك", "ف")
#: Coordination bonus: how strongly the number of matching query words scales the score.
COORDINATION = 0.5
#: BM25 parameters (Lucene's defaults).
BM25_B = 0.75
BM25_K1 = 1.2

# --- limits --------------------------------------------------------------------------------

MAX_QUERY_CHARS = 1000
MAX_QUERY_WORDS = 64


def weighting() -> BM25F:
    """The scoring model every search uses."""
    return BM25F(B=BM25_B, K1=BM25_K1)


class QueryError(ValueError):
    """A query that cannot be searched, with a message for the user."""


@dataclass
class Clause:
    """One unit of a query: a word (with its OR alternatives) or a phrase."""

    words: list[str]  # the user's words (for a phrase, in order)
    phrase: bool = False
    required: bool = False
    excluded: bool = False
    alternatives: list["Clause"] = field(default_factory=list)


@dataclass
class ParsedQuery:
    """A query after parsing: its clauses, and what the user typed."""

    text: str
    clauses: list[Clause]

    @property
    def positive(self) -> list[Clause]:
        return [c for c in self.clauses if not c.excluded]

    @property
    def excluded(self) -> list[Clause]:
        return [c for c in self.clauses if c.excluded]


_SYNTAX = re.compile(
    r'(?P<sign>[-+\u2212]?)"(?P<phrase>[^"]*)"?'  # "phrase", -"phrase", unclosed quote to the end
    r"|(?P<or>\bOR\b|\|)"
    r'|(?P<wsign>[-+\u2212]?)(?P<word>[^\s"|]+)'
)
_STEMMED = build_analyzer(stem=True)
_EXACT = build_analyzer(stem=False)


def parse(text: str) -> ParsedQuery:
    """Parse the user's query syntax (see the module docstring).

    :raise QueryError: the query is too long or has too many words.
    """
    text = text or ""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS}).")
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u00ab", '"').replace("\u00bb", '"')
    clauses: list[Clause] = []
    pending_or = False
    for m in _SYNTAX.finditer(text):
        if m.group("or"):
            pending_or = bool(clauses)
            continue
        if m.group("phrase") is not None:
            sign, words = m.group("sign"), _words(m.group("phrase"))
            new = [Clause(words, phrase=len(words) > 1)] if words else []
        else:
            sign, words = m.group("wsign"), _words(m.group("word"))
            new = [Clause([w]) for w in words]
        for clause in new:
            clause.excluded = sign in ("-", "\u2212")
            clause.required = sign == "+"
        if pending_or and new and not new[0].excluded and not clauses[-1].excluded:
            clauses[-1].alternatives.append(new.pop(0))
        pending_or = False
        clauses.extend(new)
    count = sum(len(c.words) + sum(len(a.words) for a in c.alternatives) for c in clauses)
    if count > MAX_QUERY_WORDS:
        raise QueryError(f"The query has too many words ({count}; the limit is {MAX_QUERY_WORDS}).")
    return ParsedQuery(text, clauses)


def _words(chunk: str) -> list[str]:
    """The searchable words in a chunk of user text (stopwords and punctuation dropped)."""
    return [t.text for t in _EXACT(chunk, mode="query")]


def build(parsed: ParsedQuery, fields: tuple[str, ...], vocabulary=None) -> wq.Query | None:
    """The Whoosh query for `parsed` over `fields` (each with its ``*_exact`` twin).

    :param vocabulary: a callable ``(field, text) -> bool`` telling whether a term is indexed;
        when given, ب/ل/ك/ف-prefixed forms are recovered (see the module docstring).
    :return: None when nothing is left to search (only stopwords, or only exclusions).
    """
    positive = [c for c in parsed.positive]
    scoring = [_clause_query(c, fields, vocabulary) for c in positive]
    if not scoring and not parsed.excluded:
        return None
    if scoring:
        query: wq.Query = wq.Or(scoring, scale=COORDINATION) if len(scoring) > 1 else scoring[0]
        required = [q for c, q in zip(positive, scoring) if c.required or c.phrase]
        if required:
            query = wq.Require(wq.And(required), query) if len(required) < len(scoring) else wq.And(required)
    else:
        query = wq.Every()
    for clause in parsed.excluded:
        query = wq.AndNot(query, _clause_query(clause, fields, None))
    return query


def _clause_query(clause: Clause, fields, vocabulary) -> wq.Query:
    options = [clause, *clause.alternatives]
    queries = [_phrase_query(c, fields) if c.phrase else _word_query(c.words[0], fields, vocabulary)
               for c in options]
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def _word_query(word: str, fields, vocabulary) -> wq.Query:
    """One word: its stem in each field, its exact form in the *_exact fields, clitic forms."""
    word_stem = stem(word)
    parts: list[wq.Query] = []
    for name in fields:
        weight = FIELD_WEIGHTS.get(name, 1.0)
        parts.append(wq.Term(name, word_stem, boost=weight))
        parts.append(wq.Term(name + EXACT_SUFFIX, word, boost=weight * EXACT_WEIGHT))
        if vocabulary is not None:
            for form in clitic_forms(word, word_stem):
                if vocabulary(name, form):
                    parts.append(wq.Term(name, form, boost=weight * CLITIC_WEIGHT))
    return wq.Or(parts)


def clitic_forms(word: str, word_stem: str) -> list[str]:
    """Stems a word may take with a ب/ل/ك/ف proclitic added or removed (to look up in the index)."""
    forms = [p + word_stem for p in SINGLE_PROCLITICS]
    if word[:1] in SINGLE_PROCLITICS and len(word) > 3:
        rest = stem(word[1:])
        if rest != word_stem:
            forms.append(rest)
    return forms


def _phrase_query(clause: Clause, fields) -> wq.Query:
    stems = [stem(w) for w in clause.words]
    return wq.Or([wq.Phrase(name, stems, boost=FIELD_WEIGHTS.get(name, 1.0)) for name in fields])


def highlight_terms(parsed: ParsedQuery, vocabulary=None, field_name: str = "body") -> frozenset[str]:
    """The stems to mark in a text for this query (positive words, phrases and their clitic forms)."""
    terms: set[str] = set()
    for clause in parsed.positive:
        for option in (clause, *clause.alternatives):
            for word in option.words:
                word_stem = stem(word)
                terms.add(word_stem)
                if vocabulary is not None and not option.phrase:
                    terms.update(f for f in clitic_forms(word, word_stem) if vocabulary(field_name, f))
    return frozenset(terms)


def describe(parsed: ParsedQuery) -> str:
    """A one-line account of what will be searched (for messages)."""
    return " ".join(normalize(w) for c in parsed.clauses for w in c.words)
