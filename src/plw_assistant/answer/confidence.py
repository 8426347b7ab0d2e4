"""How sure an answer is: the label of its lead ("strong", "good", "partial") and the words
for each passage's similarity ("close", "related", "loose")."""

from __future__ import annotations

from ..domain import Hit
from . import structured
from .units import CLOSE, RELATED, Unit

# A lead at least this much more similar to the question than any other passage, and its
# best word match too, is labelled "strong" (calibrated: README, "Confidence").
CLEAR_MARGIN = 0.05


def confidence(built: structured.Built, chosen: list[Unit], hits: list[Hit]) -> str | None:
    """How sure the answer is of its lead ("strong", "good", "partial"): certain when the
    notes' structure found it (a webinar named, the webinar holding a topic); else strong when
    the lead is both the passage most similar in meaning and the best word match, clearly
    ahead of the next; good when it is one of the two. (Calibrated: README, "Confidence".)"""
    if not chosen:
        return None
    if built.certain:
        return "strong"
    lead = chosen[0].hit
    if lead.dense is None or not hits:
        return "partial"
    by_meaning = max(hits, key=lambda h: h.dense if h.dense is not None else -1.0)
    by_words = max(hits, key=lambda h: h.keyword or 0.0)
    next_best = max((h.dense or 0.0 for h in hits if h.row != lead.row), default=0.0)
    # (The best word match only when some word matches: none is no agreement.)
    agree = by_meaning.row == lead.row and by_words.row == lead.row and bool(lead.keyword)
    if agree and lead.dense - next_best >= CLEAR_MARGIN:
        return "strong"
    return "good" if lead.row in (by_meaning.row, by_words.row) else "partial"


def match_label(dense: float | None) -> str | None:
    """A passage's similarity to the question, in words: "close", "related" or "loose"."""
    if dense is None:
        return None
    return "close" if dense >= CLOSE else "related" if dense >= RELATED else "loose"
