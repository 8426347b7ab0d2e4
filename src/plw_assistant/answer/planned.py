"""What came of something the notes announce only as planned: "What came out of the extra PLW
in 2022?" is not answered by the passage saying one *will* be organised, as if it told the
outcome. The notes say what is to come; what came of it is a fact they do not hold."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..search.form_patterns import FUTURE
from ..search.intent import SERIES_WORDS
from ..text import sentence_spans
from ..words import stem, tokenize
from .facts import Asked

if TYPE_CHECKING:
    from .units import Unit

# Asking how something turned out or went, or whether it took place at all.
_OUTCOME_ASK = re.compile(
    r"\b(?:what\s+came\s+(?:out\s+)?of|outcomes?\s+of|results?\s+of|what\s+happened\s+(?:at|in"
    r"|during)|did\s+(?:[\w#-]+\s+){1,5}(?:happen|take\s+place|go\s+ahead)|how\s+did\s+(?:[\w#-]+"
    r"\s+){1,5}go|what\s+was\s+(?:discussed|decided|said|presented|covered)\s+(?:at|in|during))\b",
    re.I,
)
_WORD = re.compile(r"[\w#-]+")
# Told as done, whatever it says is to come ("a group … has been built and they are willing to
# continue"): an outcome.
_DONE = re.compile(r"\b(?:has|have|had)\s+been\b|\b(?:was|were)\s+\w+ed\b", re.I)
# Words naming what is asked about: two of them, one neither the series' own ("PLW") nor a
# year ("January 2022" dates the series), in one sentence make it a sentence on that thing.
NAMING = 2
MISSING = "The notes say only that it is planned, not what came of it."


def planned_only(
    question: str, same: Callable[[str], set[str]], passages: Sequence[str]
) -> Asked | None:
    """What ``question`` asks, when it asks how something turned out and the sentences of
    ``passages`` naming that thing best tell it as still to come; else ``None``."""
    if not _OUTCOME_ASK.search(question):
        return None
    words = [same(w) for w in _WORD.findall(question) if tokenize([w])[0]]
    named = [
        (_named(words, sentence), sentence)
        for text in passages
        for start, end in sentence_spans(text)
        for sentence in [text[start:end]]
    ]
    most = max((n for n, _ in named), default=0)
    best = [s for n, s in named if n == most]
    if most < NAMING or not all(_to_come(s) for s in best):
        return None
    about = frozenset(s for w in words if not w <= SERIES_WORDS for s in w)
    return Asked("outcome", MISSING, lambda _text: False, about)


def _to_come(sentence: str) -> bool:
    return FUTURE.search(sentence) is not None and _DONE.search(sentence) is None


def _named(words: list[set[str]], sentence: str) -> int:
    """How many of the question's words ``sentence`` holds; 0 unless one is neither the
    series' nor a number."""
    stems = {stem(w.lower()) for w in _WORD.findall(sentence)}
    found = [w for w in words if w & stems]
    own = [w for w in found if not w <= SERIES_WORDS and not any(s.isdigit() for s in w)]
    return len(found) if own else 0


def planned_in(asked: Asked, unit: Unit) -> bool:
    """Whether ``unit`` tells what ``asked`` is about as still to come."""
    return any(
        _to_come(sentence) and asked.mentioned_in(sentence)
        for start, end in sentence_spans(unit.plain)
        for sentence in [unit.plain[start:end]]
    )
