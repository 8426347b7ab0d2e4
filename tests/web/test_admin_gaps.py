"""Knowledge gaps through the web, with the real model and index: what the chat, the API and
the feedback buttons record, the footer saying so, /admin/gaps grouping them, sorting,
re-checking, archiving and CSV; and nothing recorded with PLW_GAP_LOG off."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from admin_support import TOKEN, sign_in
from fastapi.testclient import TestClient
from pydantic import SecretStr

from plw_assistant.appdata.database import AppDatabase
from plw_assistant.appdata.gaps import GapLog
from plw_assistant.config import Settings
from plw_assistant.web.app import create_app

HACKATHON = [
    "How do we organise a hackathon for our members?",
    "What are tips for running a hackathon?",
    "How should we plan a hackathon event?",
]
COFFEE = "What is the best coffee machine for the office?"
TOPIC_ONLY = "Which webinar talked about the adaptation of the action plan?"
ANSWERED = "How can clusters support their members with EU funding?"


def _settings(settings: Settings, tmp_path: Path, **update: object) -> Settings:
    own = {"database_url": f"sqlite:///{tmp_path}/app.sqlite"}
    return settings.model_copy(update={"admin_token": SecretStr(TOKEN), **own, **update})


@pytest.fixture
def web(settings: Settings, embedder, tmp_path: Path) -> Iterator[tuple[TestClient, GapLog]]:
    s = _settings(settings, tmp_path)
    with TestClient(create_app(s, embedder)) as client:
        yield client, GapLog(AppDatabase.from_settings(s), s.gap_log_days)


def test_the_chat_api_and_feedback_record_what_the_notes_could_not_answer(web) -> None:
    client, log = web
    assert client.post("/api/ask", json={"question": HACKATHON[0]}).json()["abstained"]
    stream = client.post("/api/ask/stream", json={"question": HACKATHON[1]})
    assert "event: answer" in stream.text
    assert client.get("/", params={"q": HACKATHON[2]}).context["answer"].abstained
    # Another site's page asking through the browser (an <img>, a link) is answered, not kept.
    foreign = {"sec-fetch-site": "cross-site"}
    for q in ("=HYPERLINK(made-up)", "Made-up flood question?"):
        assert client.get("/", params={"q": q}, headers=foreign).context["answer"].abstained
    assert client.post("/api/ask", json={"question": TOPIC_ONLY}).status_code == 200
    answered = client.post("/api/ask", json={"question": ANSWERED}).json()
    assert not answered["abstained"]
    chunk_ids = [c["chunk_id"] for c in answered["citations"] if c["cited"]]
    vote = {"rating": "down", "question": ANSWERED, "chunk_ids": chunk_ids}
    client.post("/api/feedback", json={**vote, "comment": "Made-up comment: too general"})
    client.post("/api/feedback", json={**vote, "rating": "up"})  # a Yes is no gap
    r = client.post("/feedback", data={"rating": "down", "kind": "missing", "question": COFFEE})
    assert r.context["ask_comment"]
    data = {"vote": str(r.context["vote"]), "question": COFFEE, "comment": "Made-up: any brand"}
    assert client.post("/feedback", data=data).context["commented"] is True
    rows = log.gaps()
    assert [(r.outcome, r.question) for r in rows] == [
        ("abstained", HACKATHON[0]),
        ("abstained", HACKATHON[1]),
        ("abstained", HACKATHON[2]),
        ("topic_only", TOPIC_ONLY),
        ("no", ANSWERED),
        ("no", COFFEE),
    ]
    assert rows[4].chunk_ids == tuple(chunk_ids) and rows[4].comment.startswith("Made-up")
    assert rows[5].comment == "Made-up: any brand"


def test_every_page_says_unanswered_questions_are_kept(web, settings, embedder, tmp_path) -> None:
    client, _ = web
    footer = client.get("/").text.split('<footer class="site">')[1]
    assert "kept for 90 days, without who asked, to improve the notes" in footer
    assert "kept for 90 days" in client.get("/lessons").text
    off = _settings(settings, tmp_path, gap_log=False)
    with TestClient(create_app(off, embedder)) as quiet:
        assert "kept for" not in quiet.get("/").text


def test_with_the_gap_log_off_nothing_is_recorded(settings, embedder, tmp_path: Path) -> None:
    s = _settings(settings, tmp_path, gap_log=False)
    with TestClient(create_app(s, embedder)) as client:
        assert client.post("/api/ask", json={"question": HACKATHON[0]}).json()["abstained"]
        client.post("/api/feedback", json={"rating": "down", "question": ANSWERED})
        sign_in(client, TOKEN)
        page = client.get("/admin/gaps")
        assert page.context["off"].startswith("PLW_GAP_LOG is off") and page.context["groups"] == []
        assert client.get("/admin").context["open_gaps"] is None
    assert GapLog(AppDatabase.from_settings(s), 90).gaps() == []


def test_the_gaps_page_groups_sorts_rechecks_archives_and_exports(web) -> None:
    client, log = web
    for q in [*HACKATHON, COFFEE]:
        client.post("/api/ask", json={"question": q})
    form_token = sign_in(client, TOKEN)
    assert client.get("/admin").context["open_gaps"] == 4
    page = client.get("/admin/gaps")
    groups = page.context["groups"]
    assert [(sorted(g.questions), g.count) for g in groups] == [
        (sorted(HACKATHON), 3),
        ([COFFEE], 1),
    ]
    assert groups[0].status == "open" and groups[0].closest
    assert "Knowledge gaps" in page.text and groups[0].label in page.text
    assert client.get("/admin/gaps?sort=last").context["groups"][0].label == COFFEE
    assert client.get("/admin/gaps?sort=nonsense").status_code == 422

    r = client.post("/admin/gaps/recheck", data={"form_token": form_token})
    assert r.status_code == 200 and r.context["rechecked"] == 4
    assert r.url.path == "/admin/gaps" and r.context["sort"] == "status"
    assert all(g.recheck is not None and not g.recheck.answered for g in r.context["groups"])
    assert "still not answered" in r.text
    assert log.gaps() and len(log.gaps()) == 4  # the re-asks were not recorded

    exported = list(csv.DictReader(io.StringIO(client.get("/admin/gaps.csv").text)))
    assert [(row["count"], row["status"]) for row in exported] == [("3", "open"), ("1", "open")]
    assert exported[0]["questions"].count("\n") == 2 and exported[0]["rechecked_at"]

    coffee = next(g for g in groups if g.label == COFFEE)
    ids = " ".join(str(i) for i in coffee.ids)
    r = client.post("/admin/gaps/archive", data={"form_token": form_token, "ids": ids})
    assert r.context["archived"] == 1
    assert [g.label for g in r.context["groups"]] == [groups[0].label]
    bad = {"form_token": form_token, "ids": "x 99999999999999999999999 -1"}
    assert client.post("/admin/gaps/archive", data=bad).context["archived"] == 0
