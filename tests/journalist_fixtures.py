"""A small archive of real SaudiNewsNet articles for the journalist features (sources, Hijri
dates, timeline, export, feeds): every source and every day of the corpus, with the gaps real
archives have (undated articles, a source with no known name, HTML entities, a duplicate).

Read from ``../shared`` (never copied here); shared by ``tests/test_journalist.py`` and
``tests/e2e/test_journalist_browser.py``.
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path

import pytest

from search.index.build import reindex

ROOT = Path(__file__).resolve().parent.parent
SNN = ROOT.parent / "shared" / "data" / "saudinewsnet.jsonl.gz"
#: Every how many corpus articles one is taken (31,030 / 97: 320 articles over all 22 days).
STEP = 97


@functools.cache
def sample() -> tuple[dict, ...]:
    """Every :data:`STEP`-th SaudiNewsNet article: the 2nd undated (an empty date, HTML entities in
    its title), the 3rd with an unreadable date, the 4th from a source with no known name
    (``albawaba``), and the 1st published again by another source at the end."""
    if not SNN.is_file():
        pytest.skip(f"SaudiNewsNet is not at {SNN}")
    out = []
    with gzip.open(SNN, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n % STEP == 0:
                out.append(json.loads(line))
    first = out[0]
    out[1] = dict(out[1], date="", title="&quot;" + out[1]["title"] + "&quot;")
    out[2] = dict(out[2], date="منذ ساعتين")
    out[3] = dict(out[3], source="albawaba")
    out.append(dict(first, id=first["id"] + "-copy", source="sabq", url="http://example.org/copy"))
    return tuple(out)


def build(folder: Path) -> Path:
    """Index :func:`sample` under `folder`; the index root."""
    data = folder / "articles"
    data.mkdir(parents=True, exist_ok=True)
    with open(data / "snn.jsonl", "w", encoding="utf-8") as f:
        for article in sample():
            f.write(json.dumps(article, ensure_ascii=False) + "\n")
    root = folder / "index"
    summary = reindex([data], root, procs=1)
    assert summary.indexed + summary.duplicates + summary.skipped == len(sample()), summary.problems
    return root
