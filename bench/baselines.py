"""Baseline systems for the relevance evaluation: NOT the product search path.

These are small, deliberately plain Whoosh setups that :mod:`bench.evaluate` puts beside Arshif,
so each row of the relevance table shows what one layer of Arabic processing is worth:

- ``plain``: no Arabic processing: Whoosh's stock ``StandardAnalyzer`` (regex tokenizer, lowercase,
  English stopwords), BM25F, an OR of the query's words over the fields (what a MultifieldParser
  with ``OrGroup`` gives);
- ``normalize``: Arshif's tokenizer, normalization and stopwords (:func:`search.analysis.analyzer.build_analyzer`
  with ``stem=False``), no stemming, same plain OR query;
- ``tashaphyne``: stock Whoosh plus default Tashaphyne: ``StandardAnalyzer`` followed by
  ``ArabicLightStemmer().light_stem`` on each token (the eval README's reference row).

Nothing here is used by ``arshif search``, the web page or the batch mode: they all go through
:class:`search.searcher.Searcher`. Changing this module does not touch the product index.
"""

from __future__ import annotations

import functools
import os
import time
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import Filter, StandardAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.scoring import BM25F

from search.analysis.analyzer import build_analyzer

#: Bump when :func:`build_index` or :func:`schema` change what an index holds (the evaluation's
#: index cache is keyed by it and by each analyzer's output).
INDEX_VERSION = 1

#: Baseline name -> one-line description (the row label of the table).
BASELINES = {
    "plain": "no Arabic processing (Whoosh StandardAnalyzer + BM25F, OR of words)",
    "normalize": "normalization only (Arshif tokenizer + normalize + stopwords, no stem)",
    "tashaphyne": "stock Whoosh + default Tashaphyne light_stem",
}


@functools.lru_cache(maxsize=500_000)
def _tashaphyne_stem(word: str) -> str:
    return _tashaphyne().light_stem(word) or word


@functools.lru_cache(maxsize=1)
def _tashaphyne():
    from tashaphyne.stemming import ArabicLightStemmer

    return ArabicLightStemmer()


class TashaphyneStemFilter(Filter):
    """Default Tashaphyne ``ArabicLightStemmer().light_stem`` on each token (memoized)."""

    is_morph = True

    def __call__(self, tokens):
        for t in tokens:
            if not t.stopped:
                t.text = _tashaphyne_stem(t.text)
            yield t


def analyzer(kind: str):
    """The Whoosh analyzer of baseline `kind`."""
    if kind == "plain":
        return StandardAnalyzer()
    if kind == "normalize":
        return build_analyzer(stem=False)
    if kind == "tashaphyne":
        return StandardAnalyzer() | TashaphyneStemFilter()
    raise ValueError(f"unknown baseline {kind!r}; choose from {', '.join(BASELINES)}")


def schema(kind: str, fields: tuple[str, ...]) -> Schema:
    """An id plus one text field per name in `fields`, all analyzed by baseline `kind`."""
    an = analyzer(kind)
    return Schema(id=ID(unique=True, stored=True), **{name: TEXT(analyzer=an) for name in fields})


def build_index(kind: str, records, fields: tuple[str, ...], directory: str | os.PathLike,
                procs: int = 1, limitmb: int = 256) -> tuple[int, float]:
    """Index `records` (dicts with ``id`` and the `fields`) into a new index in `directory`.

    Every record is indexed (no duplicate detection), as Lucene's reference run does.
    :return: (documents indexed, seconds).
    """
    started = time.perf_counter()
    Path(directory).mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(directory), schema(kind, fields))
    writer = ix.writer(procs=procs, limitmb=limitmb, multisegment=True) if procs > 1 else ix.writer(limitmb=limitmb)
    count = 0
    try:
        for rec in records:
            doc = {"id": str(rec["id"])}
            doc.update({name: rec[name] for name in fields if rec.get(name)})
            writer.add_document(**doc)
            count += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return count, time.perf_counter() - started


class BaselineSearcher:
    """A plain OR-of-words BM25F searcher over a baseline index (not the product path).

    :param parser: ``"tokens"`` (default): the query text goes through the field analyzer and each
        token is OR-ed over the fields, then the tokens OR-ed. ``"whoosh"``: Whoosh's own
        ``MultifieldParser`` with ``OrGroup``, as the eval README's "stock Whoosh" rows were
        measured. Its syntax has quirks on Arabic text: it takes the Arabic question mark ؟ for a
        wildcard character, so the word it ends is not analyzed and keeps the ؟ (``وتوفي؟``): the
        last word of a typed question never matches. And a word the analyzer splits in two (a
        vocalized word, for StandardAnalyzer) is dropped.
    """

    def __init__(self, directory: str | os.PathLike, kind: str, fields: tuple[str, ...], parser: str = "tokens"):
        self.kind, self.fields, self.parser = kind, fields, parser
        self._ix = whoosh_index.open_dir(str(directory))
        self._searcher = self._ix.searcher(weighting=BM25F())  # Whoosh's defaults: B 0.75, K1 1.2
        self._analyzer = analyzer(kind)
        if parser == "whoosh":
            from whoosh.qparser import MultifieldParser, OrGroup

            self._qp = MultifieldParser(list(fields), self._ix.schema, group=OrGroup)
        elif parser != "tokens":
            raise ValueError(f"unknown parser {parser!r}: tokens or whoosh")

    def query(self, text: str) -> wq.Query | None:
        """The query for `text` (see the class docstring); None when nothing is left to search."""
        if self.parser == "whoosh":
            parsed = self._qp.parse(text or "")
            return None if parsed is wq.NullQuery else parsed
        words = [t.text for t in self._analyzer(text or "", mode="query")]
        if not words:
            return None
        clauses = [wq.Or([wq.Term(name, w) for name in self.fields]) if len(self.fields) > 1
                   else wq.Term(self.fields[0], w) for w in words]
        return wq.Or(clauses) if len(clauses) > 1 else clauses[0]

    def search(self, text: str, limit: int = 100) -> list[tuple[str, float]]:
        """The top `limit` documents as (id, score), best first."""
        query = self.query(text)
        if query is None:
            return []
        return [(hit["id"], float(hit.score or 0.0)) for hit in self._searcher.search(query, limit=limit)]

    def close(self) -> None:
        self._searcher.close()
