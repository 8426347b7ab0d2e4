"""List items named relative to the lesson an answer led with: "and the next tip?" is the item
after it in its list, while "the one after" a webinar is still the next webinar."""

from __future__ import annotations

import pytest
from conftest import converse

from plw_assistant.assistant import Assistant
from plw_assistant.domain import Question, Turn
from plw_assistant.evaluation.answers import first_unit
from plw_assistant.search.items import (
    list_of,
    ordinal_item,
    other_lists,
    relative_item,
    rest_of_list,
)


@pytest.mark.parametrize(
    ("first", "then", "lesson"),
    [
        (
            "Should we look for synergies with other ESCP-4x projects?",
            "and the next tip?",
            "Be flexible and able to adjust plans",
        ),
        (
            "What was the lesson about communication in hard times?",
            "what about the previous one?",
            "Clusters are playing a key role in SMEs development",
        ),
        (
            "What was the lesson about communication in hard times?",
            "and the last one?",
            "Members are more and more interested in EU funding programmes",
        ),
        (
            "Should we look for synergies with other ESCP-4x projects?",
            "and the first one?",
            "Do not underestimate the power of meeting",
        ),
    ],
)
def test_an_item_named_relative_to_the_lesson_quoted_is_the_one_beside_it(
    assistant: Assistant, first: str, then: str, lesson: str
) -> None:
    answer = converse(assistant, first, then)
    assert not answer.abstained and first_unit(answer.answer).startswith(lesson)


def test_a_webinar_named_relative_to_another_stays_a_webinar(assistant: Assistant) -> None:
    assert converse(assistant, "What did PLW#3 cover?", "and the one after?").answer.startswith(
        "PLW#4:"
    )
    index = assistant.index
    said = converse(assistant, "What was the lesson about communication in hard times?")
    cited = tuple(c.chunk_id for c in said.citations if c.cited)
    turn = Turn(said.question, said.answer, cited)
    assert relative_item("and the next webinar?", (turn,), index) is None
    assert relative_item("and the next tip?", (turn,), index) is not None
    assert relative_item("what did clusters say about it?", (turn,), index) is None


def test_a_list_is_its_items_in_the_note_s_order(assistant: Assistant) -> None:
    index = assistant.index
    row = next(r for r, c in enumerate(index.chunks) if c.plain.startswith("Be flexible"))
    items = [index.chunks[r].plain for r in list_of(index, row)]
    assert len(items) == 4 and items[0].startswith("Do not underestimate")
    assert items[2].startswith("Be flexible") and items[3].startswith("Peer Learning webinars")
    paragraph = next(r for r, c in enumerate(index.chunks) if c.plain.startswith("Between"))
    assert list_of(index, paragraph) == []


def test_the_lists_beside_a_list_are_those_under_the_same_heading(assistant: Assistant) -> None:
    index = assistant.index
    row = next(r for r, c in enumerate(index.chunks) if c.plain.startswith("Be flexible"))
    beside = [[index.chunks[r].plain for r in items] for items in other_lists(index, row)]
    assert len(beside) == 1 and beside[0][0].startswith("Digitalization of cluster services")
    assert len(beside[0]) == 5


@pytest.mark.parametrize(
    ("first", "lesson"),
    [
        ("What were the lessons for future ESCP-4x partnerships?", "Digitalization of cluster"),
        ("What are the lessons for cluster organisations?", "Do not underestimate the power"),
    ],
)
def test_the_other_ones_after_a_list_are_the_lists_beside_it(
    assistant: Assistant, first: str, lesson: str
) -> None:
    answer = converse(assistant, first, "and the other ones?")
    assert first_unit(answer.answer).split("list: ")[-1].startswith(lesson)


def test_more_tips_after_a_whole_list_say_it_was_whole_and_give_the_one_beside(
    assistant: Assistant,
) -> None:
    answer = converse(
        assistant,
        "what lessons were there for future escp-4x partnerships",
        "any other tips like that?",
    )
    assert answer.answer.startswith(
        "The notes list nothing more under “For futures generations of ESCP-4x partnerships”; "
        "under “As cluster organisation” they list: Digitalization of cluster services"
    )


def test_the_rest_of_a_list_asked_for_as_more_of_the_same(assistant) -> None:
    index = assistant.index
    rows = next(rows for r in range(index.size) if len(rows := list_of(index, r)) > 2)
    first = index.chunks[rows[0]]
    turn = Turn("What is the first lesson?", f"{first.text} [1]", (first.id,))
    rest = rest_of_list("any more tips like that?", (turn,), index)
    assert rest == (tuple(index.chunks[r].id for r in rows[1:]), False)
    assert rest_of_list("any more on EU funding?", (turn,), index) == ((), False)
    # "other" of a subject, naming more than a list's heading: no more of the list.
    assert rest_of_list("so how are other clusters paying for it?", (turn,), index) == ((), False)
    assert rest_of_list("What else?", (), index) == ((), False)


def test_more_of_the_same_naming_a_list_s_heading_is_that_list(assistant: Assistant) -> None:
    """ "Any other tips like that for future partnerships?" is the rest of the list quoted from;
    "… but for us as a cluster organisation?" is the list under that heading."""
    after_synergies = converse(
        assistant,
        "what did they say about synergies with other 4x projects",
        "any other tips like that for future partnerships?",
    )
    assert "Be flexible and able to adjust plans" in after_synergies.answer
    assert "should not be restricted to ESCP-4x" in after_synergies.answer
    assert not after_synergies.more  # the lesson quoted before is not offered again
    # The whole list quoted already: nothing more under that heading, not another list.
    after_all = converse(
        assistant,
        "what should future ESCP-4x partnerships keep in mind",
        "any other tips like that for future partnerships?",
    )
    assert after_all.answer.startswith(
        "The notes list nothing more under “For futures generations of ESCP-4x partnerships” "
        "than the previous answer quoted:"
    )
    assert "Digitalization" not in after_all.answer
    other = converse(
        assistant,
        "what did they say about synergies with other 4x projects",
        "any other tips like that but for us as a cluster organisation?",
    )
    assert first_unit(other.answer).endswith(
        "Digitalization of cluster services is very strategic but has to be smartly planned as "
        "it can’t replace all “traditional” actions of clusters. [1]"
    )


@pytest.mark.parametrize(
    ("question", "lesson"),
    [
        (
            "what's the first lesson for future escp-4x partnerships",
            "Do not underestimate the power of meeting",
        ),
        ("and the second tip for cluster organisations?", "Clusters are playing a key role"),
        ("the last lesson for clusters", "Members are more and more interested in EU funding"),
    ],
)
def test_an_item_named_by_its_place_in_a_list_named_by_its_heading(
    assistant: Assistant, question: str, lesson: str
) -> None:
    answer = assistant.ask(Question(question))
    assert first_unit(answer.answer).startswith(lesson)
    assert answer.answer.count("[") == 1  # that lesson, not the list


def test_a_place_names_no_item_without_a_list_s_heading(assistant: Assistant) -> None:
    index = assistant.index
    assert ordinal_item("what was the first webinar about?", index) is None
    assert ordinal_item("what is the first lesson about EU funding?", index) is None
    assert ordinal_item("what is the sixth lesson for cluster organisations?", index) is None
