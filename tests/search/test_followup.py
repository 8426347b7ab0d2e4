"""Which questions need the turn before them, and the subject an elliptical one brings: read
from the question's words alone (no model, no index)."""

from __future__ import annotations

import pytest

from plw_assistant.search.followup import asks_why, is_follow_up, new_subject, wants_more


@pytest.mark.parametrize(
    "question",
    [
        "How do I configure a Kubernetes ingress?",  # short, but complete on its own
        "How many partnerships were invited?",
        "Partner search?",
        "did CLAMTEX take part?",
        "How can clusters support their members with EU funding?",  # "their": the clusters
        "Why is it worth meeting other partnerships when things get uncertain?",  # no "it"
        "What happens to members if clusters don't communicate in a crisis?",  # says what
    ],
)
def test_a_question_complete_on_its_own_is_a_new_one(question: str) -> None:
    assert not is_follow_up(question)


@pytest.mark.parametrize(
    "question",
    [
        "And what about partner search?",  # a leading "and", an elliptical "what about"
        "but what do clusters charge for it?",
        "how about the common note?",
        "What else?",
        "What else was discussed there?",
        "Who organised them?",
        "when was it published?",
        "what's her email?",
        "Is another one planned?",
        "and the one before that?",
        "the previous one?",
        "what was that session called?",
        "Can they pay for usual activities?",
        "Why?",  # names nothing of its own
        "Tell me more",
        "which others took part?",  # "others": the others than those just named
        "and the rest?",
        "in which session?",  # a webinar asked for, of nothing of its own
        "how many in total?",  # a count of nothing named: of what was asked before
        "over what period?",  # a time of nothing named: of what was asked before
        "what happens if we don't?",  # what is not done is what the answer before said
        "how does that save time?",  # "that": what the answer before said
        "Does this apply to SMEs?",
        "and if not?",
        "ok but how do clusters actually offer that to members, any models?",  # "offer that"
    ],
)
def test_a_question_pointing_back_or_naming_nothing_follows_up(question: str) -> None:
    assert is_follow_up(question)


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("And what about partner search?", "partner search"),
        ("what about partner search?", "partner search"),
        ("How about the common note?", "the common note"),
        ("and for SMEs?", "SMEs"),
        ("And, for the members?", "members"),
        ("As for calls?", "calls"),
        ("and PLW#2?", "PLW#2"),
        # A whole question after "and" brings no subject: it asks something of its own.
        ("and who wrote the wrap-up article?", ""),
        ("And what's planned after that?", ""),
        ("What else?", ""),
        ("How do I configure a Kubernetes ingress?", ""),
        # Words pointing back bring no subject either.
        ("and the other ones?", ""),
        ("and the rest?", ""),
    ],
)
def test_an_elliptical_opening_is_left_out_of_the_subject(question: str, subject: str) -> None:
    assert new_subject(question) == subject


@pytest.mark.parametrize(
    ("question", "why"),
    [
        ("why?", True),
        ("and why?", True),
        ("Why is that?", True),
        ("why does it matter?", True),
        ("why is that important?", True),
        ("Why should clusters team up in a crisis?", False),  # a question of its own
        ("why not the other partnerships?", False),
        ("and why not all of them?", True),
        # What happens if the lesson is not followed: the lesson says it.
        ("and what if we don't?", True),
        ("and if not?", True),
        ("what's the risk?", True),
        ("what's the catch?", True),
        ("and if we don't bother?", True),
        ("why though?", True),
        ("how come?", True),
        ("ok, so what do we need to be careful about?", True),
        ("what's the actual benefit?", True),
        ("and what's the risk if we don't?", True),
        ("why do clusters need EU funding?", False),
    ],
)
def test_why_of_the_answer_before(question: str, why: bool) -> None:
    assert asks_why(question) is why


def test_a_short_question_echoing_the_one_before_follows_it_up() -> None:
    before = "they said peer learning webinars should be extended, right?"
    assert is_follow_up("extended to who exactly?", before)
    assert not is_follow_up("extended to who exactly?")
    assert not is_follow_up("How do clusters extend their funding?", before)


@pytest.mark.parametrize(
    ("question", "more"),
    [
        ("any other tips like that?", True),
        ("the other ones?", True),
        ("what else?", True),
        ("anything other than that?", True),
        # Other doers named, not more of what was said.
        ("and how do other clusters charge for that kind of support?", False),
        ("what did other partnerships do?", False),
        ("how many others were invited?", False),
    ],
)
def test_what_asks_for_more_than_the_answer_before(question: str, more: bool) -> None:
    assert wants_more(question) is more
