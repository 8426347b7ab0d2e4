"""The form of answer a question's wording asks for, and passages written in it (no model
needed); the passages are made up for these tests."""

from __future__ import annotations

import pytest

from plw_assistant.search.expects import front_matter_asked
from plw_assistant.search.forms import (
    Form,
    asked,
    degree,
    holds,
    loosened,
    unasked,
)
from plw_assistant.words import stem


def same(word: str) -> set[str]:
    """A made-up glossary: "PLW" (or "PLWs") means "peer learning webinar"."""
    forms = {"plw", "plws", "webinar"}
    return {stem(word)} | (forms if stem(word) in forms else set())


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Why should a cluster bother going after EU money?", "purpose"),
        ("And why?", "purpose"),
        ("EU funding: why does it matter for clusters?", "purpose"),
        ("What was the point of the series in the first place?", "purpose"),
        ("What's the real aim of these meetings?", "purpose"),
        ("what was the whole series actually meant to achieve", "purpose"),
        ("honestly, why should a small cluster even bother with EU money?", "purpose"),
        ("How were the webinars meant to help partners see how others work?", "purpose"),
        ("What was the team hoping to achieve with these sessions?", "purpose"),
        ("was the aim only to swap stories or also to plan things together?", "purpose"),
        ("Is it meant to be online?", None),
        ("What principle is the whole peer learning approach built on?", "basis"),
        ("On what kind of learning approach were these sessions built?", "basis"),
        ("Based on the BLUES experience, should we run webinars too?", None),
        ("Did most partnerships actually turn up and get involved?", "turnout"),
        ("did the partnerships that came actually join in or mostly just listen", "turnout"),
        ("Who showed up? A handful of partnerships, or most of them?", "turnout"),
        (
            "We stopped our newsletter and now attendance at our events has dropped. The board"
            " asks if this is connected. What did the peer webinars say about this?",
            None,
        ),
        ("When a crisis hits, are clusters supposed to change what they offer?", None),
        ("what is a PLW?", "definition"),
        ("What does PO stand for?", "definition"),
        ("What does the acronym BLUES stand for?", "definition"),
        ("whats a peer learning webinar actually?", "definition"),
        ("what is a peer learning webinar actually meant to be?", "definition"),
        ("what means ESCP-4x?", "definition"),  # as a non-native speaker may ask
        ("so what's a PLW anyway lol", "definition"),  # words said after it ask nothing more
        ("what exactly is meant by a 'peer learning webinar'?", "definition"),
        ("Who organised the webinar series?", "agent"),
        ("Should PLWs only be for ESCP-4x partnerships?", "scope"),
        ("are companies in clusters getting keener on brussels funding these days", "trend"),
        ("which organisation was behind the programme of peer learning webinars", "agent"),
        ("should these sessions be offered more widely than just the 4x strand", "scope"),
        ("can we go fully digital?", "scope"),
        ("there are only two of us in the team, what did the webinars say?", None),
        ("Who was the organizer of the peer learning webinars?", "agent"),
        ("which partnership organised the webinars", "agent"),
        ("who was behind it", "agent"),  # who put it on: organised, ran, hosted
        ("Who took part?", None),  # a list of participants, not a doer
        ("did the PLWs actually work? were they a success", "judgement"),
        ("is it useful to look for synergies with other projects?", None),  # whether to do it
        ("Bottom line: did the peer learning webinars work or not?", "judgement"),
        ("did the people running it think the whole series actually worked", "judgement"),
        ("How did the sessions work?", None),  # how they were run, not how they went
        ("Who is the point of contact for the webinars?", None),
        ("What are the main lessons for cluster organisations on communication?", None),
        ("How can clusters support members with EU funding?", None),
    ],
)
def test_the_form_a_question_asks_for(question: str, kind: str | None) -> None:
    form = asked(question, same)
    assert (form.kind if form else None) == kind


def test_a_purpose_is_a_purpose_or_reason_clause_in_any_words() -> None:
    form = Form("purpose")
    assert holds(form, "Funding is strategic in order to diversify revenues.")
    assert holds(form, "Keep talking to members, or they risk losing trust.")
    assert holds(form, "The idea was to help partners learn from each other.")
    assert not holds(form, "Several options are available from outsourced to extra-paid.")
    # What a clause after a semicolon says it brings is why (made-up lessons).
    assert holds(form, "Share tools with others; it can save a lot of time.")
    assert holds(form, "Meet others; when things are hard, it is more efficient to team up.")
    assert not holds(form, "Meet others; the next meeting is in May.")


def test_who_came_and_joined_in_is_said_as_represented_or_participated() -> None:
    form = Form("turnout")
    assert holds(form, "Most partnerships were represented and actively participated.")
    assert not holds(form, "14 partnerships have been invited to cooperate.")


def test_what_something_rests_on_is_said_as_based_or_built_on() -> None:
    form = Form("basis")
    assert holds(form, "It is based on mutual interaction and cooperative learning.")
    assert not holds(form, "A group of dynamic clusters has been built and they continue.")


def test_a_purpose_asked_of_something_is_a_purpose_clause_naming_it() -> None:
    form = asked("What was the point of running the webinar series in the first place?", same)
    assert form is not None and form.kind == "purpose"
    assert holds(form, "Since 2020 we organised a series of 5 PLW in order to share knowledge.")
    # A purpose of something else in the same passage: not what was asked.
    assert not holds(form, "Webinars are tools. The idea was to help partners understand.")
    assert holds(loosened(form), "Webinars are tools. The idea was to help partners understand.")
    # Its subject may come before the ask, in the same clause (not from another part).
    meant = asked("what was the whole series actually meant to achieve", same)
    assert meant is not None and holds(meant, "They ran a series of 5 PLW in order to share.")
    assert not holds(meant, "Webinars are tools. The idea was to help partners understand.")
    other = asked("What does PLW stand for and what's the point of them?", same)
    assert other is not None and other.about == ()


def test_a_purpose_naming_more_of_what_was_asked_about_answers_more_directly() -> None:
    # Made-up passages: both hold a purpose clause naming the webinars.
    form = asked("What was the purpose of organising this webinar series?", same)
    assert form is not None and form.kind == "purpose"
    assert degree(form, "In 2021 they were organising a series of 5 PLW in order to share.") == 3
    assert degree(form, "PLWs are tools. The idea was to help PLW partners learn.") == 1
    assert degree(form, "Funding is strategic in order to diversify revenues.") == 0


def test_how_far_something_reaches_is_said_in_any_words() -> None:
    # Made-up passages.
    form = Form("scope")
    assert holds(form, "Webinars should not be restricted to one strand but open to all.")
    assert holds(form, "Grants fund part of the usual services but also new ones.")
    assert holds(form, "Going online can’t replace all traditional actions.")
    assert not holds(form, "Look for synergies with other projects; it saves time.")


def test_a_trend_is_said_in_any_words() -> None:
    # Made-up passages.
    assert holds(Form("trend"), "Members are more and more interested in grants.")
    assert holds(Form("trend"), "Interest in grants is growing.")
    assert not holds(Form("trend"), "Grants are highly strategic for clusters.")


def test_a_definition_defines_what_was_asked_about_in_any_of_its_forms() -> None:
    form = asked("what is a PLW?", same)
    assert form is not None
    assert holds(form, "Peer learning webinars (PLW) are tools to learn from peers. More.")
    assert holds(form, "Intro first. PLWs are online meetings.")
    assert not holds(form, "The organisation of the webinars has been a great success.")
    assert not holds(form, "Digitalization is very strategic.")  # defines something else


def test_a_definition_asked_of_it_is_asked_of_the_term_quoted_before() -> None:
    # Made-up wording: the term in quotes is what "it" stands for.
    text = "I got an invitation to a 'peer learning webinar'. What is it exactly?"
    form = asked(text, same)
    assert form is not None and form.kind == "definition"
    assert form.term == "peer learning webinar"
    assert holds(form, "Peer learning webinars (PLW) are tools to learn from peers. More.")
    # Quoted words with no pronoun asking for their meaning ask nothing of them.
    assert asked("Our 'summer school' was cancelled. Should we run it online?", same) is None


def test_a_doer_is_a_name_next_to_the_verb_asked_about() -> None:
    form = asked("Who organised the series?", same)
    assert form is not None
    assert holds(form, "Thanks to the meetings, organised by the BLUES partnership, a group …")
    assert holds(form, "Partners: BLUES (as organiser), CELIS and GSSC.")
    assert holds(form, "In 2021, the BLUES consortium has been organising a series.")
    assert not holds(form, "In total, five PLWs were organised in which most took part.")
    assert not holds(form, "The organisation of the meetings has been a great success.")


def test_a_doer_as_the_subject_of_the_deed_answers_more_directly_than_one_named_in_passing() -> (
    None
):
    form = asked("Who ran the series?", same)
    assert form is not None
    assert degree(form, "In 2021, the BLUES consortium has been organising a series.") == 2
    assert degree(form, "Thanks to the PLWs, organised by the BLUES partnership, a group …") == 1
    assert degree(form, "Partners: BLUES (as organiser), CELIS and GSSC.") == 1
    assert degree(form, "In total, five PLWs were organised.") == 0


def test_what_comes_next_is_written_in_the_future() -> None:
    form = asked("Is another PLW planned, and when?", same)
    assert form is not None and form.kind == "future"
    assert holds(form, "On a short term, they will keep on with an extra PLW in 2022.")
    assert not holds(form, "Be flexible and able to adjust plans.")  # no plan for later
    assert asked("How rigid should a consortium be about its planning?", same) is None


def test_the_words_asking_for_a_form_are_not_searched_as_its_subject() -> None:
    form = asked("Is another PLW planned, and when?", same)
    assert unasked("Is another PLW planned and when", form) == "Is another PLW and when"
    purpose = asked("What was the point of the webinars?", same)
    assert unasked("What was the point of the webinars", purpose) == "What was the of the webinars"
    # "did they work?" asks how they went: "work" is not searched ("how organizations work");
    # "success" is the notes' own word, and is.
    went = asked("did the peer learning webinars work, were they a success?", same)
    assert went is not None and went.kind == "judgement"
    assert unasked("did the peer learning webinars work a success", went) == (
        "did the peer learning webinars a success"
    )
    assert unasked("point", purpose) == "point"  # nothing would be left
    assert unasked("EU funding", None) == "EU funding"


def test_a_judgement_says_how_something_went() -> None:
    form = Form("judgement")
    assert holds(form, "The organisation of the webinars has been a great success.")
    assert holds(form, "Peer Learning webinars are very useful.")
    assert not holds(form, "Partners learn how the organisations work successfully.")  # manner


@pytest.mark.parametrize(
    ("question", "line"),
    [
        ("Who wrote the wrap-up?", "author"),
        ("Who is the author of the lessons learnt?", "author"),
        ("When was the article published?", "published"),
        ("What is the release date of the note?", "published"),
        ("Who organised the webinars?", None),
        ("When did the webinars take place?", None),
    ],
)
def test_the_front_matter_line_a_question_asks_for(question: str, line: str | None) -> None:
    assert front_matter_asked(question) == line
