"""The application core shared by the CLI and the web app: build the index, answer questions."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from .answer import Answer, clean_question, compose
from .config import Settings
from .embed import Embedder, SentenceTransformerEmbedder
from .errors import PLWError
from .followup import Turn, resolve_follow_up
from .generate import LLM, LLMError, fallback_notice, generate
from .index import CURRENT, Filters, Index, current_generation
from .retrieve import Mode, Retrieval, Retriever

log = logging.getLogger("plw_assistant")


class Assistant:
    """Answers questions from the current index, picking up a newly built generation by itself."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or SentenceTransformerEmbedder.from_settings(settings)
        self._retriever: Retriever | None = None
        self._failed: Path | None = None  # a generation that would not load
        self.llm = LLM.from_settings(settings)
        self._lock = threading.Lock()
        self._pointer: tuple[int, int, int] | None = None  # CURRENT file last seen

    @property
    def index(self) -> Index:
        return self._current().index

    def _current(self) -> Retriever:
        retriever = self._retriever
        try:  # a new generation replaces the pointer file: a new inode and mtime
            st = os.stat(self.settings.index_dir / CURRENT)
            pointer: tuple[int, int, int] | None = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            pointer = None
        if retriever is not None and pointer is not None and pointer == self._pointer:
            return retriever
        self._pointer = pointer
        gen = current_generation(self.settings.index_dir)
        if retriever is not None and (gen is None or gen in (retriever.index.path, self._failed)):
            return retriever  # the folder vanished or nothing new: keep what is in memory
        with self._lock:
            if self._retriever is None or self._retriever.index.path != gen:
                try:
                    index = Index.load(self.settings.index_dir, self.embedder)
                except PLWError as exc:
                    if self._retriever is None:
                        raise
                    # A damaged new generation: keep answering from the last good one.
                    log.error("Keeping the index in memory: %s", exc)
                    self._failed = gen
                    return self._retriever
                self._retriever = Retriever(index, self.embedder, self.settings.hybrid_alpha)
            return self._retriever

    def loaded(self) -> Index | None:
        """The index in memory, if any (a build may reuse it instead of reading it again)."""
        return self._retriever.index if self._retriever is not None else None

    def use(self, index: Index) -> None:
        """Serve ``index`` (just built and saved by this process) without reading it back."""
        with self._lock:
            self._retriever = Retriever(index, self.embedder, self.settings.hybrid_alpha)

    def warm_up(self) -> None:
        """Load the index and the model now rather than on the first question."""
        self._current()
        self.embedder.encode_queries(["warm up"])

    def retrieve(
        self,
        question: str,
        k: int | None = None,
        mode: Mode | None = None,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
    ) -> tuple[Retrieval, Index, str]:
        """Ranked passages without near-duplicates (what an answer is built from), their index
        and what the previous answer already said; a follow-up question is searched together
        with the turn before it."""
        retriever = self._current()
        r = resolve_follow_up(question, history)
        retrieval = retriever.search(
            r.query,
            k or self.settings.top_k,
            mode or self.settings.mode,
            True,
            r.demote,
            r.prefer,
            filters,
        )
        return retrieval, retriever.index, r.said

    def ask(
        self,
        question: str,
        k: int | None = None,
        mode: Mode | None = None,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
    ) -> Answer:
        """The answer: generated and checked when an LLM is configured, else quoted."""
        *_, answer = self.ask_stream(question, k, mode, history, filters)
        assert isinstance(answer, Answer)
        return answer

    def ask_stream(
        self,
        question: str,
        k: int | None = None,
        mode: Mode | None = None,
        history: Sequence[Turn] = (),
        filters: Filters | None = None,
    ) -> Iterator[str | Answer]:
        """Tokens of a generated answer as they arrive, then the final ``Answer``. Without an
        LLM, or when it fails, the final answer is the quoted one (with a notice)."""
        question = clean_question(question)
        retrieval, index, said = self.retrieve(question, k, mode, history, filters)
        quoted = compose(question, retrieval, self.settings.min_score, index, said)
        if quoted.abstained or self.llm is None:
            yield quoted
            return
        try:
            yield from generate(self.llm, question, retrieval, index, self.embedder)
        except LLMError as exc:
            yield replace(quoted, notice=fallback_notice(exc))
