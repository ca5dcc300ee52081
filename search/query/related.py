"""More like this: an article's key words, from the index's own terms, as a query.

The key words of an article are its stems weighted by TF-IDF: how often the article uses them
(title words counted :data:`TITLE_WEIGHT` times) times ``log(N / df)`` over the index's body
field, leaving out stems in fewer than :data:`MIN_DOCS` articles (names misspelt once, numbers
that only this article has: they find nothing else) and those in more than :data:`MAX_SHARE` of
them. Each is written as the form the article uses most, so the query is ordinary words that the
engine analyses back to the same stems (the classic "more like this" of Lucene, after Salton's
term weighting).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

from search.analysis.analyzer import token_forms

#: Key words taken from an article.
KEY_WORDS = 12
TITLE_WEIGHT = 3
MIN_DOCS = 2
MAX_SHARE = 0.2


def key_words(title: str, body: str, doc_frequency: Callable[[str], int], doc_count: int,
              most: int = KEY_WORDS) -> list[str]:
    """The article's `most` key words (normalized forms), the heaviest first.

    :param doc_frequency: in how many articles of the index a stem occurs (body field).
    :param doc_count: articles in the index.
    """
    tf: Counter = Counter()
    written: dict[str, Counter] = {}
    for text, weight in ((title or "", TITLE_WEIGHT), (body or "", 1)):
        for form, stem in token_forms(text):
            if len(stem) < 2 or stem.isdigit():
                continue
            tf[stem] += weight
            written.setdefault(stem, Counter())[form] += 1
    scored = []
    for stem, count in tf.items():
        df = doc_frequency(stem)
        if df < MIN_DOCS or df > MAX_SHARE * doc_count:
            continue
        scored.append((count * math.log(doc_count / df), stem))
    scored.sort(reverse=True)
    return [written[stem].most_common(1)[0][0] for _, stem in scored[:most]]
