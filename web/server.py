"""``arshif serve``: the app on waitress, in one process per core.

Searching is Python work, and Python runs one thread at a time per process: waitress's threads
keep a core busy but never two. So the server opens its listening socket once and forks
`workers` processes that each run waitress with their own app on that socket (the kernel hands
each connection to one of them). The parent only watches: a worker that dies is replaced, and
Ctrl-C or SIGTERM stops them all. Each worker dies with the parent (PR_SET_PDEATHSIG).

Two threads per worker by default: one answers while the other waits on the network or the
index, and a slow search does not hold up the worker's other requests. More threads only
contend for the interpreter lock: at 16 clients on 2 cores (news queries, half pages, half
JSON), 8 threads a worker gave 137-169 req/s and a p95 of 172-200 ms, 2 threads 160-170 req/s
and 132-143 ms, 1 thread 192 req/s and 122-141 ms (``/tmp``-style runs of 30 s, 2026-11-26).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Callable

import waitress

from search import store

#: Waitress settings: no server name in responses; proxy headers from untrusted peers dropped.
WAITRESS = {"ident": "", "clear_untrusted_proxy_headers": True}


def default_workers() -> int:
    """One worker process per core, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


def listen(host: str, port: int) -> socket.socket:
    """The listening socket (raises OSError when the port is taken)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def serve(make_app: Callable, sock: socket.socket, workers: int, threads: int, body_limit: int) -> None:
    """Serve `make_app()` on `sock` with `workers` processes of `threads` threads each, until
    interrupted."""
    options = dict(WAITRESS, threads=threads, max_request_body_size=body_limit)
    if workers <= 1:
        waitress.serve(make_app(), sockets=[sock], **options)
        return
    children: dict[int, float] = {}
    stopping = False

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us with SIGTERM
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                store.die_with_parent(signal.SIGTERM)
                waitress.serve(make_app(), sockets=[sock], **options)
            except BaseException:  # noqa: BLE001 -- reported, then the parent replaces us
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        children[pid] = time.monotonic()

    def stop(signum, frame):
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(workers):
        spawn()
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        started = children.pop(pid, None)
        if started is None or stopping:
            continue
        print(f"worker {pid} stopped ({_describe(status)}); starting another", file=sys.stderr, flush=True)
        if time.monotonic() - started < 1:
            time.sleep(1)  # one that dies at start would otherwise be restarted in a tight loop
        spawn()


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit code {os.WEXITSTATUS(status)}"
