"""The cluster and the index: the client (:func:`connect`), a new index's settings and mapping
(:func:`index_settings`), the OpenSearch document of an article (:func:`os_document`) and back
(:func:`_stored`); see :mod:`search.backends.opensearch` for what each field holds."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from typing import Any

from whoosh.util.numeric import byte_to_length, length_to_byte

from search.analysis.analyzer import token_forms
from search.index import store, term_ids
from search.index.schema import FACET_FIELDS, TERM_IDS_SUFFIX, TEXT_FIELDS

#: Primary shards of a new index, and copies of each (a second machine keeps every shard).
DEFAULT_SHARDS = 2
DEFAULT_REPLICAS = 1
#: The alias searched when none is named (``ARSHIF_OPENSEARCH_ALIAS``).
DEFAULT_ALIAS = "arshif"
#: Facet values counted per facet (more than any archive has years, months or sources).
FACET_SIZE = 10_000
_LENGTH = "_length"
#: The field of title and body stems together.
COMBINED = "text"
#: The mapping's ``_meta`` key of the index format (:data:`search.index.store.FORMAT_VERSION`).
FORMAT_KEY = "arshif_format"


def connect(url: str, timeout: float = 30.0):
    """An ``opensearchpy.OpenSearch`` client for `url` (one address, or several comma-separated: the
    client spreads requests over them and tries the next when one does not answer). No HTTP
    compression: a first phase's answer is about 0.5 MB (the window's term ids), which compressing
    costs more than sending over a data-centre network (40 ms a query on a loaded 2-core machine)."""
    from opensearchpy import OpenSearch

    hosts = [u.strip() for u in url.split(",") if u.strip()]
    return OpenSearch(hosts, timeout=timeout, max_retries=len(hosts) + 2, retry_on_timeout=True,
                      retry_on_status=(429, 502, 503, 504))


def index_settings(shards: int = DEFAULT_SHARDS, replicas: int = DEFAULT_REPLICAS) -> dict:
    """The settings and mappings of a new Arshif index (see the module docstring)."""
    text = {"type": "text", "analyzer": "whitespace", "similarity": "arshif_bm25", "norms": True}
    keyword = {"type": "keyword"}
    properties: dict[str, Any] = {
        "id": keyword, "date": {"type": "date"}, "origin": keyword,
        "author": {"type": "text", "analyzer": "whitespace", "index_options": "docs", "norms": False},
        "stored": {"type": "object", "enabled": False},
    }
    for name in FACET_FIELDS:
        properties[name] = keyword
    properties[COMBINED] = {**text, "index_options": "freqs"}
    for name in TEXT_FIELDS:
        properties[name] = text
        properties[name + _LENGTH] = {"type": "integer"}
        properties[name + TERM_IDS_SUFFIX] = {"type": "binary"}
    return {
        "settings": {"index": {
            "number_of_shards": shards, "number_of_replicas": replicas,
            "similarity": {"arshif_bm25": {"type": "BM25", "k1": 1.2, "b": 0.75}},
        }},
        "mappings": {"dynamic": "strict", "_meta": {FORMAT_KEY: store.FORMAT_VERSION}, "properties": properties},
    }


def stored_length(tokens: int) -> int:
    """A text's length as the embedded index stores it (one byte: Whoosh's ``length_to_byte``)."""
    return int(byte_to_length(length_to_byte(tokens))) if tokens else 0


def os_document(doc: dict[str, Any]) -> dict[str, Any]:
    """The OpenSearch document of an article given as :func:`search.index.build.to_document` makes it."""
    out: dict[str, Any] = {"id": doc["id"]}
    for name in TEXT_FIELDS:
        text = doc.get(name) or ""
        forms = token_forms(text) if text else []
        out[name] = " ".join(stem for _, stem in forms)
        out[name + _LENGTH] = stored_length(len(forms))
        if forms:
            out[name + TERM_IDS_SUFFIX] = base64.b64encode(term_ids.encode(text)).decode("ascii")
    out[COMBINED] = " ".join(out[name] for name in TEXT_FIELDS if out[name])
    author = doc.get("author") or ""
    if author:
        out["author"] = " ".join(norm for norm, _ in token_forms(author))
    date = doc.get("date")
    if date is not None:
        out["date"] = date.isoformat()
        out["year"], out["month"] = doc["year"], doc["month"]
    for name in ("source", "origin"):
        if doc.get(name):
            out[name] = doc[name]
    out["stored"] = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in doc.items()}
    return out


def _stored(source: dict[str, Any]) -> dict[str, Any]:
    """The stored fields of a hit, as the embedded backend gives them (``date`` a datetime)."""
    stored = dict(source.get("stored") or {})
    if isinstance(stored.get("date"), str):
        try:
            stored["date"] = datetime.fromisoformat(stored["date"])
        except ValueError:
            stored.pop("date")
    return stored


def _meta_name(index: str) -> str:
    return index + "-meta"


def _call(function: Callable[[], Any]) -> Any:
    """Run a cluster call; a cluster that fails it becomes an OSError (the reindex's failure)."""
    from opensearchpy.exceptions import OpenSearchException

    try:
        return function()
    except OpenSearchException as exc:
        raise OSError(f"OpenSearch: {exc}") from exc
