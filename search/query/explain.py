"""Why an article matched: for each word of the query, the forms the article writes it in
(``ميليشيا`` ← الميليشيات، للميليشيات), and the words it lacks.

A word's forms are the article's words whose stem is one of those the word matches once resolved
against the index (what the snippets mark: :func:`search.query.snippets.matches`),
in the title and the body, as written (diacritics and all), each with how often it occurs.
"""

from __future__ import annotations

from collections import Counter

from search.query.parser import ParsedQuery
from search.query.snippets import matches

#: Forms listed per word at most (the most frequent first).
MOST_FORMS = 5


def word_stems(parsed: ParsedQuery) -> dict[str, frozenset[str]]:
    """Each positive query word as written -> the stems that match it (``Term.matching``: its
    stems, and its affixed forms once the query is resolved against the index), in query order."""
    out: dict[str, set[str]] = {}
    for clause in parsed.positive:
        for option in clause.options:
            for term in option.terms:
                out.setdefault(term.written, set()).update(term.matching)
    return {word: frozenset(stems) for word, stems in out.items()}


def explain(texts: list[str], words: dict[str, frozenset[str]],
            found: list[list[tuple[int, int, str]] | None] | None = None) -> list[dict]:
    """``[{word, forms: [{form, count}], count}]`` for each query word (``count`` 0 and no forms:
    the article lacks it), over `texts` (title and body).

    :param found: the matches of each text already found for the stems of all `words`
        (:func:`search.query.snippets.matches`: the snippet's), None for those to find here."""
    every = frozenset().union(*words.values()) if words else frozenset()
    by_stem: dict[str, Counter] = {}
    for i, text in enumerate(texts):
        known = found[i] if found is not None and i < len(found) else None
        for start, end, stem in (known if known is not None else matches(text, every)):
            by_stem.setdefault(stem, Counter())[text[start:end]] += 1
    out = []
    for word, stems in words.items():
        forms: Counter = Counter()
        for stem in stems:
            forms.update(by_stem.get(stem, {}))
        out.append({"word": word, "count": sum(forms.values()),
                    "forms": [{"form": f, "count": n} for f, n in forms.most_common(MOST_FORMS)]})
    return out
