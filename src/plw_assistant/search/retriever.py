"""Turning a question into ranked passages: dense (FAISS), keyword (BM25) or both fused."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..config import DEFAULT_HYBRID_ALPHA
from ..domain import Hit, Question
from ..embedding.base import Embedder
from ..store.reader import Index
from ..text import SECTION_SEP, shared_words
from .forms import in_form
from .glossed import gloss_scores
from .intent import Plan
from .queries import QueryCache
from .scope import keep_rows, within_rows

# Hybrid = ALPHA * dense/max(dense) + (1 - ALPHA) * bm25/max(bm25) over the union of each
# method's top CANDIDATES. Chosen on the SciFact *train* split, never on test (BENCHMARKS.md):
# it beat reciprocal rank fusion there (nDCG@10 0.753 against 0.717).
ALPHA = DEFAULT_HYBRID_ALPHA
CANDIDATES = 100
# Passages this similar to a better-ranked one, and sharing at least SAME_WORDS of their words,
# are near-duplicates and are not shown twice. The words count because a passage's vector
# carries its heading path: two items of one list ("Be flexible and able to adjust plans",
# "Do not underestimate the power of meeting …") are 0.95 similar, though they say different
# things (0.31 without the headings).
DUPLICATE_COSINE = 0.95
SAME_WORDS = 0.5
# A long question's similarity to a passage: this share from its ask alone, the rest whole.
FOCUS_WEIGHT = 0.75


@dataclass(frozen=True)
class Retrieval:
    """Ranked hits plus the evidence used to decide whether anything is relevant at all."""

    hits: list[Hit]
    best_cosine: float | None  # best dense similarity in the index (None in bm25 mode)
    keyword_match: bool  # whether any passage shares a (stemmed, non-stop) word
    query: np.ndarray | None = None  # the question's embedding (None in bm25 mode)
    index: Index | None = None  # the index the hits come from (their vectors, sentences)
    plan: Plan = field(default_factory=Plan)  # what kind of answer the question wants
    headings: dict[str, float] = field(default_factory=dict)  # section → its similarity
    best_anywhere: float | None = None  # searching some rows: the best similarity in all
    parts: tuple[np.ndarray, ...] = ()  # the vectors of the parts of a question asking two things
    # The vectors of texts as the model reads them (passages without their headings).
    meaning: Callable[[Sequence[str]], np.ndarray] | None = None
    # The part of a question asking two kinds of thing that its plan does not answer ("which
    # webinar dealt with X, and what is the main lesson about Y?"), searched on its own.
    beside: Retrieval | None = None

    def heading_similarity(self, section: str) -> float | None:
        """How similar the question is to the heading of ``section`` (its last part): a
        question about a list as a whole ("New partnership: advice?") matches its heading
        ("For future generations of partnerships") better than any one item."""
        return self.headings.get(section)

    @property
    def unknown_terms(self) -> tuple[str, ...]:
        """Rare words of the question that no passage contains."""
        return self.plan.analysis.unknown_terms

    @property
    def named_terms(self) -> tuple[str, ...]:
        """Rare words of the question that passages do contain."""
        return self.plan.analysis.named_terms


class Retriever:
    def __init__(
        self,
        index: Index,
        embedder: Embedder,
        alpha: float = ALPHA,
        queries: QueryCache | None = None,
        dedupe: bool = False,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.alpha = alpha
        self.queries = queries or QueryCache()
        self.dedupe = dedupe  # drop passages nearly the same as a better-ranked one

    def search(self, plan: Plan, question: Question) -> Retrieval:
        """The ``question.k`` best passages for what ``plan`` searches, within the question's
        filters and the rows the plan is about (a webinar's passages, the dated ones);
        near-duplicates dropped when the retriever ``dedupe``s, chunks of documents the plan
        prefers first and chunks it demotes (already quoted) last."""
        k, mode = question.k or 10, question.mode or "hybrid"
        allowed = self._allowed(plan, question)
        n = self.index.size if allowed is None else int(allowed.sum())
        want = min(n, max(k, CANDIDATES) if self.dedupe or mode == "hybrid" else k)
        query, dense, best_anywhere, evidence = self._meaning(plan, mode, want, allowed)
        best_cosine = evidence if query is not None else None
        keyword = np.zeros(0, dtype=np.float32)
        if mode != "dense":
            # BM25 alone decides whether anything matches: series words count there.
            words = plan.keywords if mode != "bm25" and plan.keywords else plan.query
            keyword = self.index.lexical.scores(words)
            if allowed is not None:
                keyword = np.where(allowed, keyword, 0.0).astype(np.float32)
        keyword_match = bool(keyword.size and keyword.max() > 0)
        if mode == "dense":
            ranked = sorted(dense.items(), key=lambda p: -p[1])
        elif mode == "bm25":
            ranked = _top(keyword, want)
        else:
            ranked = self._fuse(plan, query, dense, keyword, want)
        ranked = self._answering(plan, ranked)
        reorder = plan.demote or plan.prefer
        if self.dedupe:  # with no reordering to follow, the first k survivors are all it takes
            ranked = self._dedupe(ranked, None if reorder else k)
        if reorder:
            self._group(ranked, plan.demote, plan.prefer)
        top = ranked[:k]
        chunks = self.index.chunks_at([r for r, _ in top])
        hits = [
            Hit(
                c,
                score,
                row,
                dense.get(row) if query is not None else None,
                float(keyword[row]) if keyword.size else None,
            )
            for (row, score), c in zip(top, chunks, strict=True)
        ]
        headings = self._headings(query, hits) if query is not None else {}
        return Retrieval(
            hits,
            best_cosine,
            keyword_match,
            query,
            self.index,
            plan,
            headings,
            best_anywhere,
            self._parts(plan) if query is not None else (),
            self._vectors if query is not None else None,
        )

    def _answering(self, plan: Plan, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """``ranked`` without the rows the plan cannot be answered from ("when …?": those
        with no date), those written in the form it asks for a little higher."""
        keep = keep_rows(plan, self.index)
        if keep is not None:
            ranked = [p for p in ranked if keep[p[0]]]
        if plan.form is not None:
            texts = [c.plain for c in self.index.chunks_at([r for r, _ in ranked])]
            ranked = in_form(ranked, texts, plan.form)
        return ranked

    def _embed(self, text: str) -> np.ndarray:
        return self.queries.get(self.embedder, text)

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        """The vectors of ``texts`` (cached with the questions: the notes' passages recur)."""
        return np.stack([self.queries.get(self.embedder, t) for t in texts])

    def _parts(self, plan: Plan) -> tuple[np.ndarray, ...]:
        """The vectors of the parts of a question asking two things (each embedded once)."""
        return tuple(self.queries.get(self.embedder, part) for part in plan.parts)

    def _headings(self, query: np.ndarray, hits: list[Hit]) -> dict[str, float]:
        """The question's similarity to the headings of the sections the hits are in (each
        heading embedded once, then cached with the questions)."""
        sections = {h.chunk.section for h in hits if h.chunk.section}
        return {
            s: float(self.queries.get(self.embedder, s.split(SECTION_SEP)[-1]) @ query)
            for s in sections
        }

    def _meaning(
        self, plan: Plan, mode: str, want: int, allowed: np.ndarray | None
    ) -> tuple[np.ndarray | None, dict[int, float], float | None, float]:
        """The question's vector, the dense similarity of the ``want`` best allowed rows, when
        rows are left out (filters, the plan's rows) the best similarity over all, and the
        best similarity that is the evidence for answering at all."""
        if mode == "bm25":
            return None, {}, None, 0.0
        query = self.queries.get(self.embedder, plan.query)
        dense = dict(self.index.dense_search(query, want, allowed))
        evidence: float | None = None
        if plan.focus:
            asked, mixed = self._focused(query, dense, plan, want, allowed)
            if plan.steers:
                query, dense = asked, mixed
            else:  # the whole question ranks; the ask still weighs whether to answer at all
                evidence = max(mixed.values(), default=0.0)
        else:
            gloss_scores(plan, self.index, dense, list(dense), query, self._embed)
        anywhere = None
        if allowed is not None:
            best = self.index.dense_search(query, 1)
            anywhere = best[0][1] if best else None
        if evidence is None:
            evidence = max(dense.values(), default=0.0)
        return query, dense, anywhere, evidence

    def _allowed(self, plan: Plan, question: Question) -> np.ndarray | None:
        """Rows within the question's filters and the rows the plan is about (a webinar's
        passages, say); ``None``: every row."""
        allowed = self.index.matching(question.filters)
        within = within_rows(plan, self.index)
        if within is not None:
            allowed = within if allowed is None else allowed & within
        return allowed

    def _focused(
        self,
        query: np.ndarray,
        dense: dict[int, float],
        plan: Plan,
        want: int,
        allowed: np.ndarray | None,
    ) -> tuple[np.ndarray, dict[int, float]]:
        """Similarities to a long question read both whole and as its ask alone (the
        situation told first can drown what is asked): their mean, over both's best rows.
        The query vector returned (for sentence choice) is the ask's."""
        asked = self.queries.get(self.embedder, plan.focus)
        alone = dict(self.index.dense_search(asked, want, allowed))
        rows = sorted(set(dense) | set(alone))
        for scores, vector in ((dense, query), (alone, asked)):
            missing = [r for r in rows if r not in scores]
            scores.update(zip(missing, self.index.dense_scores(missing, vector), strict=True))
            gloss_scores(plan, self.index, scores, rows, vector, self._embed)
        mixed = {r: FOCUS_WEIGHT * alone[r] + (1 - FOCUS_WEIGHT) * dense[r] for r in rows}
        return asked, mixed

    def _group(
        self, ranked: list[tuple[int, float]], demote: frozenset[str], prefer: frozenset[str]
    ) -> None:
        """Chunks of documents in ``prefer`` first, chunks whose id is in ``demote`` last,
        in place; stable, so the score order holds within each group."""
        rows = [r for r, _ in ranked]
        chunks = dict(zip(rows, self.index.chunks_at(rows), strict=True))
        ranked.sort(key=lambda p: (chunks[p[0]].id in demote, chunks[p[0]].document not in prefer))

    def _fuse(
        self,
        plan: Plan,
        query: np.ndarray | None,
        dense: dict[int, float],
        keyword: np.ndarray,
        want: int,
    ) -> list[tuple[int, float]]:
        lexical = dict(_top(keyword, want))
        rows = sorted(set(dense) | set(lexical))
        missing = [r for r in rows if r not in dense]
        if missing and query is not None:  # dense similarity of passages only BM25 found
            dense.update(zip(missing, self.index.dense_scores(missing, query), strict=True))
            gloss_scores(plan, self.index, dense, missing, query, self._embed)
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
        texts: dict[int, str] = {}

        def text(i: int) -> str:
            if i not in texts:
                texts[i] = self.index.chunks_at([ranked[i][0]])[0].plain
            return texts[i]

        # Matrix-vector products only: a matrix-matrix one wakes BLAS threads that then
        # spin, taking a core from concurrent requests.
        for i in range(len(ranked)):
            close = np.flatnonzero(vectors[kept] @ vectors[i] >= DUPLICATE_COSINE) if kept else ()
            if not any(shared_words(text(kept[j]), text(i)) >= SAME_WORDS for j in close):
                kept.append(i)
                if enough is not None and len(kept) >= enough:
                    break
        return [ranked[i] for i in kept]


def _top(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Rows with a positive score, best first, at most ``k``."""
    k = min(k, int(np.count_nonzero(scores > 0)))
    if k <= 0:
        return []
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(i), float(scores[i])) for i in top]
