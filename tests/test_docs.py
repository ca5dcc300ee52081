"""The README's commands, run as a reader would run them (a docs test): every line of its code
blocks, in order, in a fresh folder holding the seed article (``~`` is a fresh home folder).

``pip install`` lines are what ``.ci/run`` runs on a clean clone (checked here to be the same
commands), ``pytest`` is this suite; ``arshif serve`` is started for real on a free port and asked
for a search. Every ``arshif search`` in the README must find something.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from search.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def code_lines(markdown: str) -> list[str]:
    """The lines of the indented code blocks (four spaces, after a blank line or another code line)."""
    lines, previous = [], ""
    for line in markdown.splitlines():
        if line.startswith("    ") and line.strip() and (not previous.strip() or previous.startswith("    ")):
            lines.append(line.strip())
        previous = line
    return lines


def commands() -> list[str]:
    return [part.strip() for line in code_lines(README.read_text(encoding="utf-8")) for part in line.split(" && ")]


def test_the_readme_has_the_commands_this_test_runs():
    found = commands()
    assert "arshif reindex" in found and "arshif serve" in found and "pytest" in found
    assert sum(c.startswith("arshif search") for c in found) >= 3


def test_the_install_and_test_commands_are_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for line in code_lines(README.read_text(encoding="utf-8")):
        if line.startswith("pip install -e '.[test]'"):
            assert line in ci  # .ci/run runs it on a clean clone
    assert any(c.startswith("pip install -e .") for c in commands())


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(args: list[str], env: dict[str, str], cwd: Path) -> None:
    """Run ``arshif serve`` (with a free port added) until it answers a search, then stop it."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "search", *args, "--port", str(port), "--workers", "1"],
                            cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q=%D8%AF%D8%A7%D8%B9%D8%B4",
                                            timeout=2) as response:
                    assert response.status == 200 and b'"total": 0' not in response.read()
                    return
            except OSError:
                assert proc.poll() is None, "arshif serve exited"
                assert time.monotonic() < deadline, "arshif serve did not answer"
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_every_readme_command_works(tmp_path, monkeypatch, request):
    """... those with ``--backend opensearch`` against the session's real cluster (its address for
    the README's example one)."""
    home, work = tmp_path / "home", tmp_path / "work"
    shutil.copytree(ROOT / "seeds", work / "seeds")
    shutil.copytree(ROOT / "seeds", home / "archive")
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("ARSHIF_INDEX", raising=False)
    env_base = {**os.environ, "PYTHONPATH": str(ROOT)}
    ran = []
    for command in commands():
        words = [os.path.expanduser(w) for w in shlex.split(command)]
        env = dict(w.split("=", 1) for w in words if re.match(r"^[A-Z_]+=", w))
        words = [w for w in words if not re.match(r"^[A-Z_]+=", w)]
        if "--url" in words:  # the README's cluster is an example: the tests' real one stands in
            words[words.index("--url") + 1] = request.getfixturevalue("cluster").running().url
        env = {k: os.path.expanduser(v) for k, v in env.items()}
        if words[0] in ("pip", "pytest"):
            continue  # the test above, and this suite
        assert words[0] == "arshif", command
        if words[1] == "serve":
            _serve(words[1:], {**env_base, **env}, work)
            ran.append(command)
            continue
        result = CliRunner().invoke(cli, words[1:], env=env)
        assert result.exit_code == 0, f"{command}\n{result.output}"
        if words[1] == "search":
            assert not result.output.startswith("0 results") and '"total": 0' not in result.output, command
        ran.append(command)
    assert len(ran) == len([c for c in commands() if "arshif" in c])
