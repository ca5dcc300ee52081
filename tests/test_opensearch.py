"""The OpenSearch backend against a real 2-node cluster started by ``scripts/opensearch_cluster.py``.

Skipped, with the reason, where Java, javac, Maven or the client is missing, unless
``ARSHIF_REQUIRE_OPENSEARCH=1`` (``.ci/run`` sets it): then a missing piece fails the run.

What must hold, on the first 3,000 SaudiNewsNet articles:

- the same top 10 as the Whoosh backend for the news queries (``bench/news_queries.txt``): at least
  9 of 10 on average, the same totals, the same facet counts; the same ``arshif search --json``;
- the same whole answer as Whoosh's for phrases, ``+`` and ``-`` words by their affixed forms,
  compound names, several sources or all but some, the byline, the timeline, why a hit matched,
  near copies, exports and related articles; an index of another format refused;
- a second reindex while one runs is refused and changes nothing; a reindex killed with SIGKILL
  leaves the alias where it was, and the next reindex works;
- searches running while a reindex swaps the alias all answer, from the old index or the new;
- a search still answers when one node is stopped, and says the cluster does not answer when none
  is left (the last test: it stops the cluster).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, snn_articles, write_jsonl

from search.cli import cli
from search.index import store
from search.index.build import reindex
from search.searcher import Searcher

QUERIES = [q.strip() for q in (ROOT / "bench" / "news_queries.txt").read_text(encoding="utf-8").splitlines() if q.strip()]
ARTICLES = 3000
ALIAS = "test-snn"


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    """The first 3,000 SaudiNewsNet articles (with their real duplicates, empty bodies and titles)."""
    return write_jsonl(tmp_path_factory.mktemp("snn") / "snn.jsonl", list(snn_articles(ARTICLES)))


@pytest.fixture(scope="session")
def whoosh_searcher(corpus, tmp_path_factory) -> Searcher:
    root = tmp_path_factory.mktemp("whoosh") / "index"
    reindex([corpus], root)
    return Searcher(root)


@pytest.fixture(scope="session")
def os_searcher(cluster, corpus) -> Searcher:
    from search.backends.opensearch import OpenSearchBackend, OpenSearchBuild

    summary = reindex([corpus], Path("unused"), build=OpenSearchBuild.locked(cluster.url, ALIAS))
    assert summary.indexed > 2500
    return Searcher(ALIAS, backend=OpenSearchBackend(cluster.url, ALIAS))


def _ids(results) -> list[str]:
    return [hit.id for hit in results.hits]


def test_same_top_ten_as_whoosh_on_the_news_queries(whoosh_searcher, os_searcher):
    assert os_searcher.doc_count() == whoosh_searcher.doc_count()
    overlaps, totals = [], []
    for query in QUERIES:
        ours, theirs = os_searcher.search(query, snippets=False), whoosh_searcher.search(query, snippets=False)
        if theirs.hits:
            overlaps.append(len(set(_ids(ours)) & set(_ids(theirs))) / len(theirs.hits) * 10)
        totals.append((query, ours.total, theirs.total, ours.complete, theirs.complete))
    assert len(overlaps) > 200
    average = sum(overlaps) / len(overlaps)
    assert average >= 9.0, f"top-10 overlap with Whoosh: {average:.2f} of 10 on average"
    differing = [t for t in totals if t[1] != t[2] or t[3] != t[4]]
    assert not differing, f"totals (or articles with every word) differ: {differing[:5]}"


def _first_phase(searcher: Searcher, query: str) -> dict[str, float]:
    """The first phase's 50 best articles for `query` (id -> score), as the searcher's view ranks them."""
    import functools

    from search.backends.base import CandidateRequest
    from search.query.parser import parse
    from search.query.rerank import QueryWord

    view = searcher.backend.view()
    parsed = parse(query, searcher.ranking).resolved(functools.partial(view.doc_frequency, "body"), searcher.ranking)
    words = [QueryWord.of(term) for term in parsed.terms()]
    found = view.candidates(CandidateRequest(words, ("title", "body"), searcher.ranking, depth=50))
    return {view.stored_fields(doc)["id"]: score for score, doc in found.ranked}


def test_first_phase_scores_are_whooshs(whoosh_searcher, os_searcher):
    """OpenSearch's window, ordered by Arshif's BM25F from the stored term ids, gives the embedded
    backend's first-phase scores and its 50 best candidates: every query, the same 50 but for
    articles tied with the 50th at the cut (each backend keeps any of those)."""
    same = 0
    for query in QUERIES[::5]:
        ours, theirs = _first_phase(os_searcher, query), _first_phase(whoosh_searcher, query)
        for doc_id in set(ours) & set(theirs):
            assert ours[doc_id] == pytest.approx(theirs[doc_id], rel=1e-4), (query, doc_id)
        cut = min(theirs.values(), default=0.0)
        apart = {d: ours.get(d, theirs.get(d)) for d in set(ours) ^ set(theirs)}
        assert all(score == pytest.approx(cut, rel=1e-6) for score in apart.values()), (query, apart, cut)
        same += not apart
    assert same >= 0.9 * len(QUERIES[::5]), f"the same 50 candidates for {same} of {len(QUERIES[::5])} queries"


def test_document_frequencies_are_counted_in_one_request(cluster, os_searcher):
    """A search on a view that has counted nothing yet asks the cluster for all its document
    frequencies in one request (not one per word), with the same answers and the same counts as
    the cluster's own ``_count`` of the articles holding each term in any of the fields."""
    from search.backends.opensearch import OpenSearchBackend

    backend = OpenSearchBackend(cluster.url, ALIAS)  # a new backend: nothing counted yet
    asked: list[str] = []
    perform = backend.client.transport.perform_request

    def recording(method, url, *args, **kwargs):
        asked.append(url.rstrip("/").rsplit("/", 1)[-1])
        return perform(method, url, *args, **kwargs)

    backend.client.transport.perform_request = recording
    fresh = Searcher(ALIAS, backend=backend)
    for query in ("المرصد السوري لحقوق الإنسان", "أمير منطقة الرياض", '"خادم الحرمين" -الملك', "بالمملكة OR الهلال"):
        asked.clear()
        ours = fresh.search(query, snippets=False)
        assert asked.count("_msearch") == 1 and "_count" not in asked, (query, asked)
        assert _ids(ours) == _ids(os_searcher.search(query, snippets=False)) and ours.hits, query
    counted = dict(backend.view()._gen.frequencies)
    assert len(counted) > 20 and any(isinstance(k, tuple) for k, _ in counted)
    for (fields, term), count in counted.items():
        fields = (fields,) if isinstance(fields, str) else fields
        query = {"bool": {"should": [{"term": {f: term}} for f in fields]}}
        assert count == perform("POST", f"/{backend.view().generation}/_count", body={"query": query})["count"]


@pytest.mark.parametrize("query, options", [
    ("الملك سلمان", {"facets": True}),
    ('"خادم الحرمين"', {"facets": True, "sort": "newest"}),
    ("داعش -العراق", {"facets": True, "date_from": "2015-07-21", "date_to": "2015-07-22"}),
    ("+الرياض أمطار", {"facets": True, "sort": "oldest"}),
    ("الهلال OR النصر", {"source": "sabq", "facets": True}),
    ("بالمملكة", {"page": 2}),
])
def test_filters_facets_and_sorts_as_whoosh(whoosh_searcher, os_searcher, query, options):
    ours, theirs = os_searcher.search(query, **options), whoosh_searcher.search(query, **options)
    assert theirs.total > 0, "a query that finds nothing shows nothing"
    assert (ours.total, ours.complete, ours.facets) == (theirs.total, theirs.complete, theirs.facets)
    assert [n.code for n in ours.notices] == [n.code for n in theirs.notices]
    overlap = len(set(_ids(ours)) & set(_ids(theirs)))
    assert overlap >= len(theirs.hits) - 1, (query, _ids(ours), _ids(theirs))
    if options.get("sort") in ("newest", "oldest"):
        assert [h.date for h in ours.hits] == [h.date for h in theirs.hits]
    first = {h.id: h for h in theirs.hits}
    for hit in ours.hits:  # the same stored fields and snippet for the same article
        if hit.id in first:
            other = first[hit.id]
            assert (hit.title, hit.date, hit.source, hit.url, hit.marked_snippet, hit.copies) == \
                   (other.title, other.date, other.source, other.url, other.marked_snippet, other.copies)


def _answer(results) -> dict:
    out = results.as_dict()
    out.pop("elapsed_ms")
    return out


@pytest.mark.parametrize("query, options", [
    ('"وزارة الداخلية"', {"facets": True}),  # a phrase matches its words' affixed forms (بوزارة)
    ("داعش -مصر", {"facets": True}),  # an exclusion leaves out بمصر too
    ("+بالرياض أمطار", {"facets": True}),
    ("عبد الله", {"facets": True}),  # a compound name, one word in the index
    ("الملك سلمان", {"histogram": True, "facets": True}),  # the timeline's day facet
    ("الهلال", {"source": "sabq,okaz", "facets": True}),  # several sources
    ("الهلال", {"source": "-sabq", "facets": True}),  # all but one
    ("", {"browse": True, "source": "okaz", "sort": "oldest"}),
    ("الحج", {"explain": True}),
])
def test_main_features_answer_as_whoosh(whoosh_searcher, os_searcher, query, options):
    """Everything a search answers (hits with their near copies, copies, snippets and matched
    forms; totals, facets, timeline, notices) is the embedded backend's."""
    theirs = _answer(whoosh_searcher.search(query, **options))
    assert theirs["total"] > 0
    assert _answer(os_searcher.search(query, **options)) == theirs


def test_byline_dates_export_and_related_as_whoosh(whoosh_searcher, os_searcher):
    bylined = next(h for h in whoosh_searcher.search("الملك", limit=100, snippets=False).hits if h.author.strip())
    for query, options in (("", {"browse": True, "author": bylined.author.split()[0]}),
                           ("الملك", {"author": bylined.author})):
        theirs = _answer(whoosh_searcher.search(query, **options))
        assert theirs["total"] > 0
        assert _answer(os_searcher.search(query, **options)) == theirs
    grouped = _answer(whoosh_searcher.search("الملك سلمان"))
    assert any(hit["similar"] for hit in grouped["results"]), "no near copies grouped: nothing compared"
    assert _answer(os_searcher.search("الملك سلمان")) == grouped
    assert os_searcher.backend.view().date_span() == whoosh_searcher.backend.view().date_span()
    assert os_searcher.backend.view().date_span()[0] is not None
    ours, theirs = (s.export("الملك", most=300) for s in (os_searcher, whoosh_searcher))
    assert [h.as_dict() for h in ours[1]] == [h.as_dict() for h in theirs[1]]
    assert [h.id for h in os_searcher.related(bylined.id)] == [h.id for h in whoosh_searcher.related(bylined.id)]


def test_index_of_another_format_is_refused(cluster):
    """An index written by another analysis (its mapping's format) is refused with the hint to reindex."""
    from search.backends.opensearch import FORMAT_KEY, OpenSearchBackend, connect, index_settings

    client = connect(cluster.url)
    body = index_settings(1, 0)
    body["mappings"]["_meta"][FORMAT_KEY] = store.FORMAT_VERSION - 1
    client.indices.create(index="old-format-g1", body=body)
    try:
        client.indices.put_alias(index="old-format-g1", name="old-format")
        with pytest.raises(store.IndexMissing, match="arshif reindex"):
            Searcher("old-format", backend=OpenSearchBackend(cluster.url, "old-format"))
    finally:
        client.indices.delete(index="old-format-g1")


def test_cli_search_prints_the_same_json(cluster, os_searcher, whoosh_searcher):
    runner = CliRunner()
    ours = runner.invoke(cli, ["search", "أمير منطقة الرياض", "--json", "--backend", "opensearch",
                               "--url", cluster.url, "--index", ALIAS])
    theirs = runner.invoke(cli, ["search", "أمير منطقة الرياض", "--json", "--index", str(whoosh_searcher.root)])
    assert ours.exit_code == 0 and theirs.exit_code == 0, ours.output + theirs.output
    a, b = json.loads(ours.output), json.loads(theirs.output)
    a.pop("elapsed_ms"), b.pop("elapsed_ms")
    assert a["total"] > 10
    assert a == b


def test_article_and_missing_ones(os_searcher, whoosh_searcher):
    doc_id = whoosh_searcher.search("الملك", snippets=False).hits[0].id
    assert os_searcher.article(doc_id, "الملك") == whoosh_searcher.article(doc_id, "الملك")
    assert os_searcher.article("no-such-article") is None
    assert os_searcher.field_values("year") == whoosh_searcher.field_values("year")


def test_unknown_alias_or_cluster_is_a_clear_error(cluster):
    runner = CliRunner()
    result = runner.invoke(cli, ["search", "الملك", "--backend", "opensearch", "--url", cluster.url, "--index", "nothing-here"])
    assert result.exit_code == 1 and "No Arshif index 'nothing-here'" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(cli, ["search", "الملك", "--backend", "opensearch"], env={"ARSHIF_URL": ""})
    assert result.exit_code == 1 and "--url" in result.output


def test_second_reindex_is_refused_and_changes_nothing(cluster, os_searcher, corpus):
    from search.backends.opensearch import connect
    from search.backends.opensearch.lock import _reindex_lock

    before = os_searcher.generation()
    with _reindex_lock(connect(cluster.url), ALIAS):
        result = CliRunner().invoke(cli, ["reindex", str(corpus), "--backend", "opensearch", "--url", cluster.url,
                                          "--index", ALIAS])
    assert result.exit_code == 1 and "Another reindex" in result.output, result.output
    assert os_searcher.generation() == before


def test_killed_reindex_leaves_the_alias_and_frees_the_lock(cluster, os_searcher, corpus):
    from opensearchpy import OpenSearch

    before, answer = os_searcher.generation(), _ids(os_searcher.search("وزارة الصحة", snippets=False))
    client = OpenSearch(cluster.url.split(","), max_retries=0)  # (polls: a 503 is no dead node)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "search.cli", "reindex", str(corpus), "--backend", "opensearch",
                                "--url", cluster.url, "--index", ALIAS], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # until its new index holds articles
            names = [n for n in client.indices.get(index=f"{ALIAS}-g*") if n != before and not n.endswith("-meta")]
            if names and _count(client, names[0]) > 0:
                break
            assert process.poll() is None, "the reindex ended before it could be killed"
            time.sleep(0.2)
        else:
            pytest.fail("the reindex wrote nothing within 120 s")
        process.send_signal(signal.SIGKILL)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
    time.sleep(OpenSearchBackendTTL())
    assert os_searcher.generation() == before
    assert _ids(os_searcher.search("وزارة الصحة", snippets=False)) == answer
    small = write_jsonl(corpus.parent / "small.jsonl", list(snn_articles(ARTICLES))[:300])
    result = CliRunner().invoke(cli, ["reindex", str(small), "--backend", "opensearch", "--url", cluster.url,
                                      "--index", ALIAS])
    assert result.exit_code == 0, result.output
    time.sleep(OpenSearchBackendTTL())
    assert os_searcher.generation() != before
    assert os_searcher.doc_count() <= 300
    leftovers = [n for n in client.indices.get(index=f"{ALIAS}-g*") if not n.endswith("-meta")]
    assert len(leftovers) <= 2, f"the killed build's index was not cleared: {leftovers}"


def _count(client, index: str) -> int:
    """Articles in `index` now (0 while its shards are still being placed)."""
    from opensearchpy.exceptions import TransportError

    try:
        return int(client.count(index=index)["count"])
    except TransportError:
        return 0


def OpenSearchBackendTTL() -> float:
    from search.backends.opensearch import OpenSearchBackend

    return OpenSearchBackend.ALIAS_TTL + 0.1


def test_reindex_swap_while_searches_run(cluster, os_searcher, corpus):
    articles = list(snn_articles(ARTICLES))
    first, second = (write_jsonl(corpus.parent / f"swap-{n}.jsonl", articles[:n]) for n in (500, 400))
    searcher = Searcher(ALIAS, backend=os_searcher.backend)
    errors: list[str] = []
    seen: set[object] = set()
    done = threading.Event()

    def search_until_done() -> None:
        for _ in range(2000):  # bounded; ends when the reindexes are over
            if done.is_set():
                return
            try:
                results = searcher.search("الأمن", snippets=False)
                seen.add(results.total)
                if not results.hits:
                    errors.append("no hits")
            except Exception as exc:  # noqa: BLE001 -- every failure is reported
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=search_until_done) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        from search.backends.opensearch import OpenSearchBuild

        for source in (first, second):
            reindex([source], Path("unused"), build=OpenSearchBuild.locked(cluster.url, ALIAS))
    finally:
        done.set()
        for t in threads:
            t.join(timeout=120)
    assert not errors, errors[:5]
    assert len(seen) >= 2, f"the searches saw one index only: totals {seen}"


def test_search_answers_with_one_node_stopped(cluster, os_searcher):
    """Last: it leaves the cluster one node short."""
    from search.backends.opensearch import connect

    query = "وزارة التعليم"
    before = _ids(os_searcher.search(query, snippets=False))
    assert before
    manager = connect(cluster.url).cat.cluster_manager(format="json")[0]["node"]  # the harder node to lose
    node = int(manager.rpartition("-")[2])
    cluster.stop(node=node)
    state = json.loads((cluster.directory / "cluster.json").read_text())
    pid = state["nodes"][node]["pid"]
    assert not Path(f"/proc/{pid}").exists() or b"ArshifNode" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    searcher = Searcher(ALIAS, backend=type(os_searcher.backend)(cluster.url, ALIAS))
    assert _ids(searcher.search(query, snippets=False)) == before
    with pytest.raises(store.IndexMissing):
        Searcher(ALIAS, backend=type(os_searcher.backend)(cluster.url, "nothing-here"))
    cluster.stop()  # and with none: a clear error, not "damaged, rebuild"
    time.sleep(OpenSearchBackendTTL())
    with pytest.raises(store.IndexMissing, match=r"(does|could) not answer"):
        searcher.search(query, snippets=False)
