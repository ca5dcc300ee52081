"""``arshif serve``: the app on waitress, in one process per core.

Searching is Python work, and Python runs one thread at a time per process: waitress's threads
keep a core busy but never two. So the server opens its listening socket and forks `workers`
processes that each run waitress with their own app, each on a socket of its own on that port
(``SO_REUSEPORT``: the kernel spreads connections over them; see :func:`_sibling`). The parent only
watches: a worker that dies is replaced, and Ctrl-C or SIGTERM stops them all. Each worker dies
with the parent (PR_SET_PDEATHSIG).

Two threads per worker by default: one answers while the other waits on the network or the
index, and a slow search does not hold up the worker's other requests. More threads only
contend for the interpreter lock (measured with 1, 2 and 8 threads: docs/benchmark.md, "Web").
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sys
import time
from collections.abc import Callable

import waitress
import waitress.parser

from search.index import store

#: Waitress settings: no server name in responses; proxy headers dropped (unless the operator
#: trusts the proxy in front: ``arshif serve --trusted-proxy``).
WAITRESS = {"ident": "", "clear_untrusted_proxy_headers": True}


def _split_uri_of_any_bytes(uri: bytes, _split=waitress.parser.split_uri):
    """waitress's ``split_uri``, taking a request target with raw (unencoded) UTF-8 bytes, as
    ``curl "http://host/api/search?q=مسؤول"`` sends it: each byte outside ASCII is percent-encoded
    first, as a browser would have done. (waitress 3.0 answers such a request with a plain-text
    "400 Bad Request / Bad URI" of its own: ``urllib.parse.urlsplit`` decodes the bytes as ASCII,
    and waitress has no setting for it.)"""
    if not uri.isascii():
        uri = _NON_ASCII.sub(lambda m: b"%%%02X" % m.group()[0], uri)
    return _split(uri)


_NON_ASCII = re.compile(rb"[\x80-\xff]")


def accept_raw_utf8_urls() -> None:
    """Make waitress read request targets with raw UTF-8 (see :func:`_split_uri_of_any_bytes`)."""
    waitress.parser.split_uri = _split_uri_of_any_bytes


def default_workers() -> int:
    """One worker process per core, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


def listen(host: str, port: int) -> socket.socket:
    """The listening socket (raises OSError when the port is taken). Where the system has
    ``SO_REUSEPORT``, each worker gets a socket of its own on the same port (:func:`_sibling`)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if hasattr(socket, "SO_REUSEPORT"):
        # A port shared by SO_REUSEPORT would not fail when another `arshif serve` holds it:
        # try it without first, so a taken port is still an error.
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
            port = probe.getsockname()[1]
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def _sibling(sock: socket.socket) -> socket.socket:
    """Another listening socket on `sock`'s address, for one more worker: the kernel spreads new
    connections over such sockets by a hash of their addresses. With one shared socket the
    workers race to accept, and 16 keep-alive clients ended up 13 / 3 and 4 / 12 on two workers
    (``ss -tnp``), the busier one queueing four times the work. Without ``SO_REUSEPORT``
    the workers share `sock`."""
    if not hasattr(socket, "SO_REUSEPORT") or not sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT):
        return sock
    other = socket.socket(sock.family, socket.SOCK_STREAM)
    other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    other.bind(sock.getsockname()[:2])
    other.listen(1024)
    return other


def serve(make_app: Callable, sock: socket.socket, workers: int, threads: int, body_limit: int,
          trusted_proxy: bool = False) -> None:
    """Serve `make_app()` on `sock` with `workers` processes of `threads` threads each, until
    interrupted. With `trusted_proxy`, waitress passes the ``X-Forwarded-*`` headers on (the app
    reads them with werkzeug's ``ProxyFix``: :func:`web.create_app`); otherwise it drops them."""
    accept_raw_utf8_urls()
    options = dict(WAITRESS, threads=threads, max_request_body_size=body_limit,
                   clear_untrusted_proxy_headers=not trusted_proxy)
    if workers <= 1:
        waitress.serve(make_app(), sockets=[sock], **options)
        return
    sockets = [sock] + [_sibling(sock) for _ in range(workers - 1)]  # one per worker slot
    children: dict[int, tuple[int, float]] = {}  # pid -> (slot, start time)
    stopping = False

    def spawn(slot: int) -> None:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us with SIGTERM
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                store.die_with_parent(signal.SIGTERM)
                waitress.serve(make_app(), sockets=[sockets[slot]], **options)
            except BaseException:  # noqa: BLE001 -- reported, then the parent replaces us
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        children[pid] = (slot, time.monotonic())

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
    for slot in range(workers):
        spawn(slot)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        child = children.pop(pid, None)
        if child is None or stopping:
            continue
        slot, started = child
        print(f"worker {pid} stopped ({_describe(status)}); starting another", file=sys.stderr, flush=True)
        if time.monotonic() - started < 1:
            time.sleep(1)  # one that dies at start would otherwise be restarted in a tight loop
        spawn(slot)  # on the same socket: the connections waiting on it are served


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit code {os.WEXITSTATUS(status)}"
