"""A topic's line ("Adaptation of the action plan in ESCP4x Project") and a webinar's title
with its topics say less than a lesson: which of them may lead an answer, and when a lesson
ranked below one leads instead."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..search.names import KIND, Vocabulary
from ..search.retriever import Retrieval
from .units import Unit, is_overview

# A topic label ("Adaptation of the action plan") says less than a lesson: a lesson scoring at
# least LABEL_SHARE of the label's leads instead.
LABEL_SHARE = 0.8
# … and a lesson ranked at least REACH of it that is as similar in its own words.
REACH = 0.6
# A question about one webinar (or any one of them), not about what the series taught.
_A_WEBINAR = re.compile(
    r"\b(?:a|an|any|one|which|what|that|this|the)\s+(?:\w+\s+)?(?:webinar|session|plw|meeting)\b(?!s)"
    r"|\b(?:any|one|which)\s+of\s+the\s+(?:\w+\s+){0,3}(?:webinars|sessions|plws|meetings)\b"
    r"|\bplw\s*#?\s*\d|\b(?:first|second|third|fourth|fifth|last)\s+(?:webinar|session|plw|one)\b",
    re.I,
)
# What the webinars' topics answer: a webinar, or what was discussed.
_OF_WEBINARS = re.compile(
    rf"\b{KIND}s?\b|\b(?:discuss|cover|talk|present|address|agenda|topic)", re.I
)


def says_less_than_a_lesson(question: str, vocabulary: Vocabulary) -> Callable[[Unit], bool]:
    """What says less than a lesson: a topic label; and a webinar's title and topics, unless
    the question asks about a webinar ("Was this covered in a webinar?"), not what the
    webinars taught ("What did the webinars teach about COVID?")."""
    if _A_WEBINAR.search(question):
        return lambda u: u.label
    return lambda u: u.label or is_overview(u, vocabulary)


def says_as_much(
    units: list[Unit], retrieval: Retrieval, says_less: Callable[[Unit], bool]
) -> list[Unit]:
    """The lessons ranked below a topic label that are at least as similar to the question in
    their own words: a label's stored vector is mostly its webinar's heading ("Adaptation of
    the action plan" under PLW#3's title), a lesson's says what to do ("Be flexible and able
    to adjust plans")."""
    first, query, meaning = units[0], retrieval.query, retrieval.meaning
    asked = retrieval.plan.asked or retrieval.plan.analysis.searched
    if not says_less(first) or query is None or meaning is None or _OF_WEBINARS.search(asked):
        return []  # ("Was that discussed in a webinar?": a topic's line answers)
    below = [u for u in units[1:] if u.hit.score >= REACH * first.hit.score and not says_less(u)]
    if not below:
        return []
    label, *plain = meaning([first.hit.chunk.plain, *(u.hit.chunk.plain for u in below)]) @ query
    return [u for u, p in zip(below, plain, strict=True) if p >= label]
