"""Serving as one service: `plw serve --workers 2` under uvicorn's supervisor (a worker killed
with SIGKILL is replaced; one indexer, not one per worker), and two `plw serve` processes on
two ports over one index folder sharing sign-in, sign-out, rate limits and new notes. Real
servers, the real model; the note uploaded is made up."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from admin_support import TOKEN
from conftest import CORPUS, wait_healthy

from plw_assistant.config import Settings
from plw_bench.harness import free_port

pytestmark = pytest.mark.slow
QUESTION = {"question": "How can clusters support their members with EU funding?"}
MADE_UP = "What did the made-up moon-base cluster learn about tardigrade husbandry?"
NOTE = (
    b"# Made-up test note\n\nThe made-up moon-base cluster learnt that tardigrade husbandry "
    b"needs a cold room and a patient technician.\n"
)


def _children(pid: int) -> dict[int, str]:
    """The processes ``pid`` started: pid → command line."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmd = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid:
            found[int(stat.parent.name)] = cmd
    return found


def _workers(pid: int) -> set[int]:
    return {p for p, cmd in _children(pid).items() if "spawn_main" in cmd}


@pytest.fixture
def folder(tmp_path: Path, settings: Settings) -> Path:
    """A corpus and its index of their own (the session's, copied: nothing to build)."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    shutil.copytree(settings.index_dir, tmp_path / "index", ignore=_APP_DATA)
    return tmp_path


_APP_DATA = shutil.ignore_patterns("app.sqlite*", "admin-session.key")


def _serve(folder: Path, port: int, *args: str, **more: str) -> subprocess.Popen[str]:
    plw = Path(sys.executable).parent / "plw"
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "PLW_CORPUS_DIR": str(folder / "corpus"),
        "PLW_INDEX_DIR": str(folder / "index"),
        "PLW_ADMIN_TOKEN": TOKEN,
        **more,
    }
    with (folder / f"serve-{port}.log").open("w") as log:  # the server keeps its own copy
        return subprocess.Popen(
            [str(plw), "serve", "--port", str(port), *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )


@pytest.fixture
def servers() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
    for proc in started:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def test_two_workers_answer_and_one_killed_is_replaced(folder: Path, servers) -> None:
    port = free_port()
    proc = _serve(folder, port, "--workers", "2")
    servers.append(proc)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(proc, base)
    deadline = time.monotonic() + 60
    while len(_workers(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    first = _workers(proc.pid)
    assert len(first) == 2, _children(proc.pid)
    with httpx.Client(base_url=base, timeout=30) as http:
        assert http.post("/api/ask", json=QUESTION).json()["citations"]
        os.kill(min(first), signal.SIGKILL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            now = _workers(proc.pid)
            if len(now) == 2 and min(first) not in now:
                break
            time.sleep(0.3)
        assert len(now) == 2 and min(first) not in now, (first, now)
        codes = [http.post("/api/ask", json=QUESTION).status_code for _ in range(6)]
        assert codes == [200] * 6
    log = (folder / f"serve-{port}.log").read_text()
    # The one indexer ran beside the workers, never in them.
    assert log.count("Nothing changed: ") == 1 and "Rebuilding" not in log, log


def test_two_servers_over_one_index_folder_behave_as_one(folder: Path, servers) -> None:
    ports = [free_port(), free_port()]
    servers.extend(_serve(folder, port) for port in ports)
    a, b = (httpx.Client(base_url=f"http://127.0.0.1:{p}", timeout=60) for p in ports)
    for proc, http in zip(servers, (a, b), strict=True):
        wait_healthy(proc, str(http.base_url).rstrip("/"))
    with a, b:
        # Signed in on one, signed in on the other; signed out on the other, out on both.
        assert a.post("/admin/signin", data={"token": TOKEN}).status_code == 303
        b.cookies = a.cookies
        page = b.get("/admin")
        assert page.status_code == 200 and "Sign out" in page.text
        signed_out = b.post("/admin/signout", data={"form_token": _form_token(page.text)})
        assert signed_out.status_code == 303
        again = httpx.Client(base_url=a.base_url, cookies=a.cookies, timeout=60)
        with again:
            assert "Sign out" not in again.get("/admin").text
        # A note uploaded through one is answered by both.
        a.post("/admin/signin", data={"token": TOKEN})
        form = _form_token(a.get("/admin").text)
        up = a.post(
            "/admin/upload",
            data={"form_token": form},
            files={"note": ("moon-base.md", NOTE, "text/markdown")},
        )
        assert up.status_code == 200, up.text[:500]
        for http in (a, b):
            answer = http.post("/api/ask", json={"question": MADE_UP}).json()
            assert not answer["abstained"] and "tardigrade" in answer["answer"], answer
        # Refused admin requests count on both: 5 a minute in all, then 429 on either.
        fresh = [httpx.Client(base_url=h.base_url, timeout=60) for h in (a, b)]
        codes = [
            fresh[i % 2].post("/admin/signin", data={"token": "wrong"}).status_code
            for i in range(5)
        ]
        assert codes == [401] * 5
        assert fresh[0].post("/admin/signin", data={"token": "wrong"}).status_code == 429
        assert fresh[1].post("/admin/signin", data={"token": TOKEN}).status_code == 429
        for http in fresh:
            http.close()


def _form_token(page: str) -> str:
    marker = 'name="form_token" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def test_a_client_cannot_choose_its_address_with_proxy_headers(folder: Path, servers) -> None:
    port = free_port()
    servers.append(_serve(folder, port, PLW_FEEDBACK_RATE="3/minute"))
    base = f"http://127.0.0.1:{port}"
    wait_healthy(servers[0], base)
    vote = {"rating": "up", "question": "Made-up question?"}
    codes = [
        httpx.post(
            f"{base}/api/feedback",
            json=vote,
            headers={"X-Forwarded-For": f"203.0.113.{i}", "Forwarded": f"for=198.51.100.{i}"},
            timeout=30,
        ).status_code
        for i in range(6)
    ]
    assert codes == [200, 200, 200, 429, 429, 429]  # one client, whatever it claims
    log = (folder / f"serve-{port}.log").read_text()
    assert "203.0.113." not in log and "127.0.0.1:" in log  # the log names the real peer
