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

from search.query import rerank as ranking
from search.analysis.analyzer import forms, tokens
from search.analysis.arabic import has_hamza_lam, stem

#: Proclitics the stemmer leaves on and the query side tries.
SINGLE_PROCLITICS = ("ب", "ل", "ك", "ف")
#: Queries up to this many words also look for ب/ل/ك/ف forms in the first phase (longer ones
#: have enough words to find their articles; the forms still count in the second phase).
CLITIC_CANDIDATE_WORDS = 4

# --- limits --------------------------------------------------------------------------------

MAX_QUERY_CHARS = 1000
MAX_QUERY_WORDS = 64


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


def parse(text: str) -> ParsedQuery:
    """Parse the user's query syntax (see the module docstring).

    :raise QueryError: the query is too long or has too many words.
    """
    text = text or ""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS}).")
    text = text.replace("\u201c", '"').replace("\u201d", '"')  # « » are quotation marks, not phrases
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
    return [raw for raw in tokens(chunk) if forms(raw) is not None]


def constraint(clauses: list[Clause], fields: tuple[str, ...], require_all: bool) -> wq.Query | None:
    """A Whoosh query matching the articles that satisfy `clauses` (phrases by position):
    all of them (required clauses) or any of them (exclusions), for indexes built with positions
    and without the analyzed-form columns (:mod:`search.query.filters` does the job on current ones)."""
    queries = [_clause_query(c, fields) for c in clauses]
    if not queries:
        return None
    if len(queries) == 1:
        return queries[0]
    return wq.And(queries) if require_all else wq.Or(queries)


def query_words(parsed: ParsedQuery, vocabulary=None, field_name: str = "body") -> list[ranking.QueryWord]:
    """The positive query words to score, each with its ب/ل/ك/ف forms found in the index
    (phrase words count as words too; OR alternatives count as their own words)."""
    words = []
    for clause in parsed.positive:
        for option in (clause, *clause.alternatives):
            for raw in option.words:
                norm, word_stem = forms(raw)
                variants = alternates = frozenset()
                if vocabulary is not None:
                    variants = frozenset(f for f in clitic_forms(norm, word_stem) if vocabulary(field_name, f))
                    alternates = frozenset(f for f in alternate_stems(raw) if vocabulary(field_name, f))
                words.append(ranking.QueryWord(norm, word_stem, variants, alternates))
    return words


def alternate_stems(raw: str) -> list[str]:
    """Stems of the word under readings its spelling leaves open (to look up in the index):
    typed without hamza, البرت may be ألبرت (whose ال stays) and the other way round; a final ا
    typed without tanween may be the accusative ending (يمنيا for يمنياً)."""
    norm, word_stem = forms(raw)
    others = {stem(norm, article=has_hamza_lam(raw))}
    if len(norm) > 3 and norm.endswith("ا"):
        others.add(stem(norm[:-1]))
    others.discard(word_stem)
    return sorted(others)


def _clause_query(clause: Clause, fields) -> wq.Query:
    options = [clause, *clause.alternatives]
    queries = [_phrase_query(c, fields) if c.phrase else _word_query(c.words[0], fields) for c in options]
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def _word_query(raw: str, fields) -> wq.Query:
    """One word: its stem in any of the fields."""
    word_stem = forms(raw)[1]
    parts = [wq.Term(name, s) for name in fields for s in (word_stem, *alternate_stems(raw))]
    return parts[0] if len(parts) == 1 else wq.Or(parts)


def clitic_forms(word: str, word_stem: str) -> list[str]:
    """Stems a word may take with a ب/ل/ك/ف proclitic added or removed (to look up in the index)."""
    forms = [p + word_stem for p in SINGLE_PROCLITICS]
    if word[:1] in SINGLE_PROCLITICS and len(word) > 3:
        rest = stem(word[1:])
        if rest != word_stem:
            forms.append(rest)
    return forms


def _phrase_query(clause: Clause, fields) -> wq.Query:
    stems = [forms(w)[1] for w in clause.words]
    return wq.Or([wq.Phrase(name, stems) for name in fields])


def highlight_terms(parsed: ParsedQuery, vocabulary=None, field_name: str = "body") -> frozenset[str]:
    """The stems to mark in a text for this query (positive words, phrases and their clitic forms)."""
    terms: set[str] = set()
    for clause in parsed.positive:
        for option in (clause, *clause.alternatives):
            for raw in option.words:
                norm, word_stem = forms(raw)
                terms.add(word_stem)
                terms.update(alternate_stems(raw))
                if vocabulary is not None and not option.phrase:
                    terms.update(f for f in clitic_forms(norm, word_stem) if vocabulary(field_name, f))
    return frozenset(terms)
