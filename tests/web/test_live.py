"""Live updates: a running server answers from a new generation, re-indexing on change, uploads."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from admin_support import sign_in
from conftest import CORPUS, wait_for, write
from fastapi.testclient import TestClient
from pydantic import SecretStr

from plw_assistant.config import Settings
from plw_assistant.errors import CorpusError
from plw_assistant.ingest.corpus import save_note
from plw_assistant.pipeline.build import build_index
from plw_assistant.pipeline.watch import watch
from plw_assistant.store.generations import current_generation
from plw_assistant.web.admin_view import DISABLED, SIGN_IN_FIRST, WRONG_TOKEN
from plw_assistant.web.app import create_app

NOTE = (
    "---\ntitle: Made-up note on mentoring\n---\n## Lessons\n\n"
    "- Made-up lesson: senior cluster managers mentor newcomers every quarter.\n"
)
QUESTION = "Do senior cluster managers mentor newcomers?"


@pytest.fixture
def live(tmp_path: Path, embedder, settings: Settings) -> tuple[Settings, Path]:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index_dir = tmp_path / "index"
    shutil.copytree(settings.index_dir, index_dir)
    return settings.model_copy(update={"corpus_dir": corpus, "index_dir": index_dir}), corpus


def _mentoring_rank(client: TestClient) -> int | None:
    body = client.post("/api/ask", json={"question": QUESTION}).json()
    return next((c["n"] for c in body["citations"] if "mentor newcomers" in c["text"]), None)


def test_server_answers_from_a_new_generation_without_restart(live, embedder) -> None:
    settings, corpus = live
    with TestClient(create_app(settings, embedder)) as client:
        assert _mentoring_rank(client) is None
        write(corpus / "mentoring.md", NOTE)
        build_index(settings, embedder)
        assert _mentoring_rank(client) == 1


def test_no_request_fails_while_reindexing(live, embedder) -> None:
    settings, corpus = live
    errors: list[int] = []
    answered: list[int] = []  # builds finished when each answer came back
    builds = [0]
    done = threading.Event()
    with TestClient(create_app(settings, embedder)) as client:

        def load() -> None:
            deadline = time.monotonic() + 120  # bounded: stops by itself
            while not done.is_set() and time.monotonic() < deadline:
                r = client.post("/api/ask", json={"question": "EU funding for members"})
                if r.status_code != 200 or not r.json()["citations"]:
                    errors.append(r.status_code)
                answered.append(builds[0])

        thread = threading.Thread(target=load)
        thread.start()
        for i in range(3):
            seen = len(answered)
            wait_for(lambda seen=seen: len(answered) > seen)  # questions keep coming
            write(corpus / f"made-up-{i}.md", f"# Made-up note {i}\n\nMade-up text {i}.\n")
            build_index(settings, embedder)
            builds[0] += 1
        wait_for(lambda: answered[-1] == 3)  # and are answered from the last build too
        done.set()
        thread.join(timeout=60)
    assert errors == []
    assert {0, 1, 2, 3} <= set(answered), "questions were not asked across the rebuilds"


def test_watch_reindexes_when_a_note_is_saved(live, embedder) -> None:
    settings, corpus = live
    before = current_generation(settings.index_dir)
    reports: list[object] = []
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(settings, embedder, reports.append, stop))
    thread.start()
    try:
        # The watcher may not be watching yet: save the note again until a build follows.
        deadline = time.monotonic() + 30
        while current_generation(settings.index_dir) == before and time.monotonic() < deadline:
            write(corpus / "mentoring.md", NOTE)
            wait_for(lambda: current_generation(settings.index_dir) != before, seconds=1.0)
        assert current_generation(settings.index_dir) != before
    finally:
        stop.set()
        thread.join(timeout=10)
    assert any(getattr(r, "count", lambda _: 0)("new") == 1 for r in reports), reports


def test_uploads_are_disabled_without_a_token(live, embedder) -> None:
    settings, _ = live
    with TestClient(create_app(settings, embedder)) as client:
        page = client.get("/admin")
        assert DISABLED in page.text and page.context["enabled"] is False
        r = client.post(
            "/admin/upload", data={"token": "x"}, files={"note": ("n.md", b"# Made-up\n\nText.\n")}
        )
        assert r.status_code == 403 and r.context["error"] == DISABLED


def test_upload_needs_the_right_token_and_indexes_the_note(live, embedder) -> None:
    settings, corpus = live
    settings = settings.model_copy(update={"admin_token": SecretStr("made-up-secret-1")})
    with TestClient(create_app(settings, embedder)) as client:
        r = client.post("/admin/signin", data={"token": "wrong"})
        assert r.status_code == 401 and r.context["error"] == WRONG_TOKEN
        r = client.post("/admin/upload", files={"note": ("mentoring.md", NOTE.encode())})
        assert r.status_code == 401 and r.context["error"] == SIGN_IN_FIRST
        assert not (corpus / "uploads").exists()
        form = {"form_token": sign_in(client, "made-up-secret-1")}
        r = client.post(
            "/admin/upload",
            data=form,
            files={"note": ("../../mentoring notes.md", NOTE.encode())},
        )
        assert r.status_code == 200, r.text
        assert r.context["saved"] == "uploads/mentoring-notes.md"
        assert r.context["report"].count("new") == 1 and "+1 new" in r.text
        assert _mentoring_rank(client) == 1
        r = client.post("/admin/upload", data=form, files={"note": ("evil.exe", b"MZ")})
        assert r.status_code == 400 and "unsupported type .exe" in r.context["error"]


def test_saved_names_are_safe_and_never_overwrite(tmp_path: Path) -> None:
    assert save_note(tmp_path, "../../etc/passwd.md", b"a") == "uploads/passwd.md"
    assert save_note(tmp_path, "passwd.md", b"a") == "uploads/passwd.md"  # same note again
    assert save_note(tmp_path, "passwd.md", b"b") == "uploads/passwd-2.md"
    assert save_note(tmp_path, "C:\\\\notes\\\\Q&A <2022>.md", b"c") == "uploads/Q-A-2022.md"
    assert (tmp_path / "uploads" / "passwd.md").read_bytes() == b"a"
    with pytest.raises(CorpusError, match="unsupported type"):
        save_note(tmp_path, "script.sh", b"x")


def test_too_many_questions_at_once_get_503_with_retry_after(tmp_path: Path) -> None:
    # A made-up slow model: each question takes 1 s, so the first holds the only slot.
    from conftest import HashEmbedder

    asked = threading.Event()

    class Slow(HashEmbedder):
        def encode(self, texts, batch_size=32, progress=None):
            if len(texts) == 1 and "slow" in texts[0]:
                asked.set()
                time.sleep(1.0)
            return super().encode(texts, batch_size, progress)

    s = Settings(
        corpus_dir=CORPUS,
        index_dir=tmp_path / "index",
        cache_dir=tmp_path / "c",
        model="test-hash-embedder",
        max_pending=1,
    )
    build_index(s, HashEmbedder())
    with TestClient(create_app(s, Slow())) as client:
        results: list[int] = []
        first = threading.Thread(
            target=lambda: results.append(
                client.post("/api/ask", json={"question": "slow made-up question 1"}).status_code
            )
        )
        first.start()
        assert asked.wait(10)  # the first question holds the only slot
        busy = client.post("/api/ask", json={"question": "slow made-up question 2"})
        first.join()
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
        assert busy.json() == {
            "detail": "The assistant is answering many questions at once. "
            "Please ask again in a moment."
        }
        assert results == [200]
        assert client.get("/healthz").status_code == 200  # not a question: never refused
