"""The records that flow from readers into the index: `Article` and `Problem`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime


@dataclass
class Article:
    """One news article, as every reader yields it and the indexer takes it.

    :param id: kept exactly as the source gives it; readers derive a stable one when absent
        (see :func:`stable_id`).
    :param origin: the file it came from (for reports and incremental reindex).
    """

    id: str
    title: str
    body: str
    date: datetime | None = None
    author: str = ""
    source: str = ""
    url: str = ""
    origin: str = ""


@dataclass
class Problem:
    """Something a reader could not use: which file, where in it, and why."""

    file: str
    place: str
    reason: str
    skipped: bool = True  # False: a warning; the article was still indexed

    def __str__(self) -> str:
        where = f"{self.file}:{self.place}" if self.place else self.file
        return f"{where}: {self.reason}"


def stable_id(*parts: str) -> str:
    """A short id derived from the given parts, the same on every run."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:16]
