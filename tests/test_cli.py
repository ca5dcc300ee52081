"""The arshif command: each subcommand's output, exit code and effect."""

import json

import pytest
from click.testing import CliRunner
from conftest import SEEDS

from search.cli import cli
from search.index import store


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_reindex_prints_a_summary_and_builds_the_index(tmp_path):
    result = run("reindex", str(SEEDS), "--index", str(tmp_path / "ix"), "--procs", "1")
    assert result.exit_code == 0, result.output
    assert "Indexed 1 articles" in result.output and "docs/s" in result.output
    assert store.current_generation(tmp_path / "ix") is not None


def test_reindex_reads_the_index_dir_from_the_environment(tmp_path):
    result = run("reindex", str(SEEDS), "--procs", "1", env={"ARSHIF_INDEX": str(tmp_path / "envix")})
    assert result.exit_code == 0
    assert store.current_generation(tmp_path / "envix") is not None


def test_reindex_reports_skipped_records_and_strict_fails(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.jsonl").write_text('{"id": "1", "title": "داعش", "body": "تنظيم داعش يعود"}\n{not json\n',
                                 encoding="utf-8")
    result = run("reindex", str(src), "--index", str(tmp_path / "ix"), "--procs", "1")
    assert result.exit_code == 0
    assert "skipped" in result.output and "a.jsonl" in result.output
    strict = run("reindex", str(src), "--index", str(tmp_path / "ix"), "--procs", "1", "--strict")
    assert strict.exit_code == 1


def test_search_prints_title_date_and_marked_snippet(seed_index):
    result = run("search", "الميليشيات الإيرانية", "--index", str(seed_index))
    assert result.exit_code == 0
    assert "1 results" in result.output
    assert "2020-06-22" in result.output
    assert "«الميليشيات»" in result.output


def test_search_json_has_the_documented_shape(seed_index):
    result = run("search", "داعش", "--index", str(seed_index), "--json")
    data = json.loads(result.output)
    assert data["query"] == "داعش" and data["total"] == 1 and data["page"] == 1
    hit = data["results"][0]
    assert set(hit) >= {"id", "title", "date", "source", "author", "url", "score", "snippet"}
    assert "<mark>داعش</mark>" in hit["snippet"]


def test_search_without_an_index_says_how_to_build_one(tmp_path):
    result = run("search", "داعش", "--index", str(tmp_path / "none"))
    assert result.exit_code == 1
    assert "arshif reindex" in result.output and "Traceback" not in result.output


def test_search_bad_date_is_a_clear_error(seed_index):
    result = run("search", "داعش", "--index", str(seed_index), "--from", "22-06-2020")
    assert result.exit_code == 1 and "YYYY-MM-DD" in result.output


def test_batch_prints_a_trec_run(seed_index, tmp_path):
    queries = tmp_path / "q.tsv"
    queries.write_text("q1\t- من هو عبدالحكيم المشوط؟\nq2\tالبطاطس\nbroken line\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["search", "--batch", str(queries), "--index", str(seed_index)])
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    qid, q0, docid, rank, score, tag = lines[0].split()
    assert (qid, q0, rank, tag) == ("q1", "Q0", "1", "arshif") and float(score) > 0
    assert "line 3" in result.stderr


def test_analyze_shows_original_normalized_and_stem():
    result = run("analyze", "وبالتنسيق مع الاستخبارات")
    assert result.exit_code == 0
    lines = [line.rsplit("  (", 1)[0] for line in result.output.splitlines()]  # the rules follow in brackets
    assert "وبالتنسيق" in lines[0] and lines[0].split()[-1] == "تنسيق"
    assert "stopword" in lines[1]
    assert lines[2].split()[-1] == "استخبار"
    assert "(proclitic وبال)" in result.output.splitlines()[0]  # why it was stemmed
    assert "(proclitic ال; ending ات)" in result.output.splitlines()[2]


def test_a_second_reindex_while_one_runs_exits_without_touching_anything(tmp_path):
    root = tmp_path / "ix"
    run("reindex", str(SEEDS), "--index", str(root), "--procs", "1")
    before = store.current_generation(root)
    with store.reindex_lock(root):
        result = run("reindex", str(SEEDS), "--index", str(root), "--procs", "1")
    assert result.exit_code == 1 and "Another reindex is running" in result.output
    assert store.current_generation(root) == before


@pytest.mark.parametrize("command", ["evaluate", "bench"])
def test_evaluate_and_bench_without_the_eval_extra_say_what_to_install(command, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ir_measures" else real(name, *a))
    result = CliRunner().invoke(cli, [command])
    assert result.exit_code == 1
    assert "pip install -e '.[eval]'" in result.output and "Traceback" not in result.output


def test_a_query_may_start_with_an_exclusion(seed_index):
    everything = CliRunner().invoke(cli, ["search", "--index", str(seed_index), "--", "-ززززز"])
    result = CliRunner().invoke(cli, ["search", "-ززززز", "--index", str(seed_index)])
    first_line = lambda out: out.split("\n")[0].split(" (")[0]
    assert result.exit_code == 0 and first_line(result.output) == first_line(everything.output)
    assert result.output.startswith("1 results")
