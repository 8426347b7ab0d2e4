"""Checks at the answer a person reads: the expected quote in the answer text (answer hit), in
its first quoted lesson (lead hit), no quote it must not hold (wrong source), language and
unknown-webinar replies, and follow-ups."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..domain import Answer

if TYPE_CHECKING:
    from .golden import Golden

_FIRST_UNIT = re.compile(r"^.*?\[\d{1,3}\]", re.S)


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def _holds(text: str, wanted: str) -> bool:
    return _norm(wanted) in _norm(text)


def first_unit(answer: str) -> str:
    """The answer up to its first citation marker: the lesson it leads with."""
    match = _FIRST_UNIT.match(answer)
    return match.group(0) if match else answer


def answer_checks(item: Golden, answer: Answer) -> dict[str, Any]:
    """Per question: what the answer text says against what the golden row expects."""
    text = answer.answer
    out: dict[str, Any] = {
        "answer_hit": None,
        "lead_hit": None,
        "wrong_source": [s for s in item.must_not if _holds(text, s)],
    }
    if item.language:
        out["language_ok"] = answer.abstained and "ask in English" in text
    elif item.unknown_webinar:
        out["unknown_ok"] = all(_holds(text, s) for s in item.wanted)
    elif item.turns and not item.answer:
        pass  # an older conversation row: only where its passage ranks is checked
    elif not item.abstain:
        out["answer_hit"] = not answer.abstained and all(_holds(text, s) for s in item.wanted)
        lead = item.lead or (item.wanted[0] if item.wanted else "")
        out["lead_hit"] = not answer.abstained and _holds(first_unit(text), lead)
        out["missing"] = [s for s in item.wanted if not _holds(text, s)]
    return out


def _share(rows: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in rows if r.get(key) is not None]
    return round(sum(bool(v) for v in values) / len(values), 4) if values else None


def summarise_answers(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Totals of the answer checks; follow-ups are the rows asked after earlier turns."""
    single = [r for r in rows if r["kind"] == "in_scope"]
    follow = [r for r in rows if r["kind"] == "follow_up"]
    followed = [
        r["answer_hit"] is not False
        and not r["wrong_source"]
        and r["rank"] is not None
        and r["rank"] <= 3
        for r in follow
    ]
    return {
        "answer_hit": _share(single, "answer_hit"),
        "lead_hit": _share(single, "lead_hit"),
        "wrong_source": sum(bool(r["wrong_source"]) for r in rows),
        "follow_ups": round(sum(followed) / len(followed), 4) if followed else None,
        "follow_up_questions": len(follow),
        "language": _share(rows, "language_ok"),
        "unknown_webinar": _share(rows, "unknown_ok"),
    }
