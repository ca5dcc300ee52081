"""A corpus's Arabic vocabulary: each word as written (diacritics and tatweel removed, letters kept
as typed: أ/ا, ة/ه, ى/ي, ؤ/ئ stay apart), how often it occurs and in which articles.

The articles are read by :func:`search.ingest.readers.read_paths` (the text the index sees, title and
body). A word is a run of the 28 letters and their hamza, ة and ى forms (U+0621-U+064A) once the
marks that :func:`search.analysis.arabic.normalize` removes (harakat, tanween, shadda, sukun, dagger
alef, tatweel, invisible marks) are taken out; other tokens (numbers, Latin) are left out.

Counting SaudiNewsNet (31,030 articles, 54 M characters) takes about 15 s on one core, so
:func:`load_vocabulary` keeps the counts in a cache file (default: the system's temporary folder),
keyed by the corpus file's path, size and modification time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from search.analysis.arabic import DIACRITICS, INVISIBLE

#: The characters taken out of a text before words are cut (see the module docstring).
_MARKS = str.maketrans({c: None for c in DIACRITICS + INVISIBLE})
_WORD = re.compile("[\u0621-\u064a]+")
#: Bump when what the cache holds changes.
_CACHE_VERSION = 1


@dataclass
class Vocabulary:
    """Word counts of a corpus.

    ``frequency``: word → occurrences (tokens); ``documents``: word → sorted article numbers
    (0-based, in reading order; int32) for the words of at least ``min_documents_kept``
    occurrences; ``articles``: the number of articles read."""

    frequency: dict[str, int]
    documents: dict[str, np.ndarray]
    articles: int

    def document_frequency(self, word: str) -> int:
        """The number of articles holding `word` (0 when its articles were not kept)."""
        found = self.documents.get(word)
        return 0 if found is None else len(found)


def words(text: str) -> list[str]:
    """The Arabic words of `text`, as written, marks removed (see the module docstring).

    >>> words("قالَ: الرئيـــسُ English 2020 مستوى")
    ['قال', 'الرئيس', 'مستوى']
    """
    return _WORD.findall(text.translate(_MARKS))


def count_corpus(path: str | os.PathLike[str], min_documents_kept: int = 5) -> Vocabulary:
    """Count the words of every article of `path` (any input ``arshif reindex`` reads).

    :param min_documents_kept: keep the article list of the words occurring at least this often.
    """
    from search.ingest.articles import Article
    from search.ingest.readers import read_paths

    frequency: Counter[str] = Counter()
    postings: dict[str, list[int]] = {}
    articles = 0
    for record in read_paths([path]):
        if not isinstance(record, Article):
            continue
        found = words(f"{record.title}\n{record.body}")
        frequency.update(found)
        for word in set(found):
            postings.setdefault(word, []).append(articles)
        articles += 1
    documents = {w: np.array(docs, dtype=np.int32) for w, docs in postings.items()
                 if frequency[w] >= min_documents_kept}
    return Vocabulary(dict(frequency), documents, articles)


def _cache_file(path: Path, cache_dir: Path, min_documents_kept: int) -> Path:
    stat = path.stat()
    key = f"{_CACHE_VERSION}|{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{min_documents_kept}"
    return cache_dir / f"arshif-vocabulary-{hashlib.sha256(key.encode()).hexdigest()[:16]}.pickle"


def load_vocabulary(path: str | os.PathLike[str], cache_dir: str | os.PathLike[str] | None = None,
                    min_documents_kept: int = 5) -> Vocabulary:
    """:func:`count_corpus` of `path`, from the cache when the corpus file has not changed.

    :param cache_dir: where the cache file goes (default: :func:`tempfile.gettempdir`).
    :raise OSError: `path` cannot be read."""
    corpus = Path(path)
    cache = _cache_file(corpus, Path(cache_dir or tempfile.gettempdir()), min_documents_kept)
    try:
        with open(cache, "rb") as f:
            found = pickle.load(f)
        if isinstance(found, Vocabulary):
            return found
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    vocabulary = count_corpus(corpus, min_documents_kept)
    partial = cache.with_suffix(f".{os.getpid()}.tmp")
    try:
        with open(partial, "wb") as f:
            pickle.dump(vocabulary, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, cache)
    except OSError:
        partial.unlink(missing_ok=True)  # no cache: counted again next time
    return vocabulary
