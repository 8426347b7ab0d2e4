"""Each part of a question asking two things answered: the fact one part asks for ("when
did it run, and whom do I contact?": a date; "which partnerships took part, and how many
webinars were there?": the names) quoted from the passage stating it, when the lessons
chosen for the question as a whole do not state it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from ..domain import DETAILS, Hit
from ..search.expects import expects_of
from ..search.forms import LATER, asks_future, holds
from ..search.names import Vocabulary
from ..search.retriever import Retrieval
from ..text import plain_text
from . import structured
from .companions import MAX_UNITS
from .units import RELATED, Unit, is_label, make_unit

# The passages searched for one stating a part's fact: the question's and each part's nearest.
STATING_SEARCH = 20
# Facts a part asks for by its words alone ("which partnerships …?", "whom do I write to?",
# "when was it?"); numbers are asked for of the whole question (``facts.asked_for``), which
# asks for one fact only: "when …, and how many …?" asks the count of the whole, the date of
# its part.
_BY_PART = ("names", "address", "date")
# A part asking when is near little but a date ("When did the webinars take place" is 0.39
# similar to the passage dating the series): the dated passage answers from this similarity.
DATE_BAR = 0.3


def stating(
    rows: Sequence[int],
    retrieval: Retrieval,
    hits: list[Hit],
    vocabulary: Vocabulary,
    bar: float = RELATED,
) -> Unit | None:
    """For a question asking two things, of ``rows`` (passages holding the fact a part asks
    for) the one most similar to a part, if related to it (added to ``hits`` if new); ``None``
    for a question asking one thing. A note's front matter dates the note, not what it is
    about; a topic's name states no fact."""
    index = retrieval.index
    assert index is not None
    if len(retrieval.parts) < 2:
        return None
    rows = [r for r in rows if (c := index.chunks[r]).section != DETAILS and not is_label(c)]
    if not rows:
        return None
    similar = np.max([index.dense_scores(rows, v) for v in retrieval.parts], axis=0)
    best = int(np.argmax(similar))
    if similar[best] < bar:
        return None
    row = rows[best]
    known = next((h for h in hits if h.row == row), None)
    if known is None:
        known = Hit(index.chunks[row], 0.0, row, float(similar[best]))
        hits.append(known)
    return make_unit(hits.index(known) + 1, known, index, vocabulary, retrieval.query)


def stating_text(
    holds: Callable[[str], bool], retrieval: Retrieval, hits: list[Hit], vocabulary: Vocabulary
) -> Unit | None:
    """``stating`` for a fact a passage's text tells, looked for in the passages retrieved and
    those nearest each part (never every passage: a large index reads its passages from
    disk)."""
    index = retrieval.index
    assert index is not None
    if len(retrieval.parts) < 2:
        return None
    near = [h.row for h in hits]
    for vector in retrieval.parts:
        near += [r for r, _ in index.dense_search(vector, STATING_SEARCH)]
    rows = [r for r in dict.fromkeys(near) if holds(plain_text(index.chunks[r].text))]
    return stating(rows, retrieval, hits, vocabulary)


def with_facts(
    built: structured.Built, retrieval: Retrieval, hits: list[Hit], vocabulary: Vocabulary
) -> structured.Built:
    """``built`` quoting, for each part asking for names, an address or a date that no unit
    gives, the passage giving them, in the part's place; the first part's answered first
    ("when did it run, and how many …?": the passage giving the date leads)."""
    index = retrieval.index
    if index is None or len(retrieval.parts) < 2 or not built.units or built.topics:
        return built
    for n, part in enumerate(retrieval.plan.parts):
        kind = expects_of(part)
        if kind not in _BY_PART:
            continue
        mask = vocabulary.holding(kind)
        held = [u for u in built.units if mask[u.hit.row]]
        rows, bar = np.flatnonzero(mask).tolist(), RELATED
        if kind == "date":
            # A year in a lesson ("an extra PLW in 2022") is not when the thing asked about
            # ran: the dated passage closest to the parts is; what is to come, only when asked.
            if not asks_future(part):
                rows = [r for r in rows if not holds(LATER, plain_text(index.chunks[r].text))]
            bar = DATE_BAR
            closest = stating(rows, retrieval, hits, vocabulary, bar)
            held = [u for u in held if closest is None or u.hit.row == closest.hit.row]
        if held:
            if n == 0 and not mask[built.units[0].hit.row]:
                built = quoting(built, held[0], 0)
            continue
        unit = stating(rows, retrieval, hits, vocabulary, bar)
        if unit is not None:
            built = quoting(built, unit, n)
    return built


def quoting(built: structured.Built, unit: Unit, part: int) -> structured.Built:
    """``built`` quoting ``unit`` too, first when it answers the first part, else after the
    lessons chosen."""
    rest = [u for u in built.units if u.hit.row != unit.hit.row]
    units = [unit, *rest] if part == 0 else [*rest[: MAX_UNITS - 1], unit]
    return replace(built, units=units[:MAX_UNITS], topics=False)
