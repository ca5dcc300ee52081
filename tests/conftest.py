"""Shared fixtures: indexes built from the seed article, from small real-Arabic fixtures, and from
a messy archive of real SaudiNewsNet articles (read from ``../shared``, never copied here)."""

from __future__ import annotations

import functools
import gzip
import json
from datetime import datetime
from pathlib import Path

import pytest
from hijridate import Gregorian
from opensearch_fixtures import cluster  # noqa: F401 -- the session's OpenSearch cluster, for every module

from search.index.build import reindex
from search.searcher import Searcher

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_FILE = SEEDS / "000_634241ae74eb9ffe.txt"
SHARED = ROOT.parent / "shared"
SNN = SHARED / "data" / "saudinewsnet.jsonl.gz"


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


# --- a messy archive: real SaudiNewsNet articles with the gaps real archives have ----------------

#: Titles of nothing but stopwords, as some SaudiNewsNet headlines are once analyzed.
STOPWORD_TITLES = ("في على من", "هذا هو", "و", "إلى أين؟")
#: Text with HTML character references, as scraped archives hold them.
ENTITY_WRAPS = ("&quot;{}&quot;", "&#8220;{}&#8221;", "{}&nbsp;&ndash; &amp; &#39;", "&rlm;{}")
#: Date lines that no reader can read (kept undated, with a warning).
UNREADABLE_DATES = ("تاريخ غير معروف", "2015-13-45", "منذ ساعتين", "0000-00-00 00:00:00", "-")
GREGORIAN_NAMES = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
                   "نوفمبر", "ديسمبر")
HIJRI_NAMES = ("محرم", "صفر", "ربيع الأول", "ربيع الآخر", "جمادى الأولى", "جمادى الآخرة", "رجب", "شعبان",
               "رمضان", "شوال", "ذو القعدة", "ذو الحجة")


@functools.cache
def snn_articles(count: int = 400) -> tuple[dict, ...]:
    """The first `count` SaudiNewsNet articles (id, source, url, date, title, author, body)."""
    if not SNN.is_file():
        pytest.skip(f"SaudiNewsNet is not at {SNN}")
    out = []
    with gzip.open(SNN, "rt", encoding="utf-8") as f:
        for line in f:
            out.append(json.loads(line))
            if len(out) >= count:
                break
    return tuple(out)


def date_forms(text: str) -> list[str]:
    """The same SaudiNewsNet date (``YYYY-MM-DD HH:MM:SS``) written in each form the readers take:
    ISO, day only, day/month/year, Arabic month name with a weekday, Eastern Arabic digits, Hijri."""
    when = datetime.fromisoformat(text)
    eastern = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    hijri = Gregorian(when.year, when.month, when.day).to_hijri()
    return [text, when.date().isoformat(), f"{when.day}/{when.month}/{when.year}",
            f"الثلاثاء {when.day} {GREGORIAN_NAMES[when.month - 1]} {when.year}",
            f"{when.day}/{when.month}/{when.year}".translate(eastern),
            f"{hijri.day} {HIJRI_NAMES[hijri.month - 1]} {hijri.year} هـ"]


def messy_records(count: int = 300) -> list[dict]:
    """`count` SaudiNewsNet records with, at fixed intervals, what real archives have: no date,
    an unreadable date, a date in another form, no title, an empty or whitespace title, a
    title of stopwords only, no body (a photo gallery), HTML entities in title and author,
    exact duplicates, a record with neither title nor body. The same list every run."""
    records = []
    for i, article in enumerate(snn_articles(max(count, 1))[:count]):
        record = dict(article)
        if i % 7 == 3:
            record.pop("date")
        elif i % 11 == 5:
            record["date"] = UNREADABLE_DATES[i % len(UNREADABLE_DATES)]
        elif i % 5 == 2:
            record["date"] = date_forms(record["date"])[i % 6]
        if i % 13 == 4:
            record["title"] = ""
        elif i % 17 == 6:
            record["title"] = STOPWORD_TITLES[i % len(STOPWORD_TITLES)]
        elif i % 19 == 8:
            record.pop("title")
        elif i % 29 == 9:
            record["title"] = " \u00a0 "
        elif i % 9 == 1:
            record["title"] = ENTITY_WRAPS[i % len(ENTITY_WRAPS)].format(record["title"])
            record["author"] = ENTITY_WRAPS[(i + 1) % len(ENTITY_WRAPS)].format(record["author"])
        if i % 23 == 10 and record.get("title", "").strip():
            record["body"] = ""  # a photo gallery: found by its title
        records.append(record)
        if i % 31 == 12:  # the same article again, under another id
            records.append(dict(record, id=record["id"] + "-copy", url=""))
    records.append({"id": "nothing", "title": " ", "body": "", "date": "2015-07-21"})
    return records


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="session")
def messy_corpus(tmp_path_factory) -> Path:
    """A folder holding ``messy.jsonl``: :func:`messy_records`."""
    folder = tmp_path_factory.mktemp("messy")
    write_jsonl(folder / "messy.jsonl", messy_records())
    return folder


@pytest.fixture(scope="session")
def messy_index(messy_corpus, tmp_path_factory) -> Path:
    """The messy corpus indexed by two writer processes, as ``arshif reindex`` does by default
    on two cores."""
    root = tmp_path_factory.mktemp("messyindex") / "index"
    summary = reindex([messy_corpus], root, procs=2)
    assert summary.indexed + summary.skipped + summary.duplicates == len(messy_records())
    return root


@pytest.fixture(scope="session")
def messy_searcher(messy_index) -> Searcher:
    return Searcher(messy_index)
