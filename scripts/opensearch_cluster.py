"""Start and stop a real OpenSearch cluster on this machine, for tests, benchmarks and trying Arshif's
OpenSearch backend (:mod:`search.backends.opensearch`) without a distribution.

    python scripts/opensearch_cluster.py start --nodes 2 --dir /tmp/os   # last line: the URL(s)
    python scripts/opensearch_cluster.py stop --dir /tmp/os [--node 1]

``start`` fetches OpenSearch 2.19.6 from Maven Central with Maven (``scripts/opensearch/pom.xml``:
the server jar, its netty4 transport, analysis-common and painless modules, the test framework;
Maven's cache is ``~/.m2``, the jars are copied once into ``DIR/lib``), compiles the small launcher
``scripts/opensearch/ArshifNode.java`` (the test framework's ``MockNode``, which takes its plugins
from the classpath) into ``DIR/classes``, starts N JVMs on 127.0.0.1 forming one cluster (seed hosts
and initial cluster-manager nodes: every node), each with a small heap (``--heap``, 384 MB by
default), waits until all N have joined and the cluster is green or yellow, and prints the nodes'
HTTP addresses, comma-separated, as its last line (the value for ``--url`` / ``ARSHIF_URL``).
``DIR/cluster.json`` records the nodes (name, process id, ports); each node logs to
``DIR/node-K.log``. ``stop`` ends one node (``--node K``) or all, SIGTERM first (the node closes
cleanly), SIGKILL after 30 s.

Exit status: 0 started/stopped; 1 the cluster could not be fetched, compiled or started (the
reason and the tail of the failing node's log on stderr; nodes already started are stopped);
2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent / "opensearch"
POM = HERE / "pom.xml"
LAUNCHER = HERE / "ArshifNode.java"
STATE = "cluster.json"
#: the randomized-testing runner makes the server's Randomness expect a test context: off the classpath
NOT_ON_CLASSPATH = ("randomizedtesting-runner",)


class ClusterError(RuntimeError):
    """The cluster could not be fetched, compiled or started (the message says why)."""


def missing_tools() -> list[str]:
    """The programs ``start`` needs that are not on PATH (java, javac, mvn)."""
    return [tool for tool in ("java", "javac", "mvn") if shutil.which(tool) is None]


def fetch_jars(directory: Path) -> Path:
    """The OpenSearch jars in ``directory/lib``, fetched with Maven the first time.

    :raise ClusterError: Maven failed (its output in the message)."""
    lib = directory / "lib"
    done = lib / ".complete"
    if done.exists() and done.read_text() == POM.read_text():
        return lib
    lib.mkdir(parents=True, exist_ok=True)
    command = ["mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
               f"-DoutputDirectory={lib}", "-DincludeScope=runtime"]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise ClusterError(f"Maven could not fetch OpenSearch ({' '.join(command)}):\n{run.stdout[-3000:]}{run.stderr[-3000:]}")
    done.write_text(POM.read_text())
    return lib


def classpath(directory: Path) -> str:
    """The launcher's classpath: its compiled class, then every fetched jar but the test runner's."""
    lib = fetch_jars(directory)
    classes = directory / "classes"
    jars = sorted(str(j) for j in lib.glob("*.jar") if not j.name.startswith(NOT_ON_CLASSPATH))
    compiled = classes / "ArshifNode.class"
    if not compiled.exists() or compiled.stat().st_mtime < LAUNCHER.stat().st_mtime:
        classes.mkdir(parents=True, exist_ok=True)
        run = subprocess.run(["javac", "-cp", os.pathsep.join(jars), "-d", str(classes), str(LAUNCHER)],
                             capture_output=True, text=True, check=False)
        if run.returncode != 0:
            raise ClusterError(f"javac could not compile {LAUNCHER}:\n{run.stderr[-3000:]}")
    return os.pathsep.join([str(classes), *jars])


def free_ports(count: int) -> list[int]:
    """`count` distinct TCP ports free on 127.0.0.1 now."""
    sockets, ports = [], []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
        ports.append(s.getsockname()[1])
    for s in sockets:
        s.close()
    return ports


def node_settings(directory: Path, k: int, nodes: list[dict]) -> list[str]:
    """The settings of node `k` of `nodes` as ``key=value`` arguments for the launcher."""
    me = nodes[k]
    home = directory / me["name"]
    settings = {
        "cluster.name": "arshif-" + directory.name,
        "node.name": me["name"],
        "path.home": str(home),
        "path.data": str(home / "data"),
        "path.logs": str(home / "logs"),
        "network.host": "127.0.0.1",
        "http.port": str(me["http_port"]),
        "transport.port": str(me["transport_port"]),
        "http.type": "netty4",
        "transport.type": "netty4",
        "node.processors": "1",  # a small machine shared with other work: one search and one write thread each
        "cluster.routing.allocation.disk.threshold_enabled": "false",  # a test disk may be fuller than the watermarks
        "action.auto_create_index": "false",  # an index is only ever made by a reindex, with its settings
        # the parent circuit breaker counts what requests reserve, not the heap's garbage: with the serial
        # collector (kinder to 2 shared cores than G1) a small heap holds garbage until it is full, and the
        # real-memory breaker then refused searches ("Data too large", seen with a 512 MB heap)
        "indices.breaker.total.use_real_memory": "false",
    }
    if len(nodes) == 1:
        settings["discovery.type"] = "single-node"
    else:
        settings["discovery.seed_hosts"] = ",".join(f"127.0.0.1:{n['transport_port']}" for n in nodes)
        settings["cluster.initial_cluster_manager_nodes"] = ",".join(n["name"] for n in nodes[:3])
    return [f"{key}={value}" for key, value in settings.items()]


def url_of(nodes: list[dict]) -> str:
    """The nodes' HTTP addresses, comma-separated (what ``--url`` takes)."""
    return ",".join(f"http://127.0.0.1:{n['http_port']}" for n in nodes)


def start(directory: Path, count: int, heap: str = "384m", timeout: float = 240.0) -> str:
    """Start `count` nodes in `directory` and wait until they form one healthy cluster.

    :return: the nodes' URLs, comma-separated.
    :raise ClusterError: a node did not start or the cluster did not form within `timeout` seconds
        (the nodes started are stopped again)."""
    directory = directory.resolve()
    if (directory / STATE).exists() and any(_alive(n) for n in _load(directory)["nodes"]):
        raise ClusterError(f"a cluster is already running in {directory}: stop it first")
    directory.mkdir(parents=True, exist_ok=True)
    cp = classpath(directory)
    ports = free_ports(2 * count)
    nodes = [{"name": f"node-{k}", "http_port": ports[2 * k], "transport_port": ports[2 * k + 1]} for k in range(count)]
    for k, node in enumerate(nodes):
        log = open(directory / f"{node['name']}.log", "ab")
        command = ["java", f"-Xms{heap}", f"-Xmx{heap}", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                   "-Djava.awt.headless=true", "-Dfile.encoding=UTF-8", "-Dlog4j2.disable.jmx=true",
                   "-cp", cp, "ArshifNode", *node_settings(directory, k, nodes)]
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True, cwd=directory)
        log.close()
        node["pid"] = process.pid
    state = {"nodes": nodes, "url": url_of(nodes)}
    _save(directory, state)
    try:
        _wait_healthy(directory, nodes, timeout)
    except ClusterError:
        stop(directory)
        raise
    return state["url"]


def _wait_healthy(directory: Path, nodes: list[dict], timeout: float) -> None:
    from opensearchpy import OpenSearch  # the maintained client (the "opensearch" extra)
    from opensearchpy.exceptions import OpenSearchException

    client = OpenSearch(url_of(nodes).split(","), timeout=10, max_retries=0)
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        for node in nodes:
            if not _alive(node):
                raise ClusterError(f"{node['name']} exited while starting; its log ends:\n{_tail(directory, node)}")
        try:
            # (the client takes `timeout` as its own socket timeout: the server's default wait of 30 s applies)
            health = client.cluster.health(wait_for_nodes=str(len(nodes)), wait_for_status="yellow",
                                           request_timeout=40)
            if not health.get("timed_out") and health.get("number_of_nodes") == len(nodes):
                return
            last = json.dumps(health)
        except (OpenSearchException, OSError) as exc:
            last = f"{type(exc).__name__}: {exc}"
        time.sleep(1)
    raise ClusterError(f"the cluster did not become healthy within {timeout:.0f} s ({last})")


def stop(directory: Path, node: int | None = None, grace: float = 30.0) -> list[str]:
    """Stop node `node` (all when None) of the cluster in `directory`; the names of those stopped."""
    directory = directory.resolve()
    state = _load(directory)
    chosen = state["nodes"] if node is None else [n for n in state["nodes"] if n["name"] == f"node-{node}"]
    if node is not None and not chosen:
        raise ClusterError(f"no node-{node} in {directory / STATE}")
    for n in chosen:
        if _alive(n):
            os.kill(n["pid"], signal.SIGTERM)
    deadline = time.monotonic() + grace
    for n in chosen:
        while _alive(n) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(n):
            os.kill(n["pid"], signal.SIGKILL)
        _reap(n["pid"])
    return [n["name"] for n in chosen]


def _alive(node: dict) -> bool:
    """Whether the node's process still runs (and is this launcher, not a reused process id)."""
    pid = node.get("pid")
    if not pid:
        return False
    _reap(pid)
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            command = f.read()
        with open(f"/proc/{pid}/stat", "rb") as f:
            if f.read().rsplit(b")", 1)[-1].split()[0] == b"Z":
                return False
    except OSError:
        return False
    return b"ArshifNode" in command


def _reap(pid: int) -> None:
    """Collect an exited child (the nodes this process started), so it is not left a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _tail(directory: Path, node: dict, lines: int = 40) -> str:
    try:
        return "\n".join((directory / f"{node['name']}.log").read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _load(directory: Path) -> dict:
    try:
        return json.loads((directory / STATE).read_text())
    except (OSError, ValueError) as exc:
        raise ClusterError(f"no cluster recorded in {directory} ({exc})") from None


def _save(directory: Path, state: dict) -> None:
    tmp = directory / (STATE + ".tmp")
    tmp.write_text(json.dumps(state, indent=1))
    tmp.replace(directory / STATE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_start = sub.add_parser("start", help="start N nodes forming one cluster; print its URL last")
    p_start.add_argument("--nodes", type=int, default=2)
    p_start.add_argument("--dir", required=True, type=Path, help="where the jars, data, logs and cluster.json go")
    p_start.add_argument("--heap", default="384m", help="each node's JVM heap (-Xms and -Xmx)")
    p_start.add_argument("--timeout", type=float, default=240.0, help="seconds to wait for a healthy cluster")
    p_stop = sub.add_parser("stop", help="stop one node or all")
    p_stop.add_argument("--dir", required=True, type=Path)
    p_stop.add_argument("--node", type=int, default=None, help="the node's number K (node-K); all when left out")
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            if args.nodes < 1:
                parser.error("--nodes must be at least 1")
            missing = missing_tools()
            if missing:
                raise ClusterError(f"not on PATH: {', '.join(missing)} (OpenSearch needs Java 17 and Maven)")
            print(f"starting {args.nodes} OpenSearch node(s) in {args.dir} ...", file=sys.stderr, flush=True)
            print(start(args.dir, args.nodes, args.heap, args.timeout), flush=True)
        else:
            print("stopped " + ", ".join(stop(args.dir, args.node)), flush=True)
    except ClusterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
