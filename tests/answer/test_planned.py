"""How something turned out, asked of what the notes announce only as planned, is a fact they
do not hold: said so, with the passage telling it as to come."""

from __future__ import annotations

import pytest

from plw_assistant.answer.planned import MISSING
from plw_assistant.assistant import Assistant
from plw_assistant.domain import Question
from plw_assistant.evaluation.answers import first_unit


@pytest.mark.parametrize(
    "question",
    [
        "What came out of the extra PLW in 2022?",
        "Did the extra PLW in 2022 actually happen, and what came out of it?",
        "What were the outcomes of the additional PLW organised in 2022?",
    ],
)
def test_the_outcome_of_what_is_only_planned_is_said_missing(
    assistant: Assistant, question: str
) -> None:
    answer = assistant.ask(Question(question))
    assert answer.missing == MISSING
    assert "an extra PLW in 2022" in answer.answer  # the passage telling it as to come


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        ("What came out of the webinars?", "The organisation of the Peer Learning Webinars"),
        # Told as done ("a group … has been built"), though it says more is to come.
        (
            "What came out of the series in the end — did the clusters keep working together"
            " after the last session?",
            "Thanks to the PLWs",
        ),
    ],
)
def test_the_outcome_of_what_took_place_is_answered(
    assistant: Assistant, question: str, lead: str
) -> None:
    answer = assistant.ask(Question(question))
    assert not answer.missing
    assert first_unit(answer.answer).startswith(lead)
