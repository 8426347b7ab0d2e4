"""Re-check: every recorded question asked again against the current index (after notes were
added), to show which groups the notes answer now. The re-asks are never recorded."""

from __future__ import annotations

from typing import Any

from ..appdata.gaps import GapLog, Recheck, stamp
from ..assistant import Assistant, gap_outcome
from ..domain import Answer, Citation, Question
from ..errors import QuestionError
from .report import key, wordings


def recheck(assistant: Assistant, log: GapLog) -> list[Recheck]:
    """Ask each open recorded question again and keep the results (one per wording)."""
    by_text = wordings(log.gaps())
    # An answer marked "No" counts as answered only if it now quotes other passages.
    rejected: dict[str, set[str]] = {}
    for rows in by_text.values():
        for row in rows:
            if row.outcome == "no":
                rejected.setdefault(key(row.question), set()).update(row.chunk_ids)
    now = stamp(log.clock())
    results = []
    for text in by_text:
        try:
            answer = assistant.ask(Question(text), record=False)
        except QuestionError:  # a "No" on an empty question: nothing to ask
            continue
        results.append(_result(text, now, answer, rejected.get(key(text), set())))
    log.save_rechecks(results)
    return results


def _result(text: str, now: str, answer: Answer, rejected: set[str]) -> Recheck:
    cited = [c for c in answer.citations if c.cited]
    answered = (
        not answer.abstained
        and gap_outcome(answer) is None
        and bool(cited)
        and not {c.chunk_id for c in cited} <= rejected
    )
    return Recheck(text, now, answered, answer.answer, [_citation(c) for c in cited])


def _citation(c: Citation) -> dict[str, Any]:
    quote = " … ".join(c.text[s:e] for s, e in c.highlights) or c.text
    return {
        "n": c.n,
        "chunk_id": c.chunk_id,
        "document": c.document,
        "title": c.title,
        "section": c.section,
        "quote": " ".join(quote.split()),
    }
