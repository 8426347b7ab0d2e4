"""Turning a question into ranked passages: dense (FAISS), keyword (BM25) or both fused."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from ..config import DEFAULT_HYBRID_ALPHA, Mode
from ..domain import Filters, Hit
from ..embedding.base import Embedder
from ..store.lexical import tokenize
from ..store.reader import Index
from .intent import Plan

# Hybrid = ALPHA * dense/max(dense) + (1 - ALPHA) * bm25/max(bm25) over the union of each
# method's top CANDIDATES. Chosen on the SciFact *train* split, never on test (BENCHMARKS.md):
# it beat reciprocal rank fusion there (nDCG@10 0.753 against 0.717).
ALPHA = DEFAULT_HYBRID_ALPHA
CANDIDATES = 100
# Passages this similar to a better-ranked one are near-duplicates and are not shown twice.
DUPLICATE_COSINE = 0.95


@dataclass(frozen=True)
class Retrieval:
    """Ranked hits plus the evidence used to decide whether anything is relevant at all."""

    hits: list[Hit]
    best_cosine: float | None  # best dense similarity in the index (None in bm25 mode)
    keyword_match: bool  # whether any passage shares a (stemmed, non-stop) word
    unknown_terms: tuple[str, ...] = ()  # rare words of the question that no passage contains
    named_terms: tuple[str, ...] = ()  # rare words of the question that passages do contain
    query: np.ndarray | None = None  # the question's embedding (None in bm25 mode)
    index: Index | None = None  # the index the hits come from (their vectors, sentences)
    plan: Plan = field(default_factory=Plan)  # what kind of answer the question wants


class Retriever:
    def __init__(
        self,
        index: Index,
        embedder: Embedder,
        alpha: float = ALPHA,
        queries: QueryCache | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.alpha = alpha
        self.queries = queries or QueryCache()

    def search(
        self,
        question: str,
        k: int,
        mode: Mode = "hybrid",
        *,
        dedupe: bool = False,
        demote: frozenset[str] = frozenset(),
        prefer: frozenset[str] = frozenset(),
        filters: Filters | None = None,
        within: np.ndarray | None = None,
        keep: np.ndarray | None = None,
        keywords: str | None = None,
    ) -> Retrieval:
        """The ``k`` best passages for ``question``; ``dedupe`` drops near-duplicates, chunks
        of documents in ``prefer`` go first and chunks whose id is in ``demote`` last.
        ``within`` restricts the search to some rows (few: a webinar's passages); ``keep``
        drops rows from the ranked candidates (many: every passage holding a date);
        ``keywords`` is what BM25 searches for, when it is not the whole question."""
        allowed = self.index.matching(filters)
        if within is not None:  # rows the question is about (a webinar's passages, say)
            allowed = within if allowed is None else allowed & within
        n = self.index.size if allowed is None else int(allowed.sum())
        want = min(n, max(k, CANDIDATES) if dedupe or mode == "hybrid" else k)
        dense: dict[int, float] = {}
        best_cosine = None
        query = None
        if mode != "bm25":
            query = self.queries.get(self.embedder, question)
            dense = dict(self.index.dense_search(query, want, allowed))
            best_cosine = max(dense.values(), default=0.0)
        keyword = np.zeros(0, dtype=np.float32)
        if mode != "dense":
            keyword = self.index.lexical.scores(keywords or question)
            if allowed is not None:
                keyword = np.where(allowed, keyword, 0.0).astype(np.float32)
        keyword_match = bool(keyword.size and keyword.max() > 0)
        if mode == "dense":
            ranked = sorted(dense.items(), key=lambda p: -p[1])
        elif mode == "bm25":
            ranked = _top(keyword, want)
        else:
            ranked = self._fuse(query, dense, keyword, want)
        if keep is not None:
            ranked = [p for p in ranked if keep[p[0]]]
        if dedupe:  # with no reordering to follow, the first k survivors are all it takes
            ranked = self._dedupe(ranked, None if demote or prefer else k)
        if demote or prefer:
            self._group(ranked, demote, prefer)
        top = ranked[:k]
        chunks = self.index.chunks_at([r for r, _ in top])
        hits = [Hit(c, score, row) for (row, score), c in zip(top, chunks, strict=True)]
        unknown, named = self.rare_terms(question) if mode != "bm25" else ((), ())
        return Retrieval(hits, best_cosine, keyword_match, unknown, named, query, self.index)

    def _group(
        self, ranked: list[tuple[int, float]], demote: frozenset[str], prefer: frozenset[str]
    ) -> None:
        """Chunks of documents in ``prefer`` first, chunks whose id is in ``demote`` last,
        in place; stable, so the score order holds within each group."""
        rows = [r for r, _ in ranked]
        chunks = dict(zip(rows, self.index.chunks_at(rows), strict=True))
        ranked.sort(key=lambda p: (chunks[p[0]].id in demote, chunks[p[0]].document not in prefer))

    def rare_terms(self, question: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The question's rare words (not common words of the model's vocabulary), split into
        those no passage contains ("Kubernetes": likely about something else) and those the
        passages do contain ("RECIPE4Mobility": a name the notes know)."""
        words = dict.fromkeys(re.findall(r"[^\W_]{2,}", question.lower()))
        stems = tokenize(list(words))
        unknown: list[str] = []
        named: list[str] = []
        for word, stem in zip(words, stems, strict=True):
            if not stem or self.embedder.is_common_word(word):
                continue
            known = any(self.index.lexical.knows(t) for t in stem)
            (named if known else unknown).append(word)
        return tuple(unknown), tuple(named)

    def _fuse(
        self, query: np.ndarray | None, dense: dict[int, float], keyword: np.ndarray, want: int
    ) -> list[tuple[int, float]]:
        lexical = dict(_top(keyword, want))
        rows = sorted(set(dense) | set(lexical))
        missing = [r for r in rows if r not in dense]
        if missing and query is not None:  # dense similarity of passages only BM25 found
            dense.update(zip(missing, self.index.dense_scores(missing, query), strict=True))
        top_dense = max(dense.values(), default=0.0) or 1.0
        top_keyword = max(lexical.values(), default=0.0) or 1.0
        fused = {
            r: self.alpha * max(dense[r], 0.0) / top_dense
            + (1 - self.alpha) * float(keyword[r]) / top_keyword
            for r in rows
        }
        return sorted(fused.items(), key=lambda p: (-p[1], p[0]))

    def _dedupe(
        self, ranked: list[tuple[int, float]], enough: int | None = None
    ) -> list[tuple[int, float]]:
        """``ranked`` without passages too similar to a better one; stops at ``enough``."""
        if len(ranked) < 2:
            return ranked
        vectors = self.index.vectors_of([r for r, _ in ranked])
        kept: list[int] = []
        # Matrix-vector products only: a matrix-matrix one wakes BLAS threads that then
        # spin, taking a core from concurrent requests.
        for i in range(len(ranked)):
            if not kept or float(np.max(vectors[kept] @ vectors[i])) < DUPLICATE_COSINE:
                kept.append(i)
                if enough is not None and len(kept) >= enough:
                    break
        return [ranked[i] for i in kept]


class QueryCache:
    """Embeddings of recent questions (starter questions and retries are asked again)."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, embedder: Embedder, text: str) -> np.ndarray:
        key = (f"{embedder.name}\0{embedder.weights_sha256()}", text)
        with self._lock:
            cached = self._items.get(key)
            if cached is not None:
                self._items.move_to_end(key)
                return cached
        vector: np.ndarray = embedder.encode_queries([text])[0]
        with self._lock:
            self._items[key] = vector
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        return vector


def _top(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Rows with a positive score, best first, at most ``k``."""
    k = min(k, int(np.count_nonzero(scores > 0)))
    if k <= 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(i), float(scores[i])) for i in top]
