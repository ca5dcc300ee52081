"""Reindex: the swap is atomic, a failed reindex keeps the old index, duplicates are counted."""

import json

import pytest
from conftest import SEEDS, seed_articles

from search.index import parallel, store
from search.index.build import reindex
from search.searcher import Searcher


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def test_reindex_swaps_in_a_new_generation_and_a_searcher_follows(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    articles = seed_articles()
    write_jsonl(src / "a.jsonl", articles[:3])
    root = tmp_path / "ix"
    reindex([src], root, procs=1)
    searcher = Searcher(root)
    assert searcher.doc_count() == 3
    write_jsonl(src / "a.jsonl", articles)
    reindex([src], root, procs=1)
    assert searcher.doc_count() == len(articles)  # the same Searcher, no restart
    assert len(list(root.glob("gen-*"))) == 2  # the new one and the previous one


def test_a_view_taken_before_a_swap_still_answers_within_the_request(tmp_path):
    """The page reads its spelling suggestions from a view it took before the search opened the
    new generation (found by the soak test: ReaderClosed, an HTTP 500, during swaps)."""
    src = tmp_path / "src"
    src.mkdir()
    articles = seed_articles()
    write_jsonl(src / "a.jsonl", articles[:3])
    root = tmp_path / "ix"
    reindex([src], root, procs=1)
    searcher = Searcher(root)
    frequency = searcher.frequencies()  # a view of the first generation
    assert frequency("body", "داعش") >= 0
    write_jsonl(src / "a.jsonl", articles)
    reindex([src], root, procs=1)
    assert searcher.doc_count() == len(articles)  # this thread opened the new generation
    for word in ("ليبي", "صبرات", "ميليشي", "حرس"):  # words the view has not looked up yet
        assert frequency("body", word) >= 0


def test_a_failed_reindex_leaves_the_old_index_searchable(tmp_path, monkeypatch):
    root = tmp_path / "ix"
    reindex([SEEDS], root, procs=1)
    before = store.current_generation(root)

    def broken(records):
        yield from records
        raise OSError("disk full")

    import search.index.build as indexing
    real = indexing.read_paths
    monkeypatch.setattr(indexing, "read_paths", lambda paths: broken(real(paths)))
    with pytest.raises(OSError):
        reindex([SEEDS], root, procs=1)
    assert store.current_generation(root) == before
    assert not list(root.glob(".building-*"))
    assert Searcher(root).search("داعش").total == 1


def test_duplicates_by_url_or_body_are_indexed_once(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    a = seed_articles()[0]
    same_url = dict(a, id="other-id", body=a["body"] + " إضافة")
    same_body = dict(a, id="third-id", url="https://example.org/other", body="  " + a["body"].replace("،", " ،"))
    write_jsonl(src / "a.jsonl", [a, same_url, same_body])
    summary = reindex([src], tmp_path / "ix", procs=1)
    assert (summary.indexed, summary.duplicates) == (1, 2)


def test_ids_are_kept_exactly_as_given(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    write_jsonl(src / "a.jsonl", [dict(seed_articles()[0], id="snn-2015-07-21-0001")])
    reindex([src], tmp_path / "ix", procs=1)
    assert Searcher(tmp_path / "ix").search("داعش").hits[0].id == "snn-2015-07-21-0001"


@pytest.mark.parametrize("batch, postings_per_segment", [
    (64, None),  # all in one worker's segment
    (2, None),  # spread over both
    (2, 100),  # each worker finishes a segment and starts another when its pool is full
])
def test_parallel_writer_gives_the_same_results(tmp_path, monkeypatch, batch, postings_per_segment):
    from search.index import segments, store
    monkeypatch.setattr(parallel, "BATCH", batch)
    if postings_per_segment:
        monkeypatch.setattr(segments._Postings, "ITEM_BYTES", 32 * 1024 * 1024 // postings_per_segment)
    src = tmp_path / "src"
    src.mkdir()
    write_jsonl(src / "a.jsonl", seed_articles())
    reindex([src], tmp_path / "one", procs=1)
    summary = reindex([src], tmp_path / "two", procs=2, limitmb=64)  # 32 MB a writer
    assert summary.indexed == len(seed_articles())
    made = len(store.open_current(tmp_path / "two").reader().leaf_readers())
    assert made > 2 if postings_per_segment else made <= 2
    for query in ("داعش صبراتة", "كورونا", "\"الجيش السوري\""):
        one = Searcher(tmp_path / "one").search(query, limit=20)
        two = Searcher(tmp_path / "two").search(query, limit=20)
        assert one.total == two.total > 0
        assert [(h.id, round(h.score, 6)) for h in one.hits] == [(h.id, round(h.score, 6)) for h in two.hits]


def test_incremental_reindex_reads_only_new_and_changed_files_and_drops_vanished_ones(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    articles = seed_articles()
    write_jsonl(src / "a.jsonl", articles[:4])
    write_jsonl(src / "b.jsonl", articles[4:8])
    root = tmp_path / "ix"
    reindex([src], root, procs=1)
    searcher = Searcher(root)
    assert searcher.doc_count() == 8

    write_jsonl(src / "c.jsonl", articles[8:])  # new
    (src / "b.jsonl").unlink()  # vanished
    summary = reindex([src], root, procs=1, incremental=True)
    assert summary.unchanged_files == 1 and summary.removed == 4
    assert summary.indexed == len(articles) - 8
    assert searcher.doc_count() == 4 + len(articles) - 8
    assert searcher.search("كورونا").hits[0].id == "seed-p00"  # from the untouched a.jsonl

    changed = [dict(a, body=a["body"] + " الميليشيات") for a in articles[:2]]
    write_jsonl(src / "a.jsonl", changed)
    summary = reindex([src], root, procs=1, incremental=True)
    assert summary.removed == 4 and summary.indexed == 2
    assert searcher.doc_count() == 2 + len(articles) - 8


def _ids(root) -> set[str]:
    with store.open_current(root).searcher() as searcher:
        return {fields["id"] for fields in searcher.all_stored_fields()}


def test_incremental_reindex_brings_back_the_copies_of_an_article_whose_file_vanished(tmp_path):
    """Copies dropped as duplicates (same body, same URL, same title-only record) of articles in
    a file that then goes are indexed in their place: what a full reindex would hold."""
    src = tmp_path / "src"
    src.mkdir()
    a, b, c = seed_articles()[:3]
    gallery = {"id": "g", "title": "صور من الحفل", "body": "", "date": "2020-01-01", "url": ""}
    write_jsonl(src / "a.jsonl", [a, b, gallery])
    write_jsonl(src / "b.jsonl", [dict(a, id="a-copy", url=""), dict(b, id="b-copy", body=c["body"] + " (نسخة أخرى)"),
                                  dict(gallery, id="g-copy"), dict(c, id="new")])
    root = tmp_path / "ix"
    first = reindex([src], root, procs=1)
    assert (first.indexed, first.duplicates) == (4, 3)
    (src / "a.jsonl").unlink()
    summary = reindex([src], root, procs=1, incremental=True)
    assert _ids(root) == {"a-copy", "b-copy", "g-copy", "new"}
    assert summary.removed == 4 and summary.indexed == 4  # b.jsonl was read again
    full = tmp_path / "full"
    reindex([src], full, procs=1)
    assert _ids(full) == _ids(root)
    # nothing changed: nothing is read
    again = reindex([src], root, procs=1, incremental=True)
    assert (again.indexed, again.removed, again.unchanged_files) == (0, 0, 1)


def test_an_id_taken_by_another_article_is_made_unique_with_a_warning(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    a, b, c = seed_articles()[:3]
    write_jsonl(src / "a.jsonl", [a, dict(b, id=a["id"]), dict(c, id=a["id"])])
    root = tmp_path / "ix"
    summary = reindex([src], root, procs=2)
    assert summary.indexed == 3 and _ids(root) == {a["id"], a["id"] + "~2", a["id"] + "~3"}
    assert [w.reason for w in summary.warnings if "already" in w.reason] == [
        f"id {a['id']!r} is already another article's; this one is indexed as {a['id'] + '~2'!r}",
        f"id {a['id']!r} is already another article's; this one is indexed as {a['id'] + '~3'!r}"]
    searcher = Searcher(root)
    assert searcher.article(a["id"] + "~2").marked_body == b["body"]


def test_title_only_records_with_other_urls_or_dates_are_not_duplicates(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    galleries = [{"id": "g1", "title": "صور", "source": "sabq", "url": "http://sabq.org/g/1", "body": ""},
                 {"id": "g2", "title": "صور", "source": "sabq", "url": "http://sabq.org/g/2", "body": ""},
                 {"id": "g3", "title": "صور", "source": "sabq", "date": "2015-07-21", "body": ""},
                 {"id": "g4", "title": "صور", "source": "sabq", "date": "2015-07-22", "body": ""},
                 {"id": "g5", "title": "صور", "source": "sabq", "date": "2015-07-22", "body": ""}]  # g4 again
    write_jsonl(src / "a.jsonl", galleries)
    summary = reindex([src], tmp_path / "ix", procs=1)
    assert (summary.indexed, summary.duplicates, summary.title_only) == (4, 1, 4)


def test_incremental_reindex_without_an_index_builds_one(tmp_path):
    summary = reindex([SEEDS], tmp_path / "ix", procs=1, incremental=True)
    assert summary.indexed == 1


def test_an_index_of_another_format_is_refused_with_the_hint_to_reindex(tmp_path):
    """An index written by another version of Arshif (its format in the file list differs, or
    it has none) is refused before Whoosh reads it, and a reindex (incremental too) rebuilds it."""
    src = tmp_path / "src"
    src.mkdir()
    write_jsonl(src / "a.jsonl", seed_articles()[:3])
    root = tmp_path / "ix"
    reindex([src], root, procs=1)
    files = store.current_generation(root) / store.FILE_LIST
    listed = json.loads(files.read_text())
    for old in ({**listed, "format": store.FORMAT_VERSION - 1}, listed["files"]):  # an older format; session 1-2's list
        files.write_text(json.dumps(old))
        with pytest.raises(store.IndexMissing, match=r"another version of Arshif.*arshif reindex"):
            Searcher(root)
    summary = reindex([src], root, procs=1, incremental=True)
    assert summary.indexed == 3 and Searcher(root).doc_count() == 3


def test_duplicates_are_named_on_the_kept_article_and_follow_it_in_batch_runs(tmp_path):
    """The copies dropped at indexing are listed on the article kept ("also published in"), by the
    API, the page and --batch (right after it); an incremental reindex keeps them while their
    article and their file stay, and forgets those of a file that goes."""
    from click.testing import CliRunner

    from search.cli import cli
    from web import create_app

    src = tmp_path / "src"
    src.mkdir()
    a, b = seed_articles()[:2]
    write_jsonl(src / "a.jsonl", [a, b])
    write_jsonl(src / "b.jsonl", [dict(a, id="a-again", source="sabq", url="", date="2020-07-01 10:00:00")])
    write_jsonl(src / "c.jsonl", [dict(a, id="a-url", body=a["body"] + " تحديث", source="was")])  # same URL
    root = tmp_path / "ix"
    assert reindex([src], root, procs=1).duplicates == 2
    searcher = Searcher(root)
    (hit,) = [h for h in searcher.search("داعش", limit=50).hits if h.id == a["id"]]
    assert [(c["id"], c["source"], c["date"]) for c in hit.copies] == [
        ("a-again", "sabq", "2020-07-01T10:00:00"), ("a-url", "was", a["date"].replace(" ", "T"))]
    body = create_app({"TESTING": True, "INDEX_DIR": str(root)}).test_client().get(
        "/api/search", query_string={"q": "داعش"}).get_json()
    assert [c["id"] for r in body["results"] if r["id"] == a["id"] for c in r["copies"]] == ["a-again", "a-url"]
    page = create_app({"TESTING": True, "INDEX_DIR": str(root)}).test_client().get("/?q=داعش").get_data(as_text=True)
    assert "نُشر أيضًا في:" in page and "<bdi>سبق</bdi>" in page
    queries = tmp_path / "q.tsv"
    queries.write_text("q\tداعش\n", encoding="utf-8")
    run = CliRunner().invoke(cli, ["search", "--batch", str(queries), "--index", str(root)]).output.split("\n")
    ids = [line.split()[2] for line in run if line]
    at = ids.index(a["id"])
    assert ids[at:at + 3] == [a["id"], "a-again", "a-url"] and len(ids) == len(set(ids))
    (src / "c.jsonl").unlink()
    reindex([src], root, procs=1, incremental=True)
    (hit,) = [h for h in Searcher(root).search("داعش", limit=50).hits if h.id == a["id"]]
    assert [c["id"] for c in hit.copies] == ["a-again"]


def test_an_incremental_segment_without_a_column_is_read(tmp_path):
    """Found by a fresh tester: a new file whose articles have no source (or no date) made a
    segment without that column, and Whoosh's reader over several segments then raised
    IndexError for every search (a 500 on the page)."""
    src = tmp_path / "src"
    src.mkdir()
    a, b = seed_articles()[:2]
    write_jsonl(src / "a.jsonl", [dict(a, source="s2")])
    root = tmp_path / "ix"
    reindex([src], root, procs=1)
    new = {k: v for k, v in b.items() if k not in ("source", "date")}
    write_jsonl(src / "b.jsonl", [new])
    reindex([src], root, procs=1, incremental=True)
    results = Searcher(root).search("-ززززز", sort="newest", facets=True, limit=10)
    assert [h.id for h in results.hits] == [a["id"], b["id"]] and results.hits[1].date is None
    assert results.facets["source"] == [("s2", 1)]
