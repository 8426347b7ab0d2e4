"""Text that is not clean Unicode never reaches the model, the tokenizer or SQLite: lone
surrogates, controls and bidi marks in a question or a conversation are answered, not a 500."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from plw_assistant.appdata.database import AppDatabase
from plw_assistant.appdata.feedback import FeedbackStore
from plw_assistant.domain import Question, Turn
from plw_assistant.errors import StorageError

SURROGATE = b'{"question": "funding \\ud800 for members\\u202e\\u0007"}'


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_a_lone_surrogate_in_a_question(client: TestClient, mode: str) -> None:
    body = json.loads(SURROGATE) | {"mode": mode}
    r = client.post(
        "/api/ask",
        content=json.dumps(body).encode(),  # json.dumps escapes the surrogate as \ud800
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.json()["question"] == "funding   for members"


def test_a_lone_surrogate_in_a_streamed_question_and_its_history(client: TestClient) -> None:
    body = {
        "question": "and for SMEs \ud800 ?",
        "history": [
            {"question": "EU funding \ud800 x", "answer": "A \u202e. [1]", "citations": []}
        ],
    }
    data = json.dumps(body).encode()
    headers = {"content-type": "application/json"}
    with client.stream("POST", "/api/ask/stream", content=data, headers=headers) as r:
        text = "".join(r.iter_text())
    assert r.status_code == 200 and "event: answer" in text and "event: error" not in text


def test_a_surrogate_the_json_parser_refuses_is_a_clear_422(client: TestClient) -> None:
    # "\ud83d?" (half of an emoji) is refused while the JSON is parsed, before any model.
    body = {"question": "EU funding \ud83d?"}
    r = client.post(
        "/api/ask", content=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    assert r.status_code in (200, 422), r.text
    assert r.headers["x-content-type-options"] == "nosniff"
    if r.status_code == 422:
        assert r.json()["detail"].startswith("question: ")


def test_question_objects_clean_their_history() -> None:
    q = Question("EU \ud800 funding", history=(Turn("Who \udcff?", "A\u202eB"),))
    assert q.text == "EU   funding" and q.history[0] == Turn("Who  ?", "A B")


def test_feedback_on_a_full_disk_is_a_503(client: TestClient, monkeypatch) -> None:
    def full(self: AppDatabase, keep: bool = False) -> None:
        import sqlite3

        raise sqlite3.OperationalError("database or disk is full")  # made up: no disk fills

    monkeypatch.setattr(AppDatabase, "connect", full)
    with pytest.raises(StorageError, match="The feedback could not be saved: the disk is full"):
        FeedbackStore(AppDatabase(Path("/tmp/made-up-app.sqlite"))).add("up", "q", "a", [])
    r = client.post("/api/feedback", json={"rating": "up", "question": "q"})
    assert r.status_code == 503  # the guard counts the vote in the same database first
    assert r.json()["detail"].endswith("could not be saved: the disk is full.")
