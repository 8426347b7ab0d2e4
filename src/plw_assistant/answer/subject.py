"""Whether a passage is about the new subject of a follow-up ("and for SMEs?"), in any of the
glossary's forms."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..search.retriever import Retrieval
from ..words import WORDS, tokenize
from .units import Unit


def on_subject(retrieval: Retrieval) -> Callable[[Unit], bool]:
    """Whether a unit is about the new subject of an "and for SMEs?" follow-up, in any of the
    glossary's forms ("and for small businesses?" finds "SMEs"): one naming all its words
    when any passage does ("partner search", not "partners" alone); no subject: any unit is.
    The passages naming the subject are found once, not once per unit."""
    subject, index = retrieval.plan.subject, retrieval.index
    if not subject or index is None:
        return lambda _unit: True
    expanded = retrieval.plan.analysis.expand(subject)
    named = index.lexical.scores(expanded) > 0
    own = [w for w in WORDS(subject) if tokenize([w])[0]]
    if len(own) > 1:
        every = np.logical_and.reduce([index.lexical.scores(w) > 0 for w in own])
        other = expanded[len(subject) :].strip(" ()")  # the glossary's other forms, if any
        if other:
            every |= index.lexical.scores(other) > 0
        named = every if every.any() else named
    return lambda unit: bool(named[unit.hit.row])
