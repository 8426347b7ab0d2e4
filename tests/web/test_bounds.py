"""Hostile input and faults, round two: what a request may cost (body caps and deadlines, slow
clients, rate limits, request heads), who may change things (admin sign-in, same origin, Host),
failed uploads, and `plw serve` listening at once with the last good index."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from admin_support import NOTE, TOKEN, admin_copy, sign_in
from conftest import CORPUS, HashEmbedder, wait_healthy, write
from fastapi.testclient import TestClient
from pydantic import SecretStr

from plw_assistant.appdata.database import AppDatabase
from plw_assistant.cli.serve import _serving, server_options
from plw_assistant.config import ADMIN_TOKEN_TOO_SHORT, Settings
from plw_assistant.store.reader import Index
from plw_assistant.web.admin_view import DISABLED
from plw_assistant.web.app import create_app
from plw_assistant.web.bounds import ASK_CAP, CROSS_SITE, MAX_HEAD, TOO_SLOW
from plw_assistant.web.guard import Guard
from plw_assistant.web.rates import Rates
from plw_assistant.web.startup import NO_QUERY_STRING
from plw_bench.harness import free_port


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    return admin_copy(tmp_path)


def _client(settings: Settings, **update: Any) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=update), HashEmbedder()))


# (a) Who may change things.


@pytest.mark.parametrize("token", ["", "   ", "made-up-15-char"])
def test_a_blank_or_short_admin_token_keeps_admin_disabled(small, token, caplog) -> None:
    with (
        caplog.at_level(logging.ERROR, "plw_assistant"),
        _client(small, admin_token=SecretStr(token)) as client,
    ):
        page = client.get("/admin")
        # The page says admin is off; why (a setting) is for the server's log alone.
        assert page.context["enabled"] is False and DISABLED in page.text
        assert "PLW_" not in page.text
        files = {"note": ("note.md", NOTE)}
        r = client.post("/admin/upload", data={"token": token}, files=files)
        assert r.status_code == 403 and r.context["error"] == DISABLED
        r = client.post("/admin/reindex", data={"token": token})
        assert r.status_code == 403
    assert not (small.corpus_dir / "uploads").exists()
    assert ADMIN_TOKEN_TOO_SHORT in caplog.text


def _forms(form_token: str) -> dict[str, dict[str, Any]]:
    """A valid body for each form that changes something (admin ones for a signed-in admin)."""
    return {
        "/": {"data": {"q": "EU funding"}},
        "/feedback": {"data": {"rating": "up", "question": "q"}},
        "/api/feedback": {"json": {"rating": "up", "question": "q"}},
        "/admin/reindex": {"data": {"form_token": form_token}},
        "/admin/upload": {"data": {"form_token": form_token}, "files": {"note": ("n.md", NOTE)}},
        "/admin/gaps/recheck": {"data": {"form_token": form_token}},
    }


def test_forms_from_another_site_are_refused(small) -> None:
    hostile = [
        {"origin": "http://made-up-evil.example"},
        {"origin": "null"},
        {"origin": "http://testserver:8000"},  # another port is another origin
        {"sec-fetch-site": "cross-site"},
        {"origin": "http://testserver", "sec-fetch-site": "cross-site"},
    ]
    with _client(small) as client:
        for headers in hostile:
            r = client.post("/admin/signin", headers=headers, data={"token": TOKEN})
            assert r.status_code == 403 and CROSS_SITE in r.text, headers
        form_token = sign_in(client, TOKEN)
        for path, body in _forms(form_token).items():
            for headers in hostile:
                r = client.post(path, headers=headers, **body)
                assert r.status_code == 403, (path, headers, r.text)
                assert CROSS_SITE in r.text
            for headers in ({}, {"origin": "http://testserver", "sec-fetch-site": "same-origin"}):
                r = client.post(path, headers=headers, **body)
                assert r.status_code == 200, (path, headers, r.text[:300])
    assert (small.corpus_dir / "uploads" / "n.md").exists()


def test_only_the_allowed_host_names_are_answered(small) -> None:
    with _client(small) as client:
        assert (
            client.get("/healthz", headers={"host": "made-up-rebinding.example"}).status_code == 400
        )
        for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000", "testserver"):
            assert client.get("/healthz", headers={"host": host}).status_code == 200, host
    with _client(small, allowed_hosts="notes.made-up.example") as client:
        assert client.get("/healthz").status_code == 400
        assert client.get("/healthz", headers={"host": "notes.made-up.example"}).status_code == 200


def test_a_server_error_is_one_sentence_with_the_security_headers(small, caplog) -> None:
    app = create_app(small, HashEmbedder())

    def crash() -> None:  # a made-up route standing for any bug
        raise RuntimeError("made-up bug")

    app.add_api_route("/made-up-crash", crash)
    app.add_api_route("/api/made-up-crash", crash)
    with TestClient(app) as client:
        for path in ("/made-up-crash", "/api/made-up-crash"):
            r = client.get(path)
            assert r.status_code == 500 and "Something went wrong on our side" in r.text
            assert "made-up bug" not in r.text and "Traceback" not in r.text
            assert r.headers["content-security-policy"].startswith("default-src 'self'")
            assert r.headers["x-frame-options"] == "DENY"
    assert "made-up bug" in caplog.text  # in the log, for whoever runs the server


def test_the_test_clients_name_is_allowed_only_in_tests(monkeypatch) -> None:
    monkeypatch.delenv("PLW_ALLOWED_HOSTS")
    assert Settings().host_names == ["localhost", "127.0.0.1", "[::1]"]


def test_serve_allows_the_host_it_listens_on() -> None:
    settings = Settings()
    assert _serving(settings, "notes.made-up.example", False) == {
        "allowed_hosts": f"{settings.allowed_hosts},notes.made-up.example"
    }
    assert _serving(settings, "127.0.0.1", True) == {"watch": True}
    assert _serving(settings, "0.0.0.0", False) == {}  # the names clients use: unknown


def test_docs_are_off_and_the_schema_stays(small) -> None:
    with _client(small) as client:
        assert client.get("/docs").status_code == 404
        assert client.get("/redoc").status_code == 404
        assert client.get("/openapi.json").json()["info"]["title"] == "PLW Assistant"


def test_the_access_log_never_shows_a_query_string() -> None:
    args = ("127.0.0.1:5000", "POST", f"/admin/reindex?token={TOKEN}&q=x", "1.1", 200)
    record = logging.LogRecord("uvicorn.access", 20, "", 0, '%s - "%s %s HTTP/%s" %d', args, None)
    assert NO_QUERY_STRING.filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "POST /admin/reindex HTTP/1.1" 200'
    create_app(Settings())
    assert NO_QUERY_STRING in logging.getLogger("uvicorn.access").filters


# (c) Rate limits and field bounds.


def test_feedback_is_rate_limited_per_client(small) -> None:
    with _client(small, feedback_rate="3/minute") as client:
        vote = {"rating": "up", "question": "Made-up question"}
        assert [client.post("/api/feedback", json=vote).status_code for _ in range(3)] == [200] * 3
        r = client.post("/api/feedback", json=vote)
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60
        assert r.json()["detail"].startswith("Too much feedback from your address")
        assert client.post("/feedback", data=vote).status_code == 429  # one limit for both
        assert client.get("/healthz").status_code == 200


def test_refused_admin_attempts_are_rate_limited(small) -> None:
    with _client(small, admin_failure_rate="3/minute") as client:
        form_token = sign_in(client, TOKEN)
        assert client.post("/admin/reindex", data={"form_token": form_token}).status_code == 200
        assert client.post("/admin/signin", data={"token": "wrong"}).status_code == 401
        assert client.post("/admin/reindex", data={"form_token": "made-up"}).status_code == 403
        client.cookies.clear()
        assert client.post("/admin/reindex", data={}).status_code == 401  # no session
        r = client.post("/admin/signin", data={"token": TOKEN})  # even the right one, now
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert "Too many refused admin requests" in r.text
        r = client.post("/admin/upload", files={"note": ("n.md", NOTE)})
        assert r.status_code == 429


def test_a_signed_in_admin_is_not_locked_out_by_others_at_the_same_address(small) -> None:
    app = create_app(small.model_copy(update={"admin_failure_rate": "3/minute"}), HashEmbedder())
    with TestClient(app) as admin, TestClient(app) as guesser:  # one address: "testclient"
        form_token = sign_in(admin, TOKEN)
        for _ in range(3):
            guesser.post("/admin/signin", data={"token": "wrong"})
        assert guesser.post("/admin/signin", data={"token": "wrong"}).status_code == 429
        assert admin.post("/admin/reindex", data={"form_token": form_token}).status_code == 200


def test_feedback_fields_are_bounded(small) -> None:
    with _client(small) as client:
        vote = {"rating": "up", "question": "q", "chunk_ids": ["x" * 201]}
        r = client.post("/api/feedback", json=vote)
        assert r.status_code == 422 and "chunk_ids.0" in r.json()["detail"]
        vote["chunk_ids"] = ["x" * 2_000_000]
        assert client.post("/api/feedback", json=vote).status_code == 413
        form = {"rating": "up", "question": "q", "chunk_ids": "x" * 201}
        assert client.post("/feedback", data=form).status_code == 422
        assert (
            client.post("/api/feedback", json={"rating": "up", "question": "q"}).status_code == 200
        )


# (d) History nested too deep.


def test_a_history_nested_too_deep_is_no_history(small) -> None:
    with _client(small) as client:
        for history in ("[" * 1000 + "]" * 1000, "[" * 100_000, json.dumps([{"q": "x" * 400_001}])):
            r = client.post("/", data={"q": "EU funding", "history": history})
            assert r.status_code == 200 and r.context["earlier"] == []


# (b) and (c) Bodies: capped and read within a deadline, before a question is counted.


class Recorder:
    """A made-up ASGI app that answers 200 with the body it read, and notes the calls."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        self.bodies.append(body)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _guard(**update: Any) -> tuple[Guard, Recorder]:
    settings = Settings().model_copy(update=update)
    app = Recorder()
    database = AppDatabase(Path(tempfile.mkdtemp(prefix="plw-guard-")) / "app.sqlite")
    return Guard(app, settings, Rates(settings, database)), app


async def _call(
    app: Any, path: str, chunks: list[bytes], *, length: int | None = None, pause: float = 0.0
) -> tuple[int, bytes, int]:
    """POST ``chunks`` to ``app`` over raw ASGI: the status, the body and the chunks read."""
    read = 0
    headers = [(b"host", b"testserver")]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))

    async def receive() -> dict[str, Any]:
        nonlocal read
        if read >= len(chunks):
            await asyncio.sleep(30)  # never reached when the guard does its job
            return {"type": "http.disconnect"}
        await asyncio.sleep(pause)
        read += 1
        return {"type": "http.request", "body": chunks[read - 1], "more_body": read < len(chunks)}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": path, "headers": headers, "client": ("c", 1)}
    await asyncio.wait_for(app(scope, receive, send), 10)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body, read


def test_a_body_over_its_cap_is_refused_without_reading_it() -> None:
    guard, app = _guard()
    hundred_mb = 100 * 1024 * 1024
    for path in ("/api/ask", "/", "/api/feedback", "/feedback", "/admin/reindex", "/admin/upload"):
        status, body, read = asyncio.run(_call(guard, path, [b"x"], length=hundred_mb))
        assert (status, read) == (413, 0), path
        assert b"too large" in body
    assert app.bodies == []


def test_a_body_that_grows_over_its_cap_is_refused_as_it_does() -> None:
    guard, app = _guard()
    chunk = b"x" * 64 * 1024
    endless = [chunk] * 1000  # 64 MB announced by nobody (chunked)
    status, _, read = asyncio.run(_call(guard, "/api/ask", endless))
    assert status == 413 and read == ASK_CAP // len(chunk) + 1
    status, _, read = asyncio.run(_call(guard, "/admin/upload", endless))  # streamed on
    assert status == 413 and read == 10 * 16 + 2  # 10 MB + the form's slack, then one more
    assert app.bodies == []


def test_a_slow_body_gets_408_and_never_holds_a_question_slot() -> None:
    guard, app = _guard(body_timeout=0.5, max_pending=1)

    async def both() -> tuple[tuple[int, bytes, int], tuple[int, bytes, int], int]:
        slow = asyncio.create_task(_call(guard, "/api/ask", [b"x"] * 1000, pause=0.2))
        await asyncio.sleep(0.1)
        pending_while_slow = guard.pending
        fast = await _call(guard, "/api/ask", [b'{"question": "q"}'])
        return await slow, fast, pending_while_slow

    slow, fast, pending_while_slow = asyncio.run(both())
    assert slow[0] == 408 and json.loads(slow[1]) == {"detail": TOO_SLOW}
    assert slow[2] <= 3  # read for half a second, then given up
    assert fast[0] == 200 and pending_while_slow == 0
    assert app.bodies == [b'{"question": "q"}']  # the app got the whole body, replayed


def test_a_complete_body_is_replayed_to_the_app() -> None:
    guard, app = _guard()
    parts = [b'{"question": ', b'"EU funding"}']
    status, body, _ = asyncio.run(_call(guard, "/api/ask", parts))
    assert (status, body, app.bodies) == (200, b"ok", [b'{"question": "EU funding"}'])


# (b) and (c) Request heads: bounded in size by uvicorn's h11 options (the ones `plw serve`
# uses); how long a head may take is a reverse proxy's business (README, "Exposed servers").


@pytest.fixture
def bounded_server() -> Iterator[int]:
    """A made-up app behind uvicorn with `plw serve`'s own options, on loopback."""
    port = free_port()
    options = server_options(Settings()) | {"timeout_keep_alive": 1}
    config = uvicorn.Config(Recorder(), host="127.0.0.1", port=port, log_level="error", **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def _answer(sock: socket.socket, seconds: float = 5.0) -> bytes:
    """What the server sends until it closes the connection (bounded in time)."""
    sock.settimeout(seconds)
    out = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            data = sock.recv(65536)
        except (TimeoutError, ConnectionResetError):
            break
        if not data:
            break
        out += data
    return out


def test_request_heads_are_bounded_in_size_and_idle_connections_closed(
    bounded_server: int,
) -> None:
    port = bounded_server
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _answer(s, 0.5).startswith(b"HTTP/1.1 200")  # keep-alive: still open
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        head = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Made-Up: " + b"y" * (MAX_HEAD + 1000)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            s.sendall(head)
        assert _answer(s).startswith(b"HTTP/1.1 400")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        many = b"".join(b"X-%d: y\r\n" % i for i in range(MAX_HEAD // 8))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n" + many)
        assert _answer(s).startswith(b"HTTP/1.1 400")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as slow:
        slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and then nothing: others go on
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            started = time.monotonic()
            answer = _answer(s, 5)  # answered, then closed once idle for timeout_keep_alive
        assert answer.startswith(b"HTTP/1.1 200") and time.monotonic() - started < 4


# (h) An upload that cannot be read.


def test_an_unreadable_upload_is_answered_and_removed(small) -> None:
    with _client(small) as client:
        form = {"form_token": sign_in(client, TOKEN)}
        for name, data in (("empty.md", b""), ("made-up.pdf", b"not a PDF at all")):
            r = client.post("/admin/upload", data=form, files={"note": (name, data)})
            assert r.status_code == 400, r.text
            assert r.context["error"].startswith(f"{name}: ") and len(r.context["error"]) > 12
        assert not list((small.corpus_dir / "uploads").iterdir())
        failed = [f["path"] for f in Index.load(small.index_dir).manifest.failed]
        assert not [p for p in failed if p.startswith("uploads/")], failed
        r = client.post("/admin/upload", data=form, files={"note": ("ok.md", NOTE)})
        assert r.status_code == 200 and r.context["saved"] == "uploads/ok.md"


def test_a_failing_note_that_was_there_before_is_left_alone(small) -> None:
    write(small.corpus_dir / "uploads" / "empty.md", b"")
    with _client(small) as client:
        form = {"form_token": sign_in(client, TOKEN)}
        r = client.post("/admin/upload", data=form, files={"note": ("empty.md", b"")})
        assert r.status_code == 400 and r.context["error"].startswith("empty.md: ")
    assert (small.corpus_dir / "uploads" / "empty.md").exists()


# Against a real `plw serve` on loopback.


def _serve(tmp: Path, port: int, env: dict[str, str], log: str) -> subprocess.Popen[str]:
    plw = Path(sys.executable).parent / "plw"
    with (tmp / log).open("w") as out:  # the server writes to its own copy of the file
        return subprocess.Popen(
            [str(plw), "serve", "--port", str(port)],
            env={**os.environ, "HF_HUB_OFFLINE": "1", **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _slow_client(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(
        b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n{"
    )
    return s


@pytest.mark.slow
def test_slow_clients_never_keep_questions_from_being_answered(
    tmp_path: Path, settings: Settings
) -> None:
    shutil.copytree(settings.index_dir, tmp_path / "index")
    port = free_port()
    env = {
        "PLW_CORPUS_DIR": str(CORPUS),
        "PLW_INDEX_DIR": str(tmp_path / "index"),
        "PLW_MAX_PENDING": "4",
        "PLW_BODY_TIMEOUT": "5",
        "PLW_ADMIN_TOKEN": TOKEN,
    }
    proc = _serve(tmp_path, port, env, "serve.log")
    base = f"http://127.0.0.1:{port}"
    slow: list[socket.socket] = []
    stop = threading.Event()
    try:
        wait_healthy(proc, base)
        slow = [_slow_client(port) for _ in range(8)]  # twice PLW_MAX_PENDING, one byte a second

        def dribble() -> None:
            for _ in range(10):  # bounded: ten bytes each at most
                if stop.wait(1.0):
                    return
                for s in slow:
                    with contextlib.suppress(OSError):
                        s.sendall(b" ")

        dribbler = threading.Thread(target=dribble)
        dribbler.start()
        started = time.monotonic()
        codes = [
            httpx.post(
                f"{base}/api/ask", json={"question": f"EU funding {i}"}, timeout=15
            ).status_code
            for i in range(10)
        ]
        took = time.monotonic() - started
        stop.set()
        dribbler.join(timeout=5)
        assert codes == [200] * 10 and took < 15, (codes, took)
        answers = [_answer(s, 10) for s in slow]  # each given up after PLW_BODY_TIMEOUT
        assert all(a.startswith(b"HTTP/1.1 408") for a in answers), answers
        httpx.get(f"{base}/admin", params={"token": TOKEN}, timeout=10)
        httpx.post(f"{base}/admin/reindex?token={TOKEN}", data={"token": "wrong"}, timeout=10)
        signed = httpx.post(f"{base}/admin/signin", data={"token": TOKEN}, timeout=10)
        assert signed.status_code == 303 and TOKEN not in signed.headers["set-cookie"]
    finally:
        stop.set()
        for s in slow:
            s.close()
        _stop(proc)
    log = (tmp_path / "serve.log").read_text()
    assert '"GET /admin HTTP/1.1" 200' in log and TOKEN not in log


NEW_NOTE = (
    "---\ntitle: Made-up note on mentoring\n---\n## Lessons\n\n"
    "- Made-up lesson: senior cluster managers mentor newcomers every quarter.\n\n"
    + "".join(  # and enough made-up filler that the rebuild takes a while
        f"- Made-up inventory line {i}: crate {i} holds {i * 7} spare bolts. "
        f"It is stored on shelf {i * 3} of the made-up depot.\n\n"
        for i in range(300)
    )
)


@pytest.mark.slow
def test_serve_listens_at_once_with_the_last_good_index(tmp_path: Path, settings: Settings) -> None:
    """Notes changed since the index was built (a kill -9 mid-upload leaves that): the old
    index serves at once, a kill -9 during the rebuild changes nothing, the rebuild lands."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    shutil.copytree(settings.index_dir, tmp_path / "index")
    write(corpus / "uploads" / "mentoring.md", NEW_NOTE)  # 300 passages to embed
    env = {"PLW_CORPUS_DIR": str(corpus), "PLW_INDEX_DIR": str(tmp_path / "index")}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    first = _serve(tmp_path, port, env, "first.log")
    try:
        wait_healthy(first, base)  # the first start may export the ONNX encoder
        assert httpx.get(f"{base}/healthz", timeout=10).json()["documents"] == 6
    finally:
        first.send_signal(signal.SIGKILL)  # in the middle of the rebuild
        first.wait(timeout=10)
    started = time.monotonic()
    second = _serve(tmp_path, port, env, "second.log")
    try:
        wait_healthy(second, base)
        listening = time.monotonic() - started
        health = httpx.get(f"{base}/healthz", timeout=10).json()
        assert health["documents"] == 6 and listening < 15, (health, listening)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:  # the rebuild in the background lands
            if httpx.get(f"{base}/healthz", timeout=10).json()["documents"] == 7:
                break
            time.sleep(0.5)
        question = {"question": "Do senior cluster managers mentor newcomers?"}
        r = httpx.post(f"{base}/api/ask", json=question, timeout=30)
        assert r.status_code == 200
        assert "mentor newcomers" in r.json()["citations"][0]["text"], r.json()
    finally:
        _stop(second)
    log = (tmp_path / "second.log").read_text()
    assert "Indexed 7 documents" in log and "Building the index" not in log
    print(f"plw serve answered /healthz {listening:.1f} s after a kill -9 mid-rebuild")
