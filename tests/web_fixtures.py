"""Real-Arabic articles for the web tests, cut from the seed article, with known dates and sources.

Shared by ``tests/test_web.py`` and ``tests/e2e/`` (not a conftest: those belong to the engine).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from search.index.build import body_fingerprint, reindex

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = ROOT / "seeds" / "000_634241ae74eb9ffe.txt"

SOURCES = ("عكاظ", "الرياض", "البوابة نيوز", "Al Arabiya")
#: One date per paragraph article: several years, and several months of 2020.
DATES = ("2016-02-10 12:00:00", "2017-05-15 09:15:00", "2018-07-01 07:00:00", "2019-03-24 10:00:00",
         "2020-01-05 18:45:00", "2020-06-21 08:30:00", "2020-12-31 23:59:00", "2021-09-09 09:09:00",
         "2022-11-11 11:11:00", "2023-03-03 03:03:00")
SCRIPT = "<script>alert('xss')</script>"


def seed_title_and_paragraphs() -> tuple[str, list[str]]:
    lines = [line.strip() for line in SEED_FILE.read_text(encoding="utf-8").splitlines()]
    return lines[0], [line for line in lines[4:] if len(line) > 80]


def web_articles() -> list[dict]:
    """The whole seed article, one article per paragraph and per clause, and a hostile one."""
    title, paragraphs = seed_title_and_paragraphs()
    articles = [{"id": "seed-full", "title": title, "body": "\n".join(paragraphs),
                 "date": "2020-06-22 00:19:00", "author": "فاطمة عبدالغني", "source": "البوابة نيوز",
                 "url": "https://example.org/news/seed-full"}]
    # clauses after a paragraph's first (a first clause would repeat its paragraph's lead)
    clauses = [c.strip() for p in paragraphs for c in re.split(r"[،.؛]", p)[1:] if len(c.strip()) > 60]
    seen, texts = set(), []
    for text in paragraphs + clauses:
        if body_fingerprint(text) not in seen:
            seen.add(body_fingerprint(text))
            texts.append(text)
    for n, text in enumerate(texts):
        articles.append({
            "id": f"p{n:02d}", "title": " ".join(text.split()[:7]), "body": text,
            "date": DATES[n % len(DATES)], "author": "فاطمة عبدالغني" if n % 2 else "محرر الشؤون العربية",
            "source": SOURCES[n % len(SOURCES)], "url": f"https://example.org/news/{n}",
        })
    articles.append({  # a title and a body that start with Latin words (laid out right to left all the same)
        "id": "latin-lead", "title": "BBC تنشر تحقيقا عن عودة تنظيم داعش إلى مدينة صبراتة",
        "body": "CNN 24: قالت مصادر إن تنظيم داعش عاد إلى مدينة صبراتة في 2020/06/22 بعد غياب.",
        "date": "2020-06-23 10:30:00", "author": "BBC Arabic", "source": "BBC", "url": "https://example.org/bbc",
    })
    articles.append({
        "id": "hostile", "title": f"{SCRIPT} تنظيم داعش في ليبيا",
        "body": f"عادت مدينة صبراتة الليبية {SCRIPT} لتحتضن عناصر تنظيم داعش <b>بالقرب</b> من الحدود.",
        "date": "2015-08-01 11:11:00", "author": "<img src=x onerror=alert(1)>", "source": "<i>مصدر</i>",
        "url": "javascript:alert(1)",
    })
    return articles


def build_index(folder: Path) -> Path:
    """Write :func:`web_articles` as JSON Lines under `folder` and index them; the index root."""
    data = folder / "articles"
    data.mkdir(parents=True, exist_ok=True)
    with open(data / "articles.jsonl", "w", encoding="utf-8") as f:
        for article in web_articles():
            f.write(json.dumps(article, ensure_ascii=False) + "\n")
    root = folder / "index"
    summary = reindex([data], root, procs=1)
    assert summary.indexed == len(web_articles()), summary.problems
    return root
