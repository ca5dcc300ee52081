"""Configuration in one place: defaults, overridable by environment and by flags."""

from __future__ import annotations

import os
from pathlib import Path

#: Where `arshif reindex` writes and `arshif search`/`serve` read, unless --index says otherwise.
DEFAULT_INDEX_DIR = "index"
#: What `arshif reindex` indexes when given no path.
DEFAULT_SOURCE_DIR = "seeds"
#: Results per page, and the most a caller may ask for.
PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
#: How deep pagination may go (page * limit), to bound the work of one request.
MAX_RESULT_DEPTH = 10_000
#: The most articles one export (CSV, JSON Lines) holds.
MAX_EXPORT = 10_000


#: The index backends: the embedded default, and a cluster (``--backend``, ``$ARSHIF_BACKEND``).
BACKENDS = ("whoosh", "opensearch")
#: The alias an OpenSearch backend searches, unless --index names another.
DEFAULT_OPENSEARCH_ALIAS = "arshif"


def backend_kind(override: str | None = None) -> str:
    """The backend: the flag if given, else $ARSHIF_BACKEND, else ``whoosh``."""
    return (override or os.environ.get("ARSHIF_BACKEND") or "whoosh").strip().lower()


def backend_url(override: str | None = None) -> str | None:
    """The cluster's address(es), comma-separated: the flag if given, else $ARSHIF_URL."""
    return override or os.environ.get("ARSHIF_URL") or None


def opensearch_alias(override: str | None = None) -> str:
    """The OpenSearch alias: --index if given, else $ARSHIF_OPENSEARCH_ALIAS, else ``arshif``."""
    return override or os.environ.get("ARSHIF_OPENSEARCH_ALIAS") or DEFAULT_OPENSEARCH_ALIAS


def index_dir(override: str | os.PathLike | None = None) -> Path:
    """The index directory: the flag if given, else $ARSHIF_INDEX, else ./index."""
    return Path(override or os.environ.get("ARSHIF_INDEX") or DEFAULT_INDEX_DIR)
