"""Shared fixtures: indexes built from the seed article and from small real-Arabic fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.indexing import reindex
from search.searcher import Searcher

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_FILE = SEEDS / "000_634241ae74eb9ffe.txt"
SHARED = ROOT.parent / "shared"


def seed_paragraphs() -> list[str]:
    """The seed article's body paragraphs (real Arabic news text)."""
    lines = [line.strip() for line in SEED_FILE.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines[4:] if len(line) > 80]


def seed_articles() -> list[dict]:
    """Small articles cut from the seed's paragraphs, with varied dates and sources."""
    paragraphs = seed_paragraphs()
    dates = ["2019-03-24 10:00:00", "2020-06-21 08:30:00", "2020-06-22 00:19:00", "2016-02-10 12:00:00",
             "2021-01-05 18:45:00", "2020-12-31 23:59:00", "2018-07-01 07:00:00", "2017-05-15 09:15:00",
             "2020-06-23 14:00:00", "2022-09-09 09:09:00", "2015-08-01 11:11:00", "2023-03-03 03:03:00"]
    sources = ["albawaba", "okaz", "alriyadh"]
    return [
        {"id": f"seed-p{n:02d}", "title": " ".join(text.split()[:8]), "body": text,
         "date": dates[n % len(dates)], "author": "فاطمة عبدالغني", "source": sources[n % len(sources)],
         "url": f"https://example.org/article/{n}"}
        for n, text in enumerate(paragraphs)
    ]


@pytest.fixture(scope="session")
def paragraphs_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("paragraphs")
    with open(folder / "articles.jsonl", "w", encoding="utf-8") as f:
        for article in seed_articles():
            f.write(json.dumps(article, ensure_ascii=False) + "\n")
    return folder


@pytest.fixture(scope="session")
def paragraphs_index(paragraphs_dir, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("index") / "index"
    summary = reindex([paragraphs_dir], root, procs=1)
    assert summary.indexed == len(seed_articles())
    return root


@pytest.fixture(scope="session")
def searcher(paragraphs_index) -> Searcher:
    return Searcher(paragraphs_index)


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("seedindex") / "index"
    summary = reindex([SEEDS], root, procs=1)
    assert summary.indexed == 1
    return root


@pytest.fixture(scope="session")
def seed_searcher(seed_index) -> Searcher:
    return Searcher(seed_index)
