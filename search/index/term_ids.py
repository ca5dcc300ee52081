"""The analyzed-form columns (:data:`search.index.schema.FORMS_SUFFIX`), read straight from the mapped
segment files.

The second ranking phase and the phrase check read one analyzed form per candidate and text field:
a hundred reads a query. Whoosh's column readers take about 30 µs a read (a chain of four reader
objects, a seek and a read per value, and zlib, which gains little on arrays of CRC-32 ids: 53 MB
of forms compress to 40 MB on SaudiNewsNet). :class:`FormsColumn` keeps each segment's offsets and
lengths as arrays and slices the value out of the segment file's memory map
(:class:`search.index.store.MappedStorage`): about 2 µs a read. Indexes whose columns are compressed
(built before the columns were stored plain) are decompressed on the way; a segment read some
other way (not memory-mapped) goes through Whoosh's own reader.
"""

from __future__ import annotations

import bisect
import zlib
from collections.abc import Callable

import numpy as np
from whoosh.columns import CompressedBytesColumn, VarBytesColumn

from search.index.store import MapReader


class FormsColumn:
    """One analyzed-form column over all segments of an index reader. Safe to share between
    threads (reads are slices of read-only memory maps); valid while the reader's generation is."""

    def __init__(self, reader, column: str):
        self._starts: list[int] = []
        self._getters: list[Callable[[int], bytes]] = []
        for sub, offset in reader.leaf_readers():
            self._starts.append(offset)
            self._getters.append(_segment_getter(sub.column_reader(column, translate=False)))

    def __getitem__(self, docnum: int) -> bytes:
        """The stored bytes of document `docnum` (empty when it has none)."""
        k = bisect.bisect_right(self._starts, docnum) - 1
        return self._getters[k](docnum - self._starts[k])


def _segment_getter(creader) -> Callable[[int], bytes]:
    """A function from a segment's document number to its column value."""
    source = getattr(getattr(creader, "_dbfile", None), "file", None)
    if not isinstance(creader, VarBytesColumn.Reader) or not isinstance(source, MapReader):
        return creader.__getitem__
    data, base = source.data, creader._basepos
    offsets = np.asarray(creader._offsets, dtype=np.int64).tolist()
    lengths = np.asarray(creader._lengths, dtype=np.int64).tolist()
    decompress = zlib.decompress if isinstance(creader, CompressedBytesColumn.Reader) else None

    def get(docnum: int) -> bytes:
        length = lengths[docnum]
        if not length:
            return b""
        start = base + offsets[docnum]
        value = data[start:start + length]
        return decompress(value) if decompress else value

    return get
