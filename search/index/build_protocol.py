"""What a reindex writes into: the :class:`IndexBuild` protocol (the write side of the backend seam,
re-exported by :mod:`search.backends.base`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol


class IndexBuild(Protocol):
    """One reindex in progress: a new index built aside and published whole, or discarded
    (:func:`search.index.build.reindex` drives it; the embedded one is
    :class:`search.index.whoosh_build.WhooshBuild`)."""

    def previous(self) -> dict | None:
        """The live index's manifest (``{"files": ..., "with_duplicates": ...}``), when an
        incremental build can start from it; None: build from scratch."""
        ...

    def start(self, from_live: bool) -> Any:
        """Begin on an empty index, or on the live one's documents; the
        :class:`~search.analysis.broad_stems.BroadStemCollector` to fill."""
        ...

    def delete_origin(self, origin: str) -> int:
        """Delete the articles read from file `origin`; how many."""
        ...

    def existing(self) -> Iterator[dict[str, Any]]:
        """The stored fields of the articles the build started with."""
        ...

    def add_document(self, doc: dict[str, Any]) -> None: ...

    def commit(self, manifest: dict, broad_stems: Any, expected: int | None) -> None:
        """Write everything, check that `expected` articles are in it (when given), publish it.

        :raise OSError: the build failed; the live index is unchanged."""
        ...

    def cancel(self) -> None: ...
