"""A filter that leaves out what answers a question: the same question searched without it
names the passage leading that answer, and the answer within the filter is not given, neither
declined as if the notes had nothing nor quoted confidently from a weaker passage. Real index,
real model."""

from __future__ import annotations

from plw_assistant.answer.extractive import compose
from plw_assistant.answer.filtered import FILTERED_SHARE, better_elsewhere
from plw_assistant.assistant import Assistant, gap_outcome
from plw_assistant.domain import Citation, Filters, Question

PARTNER_SEARCH = "How can clusters support members with partner search?"
# Within the COVID tag (PLW#1) its closest passage is the "IT tool" topic, 0.6 as similar as
# the wrap-up's lesson on digitalisation: it used to be quoted, labelled "Confident".
ONLINE = "Can online services fully replace the traditional face-to-face stuff clusters do?"
FUNDING = "How can clusters support their members with EU funding?"
PLW5 = "PLW#5: As a cluster, how to support our members in building EU projects"


def _elsewhere(assistant: Assistant, text: str, filters: Filters) -> tuple[Citation | None, bool]:
    """What ``better_elsewhere`` says of ``text`` asked within ``filters``, and whether the
    answer within them alone was declined."""
    question, whole = Question(text, filters=filters), Question(text)
    filtered, everywhere = assistant.retrieve(question), assistant.retrieve(whole)
    bar = assistant.settings.min_score
    within = compose(question, filtered, bar)
    unfiltered = compose(whole, everywhere, bar)
    return better_elsewhere(question, filtered, within, everywhere, unfiltered), within.abstained


def test_the_best_match_outside_the_filter_is_named(assistant: Assistant) -> None:
    for filters in (Filters(tag="covid"), Filters(session="PLW#1"), Filters(session="PLW#99")):
        lead, _ = _elsewhere(assistant, PARTNER_SEARCH, filters)
        assert lead is not None, filters
        assert (lead.document, lead.session, lead.title) == ("sessions/plw-5", "PLW#5", PLW5)
    # A filter that leaves nothing at all: declined within it, answered without it.
    assert _elsewhere(assistant, PARTNER_SEARCH, Filters(session="PLW#99"))[1]


def test_a_confident_answer_clearly_worse_than_without_the_filter_gives_way(
    assistant: Assistant,
) -> None:
    question = Question(ONLINE, filters=Filters(tag="covid"))
    within, everywhere = assistant.retrieve(question), assistant.retrieve(Question(ONLINE))
    assert within.best_cosine is not None and everywhere.best_cosine is not None
    assert within.best_cosine < FILTERED_SHARE * everywhere.best_cosine
    lead, declined = _elsewhere(assistant, ONLINE, Filters(tag="covid"))
    assert not declined  # within the filter alone, "IT tool" would be quoted
    assert lead is not None and lead.document == "blues-plw-lessons-learnt"
    assert "replace all “traditional” actions" in lead.text


def test_a_filter_that_holds_the_answer_keeps_it(assistant: Assistant) -> None:
    for text, filters in (
        (FUNDING, Filters(tag="eu-funding")),
        (PARTNER_SEARCH, Filters(session="PLW#5")),
        ("What was discussed?", Filters(session="PLW#3")),  # vague: the filter is its subject
        ("What was on the agenda of the 3rd PLW?", Filters(session="PLW#3")),
    ):
        assert _elsewhere(assistant, text, filters)[0] is None, (text, filters)
        answer = assistant.ask(Question(text, filters=filters))
        assert not answer.abstained and answer.elsewhere is None, (text, filters)


def test_the_answer_says_where_the_best_match_is_and_is_no_gap(assistant: Assistant) -> None:
    answer = assistant.ask(Question(PARTNER_SEARCH, filters=Filters(tag="covid")))
    assert answer.abstained and answer.citations == [] and answer.confidence is None
    assert answer.elsewhere is not None and answer.elsewhere.title == PLW5
    assert answer.answer == (
        f"Nothing within the chosen filters matches this question well. The best match is in "
        f"“{PLW5}”, which they leave out: ask without them to see it."
    )
    assert gap_outcome(answer) is None  # the notes answer it: no gap to fill
    # Without a filter, or when nothing anywhere answers, nothing changes.
    assert assistant.ask(Question(PARTNER_SEARCH)).elsewhere is None
    kubernetes = Question("How do I configure a Kubernetes ingress?", filters=Filters(tag="covid"))
    declined = assistant.ask(kubernetes)
    assert declined.abstained and declined.elsewhere is None
