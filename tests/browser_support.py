"""What the browser tests share: Debian's Chromium, a `plw serve` on loopback over a copy of
the corpus (plus a made-up hostile note), and a browser. In CI (CI=true) a missing Chromium is
a failure, not a skip: .ci/run installs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, FIXTURES, REPO, wait_healthy

from plw_bench.harness import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run must install Debian's chromium package")
        pytest.skip("Chromium is not installed here (apt-get install chromium)")


def serve_copy(root: Path, env: dict[str, str] | None = None) -> Iterator[tuple[str, Path]]:
    """`plw serve` over a copy of the corpus in ``root``: yields its address and index folder."""
    require_chromium()
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    shutil.copy(FIXTURES / "hostile" / "script-note.md", corpus / "script-note.md")
    port = free_port()
    full_env = {
        **os.environ,
        "PLW_CORPUS_DIR": str(corpus),
        "PLW_INDEX_DIR": str(root / "index"),
        "HF_HUB_OFFLINE": "1",
        **(env or {}),
    }
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "plw"), "serve", "--port", str(port)],
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(proc, base)
        yield base, root / "index"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def launch_browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def watched_page(browser: Any, viewport: dict[str, int]) -> tuple[Any, Any]:
    """A new context and page at ``viewport`` (a phone below 600 px: mobile, touch) whose
    ``problems`` list gathers alerts, console errors (a CSP refusal) and failed loads."""
    phone = viewport["width"] < 600
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    pg = context.new_page()
    pg.problems = []
    pg.on("dialog", lambda d: (pg.problems.append(d.message), d.dismiss()))
    # A failed load is reported with its address (the browser's own favicon.ico request, which
    # the page never asks for, is not a page response and not counted).
    pg.on("console", lambda m: _console(pg, m))
    pg.on("response", lambda r: r.status >= 400 and pg.problems.append(f"{r.status} {r.url}"))
    return context, pg


def _console(pg: Any, message: Any) -> None:
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        pg.problems.append(message.text)


def ask(page: Any, question: str) -> Any:
    """Type and send a question (the page's script asks it in place); its new turn, once its
    answer is in."""
    before = page.locator(".conversation > .turn").count()
    page.fill("#q", question)
    page.press("#q", "Enter")
    turn = page.locator(".conversation > .turn").nth(before)
    turn.locator(".answer").wait_for()
    return turn
