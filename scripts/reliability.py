"""Shared pieces of Arshif's reliability checks: corpora, fixed queries, processes, a load generator.

Used by ``scripts/kill_matrix.py``, ``scripts/soak.py``, ``scripts/full_disk.py`` and by
``tests/test_faults.py`` (which runs short versions of the same checks), so what CI checks is what
the long scripts check.

- :func:`seed_corpus` writes JSON Lines articles made from the seed article's sentences (real
  Arabic, no third-party text in the repository); :func:`snn_corpus` takes the first lines of
  ``../shared/data/saudinewsnet.jsonl.gz`` when it is there (read at run time, never copied).
- :data:`QUERIES` and :func:`answers`: a fixed set of queries and what an index answers to them
  (ids and totals), to compare an index before and after a fault.
- :func:`start_reindex` / :func:`start_server` run ``arshif`` as a real subprocess in its own
  process group (so the group can be killed afterwards); :func:`kill_group` kills only that group.
- :class:`Load`: client threads sending a mix of page, API and article requests over keep-alive
  HTTP connections, counting answers and errors.
"""

from __future__ import annotations

import errno
import gzip
import http.client
import itertools
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = ROOT / "seeds" / "000_634241ae74eb9ffe.txt"
SNN = ROOT.parent / "shared" / "data" / "saudinewsnet.jsonl.gz"
ARSHIF = [sys.executable, "-m", "search"]

#: Queries whose answers must not change when a reindex is killed: words, a phrase, an exclusion,
#: an OR, words found only by their stem, and a date-sorted query.
QUERIES = (
    ("داعش", "relevance"),
    ("الميليشيات الإيرانية", "relevance"),
    ('"تنظيم داعش"', "relevance"),
    ("ليبيا -سوريا", "relevance"),
    ("صبراتة OR سرت", "relevance"),
    ("المرصد السوري لحقوق الإنسان", "relevance"),
    ("مقاتلين", "newest"),
    ("السعودية", "relevance"),
    ("الرياض", "oldest"),
)


# --- corpora ---------------------------------------------------------------------------------

def seed_sentences() -> list[str]:
    """The sentences of the seed article's body (split at . ، ؛), long enough to read as news."""
    lines = [line.strip() for line in SEED_FILE.read_text(encoding="utf-8").splitlines()]
    paragraphs = [line for line in lines[4:] if len(line) > 80]
    parts = (p.strip() for para in paragraphs for p in re.split(r"[.،؛]", para))
    return [p for p in parts if len(p) > 25]


#: Articles every generated corpus starts with (the same ids and texts), so that article pages
#: exist whichever corpus is live.
CORE = 20


def seed_records(count: int, seed: int = 0) -> list[dict]:
    """`count` distinct articles built from the seed's sentences (3-8 sentences each, a numbered
    report in each so no two bodies are alike), with dates, sources and urls. The first
    :data:`CORE` are the same in every corpus (ids ``core-NNNNN``); the rest depend on `seed`
    (ids ``gen-SEED-NNNNN``)."""
    core = min(CORE, count)
    return _generate(core, 0, "core") + _generate(count - core, seed, f"gen-{seed}")


def _generate(count: int, seed: int, prefix: str) -> list[dict]:
    rng = random.Random(f"{prefix}/{seed}")
    sentences = seed_sentences()
    sources = ("عكاظ", "الرياض", "البوابة نيوز", "سبق", "الوطن")
    records = []
    for n in range(count):
        body = "، ".join(rng.sample(sentences, rng.randint(3, min(8, len(sentences)))))
        body += f". وقد بلغ عدد الضحايا {rng.randint(2, 99_999)} بحسب التقرير {prefix}-{n}."
        year, month, day = rng.randint(2012, 2023), rng.randint(1, 12), rng.randint(1, 28)
        records.append({
            "id": f"{prefix}-{n:05d}",
            "title": " ".join(body.split()[:7]),
            "body": body,
            "date": f"{year}-{month:02d}-{day:02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00",
            "author": rng.choice(("فاطمة عبدالغني", "محرر الشؤون العربية", "")),
            "source": rng.choice(sources),
            "url": f"https://example.org/{prefix}/{n}",
        })
    return records


def write_jsonl(path: Path, records) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def seed_corpus(path: Path, count: int, seed: int = 0) -> Path:
    """A JSON Lines file of :func:`seed_records` at `path`."""
    return write_jsonl(path, seed_records(count, seed))


def snn_corpus(path: Path, count: int, skip: int = 0) -> Path | None:
    """Lines `skip` .. `skip + count` of SaudiNewsNet as a JSON Lines file (None when the
    corpus is not on this machine). Written to a temporary place, never into the repository."""
    if not SNN.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(SNN, "rt", encoding="utf-8") as src, open(path, "w", encoding="utf-8") as out:
        for line in itertools.islice(src, skip, skip + count):
            out.write(line)
    return path


# --- answers ---------------------------------------------------------------------------------

def answers(index_root: Path, queries=QUERIES, limit: int = 20) -> list[tuple[str, int, tuple[str, ...]]]:
    """What the index at `index_root` answers to each query: (query, total, first ids), read by a
    fresh Searcher (a new process would read the same). Raises what opening the index raises."""
    from search.searcher import Searcher

    searcher = Searcher(index_root)
    out = []
    for text, sort in queries:
        results = searcher.search(text, sort=sort, limit=limit, snippets=False)
        out.append((text, results.total, tuple(h.id for h in results.hits)))
    return out


def answers_in_subprocess(index_root: Path, timeout: float = 120) -> list | str:
    """:func:`answers` computed by a new Python process (nothing cached in this one); a string
    with the error output when that process fails."""
    code = (f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); from reliability import answers; "
            f"print(json.dumps(answers({str(index_root)!r})))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT)
    if proc.returncode != 0:
        return proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
    return [(q, total, tuple(ids)) for q, total, ids in json.loads(proc.stdout)]


# --- processes -------------------------------------------------------------------------------

def start_reindex(paths, index_root: Path, procs: int | None = 1, **kwargs) -> subprocess.Popen:
    """`arshif reindex PATHS --index INDEX_ROOT [--procs N]` in a new process group."""
    args = [*ARSHIF, "reindex", *map(str, paths), "--index", str(index_root)]
    if procs:
        args += ["--procs", str(procs)]
    return subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **kwargs)


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group `pgid`."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            members.append(int(entry.name))
    return members


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL every process left in the group `proc` leads (a process this module started)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int, children: bool = True) -> int:
    """Resident memory of process `pid` in kB, with its child processes' (the server's workers)
    unless `children` is False; 0 when it is gone."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total = int(line.split()[1])
    except OSError:
        return 0
    if children:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat[stat.rfind(")") + 2:].split()[1]) == pid:
                    total += rss_kb(int(entry.name))
    return total


@contextmanager
def server(index_root: Path, threads: int = 8, port: int | None = None, workers: int | None = None,
           options: tuple[str, ...] = ()):
    """`arshif serve` (waitress) on loopback, in its own process group; yields (port, process).

    Its output goes to a log file, never to a pipe nobody reads: waitress logs "task queue depth"
    warnings under load while holding its dispatcher lock, so a full pipe would stall every thread.
    """
    port = port or free_port()
    log = tempfile.NamedTemporaryFile(prefix="arshif-serve-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [*ARSHIF, "serve", "--host", "127.0.0.1", "--port", str(port), "--index", str(index_root),
         "--threads", str(threads), *(["--workers", str(workers)] if workers else []), *options],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    proc.log_path = log.name
    log.close()
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"arshif serve exited: {Path(log.name).read_text(errors='replace')[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("arshif serve did not start listening within 60 s") from None
                time.sleep(0.1)
        yield port, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        kill_group(proc)
        Path(log.name).unlink(missing_ok=True)


# --- load ------------------------------------------------------------------------------------

def request_mix(article_ids: list[str] = tuple(f"core-{n:05d}" for n in range(CORE))) -> list[str]:
    """Paths a reader's browser and API clients would ask for: searches (several sorts, pages,
    date ranges, facets), the JSON API, article pages, static files and the OpenSearch file."""
    words = ["داعش", "الميليشيات الإيرانية", "ليبيا", '"تنظيم داعش"', "سوريا -ليبيا", "صبراتة",
             "المرصد السوري", "مقاتلين", "الحرس الثوري", "داعس"]
    paths = []
    for w in words:
        q = quote(w)
        paths += [f"/?q={q}", f"/api/search?q={q}", f"/?q={q}&sort=newest&page=2",
                  f"/api/search?q={q}&from=2016-01-01&to=2020-12-31&limit=50", f"/?q={q}&year=2020"]
    paths += [f"/article/{quote(i)}?q={quote('داعش')}" for i in article_ids]
    paths += ["/", "/static/style.css", "/opensearch.xml", "/?q=", f"/api/search?q={quote('داعش')}&page=0"]
    return paths


class Load:
    """`clients` threads, each on its own keep-alive connection, requesting random paths from
    `paths` until stopped. A response is an error when it is a 5xx, when a connection fails, or
    when a status other than the expected one comes back (2xx, or 4xx for the paths meant to be
    refused); every error is kept with its path."""

    def __init__(self, port: int, paths: list[str], clients: int = 16, seed: int = 0, timeout: float = 60):
        self.port, self.paths, self.clients, self.timeout = port, paths, clients, timeout
        self.seed = seed
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.errors: list[str] = []
        self.latencies: list[float] = []
        self.threads: list[threading.Thread] = []

    @staticmethod
    def expected(path: str) -> set[int]:
        if path in ("/?q=",):
            return {200}
        if "page=0" in path:
            return {400}
        return {200}

    def _client(self, n: int) -> None:
        rng = random.Random(self.seed * 1000 + n)
        conn = None
        while not self.stop_event.is_set():
            path = rng.choice(self.paths)
            started = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                conn.request("GET", path, headers={"Accept-Encoding": "identity"})
                response = conn.getresponse()
                body = response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except Exception as exc:  # noqa: BLE001 -- every failure is counted, none ends the client
                with self.lock:
                    self.errors.append(f"{path}: {type(exc).__name__}: {exc}")
                if conn is not None:
                    conn.close()
                conn = None
                continue
            elapsed = time.perf_counter() - started
            problem = None
            if status not in self.expected(path):
                problem = f"{path}: HTTP {status}: {body[:200]!r}"
            elif path.startswith("/api/") and status == 200:
                try:
                    json.loads(body)
                except ValueError:
                    problem = f"{path}: the API answered with something that is not JSON"
            with self.lock:
                self.statuses[status] += 1
                self.latencies.append(elapsed)
                if problem:
                    self.errors.append(problem)
        if conn is not None:
            conn.close()

    def start(self) -> Load:
        for n in range(self.clients):
            thread = threading.Thread(target=self._client, args=(n,), daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=self.timeout + 5)

    @property
    def served(self) -> int:
        return sum(self.statuses.values())

    def percentile(self, p: float) -> float:
        with self.lock:
            data = sorted(self.latencies)
        return data[min(len(data) - 1, int(p * len(data)))] if data else 0.0


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# --- a full disk, injected -------------------------------------------------------------------

class _FullDiskFile:
    """A file whose writes fail with ENOSPC once the shared byte budget is spent."""

    def __init__(self, raw, budget: list[int]):
        self._raw, self._budget = raw, budget

    def write(self, data):
        if self._budget[0] < len(data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._budget[0] -= len(data)
        return self._raw.write(data)

    def __getattr__(self, name):
        return getattr(self._raw, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._raw.close()


def install_full_disk(under: Path, budget_bytes: int, children_only: bool = False) -> list[int]:
    """Make every Whoosh file created below `under` fail with ``OSError(ENOSPC)`` once
    `budget_bytes` have been written to them (each process counts its own: the writer processes
    a reindex forks get a copy of what is left). With `children_only`, only forked processes
    fail (a writer process hits the full disk first). Returns the budget cell (a one-item list)."""
    from whoosh.filedb import filestore

    budget = [budget_bytes]
    parent = os.getpid()
    original = filestore.FileStorage.create_file
    prefix = str(Path(under).resolve())

    def create_file(self, name, *args, **kwargs):
        f = original(self, name, *args, **kwargs)
        if str(Path(self.folder).resolve()).startswith(prefix) and not (children_only and os.getpid() == parent):
            f.file = _FullDiskFile(f.file, budget)
        return f

    filestore.FileStorage.create_file = create_file
    return budget


def full_disk_command(under: Path, budget_bytes: int, *cli_args: str, children_only: bool = False) -> list[str]:
    """The argv of a Python process that runs ``arshif CLI_ARGS`` with :func:`install_full_disk`."""
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import reliability; "
            f"reliability.install_full_disk({str(under)!r}, {budget_bytes}, {children_only}); "
            f"from search.cli import cli; cli({list(cli_args)!r}, prog_name='arshif')")
    return [sys.executable, "-c", code]


def read_error_command(after: int, *cli_args: str, pause: float = 0.0) -> list[str]:
    """The argv of a Python process that runs ``arshif CLI_ARGS`` with reading failing with
    ``OSError(EIO)`` after `after` records, `pause` seconds after reading them (a slow source,
    then a read error, in the middle of a reindex)."""
    code = (
        "import errno, time, search.index.build as indexing\n"
        "original = indexing.read_paths\n"
        "def read_paths(*args, **kwargs):\n"
        "    for n, record in enumerate(original(*args, **kwargs)):\n"
        f"        if n == {after}:\n"
        f"            time.sleep({pause})\n"
        "            raise OSError(errno.EIO, 'Input/output error')\n"
        "        yield record\n"
        "indexing.read_paths = read_paths\n"
        f"from search.cli import cli\ncli({list(cli_args)!r}, prog_name='arshif')\n"
    )
    return [sys.executable, "-c", code]
