"""Golden questions about our own corpus, measured at the passages (where the expected one
ranks, whether out-of-scope questions are declined) and at the answer a person reads (does it
quote what it should, first, and nothing it must not)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..assistant import Assistant
from ..domain import Answer, Mode, Question, Turn
from ..errors import EvalDataError
from .answers import (
    answer_checks,
    answer_confidence,
    lead_passage,
    lead_similarity,
    summarise_answers,
)
from .metrics import Progress, read_jsonl


@dataclass(frozen=True)
class Golden:
    question: str
    expected: list[tuple[str, str]] = field(default_factory=list)  # (document, quote) pairs
    abstain: bool = False
    answer: tuple[str, ...] = ()  # strings the answer text must hold (default: the quote)
    lead: str | None = None  # string the first quoted lesson must hold (default: answer[0])
    must_not: tuple[str, ...] = ()  # strings the answer must not hold (another webinar's)
    language: str | None = None  # a question not in English: the answer must say so
    unknown_webinar: bool = False  # names a webinar the notes do not have
    turns: tuple[str, ...] = ()  # earlier questions of a conversation, asked first
    paraphrase_of: str | None = None  # a rewording of this question: same lead expected

    def matches(self, document: str, text: str) -> bool:
        flat = " ".join(text.split())
        return any(document == d and " ".join(q.split()) in flat for d, q in self.expected)

    @property
    def in_scope(self) -> bool:
        return not (self.abstain or self.language or self.unknown_webinar)

    @property
    def wanted(self) -> tuple[str, ...]:
        return self.answer or tuple(q for _, q in self.expected[:1])

    @property
    def listed(self) -> tuple[str, ...]:
        """Every quote the row's writer listed as a correct answer (its quote and its
        alternatives: another sentence of the same lesson, the same text in a session's
        notes); the strict checks read ``wanted`` only."""
        return self.answer or tuple(q for _, q in self.expected)


def _strings(row: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = row.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EvalDataError(f"{where}: '{key}' must be a list of strings.")
    return tuple(value)


def _item(row: dict[str, Any], where: str) -> Golden:
    turns = row.get("turns")
    if turns is not None:
        if (
            not isinstance(turns, list)
            or len(turns) < 2
            or not all(isinstance(t, str) and t.strip() for t in turns)
        ):
            raise EvalDataError(f"{where}: 'turns' must list two or more questions.")
        row = {**row, "question": turns[-1]}
    if not isinstance(row.get("question"), str) or not row["question"].strip():
        raise EvalDataError(f"{where}: 'question' is missing.")
    common: dict[str, Any] = {
        "answer": _strings(row, "answer", where),
        "must_not": _strings(row, "must_not", where),
        "turns": tuple(turns[:-1]) if turns else (),
        "lead": row.get("lead") if isinstance(row.get("lead"), str) else None,
        "paraphrase_of": row.get("paraphrase_of")
        if isinstance(row.get("paraphrase_of"), str)
        else None,
    }
    if row.get("abstain") is True:
        return Golden(row["question"], abstain=True, paraphrase_of=common["paraphrase_of"])
    if isinstance(row.get("language"), str):
        return Golden(row["question"], language=row["language"])
    if row.get("unknown_webinar") is True:
        return Golden(row["question"], unknown_webinar=True, **common)
    options = [row, *row.get("alternatives", [])]
    if not all(
        isinstance(o.get("document"), str) and isinstance(o.get("quote"), str) for o in options
    ):
        raise EvalDataError(f"{where}: give 'document' and 'quote', or 'abstain': true.")
    return Golden(row["question"], [(o["document"], o["quote"]) for o in options], **common)


def load_golden(path: Path) -> list[Golden]:
    """Golden questions, one JSON object a line: question + document + quote (+ answer,
    lead, must_not), or abstain: true, or language: "fr", or unknown_webinar: true; a
    conversation gives "turns" instead of "question" (the last turn is checked)."""
    if not path.is_file():
        raise EvalDataError(f"No golden-questions file at {path}.")
    items = [_item(row, f"{path.name} line {n}") for n, row in enumerate(read_jsonl(path), 1)]
    if not items:
        raise EvalDataError(f"{path} holds no questions.")
    return items


@dataclass
class GoldenReport:
    rows: list[dict[str, Any]]
    summary: dict[str, Any]


def _ask(item: Golden, assistant: Assistant, k: int, mode: Mode) -> tuple[Answer, Any]:
    """The answer to the item's question, after its earlier turns, and the retrieval."""
    history: list[Turn] = []
    for text in item.turns:
        earlier = assistant.ask(Question(text, mode=mode, history=tuple(history)))
        cited = tuple(c.chunk_id for c in earlier.citations if c.cited)
        history.append(Turn(earlier.question, earlier.answer, cited))
    question = Question(item.question, k, mode, tuple(history))
    return assistant.ask(question), assistant.retrieve(question)


def evaluate_golden(
    items: Sequence[Golden], assistant: Assistant, mode: Mode, progress: Progress | None = None
) -> GoldenReport:
    """Ask every question through the full answer path; score where the expected passage
    ranks, whether out-of-scope questions were declined, and what the answer text says."""
    step = progress("Questions", len(items)) if progress else None
    rows: list[dict[str, Any]] = []
    k = max(assistant.settings.top_k, 10)
    originals: dict[str, str | None] = {}  # paraphrased question → its answer's lead passage
    for item in items:
        answer, retrieval = _ask(item, assistant, k, mode)
        original = item.paraphrase_of
        if original is not None and original not in originals:
            originals[original] = lead_passage(_ask(Golden(original), assistant, k, mode)[0])
        rank = next((c.n for c in answer.citations if item.matches(c.document, c.text)), None)
        rows.append(
            {
                "question": item.question,
                "turns": list(item.turns),
                "kind": _kind(item),
                "plan": retrieval.plan.kind,
                "expect_abstain": item.abstain,
                "abstained": answer.abstained,
                # Declined: refused, or said the notes do not give what was asked ("The notes
                # do not name the tool", after the topic they hold on it).
                "declined": answer.abstained or bool(answer.missing),
                "rank": rank,
                "best_cosine": retrieval.best_cosine,
                "unknown_terms": list(retrieval.unknown_terms),
                "answer": answer.answer,
                "confidence": answer_confidence(answer),
                "lead_passage": lead_passage(answer),
                "lead_similarity": lead_similarity(answer),
                "paraphrase_of": original,
                "original_lead": originals.get(original) if original is not None else None,
                **answer_checks(item, answer),
            }
        )
        if step:
            step(1)
    return GoldenReport(rows, _summary(rows, mode, assistant))


def _kind(item: Golden) -> str:
    if item.abstain:
        return "out_of_scope"
    if item.language:
        return "language"
    if item.unknown_webinar:
        return "unknown_webinar"
    return "follow_up" if item.turns else "in_scope"


def _summary(rows: list[dict[str, Any]], mode: Mode, assistant: Assistant) -> dict[str, Any]:
    scoped = [r for r in rows if r["kind"] in ("in_scope", "follow_up")]
    out_of_scope = [r for r in rows if r["expect_abstain"]]
    n = max(len(scoped), 1)
    return {
        "mode": mode,
        "questions": len(rows),
        "in_scope": len(scoped),
        "out_of_scope": len(out_of_scope),
        "hit@1": round(sum(r["rank"] == 1 for r in scoped) / n, 4),
        "hit@3": round(sum(r["rank"] is not None and r["rank"] <= 3 for r in scoped) / n, 4),
        "mrr": round(sum(1 / r["rank"] for r in scoped if r["rank"]) / n, 4),
        "abstention_accuracy": round(
            sum(r["declined"] for r in out_of_scope) / len(out_of_scope), 4
        )
        if out_of_scope
        else None,
        "false_abstentions": sum(r["abstained"] for r in scoped),
        "min_score": assistant.settings.min_score,
        "suggested_min_score": suggest_min_score(rows),
        **summarise_answers(rows),
    }


def suggest_min_score(rows: Sequence[dict[str, Any]]) -> float | None:
    """Midway between the best cosine of the weakest in-scope question and of the strongest
    out-of-scope one that only the threshold can decline; ``None`` if they overlap."""
    # Questions about a webinar are answered whatever their similarity: not evidence here.
    scoped = [r["best_cosine"] for r in rows if r["kind"] == "in_scope" and r["plan"] == "general"]
    others = [r["best_cosine"] for r in rows if r["expect_abstain"] and not r["unknown_terms"]]
    if None in scoped or None in others or not scoped:
        return None
    low, high = min(scoped), max(others, default=0.0)
    return round((low + high) / 2, 2) if low > high else None
