"""Sentence-level answers: every sentence cited, exact highlights, follow-ups, Markdown, chat."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from conftest import REPO
from fastapi.testclient import TestClient

from plw_assistant.assistant import Assistant
from plw_assistant.cli import cli
from plw_assistant.config import Settings
from plw_assistant.domain import Answer, Question, Turn
from plw_assistant.evaluation.golden import load_golden
from plw_assistant.text import plain_text

GOLDEN = REPO / "tests" / "golden"
FOLLOW_UPS = [
    json.loads(line) for line in (GOLDEN / "plw-followups.jsonl").read_text().splitlines()
]
_UNIT = re.compile(r"(.+?[.!?…]) \[(\d+)\](?: |$)")


def _sentences(answer: Answer) -> list[tuple[str, int]]:
    """Split an answer into (sentence, marker); fails if any text is left without a marker."""
    units = [(m.group(1), int(m.group(2))) for m in _UNIT.finditer(answer.answer)]
    assert "".join(m.group(0) for m in _UNIT.finditer(answer.answer)) == answer.answer
    return units


def _turn(answer: Answer) -> Turn:
    return Turn(
        answer.question, answer.answer, tuple(c.chunk_id for c in answer.citations if c.highlights)
    )


@pytest.fixture(scope="module")
def dev_answers(assistant: Assistant) -> list[Answer]:
    return [
        assistant.ask(Question(item.question))
        for item in load_golden(GOLDEN / "plw-dev.jsonl")
        if not item.abstain
    ]


def test_every_answer_sentence_carries_a_citation(dev_answers: list[Answer]) -> None:
    for answer in dev_answers:
        units = _sentences(answer)
        assert 1 <= len(units) <= 5, answer.answer
        numbers = {c.n for c in answer.citations}
        assert all(n in numbers for _, n in units)


def test_every_highlight_is_an_exact_span_quoted_in_the_answer(dev_answers: list[Answer]) -> None:
    for answer in dev_answers:
        quoted = {n for _, n in _sentences(answer)}
        for c in answer.citations:
            assert bool(c.highlights) == (c.n in quoted)
            for start, end in c.highlights:
                assert 0 <= start < end <= len(c.text)
                span = c.text[start:end]
                # Quoted exactly, but a webinar title in capitals is written in reading case.
                assert span == span.strip()
                assert plain_text(span).casefold() in answer.answer.casefold()


def test_answer_sentences_come_from_the_corpus(dev_answers: list[Answer]) -> None:
    for answer in dev_answers:
        by_n = {c.n: c for c in answer.citations}
        for sentence, n in _sentences(answer):
            c = by_n[n]
            # each sentence is a highlighted span of its passage, possibly after its heading
            assert any(plain_text(c.text[s:e]) in sentence for s, e in c.highlights)


@pytest.mark.parametrize("case", FOLLOW_UPS, ids=[c["turns"][1] for c in FOLLOW_UPS])
def test_follow_ups_resolve_with_the_previous_turn(assistant: Assistant, case: dict) -> None:
    first = assistant.ask(Question(case["turns"][0]))
    second = assistant.ask(Question(case["turns"][1], history=[_turn(first)]))
    top3 = second.citations[:3]
    assert any(c.document == case["document"] and case["quote"] in c.text for c in top3), [
        c.text for c in top3
    ]


def test_history_matters_for_follow_ups(assistant: Assistant) -> None:
    alone = assistant.ask(Question("What else was discussed there?"))
    assert not any("IT tool" in c.text for c in alone.citations[:3])


def test_api_takes_history(client: TestClient) -> None:
    first = client.post(
        "/api/ask", json={"question": "Which webinar dealt with the impact of COVID?"}
    )
    body = client.post(
        "/api/ask",
        json={"question": "What else was discussed there?", "history": [first.json()]},
    ).json()
    assert any("IT tool" in c["text"] for c in body["citations"][:3])
    assert "COVID impact" not in body["answer"].split("[")[0]  # not repeated first


def test_api_rejects_oversized_history(client: TestClient) -> None:
    turns = [{"question": "q", "answer": "a", "citations": []}] * 21
    r = client.post("/api/ask", json={"question": "and then?", "history": turns})
    assert r.status_code == 422 and r.json()["detail"].startswith("history: ")


def test_markdown_has_footnotes_with_quote_document_and_section(assistant: Assistant) -> None:
    answer = assistant.ask(Question("How can clusters support their members with EU funding?"))
    md = answer.to_markdown()
    assert md.startswith("**How can clusters support their members with EU funding?**\n\n")
    assert "[^1]" in md and "[1]" not in md
    note = next(line for line in md.splitlines() if line.startswith("[^1]: "))
    assert "“Members are more and more interested in EU funding programmes" in note
    assert note.endswith(
        "— Wrap-up of the main lessons learnt from the BLUES Peer learning webinars, "
        "Wrap-up of the lessons learnt › As cluster organisation"
    )


def test_plw_chat_keeps_the_conversation(settings: Settings) -> None:
    result = CliRunner().invoke(
        cli,
        ["chat", "-k", "3"],
        input="Which webinar dealt with the impact of COVID?\n"
        "What else was discussed there?\nexit\n",
        env={"PLW_INDEX_DIR": str(settings.index_dir)},
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    first, second = result.stdout.split("What else was discussed there?", 1)
    assert "“COVID impact and implementing the exchange” was a topic of PLW#1" in first
    reply = second.split("\n", 2)[1]
    assert reply.startswith("“IT tool” was a topic of PLW#1") and "COVID" not in reply


def test_plw_ask_markdown(settings: Settings) -> None:
    result = CliRunner().invoke(
        cli,
        ["ask", "--markdown", "How can clusters support their members with EU funding?"],
        env={"PLW_INDEX_DIR": str(settings.index_dir)},
        catch_exceptions=False,
    )
    assert result.exit_code == 0 and "[^1]: “Members are more" in result.stdout


def test_page_marks_highlights_and_links_documents(client: TestClient) -> None:
    r = client.get("/", params={"q": "How can clusters support their members with EU funding?"})
    assert "<mark>Members are more and more interested in EU funding programmes" in r.text
    answer = r.context["answer"]
    first = answer.citations[0]
    assert f'href="/documents/{first.document}?passage=' in r.text
    assert 'id="answer-markdown"' in r.text and "[^1]: “Members" in r.text
    doc = client.get(f"/documents/{first.document}", params={"passage": first.chunk_id})
    assert doc.status_code == 200 and doc.template.name == "document.html"
    assert '<mark id="passage">Members are more and more interested' in doc.text
    assert client.get("/documents/no-such-note").status_code == 404


def test_page_follow_up_without_javascript(client: TestClient) -> None:
    first = client.post("/", data={"q": "Which webinar dealt with the impact of COVID?"})
    history = first.context["history_json"]
    assert json.loads(history)[0]["question"] == "Which webinar dealt with the impact of COVID?"
    second = client.post("/", data={"q": "What else was discussed there?", "history": history})
    assert second.status_code == 200
    assert [t.question for t in second.context["earlier"]] == [
        "Which webinar dealt with the impact of COVID?"
    ]
    assert any("IT tool" in c.text for c in second.context["answer"].citations[:3])
    broken = client.post("/", data={"q": "What else was discussed there?", "history": "{not json"})
    assert broken.status_code == 200 and broken.context["earlier"] == []
