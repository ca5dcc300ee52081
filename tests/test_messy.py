"""Messy real archives: every article indexed, every search answered, every score a number.

Archives are generated from real SaudiNewsNet articles (read from ``../shared``) in which any field
may be missing, empty, whitespace, stopwords only, an unreadable date, a date in any form the
readers take, HTML entities, a duplicate, an id another article has, or a title without a body. Each is reindexed (by one or
two writer processes) and must hold these properties:

- the reindex succeeds and accounts for every record: indexed + skipped + duplicates = records;
- every indexed article is found by a distinctive word of its own (its rarest indexed word);
- every search answers; every score is finite; the JSON of the CLI and of the API parses strictly;
- no stored text keeps an HTML character reference;
- a date filter never returns an undated article; sorting by date puts undated articles last.

The number of generated archives is ``$ARSHIF_MESSY_EXAMPLES`` (default 6: the normal suite);
``.ci/run`` also runs this module with many more.
"""

from __future__ import annotations

import json
import math
import os
import re
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner
from conftest import (
    ENTITY_WRAPS,
    STOPWORD_TITLES,
    UNREADABLE_DATES,
    date_forms,
    messy_records,
    snn_articles,
    write_jsonl,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.analysis.analyzer import analyze
from search.cli import cli
from search.index import store
from search.index.build import reindex
from search.searcher import Searcher
from web import create_app

EXAMPLES = int(os.environ.get("ARSHIF_MESSY_EXAMPLES", "6"))
ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+\d*);", re.IGNORECASE)
#: A query that excludes a word no article has: every article matches (browse the archive).
EVERYTHING = "-ززززز"


def strict_json(text: str):
    """Parse JSON as RFC 8259 does: NaN and Infinity are not JSON."""
    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")
    return json.loads(text, parse_constant=refuse)


# --- generated archives ----------------------------------------------------------------------

POOL = 120  # SaudiNewsNet articles the records are drawn from


@st.composite
def messy_record(draw, n: int) -> dict:
    """One record from a real article, each field left, dropped, emptied or spoiled."""
    article = snn_articles()[draw(st.integers(0, POOL - 1))]
    record = dict(article, id=f"m{n}-{article['id']}")
    title = draw(st.sampled_from(["keep", "keep", "missing", "empty", "space", "stopwords", "entities"]))
    if title == "missing":
        record.pop("title")
    elif title in ("empty", "space"):
        record["title"] = "" if title == "empty" else " \u00a0\t"
    elif title == "stopwords":
        record["title"] = draw(st.sampled_from(STOPWORD_TITLES))
    elif title == "entities":
        record["title"] = draw(st.sampled_from(ENTITY_WRAPS)).format(record["title"])
        record["author"] = draw(st.sampled_from(ENTITY_WRAPS)).format(record["author"])
    body = draw(st.sampled_from(["keep", "keep", "keep", "missing", "empty", "space"]))
    if body == "missing":
        record.pop("body")
    elif body in ("empty", "space"):
        record["body"] = "" if body == "empty" else "\n \u00a0 \n"
    date = draw(st.sampled_from(["keep", "keep", "missing", "unreadable", "form"]))
    if date == "missing":
        record.pop("date")
    elif date == "unreadable":
        record["date"] = draw(st.sampled_from(UNREADABLE_DATES))
    elif date == "form":
        record["date"] = draw(st.sampled_from(date_forms(record["date"])))
    if draw(st.booleans()):
        record.pop("url")  # the id then comes from the record; duplicates only by body
    return record


@st.composite
def messy_archive(draw) -> list[dict]:
    records = [draw(messy_record(n)) for n in range(draw(st.integers(1, 9)))]
    for _ in range(draw(st.integers(0, 2))):  # exact duplicates under other ids
        twin = draw(st.sampled_from(records))
        records.append(dict(twin, id=twin["id"] + "-again"))
    if draw(st.booleans()):  # another article under an id already taken
        records.append(dict(draw(messy_record(len(records))), id=draw(st.sampled_from(records))["id"]))
    return records


def indexed_articles(root: Path) -> list[dict]:
    with store.open_current(root).searcher() as searcher:
        return [dict(fields) for fields in searcher.all_stored_fields()]


def distinctive_word(article: dict, stems_by_article: list[set[str]]) -> str | None:
    """The article's indexed word (Arabic letters) whose stem the fewest articles have."""
    best = None
    for token in analyze(article.get("title", "") + "\n" + article.get("body", "")):
        if token.stem is None or len(token.original) < 3 or not re.fullmatch("[\u0621-\u064a]+", token.original):
            continue
        df = sum(token.stem in stems for stems in stems_by_article)
        if best is None or df < best[0]:
            best = (df, token.original)
    return None if best is None else best[1]


def check_archive(records: list[dict], folder: Path, procs: int) -> None:
    data = write_jsonl(folder / "archive" / "a.jsonl", records)
    root = folder / "index"
    summary = reindex([data.parent], root, procs=procs)
    assert summary.indexed + summary.skipped + summary.duplicates == len(records), summary

    articles = indexed_articles(root)
    assert len(articles) == summary.indexed
    for article in articles:
        for name in ("title", "author", "body"):
            assert not ENTITY.search(article.get(name, "")), (name, article.get(name))
    searcher = Searcher(root)
    app = create_app({"TESTING": True, "INDEX_DIR": str(root)}).test_client()
    stems = [{t.stem for t in analyze(a.get("title", "") + "\n" + a.get("body", "")) if t.stem} for a in articles]
    for article in articles:
        word = distinctive_word(article, stems)
        if word is None:  # a title of stopwords and no body: found by browsing (below)
            continue
        found = searcher.search(word, limit=100)
        assert article["id"] in [h.id for h in found.hits], (word, article["id"])
        assert all(math.isfinite(h.score) for h in found.hits)
        response = app.get("/api/search", query_string={"q": word, "limit": 100})
        assert response.status_code == 200
        assert article["id"] in [h["id"] for h in strict_json(response.get_data(as_text=True))["results"]]

    everything = {}
    for sort in ("relevance", "newest", "oldest"):
        results = searcher.search(EVERYTHING, sort=sort, limit=100)
        assert results.total == len(articles)
        dates = [h.date for h in results.hits]
        undated_from = dates.index(None) if None in dates else len(dates)
        assert all(d is None for d in dates[undated_from:]), (sort, dates)  # undated last
        if sort != "relevance":
            dated = dates[:undated_from]
            assert dated == sorted(dated, reverse=sort == "newest"), (sort, dated)
        everything[sort] = dates
    for start, end in (("1900-01-01", "2100-12-31"), ("2015-07-21", "2015-07-22")):
        results = searcher.search(EVERYTHING, date_from=start, date_to=end, limit=100)
        assert all(h.date is not None and start <= h.date[:10] <= end for h in results.hits)
        assert results.total == sum(d is not None and start <= d[:10] <= end for d in everything["oldest"])

    out = CliRunner().invoke(cli, ["search", "--index", str(root), "--json", "--limit", "100", "--", EVERYTHING])
    assert out.exit_code == 0, out.output
    assert all(math.isfinite(h["score"]) for h in strict_json(out.output)["results"])


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(records=messy_archive(), procs=st.sampled_from([1, 2]))
def test_every_messy_archive_is_indexed_and_searchable(tmp_path_factory, records, procs):
    check_archive(records, tmp_path_factory.mktemp("archive"), procs)


# --- the cases of the issue, kept as examples ------------------------------------------------

def test_one_undated_article_beside_a_dated_one(tmp_path):
    """The issue's two-record archive: both found, by word and by date filter, in every order."""
    records = [{"id": "dated", "title": "زلزال في المغرب", "body": "ضرب زلزال قوي المغرب", "date": "2020-01-01"},
               {"id": "undated", "title": "فيضانات في السودان", "body": "فيضانات تجتاح السودان وزلزال"}]
    check_archive(records, tmp_path, procs=1)
    searcher = Searcher(tmp_path / "index")
    assert {h.id for h in searcher.search("زلزال").hits} == {"dated", "undated"}
    assert [h.id for h in searcher.search("زلزال", date_from="2020-01-01", date_to="2020-01-01").hits] == ["dated"]
    assert [h.id for h in searcher.search("زلزال", sort="oldest").hits] == ["dated", "undated"]


def test_an_empty_title_does_not_sink_title_matches(tmp_path):
    """One article without a title (or with stopwords only) made the average title length NaN,
    and every title match NaN, sorted last: the article with the word in title and body first."""
    tidy = [{"id": "title", "title": "زلزال قوي في المغرب", "body": "أخبار اليوم من الرباط", "date": "2020-01-01"},
            {"id": "body", "title": "أخبار المغرب", "body": "ضرب زلزال مدينة أغادير", "date": "2020-01-02"},
            {"id": "both", "title": "زلزال أغادير", "body": "زلزال آخر في الجنوب", "date": "2020-01-03"}]
    messy = tidy + [{"id": "untitled", "title": "", "body": "أمطار غزيرة في الشمال", "date": "2020-01-04"},
                    {"id": "stop", "title": "في على من", "body": "رياح قوية", "date": "2020-01-05"}]
    check_archive(tidy, tmp_path / "tidy", procs=1)
    check_archive(messy, tmp_path / "messy", procs=1)
    before = Searcher(tmp_path / "tidy" / "index").search("زلزال").hits
    after = Searcher(tmp_path / "messy" / "index").search("زلزال").hits
    for hits in (before, after):  # (a NaN title score sorted the title matches last)
        assert hits[0].id == "both" and len(hits) == 3
        assert all(math.isfinite(h.score) and h.score > 0 for h in hits)


def test_messy_corpus_fixture(messy_searcher, messy_index):
    """The suite's messy corpus: its title-only galleries found by title, duplicates counted,
    every score finite, undated articles last."""
    records = messy_records()
    galleries = [r for r in records if r.get("title", "").strip() and not r.get("body")]
    assert galleries
    for record in galleries:
        words = [t.original for t in analyze(record["title"]) if t.stem]
        if words:  # (a gallery titled with stopwords only is found by browsing)
            word = max(words, key=len)
            assert record["id"] in [h.id for h in messy_searcher.search(word, limit=100).hits], word
    total = messy_searcher.search(EVERYTHING, limit=1).total
    last_page = messy_searcher.search(EVERYTHING, sort="newest", limit=100, page=math.ceil(total / 100))
    assert last_page.hits[-1].date is None
    assert messy_searcher.doc_count() == len(indexed_articles(messy_index))
    for query in ("وزير", "الرياض", "أمير منطقة الرياض", "السعودية"):
        assert all(math.isfinite(h.score) for h in messy_searcher.search(query, limit=100).hits)


def test_date_forms_read_back(tmp_path):
    """Every form of :func:`conftest.date_forms` is read as the same day."""
    for form in date_forms("2015-07-21 02:51:32"):
        records = [{"id": "a", "title": "خبر", "body": "نص الخبر", "date": form}]
        root = tmp_path / f"ix{abs(hash(form))}"
        reindex([write_jsonl(tmp_path / f"d{abs(hash(form))}" / "a.jsonl", records).parent], root, procs=1)
        hit = Searcher(root).search("الخبر").hits[0]
        assert datetime.fromisoformat(hit.date).date().isoformat() == "2015-07-21", form


def test_api_answers_strict_json_for_every_news_query(messy_index):
    """Every query of the benchmark's news set, through the API, on the messy corpus, by
    relevance and by date: strict JSON, finite scores."""
    from conftest import ROOT

    queries = [q.strip() for q in (ROOT / "bench" / "news_queries.txt").read_text(encoding="utf-8").splitlines()]
    client = create_app({"TESTING": True, "INDEX_DIR": str(messy_index)}).test_client()
    answered = 0
    for n, query in enumerate(q for q in queries if q):
        sort = ("relevance", "newest", "oldest")[n % 3]
        response = client.get("/api/search", query_string={"q": query, "sort": sort, "limit": 50})
        assert response.status_code == 200, query
        body = strict_json(response.get_data(as_text=True))
        assert all(math.isfinite(h["score"]) for h in body["results"]), query
        answered += bool(body["results"])
    assert answered > len(queries) // 2  # the queries do meet the corpus


def test_an_archive_with_nothing_to_index_answers_every_search(tmp_path):
    """Found by the property test: an index of no article (every record empty) made the searcher
    fail opening its term-id columns (Whoosh's reader of no segment has no columns)."""
    data = write_jsonl(tmp_path / "src" / "a.jsonl", [{"id": "x", "title": " ", "body": ""}, {"id": "y"}])
    summary = reindex([data.parent], tmp_path / "ix", procs=2)
    assert (summary.indexed, summary.skipped) == (0, 2)
    searcher = Searcher(tmp_path / "ix")
    for query in ("زلزال", EVERYTHING, '"زلزال قوي"'):
        assert searcher.search(query, sort="newest", facets=True).total == 0
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "ix")}).test_client()
    assert client.get("/api/search", query_string={"q": "زلزال"}).status_code == 200
