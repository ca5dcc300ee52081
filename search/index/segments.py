"""Whoosh's segment writer, with the reads it repeats for every posting done once.

When a segment is finished, Whoosh's posting writer asks for the field length of the document of
every posting (for the length statistics of each block), and the segment's per-document reader
answers each time by seeking and reading one byte of the lengths file, or, for a field without
lengths (``author`` of a batch without authors), by asking the file system whether the file
exists: 1.1 million system calls for 6,000 articles, 13% of a reindex. :class:`SegmentWriter`
gives the posting writer the lengths read whole, once per field, and holds its postings in a
pool that counts them (:class:`_Postings`); the segment written is the same.
"""

from __future__ import annotations

from typing import Literal

from whoosh import writing
from whoosh.util.numeric import byte_to_length

from search.index import whoosh_api


class SegmentWriter(writing.SegmentWriter):
    """:class:`whoosh.writing.SegmentWriter` whose posting writer reads field lengths from memory
    and whose postings pool counts its items (:class:`_Postings`)."""

    def __init__(self, ix, limitmb: int = 128, **kwargs):
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = _Postings(whoosh_api.temp_storage(self), whoosh_api.new_segment(self), limitmb=limitmb)

    def is_full(self) -> bool:
        """Whether the postings nearly fill the pool: time to finish this segment and start
        another (see :mod:`search.index.parallel`) before the pool writes a run to disk."""
        return self.pool.is_full()

    def per_document_reader(self):
        return _Lengths(super().per_document_reader())


class _Postings(writing.PostingPool):
    """Whoosh's pool of postings to sort, holding at most `limitmb` of them in memory.

    Whoosh estimates each posting's size as it is added (a Python computation per posting, and
    an estimate of 170 bytes where a posting of this schema takes 144: its terms' bytes
    are shared, see :class:`search.analysis.analyzer.ArabicText`), so it wrote a sorted run to disk
    (pickled item by item, merged back in Python) twice as often as memory required.
    Here the items are counted."""

    ITEM_BYTES = 144  # measured (tracemalloc): a 5-tuple, its list slot, its weight, and what the
    # writer keeps per document; the term bytes and the encoded frequency are shared

    def __init__(self, tempstore, segment, limitmb: int = 128, **kwargs):
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self._most = max(1, limitmb * 1024 * 1024 // self.ITEM_BYTES)

    def is_full(self) -> bool:
        return bool(self.runs) or len(self.current) >= self._most * 0.9

    def add(self, item) -> None:
        if len(self.current) >= self._most:
            self.save()
        self.current.append(item)


class _Lengths:
    """A segment's per-document reader, with :meth:`doc_field_length` answered from each field's
    lengths, read whole at the first question about that field."""

    def __init__(self, reader):
        self._reader = reader
        self._lengths: dict[str, list | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        lengths: list | None | Literal[False] = self._lengths.get(fieldname, False)
        if lengths is False:
            lengths = self._lengths[fieldname] = self._load(fieldname)
        if lengths is None:
            return default
        return lengths[docnum]

    def _load(self, fieldname: str) -> list | None:
        """As Whoosh's reader answers: None where the stored length byte is 0."""
        column = whoosh_api.lengths_column(self._reader, fieldname)
        if column is None:
            return None
        return [byte_to_length(b) if b else None for b in column]

    def __getattr__(self, name):
        return getattr(self._reader, name)
