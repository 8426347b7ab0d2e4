"""Patterns naming one thing relative to the one a conversation is about: the one before or
after it, the first or the last (a webinar, a list's item)."""

from __future__ import annotations

import re


def relative_steps(one: str) -> dict[int, re.Pattern[str]]:
    """Patterns naming the ``one`` (a pattern: "one", "webinar", "tip") before (-1) or after
    (+1) the one a conversation is about: "the one before", "the previous one", "the next
    tip", "the session after that"."""
    # "What came after it?", "and before that one?": the thing pointed at is the one before.
    pointed = r"\s+(?:it|that|this)(?:\s+one)?"
    return {
        -1: re.compile(
            rf"\b(?:(?:the\s+)?{one}\s+(?:before|earlier|above)|(?:previous|preceding|prior)"
            rf"(?:\s+{one})?|before{pointed})\b",
            re.I,
        ),
        1: re.compile(
            rf"\b(?:(?:the\s+)?{one}\s+(?:after|later|below)|(?:next|following|subsequent)"
            rf"(?:\s+{one})?|after{pointed})\b",
            re.I,
        ),
    }


def at_the_ends(one: str) -> re.Pattern[str]:
    """The pattern naming the first or the last ``one`` ("and the last one?")."""
    return re.compile(rf"\b(?:the\s+)?(first|last|latest|final)(?:\s+{one})?\s*\??\s*$", re.I)
