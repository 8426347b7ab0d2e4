"""Questions typed in shorthand: keywords whose last word is a webinar ("proposal writing
webinar"), a webinar referred to by its place in the series ("the fifth one") or named only
as the time after which something comes ("planned after the fifth one"), and the series named
as a span of time ("from the first webinar to the last")."""

from __future__ import annotations

import re

from .names import KIND, Vocabulary

# A webinar referred to ("the fifth one", "the last session"): what it names is searched by
# the plan, not by its words ("one" would match "new ones").
_REFERENCE = re.compile(
    r"\b(?:first|second|third|fourth|forth|fifth|sixth|last|final|latest"
    rf"|\d+(?:st|nd|rd|th))\s+(?:ones?|{KIND})\b",
    re.I,
)
_TIME = re.compile(
    rf"\b(?:after|since|following|until|till)\s+(?:(?:the\s+)?(?:\w+\s+){{1,3}}(?:{KIND}|one)\b(?!\s*#?\s*\d)"
    r"|plw\s*#?\s*\d{1,2}\b"
    # "after the five": the series, as a time
    rf"|(?:the\s+|all\s+|those\s+|these\s+)?(?:five|5)(?:\s+{KIND})?(?![\w-]))",
    re.I,
)
# The whole series as a span of time: "from the first webinar to the last".
_SPAN = re.compile(
    rf"\b(?:from|between)\s+(?:the\s+)?(?:first|plw\s*#?\s*1)(?:\s+(?:{KIND}|one))?\s+"
    rf"(?:to|and|until|till|through)\s+(?:the\s+)?(?:last|final|latest)(?:\s+(?:{KIND}|one))?\b",
    re.I,
)
_ASKING = (
    r"how|why|what|which|when|who|where|should|can|could|would|will|do|does|did|is|are|was"
    r"|were|has|have|tell|list|name|any|anything|whats"
)
# Typed as keywords whose head noun is a webinar ("proposal writing webinar": a webinar on
# proposal writing): no question word anywhere, and the last word names one webinar.
_TERSE = re.compile(
    rf"^(?!.*\b(?:{_ASKING})\b)[\w&'’ -]{{3,60}}\s(?:plw|webinar|session)$",
    re.I,
)


def names_webinar(text: str) -> bool:
    """Whether ``text`` is keywords whose head noun is a webinar ("COVID impact webinar"): it
    asks which webinar covered the rest, as "Which webinar covered …?" does."""
    return _TERSE.match(text.strip(" ?.!")) is not None


def without_references(text: str, vocabulary: Vocabulary) -> str:
    """``text`` without the words referring to a webinar the notes hold by its place ("the
    fifth one"); as it is when it names none ("the next webinar" of a note on one)."""
    return _REFERENCE.sub(" ", text) if vocabulary.resolve(text).sessions else text


def without_times(text: str) -> str:
    """``text`` without a webinar named as a time ("after the fifth one")."""
    return _TIME.sub(" ", text)


def without_span(text: str) -> str:
    """``text`` without the series named as a span of time ("… from the first webinar to
    the last?" asks when the series ran, not about its first and last webinars)."""
    return _SPAN.sub(" ", text)
