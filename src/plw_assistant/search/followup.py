"""Follow-up questions: resolved with the conversation's earlier turns, without a model call."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..domain import Turn
from ..words import tokenize

# Words that point back at the previous turn, or openings that continue it.
_REFERS_BACK = re.compile(
    r"^\s*(and|but|also|so|what about|how about|what else|anything else)\b"
    r"|\b(it|its|they|them|their|there|that|this|those|these|he|she|else|same)\b",
    re.IGNORECASE,
)
_WANTS_MORE = re.compile(r"\b(else|other|more)\b", re.IGNORECASE)
# Words that point at the place or thing the previous answer was about.
_DEICTIC = re.compile(r"\b(there|it|its|that|this|those|these|them|they|their)\b", re.IGNORECASE)
# A question with this many content words or fewer is read as continuing the conversation.
SHORT = 3


def wants_more(question: str) -> bool:
    """Whether the question asks for something else than the previous answer said."""
    return bool(_WANTS_MORE.search(question))


def is_follow_up(question: str) -> bool:
    return len(tokenize([question])[0]) <= SHORT or bool(_REFERS_BACK.search(question))


@dataclass(frozen=True)
class Resolved:
    """What to search for after resolving a follow-up against the conversation."""

    query: str
    demote: frozenset[str] = frozenset()  # chunk ids to rank last (already quoted)
    prefer: frozenset[str] = frozenset()  # documents to rank first (what "there" points at)
    said: str = ""  # the previous answer, when the user asks for something else


def resolve_follow_up(question: str, history: Sequence[Turn]) -> Resolved:
    """A follow-up is searched together with the previous question ("What else was discussed
    there?" after "Which webinar dealt with COVID?"). When it asks for something else, the
    passages the previous answer quoted go last; when it points back ("there", "it"), passages
    of the document the previous answer quoted first go first."""
    if not history or not is_follow_up(question):
        return Resolved(question)
    last = history[-1]
    demote = frozenset(last.cited) if _WANTS_MORE.search(question) else frozenset()
    prefer: frozenset[str] = frozenset()
    if last.cited and _DEICTIC.search(question):
        prefer = frozenset({last.cited[0].split("#", 1)[0]})
    said = last.answer if demote else ""
    return Resolved(f"{last.question} {question}", demote, prefer, said)
