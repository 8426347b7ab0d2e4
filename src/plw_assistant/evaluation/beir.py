"""BEIR datasets: read one, index it in memory and score retrieval on its queries."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import SentenceVectors
from ..domain import Chunk, Mode, Question
from ..embedding.base import Embedder
from ..errors import EvalDataError
from ..pipeline.embed import IndexWriter
from ..search.intent import Plan
from ..search.retriever import ALPHA, Retriever
from ..text import clean_text
from .metrics import Progress, mrr_at, ndcg_at, read_jsonl, recall_at


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
    docs = [_doc(d, n) for n, d in enumerate(read_jsonl(paths["corpus.jsonl"]), start=1)]
    qrels = _qrels(paths[f"qrels/{split}.tsv"], split)
    all_queries = {
        _field(q, "_id", "queries.jsonl", n): _field(q, "text", "queries.jsonl", n)
        for n, q in enumerate(read_jsonl(paths["queries.jsonl"]), start=1)
    }
    queries = {q: all_queries[q] for q in qrels if q in all_queries}
    return Beir(docs, queries, qrels)


def _field(row: dict[str, Any], key: str, name: str, n: int, required: bool = True) -> str:
    """A string (or number, for ids) field of a JSON-lines row; ``EvalDataError`` if not."""
    value = row.get(key)
    if value is None and not required:
        return ""
    if isinstance(value, str) or (key == "_id" and isinstance(value, int)):
        return str(clean_text(str(value)))
    wanted = "is missing" if value is None else "must be text"
    raise EvalDataError(f"{name} line {n}: '{key}' {wanted}.")


def _doc(d: dict[str, Any], n: int) -> Chunk:
    text = _field(d, "text", "corpus.jsonl", n)
    return Chunk(
        id=_field(d, "_id", "corpus.jsonl", n),
        document=_field(d, "_id", "corpus.jsonl", n),
        title=_field(d, "title", "corpus.jsonl", n, required=False),
        section="",
        text=text,
        start=0,
        end=len(text),
    )


def _qrels(path: Path, split: str) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    try:
        return _read_qrels(path, split, qrels)
    except UnicodeDecodeError:
        raise EvalDataError(f"qrels/{split}.tsv is not UTF-8 text.") from None


def _read_qrels(
    path: Path, split: str, qrels: dict[str, dict[str, int]]
) -> dict[str, dict[str, int]]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            parts = line.rstrip("\r\n").split("\t")
            if (n == 1 and parts[0] == "query-id") or not line.strip():
                continue
            if len(parts) != 3 or not parts[2].lstrip("-").isdigit():
                raise EvalDataError(
                    f"qrels/{split}.tsv line {n}: expected query-id, corpus-id, score"
                )
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels


def evaluate_beir(
    data: Beir,
    embedder: Embedder,
    mode: Mode,
    progress: Progress | None = None,
    alpha: float = ALPHA,
    sentence_vectors: SentenceVectors = "late",
) -> dict[str, Any]:
    """Index the dataset in memory and score every query in ``mode``."""
    writer = IndexWriter(
        embedder,
        progress=(lambda n: progress("Embedding corpus", n)) if progress else None,
        sentence_vectors=sentence_vectors,
    )
    index = writer.build([], data.docs, "beir")
    retriever = Retriever(index, embedder, alpha)
    step = progress("Queries", len(data.queries)) if progress else None
    totals = {"ndcg@10": 0.0, "recall@10": 0.0, "recall@100": 0.0, "mrr@10": 0.0}
    for qid, text in data.queries.items():
        question = Question(text, 100, mode)
        ranked = [h.chunk.id for h in retriever.search(Plan(query=text), question).hits]
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
        "sentence_vectors": sentence_vectors,
    }
