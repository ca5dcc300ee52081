"""Every private Whoosh name Arshif uses exists in the installed Whoosh (search/index/whoosh_api.py):
an upgrade that renames one fails here, not in the middle of a reindex or a search."""

from __future__ import annotations

import importlib.metadata

from whoosh import writing

from search.index import store, whoosh_api
from search.index.postings import PostingIndex
from search.index.schema import TERM_IDS_SUFFIX, TEXT_FIELDS, build_schema
from search.index.segments import SegmentWriter


def test_the_installed_whoosh_is_the_version_read():
    assert importlib.metadata.version("whoosh-reloaded") == whoosh_api.TESTED_VERSION


def test_every_private_name_exists():
    missing = [f"{getattr(owner, '__name__', owner)}.{name}" for owner, name in whoosh_api.REQUIRED
               if not hasattr(owner, name)]
    assert not missing


def test_instance_attributes_exist_on_real_objects(seed_index, tmp_path):
    ix = store.open_current(seed_index)
    reader = ix.reader()
    sub = next(iter(reader.leaf_readers()))[0]
    term = next(iter(sub.lexicon("body"))).decode("utf-8")
    matcher = whoosh_api.leaf_matcher(sub.postings("body", term))
    ids, weights = whoosh_api.read_block(matcher)
    assert ids and len(ids) == len(weights)
    column = sub.column_reader("body" + TERM_IDS_SUFFIX, translate=False)
    for name in whoosh_api.INSTANCE_ATTRIBUTES["VarBytesColumn.Reader"]:
        assert hasattr(column, name), name
    assert whoosh_api.lengths_column(sub._perdoc, "body") is not None  # (the segment's per-document reader)
    writer = SegmentWriter(store.BuildStorage(str(tmp_path)).create_index(build_schema()))
    try:
        for name in whoosh_api.INSTANCE_ATTRIBUTES["SegmentWriter"]:
            assert hasattr(writer, name), name
        assert isinstance(writer.pool, writing.PostingPool)
        for name in whoosh_api.INSTANCE_ATTRIBUTES["PostingPool"]:
            assert hasattr(writer.pool, name), name
    finally:
        writer.cancel()
    assert PostingIndex(reader, TEXT_FIELDS).postings(reader, "body", term)[0].tolist()[:len(ids)] == list(ids)
