"""Passages read in the question's words for the glossary's terms: a passage that writes an
abbreviation ("PO") for what the question writes out ("project officer") is as similar to the
question as it would be had it written the words."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from ..store.reader import Index
from .intent import Plan
from .terms import glossing, reread

MOST = 32


def gloss_scores(
    plan: Plan,
    index: Index,
    scores: dict[int, float],
    rows: Iterable[int],
    vector: np.ndarray,
    embed: Callable[[str], np.ndarray],
) -> None:
    """Raise, in place, the similarity in ``scores`` of each of the ``MOST`` best of ``rows``
    whose passage, with the question's words for its abbreviations, is closer to ``vector``
    (the question's)."""
    rules = glossing(plan.analysis.terms, plan.analysis.searched)
    if not rules:
        return
    # A passage read anew is embedded (and kept with the questions' vectors): the best few
    # only, so a term written in many passages ("EU") costs a few model calls, not a hundred.
    rows = sorted(rows, key=lambda r: -scores[r])[:MOST]
    for row, chunk in zip(rows, index.chunks_at(rows), strict=True):
        # The passage's own words only: its heading path ("Introduction of the 5 PLWs") is
        # shared by its whole section, and would lift all of it alike.
        text = reread(rules, chunk.plain)
        if text is not None:
            read = embed(f"{chunk.context}: {text}")
            scores[row] = max(scores[row], float(read @ vector))
