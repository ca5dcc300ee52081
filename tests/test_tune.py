"""Cross-validated ranking constants (bench/tune.py): coordinate ascent, leave-one-set-out folds
that never see the set they hold out, and a run of ``python -m bench.tune`` on a tiny index."""

from __future__ import annotations

import argparse
import gzip
import json
import shutil

import pytest
from conftest import SHARED, seed_articles

from bench import tune
from search.query.config import DEFAULT

# --- coordinate ascent and the folds, on figures made up for the purpose -------------------------


def test_coordinate_ascent_finds_the_grid_maximum_of_a_separable_objective():
    grid = {"a": (0.0, 1.0, 2.0), "b": (0.0, 0.5, 1.0)}
    calls = []

    def objective(p):
        calls.append(dict(p))
        return -(p["a"] - 2) ** 2 - (p["b"] - 0.5) ** 2

    out = tune.coordinate_ascent(objective, grid, {"a": 1.0, "b": 1.0}, rounds=3)
    assert out.point == {"a": 2.0, "b": 0.5} and out.objective == 0.0
    # round 1 moves both; round 2 moves nothing, so there is no round 3
    assert {step[0] for step in out.steps} == {1, 2}
    assert calls[0] == {"a": 1.0, "b": 1.0}


def test_coordinate_ascent_keeps_the_start_on_a_tie():
    out = tune.coordinate_ascent(lambda p: 1.0, {"a": (0.0, 1.0, 2.0)}, {"a": 1.0}, rounds=2)
    assert out.point == {"a": 1.0} and len(out.steps) == 2


def test_coordinate_ascent_moves_only_for_more_than_the_minimum_gain():
    gains = {0.0: 0.0, 1.0: 0.001, 2.0: 0.01}
    assert tune.coordinate_ascent(lambda p: gains[p["a"]], {"a": (0.0, 1.0)}, {"a": 0.0}, min_gain=0.002).point == {"a": 0.0}
    assert tune.coordinate_ascent(lambda p: gains[p["a"]], {"a": (0.0, 1.0)}, {"a": 0.0}).point == {"a": 1.0}
    assert tune.coordinate_ascent(lambda p: gains[p["a"]], {"a": (0.0, 1.0, 2.0)}, {"a": 0.0},
                                  min_gain=0.002).point == {"a": 2.0}


def test_folds_never_see_their_held_out_set():
    """Set A rewards x=2 so much that any fit that saw it would choose 2; B and C prefer x=1."""
    calls: list[tuple[str, float]] = []

    def score(point, set_name):
        calls.append((set_name, point["x"]))
        if set_name == "A":
            return 1.0 if point["x"] == 2.0 else 0.0
        return 0.6 if point["x"] == 1.0 else 0.5

    folds = tune.cross_validate(score, ["A", "B", "C"], {"x": (0.0, 1.0, 2.0)}, {"x": 0.0})
    by = {f.held_out: f for f in folds}
    assert [f.held_out for f in folds] == ["A", "B", "C"]
    assert by["A"].chosen == {"x": 1.0}  # fitted on B and C alone
    assert by["A"].fit_sets == {"B", "C"} and by["A"].train == ("B", "C")
    assert by["A"].held_default == 0.0 and by["A"].held_fitted == 0.0
    assert by["B"].chosen == {"x": 2.0} and by["B"].fit_sets == {"A", "C"}
    assert by["B"].held_default == 0.5 and by["B"].held_fitted == 0.5
    assert by["B"].train_default == pytest.approx(0.25) and by["B"].train_fitted == pytest.approx(0.75)
    # A is asked for only at the fold's start and chosen points once the fit on B, C is over
    first_a = calls.index(("A", 0.0))
    assert all(s != "A" for s, _ in calls[:first_a])
    assert not tune.consistent(folds)


def test_fit_scores_only_its_training_sets():
    asked: list[str] = []

    def score(point, set_name):
        asked.append(set_name)
        return 0.0

    tune.fit(score, ["B", "C"], {"x": (0.0, 1.0)}, {"x": 0.0}, 1)
    assert sorted(set(asked)) == ["B", "C"] and len(asked) == 4  # two points, two sets


def test_one_at_a_time_shows_each_value_against_the_start():
    table = tune.one_at_a_time(lambda p, s: p["x"] / 10 if s == "A" else 1 - p["x"] / 10, ["A", "B"],
                               {"x": (0.0, 1.0, 2.0)}, {"x": 1.0})
    lines = table.splitlines()
    assert lines[0] == "| constant | A | B | mean |"
    assert lines[2] == "| the defaults | 0.100 | 0.900 | 0.500 |"
    assert lines[3:] == ["| x 0 | 0.000 (-0.100) | 1.000 (+0.100) | 0.500 |",
                         "| x 2 | 0.200 (+0.100) | 0.800 (-0.100) | 0.500 |"]


def test_consistent_wants_all_folds_but_one_better_and_none_much_worse():
    def folds(*deltas):
        return [tune.Fold(str(i), (), {}, 0, 0, 0.5, 0.5 + d, set()) for i, d in enumerate(deltas)]

    assert tune.consistent(folds(0.01, 0.01, 0.01, -0.004))
    assert not tune.consistent(folds(0.01, 0.01, 0.01, -0.006))
    assert not tune.consistent(folds(0.01, 0.01, 0.0, 0.0))
    assert tune.consistent(folds(0.01, 0.01, 0.01, 0.01))


def test_parse_grid_adds_the_default_and_refuses_what_is_not_a_number():
    grid = tune.parse_grid(["coordination=0.3,0.7", "bm25_b=0.75"])
    assert grid == {"coordination": (0.3, 0.5, 0.7), "bm25_b": (0.75, 0.9)}  # the defaults 0.5 and 0.9 added
    for bad in ("exact_weight", "bm25f=0,1", "proclitics=1", "nosuch=1", "coordination=a,b"):
        with pytest.raises(argparse.ArgumentTypeError):
            tune.parse_grid([bad])


# --- the real thing on a tiny index ---------------------------------------------------------


@pytest.fixture
def tiny_shared(tmp_path):
    """A ``shared`` folder with two queries per set over the seed paragraphs (names: one name)."""
    shared = tmp_path / "shared"
    articles = seed_articles()
    queries = {  # a remembered phrase of an article's body -> that article
        "arcd": [("a1", "مدينة صبراتة الليبية", "seed-p05"), ("a2", "مخابرات الجيش الليبي رصدت", "seed-p09")],
        "knownitem": [("k1", "حصيلة الخسائر البشرية", "seed-p03"), ("k2", "الدواعش في صبراتة", "seed-p07")],
        "quote": [("q1", "بادية ريف دير الزور قرب مدينة الميادين", "seed-p01")],
    }
    for name, rows in queries.items():
        folder = shared / "eval" / name
        folder.mkdir(parents=True)
        (folder / "dev.tsv").write_text("".join(f"{q}\t{text}\n" for q, text, _ in rows), encoding="utf-8")
        (folder / "dev.qrels").write_text("".join(f"{q} 0 {d} 1\n" for q, _, d in rows), encoding="utf-8")
    (shared / "eval" / "names").mkdir(parents=True)
    (shared / "eval" / "names" / "dev.tsv").write_text("n1\tصبراتة\n", encoding="utf-8")
    (shared / "data").mkdir()
    with gzip.open(shared / "data" / "saudinewsnet.jsonl.gz", "wt", encoding="utf-8") as f:
        f.writelines(json.dumps(a, ensure_ascii=False) + "\n" for a in articles)
    tool = SHARED / "tools" / "names_score.py"
    if tool.is_file():
        (shared / "tools").mkdir()
        shutil.copy(tool, shared / "tools" / "names_score.py")
    return shared


def test_tune_runs_the_folds_on_a_tiny_index(tiny_shared, paragraphs_index, tmp_path, capsys):
    sets = ["arcd", "knownitem", "quote"] + (["names"] if (tiny_shared / "tools").is_dir() else [])
    out = tmp_path / "tune.json"
    argv = ["--shared", str(tiny_shared), "--arcd-index", str(paragraphs_index), "--snn-index",
            str(paragraphs_index), "--sets", ",".join(sets), "--grid", "exact_weight=0.0,2.0",
            "--grid", "coordination=0.9", "--one-at-a-time", "--cache", str(tmp_path / "cache"), "--json", str(out)]
    assert tune.main(argv) == 0
    printed = capsys.readouterr().out
    result = json.loads(out.read_text(encoding="utf-8"))
    assert [f["held_out"] for f in result["folds"]] == sets
    for fold in result["folds"]:
        assert fold["held_out"] not in fold["fit_sets"]
        assert sorted(fold["fit_sets"]) == sorted(fold["train"]) == sorted(set(sets) - {fold["held_out"]})
        assert set(fold["chosen"]) == {"exact_weight", "coordination"}
        assert fold["chosen"]["exact_weight"] in (0.0, DEFAULT.exact_weight, 2.0)
        for key in ("held_default", "held_fitted", "train_default", "train_fitted"):
            assert 0.0 <= fold[key] <= 1.0
        assert fold["train_fitted"] >= fold["train_default"]
        assert f"| {fold['held_out']} | " in printed
    assert result["full"]["objective"] > 0  # the phrases find their articles
    assert "| the defaults | " in printed and "| exact_weight 2 | " in printed
    evaluations = [line for line in printed.splitlines() if line.endswith("set evaluations computed, the rest from "
                                                                        + str(tmp_path / "cache"))]
    assert evaluations and int(evaluations[0].split()[0]) > 0
    # a second run reads every figure from the cache and prints the same table
    assert tune.main(argv) == 0
    again = capsys.readouterr().out
    assert f"0 set evaluations computed, the rest from {tmp_path / 'cache'}" in again
    table = [line for line in printed.splitlines() if line.startswith("|")]
    assert table and table == [line for line in again.splitlines() if line.startswith("|")]


def test_tune_says_what_is_missing(tmp_path, capsys):
    assert tune.main(["--shared", str(tmp_path), "--arcd-index", str(tmp_path / "no"),
                      "--snn-index", str(tmp_path / "no")]) == 2
    assert "not found" in capsys.readouterr().err
    assert tune.main(["--shared", str(tmp_path), "--arcd-index", "x", "--snn-index", "x", "--sets", "arcd"]) == 2
    assert tune.main(["--shared", str(tmp_path), "--arcd-index", "x", "--snn-index", "x", "--grid", "bm25f=1"]) == 2
