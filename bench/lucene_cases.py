"""Lucene's own Arabic analysis test cases, run as searches through Arshif.

Lucene checks its ``ArabicNormalizationFilter`` and ``ArabicStemFilter`` with (input, expected)
word pairs (``TestArabicNormalizationFilter``, ``TestArabicStemFilter``: 14 + 21 pairs, kept as
data in ``tests/data/lucene_arabic_cases.tsv`` with their attribution). Arshif's analyzer need not
produce Lucene's terms, only match the same words, so each pair becomes searches:

- a normalization pair is two spellings of one word: each must find the other (two searches);
- a stem pair is an affixed form and its base: the affixed form must find the base (one search);
  the reverse (the base finds the affixed form) is counted apart, as :data:`REVERSE`.

That is 14 x 2 + 21 = 49 searches (:data:`FORWARD`), plus 19 reverse ones (the two stem pairs
whose input is its own base, ``الو`` and ``English``, have none).

Each search gets its own tiny index (:func:`target_index`) of two one-word articles: ``target``
(the form to be found) and ``unrelated`` (:data:`UNRELATED`, a word sharing no stem with any case);
the query's own form is not in it, so the query has to reach the other form by analysis. A search
holds when it finds the target's article and not the unrelated one (:func:`search_holds`). The
index is built by :func:`search.index.build.reindex` and searched by
:meth:`search.searcher.Searcher.search`: the same path as ``arshif search``, so query-side
readings count as they do for a user.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CASES_FILE = REPO / "tests" / "data" / "lucene_arabic_cases.tsv"
#: The word of the third article, which no search may find.
UNRELATED = "سيارة"

#: Search directions: ``forward`` is the 49 of the headline figure, ``reverse`` the base → affixed
#: form searches of the stem pairs.
FORWARD, REVERSE = "forward", "reverse"


@dataclass(frozen=True)
class LuceneCase:
    """One ``check(input, expected)`` of a Lucene test: the test class and method, and the pair."""

    test_class: str
    method: str
    input: str
    expected: str

    @property
    def is_normalization(self) -> bool:
        return self.test_class == "TestArabicNormalizationFilter"


@dataclass(frozen=True)
class CaseSearch:
    """One search made of a case: `query` must find the article holding `target`.

    ``direction`` is :data:`FORWARD` or :data:`REVERSE`."""

    case: LuceneCase
    query: str
    target: str
    direction: str

    @property
    def name(self) -> str:
        """A short id for test reports: the method and the query, e.g. ``testKasra:علِي→علي``."""
        return f"{self.case.method}:{self.query}→{self.target}"


def read_cases(path: Path = CASES_FILE) -> list[LuceneCase]:
    """The cases of the TSV file (``#`` lines are comments).

    :raise ValueError: a line without the four tab-separated columns."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4:
            raise ValueError(f"{path}:{number}: expected 4 tab-separated columns, found {len(parts)}")
        cases.append(LuceneCase(*parts))
    return cases


def case_searches(cases: list[LuceneCase]) -> list[CaseSearch]:
    """The searches made of `cases` (see the module docstring), forward ones first."""
    forward, reverse = [], []
    for case in cases:
        forward.append(CaseSearch(case, case.input, case.expected, FORWARD))
        back = CaseSearch(case, case.expected, case.input, FORWARD)
        if case.is_normalization:
            forward.append(back)
        elif case.input != case.expected:
            reverse.append(CaseSearch(case, case.expected, case.input, REVERSE))
    return forward + reverse


def target_index(target: str, folder: Path) -> Path:
    """Build under `folder` (which must exist) the tiny index of the articles ``target`` (whose
    body is the word `target`) and ``unrelated``; its path."""
    from search.index.build import reindex

    corpus = folder / "articles"
    corpus.mkdir()
    with open(corpus / "articles.jsonl", "w", encoding="utf-8") as f:
        for doc_id, body in (("target", target), ("unrelated", UNRELATED)):
            f.write(json.dumps({"id": doc_id, "title": "", "body": body}, ensure_ascii=False) + "\n")
    root = folder / "index"
    reindex([corpus], root, procs=1)
    return root


def found_ids(index: Path, query: str) -> set[str]:
    """The ids of the articles that `query` finds in `index` (all of them: there are two)."""
    from search.searcher import Searcher

    return {hit.id for hit in Searcher(index).search(query, limit=10, snippets=False).hits}


def search_holds(search: CaseSearch, found: set[str]) -> bool:
    """Whether a search found its target's article and not the unrelated one."""
    return "target" in found and "unrelated" not in found


def run_cases(cases: list[LuceneCase] | None = None) -> Iterator[tuple[CaseSearch, set[str]]]:
    """Each search of `cases` (default: the whole file) with the ids it found, one tiny index per
    target form, built in a temporary folder removed afterwards."""
    cases = read_cases() if cases is None else cases
    with tempfile.TemporaryDirectory(prefix="arshif-lucene-cases-") as tmp:
        indexes: dict[str, Path] = {}
        for search in case_searches(cases):
            if search.target not in indexes:
                folder = Path(tmp) / str(len(indexes))
                folder.mkdir()
                indexes[search.target] = target_index(search.target, folder)
            yield search, found_ids(indexes[search.target], search.query)


def report(results: list[tuple[CaseSearch, set[str]]]) -> str:
    """Plain text: the count that hold per direction, and every search that does not."""
    lines = []
    for direction, label in ((FORWARD, "Lucene Arabic cases (each spelling finds its pair, each affixed form "
                                       "its base)"),
                             (REVERSE, "Reverse stem cases (the base finds the affixed form)")):
        rows = [(s, found) for s, found in results if s.direction == direction]
        held = sum(search_holds(s, found) for s, found in rows)
        lines.append(f"{label}: {held} of {len(rows)} hold")
        for s, found in rows:
            if not search_holds(s, found):
                lines.append(f"  FAIL {s.case.test_class}.{s.case.method}: search {s.query} should find "
                             f"{s.target}; found {sorted(found) or 'nothing'}")
    return "\n".join(lines)
