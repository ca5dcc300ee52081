#!/usr/bin/env python3
"""kill -9 a full ``arshif reindex`` at scripted moments spread over its run; after each kill the
live index must still open and answer a fixed set of queries exactly as before (or, when the kill
came after the swap, exactly as the new index does), the reindex lock must be free, and the next
reindex must work.

Two corpora A and B (different articles, different counts) are indexed once each, unkilled, to
learn their answers and how long a reindex takes (T, interpreter start included). Then, N times,
a reindex of the corpus that is *not* live is started and sent SIGKILL at t = S x i/(N+1) x T,
where the span S (default 1.1) reaches a little past the typical end (some kills may find the
reindex already finished). Then one more kill for each moment of :data:`EVENTS`, watched for
on disk (the build started, the commit written, the generation renamed, the link swapped), so
the kills also land in the few milliseconds around the swap whatever the machine's load. Only
the reindex process itself is killed, as ``kill -9 PID`` or the OOM killer would; anything it
leaves behind in its process group (writer processes) is counted, then killed.

    python scripts/kill_matrix.py --kills 25            # the full matrix
    python scripts/kill_matrix.py --kills 6 --records 400   # about what CI runs
    python scripts/kill_matrix.py --source snn --records 1500   # SaudiNewsNet articles
    python scripts/kill_matrix.py --procs 2             # Whoosh's multi-process writer
    python scripts/kill_matrix.py --fork-race 40        # kills as writer processes start

Exit status 0 when every kill left a working index (and, with --procs 2, no orphans).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import reliability as rel

from search.index import store


@dataclass
class Kill:
    """What one kill did."""

    number: int
    at: float  # seconds after the reindex started
    fraction: float  # of the typical duration
    outcome: str  # "killed before the swap", "killed after the swap", "finished first"
    moment: str = ""  # what decided the moment: a fraction of the typical time, or an event
    orphans: int = 0  # processes of the killed reindex still alive after it died
    lock_free: bool = True
    failure: str = ""


@dataclass
class Matrix:
    """The whole run."""

    records: tuple[int, int] = (0, 0)
    durations: tuple[float, float] = (0.0, 0.0)
    kills: list[Kill] = field(default_factory=list)
    final: str = ""  # the failure of the last, unkilled reindex, if any

    @property
    def failures(self) -> list[str]:
        out = [f"kill {k.number} at {k.at:.2f} s: {k.failure}" for k in self.kills if k.failure]
        return out + ([f"final reindex: {self.final}"] if self.final else [])

    def count(self, outcome: str) -> int:
        return sum(k.outcome == outcome for k in self.kills)


def _corpora(workdir: Path, records: int, source: str) -> tuple[Path, Path]:
    """Corpus A (`records` articles) and B (a tenth more, other articles)."""
    more = records + max(1, records // 10)
    if source == "snn":
        a = rel.snn_corpus(workdir / "a" / "snn-a.jsonl", records)
        b = rel.snn_corpus(workdir / "b" / "snn-b.jsonl", more, skip=records)
        if a is None or b is None:
            raise SystemExit(f"SaudiNewsNet is not at {rel.SNN}; use --source seed")
        return a, b
    return (rel.seed_corpus(workdir / "a" / "a.jsonl", records, seed=1),
            rel.seed_corpus(workdir / "b" / "b.jsonl", more, seed=2))


def _timed_reindex(corpus: Path, index: Path, procs: int) -> float:
    started = time.monotonic()
    proc = rel.start_reindex([corpus], index, procs)
    out, err = proc.communicate(timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"reindex of {corpus} failed ({proc.returncode}): {err[-2000:]}")
    return time.monotonic() - started


def _lock_is_free(index: Path) -> bool:
    try:
        with store.reindex_lock(index):
            return True
    except store.ReindexRunning:
        return False


def _build_dirs(index: Path) -> list[Path]:
    return [p for p in index.iterdir() if p.name.startswith(store.BUILDING_PREFIX)]


#: Moments of a reindex seen from the outside, each (index dir, live generation before, generation
#: directories before) -> bool.
EVENTS = {
    # the build directory exists: the reader and writer are running
    "build started": lambda index, before, gens: bool(_build_dirs(index)),
    # Whoosh has written the table of contents of generation 1 (create_in writes generation 0):
    # the commit is done, the swap comes next
    "commit written": lambda index, before, gens: any(
        p.suffix == ".toc" and not p.name.endswith("_0.toc") for b in _build_dirs(index) for p in b.iterdir()),
    # the build was renamed to its generation; `current` still points at the old one
    "generation renamed": lambda index, before, gens: any(
        p.name.startswith(store.GEN_PREFIX) and p.name not in gens for p in index.iterdir()),
    # `current` points at the new generation: older ones are being removed
    "swapped": lambda index, before, gens: os.readlink(index / store.CURRENT) != before,
}


def _wait_for(event, index: Path, before: str, gens: set[str], proc, timeout: float = 600) -> None:
    """Poll (every millisecond or so) until `event` is seen or the reindex ends."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if event(index, before, gens):
                return
        except OSError:  # a directory renamed or removed while it was listed
            pass
        time.sleep(0.001)


def run_matrix(workdir: Path, kills: int, records: int, procs: int = 1, source: str = "seed",
               span: float = 1.1, events=tuple(EVENTS), log=print) -> Matrix:
    """Run the kill matrix in `workdir` (see the module docstring)."""
    corpus = dict(zip("AB", _corpora(workdir, records, source)))
    index = workdir / "index"
    result = Matrix()
    expected, duration = {}, {}
    for name in "AB":  # learn each corpus's answers and reindex time, in its own index
        own = workdir / f"index-{name}"
        duration[name] = _timed_reindex(corpus[name], own, procs)
        expected[name] = rel.answers(own)
        shutil.rmtree(own)
    if expected["A"] == expected["B"]:
        raise RuntimeError("corpora A and B give the same answers: the check could not tell them apart")
    result.durations = (duration["A"], duration["B"])
    result.records = tuple(sum(1 for _ in open(corpus[n], encoding="utf-8")) for n in "AB")
    _timed_reindex(corpus["A"], index, procs)
    live = "A"
    log(f"corpora: A {result.records[0]} records ({duration['A']:.1f} s), "
        f"B {result.records[1]} records ({duration['B']:.1f} s); load {rel.load_average()}")
    plan = [(f"{span * i / (kills + 1):4.0%} of T", span * i / (kills + 1), None) for i in range(1, kills + 1)]
    plan += [(f"on {event}", None, event) for event in events]
    for i, (label, fraction, event) in enumerate(plan, 1):
        target = "B" if live == "A" else "A"
        before = os.readlink(index / store.CURRENT)
        gens = {p.name for p in index.glob(store.GEN_PREFIX + "*")}
        proc = rel.start_reindex([corpus[target]], index, procs)
        started = time.monotonic()
        if event is None:
            time.sleep(max(0.0, fraction * duration[target] - (time.monotonic() - started)))
        else:
            _wait_for(EVENTS[event], index, before, gens, proc)
        at = time.monotonic() - started
        kill = Kill(i, at, fraction if fraction is not None else at / duration[target], "finished first", label)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)  # the reindex process only, like kill -9 PID
            proc.wait()
            time.sleep(0.3)
            kill.orphans = len(rel.group_members(proc.pid))
        kill.lock_free = _lock_is_free(index)
        rel.kill_group(proc)  # whatever the killed reindex left running
        proc.communicate()
        swapped = os.readlink(index / store.CURRENT) != before
        if proc.returncode == -signal.SIGKILL:
            kill.outcome = "killed after the swap" if swapped else "killed before the swap"
        elif proc.returncode != 0:
            kill.failure = f"the reindex exited with {proc.returncode} before the kill"
        now = target if swapped else live
        try:
            got = rel.answers(index)
        except Exception as exc:  # noqa: BLE001 -- what the check is about
            kill.failure = f"the index does not open: {type(exc).__name__}: {exc}"
        else:
            if got != expected[now]:
                kill.failure = kill.failure or f"answers differ from corpus {now}'s"
        if not kill.lock_free:
            kill.failure = kill.failure or "the reindex lock is still held after the kill"
        if procs == 1 and kill.orphans:
            kill.failure = kill.failure or f"{kill.orphans} processes outlived the killed reindex"
        live = now
        result.kills.append(kill)
        log(f"kill {i:>2}/{len(plan)} {label:<22} at {at:5.2f} s: {kill.outcome:<23} live={live} "
            f"orphans={kill.orphans} lock={'free' if kill.lock_free else 'HELD'}"
            + (f"  FAILED: {kill.failure}" if kill.failure else "  ok"))
    try:  # the next reindex after all that: works, and leaves no stale builds behind
        final = "B" if live == "A" else "A"
        _timed_reindex(corpus[final], index, procs)
        if rel.answers(index) != expected[final]:
            result.final = "answers differ after the final reindex"
        leftovers = [p.name for p in index.iterdir() if p.name.startswith(store.BUILDING_PREFIX)]
        if leftovers:
            result.final = f"stale builds left: {leftovers}"
    except Exception as exc:  # noqa: BLE001
        result.final = f"{type(exc).__name__}: {exc}"
    return result


def fork_race(workdir: Path, runs: int, procs: int = 4, records: int = 1000, log=print) -> int:
    """kill -9 a reindex with `procs` writer processes right after its k-th writer process
    appears (k = 1..procs in turn), `runs` times; the number of runs that left a process behind.

    A writer process forked just before its parent dies can miss the parent-death signal it asks
    for (the parent is gone before the child's prctl call), and then waits on its job queue
    forever."""
    corpus = rel.seed_corpus(workdir / "race" / "race.jsonl", records, seed=4)
    leftovers = 0
    for i in range(runs):
        proc = rel.start_reindex([corpus], workdir / f"race-index-{i}", procs)
        members = 2 + i % procs
        while len(rel.group_members(proc.pid)) < members and proc.poll() is None:
            time.sleep(0.0005)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            time.sleep(1)
            left = rel.group_members(proc.pid)
            if left:
                leftovers += 1
                log(f"run {i + 1}: killed after writer process {members - 1} started; {len(left)} left running")
        rel.kill_group(proc)
        proc.communicate()
        shutil.rmtree(workdir / f"race-index-{i}", ignore_errors=True)
    log(f"fork race: {leftovers} of {runs} kills left a writer process running")
    return leftovers


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=25, help="number of kills (default 25)")
    parser.add_argument("--records", type=int, default=1200, help="articles in corpus A (default 1200)")
    parser.add_argument("--procs", type=int, default=1, help="writer processes of the reindex (default 1)")
    parser.add_argument("--source", choices=("seed", "snn"), default="seed",
                        help="articles made from the seed article, or SaudiNewsNet's first lines")
    parser.add_argument("--span", type=float, default=1.1,
                        help="kills spread over this multiple of the typical reindex time (default 1.1)")
    parser.add_argument("--no-events", action="store_true",
                        help=f"only timed kills (default: also one kill on each of: {', '.join(EVENTS)})")
    parser.add_argument("--workdir", type=Path, help="where to build (default: a temporary folder)")
    parser.add_argument("--fork-race", type=int, metavar="RUNS",
                        help="instead: kill a --procs 4 reindex as its writer processes start, RUNS times")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="arshif-kill-"))
    if args.fork_race:
        try:
            return 1 if fork_race(workdir, args.fork_race) else 0
        finally:
            if not args.workdir:
                shutil.rmtree(workdir, ignore_errors=True)
    started = time.monotonic()
    try:
        result = run_matrix(workdir, args.kills, args.records, args.procs, args.source, args.span,
                            () if args.no_events else tuple(EVENTS))
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    orphans = sum(k.orphans for k in result.kills)
    print(f"\n{len(result.kills)} kills in {time.monotonic() - started:.0f} s: "
          f"{result.count('killed before the swap')} before the swap, "
          f"{result.count('killed after the swap')} after it, {result.count('finished first')} finished first; "
          f"index intact after {sum(not k.failure for k in result.kills)}; "
          f"orphan processes {orphans}; lock held after {sum(not k.lock_free for k in result.kills)} kills; "
          f"final reindex {'ok' if not result.final else 'FAILED: ' + result.final}.")
    for failure in result.failures:
        print("FAILED:", failure)
    return 1 if result.failures or orphans else 0


if __name__ == "__main__":
    sys.exit(main())
