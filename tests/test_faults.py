"""Faults: kill -9 during a reindex, a full disk, a damaged or missing index, a reindex swapped in
under load. Short versions of ``scripts/kill_matrix.py``, ``scripts/full_disk.py`` and
``scripts/soak.py`` (which share their code through ``scripts/reliability.py``).

What must hold:

- a reindex killed with SIGKILL at any moment leaves the live index opening and answering a fixed
  set of queries exactly as before (or exactly as the new one, when the kill came after the swap),
  the lock free and the next reindex working;
- a write error (ENOSPC) leaves the old index intact and gives the space back, with a one-line
  error; a writer process that fails must fail the reindex;
- a missing or damaged index gives a clear message with the hint to reindex: exit 1 in the CLI
  (no traceback), a 503 with an Arabic message on the page;
- the server answers every request while reindexes are swapped in under load.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import full_disk
import kill_matrix
import pytest
import reliability as rel
import soak
from click.testing import CliRunner

from search.cli import cli
from search.index import store
from search.index.build import reindex
from search.searcher import Searcher
from web import create_app

RECORDS = 400


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> tuple[Path, Path]:
    """Corpus A and B: different articles (B has a tenth more), made from the seed."""
    folder = tmp_path_factory.mktemp("corpora")
    return (rel.seed_corpus(folder / "a" / "a.jsonl", RECORDS, seed=1),
            rel.seed_corpus(folder / "b" / "b.jsonl", RECORDS + RECORDS // 10, seed=2))


@pytest.fixture(scope="module")
def built(tmp_path_factory, corpora) -> tuple[Path, list]:
    """An index of corpus A (built once; copy it before damaging it) and its answers."""
    root = tmp_path_factory.mktemp("built") / "index"
    reindex([corpora[0]], root, procs=1)
    return root, rel.answers(root)


@pytest.fixture
def index_a(built, tmp_path) -> tuple[Path, list]:
    """A private copy of the corpus-A index, and its answers."""
    root = tmp_path / "index"
    shutil.copytree(built[0], root, symlinks=True)
    return root, built[1]


def no_builds_left(root: Path) -> bool:
    return not [p for p in root.iterdir() if p.name.startswith(store.BUILDING_PREFIX)]


# --- kill -9 ---------------------------------------------------------------------------------

def test_kill_9_at_moments_spread_over_a_reindex_leaves_the_previous_index_answering(tmp_path):
    """Six kills: four spread over the typical reindex time, two on moments around the swap."""
    result = kill_matrix.run_matrix(tmp_path, kills=4, records=RECORDS, procs=1,
                                    events=("commit written", "generation renamed"), log=print)
    assert not result.failures, result.failures
    assert len(result.kills) == 6
    assert result.count("killed before the swap") >= 3  # most kills land while it builds


# Found here: with Whoosh's writer processes, kill -9 of the reindex left them running forever,
# holding the inherited lock (every later reindex said 'Another reindex is running'). Fixed in
# search/store.py: forked children close the lock and die with their parent (PR_SET_PDEATHSIG).
def test_kill_9_of_a_multiprocess_reindex_leaves_no_process_and_no_lock(index_a, tmp_path):
    root, _ = index_a
    big = rel.seed_corpus(tmp_path / "big" / "big.jsonl", 3000, seed=5)  # lasts well past the forks
    proc = rel.start_reindex([big], root, procs=2)
    try:
        deadline = time.monotonic() + 60
        while len(rel.group_members(proc.pid)) < 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # until Whoosh has started both writer processes
        time.sleep(0.5)  # and they are past their start (the moment of a fork is scripts/kill_matrix.py --fork-race)
        if proc.poll() is not None:
            pytest.skip("the reindex finished before its writer processes could be seen")
        os.kill(proc.pid, signal.SIGKILL)  # the reindex process only, as kill -9 PID does
        proc.wait()
        time.sleep(1)
        left = rel.group_members(proc.pid)
        try:
            with store.reindex_lock(root):
                lock_free = True
        except store.ReindexRunning:
            lock_free = False
        assert not left and lock_free, f"{len(left)} processes left; lock {'free' if lock_free else 'held'}"
    finally:
        rel.kill_group(proc)


# Found here: when a writer process died (ENOSPC, the OOM killer), the reindex still committed
# without its segment, exited 0 and swapped in an index missing those articles (empty, for a
# full disk). Fixed in search/index/build.py: a build whose count differs is refused.
def test_a_writer_process_hitting_a_full_disk_fails_the_reindex(index_a, corpora):
    root, before = index_a
    command = rel.full_disk_command(root, 300_000, "reindex", str(corpora[1]), "--index", str(root),
                                    "--procs", "2", children_only=True)
    proc = subprocess.Popen(command, cwd=rel.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        rel.kill_group(proc)
    assert rel.answers(root) == before, f"exit {proc.returncode}: {out.strip()}"
    assert proc.returncode == 1


def test_a_killed_writer_process_fails_the_reindex(index_a, corpora, tmp_path):
    root, before = index_a
    big = rel.seed_corpus(tmp_path / "big" / "big.jsonl", 3000, seed=3)  # lasts well past the forks
    proc = rel.start_reindex([big], root, procs=2)
    try:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            children = [pid for pid in rel.group_members(proc.pid) if pid != proc.pid]
            if children:
                time.sleep(0.5)
                os.kill(children[0], signal.SIGKILL)  # the OOM killer picks a writer process
                break
            time.sleep(0.05)
        else:
            pytest.skip("no writer process was seen before the reindex ended")
        out, _ = proc.communicate(timeout=120)
    finally:
        rel.kill_group(proc)
    assert rel.answers(root) == before, f"exit {proc.returncode}: {out.strip()}"
    assert proc.returncode != 0


# Found here: with Whoosh's MpWriter, a reindex that failed (a read error, a full disk, Ctrl-C)
# printed its message and never exited: the writer processes waited on their job queue. Fixed by
# search/parallel.py, whose cancel() terminates and joins them.
def test_a_failed_multiprocess_reindex_exits_instead_of_hanging(index_a, corpora):
    root, before = index_a
    command = rel.read_error_command(300, "reindex", str(corpora[1]), "--index", str(root), "--procs", "2",
                                     pause=3)  # the writer processes are idle when reading fails
    proc = subprocess.Popen(command, cwd=rel.ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        try:
            _, err = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running after 15 s with {len(rel.group_members(proc.pid))} processes")
        assert proc.returncode == 1 and "Input/output error" in err
        assert not rel.group_members(proc.pid)
    finally:
        rel.kill_group(proc)
    assert rel.answers(root) == before


# --- a full disk -----------------------------------------------------------------------------

@pytest.fixture
def restore_whoosh(monkeypatch):
    """Undo :func:`reliability.install_full_disk` after the test."""
    from whoosh.filedb import filestore

    monkeypatch.setattr(filestore.FileStorage, "create_file", filestore.FileStorage.create_file)


def test_a_write_error_leaves_the_old_index_intact(index_a, corpora, restore_whoosh):
    root, before = index_a
    gens = sorted(p.name for p in root.glob(store.GEN_PREFIX + "*"))
    rel.install_full_disk(root, 200_000)
    with pytest.raises(OSError) as failure:
        reindex([corpora[1]], root, procs=1)
    assert failure.value.errno == errno.ENOSPC
    assert rel.answers(root) == before
    assert no_builds_left(root)  # the failed build is removed: its space is given back
    assert sorted(p.name for p in root.glob(store.GEN_PREFIX + "*")) == gens
    with store.reindex_lock(root):  # and the lock is free
        pass


# Found here: a full disk ended `arshif reindex` with a traceback. Fixed in search/cli.py.
def test_a_full_disk_is_a_one_line_cli_error(index_a, corpora, restore_whoosh):
    root, before = index_a
    rel.install_full_disk(root, 200_000)
    result = CliRunner().invoke(cli, ["reindex", str(corpora[1]), "--index", str(root), "--procs", "1"])
    assert rel.answers(root) == before
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # not a traceback
    assert "No space left on device" in result.output and "unchanged" in result.output


@pytest.mark.skipif(not full_disk.can_mount(), reason="mounting a tmpfs needs root")
def test_a_real_full_disk_leaves_the_old_index_and_gives_the_space_back(tmp_path):
    result = full_disk.run_round(tmp_path, procs=1, size="3m", small=60, big=2000, timeout=120)
    assert result.exit not in (None, 0)
    assert result.intact and result.space_back and not result.leftovers


# --- a missing or damaged index --------------------------------------------------------------

def _segment(gen: Path) -> Path:
    """A segment's postings file (segments are plain files, not one compound file)."""
    return next(p for p in sorted(gen.iterdir()) if p.suffix in (".pst", ".seg"))


def _toc(gen: Path) -> Path:
    return next(p for p in gen.iterdir() if p.suffix == ".toc")


DAMAGE = {
    "no index folder": lambda root, gen: shutil.rmtree(root),
    "empty index folder": lambda root, gen: [shutil.rmtree(root), root.mkdir()],
    "current link dangling": lambda root, gen: shutil.rmtree(gen),
    "current link not a link": lambda root, gen: [(root / store.CURRENT).unlink(), (root / store.CURRENT).mkdir()],
    "table of contents deleted": lambda root, gen: _toc(gen).unlink(),
    "table of contents cut short": lambda root, gen: os.truncate(_toc(gen), 20),
    "table of contents overwritten": lambda root, gen: _toc(gen).write_bytes(os.urandom(4096)),
    "generation emptied": lambda root, gen: [p.unlink() for p in gen.iterdir()],
    "segment deleted": lambda root, gen: _segment(gen).unlink(),
    "segment cut short": lambda root, gen: os.truncate(_segment(gen), _segment(gen).stat().st_size // 2),
    "segment zeroed": lambda root, gen: _segment(gen).write_bytes(bytes(_segment(gen).stat().st_size)),
    "segment emptied": lambda root, gen: os.truncate(_segment(gen), 0),
}


def damage(root: Path, kind: str) -> None:
    DAMAGE[kind](root, store.current_generation(root))


# Found here: a damaged segment file (deleted, cut short, zeroed) passed store.open_current(),
# which read only the table of contents, and `arshif search` printed a traceback. Fixed in
# search/store.py (open_current opens every segment).
@pytest.mark.parametrize("kind", list(DAMAGE))
def test_a_missing_or_damaged_index_is_a_clear_cli_error(index_a, kind):
    root, _ = index_a
    damage(root, kind)
    result = CliRunner().invoke(cli, ["search", "داعش", "--index", str(root)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # a message, not a traceback
    assert "arshif reindex" in result.output


@pytest.mark.parametrize("kind", ["no index folder", "table of contents overwritten"])
def test_the_real_cli_exits_1_with_the_hint_and_no_traceback(index_a, kind):
    root, _ = index_a
    damage(root, kind)
    done = subprocess.run([*rel.ARSHIF, "search", "داعش", "--index", str(root)], cwd=rel.ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "arshif reindex" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("kind", list(DAMAGE))
@pytest.mark.parametrize("path", ["/", "/?q=داعش", "/api/search?q=داعش", "/article/core-00001"])
def test_a_missing_or_damaged_index_is_an_arabic_503_page(index_a, kind, path):
    root, _ = index_a
    damage(root, kind)
    client = create_app({"INDEX_DIR": str(root)}).test_client()  # as served: no exception escapes
    response = client.get(path)
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "arshif reindex" in body and "فهرس البحث غير موجود أو تالف" in body
    assert "Traceback" not in body and str(root) not in body


def test_the_page_recovers_when_the_damaged_index_is_rebuilt(index_a, corpora):
    root, _ = index_a
    client = create_app({"INDEX_DIR": str(root)}).test_client()
    assert client.get("/?q=داعش").status_code == 200
    damage(root, "segment deleted")
    fresh = create_app({"INDEX_DIR": str(root)}).test_client()
    assert fresh.get("/?q=داعش").status_code == 503
    reindex([corpora[1]], root, procs=1)
    assert fresh.get("/?q=داعش").status_code == 200
    assert client.get("/?q=داعش").status_code == 200


# Found here: damaged bytes inside a segment made a search raise whatever Whoosh met (zlib.error,
# UnicodeDecodeError, struct.error...). Fixed in search/searcher.py: it reads as a damaged index.
def test_damaged_bytes_inside_the_index_are_reported_as_a_damaged_index(index_a):
    root, _ = index_a
    segment = _segment(store.current_generation(root))
    data = bytearray(segment.read_bytes())
    start, end = len(data) // 10, len(data) * 9 // 10
    data[start:end] = bytes(end - start)  # the middle zeroed: the file's header and end survive
    segment.write_bytes(bytes(data))
    searcher = Searcher(root)
    damaged = 0
    for query, sort in rel.QUERIES:
        try:  # an answer, or the damage reported as such: nothing else may come out
            results = searcher.search(query, sort=sort, facets=True)
        except store.IndexMissing as exc:
            assert "arshif reindex" in str(exc)
            damaged += 1
        else:
            assert len(results.hits) <= results.total
    assert damaged  # the zeroed blocks were read by some query


# --- the server under load while reindexes swap ----------------------------------------------

def test_the_server_keeps_answering_while_reindexes_swap_under_load(tmp_path):
    result = soak.run_soak(tmp_path, seconds=20, clients=8, records=300, swaps=2, threads=8)
    print(f"{result.served} requests, statuses {result.statuses}, swaps {result.swaps}, "
          f"RSS {[kb for _, _, kb in result.rss_kb]} kB")
    assert not result.errors, result.errors[:10]
    assert len(result.swaps) == 2
    assert result.served > 100
    assert set(result.statuses) <= {200, 400}


# --- the server's worker processes ------------------------------------------------------------

def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rfind(")") + 2:].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def _wait_for(condition, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    return condition()


def test_the_server_replaces_a_dead_worker_and_stops_them_all(index_a):
    import urllib.request

    root, _ = index_a
    with rel.server(root, workers=2) as (port, proc):
        first = _wait_for(lambda: len(_children(proc.pid)) == 2 and _children(proc.pid))
        assert len(first) == 2
        url = f"http://127.0.0.1:{port}/api/search?q=%D8%AF%D8%A7%D8%B9%D8%B4"
        assert urllib.request.urlopen(url, timeout=30).status == 200
        victim = sorted(first)[0]
        os.kill(victim, signal.SIGKILL)  # the OOM killer takes a worker
        replaced = _wait_for(lambda: (kids := _children(proc.pid)) and victim not in kids and len(kids) == 2 and kids)
        assert replaced and victim not in replaced
        for _ in range(6):  # every connection is answered, whichever worker takes it
            assert urllib.request.urlopen(url, timeout=30).status == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) is not None
        assert _wait_for(lambda: not rel.group_members(proc.pid), 10)


def test_workers_listen_on_sockets_of_their_own_and_a_taken_port_is_still_refused():
    import socket

    from web import server

    first = server.listen("127.0.0.1", 0)
    try:
        sibling = server._sibling(first)
        if hasattr(socket, "SO_REUSEPORT"):  # the kernel spreads connections over the workers' sockets
            assert sibling is not first and sibling.getsockname() == first.getsockname()
            sibling.close()
        with pytest.raises(OSError):  # another `arshif serve` on the port is an error, not a share
            server.listen("127.0.0.1", first.getsockname()[1])
    finally:
        first.close()
