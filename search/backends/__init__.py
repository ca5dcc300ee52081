"""Index backends behind the seam of :mod:`search.backends.base`: Whoosh (embedded, the default)
and OpenSearch (a cluster). :func:`open_backend` picks one from the settings of
:mod:`search.config` (flags, then ``ARSHIF_BACKEND`` / ``ARSHIF_URL``)."""

from __future__ import annotations

from pathlib import Path

from search import config
from search.backends.base import Backend


class BackendChoiceError(ValueError):
    """An unknown backend, or the OpenSearch backend without an address (the message says which)."""


def describe(kind: str | None, url: str | None, index: str | None) -> str:
    """Where the index is, for messages: the Whoosh directory, or the alias and the cluster."""
    kind = config.backend_kind(kind)
    if kind == "opensearch":
        return f"OpenSearch alias {config.opensearch_alias(index)!r} at {config.backend_url(url)}"
    return str(config.index_dir(index))


def check(kind: str | None, url: str | None) -> str:
    """The backend's name, checked.

    :raise BackendChoiceError: unknown, or opensearch without --url / $ARSHIF_URL, or its client
        is not installed."""
    kind = config.backend_kind(kind)
    if kind not in config.BACKENDS:
        raise BackendChoiceError(f"unknown backend {kind!r}; choose from {', '.join(config.BACKENDS)}")
    if kind == "opensearch":
        if not config.backend_url(url):
            raise BackendChoiceError("the OpenSearch backend needs the cluster's address: --url URL or $ARSHIF_URL")
        try:
            import opensearchpy  # noqa: F401
        except ImportError:
            raise BackendChoiceError("the OpenSearch backend needs its client: pip install 'arshif[opensearch]'") from None
    return kind


def open_backend(kind: str | None = None, url: str | None = None, index: str | Path | None = None) -> Backend:
    """The backend to search: Whoosh at the index directory `index`, or the OpenSearch alias
    `index` (default ``arshif``) on the cluster at `url`.

    :raise BackendChoiceError: see :func:`check`."""
    if check(kind, url) == "opensearch":
        from search.backends.opensearch import OpenSearchBackend

        return OpenSearchBackend(str(config.backend_url(url)), config.opensearch_alias(str(index) if index else None))
    from search.backends.whoosh import WhooshBackend

    return WhooshBackend(config.index_dir(index))
