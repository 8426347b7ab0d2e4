"""What a question says that asks nothing (greetings, openers, who asks, thanks, words of
degree, the notes named as the source, wishes for the answer's form; a question asked
indirectly) is read past: the question is answered as it would be without them."""

from __future__ import annotations

import pytest

from plw_assistant.assistant import Assistant
from plw_assistant.domain import Question
from plw_assistant.evaluation.answers import first_unit
from plw_assistant.search.fillers import without_fillers


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("Hi there, who organised the webinars?", "who organised the webinars?"),
        ("Dear colleagues, how many PLWs were held?", "how many PLWs were held?"),
        ("Hola, I got an email inviting me", "I got an email inviting me"),
        ("Quick question - why did BLUES set up the series?", "why did BLUES set up the series?"),
        ("Who organised the webinars? Thanks in advance!", "Who organised the webinars?"),
        ("who organised the plws thanks a lot", "who organised the plws"),
        ("What was PLW#3 about? Thank you for your help. Maria", "What was PLW#3 about?"),
        (
            "Kindly confirm the number of PLWs. Best regards, Ivan Petrov",
            "Kindly confirm the number of PLWs",
        ),
        ("When exactly was PLW#3 held?", "When was PLW#3 held?"),
        ("Honestly, why did they bother?", "why did they bother?"),
        ("According to the notes, what is a PLW?", "what is a PLW?"),
        ("So, who ran it?", "who ran it?"),
        ("Fine, but who ran the thing?", "but who ran the thing?"),  # said of the answer before
        ("Question rapide: is it a separate offer?", "is it a separate offer?"),
        ("Franchement, is it worth it?", "is it worth it?"),
        ("I work for a regional cluster in Spain. Who ran it?", "Who ran it?"),
        (
            "Hi there, I work for a regional cluster in Spain. Can you tell me who organised the"
            " webinars? Thanks!",
            "who organised the webinars?",
        ),
        # Asked indirectly: the question it holds.
        ("Can you tell me who organised the webinars?", "who organised the webinars?"),
        ("I would like to know if the webinars worked.", "whether the webinars worked."),
        ("We are a small cluster from Portugal. What is a PLW?", "What is a PLW?"),
        ("I work for a cluster in Spain. Tell me about PLW#3.", "Tell me about PLW#3."),
        ("What is a PLW? Please keep it short.", "What is a PLW?"),
        ("what is a PLW please answer in one sentence", "what is a PLW"),
    ],
)
def test_what_asks_nothing_is_read_past(typed: str, read: str) -> None:
    assert without_fillers(typed) == read


@pytest.mark.parametrize(
    "kept",
    [
        "What is the best?",  # "best" is no signature here
        "In PLW#3, what was discussed?",  # a webinar named first is what is asked about
        "During the lockdown, what did clusters do?",
        "Hello!",  # nothing else to read: as typed
        "Thanks",  # a courtesy alone: as typed
        "Tell me about PLW#3",  # what to tell about, not a question inside
        "If things go wrong, what should we do?",  # a condition, asked of directly
        # Who asks, when it is a reader the notes write to, or tells what happened: kept.
        "We are a new ESCP-4x partnership. What should we do?",
        "I'm the manager of a cluster and our board wants to cut the newsletter. Is that wise?",
    ],
)
def test_words_that_ask_something_are_kept(kept: str) -> None:
    assert without_fillers(kept) == kept


@pytest.mark.parametrize(
    ("plain", "dressed"),
    [
        ("Who organised the webinars?", "Hi there, who organised the webinars? Thanks in advance!"),
        ("When was PLW#3 held?", "When exactly was PLW#3 held?"),
        ("Who organised the webinars?", "Could you please tell me who organised the webinars?"),
        (
            "When did the series start?",
            "I work for a regional cluster in Spain. When did the series start?",
        ),
        (
            "What is a peer learning webinar?",
            "According to the notes, what is a peer learning webinar?",
        ),
        (
            "Why are EU funding programmes strategic for clusters?",
            "Quick question - why are EU funding programmes strategic for clusters? "
            "Please keep it short.",
        ),
    ],
)
def test_a_question_dressed_in_courtesies_is_answered_as_the_plain_one(
    assistant: Assistant, plain: str, dressed: str
) -> None:
    assert first_unit(assistant.ask(Question(dressed)).answer) == first_unit(
        assistant.ask(Question(plain)).answer
    )
