"""A question's trip from words to passages, with the real model and index: a question too
weak to answer on its own, whose best passage is the one the answer before led with, follows
that answer up; one that is not, in the same conversation, is declined as it would be alone."""

from __future__ import annotations

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
