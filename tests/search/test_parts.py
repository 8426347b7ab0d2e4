"""Questions that ask two things: their parts (no model needed)."""

from __future__ import annotations

import pytest

from plw_assistant.search.parts import asked_again, asking_clause, parts_of


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "EU funding: why does it matter for clusters, and how should we organise support?",
            ("EU funding: why does it matter for clusters", "how should we organise support"),
        ),
        (
            "How should we digitalise our services? Can it replace meeting face to face?",
            ("How should we digitalise our services", "Can it replace meeting face to face"),
        ),
        # A webinar named by its number names something of its own.
        (
            "What was PLW#2 about, and how many partnerships were invited to the webinars?",
            ("What was PLW#2 about", "how many partnerships were invited to the webinars"),
        ),
        # A word marking the next question belongs to the break, not to either part.
        (
            "what's the lesson on going digital, and separately what's the lesson on "
            "communicating with members?",
            (
                "what's the lesson on going digital",
                "what's the lesson on communicating with members",
            ),
        ),
        (
            "is digitalisation worth it for a cluster, and secondly, does helping members apply "
            "take a lot of time?",
            (
                "is digitalisation worth it for a cluster",
                "does helping members apply take a lot of time",
            ),
        ),
        # One word of its own is a part when it is asked for a fact ("when", "who").
        (
            "when was the webinars and how many partnership was invited?",
            ("when was the webinars", "how many partnership was invited"),
        ),
    ],
)
def test_a_question_asking_two_things_has_two_parts(question: str, parts: tuple) -> None:
    assert parts_of(question) == parts


@pytest.mark.parametrize(
    "question",
    [
        "How can we save time and effort when running project activities?",  # one thing
        "Was the follow-up of projects during and after them discussed?",
        "When we run into difficulties should we go it alone or team up?",
        "We've hit a rough patch, should we work with other partnerships?",  # a situation
        # A clause saying when, then the one question.
        "When we have problems in our project, like delays, is it smarter to team up?",
        "If a partner leaves, should we change the action plan?",
        "What did the webinars say about partner search?",
    ],
)
def test_a_question_asking_one_thing_has_no_parts(question: str) -> None:
    assert parts_of(question) == ()


def test_both_a_and_b_asks_the_question_of_each() -> None:
    assert parts_of("Is it useful both for clusters and for SMEs?") == (
        "Is it useful for clusters",
        "Is it useful for SMEs",
    )
    # Told with a situation, the question asked of each is its ask, not the situation.
    told = (
        "We are a new partnership. What should we keep in mind, both as partners and as clusters?"
    )
    assert parts_of(told) == (
        "What should we keep in mind as partners",
        "What should we keep in mind as clusters",
    )
    assert parts_of("What about both?") == ()


def test_a_preposition_said_twice_asks_of_each() -> None:
    assert parts_of("What did they say about SMEs and about EU funding?") == (
        "What did they say about SMEs",
        "What did they say about EU funding",
    )
    assert parts_of("What about time and effort?") == ()  # one thing asked


def test_a_long_question_of_one_sentence_asks_in_its_last_question_clause() -> None:
    # Made up: the situation names a percentage; the question does not ask for one.
    question = (
        "a consultancy offered to write all the proposals for our members for a small "
        "percentage, and another cluster told me they charge members a fee on top, i dont know "
        "which way is better for us, what possibilities came out of the discussions"
    )
    assert asking_clause(question) == "what possibilities came out of the discussions"
    assert asking_clause("how much did it cost?") == "how much did it cost?"


def test_a_short_question_telling_its_situation_first_asks_from_its_question_on() -> None:
    question = "I could not attend the second one, could you tell me what it covered?"
    assert asking_clause(question) == "could you tell me what it covered?"
    # Its first clause asking: the whole; a tail too short to ask alone asks of the rest.
    assert asking_clause("Who organised the PLWs, and who do I contact?").startswith("Who")
    question = "participant satisfaction score of webinars, how much?"
    assert asking_clause(question) == question


def test_a_part_asking_with_a_preposition_first_is_a_part() -> None:
    question = "How many partnerships were invited, and over what period did the webinars run?"
    assert parts_of(question) == (
        "How many partnerships were invited",
        "over what period did the webinars run",
    )
    assert parts_of("what did they say about time and effort?") == ()
    # One pointing back asks of the same thing: the passage dating the series counts it too.
    assert parts_of("How many PLWs were held, and over which period did they take place?") == ()


def test_a_later_part_asking_which_one_asks_of_the_kind_named_before() -> None:
    assert asked_again("which one covered partner search", "webinar") == (
        "which webinar covered partner search"
    )
    assert asked_again("in which about setting up proposals", "webinar") == (
        "in which webinar about setting up proposals"
    )
    # A part naming what it asks of, or asking "which of …", is left as it is.
    assert asked_again("which session covered the IT tool", "webinar") == (
        "which session covered the IT tool"
    )
    assert asked_again("which of them was online", "webinar") == "which of them was online"
