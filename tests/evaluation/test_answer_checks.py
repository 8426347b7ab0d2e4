"""The checks at the answer a person reads (made-up answers, no model needed)."""

from __future__ import annotations

from plw_assistant.domain import Answer
from plw_assistant.evaluation.answers import answer_checks
from plw_assistant.evaluation.golden import Golden


def _checks(quote: str, text: str) -> dict:
    item = Golden("Which webinar was about the common note?", [("sessions/plw-2", quote)])
    return answer_checks(item, Answer(item.question, text, []))


def test_a_title_set_with_other_punctuation_is_the_same_title() -> None:
    text = "“Discussion with the PO” was a topic of PLW#2 “Working on a common note”. [1]"
    checks = _checks("PLW#2: Working on a common note", text)
    assert checks["answer_hit"] and checks["lead_hit"]


def test_other_words_are_still_a_miss() -> None:
    text = "“New calls for clusters” was a topic of PLW#4 “Preparing European project”. [1]"
    checks = _checks("PLW#2: Working on a common note", text)
    assert not checks["answer_hit"] and not checks["lead_hit"]


def test_saying_the_notes_do_not_give_it_declines_a_question_to_decline() -> None:
    from plw_assistant.evaluation.latest import miss

    row = {"expect_abstain": True, "abstained": False, "declined": True, "kind": "out_of_scope"}
    assert miss(row) is None
    assert miss({**row, "declined": False}) == "answered, expected to decline"
