"""The benchmark runs (quick mode, a tiny corpus): a smoke test, no timing assertions.

Tests are tests, benchmarks are benchmarks: the figures themselves go in docs/benchmark.md.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bench import speed as bench

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_634241ae74eb9ffe.txt"


def paragraphs() -> list[str]:
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines[4:] if len(line) > 80]


def tiny_records(count: int = 36) -> list[dict]:
    """`count` distinct articles made of the seed's paragraphs (real Arabic news text)."""
    paras = paragraphs()
    records = []
    for n in range(count):
        first, second = paras[n % len(paras)], paras[(n * 5 + 1) % len(paras)]
        records.append({"id": f"tiny-{n:03d}", "title": " ".join(first.split()[:7]),
                        "body": f"{first}\n{second}\n{n}", "date": f"2020-06-{1 + n % 28:02d} 10:00:00",
                        "source": "seed", "author": "", "url": f"https://example.org/{n}"})
    return records


@pytest.fixture
def tiny_set(tmp_path):
    """A tiny corpus (.jsonl.gz), news queries, and arcd-like and knownitem-like query sets."""
    records = tiny_records()
    corpus = tmp_path / "tiny.jsonl.gz"
    with gzip.open(corpus, "wt", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    news = tmp_path / "news.txt"
    news.write_text("داعش\nالميليشيات الإيرانية\nالمرصد السوري لحقوق\nصبراتة\n", encoding="utf-8")
    arcd = tmp_path / "arcd"
    arcd.mkdir()
    with open(arcd / "corpus.jsonl", "w", encoding="utf-8") as f:
        for rec in records[:12]:
            f.write(json.dumps({"id": rec["id"], "title": rec["title"], "body": rec["body"]}, ensure_ascii=False) + "\n")
    (arcd / "dev.tsv").write_text("".join(f"q{n}\t- ما هو {' '.join(rec['body'].split()[8:14])}؟\n"
                                          for n, rec in enumerate(records[:12])), encoding="utf-8")
    (arcd / "dev.qrels").write_text("".join(f"q{n} 0 {rec['id']} 1\n" for n, rec in enumerate(records[:12])),
                                    encoding="utf-8")
    ki = tmp_path / "knownitem"
    ki.mkdir()
    (ki / "dev.tsv").write_text("".join(f"k{n}\t{rec['title']}\n" for n, rec in enumerate(records[:8])),
                                encoding="utf-8")
    (ki / "dev.qrels").write_text("".join(f"k{n} 0 {rec['id']} 1\n" for n, rec in enumerate(records[:8])),
                                  encoding="utf-8")
    return {"corpus": corpus, "news": news, "arcd": arcd, "knownitem": ki}


def test_quick_benchmark_runs_on_a_tiny_corpus(tiny_set, tmp_path, capsys):
    out = tmp_path / "report" / "benchmark.md"
    code = bench.main([
        "--quick", "--corpus", str(tiny_set["corpus"]), "--sections", "reindex,queries", "--no-lucene",
        "--news-queries", str(tiny_set["news"]), "--arcd-dir", str(tiny_set["arcd"]),
        "--knownitem-dir", str(tiny_set["knownitem"]), "--workdir", str(tmp_path / "work"), "--out", str(out),
    ])
    assert code == 0
    report = out.read_text(encoding="utf-8")
    for heading in ("## Machine", "## Full reindex", "## Query latency"):
        assert heading in report
    assert "## Web" not in report and "## Growth" not in report
    assert "36 input records" in report
    for kind in ("news", "questions", "headlines"):
        assert f"| {kind} | Arshif, snippets" in report
        assert f"| {kind} | stock Whoosh" in report
    assert "Lucene skipped (--no-lucene)" in report
    assert "| Arshif |" in capsys.readouterr().out


def test_copies_are_new_articles(tmp_path):
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps({"id": "a", "url": "http://x/1", "title": "t", "body": "نص"}) + "\n", encoding="utf-8")
    dst = tmp_path / "four.jsonl.gz"
    assert bench.write_repeated(src, dst, 4) == 4
    recs = [json.loads(line) for line in bench.iter_lines(dst)]
    assert recs[0]["id"] == "a" and recs[0]["body"] == "نص"
    assert len({r["id"] for r in recs}) == len({r["url"] for r in recs}) == len({r["body"] for r in recs}) == 4


def test_percentile_and_score():
    assert bench.percentile([], 50) is None
    assert bench.percentile([1, 2, 3, 4, 5], 50) == 3
    assert bench.percentile([10.0], 99) == 10.0
    qrels = {"q1": {"d1": 1}, "q2": {"d2": 1}}
    scores = bench.score({"q1": ["d1", "d9"], "q2": []}, qrels, ["q1", "q2"])
    assert scores["judged"] == 2
    assert scores["nDCG@10"] == pytest.approx(0.5)
    assert scores["RR@10"] == pytest.approx(0.5)


def test_backends_section_is_opt_in_and_names_the_winner_per_size():
    """The backends section (a cluster, about an hour) runs only when named; its summary says, from
    the rows, which backend is better at each size and how each grows; a skipped size says why."""
    from bench import backends

    assert "backends" in bench.SECTIONS and "backends" not in bench.DEFAULT_SECTIONS
    assert bench.build_parser().parse_args([]).sections.split(",") == list(bench.DEFAULT_SECTIONS)

    def row(backend, factor, records, docs_per_s, p95):
        return {"backend": backend, "factor": factor, "records": records, "indexed": records, "seconds": 1.0,
                "docs_per_s": docs_per_s, "size": 2**20, "size_all": 2**21, "p50": p95 / 2, "p95": p95,
                "web_rps": 10.0, "web_p50": p95, "web_p95": 2 * p95, "web_errors": 0, "load": 1.0}

    rows = [row("opensearch", 1.0, 1000, 100.0, 50.0), row("whoosh", 1.0, 1000, 300.0, 10.0),
            row("opensearch", 4.0, 4000, 100.0, 50.0), row("whoosh", 4.0, 4000, 300.0, 80.0),
            {"backend": "opensearch", "factor": 16.0, "records": 16000, "skipped": "skipped: past the budget"}]
    text = backends.summary(rows)
    assert "**reindex docs/s**: better with 100%: Whoosh (3.0×); 4×: Whoosh (3.0×)" in text
    assert "**news p95**: better with 100%: Whoosh (5.0×); 4×: OpenSearch (1.6×)" in text
    assert "**web requests/s**: better with 100%: even (within 5%); 4×: even (within 5%)" in text
    assert "Whoosh ∝ n^1.50" in text and "OpenSearch ∝ n^0.00" in text
    args = bench.build_parser().parse_args(["--sections", "backends"])
    table = backends.table(rows, args, 5)
    assert "| 16× | 16,000 | Arshif + OpenSearch | skipped: past the budget |" in table
    assert "1 (2 all copies)" in table
