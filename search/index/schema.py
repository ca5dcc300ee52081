"""The one index schema: field names, types, analyzers, and what is stored.

- ``title`` and ``body`` are analyzed with the stemming Arabic analyzer and stored (the original
  text, for display and for snippets marked on the original words);
- the normalized surface forms are not indexed a second time: the ``title_term_ids`` and
  ``body_term_ids`` columns hold each text's analyzed tokens (ids of the stem and of the
  normalized form, :mod:`search.index.term_ids`) for the second ranking phase, so an exact form still
  scores above a match on its stem alone, at half the postings (and reindex time), and a
  candidate is rescored without analyzing it again (a column, apart from the stored fields:
  rescoring does not load the text; uncompressed: zlib saves a quarter on arrays of ids and
  costs 15 µs a read);
- no positions are indexed: phrases are checked in the term-id columns
  (:mod:`search.query.filters`), which saves a quarter of the reindex time and of the index;
- ``date`` is sortable for newest/oldest; ``year``, ``month`` and ``source`` are sortable keywords
  for facet counts;
- ``origin`` and ``fingerprint`` record which file an article came from and what it looked like,
  for duplicate detection and incremental reindex.

Changing anything here (or renaming a class in :mod:`search.analysis.analyzer`) changes the index
format: raise :data:`search.index.store.FORMAT_VERSION`, so that older indexes are refused with
the hint to run ``arshif reindex``.
"""

from __future__ import annotations

from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, STORED, Schema

from search.analysis.analyzer import ArabicText, build_analyzer

#: Text fields a query searches.
TEXT_FIELDS = ("title", "body")
#: Keyword fields counted as facets of a result set.
FACET_FIELDS = ("year", "month", "source")
#: The column holding a text field's term ids (:mod:`search.index.term_ids`).
TERM_IDS_SUFFIX = "_term_ids"


def build_schema() -> Schema:
    """The Arshif schema (see the module docstring)."""
    stemmed = build_analyzer(stem=True)
    exact = build_analyzer(stem=False)
    return Schema(
        id=ID(unique=True, stored=True),
        title=ArabicText(analyzer=stemmed, stored=True, phrase=False),
        body=ArabicText(analyzer=stemmed, stored=True, phrase=False),
        date=DATETIME(stored=True, sortable=True),
        year=ID(stored=False, sortable=True),
        month=ID(stored=False, sortable=True),
        author=ArabicText(analyzer=exact, stored=True, phrase=False),
        source=ID(stored=True, sortable=True),
        url=ID(stored=True),
        origin=ID(stored=True),
        fingerprint=STORED(),
        title_term_ids=COLUMN(VarBytesColumn()),
        body_term_ids=COLUMN(VarBytesColumn()),
    )
