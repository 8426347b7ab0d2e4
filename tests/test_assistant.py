"""The assistant with the real model and index: its gap-log hook (which outcomes are recorded:
declined, answered only from topic labels; which are not: answered, another language, a re-ask
that is not to be recorded; nothing at all with PLW_GAP_LOG off), and a conversation's turns
read as new questions or as follow-ups."""

from __future__ import annotations

from pathlib import Path

from conftest import converse

from plw_assistant.assistant import Assistant, gap_outcome
from plw_assistant.config import Settings
from plw_assistant.domain import Question, Turn

HACKATHON = "How do we organise a hackathon for our members?"  # the notes say nothing on it
TOPIC_ONLY = "Which webinar talked about the adaptation of the action plan?"
ANSWERED = "How can clusters support their members with EU funding?"


def _assistant(settings: Settings, embedder, tmp_path: Path, **update: object) -> Assistant:
    return Assistant(
        settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}/g.sqlite", **update}),
        embedder,
    )


def test_each_outcome_is_recorded_and_nothing_else(settings, embedder, tmp_path: Path) -> None:
    assistant = _assistant(settings, embedder, tmp_path)
    assert assistant.gaps is not None
    declined = assistant.ask(Question(HACKATHON), record=True)
    labelled = assistant.ask(Question(TOPIC_ONLY), record=True)
    answered = assistant.ask(Question(ANSWERED), record=True)
    french = assistant.ask(Question("Quelle est la meilleure machine à café ?"), record=True)
    assistant.ask(Question("What is the best coffee machine for the office?"))  # not asked to
    assert [gap_outcome(a) for a in (declined, labelled, answered, french)] == [
        "abstained",
        "topic_only",
        None,
        None,
    ]
    rows = assistant.gaps.gaps()
    assert [(r.outcome, r.question) for r in rows] == [
        ("abstained", HACKATHON),
        ("topic_only", TOPIC_ONLY),
    ]
    assert rows[0].chunk_ids == ()
    assert rows[1].chunk_ids == tuple(c.chunk_id for c in labelled.citations if c.cited)
    assert rows[1].chunk_ids  # the topic label it quoted


def test_a_follow_up_is_recorded_as_it_was_searched(settings, embedder, tmp_path: Path) -> None:
    assistant = _assistant(settings, embedder, tmp_path)
    assert assistant.gaps is not None
    first = assistant.ask(Question(HACKATHON), record=True)
    turn = Turn(first.question, first.answer, ())
    later = assistant.ask(Question("and for start-ups?", history=(turn,)), record=True)
    assert later.abstained
    assert [r.question for r in assistant.gaps.gaps()] == [
        HACKATHON,
        f"{HACKATHON} and for start-ups?",  # askable again on its own
    ]


def test_nothing_is_recorded_with_the_gap_log_off(settings, embedder, tmp_path: Path) -> None:
    assistant = _assistant(settings, embedder, tmp_path, gap_log=False)
    assert assistant.gaps is None
    assert assistant.ask(Question(HACKATHON), record=True).abstained
    assistant.record_no(HACKATHON, [], "Made-up comment")
    assert not (tmp_path / "g.sqlite").exists()


def test_a_log_that_cannot_be_written_costs_the_asker_nothing(
    settings, embedder, tmp_path: Path, caplog
) -> None:
    (tmp_path / "g.sqlite").write_bytes(b"made-up bytes, not a database" * 100)
    assistant = _assistant(settings, embedder, tmp_path)
    assert assistant.ask(Question(HACKATHON), record=True).abstained
    assistant.record_no(HACKATHON, [], "")
    assert "could not be saved" in caplog.text


def test_a_new_question_after_an_answer_is_read_on_its_own(assistant: Assistant) -> None:
    """Asked after an answer on partner search, a question the notes do not cover is declined
    as it is when asked first, not answered from the turn before it."""
    first = "How can clusters support members with partner search?"
    kubernetes = "How do I configure a Kubernetes ingress?"
    after = converse(assistant, first, kubernetes)
    assert after.abstained and after.resolved == ""
    assert after.answer == assistant.ask(Question(kubernetes)).answer


def test_what_about_brings_its_subject_to_the_conversation(assistant: Assistant) -> None:
    answer = converse(assistant, "What was discussed in PLW#5?", "And what about partner search?")
    assert answer.resolved == "What do the notes say about partner search?"
    assert not answer.abstained and "Partner search" in answer.answer
    assert "Peer learning webinars (PLW) are tools" not in answer.answer  # "partners" alone


def test_a_follow_up_is_read_with_the_question_before_it_as_corrected(
    assistant: Assistant,
) -> None:
    # The link to ask it alone shows the question before it without its typos.
    answer = converse(assistant, "advice for new ESCP-4x partnerhsips?", "anything else?")
    assert answer.resolved == "advice for new ESCP-4x partnerships? anything else?"


def test_a_follow_up_asking_a_thing_of_its_own_is_read_mostly_alone(assistant: Assistant) -> None:
    # Searched with the question before it ("another one" is another webinar), but the words
    # of "Who organised …?" ("organised": "cluster organisations") must not choose the lesson.
    answer = converse(
        assistant,
        "Who organised the peer learning webinars?",
        "and is there going to be another one?",
    )
    assert "extra PLW in 2022" in answer.answer.split("[1]")[0]
    assert "[3]" not in answer.answer  # what answers it, not all that the previous one quoted


def test_why_after_an_answer_asks_about_what_it_quoted(assistant: Assistant) -> None:
    # Not another lesson's reason ("… in order to diversify their revenues").
    answer = converse(assistant, "Should clusters digitalise their services?", "why?")
    assert answer.answer.startswith("Digitalization of cluster services is very strategic")


def test_tell_me_more_with_nothing_more_on_it_says_so(assistant: Assistant) -> None:
    # Not an unrelated lesson ("Members … EU funding") passed off as more on digitalisation.
    first = "Tell me about digitalisation of cluster services"
    answer = converse(assistant, first, "tell me more about that")
    assert answer.answer.startswith("The notes hold nothing more on this")


def test_when_alone_asks_for_a_date(assistant: Assistant) -> None:
    answer = converse(assistant, "How many webinars were there?", "when?")
    assert answer.answer.startswith("Between October 2020 and January 2022")
