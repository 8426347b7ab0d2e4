"""What "how many …?" counts, from the question's words alone (no model, no index), and a
number of others asked after an answer (the real model and index)."""

from __future__ import annotations

import re

import pytest
from conftest import converse

from plw_assistant.answer.counts import counted, counter, counts
from plw_assistant.assistant import Assistant
from plw_assistant.words import stem

_HOW_MANY = re.compile(r"\bhow\s+many\b\s*(.*)", re.I)


def _counted(question: str, before: str = "") -> str:
    match = _HOW_MANY.search(question)
    assert match is not None
    return counted(question, match, before)


@pytest.mark.parametrize(
    ("question", "before", "what"),
    [
        ("How many partnerships took part?", "", "partnerships"),
        ("how many in total?", "Which partnerships took part in the PLWs?", "partnerships"),
        # A series is counted by its members: the webinars, not the series.
        ("and how many were there?", "When did the PLW series take place?", "PLW"),
        ("how many were there?", "When did the series of webinars start?", "webinars"),
        ("how many were there?", "", "them"),
    ],
)
def test_what_is_counted(question: str, before: str, what: str) -> None:
    assert _counted(question, before) == what


def test_a_passage_gives_a_number_of_what_is_counted() -> None:
    partnerships = {stem("partnerships")}
    assert counts("14 partnerships have been invited to cooperate", partnerships)
    assert counts("a series of 5 PLW", {stem("PLW")})
    assert not counts("most of the ESCP-4x partnerships were represented", partnerships)


def test_others_counted_are_what_the_question_s_verb_did() -> None:
    question = "How many others did they invite?"
    what = _counted(question)
    assert what == "others"
    match = re.search(r"\bhow\s+many\s+(\w+)", question, re.I)
    assert match is not None
    holds = counter(question, match, what)
    assert holds is not None
    assert holds("14 partnerships have been invited to cooperate and share best practices.")
    assert not holds("In total, five PLWs were organised.")  # a number, of something else
    assert counter("How many partnerships took part?", match, "partnerships") is None


def test_how_many_others_after_an_answer_is_a_number_not_more_passages(
    assistant: Assistant,
) -> None:
    answer = converse(
        assistant, "Who organised the peer learning webinars?", "How many others did they invite?"
    )
    assert answer.answer.startswith("14 partnerships have been invited")
