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


def index_dir(override: str | os.PathLike | None = None) -> Path:
    """The index directory: the flag if given, else $ARSHIF_INDEX, else ./index."""
    return Path(override or os.environ.get("ARSHIF_INDEX") or DEFAULT_INDEX_DIR)
