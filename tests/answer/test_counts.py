"""What "how many …?" counts, from the question's words alone (no model, no index)."""

from __future__ import annotations

import re

import pytest

from plw_assistant.answer.counts import counted, counts
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
