"""End-to-end fixtures: the real ``arshif serve`` (waitress) on a free port, and headless Chromium,
as a pytest plugin (``pytest_plugins = ["browser_fixtures"]``).

Not a ``conftest.py``: a second module named ``conftest`` would shadow ``tests/conftest.py`` for the
tests that import from it.

The browser tests are skipped, with the reason, only when Debian's Chromium is not installed at
/usr/bin/chromium (CI installs it with apt-get).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from web_fixtures import build_index

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _arshif() -> list[str]:
    """The ``arshif`` command of this Python environment (``python -m search`` if not installed)."""
    script = Path(sys.executable).with_name("arshif")
    return [str(script)] if script.exists() else [sys.executable, "-m", "search"]


@pytest.fixture(scope="session")
def e2e_index(tmp_path_factory) -> Path:
    return build_index(tmp_path_factory.mktemp("e2e"))


@contextlib.contextmanager
def served(index: Path, log_dir: Path):
    """Base URL of ``arshif serve --port <free> --index <index>``, running inside the block."""
    port = _free_port()
    log = log_dir / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([*_arshif(), "serve", "--port", str(port), "--index", str(index)],
                                stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"arshif serve did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def server(e2e_index, tmp_path_factory):
    """Base URL of ``arshif serve --port <free> --index <test index>``, running for the session."""
    with served(e2e_index, tmp_path_factory.mktemp("serve")) as url:
        yield url


@pytest.fixture(scope="session")
def snn_server(tmp_path_factory):
    """The server on real SaudiNewsNet articles (:mod:`journalist_fixtures`)."""
    from journalist_fixtures import build

    index = build(tmp_path_factory.mktemp("snn-e2e"))
    with served(index, tmp_path_factory.mktemp("snn-serve")) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (install it: apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    """A desktop-width page; console errors (a CSP violation, a failed load) fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server)
    page = context.new_page()
    errors: list[str] = []

    def on_console(msg):
        # the page's own 400/404 status is logged as an error too; the tests check those
        own_status = "Failed to load resource" in msg.text and msg.location.get("url") == page.url
        if msg.type == "error" and not own_status:
            errors.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"
