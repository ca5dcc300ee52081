"""Sources as readers know them: an archive's source ids (``okaz``, ``aawsat``) and their names
(عكاظ, الشرق الأوسط).

The names of SaudiNewsNet's 14 sources ship with Arshif (``source_names.json`` beside this
module, each checked against the corpus's own bylines and sites). An archive's owner adds names or
overrides them with a file of the same shape, a JSON object ``{"id": "name", ...}``, named
:data:`OWNER_FILE` in the index directory (beside ``current``; a reindex keeps it), or given by
path. Keys starting with ``_`` are comments.

A source with no name shows as its id. Names are looked up both ways: a reader may filter by
``source=عكاظ`` as well as by ``source=okaz``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

log = logging.getLogger(__name__)

#: The owner's names file, in the index directory.
OWNER_FILE = "source_names.json"
SHIPPED = "source_names.json"


class SourceNamesError(ValueError):
    """A names file that cannot be read (its path and what is wrong)."""


def read_names(text: str, origin: str) -> dict[str, str]:
    """``{id: name}`` from a names file's text; keys starting with ``_`` are skipped.

    :raise SourceNamesError: not a JSON object of strings to non-empty strings.
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SourceNamesError(f"{origin}: not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise SourceNamesError(f"{origin}: expected a JSON object {{\"id\": \"name\"}}")
    names = {}
    for key, value in data.items():
        if key.startswith("_"):
            continue
        if not isinstance(value, str) or not value.strip():
            raise SourceNamesError(f"{origin}: the name of {key!r} must be a non-empty string")
        names[key.strip()] = " ".join(value.split())
    return names


class SourceNames:
    """Source id <-> name. Immutable once built; safe to share between threads."""

    def __init__(self, names: Mapping[str, str]):
        self._names = dict(names)
        self._ids = {name: key for key, name in self._names.items()}

    @classmethod
    def load(cls, index_root: str | Path | None = None, extra: str | Path | None = None) -> SourceNames:
        """The shipped names, then the owner's file in `index_root` (if any), then `extra`.

        A broken owner file is logged and skipped (the shipped names stay), so that a typo in it
        does not take the archive down.
        """
        shipped = resources.files("search.ingest").joinpath(SHIPPED).read_text(encoding="utf-8")
        names = read_names(shipped, SHIPPED)
        for path in ([Path(index_root) / OWNER_FILE] if index_root else []) + ([Path(extra)] if extra else []):
            if not path.is_file():
                continue
            try:
                names.update(read_names(path.read_text(encoding="utf-8"), str(path)))
            except (OSError, UnicodeDecodeError, SourceNamesError) as exc:
                log.warning("source names file skipped: %s", exc)
        return cls(names)

    def name(self, source_id: str | None) -> str:
        """The name readers know for `source_id`; the id itself when it has none ("" for none)."""
        if not source_id:
            return ""
        return self._names.get(source_id, source_id)

    def resolve(self, value: str, known: set[str] | list[str]) -> str | None:
        """The source id meant by `value` (an id or a name), among the `known` ids; None if none.
        An id typed in other letter case (``Okaz``) is the id when only one id matches it so."""
        value = " ".join((value or "").split())
        if value in known:
            return value
        found = self._ids.get(value)
        if found in known:
            return found
        folded = [k for k in known if k.casefold() == value.casefold()]
        return folded[0] if len(folded) == 1 else None

    def as_dict(self) -> dict[str, str]:
        return dict(self._names)
