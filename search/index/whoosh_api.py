"""Every private part of Whoosh that Arshif uses, named in one place.

Arshif reads postings a block at a time, reads columns out of memory-mapped segment files, and
writes segments in worker processes: Whoosh has no public API for these. Its private API can
change in any release, so the version Arshif was tested with is pinned in ``pyproject.toml``
(``whoosh-reloaded==2.7.5``), the uses below go through these functions, and
``tests/test_whoosh_api.py`` checks that every name in :data:`REQUIRED` exists.
"""

from __future__ import annotations

from whoosh import columns, writing
from whoosh.codec import whoosh3
from whoosh.matching import Matcher

#: Whoosh version the private API below was read from and tested with.
TESTED_VERSION = "2.7.5"

#: (owner, attribute) of every private name used (checked by the tests against the installed Whoosh).
REQUIRED: tuple[tuple[object, str], ...] = (
    (whoosh3, "_lenfield"), (whoosh3, "LENGTHS_COLUMN"),
    (whoosh3.W3LeafMatcher, "_read_ids"), (whoosh3.W3LeafMatcher, "_read_weights"),
    (whoosh3.W3LeafMatcher, "_next_block"), (whoosh3.W3PerDocReader, "_cached_reader"),
    (writing.SegmentWriter, "_finalize_segment"), (writing.SegmentWriter, "_close_segment"),
    (writing.SegmentWriter, "_commit_toc"), (writing.SegmentWriter, "_finish"),
    (writing.PostingPool, "save"), (columns.VarBytesColumn.Reader, "__getitem__"),
)
#: Instance attributes (set in ``__init__``, so checked on instances by the tests).
INSTANCE_ATTRIBUTES = {
    "W3LeafMatcher": ("_ids", "_weights"),
    "SegmentWriter": ("_tempstorage", "newsegment", "pool"),
    "PostingPool": ("runs", "current"),
    "VarBytesColumn.Reader": ("_dbfile", "_basepos", "_offsets", "_lengths"),
}


# --- postings, a block at a time ------------------------------------------------------------

def leaf_matcher(matcher: Matcher) -> Matcher:
    """The codec's block matcher under Whoosh's wrappers (such as its deleted-documents filter)."""
    while not hasattr(matcher, "_read_ids") and hasattr(matcher, "child"):
        matcher = matcher.child
    return matcher


def read_block(matcher) -> tuple[list[int], list[float]]:
    """The document numbers and weights of the matcher's current block; then the next block."""
    matcher._read_ids()
    matcher._read_weights()
    block = (matcher._ids, matcher._weights)
    matcher._next_block()
    return block


# --- columns in segment files ---------------------------------------------------------------

def column_file(creader):
    """The file object a column reader reads from (None when it has none)."""
    return getattr(getattr(creader, "_dbfile", None), "file", None)


def column_base(creader) -> int:
    """Where a variable-bytes column's values start in its file."""
    return creader._basepos


def column_offsets(creader):
    """(offsets, lengths) of each document's value in a variable-bytes column."""
    return creader._offsets, creader._lengths


def lengths_column(perdoc, fieldname: str):
    """The column of a field's length bytes in a segment's per-document reader (None: absent)."""
    return perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)


# --- writing segments -----------------------------------------------------------------------

def temp_storage(writer):
    return writer._tempstorage


def new_segment(writer):
    return writer.newsegment


def finalize_segment(writer):
    """Write the writer's documents as a finished segment (without a table of contents); the
    segment object, to be committed by another writer."""
    return writer._finalize_segment()


def commit_segments(writer, segments) -> None:
    """Commit `segments` (finished by other writers) as the index's table of contents, through
    `writer`, which holds the index lock; its own empty segment is dropped."""
    writer._close_segment()
    writer._commit_toc(segments)
    writer._finish()
