"""The relevance evaluation: scoring on a hand-made run, TREC files, and a smoke run of Arshif on
a tiny corpus cut from the seed article (no ../shared needed)."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import pytest

from bench import evaluate as ev
from bench.baselines import BaselineSearcher, build_index

SEED_FILE = Path(__file__).resolve().parent.parent / "seeds" / "000_634241ae74eb9ffe.txt"


# --- scoring -------------------------------------------------------------------------------

QRELS = {
    "q1": {"d1": 1},
    "q2": {"d2": 1, "d3": 1},
    "q3": {"d9": 1},  # not in the run at all
    "q4": {"d4": 1},  # in the run with no results
    "q5": {"b": 1},  # tied scores: the run's order counts, not the document ids
}
RUN = {
    "q1": [("d0", 3.0), ("d1", 2.0)],
    "q2": [("d2", 9.0), ("x", 8.0), ("d3", 7.0)],
    "q4": [],
    "q5": [("a", 1.0), ("b", 1.0)],
    "q6": [("d1", 1.0)],  # asked, but without judgments
}


def test_score_run_per_query_and_means_count_missing_queries_as_zero():
    scores = ev.score_run(RUN, QRELS, ["q1", "q2", "q3", "q4", "q5", "q6"])
    per = scores.per_query
    assert per["q1"]["MRR@10"] == pytest.approx(0.5)
    assert per["q1"]["nDCG@10"] == pytest.approx(1 / math.log2(3))
    assert per["q1"]["R@100"] == pytest.approx(1.0)
    assert per["q2"]["MRR@10"] == pytest.approx(1.0)
    assert per["q2"]["nDCG@10"] == pytest.approx((1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3)))
    assert per["q2"]["R@100"] == pytest.approx(1.0)
    for missing in ("q3", "q4"):
        assert per[missing] == {"MRR@10": 0.0, "nDCG@10": 0.0, "R@100": 0.0, "S@100": 0.0}
    assert per["q5"]["MRR@10"] == pytest.approx(0.5)  # b is second in the run, whatever its id
    assert scores.judged == 5 and scores.unjudged == ["q6"] and "q6" not in per
    assert scores.means["MRR@10"] == pytest.approx((0.5 + 1 + 0 + 0 + 0.5) / 5)
    assert scores.means["R@100"] == pytest.approx((1 + 1 + 0 + 0 + 1) / 5)
    assert scores.means["nDCG@10"] == pytest.approx(sum(p["nDCG@10"] for p in per.values()) / 5)


def test_score_run_depth_cutoffs():
    qrels = {"q": {"rel": 1}}
    deep = [(f"n{i}", 100.0 - i) for i in range(10)] + [("rel", 1.0)]  # rank 11
    scores = ev.score_run({"q": deep}, qrels)
    assert scores.means == {"MRR@10": 0.0, "nDCG@10": 0.0, "R@100": 1.0, "S@100": 1.0}
    too_deep = [(f"n{i}", 200.0 - i) for i in range(100)] + [("rel", 1.0)]  # rank 101
    assert ev.score_run({"q": too_deep}, qrels).means["R@100"] == 0.0


def test_score_run_defaults_to_every_judged_query():
    assert ev.score_run({}, QRELS).means == {"MRR@10": 0.0, "nDCG@10": 0.0, "R@100": 0.0, "S@100": 0.0}


def test_success_counts_any_copy_of_the_article():
    qrels = {"q": {"copy1": 1, "copy2": 1}}
    scores = ev.score_run({"q": [("copy2", 1.0)]}, qrels)
    assert scores.means["R@100"] == pytest.approx(0.5)
    assert scores.means["S@100"] == pytest.approx(1.0)


def test_a_written_run_scores_the_same_in_ir_measures_as_in_its_order(tmp_path):
    """A run whose scores rise down its order (Arshif's second phase on one scale, the first
    phase below it on another) is scored by trec_eval-style tools in score order: the written
    run must carry its order in the scores."""
    import ir_measures

    run = {"q1": [("d1", 0.2), ("d0", 5.0)], "q2": [("x", 0.9), ("d2", 0.8), ("d3", 7.0)]}
    path = tmp_path / "r.run"
    ev.write_trec_run(path, run, "tag")
    measures = [ir_measures.RR @ 10, ir_measures.nDCG @ 10]
    read = ir_measures.calc_aggregate(measures, ir_measures.read_trec_qrels(str(qrels_file(tmp_path))),
                                      ir_measures.read_trec_run(str(path)))
    ours = ev.score_run(run, ev.read_qrels(qrels_file(tmp_path)), ["q1", "q2"]).means
    assert read[ir_measures.RR @ 10] == pytest.approx(ours["MRR@10"]) == pytest.approx((1 / 2 + 1 / 2) / 2)
    assert read[ir_measures.nDCG @ 10] == pytest.approx(ours["nDCG@10"])


def qrels_file(tmp_path):
    path = tmp_path / "q.qrels"
    path.write_text("q1 0 d0 1\nq2 0 d2 1\nq2 0 d3 1\n")
    return path


def test_trec_run_round_trip_and_query_file(tmp_path):
    path = tmp_path / "runs" / "x.run"
    ev.write_trec_run(path, {"q1": RUN["q1"], "q2": RUN["q2"]}, "tag")
    lines = path.read_text().splitlines()
    assert lines[0] == "q1 Q0 d0 1 2 tag"  # the score falls with the rank: tools order runs by it
    assert ev.read_trec_run(path) == {"q1": [("d0", 2.0), ("d1", 1.0)], "q2": [("d2", 3.0), ("x", 2.0), ("d3", 1.0)]}
    queries = tmp_path / "q.tsv"
    queries.write_text("a\t- من هو؟ ال\nb\tسؤال\n\nbroken line\nc\tثالث\n", encoding="utf-8")
    assert ev.read_queries(queries) == [("a", "- من هو؟ ال"), ("b", "سؤال"), ("c", "ثالث")]
    assert ev.read_queries(queries, limit=2) == [("a", "- من هو؟ ال"), ("b", "سؤال")]


def test_settings_build_configs_and_leave_the_default_alone():
    from search.query.config import DEFAULT

    ranking = ev.parse_settings(["title=1.5", "COORDINATION=0", "bm25_k1=0.9"])
    assert (ranking.field_weight("title"), ranking.coordination, ranking.bm25_k1) == (1.5, 0, 0.9)
    assert (DEFAULT.field_weight("title"), DEFAULT.coordination) == (1.0, 0.5)
    with pytest.raises(argparse.ArgumentTypeError):
        ev.parse_settings(["no_such_setting=1"])
    labels = [label for label, _ in ev.ablations()]
    assert len(labels) == len(set(labels)) and all(config != DEFAULT for _, config in ev.ablations())


def test_searchers_with_other_settings_run_side_by_side(tiny_set, tmp_path):
    """Configs, not globals: two searchers in two threads each rank with their own settings."""
    from concurrent.futures import ThreadPoolExecutor

    root, _ = ev.build_arshif(tiny_set, tmp_path / "cache", False, 1, log=lambda msg: None)
    query = QUERIES[0][0]
    default = ev.arshif_searcher(root, tiny_set.fields)
    first_phase_only = ev.arshif_searcher(root, tiny_set.fields, ev.DEFAULT.replace(rerank_depth=0))
    alone = (default(query), first_phase_only(query))
    assert alone[0] != alone[1]
    with ThreadPoolExecutor(2) as pool:
        for _ in range(5):
            together = tuple(pool.map(lambda search: search(query), (default, first_phase_only)))
            assert together == alone


def test_lucene_row_is_skipped_without_java(monkeypatch, tmp_path):
    monkeypatch.setattr(ev.shutil, "which", lambda exe: None)
    reason = ev.lucene_missing(tmp_path / "run")
    assert reason == "java and javac not on PATH"


# --- a tiny collection from the seed article -----------------------------------------------

def _paragraphs() -> list[str]:
    lines = [line.strip() for line in SEED_FILE.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines[4:] if len(line) > 80]


#: (query, the paragraph that answers it: the first one containing `marker`)
QUERIES = [
    ("كم بلغت حصيلة الخسائر البشرية في صفوف الجيش السوري؟", "575 قتيلا"),
    ("من هو القيادي الذي رصدته مخابرات الجيش الليبي في صبراتة", "عبدالحكيم المشوط"),
    ("- ماذا فعل داعش بالمكتب المخصص لمكافحته؟ ال", "المكتب الذي كان مخصصاً"),
]
#: A word in every title and in no body: a body-only search must not find it.
TITLE_ONLY_WORD = "مقديشو"


@pytest.fixture(scope="module")
def tiny_set(tmp_path_factory) -> ev.EvalSet:
    folder = tmp_path_factory.mktemp("tiny")
    paragraphs = _paragraphs()
    assert len(paragraphs) >= 10
    with open(folder / "corpus.jsonl", "w", encoding="utf-8") as f:
        for n, text in enumerate(paragraphs):
            title = f"{TITLE_ONLY_WORD}: " + " ".join(text.split()[:6])
            f.write(json.dumps({"id": f"p{n:02d}", "title": title, "body": text}, ensure_ascii=False) + "\n")
    with open(folder / "queries.tsv", "w", encoding="utf-8") as q, open(folder / "qrels", "w") as r:
        for n, (query, marker) in enumerate(QUERIES):
            answer = next(i for i, text in enumerate(paragraphs) if marker in text)
            q.write(f"t{n}\t{query}\n")
            r.write(f"t{n} 0 p{answer:02d} 1\n")
    return ev.EvalSet("tiny", folder / "corpus.jsonl", folder / "queries.tsv", folder / "qrels", ("title", "body"))


def test_arshif_on_the_seed_paragraphs(tiny_set, tmp_path):
    results = ev.evaluate([tiny_set], ["arshif"], cache=tmp_path / "cache", procs=1, runs_dir=tmp_path / "runs",
                          log=lambda msg: None)
    out = results[("arshif", "tiny")]
    assert out.skipped is None and out.docs == len(_paragraphs())
    assert out.scores.judged == len(QUERIES)
    assert out.scores.means["MRR@10"] == pytest.approx(1.0)
    assert out.scores.means["R@100"] == pytest.approx(1.0)
    assert out.p50_ms is not None and out.index_seconds is not None
    run = ev.read_trec_run(tmp_path / "runs" / "tiny-arshif.run")
    assert set(run) == {"t0", "t1", "t2"}
    table = ev.results_table(results, ["arshif"], ["tiny"])
    assert "Arshif" in table and "1.000" in table

    # A second run uses the cached index (no rebuild) and gives the same figures.
    again = ev.evaluate([tiny_set], ["arshif"], cache=tmp_path / "cache", procs=1, log=lambda msg: None)
    assert again[("arshif", "tiny")].scores.means == out.scores.means
    assert len(list((tmp_path / "cache").glob("corpus-arshif-*"))) == 1


def test_body_only_search_never_touches_the_title(tiny_set, tmp_path):
    body_only = ev.EvalSet("tinybody", tiny_set.corpus, tiny_set.queries, tiny_set.qrels, ("body",))
    results = ev.evaluate([body_only], ["arshif"], cache=tmp_path / "cache", procs=1, log=lambda msg: None)
    out = results[("arshif", "tinybody")]
    assert out.scores.means["MRR@10"] > 0.5
    assert any(note.startswith("checked:") for note in out.notes), out.notes
    root, _ = ev.build_arshif(body_only, tmp_path / "cache", False, 1)
    search = ev.arshif_searcher(root, ("body",))
    assert search(TITLE_ONLY_WORD) == []
    assert len(ev.arshif_searcher(root, ("title", "body"))(TITLE_ONLY_WORD)) == len(_paragraphs())


def test_ablation_rows(tiny_set, tmp_path):
    rows = ev.run_ablation([tiny_set], tmp_path / "cache", False, 1, None, log=lambda msg: None)
    assert rows[0][0] == "Arshif default" and len(rows) == 1 + len(ev.ablations())
    table = ev.ablation_table(rows)
    assert table.count("\n") == len(rows) + 1


@pytest.mark.parametrize("kind", ["plain", "normalize", "tashaphyne"])
def test_baselines_find_the_paragraphs(tiny_set, tmp_path, kind):
    records = list(ev.read_corpus(tiny_set))
    docs, seconds = build_index(kind, records, ("title", "body"), tmp_path / kind)
    assert docs == len(records) and seconds >= 0
    searcher = BaselineSearcher(tmp_path / kind, kind, ("title", "body"))
    qrels = ev.read_qrels(tiny_set.qrels)
    run = {qid: searcher.search(text) for qid, text in ev.read_queries(tiny_set.queries)}
    assert ev.score_run(run, qrels).means["R@100"] == pytest.approx(1.0)
    assert searcher.search("؟ ،") == []  # punctuation only: nothing to search


def test_stock_whoosh_parser_keeps_the_arabic_question_mark_on_the_word(tiny_set, tmp_path):
    build_index("plain", ev.read_corpus(tiny_set), ("body",), tmp_path / "plain")
    stock = BaselineSearcher(tmp_path / "plain", "plain", ("body",), parser="whoosh")
    tokens = BaselineSearcher(tmp_path / "plain", "plain", ("body",))
    assert "المشوط؟" in {text for _, text in stock.query("المشوط؟").iter_all_terms()}
    assert stock.search("المشوط؟") == []
    assert tokens.search("المشوط؟")


def test_default_sets_include_quote_over_title_and_body():
    sets = ev.default_sets()
    if not sets["quote"].corpus.is_file():
        pytest.skip(f"no corpus at {sets['quote'].corpus}")
    assert list(sets) == [*ev.DEFAULT_SETS, "names"] == ["arcd", "knownitem", "quote", "names"]
    assert sets["quote"].fields == ("title", "body") and sets["knownitem"].fields == ("body",)
    assert sets["names"].qrels is None and sets["names"].corpus == sets["quote"].corpus  # scored by the names tool
    assert sets["quote"].corpus == sets["knownitem"].corpus
    # one Arshif index per corpus: knownitem and quote share it
    assert ev.index_key("arshif", sets["quote"]) == ev.index_key("arshif", sets["knownitem"])
    assert ev.index_key("plain", sets["quote"]) != ev.index_key("plain", sets["knownitem"])


def test_reference_rows_fill_the_columns_of_their_sets(tmp_path):
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "README.md").write_text(
        "## Reference figures\n| system | a | b | c | d | e | f | g | h | i | names |\n| --- |\n"
        "| Peer | 0.1 | 0.2 | 0.3 | 0.4 | 0.5 | 0.6 | 0.7 | 0.8 | 0.9 | 0.95 |\n", encoding="utf-8")
    rows = ev.reference_rows(tmp_path)
    table = ev.results_table({}, ["arshif"], ["quote"], rows).splitlines()
    header, reference = table[0].split(" | "), table[-1].split(" | ")
    assert len(header) == len(reference)
    assert reference[header.index("quote R@100")] == "0.9" and "0.95" not in table[-1]


def test_evaluation_over_the_messy_corpus(messy_corpus, tmp_path):
    """The messy archive through the evaluation: a title-only gallery found by its title, an
    untitled article by a sentence of its body; every score finite."""
    from conftest import messy_records

    records = messy_records()
    gallery = next(r for r in records if not r.get("body") and len(r.get("title", "").split()) >= 4)
    untitled = next(r for r in records if not r.get("title", "").strip() and len(r.get("body", "").split()) > 40)
    queries, qrels = tmp_path / "q.tsv", tmp_path / "qrels"
    queries.write_text(f"g\t{gallery['title']}\nu\t{' '.join(untitled['body'].split()[20:32])}\n", encoding="utf-8")
    qrels.write_text(f"g 0 {gallery['id']} 1\nu 0 {untitled['id']} 1\n", encoding="utf-8")
    messy = ev.EvalSet("messy", messy_corpus / "messy.jsonl", queries, qrels, ("title", "body"))
    results = ev.evaluate([messy], ["arshif"], cache=tmp_path / "cache", procs=2, log=lambda msg: None)
    out = results[("arshif", "messy")]
    assert out.scores.per_query["g"]["R@100"] == 1.0 and out.scores.per_query["u"]["R@100"] == 1.0
    assert all(math.isfinite(score) for hits in out.run.values() for _, score in hits)


def test_bm25s_row_is_skipped_without_bm25s(monkeypatch, tmp_path):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "bm25s" else real(name, *a))
    tool = tmp_path / "bm25s_baseline.py"
    tool.write_text("")
    assert "pip install bm25s PyStemmer" in ev.peer_missing("bm25s", tool)
    ev_set = ev.EvalSet("x", tmp_path / "c.jsonl", tmp_path / "q.tsv", tmp_path / "qrels", ("title", "body"))
    out = ev.run_peer("bm25s", ev_set, [("q1", "داعش")], tool, tmp_path / "cache", False, log=lambda m: None)
    assert out.skipped and not out.run


def test_bm25s_row_on_the_messy_corpus(messy_corpus, tmp_path):
    """The bm25s peer through its shared tool (a corpus of 100 articles or more: it asks for 100)."""
    from conftest import messy_records

    tool = ev.DEFAULT_SHARED / "tools" / ev.PEER_TOOLS["bm25s"]
    if ev.peer_missing("bm25s", tool):
        pytest.skip(ev.peer_missing("bm25s", tool))
    record = next(r for r in messy_records() if len(r.get("body", "").split()) > 60 and r.get("title"))
    queries, qrels = tmp_path / "q.tsv", tmp_path / "qrels"
    queries.write_text(f"s\t{' '.join(record['body'].split()[30:42])}\n", encoding="utf-8")
    qrels.write_text(f"s 0 {record['id']} 1\n", encoding="utf-8")
    messy = ev.EvalSet("messy", messy_corpus / "messy.jsonl", queries, qrels, ("title", "body"))
    out = ev.evaluate([messy], ["bm25s"], cache=tmp_path / "cache", log=lambda msg: None)[("bm25s", "messy")]
    assert out.skipped is None and out.scores.per_query["s"]["R@100"] == 1.0


def test_names_set_is_scored_by_the_shared_names_tool(tiny_set, tmp_path):
    tools = ev.DEFAULT_SHARED / "tools"
    if not (tools / "names_score.py").is_file():
        pytest.skip(f"{tools / 'names_score.py'} not found (../shared is beside the clone in CI)")
    queries = tmp_path / "names.tsv"
    queries.write_text("n1\tصبراتة\nn2\tالمكتب\nn3\tالحوثيين\n", encoding="utf-8")
    names = ev.EvalSet("names", tiny_set.corpus, queries, None, ("title", "body"))
    results = ev.evaluate([names], ["arshif"], cache=tmp_path / "cache", procs=1,
                          lucene_tool=tools / "lucene" / "run", log=lambda msg: None)
    scores = results[("arshif", "names")].scores
    words = {n: sum(name in text for text in _paragraphs()) for n, name in (("n1", "صبراتة"), ("n2", "المكتب"))}
    assert words["n1"] and words["n2"]  # both names are in the corpus, so each has hits
    assert set(scores.means) == {"P@10"} and 0 < scores.means["P@10"] <= 1
    assert scores.per_query["n3"]["P@10"] == 0.0  # a name no article has: nothing found, precision 0
    assert scores.means["P@10"] == pytest.approx(sum(q["P@10"] for q in scores.per_query.values()) / 3)
    assert "names P@10" in ev.results_table(results, ["arshif"], ["names"])
