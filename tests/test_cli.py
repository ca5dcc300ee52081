"""The arshif command: each subcommand's output, exit code and effect."""

import itertools
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
    assert "Indexed 1 article " in result.output and "docs/s" in result.output
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
    assert result.output.startswith("1 result, 1 with every word (")
    assert "2020-06-22" in result.output
    assert "⟦الميليشيات⟧" in result.output and "«الميليشيات»" not in result.output


def test_search_json_has_the_documented_shape(seed_index):
    result = run("search", "داعش", "--index", str(seed_index), "--json")
    data = json.loads(result.output)
    assert data["query"] == "داعش" and data["total"] == 1 and data["page"] == 1
    hit = data["results"][0]
    assert set(hit) >= {"id", "title", "date", "source", "author", "url", "score", "snippet"}
    assert "<mark>داعش</mark>" in hit["snippet"]
    assert set(data["facets"]) == {"year", "month", "source"}  # as the README and the API say
    assert all(isinstance(values, list) for values in data["facets"].values())


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


def test_a_batch_run_has_its_order_in_its_scores(paragraphs_index, tmp_path):
    """trec_eval and ir-measures order a run by its scores: they must fall with the rank, though
    the engine's scores come from two phases on different scales."""
    queries = tmp_path / "q.tsv"
    queries.write_text("q1\tداعش\nq2\tالجيش السوري في مدينة صبراتة\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["search", "--batch", str(queries), "--index", str(paragraphs_index)])
    rows: dict[str, list[tuple[int, float]]] = {}
    for line in result.stdout.splitlines():
        qid, _, _, rank, score, _ = line.split()
        rows.setdefault(qid, []).append((int(rank), float(score)))
    assert set(rows) == {"q1", "q2"} and all(len(v) > 3 for v in rows.values())
    for ranked in rows.values():
        scores = [score for _, score in sorted(ranked)]
        assert all(a > b for a, b in itertools.pairwise(scores)) and scores[-1] > 0


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
    assert result.output.startswith("1 result ")


# --- issue 20: marks, plurals, stopword-only queries, leading "- ", reindex report ----------

def test_marks_are_colour_on_a_terminal_and_brackets_elsewhere(seed_index):
    """Run through a real pseudo-terminal: bold colour there; ⟦ ⟧ in a pipe, never « » (the
    Arabic quotation marks the text itself uses)."""
    import os
    import pty
    import subprocess
    import sys

    from search.cli import PLAIN_MARKS, TERMINAL_MARKS

    command = [sys.executable, "-m", "search", "search", "داعش", "--index", str(seed_index)]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    leader, follower = pty.openpty()
    proc = subprocess.Popen(command, stdout=follower, stderr=subprocess.DEVNULL, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait()
    os.close(leader)
    on_terminal = b"".join(chunks).decode("utf-8")
    assert f"{TERMINAL_MARKS[0]}داعش{TERMINAL_MARKS[1]}" in on_terminal and "⟦" not in on_terminal
    piped = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    assert f"{PLAIN_MARKS[0]}داعش{PLAIN_MARKS[1]}" in piped and "\x1b[" not in piped
    no_color = subprocess.run(command, capture_output=True, text=True, env={**env, "NO_COLOR": "1"}).stdout
    assert "\x1b[1;33m" not in no_color


def test_counts_are_singular_and_plural(seed_index, tmp_path):
    from search.cli import plural

    assert [plural(n, "result") for n in (0, 1, 2, 1234)] == ["0 results", "1 result", "2 results", "1,234 results"]
    none = run("search", "البطاطس", "--index", str(seed_index))
    assert none.output.startswith("0 results (")


@pytest.mark.parametrize("query", ["في من", "من هو", "- ؟", ""])
def test_a_query_with_nothing_to_search_is_an_error_as_on_the_web(seed_index, query, tmp_path):
    from web import create_app

    result = CliRunner().invoke(cli, ["search", query, "--index", str(seed_index)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "stopwords" in result.output or "Type some words" in result.output
    as_json = CliRunner().invoke(cli, ["search", query, "--index", str(seed_index), "--json"])
    assert as_json.exit_code == 1 and not as_json.stdout.lstrip().startswith("{")
    client = create_app({"TESTING": True, "INDEX_DIR": str(seed_index)}).test_client()
    assert client.get("/api/search", query_string={"q": query}).status_code == 400


def test_batch_warns_about_a_query_with_nothing_to_search(seed_index, tmp_path):
    queries = tmp_path / "q.tsv"
    queries.write_text("q1\tداعش\nq2\tفي من هو\nq3\tالميليشيات\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["search", "--batch", str(queries), "--index", str(seed_index)])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["q1", "q3"]  # q2: an empty result
    assert "line 2 (q2): no results:" in result.stderr and "stopwords" in result.stderr


@pytest.mark.parametrize("args", [
    ["- من هو عبدالحكيم المشوط؟"], ["- داعش", "--json"], ["--limit", "1", "- داعش"],
    ["- داعش", "--sort", "newest"], ["--from", "2020-01-01", "- ما هو داعش"], ["--sort=oldest", "- داعش"],
])
def test_a_query_may_start_with_a_dash_and_a_space(seed_index, args):
    result = run("search", *args, "--index", str(seed_index))
    assert result.exit_code == 0, result.output
    assert '"total": 1' in result.stdout or result.stdout.startswith("1 result")


def test_a_dash_word_is_an_exclusion_and_an_option_still_an_option(seed_index):
    excluded = run("search", "داعش -الميليشيات", "--index", str(seed_index))
    assert excluded.output.startswith("0 results")
    bad = CliRunner().invoke(cli, ["search", "داعش", "--index", str(seed_index), "--sort", "sideways"])
    assert bad.exit_code == 2 and "sideways" in bad.output


@pytest.mark.parametrize("text", ["- من هو داعش", "-داعش", "-- داعش"])
def test_analyze_takes_text_that_starts_with_a_dash(text):
    result = run("analyze", text)
    assert result.exit_code == 0, result.output
    if "داعش" in text:
        assert result.output.splitlines()[-1].split("→")[2].split()[0] == "داعش"


def test_reindex_groups_problems_by_kind_and_prints_the_summary_last(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    good = [f'{{"id": "g{n}", "title": "داعش {n}", "body": "تنظيم داعش يعود {n}", "date": "{d}"}}'
            for n, d in enumerate(["أمس"] * 7 + ["2020-13-45"] * 2 + ["2020-06-22"] * 3)]
    broken = ["{not json"] * 5 + ['["an array"]'] * 2
    (src / "a.jsonl").write_text("\n".join(good + broken) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["reindex", str(src), "--index", str(tmp_path / "ix"), "--procs", "1"])
    assert result.exit_code == 0
    err = result.stderr.splitlines()
    assert "warning: 9 × unreadable date …; article kept without a date" in err
    assert sum(line.startswith("skipped: 5 × ") for line in err) == 1
    assert sum(line.startswith("skipped: 2 × record is not a JSON object") for line in err) == 1
    assert "    … and 6 more (--verbose lists them all)" in err
    examples = [line for line in err if line.startswith("    a.jsonl") or "/a.jsonl:" in line]
    assert len(examples) == 3 + 3 + 2  # the first three of each kind
    assert result.stdout.strip().splitlines()[-1].startswith("Indexed 12 articles")
    verbose = CliRunner().invoke(cli, ["reindex", str(src), "--index", str(tmp_path / "ix"), "--procs", "1", "-v"])
    assert sum(line.startswith("warning: ") for line in verbose.stderr.splitlines()) == 9
    assert sum(line.startswith("skipped: ") for line in verbose.stderr.splitlines()) == 7


def test_a_mistyped_path_or_an_empty_folder_never_replaces_a_live_index(tmp_path):
    index = tmp_path / "ix"
    assert run("reindex", str(SEEDS), "--index", str(index), "--procs", "1").exit_code == 0
    before = run("search", "داعش", "--index", str(index)).output
    (tmp_path / "empty").mkdir()
    for path in (tmp_path / "typo", tmp_path / "empty"):
        result = run("reindex", str(path), "--index", str(index))
        assert result.exit_code == 1 and "unchanged" in result.output, result.output
    assert run("search", "داعش", "--index", str(index)).output.split("(")[0] == before.split("(")[0]
    fresh = tmp_path / "fresh"  # with no live index, an empty archive is a (searchable) empty index
    assert run("reindex", str(tmp_path / "empty"), "--index", str(fresh)).exit_code == 0


def test_dates_in_eastern_digits_and_hijri_are_taken_as_on_the_page(tmp_path):
    index = tmp_path / "ix"
    run("reindex", str(SEEDS), "--index", str(index), "--procs", "1")
    western = run("search", "داعش", "--index", str(index), "--from", "2000-01-01")
    for typed in ("٢٠٠٠-٠١-٠١", "۲۰۰۰-۰۱-۰۱"):
        result = run("search", "داعش", "--index", str(index), "--from", typed)
        assert result.exit_code == 0 and result.output.split("(")[0] == western.output.split("(")[0], typed
