"""Broad stems: which normalized forms of the archive share Tashaphyne's aggressive stem.

(Not Arabic roots: a broad stem is what is left after Tashaphyne strips every affix it knows,
often close to the root, sometimes not.)

The light stemmer keeps apart forms that a reader takes for one word (تأسست / تأسيس, نشرت / نشر).
Tashaphyne's default stemmer joins them, but it is slow (about 25 µs a word) and too aggressive to
index with, so it is only a weak second-phase signal (``broad_stem_weight`` of :class:`search.query.config.RankingConfig`): an
article with a form of the query word's broad stem scores a little, when the word itself is not
in it.

Stemming every token of every article in the writer processes would cost a third of a reindex.
Instead the reindex's parent process, which already normalizes each body for its duplicate
fingerprint, stems each *distinct* normalized form once and saves the map form → broad stem (as
:func:`search.analysis.analyzer.term_id` ids) beside the index, in ``broad_stems.npz``. At query time
:meth:`BroadStemMap.forms_of` gives the ids of the forms sharing the query word's broad stem, and the
second phase counts them in the candidates' stored forms.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from search.analysis.analyzer import STOPWORDS, term_id
from search.analysis.arabic import ARABIC_LETTER

FILE = "broad_stems.npz"
_local = threading.local()


def broad_stem(norm: str) -> str:
    """Tashaphyne's default light stem of a normalized word (aggressive: it strips verb prefixes
    and single-letter proclitics too); the word itself when nothing is left.

    ``ArabicLightStemmer.light_stem`` is ``transform2stars`` + ``segment`` + ``get_stem``; the stem
    depends only on the last two (the first computes the starred form, unused here), so skipping it
    gives the same stem in less than half the time (checked on 20,000 SaudiNewsNet words)."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        from tashaphyne.stemming import ArabicLightStemmer

        stemmer = _local.stemmer = ArabicLightStemmer()
    if not norm:
        return norm
    found = _BROAD.get(norm)
    if found is None:
        stemmer.segment(norm)
        found = stemmer.get_stem() or norm
        if len(_BROAD) < 500_000:
            _BROAD[norm] = found
    return found


_BROAD: dict[str, str] = {}


class BroadStemCollector:
    """Collects the broad stem of each distinct normalized form met during a reindex."""

    def __init__(self, previous: BroadStemMap | None = None):
        self.seen: set[str] = set()
        self.pairs: list[tuple[int, int]] = []  # (form id, broad stem id)
        self.previous = previous

    def add(self, norms) -> None:
        """Normalized tokens of one text (any iterable of str; repeats cost a set look-up).
        Stopwords (never in the index) and words without an Arabic letter are left out."""
        seen = self.seen
        for norm in norms:
            if norm not in seen:
                seen.add(norm)
                if norm not in STOPWORDS and ARABIC_LETTER.search(norm):
                    self.pairs.append((term_id(norm), term_id(broad_stem(norm))))

    def save(self, directory: Path) -> None:
        pairs = np.array(self.pairs, dtype=np.uint32).reshape(-1, 2)
        if self.previous is not None:
            pairs = np.concatenate([np.stack([self.previous.forms, self.previous.broad], axis=1), pairs])
        forms, broad = pairs[:, 0], pairs[:, 1]
        order = np.lexsort((forms, broad))
        forms, broad = forms[order], broad[order]
        keep = np.ones(len(forms), dtype=bool)
        keep[1:] = (forms[1:] != forms[:-1]) | (broad[1:] != broad[:-1])
        with open(directory / FILE, "wb") as handle:
            np.savez(handle, forms=forms[keep], broad=broad[keep])


class BroadStemMap:
    """The saved map, sorted by broad stem id."""

    def __init__(self, forms: np.ndarray, broad: np.ndarray):
        self.forms, self.broad = forms, broad

    @classmethod
    def load(cls, directory: Path) -> BroadStemMap | None:
        """The map of an index generation; None for an index built without one."""
        try:
            with np.load(directory / FILE) as data:
                return cls(data["forms"], data["broad"])
        except (OSError, KeyError, ValueError):
            return None

    def forms_of(self, broad: str) -> np.ndarray:
        """Ids of the archive's normalized forms whose broad stem is `broad`."""
        rid = np.uint32(term_id(broad))
        lo, hi = np.searchsorted(self.broad, rid, "left"), np.searchsorted(self.broad, rid, "right")
        return self.forms[lo:hi]
