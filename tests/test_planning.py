"""A question's trip from words to passages, with the real model and index: a question too
weak to answer on its own, whose best passage is the one the answer before led with, follows
that answer up; one that is not, in the same conversation, is declined as it would be alone."""

from __future__ import annotations

import pytest
from conftest import converse

from plw_assistant.assistant import Assistant
from plw_assistant.domain import Question, Turn
from plw_assistant.evaluation.answers import first_unit

FUNDING = "should clusters go after EU funding programmes?"
MONEY = "what can the money actually be used for?"


def test_a_question_too_weak_alone_that_continues_the_answer_before_follows_it(
    assistant: Assistant,
) -> None:
    alone = assistant.ask(Question(MONEY))
    assert alone.abstained  # on its own, the notes do not cover "the money"
    followed = converse(assistant, FUNDING, MONEY)
    assert not followed.abstained
    assert "useful for funding part of the clusters" in first_unit(followed.answer)
    retrieval = assistant.retrieve(Question(MONEY, history=_history(assistant, FUNDING)))
    assert retrieval.plan.continues  # searched with the question before it


def test_a_question_outside_the_notes_is_not_made_a_follow_up(assistant: Assistant) -> None:
    for unrelated in ("what's the weather like in Brussels?", "can you suggest a cheap hotel?"):
        assert converse(assistant, FUNDING, unrelated).abstained


def test_what_else_the_money_can_be_used_for_is_what_was_quoted(assistant: Assistant) -> None:
    """A topic's line on funding (PLW#5's) is near anything on money to the model; read with
    the question before it, the follow-up asks what the lesson quoted already said."""
    funding = "Why would a cluster bother with EU funding programmes at all?"
    answer = converse(assistant, funding, "what else can the money be used for?")
    assert answer.answer.startswith("The notes hold nothing more on this than the previous")
    assert "useful for funding part of the clusters" in first_unit(answer.answer)
    assert "was a topic of PLW#5" not in answer.answer


@pytest.mark.parametrize(
    ("question", "lead"),
    [
        (  # made up
            "I manage a small furniture cluster. During the lockdowns our team shrank and we "
            "stopped the monthly newsletter and the member round tables. Now several members "
            "say they feel forgotten. Was it a mistake to stop, and what should we have done?",
            "Communication has to be maintained",
        ),
        (
            "I manage a partnership that is funded by ESCP but not by the 4x strand. People keep "
            "telling me that peer learning webinars are only meant for ESCP-4x partnerships. Do "
            "the lessons say anything about it?",
            "Peer Learning webinars are very useful and should not be",
        ),
    ],
)
def test_an_ask_pointing_back_at_the_situation_is_read_with_it(
    assistant: Assistant, question: str, lead: str
) -> None:
    """ "Was it a mistake …?", "… anything about it?" name nothing alone (the ask alone would
    favour any passage on the webinars, or none): the whole question ranks and weighs whether
    to answer."""
    assert not assistant.retrieve(Question(question)).plan.focus
    assert first_unit(converse(assistant, question).answer).startswith(lead)


def test_an_ask_naming_a_webinar_or_nothing_still_weighs(assistant: Assistant) -> None:
    # "that session" names a webinar told before, not the situation: the ask is read too.
    missed = (
        "I missed the second BLUES peer learning webinar because of a clash with another "
        "meeting. Can you tell me what that session was about and what was discussed?"
    )
    assert assistant.retrieve(Question(missed)).plan.focus
    assert "Discussion with the PO" in first_unit(converse(assistant, missed).answer)
    # An ask pointing at nothing ("What do the lessons say?") still weighs whether to answer
    # at all, so an off-topic story asked so is declined.
    story = "How do I bake bread at home? Our cluster kitchen is new. What do the lessons say?"
    weighed = assistant.retrieve(Question(story)).plan
    assert weighed.focus and not weighed.steers
    assert assistant.ask(Question(story)).abstained


def _history(assistant: Assistant, *turns: str) -> tuple[Turn, ...]:
    history: list[Turn] = []
    for text in turns:
        answer = assistant.ask(Question(text, history=tuple(history)))
        history.append(
            Turn(
                answer.question,
                answer.answer,
                tuple(c.chunk_id for c in answer.citations if c.cited),
            )
        )
    return tuple(history)
