"""The application core shared by the CLI and the web app: answer a ``Question`` from the
current index (picked up by ``LiveIndex`` when a new generation is built)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace

from .answer.extractive import compose
from .answer.generated import LLM, fallback_notice, generate
from .config import Settings
from .domain import Answer, Question
from .embedding.base import Embedder
from .embedding.model import SentenceTransformerEmbedder
from .errors import LLMError
from .search.followup import resolve_follow_up
from .search.retriever import QueryCache, Retrieval, Retriever
from .store.live import LiveIndex
from .store.reader import Index

log = logging.getLogger("plw_assistant")


class Assistant:
    """Answers questions from the current index, picking up a newly built generation by itself."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or SentenceTransformerEmbedder.from_settings(settings)
        self.live = LiveIndex(settings.index_dir, self.embedder)
        self.llm = LLM.from_settings(settings)
        self._queries = QueryCache()

    @property
    def index(self) -> Index:
        return self.live.get()

    def warm_up(self) -> None:
        """Load the index and the model now rather than on the first question."""
        self.live.get()
        self.embedder.encode_queries(["warm up"])

    def retrieve(self, question: Question) -> Retrieval:
        """Ranked passages without near-duplicates (what an answer is built from), with their
        index and what the previous answer already said; a follow-up question is searched
        together with the turn before it."""
        question = question.with_defaults(self.settings.top_k, self.settings.mode)
        retriever = Retriever(
            self.live.get(), self.embedder, self.settings.hybrid_alpha, self._queries
        )
        r = resolve_follow_up(question.text, question.history)
        assert question.k is not None and question.mode is not None
        retrieval = retriever.search(
            r.query,
            question.k,
            question.mode,
            dedupe=True,
            demote=r.demote,
            prefer=r.prefer,
            filters=question.filters,
        )
        return replace(retrieval, said=r.said)

    def ask(self, question: Question) -> Answer:
        """The answer: generated and checked when an LLM is configured, else quoted."""
        *_, answer = self.ask_stream(question)
        assert isinstance(answer, Answer)
        return answer

    def ask_stream(self, question: Question) -> Iterator[str | Answer]:
        """Tokens of a generated answer as they arrive, then the final ``Answer``. Without an
        LLM, or when it fails, the final answer is the quoted one (with a notice)."""
        retrieval = self.retrieve(question)
        quoted = compose(question, retrieval, self.settings.min_score)
        if quoted.abstained or self.llm is None:
            yield quoted
            return
        try:
            yield from generate(self.llm, question, retrieval, self.embedder)
        except LLMError as exc:
            yield replace(quoted, notice=fallback_notice(exc))
