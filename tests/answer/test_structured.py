"""Answers a person reads (real model, real index): the questions quoted in the answers issue,
lessons quoted whole and first, cited passages marked, webinars answered from their names."""

from __future__ import annotations

import re

from conftest import converse

from plw_assistant.assistant import Assistant
from plw_assistant.domain import Answer

PLW5 = "PLW#5 “As a cluster, how to support our members in building EU projects”"


def _units(answer: Answer) -> list[str]:
    return re.findall(r".+?\[\d+\](?: |$)", answer.answer)


def test_what_was_discussed_in_a_webinar(assistant: Assistant) -> None:
    answer = converse(assistant, "What was discussed in PLW#3?")
    assert answer.answer == (
        "PLW#3: Enlarge the sharing knowledge: Communicate in a fog period; Adaptation of the "
        "action plan in ESCP4x Project; the notes list these as topics and record no detail on "
        "them. [1]"
    )
    assert "Discussion with the PO" not in answer.answer
    first = answer.citations[0]
    assert first.cited and first.document == "blues-plw-lessons-learnt"
    assert all(c.session in (None, "PLW#3") for c in answer.citations)


def test_a_webinar_by_ordinal(assistant: Assistant) -> None:
    answer = converse(assistant, "What did the first webinar cover?")
    assert "PLW#1: Knowing each other" in answer.answer  # the title in reading case
    assert "COVID impact and implementing the exchange; IT tool" in answer.answer


def test_which_webinar_covered_a_topic(assistant: Assistant) -> None:
    answer = converse(assistant, "Which webinar covered finding partners?")
    assert answer.answer.startswith(f"“Partner search” was a topic of {PLW5}")
    assert "record no detail" in answer.answer  # the notes hold only the topic's name


def test_when_and_who(assistant: Assistant) -> None:
    when = converse(assistant, "When did the webinars take place?")
    assert _units(when)[0].startswith("Between October 2020 and January 2022")
    who = converse(assistant, "Who wrote the wrap-up?")
    assert who.answer.endswith("— author: Oriane Marchal. [1]")
    assert who.citations[0].text == "author: Oriane Marchal" and who.citations[0].cited
    assert converse(assistant, "Who wrote the novel Moby Dick?").abstained
    # One note has an author and a date: "the article" and "this report" can only be it.
    article = converse(assistant, "who wrote the article?")
    assert article.answer.endswith("— author: Oriane Marchal. [1]")
    # Found by the notes' structure, the passage is a close match, whatever words it shares.
    assert article.citations[0].match == "close" and article.confidence == "strong"
    assert converse(assistant, "when was the report published?").answer.endswith(
        "— date: 2022-04-19. [1]"
    )
    # Both lines asked for, both given.
    for both in (
        "who wrote this wrap-up and when was it published",
        "when was the wrap-up published, and by whom?",
    ):
        answer = converse(assistant, both).answer
        assert "author: Oriane Marchal. [1]" in answer and "date: 2022-04-19. [2]" in answer
    # Too few and too plain words for the model: a dated passage naming the series answers.
    start = converse(assistant, "when did the series start?")
    assert _units(start)[0].startswith("Between October 2020 and January 2022")


def test_a_lesson_is_quoted_whole_with_its_actionable_sentence(assistant: Assistant) -> None:
    answer = converse(assistant, "How can clusters support their members with EU funding?")
    lead = _units(answer)[0]
    assert lead.startswith("Members are more and more interested in EU funding programmes")
    assert "Several options are available from 100% outsourced to an extra-paid service" in lead


def test_no_padding_after_a_clear_answer(assistant: Assistant) -> None:
    for question in (
        "Who can I contact to find out more?",
        "How many partnerships were invited?",
        "Why is it worth meeting other partnerships when things get uncertain?",
    ):
        assert len(_units(converse(assistant, question))) == 1, question


def test_cited_and_related_passages(assistant: Assistant) -> None:
    answer = converse(assistant, "How can clusters support their members with EU funding?")
    quoted = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for c in answer.citations:
        assert c.cited == (c.n in quoted) == bool(c.highlights)
    assert any(not c.cited for c in answer.citations)  # related passages are kept, unquoted


def test_a_webinar_the_notes_do_not_have(assistant: Assistant) -> None:
    answer = converse(assistant, "What was discussed in PLW#9?")
    assert answer.answer.startswith("The notes cover five webinars, PLW#1–PLW#5, and none")
    assert not answer.abstained and "PLW#1: Knowing each other" in answer.answer


def test_list_questions_are_answered_whole(assistant: Assistant) -> None:
    answer = converse(assistant, "What are the lessons for future ESCP-4x partnerships?")
    units = _units(answer)
    # Named by its heading, in the note's order.
    heading = "Under “For futures generations of ESCP-4x partnerships”, the notes list: "
    assert len(units) == 4 and units[0].startswith(f"{heading}Do not underestimate the power")


def test_follow_ups_add_and_never_repeat(assistant: Assistant) -> None:
    more = converse(assistant, "Which webinar was about partner search?", "what else?")
    assert "Partner search" not in more.answer
    for topic in ("Communication & information", "Setting up proposals", "During & after"):
        assert topic in more.answer
    assert "was another topic of PLW#5" in more.answer  # the title is not repeated
    other = converse(assistant, "What was discussed in PLW#3?", "and PLW#2?")
    assert "Discussion with the PO" in other.answer and "fog period" not in other.answer
    note = converse(assistant, "What was discussed in PLW#1?", "and the common note?")
    assert "Working on a common note" in note.answer and "IT tool" not in note.answer
    nothing = converse(assistant, "What was PLW#4 about?", "What else did it cover?")
    assert nothing.answer.startswith("The notes hold nothing more on PLW#4")


def test_which_webinar_is_answered_with_the_topic_asked_about(assistant: Assistant) -> None:
    # The webinar's line of all its topics ranks first here; its topic on finding partners
    # says what was asked, as it does for other wordings of the question.
    answer = converse(
        assistant, "Which session dealt with finding partners for EU-funded projects?"
    )
    assert answer.answer.startswith("“Partner search” was a topic of PLW#5")


def test_which_webinar_was_about_what_its_title_says_is_answered_with_the_webinar(
    assistant: Assistant,
) -> None:
    # The title says what was asked, no one topic does: the webinar, with all its topics.
    answer = converse(assistant, "Which webinar was about preparing European projects?")
    assert answer.answer.startswith("PLW#4: Preparing European project on cluster side:")
    assert "New calls for clusters" in answer.answer
    assert "Sharing of best practices" in answer.answer
    assert answer.confidence == "strong"
    # A topic label says what was asked: the topic, not the whole webinar.
    topic = converse(assistant, "Which webinar covered partner search?")
    assert topic.answer.startswith("“Partner search” was a topic of PLW#5")


def test_which_webinar_for_each_of_two_subjects_answers_both(assistant: Assistant) -> None:
    # One search for both subjects finds one of them: each part is searched on its own.
    answer = converse(
        assistant,
        "Which webinar dealt with the new calls for clusters,"
        " and which one covered partner search?",
    )
    assert answer.answer.startswith("“New calls for clusters” was a topic of PLW#4")
    assert "“Partner search” was a topic of PLW#5" in answer.answer
    assert [c.n for c in answer.citations if c.cited] == [1, 2]
    both = converse(
        assistant, "Which webinar was about the IT tool and which one about the action plan?"
    )
    assert "“IT tool” was a topic of PLW#1" in both.answer
    assert "was a topic of PLW#3" in both.answer


def test_what_else_after_the_article_line_of_one_webinar_stays_with_that_webinar(
    assistant: Assistant,
) -> None:
    first = "Which webinar was about preparing European projects?"
    more = converse(assistant, first, "what else was discussed there?")
    assert more.answer.startswith("The notes hold nothing more on PLW#4")
    assert not any(f"PLW#{n}" in more.answer for n in (1, 2, 3, 5))
