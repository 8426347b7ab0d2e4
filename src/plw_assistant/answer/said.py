"""A follow-up the answer before it may already have answered: whether anything is left to
quote ("and what about plans?", "what else can the money be used for?"), the lists beside
the one it quoted whole, and the answer saying the notes hold nothing more, quoting again
what answers."""

from __future__ import annotations

import re

from ..domain import Hit
from ..search.items import MORE_WORDS, other_lists
from ..search.names import Vocabulary
from ..search.retriever import Retrieval
from ..text import plain_text
from ..words import tokenize
from . import structured
from .companions import MAX_UNITS
from .subject import on_subject
from .units import Unit, is_overview, make_unit, words

# Nearly as relevant: what is left is clearly less so below this share of what was said.
FOLLOW_SHARE = 0.9
_OTHERS = re.compile(
    r"\b(?:others?|else|any\s+more|more\s+(?:tips?|lessons?|advice|ideas?|points?))\b", re.I
)


def said_best(candidates: list[Unit], unsaid: list[Unit], continues: bool) -> bool:
    """Whether an "and what about plans?" follow-up (``continues``: one not asking for
    something else) is best answered by a lesson the previous answer already quoted: what is
    left is clearly less relevant (the answer then says the notes hold nothing more, quoting
    it again)."""
    if not continues or not candidates or candidates[0] in unsaid or candidates[0].label:
        return False
    best = max(u.hit.dense or 0.0 for u in candidates)
    return max(u.hit.dense or 0.0 for u in unsaid) < FOLLOW_SHARE * best


def nothing_more(retrieval: Retrieval, unsaid: list[Unit], vocabulary: Vocabulary) -> bool:
    """Whether a "tell me more" follow-up has nothing more to quote: all left is less similar."""
    plan, index, query = retrieval.plan, retrieval.index, retrieval.query
    if not plan.demote or index is None or query is None:
        return False
    own = set(tokenize([plan.analysis.searched])[0]) - MORE_WORDS  # "… about EU funding?"
    if _OTHERS.search(plan.analysis.searched) and not own:  # "the other ones?", "what else?"
        return False  # anything else is what is asked
    rows = [r for r in map(index.row, plan.demote) if r is not None]
    said = max(index.dense_scores(rows, query), default=0.0)
    if max(u.hit.dense or 0.0 for u in unsaid) < FOLLOW_SHARE * said:
        return True
    closest = max(unsaid, key=lambda u: u.hit.dense or 0.0)
    topic = closest.label or is_overview(closest, vocabulary)
    if not topic or retrieval.meaning is None or plan.query == plan.analysis.searched:
        return False
    # A topic's line, mostly its webinar's heading, is near anything on the webinar's subject:
    # read with the question it follows ("… EU funding? → what else can the money be used
    # for?"), by the passages' own words, it is not.
    whole, *vectors = retrieval.meaning(
        [plan.query, *(index.chunks[r].plain for r in rows), *(u.plain for u in unsaid)]
    )
    similar = [float(v @ whole) for v in vectors]
    return max(similar[len(rows) :]) < FOLLOW_SHARE * max(similar[: len(rows)])


def lists_beside(
    said: frozenset[str], most: int, retrieval: Retrieval, vocabulary: Vocabulary
) -> list[Unit]:
    """The items of the lists beside the one the previous answer quoted, in the note's order
    (at ``most`` of each)."""
    index = retrieval.index
    assert index is not None
    rows = [r for r in map(index.row, sorted(said)) if r is not None]
    out: list[Unit] = []
    for items in other_lists(index, rows[0]) if rows else []:
        for r in items[:most]:
            hit = Hit(index.chunks[r], 0.0, r, None)
            out.append(make_unit(len(out) + 1, hit, index, vocabulary, retrieval.query))
    return out


def nothing_more_said(
    retrieval: Retrieval, hits: list[Hit], vocabulary: Vocabulary, min_score: float
) -> structured.Built:
    """ "The notes hold nothing more on this than the previous answer quoted:", with what it
    quoted that answers the follow-up, wherever it ranks now (demoted, it may not be
    retrieved); nothing below the abstention threshold."""
    plan, index = retrieval.plan, retrieval.index
    assert index is not None
    about = plan.subject or "this"
    said = plan.demote | _said_ids(hits, plan.said) if plan.said else frozenset()
    on_it = on_subject(retrieval)
    cite = structured.Citer(index, hits, vocabulary, retrieval.query)
    rows = [h.row for h in hits if h.chunk.id in said]
    rows += sorted(r for i in said if (r := index.row(i)) is not None and r not in rows)
    similar = _similarity(retrieval, rows)
    quoted = [u for u in map(cite.unit, rows) if on_it(u) and similar[u.hit.row] >= min_score]
    best = max((similar[u.hit.row] for u in quoted), default=0.0)
    quoted = [u for u in quoted if similar[u.hit.row] >= FOLLOW_SHARE * best]  # what answers
    if any(_relevant(u, min_score) for u in quoted):  # the follow-up's own words choose
        quoted.sort(key=lambda u: -(u.hit.dense or 0.0))
    else:  # it names too little ("what else can the money be used for?"): as quoted before
        spoken = words(plan.said)
        quoted.sort(key=lambda u: _at(spoken, words(u.plain)))
    if quoted:
        opening = f"The notes hold nothing more on {about} than the previous answer quoted:"
        return structured.Built(quoted[:MAX_UNITS], opening)
    return structured.Built(
        [], f"The notes hold nothing more on {about} than the previous answer quoted."
    )


def _relevant(unit: Unit, min_score: float) -> bool:
    """Nothing less similar to the question than the abstention threshold is quoted."""
    return unit.hit.dense is None or unit.hit.dense >= min_score


def _said_ids(hits: list[Hit], said: str) -> frozenset[str]:
    """Ids of the passages whose words the previous answer holds."""
    spoken = words(said)
    return frozenset(h.chunk.id for h in hits if words(plain_text(h.chunk.text)) in spoken)


def _at(text: str, part: str) -> int:
    """Where ``part`` is in ``text`` (after it, if not in it)."""
    at = text.find(part)
    return len(text) if at < 0 else at


def _similarity(retrieval: Retrieval, rows: list[int]) -> dict[int, float]:
    """How similar the passages the previous answer quoted are to the follow-up, read on its
    own or with the question it follows ("… EU funding? → what else can the money be used
    for?" names the money only): the closer of the two."""
    index, query, plan = retrieval.index, retrieval.query, retrieval.plan
    if index is None or query is None:
        return dict.fromkeys(rows, 1.0)
    similar = index.dense_scores(rows, query)
    if retrieval.meaning is not None and plan.query != plan.analysis.searched:
        whole = index.dense_scores(rows, retrieval.meaning([plan.query])[0])
        similar = [max(a, b) for a, b in zip(similar, whole, strict=True)]
    return {r: float(s) for r, s in zip(rows, similar, strict=True)}
