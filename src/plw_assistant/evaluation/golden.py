"""Golden questions about our own corpus: where the expected passage ranks, and whether
out-of-scope questions are declined."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..answer.extractive import compose
from ..assistant import Assistant
from ..config import Mode
from ..domain import Question
from ..errors import EvalDataError
from .metrics import Progress, read_jsonl


@dataclass(frozen=True)
class Golden:
    question: str
    expected: list[tuple[str, str]] = field(default_factory=list)  # (document, quote) pairs
    abstain: bool = False

    def matches(self, document: str, text: str) -> bool:
        flat = " ".join(text.split())
        return any(document == d and " ".join(q.split()) in flat for d, q in self.expected)


def load_golden(path: Path) -> list[Golden]:
    """Golden questions, one JSON object a line: question + document + quote, or abstain: true."""
    if not path.is_file():
        raise EvalDataError(f"No golden-questions file at {path}.")
    items = []
    for n, row in enumerate(read_jsonl(path), start=1):
        if not isinstance(row.get("question"), str) or not row["question"].strip():
            raise EvalDataError(f"{path.name} line {n}: 'question' is missing.")
        if row.get("abstain") is True:
            items.append(Golden(row["question"], abstain=True))
            continue
        options = [row, *row.get("alternatives", [])]
        if not all(
            isinstance(o.get("document"), str) and isinstance(o.get("quote"), str) for o in options
        ):
            raise EvalDataError(
                f"{path.name} line {n}: give 'document' and 'quote', or 'abstain': true."
            )
        items.append(Golden(row["question"], [(o["document"], o["quote"]) for o in options]))
    if not items:
        raise EvalDataError(f"{path} holds no questions.")
    return items


@dataclass
class GoldenReport:
    rows: list[dict[str, Any]]
    summary: dict[str, Any]


def evaluate_golden(
    items: Sequence[Golden], assistant: Assistant, mode: Mode, progress: Progress | None = None
) -> GoldenReport:
    """Ask every question through the full answer path; score where the expected passage ranks
    and whether out-of-scope questions were declined."""
    step = progress("Questions", len(items)) if progress else None
    rows: list[dict[str, Any]] = []
    for item in items:
        question = Question(item.question, max(assistant.settings.top_k, 10), mode)
        retrieval = assistant.retrieve(question)
        answer = compose(question, retrieval, assistant.settings.min_score)
        rank = next((c.n for c in answer.citations if item.matches(c.document, c.text)), None)
        rows.append(
            {
                "question": item.question,
                "expect_abstain": item.abstain,
                "abstained": answer.abstained,
                "rank": rank,
                "best_cosine": retrieval.best_cosine,
                "unknown_terms": list(retrieval.unknown_terms),
            }
        )
        if step:
            step(1)
    scoped = [r for r in rows if not r["expect_abstain"]]
    out_of_scope = [r for r in rows if r["expect_abstain"]]
    n = max(len(scoped), 1)
    summary: dict[str, Any] = {
        "mode": mode,
        "questions": len(rows),
        "in_scope": len(scoped),
        "out_of_scope": len(out_of_scope),
        "hit@1": round(sum(r["rank"] == 1 for r in scoped) / n, 4),
        "hit@3": round(sum(r["rank"] is not None and r["rank"] <= 3 for r in scoped) / n, 4),
        "mrr": round(sum(1 / r["rank"] for r in scoped if r["rank"]) / n, 4),
        "abstention_accuracy": round(
            sum(r["abstained"] for r in out_of_scope) / len(out_of_scope), 4
        )
        if out_of_scope
        else None,
        "false_abstentions": sum(r["abstained"] for r in scoped),
        "min_score": assistant.settings.min_score,
        "suggested_min_score": suggest_min_score(rows),
    }
    return GoldenReport(rows, summary)


def suggest_min_score(rows: Sequence[dict[str, Any]]) -> float | None:
    """Midway between the best cosine of the weakest in-scope question and of the strongest
    out-of-scope one that only the threshold can decline; ``None`` if they overlap."""
    scoped = [r["best_cosine"] for r in rows if not r["expect_abstain"]]
    others = [r["best_cosine"] for r in rows if r["expect_abstain"] and not r["unknown_terms"]]
    if None in scoped or None in others or not scoped:
        return None
    low, high = min(scoped), max(others, default=0.0)
    return round((low + high) / 2, 2) if low > high else None
