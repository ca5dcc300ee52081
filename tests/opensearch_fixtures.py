"""A real 2-node OpenSearch cluster for the session (the fixture ``cluster``, through conftest),
started with ``scripts/opensearch_cluster.py``: for the backend's tests and the README's commands.

Skipped, with the reason, where Java, javac, Maven or the client is missing, unless
``ARSHIF_REQUIRE_OPENSEARCH=1`` (``.ci/run`` sets it): then a missing piece fails the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "opensearch_cluster.py"


def _missing() -> str | None:
    import opensearch_cluster

    tools = opensearch_cluster.missing_tools()
    if tools:
        return f"not on PATH: {', '.join(tools)}"
    try:
        import opensearchpy  # noqa: F401
    except ImportError:
        return "opensearch-py is not installed (pip install -e '.[test]')"
    return None


class Cluster:
    def __init__(self, directory: Path):
        self.url, self.directory, self.stopped = "", directory, True

    def start(self) -> None:
        """Start the nodes (again, on new ports, after :meth:`stop`); `url` is their address.

        :raise AssertionError: the cluster did not start (the script's output)."""
        started = subprocess.run([sys.executable, str(SCRIPT), "start", "--nodes", "2", "--dir", str(self.directory)],
                                 capture_output=True, text=True, timeout=900)
        assert started.returncode == 0, f"the cluster did not start:\n{started.stderr[-4000:]}"
        self.url, self.stopped = started.stdout.strip().splitlines()[-1], False

    def running(self) -> Cluster:
        """The cluster, started again if a test stopped it all (the node-loss test does)."""
        if self.stopped:
            self.start()
        return self

    def stop(self, node: int | None = None) -> None:
        args = [sys.executable, str(SCRIPT), "stop", "--dir", str(self.directory)]
        subprocess.run(args + ([] if node is None else ["--node", str(node)]), check=True, capture_output=True)
        self.stopped = self.stopped or node is None


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """A real 2-node OpenSearch cluster for the session (stopped at its end)."""
    reason = _missing()
    if reason:
        if os.environ.get("ARSHIF_REQUIRE_OPENSEARCH") == "1":
            pytest.fail(f"ARSHIF_REQUIRE_OPENSEARCH=1 but the OpenSearch tests cannot run: {reason}")
        pytest.skip(f"OpenSearch tests need Java 17 and Maven: {reason}")
    cluster = Cluster(tmp_path_factory.mktemp("opensearch"))
    try:
        cluster.start()
        yield cluster
    finally:
        if (cluster.directory / "cluster.json").exists():
            cluster.stop()


