"""Measuring retrieval: BEIR datasets (nDCG@10, recall, MRR) and golden questions on our corpus."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .answer import compose
from .assistant import Assistant
from .corpus import Chunk
from .embed import Embedder
from .errors import PLWError
from .index import Index
from .retrieve import ALPHA, Mode, Retriever

Progress = Callable[[str, int], Callable[[int], None]]


class EvalDataError(PLWError):
    """A benchmark or golden-questions file is missing or malformed."""


@dataclass(frozen=True)
class Beir:
    docs: list[Chunk]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


def load_beir(directory: Path, split: str = "test") -> Beir:
    """Read ``corpus.jsonl``, ``queries.jsonl`` and ``qrels/<split>.tsv`` of a BEIR dataset."""
    paths = {n: directory / n for n in ("corpus.jsonl", "queries.jsonl", f"qrels/{split}.tsv")}
    for name, path in paths.items():
        if not path.is_file():
            raise EvalDataError(
                f"{directory} is not a BEIR dataset: {name} is missing "
                "(expected corpus.jsonl, queries.jsonl and qrels/<split>.tsv)."
            )
    docs = [
        Chunk(
            id=str(d["_id"]),
            document=str(d["_id"]),
            title=d.get("title") or "",
            section="",
            text=d.get("text") or "",
            start=0,
            end=len(d.get("text") or ""),
        )
        for d in _jsonl(paths["corpus.jsonl"])
    ]
    qrels: dict[str, dict[str, int]] = {}
    with paths[f"qrels/{split}.tsv"].open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            parts = line.rstrip("\r\n").split("\t")
            if (n == 1 and parts[0] == "query-id") or not line.strip():
                continue
            if len(parts) != 3 or not parts[2].lstrip("-").isdigit():
                raise EvalDataError(
                    f"qrels/{split}.tsv line {n}: expected query-id, corpus-id, score"
                )
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    all_queries = {str(q["_id"]): str(q["text"]) for q in _jsonl(paths["queries.jsonl"])}
    queries = {q: all_queries[q] for q in qrels if q in all_queries}
    return Beir(docs, queries, qrels)


def _jsonl(path: Path) -> Iterable[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    raise EvalDataError(f"{path.name} line {n} is not valid JSON.") from None


def ndcg_at(ranked: Sequence[str], rels: dict[str, int], k: int = 10) -> float:
    dcg = sum(rels.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((r for r in rels.values() if r > 0), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: Sequence[str], rels: dict[str, int], k: int) -> float:
    relevant = {d for d, r in rels.items() if r > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def mrr_at(ranked: Sequence[str], rels: dict[str, int], k: int = 10) -> float:
    return next((1 / (i + 1) for i, d in enumerate(ranked[:k]) if rels.get(d, 0) > 0), 0.0)


def evaluate_beir(
    data: Beir,
    embedder: Embedder,
    mode: Mode,
    progress: Progress | None = None,
    alpha: float = ALPHA,
) -> dict[str, Any]:
    """Index the dataset in memory and score every query in ``mode``."""
    index = Index.build(
        [],
        data.docs,
        embedder,
        "beir",
        progress=(lambda n: progress("Embedding corpus", n)) if progress else None,
    )
    retriever = Retriever(index, embedder, alpha)
    step = progress("Queries", len(data.queries)) if progress else None
    totals = {"ndcg@10": 0.0, "recall@10": 0.0, "recall@100": 0.0, "mrr@10": 0.0}
    for qid, text in data.queries.items():
        ranked = [h.chunk.id for h in retriever.search(text, 100, mode).hits]
        rels = data.qrels[qid]
        totals["ndcg@10"] += ndcg_at(ranked, rels)
        totals["recall@10"] += recall_at(ranked, rels, 10)
        totals["recall@100"] += recall_at(ranked, rels, 100)
        totals["mrr@10"] += mrr_at(ranked, rels)
        if step:
            step(1)
    n = max(len(data.queries), 1)
    return {
        "mode": mode,
        **{m: round(v / n, 4) for m, v in totals.items()},
        "queries": len(data.queries),
    }


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
    for n, row in enumerate(_jsonl(path), start=1):
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
        retrieval, index, _ = assistant.retrieve(
            item.question, max(assistant.settings.top_k, 10), mode
        )
        answer = compose(item.question, retrieval, assistant.settings.min_score, index)
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
