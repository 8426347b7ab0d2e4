"""Ranking metrics (nDCG, recall, MRR) and the JSON-lines reader the datasets share."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..errors import EvalDataError

Progress = Callable[[str, int], Callable[[int], None]]


def read_jsonl(path: Path) -> Iterable[dict[str, Any]]:
    """The JSON objects of a JSON-lines file; ``EvalDataError`` names the first bad line."""
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise EvalDataError(f"{path.name} line {n} is not UTF-8 text.") from None
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except (json.JSONDecodeError, RecursionError):
                raise EvalDataError(f"{path.name} line {n} is not valid JSON.") from None
            if not isinstance(row, dict):
                raise EvalDataError(f"{path.name} line {n} must be a JSON object.")
            yield row


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
