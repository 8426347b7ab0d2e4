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


# Punctuation an answer may set differently from the notes without saying anything else: a
# title quoted as 'PLW#2 “Working on a common note”' holds the notes' "PLW#2: Working on a
# common note".
_SETTING = re.compile(r"[:;,.!?“”\"«»()\[\]]")


def _norm(text: str) -> str:
    return " ".join(_SETTING.sub(" ", text.lower().replace("’", "'")).split())


# Markdown a quote copied from a note may carry, which an answer shows as text: a heading's
# "#", a list item's "-" ("# PLW#2: Working on a common note", "- IT tool").
_MARKUP = re.compile(r"^[ \t]*(?:#{1,6}|[-*+]|\d{1,3}[.)])[ \t]+", re.M)


def _holds(text: str, wanted: str) -> bool:
    return _norm(_MARKUP.sub("", wanted)) in _norm(text)


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
        "answer_hit_listed": None,
        "lead_hit_listed": None,
        "wrong_source": [s for s in item.must_not if _holds(text, s)],
    }
    if item.language:
        out["language_ok"] = answer.abstained and "ask in English" in text
    elif item.unknown_webinar:
        out["unknown_ok"] = all(_holds(text, s) for s in item.wanted)
    elif not item.abstain:
        out["answer_hit"] = not answer.abstained and all(_holds(text, s) for s in item.wanted)
        lead = item.lead or (item.wanted[0] if item.wanted else "")
        out["lead_hit"] = not answer.abstained and _holds(first_unit(text), lead)
        out["missing"] = [s for s in item.wanted if not _holds(text, s)]
        # Leniently: any passage the row lists as a correct answer will do.
        lead_unit = first_unit(text)
        out["answer_hit_listed"] = not answer.abstained and any(
            _holds(text, s) for s in item.listed
        )
        out["lead_hit_listed"] = not answer.abstained and any(
            _holds(lead_unit, s) for s in item.listed
        )
    return out


def lead_passage(answer: Answer) -> str | None:
    """The chunk id of the passage the answer quotes first, if it quotes one."""
    marker = re.search(r"\[(\d{1,3})\]", answer.answer)
    if answer.abstained or marker is None:
        return None
    n = int(marker.group(1))
    return next((c.chunk_id for c in answer.citations if c.n == n), None)


def lead_similarity(answer: Answer) -> float | None:
    """The lead passage's similarity to the question (what the confidence label reads)."""
    lead = lead_passage(answer)
    return next((c.similarity for c in answer.citations if c.chunk_id == lead), None)


def answer_confidence(answer: Answer) -> str | None:
    """The confidence label the reader sees on the answer ("strong", "good", "partial"); none
    on a refusal, or on an answer saying the notes lack part of what was asked."""
    return None if answer.abstained else answer.confidence


def _correct(row: dict[str, Any]) -> bool:
    """An answer a reader can rely on: the expected lesson first, nothing it must not hold."""
    if row["expect_abstain"] or row["kind"] in ("language", "unknown_webinar"):
        return bool(row.get("declined", row["abstained"])) or bool(row.get("unknown_ok"))
    return bool(row["lead_hit"]) and not row["wrong_source"]


def label_precision(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per confidence label: how many answers carried it and the share of them correct."""
    out: dict[str, Any] = {}
    for label in ("strong", "good", "partial"):
        given = [r for r in rows if r.get("confidence") == label]
        out[label] = {
            "answers": len(given),
            "precision": round(sum(map(_correct, given)) / len(given), 4) if given else None,
        }
    return out


def consistency(rows: list[dict[str, Any]]) -> float | None:
    """Share of paraphrases that lead with the same passage as the question they reword."""
    pairs = [r for r in rows if r.get("paraphrase_of") is not None]
    same = [r["lead_passage"] == r["original_lead"] for r in pairs]
    return round(sum(same) / len(same), 4) if same else None


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
        "follow_up_answer_hit": _share(follow, "answer_hit"),
        "follow_up_lead_hit": _share(follow, "lead_hit"),
        "labels": label_precision(rows),
        "paraphrase_consistency": consistency(rows),
        "lead_hit": _share(single, "lead_hit"),
        "answer_hit_listed": _share(single, "answer_hit_listed"),
        "lead_hit_listed": _share(single, "lead_hit_listed"),
        "wrong_source": sum(bool(r["wrong_source"]) for r in rows),
        "follow_ups": round(sum(followed) / len(followed), 4) if followed else None,
        "follow_up_questions": len(follow),
        "language": _share(rows, "language_ok"),
        "unknown_webinar": _share(rows, "unknown_ok"),
    }
