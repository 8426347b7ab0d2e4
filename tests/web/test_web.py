"""The HTTP interface: JSON API, chat page, health check and bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import FIXTURES
from fastapi.testclient import TestClient

from plw_assistant.config import Settings
from plw_assistant.pipeline.build import build_index
from plw_assistant.web.app import create_app

QUESTION = "How can clusters support their members with EU funding?"


def test_api_ask_returns_the_public_shape(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": QUESTION, "k": 5})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {
        "question",
        "answer",
        "citations",
        "abstained",
        "generated",
        "flagged",
        "notice",
        "language",
        "confidence",
        "missing",
        "more",
        "offered",
        "searched",
        "resolved",
        "elsewhere",
    }
    assert body["question"] == QUESTION
    assert [c["n"] for c in body["citations"]] == [1, 2, 3, 4, 5]
    for c in body["citations"]:
        assert set(c) == {
            "n",
            "chunk_id",
            "document",
            "title",
            "section",
            "text",
            "score",
            "highlights",
            "page",
            "unit",
            "ocr",
            "place",
            "session",
            "date",
            "cited",
            "similarity",
            "match",
        }
        assert (c["unit"], c["ocr"], c["place"]) == ("", None, "")  # Markdown: no pages
        assert c["cited"] == bool(c["highlights"])
    assert any(
        c["text"].startswith("Members are more and more interested in EU funding")
        for c in body["citations"][:3]
    )
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", body["answer"])}
    assert markers and markers <= {c["n"] for c in body["citations"]}


def test_api_ask_k_defaults_and_bounds(client: TestClient) -> None:
    assert len(client.post("/api/ask", json={"question": QUESTION}).json()["citations"]) == 5
    assert (
        len(client.post("/api/ask", json={"question": QUESTION, "k": 2}).json()["citations"]) == 2
    )
    r = client.post("/api/ask", json={"question": QUESTION, "k": 0})
    assert (r.status_code, r.json()) == (422, {"detail": "k must be a whole number from 1 to 20."})


@pytest.mark.parametrize("question", ["", "   \n\t "])
def test_empty_question_is_422(client: TestClient, question: str) -> None:
    r = client.post("/api/ask", json={"question": question})
    assert r.status_code == 422
    assert r.json() == {"detail": "The question is empty. Type a question about the lessons."}


def test_too_long_question_is_422(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": "why " * 501})
    assert r.status_code == 422
    assert r.json() == {"detail": "The question is too long. Keep it under 2,000 characters."}


def test_malformed_body_is_422_with_a_clear_message(client: TestClient) -> None:
    r = client.post("/api/ask", json={})
    assert (r.status_code, r.json()) == (422, {"detail": "question: Field required"})
    r = client.post("/api/ask", content=b"not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "Traceback" not in r.text


def test_chat_page_renders_answer_and_citations(client: TestClient) -> None:
    r = client.get("/", params={"q": QUESTION})
    assert r.status_code == 200
    assert r.template.name == "index.html"
    answer = r.context["answer"]
    assert answer.question == QUESTION and len(answer.citations) == 5
    first = answer.citations[0]
    assert f'id="passage-{first.n}"' in r.text
    assert '<a class="cite" href="#passage-1">[1]</a>' in r.text
    assert "As cluster organisation" in r.text and "score 0." in r.text


def test_empty_chat_page_offers_starter_questions(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.context["answer"] is None
    assert "How can clusters support their members with EU funding?" in r.text
    assert client.get("/static/style.css").status_code == 200


def test_page_reports_bad_question_without_traceback(client: TestClient) -> None:
    r = client.get("/", params={"q": "  "})
    assert r.status_code == 422
    assert r.context["error"] == "The question is empty. Type a question about the lessons."


def test_healthz(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["model"] == "all-MiniLM-L6-v2"
    assert body["documents"] == 6 and body["chunks"] > 30


def test_missing_index_is_503_with_fixed_detail(tmp_path: Path, embedder) -> None:
    settings = Settings(corpus_dir=tmp_path, index_dir=tmp_path / "index")
    with TestClient(create_app(settings, embedder)) as c:
        r = c.post("/api/ask", json={"question": QUESTION})
        assert (r.status_code, r.json()) == (
            503,
            {"detail": "The index is not built yet. Run `plw index`, then ask again."},
        )
        assert c.get("/healthz").status_code == 503
        assert "Run `plw index`" in c.get("/", params={"q": QUESTION}).text


def test_html_in_corpus_text_is_escaped(tmp_path: Path, embedder) -> None:
    settings = Settings(corpus_dir=FIXTURES / "hostile", index_dir=tmp_path / "index")
    build_index(settings, embedder)
    with TestClient(create_app(settings, embedder)) as c:
        r = c.get("/", params={"q": "cluster newsletters"})
        api = c.post("/api/ask", json={"question": "cluster newsletters"}).json()
    assert '<script>alert("xss")</script>' in api["citations"][0]["text"]  # stored verbatim
    assert "<script>" not in r.text and "<img src=x" not in r.text and "<b>bold" not in r.text
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in r.text
    assert "&lt;b&gt;bold title&lt;/b&gt;" in r.text


def test_question_is_escaped_on_the_page(client: TestClient) -> None:
    r = client.get("/", params={"q": "<script>alert(1)</script> EU funding"})
    assert "<script>alert(1)" not in r.text and "&lt;script&gt;alert(1)" in r.text
