"""Per-document term ids: each text field's analysis, stored at index time beside the text, so
the second phase and the phrase check read a candidate's tokens without analyzing it again.

For each indexed token of a text, in order (stopwords left out, as in the index), the
:func:`~search.analysis.analyzer.term_id` of its stem and of its normalized form:
:func:`encode` gives the bytes stored in the ``<field>_term_ids`` column
(:data:`search.index.schema.TERM_IDS_SUFFIX`), :class:`TermIds` decodes one text's, and
:class:`TermIdColumn` reads them straight from the memory-mapped segment files.

Whoosh's column readers take about 30 µs a read (a chain of four reader objects, a seek and a read
per value); :class:`TermIdColumn` keeps each segment's offsets and lengths as arrays and slices the
value out of the segment file's memory map (:class:`search.index.store.MappedStorage`): about 2 µs.
"""

from __future__ import annotations

import bisect
import struct
from collections.abc import Callable

import numpy as np
from whoosh.columns import VarBytesColumn

from search.analysis.analyzer import term_id, token_forms
from search.index import whoosh_api
from search.index.store import MapReader


class TermIds:
    """One field of one article as term ids: ``stems`` and ``norms``, two uint32 arrays."""

    __slots__ = ("stems", "norms", "length")

    def __init__(self, ids: np.ndarray):
        self.stems, self.norms = ids
        self.length = len(self.stems)

    @classmethod
    def of(cls, text: str) -> "TermIds":
        """The term ids of `text`, analyzed now."""
        return cls.decode(encode(text))

    @classmethod
    def decode(cls, stored: bytes) -> "TermIds":
        """From :func:`encode`'s bytes."""
        return cls(np.frombuffer(stored, dtype="<u4").reshape(2, -1))


def encode(text: str) -> bytes:
    """The term ids of `text` to store beside it: its tokens' stem ids, then their normalized
    form ids, as little-endian uint32."""
    forms = token_forms(text)
    stems = list(map(_STEM_BYTES.get, forms))
    norms = list(map(_FORM_BYTES.get, forms))
    if None in stems or None in norms:
        for i, pair in enumerate(forms):
            if stems[i] is None or norms[i] is None:
                stems[i], norms[i] = _pair_bytes(pair)
    return b"".join(stems) + b"".join(norms)  # type: ignore[arg-type]


#: (normalized form, stem) -> the 4 bytes of the stem's id, of the form's id. Memoized.
_STEM_BYTES: dict[tuple[str, str], bytes] = {}
_FORM_BYTES: dict[tuple[str, str], bytes] = {}
_UINT32 = struct.Struct("<I")


def _pair_bytes(pair: tuple[str, str]) -> tuple[bytes, bytes]:
    ids = (_UINT32.pack(term_id(pair[1])), _UINT32.pack(term_id(pair[0])))
    if len(_STEM_BYTES) < 2_000_000:
        _STEM_BYTES[pair], _FORM_BYTES[pair] = ids
    return ids


class TermIdColumn:
    """One term-id column over all segments of an index reader. Safe to share between threads
    (reads are slices of read-only memory maps); valid while the reader's generation is."""

    def __init__(self, reader, column: str):
        self._starts: list[int] = []
        self._getters: list[Callable[[int], bytes]] = []
        for sub, offset in reader.leaf_readers():
            self._starts.append(offset)
            if sub.has_column(column):
                self._getters.append(_segment_getter(sub.column_reader(column, translate=False)))
            else:  # an index without documents (or none with this field): nothing stored
                self._getters.append(_nothing)

    def __getitem__(self, docnum: int) -> bytes:
        """The stored bytes of document `docnum` (empty when it has none)."""
        k = bisect.bisect_right(self._starts, docnum) - 1
        return self._getters[k](docnum - self._starts[k])


def _nothing(docnum: int) -> bytes:
    return b""


def _segment_getter(creader) -> Callable[[int], bytes]:
    """A function from a segment's document number to its column value."""
    source = whoosh_api.column_file(creader)
    if not isinstance(creader, VarBytesColumn.Reader) or not isinstance(source, MapReader):
        return creader.__getitem__  # a segment not memory-mapped: Whoosh's own reader
    data, base = source.data, whoosh_api.column_base(creader)
    offsets, lengths = (np.asarray(a, dtype=np.int64).tolist() for a in whoosh_api.column_offsets(creader))

    def get(docnum: int) -> bytes:
        length = lengths[docnum]
        if not length:
            return b""
        start = base + offsets[docnum]
        return data[start:start + length]

    return get
