"""The optional generated answer, against an OpenAI-compatible server started on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fake_llm import make_app, serve
from fastapi import FastAPI
from fastapi.testclient import TestClient

from plw_assistant.assistant import Assistant
from plw_assistant.config import Settings
from plw_assistant.domain import Question
from plw_assistant.web.app import create_app
from plw_bench.harness import free_port

EU = "How can clusters support their members with EU funding?"
# Made-up model output: two supported sentences, a bogus marker, one unsupported sentence.
SCRIPT = (
    "Members are more and more interested in EU funding programmes, but supporting them is "
    "time-consuming [1]. Most clusters can't include that kind of service in the membership "
    "fees [1][9]. The moon is made of green cheese [2]."
)


@pytest.fixture(scope="module")
def llm() -> Iterator[tuple[FastAPI, str]]:
    app = make_app()
    for url in serve(app):
        yield app, url


@pytest.fixture
def generative(settings: Settings, embedder, llm) -> Iterator[tuple[Assistant, FastAPI]]:
    app, url = llm
    app.state.script = {"mode": "ok", "text": SCRIPT}
    app.state.requests.clear()
    s = settings.model_copy(update={"llm_base_url": url, "llm_model": "made-up", "llm_timeout": 5})
    yield Assistant(s, embedder), app


def test_generated_answer_keeps_only_supported_citations(generative) -> None:
    assistant, app = generative
    answer = assistant.ask(Question(EU))
    assert answer.generated and not answer.notice
    assert answer.answer.startswith("Members are more and more interested in EU funding")
    assert "[9]" not in answer.answer  # pointed at no passage
    assert answer.answer.count("[1]") == 2 and "[2]" not in answer.answer
    assert answer.flagged == ["The moon is made of green cheese."]
    first = answer.citations[0]
    assert first.highlights and all(first.text[s:e] for s, e in first.highlights)
    prompt = app.state.requests[0]["messages"][1]["content"]
    assert "[1] Wrap-up of the main lessons learnt" in prompt and EU in prompt
    assert app.state.requests[0]["stream"] is True and app.state.requests[0]["model"] == "made-up"


def test_abstained_question_never_reaches_the_llm(generative) -> None:
    assistant, app = generative
    assert assistant.ask(Question("What is the capital of France?")).abstained
    assert app.state.requests == []


@pytest.mark.parametrize(
    ("script", "timeout", "notice"),
    [
        ({"mode": "error"}, 5, "Showing the quoted answer: the LLM server answered HTTP 500."),
        (
            {"mode": "slow", "delay": 2.0, "text": SCRIPT},
            0.5,
            "Showing the quoted answer: the LLM server did not answer within 0.5 s.",
        ),
    ],
)
def test_failing_llm_falls_back_to_the_quoted_answer(generative, script, timeout, notice) -> None:
    assistant, app = generative
    app.state.script = script
    slow = Assistant(
        assistant.settings.model_copy(update={"llm_timeout": timeout}), assistant.embedder
    )
    answer = slow.ask(Question(EU))
    assert not answer.generated and answer.notice == notice
    assert answer.citations and answer.citations[0].highlights


def test_unreachable_llm_falls_back(settings: Settings, embedder) -> None:
    s = settings.model_copy(
        update={"llm_base_url": f"http://127.0.0.1:{free_port()}/v1", "llm_model": "made-up"}
    )
    answer = Assistant(s, embedder).ask(Question(EU))
    assert (
        answer.notice
        == "Showing the quoted answer: the LLM server could not be reached (ConnectError)."
    )
    assert not answer.generated


def test_tokens_stream_as_server_sent_events(settings: Settings, embedder, llm) -> None:
    app, url = llm
    app.state.script = {"mode": "ok", "text": SCRIPT}
    s = settings.model_copy(update={"llm_base_url": url, "llm_model": "made-up"})
    with TestClient(create_app(s, embedder)) as client:
        page = client.get("/")
        assert 'data-stream="1"' in page.text
        with client.stream("POST", "/api/ask/stream", json={"question": EU}) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            raw = "".join(r.iter_text())
    events = [
        (block.split("\n")[0][len("event: ") :], json.loads(block.split("\n")[1][len("data: ") :]))
        for block in raw.strip().split("\n\n")
    ]
    tokens = [d["text"] for name, d in events if name == "token"]
    assert len(tokens) > 5 and "".join(tokens).strip() == SCRIPT
    name, final = events[-1]
    assert name == "answer" and final["generated"] and final["flagged"]
    assert 'class="cite" href="#passage-1"' in final["html"] and "green cheese" in final["html"]


def test_stream_without_llm_sends_the_quoted_answer(client: TestClient) -> None:
    with client.stream("POST", "/api/ask/stream", json={"question": EU}) as r:
        raw = "".join(r.iter_text())
    assert raw.startswith("event: answer\n") and raw.count("event: ") == 1
