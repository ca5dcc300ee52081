#!/usr/bin/env python3
"""A full disk, for real: mount a small tmpfs (needs root), build an index that fits, then
reindex a corpus that does not. Passes when every such reindex ends by itself (no hang) with a
non-zero exit and a one-line message (no traceback), the old index still answers exactly as
before, the space of the failed build is given back, and no process of the failed reindex is
left running.

    sudo python scripts/full_disk.py                 # --procs 1 and --procs 2, 3 rounds each
    sudo python scripts/full_disk.py --procs 2 --rounds 5

Without root (or where mount is not allowed) it says so and exits 77 (skipped). CI runs the
same check in tests/test_faults.py when it can mount, and always runs an injected ENOSPC.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import reliability as rel

SKIPPED = 77


@dataclass
class Round:
    procs: int
    seconds: float
    exit: int | None  # None: it hung and was killed
    traceback: bool
    message: str
    intact: bool
    space_back: bool
    leftovers: int  # processes of the reindex still alive when it ended (or was killed)

    @property
    def ok(self) -> bool:
        return (self.exit not in (None, 0) and not self.traceback and self.intact and self.space_back
                and not self.leftovers)


def can_mount() -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    probe = Path(tempfile.mkdtemp(prefix="arshif-probe-"))
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)], capture_output=True)
        if done.returncode != 0:
            return False
        subprocess.run(["umount", str(probe)], check=True)
        return True
    finally:
        probe.rmdir()


def used_kb(path: Path) -> int:
    stat = os.statvfs(path)
    return (stat.f_blocks - stat.f_bfree) * stat.f_frsize // 1024


def run_round(workdir: Path, procs: int, size: str = "3m", small: int = 60, big: int = 2000,
              timeout: float = 120, source: str = "seed", log=print) -> Round:
    """One full-disk reindex on a fresh tmpfs of `size`, corpus of `small` articles live."""
    mount = workdir / f"disk-{procs}-{time.monotonic_ns()}"
    mount.mkdir(parents=True)
    corpora = workdir / "corpora"
    if source == "snn" and rel.SNN.exists():
        a = rel.snn_corpus(corpora / "small-snn.jsonl", small)
        b = rel.snn_corpus(corpora / "big-snn.jsonl", big // 5, skip=small)
    else:
        a = rel.seed_corpus(corpora / "small.jsonl", small, seed=1)
        b = rel.seed_corpus(corpora / "big.jsonl", big, seed=2)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], check=True)
    try:
        index = mount / "index"
        proc = rel.start_reindex([a], index, procs=1)
        _, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"the small corpus does not fit on {size}: {err[-500:]}")
        before, used_before = rel.answers(index), used_kb(mount)
        started = time.monotonic()
        proc = rel.start_reindex([b], index, procs=procs)
        try:
            _, err = proc.communicate(timeout=timeout)
            leftovers = len(rel.group_members(proc.pid))
            code = proc.returncode
        except subprocess.TimeoutExpired:
            leftovers = len(rel.group_members(proc.pid))
            rel.kill_group(proc)
            _, err = proc.communicate()
            code = None
        seconds = time.monotonic() - started
        rel.kill_group(proc)
        time.sleep(0.5)
        try:
            intact = rel.answers(index) == before
        except Exception:  # noqa: BLE001
            intact = False
        lines = [line for line in err.strip().splitlines() if line.strip()]
        result = Round(procs, seconds, code, "Traceback" in err, lines[-1] if lines else "", intact,
                       used_kb(mount) <= used_before + 64, leftovers)
        log(f"procs={procs}: {'HUNG, killed after' if code is None else f'exit {code} after'} {seconds:.1f} s; "
            f"traceback={'yes' if result.traceback else 'no'}; old index intact={intact}; "
            f"space back={result.space_back} ({used_kb(mount)} kB used, {used_before} before); "
            f"processes left={leftovers}; last line: {result.message[:120]}")
        return result
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        shutil.rmtree(mount, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--procs", type=int, action="append", help="writer processes (repeatable; default 1 and 2)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a reindex counts as hung")
    parser.add_argument("--source", choices=("seed", "snn"), default="seed",
                        help="articles made from the seed, or SaudiNewsNet's first lines (longer articles)")
    args = parser.parse_args(argv)
    if not can_mount():
        print("skipped: mounting a tmpfs needs root (and a system that allows mount)")
        return SKIPPED
    workdir = Path(tempfile.mkdtemp(prefix="arshif-full-disk-"))
    rounds = []
    try:
        for procs in args.procs or [1, 2]:
            for _ in range(args.rounds):
                rounds.append(run_round(workdir, procs, timeout=args.timeout, source=args.source))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    bad = [r for r in rounds if not r.ok]
    print(f"\n{len(rounds)} full-disk reindexes: {len(rounds) - len(bad)} ended cleanly; "
          f"hung {sum(r.exit is None for r in rounds)}; traceback {sum(r.traceback for r in rounds)}; "
          f"old index intact {sum(r.intact for r in rounds)}/{len(rounds)}.")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
