"""The application core shared by the CLI and the web app: build the index, answer questions."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .answer import Answer, clean_question, compose
from .cache import CachedEmbedder
from .config import Settings
from .corpus import Skipped, load_corpus
from .embed import Embedder, SentenceTransformerEmbedder
from .errors import CorpusError, IndexMismatchError, IndexNotBuiltError
from .followup import Turn, resolve_follow_up
from .generate import LLM, LLMError, fallback_notice, generate
from .index import Index, check_model, current_generation, read_manifest
from .retrieve import Mode, Retrieval, Retriever

ProgressFactory = Callable[[int], Callable[[int], None]]


@dataclass
class BuildReport:
    documents: int
    chunks: int
    seconds: float
    path: Path
    skipped: list[Skipped] = field(default_factory=list)


def build_index(
    settings: Settings, embedder: Embedder, progress: ProgressFactory | None = None
) -> BuildReport:
    """Read the corpus, embed every chunk and switch the index folder to the new generation."""
    started = time.perf_counter()
    corpus, chunks = load_corpus(settings.corpus_dir, settings.chunk_max_chars)
    if not chunks:
        reasons = "".join(f"\n  {s.path}: {s.reason}" for s in corpus.skipped)
        raise CorpusError(
            f"No notes to index in {settings.corpus_dir}: add Markdown or text files "
            f"(see corpus/README.md).{reasons}"
        )
    index = Index.build(
        corpus.documents,
        chunks,
        CachedEmbedder(embedder, settings.cache_dir),
        corpus.fingerprint,
        batch_size=settings.batch_size,
        progress=progress,
        skipped=[{"path": s.path, "reason": s.reason} for s in corpus.skipped],
    )
    path = index.save(settings.index_dir)
    return BuildReport(
        len(corpus.documents), len(chunks), time.perf_counter() - started, path, corpus.skipped
    )


def stale_reason(settings: Settings, embedder: Embedder) -> str | None:
    """Why the index must be (re)built, or ``None`` when it matches corpus and model."""
    try:
        manifest = read_manifest(settings.index_dir)
        check_model(manifest, embedder, settings.index_dir)
    except IndexNotBuiltError:
        return "there is no index yet"
    except IndexMismatchError:
        return "the index was built with another model or version"
    corpus, _ = load_corpus(settings.corpus_dir, settings.chunk_max_chars)
    if corpus.fingerprint != manifest.corpus_fingerprint:
        return "the notes changed since the index was built"
    return None


class Assistant:
    """Answers questions from the current index, picking up a newly built generation by itself."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder or SentenceTransformerEmbedder(settings.model)
        self._retriever: Retriever | None = None
        self.llm = LLM.from_settings(settings)
        self._lock = threading.Lock()

    @property
    def index(self) -> Index:
        return self._current().index

    def _current(self) -> Retriever:
        gen = current_generation(self.settings.index_dir)
        retriever = self._retriever
        if retriever is not None and gen is not None and retriever.index.path == gen:
            return retriever
        with self._lock:
            if self._retriever is None or self._retriever.index.path != gen:
                index = Index.load(self.settings.index_dir, self.embedder)
                self._retriever = Retriever(index, self.embedder, self.settings.hybrid_alpha)
            return self._retriever

    def warm_up(self) -> None:
        """Load the index and the model now rather than on the first question."""
        self._current()
        self.embedder.encode(["warm up"])

    def retrieve(
        self,
        question: str,
        k: int | None = None,
        mode: Mode | None = None,
        history: Sequence[Turn] = (),
    ) -> tuple[Retrieval, Index, str]:
        """Ranked passages without near-duplicates (what an answer is built from), their index
        and what the previous answer already said; a follow-up question is searched together
        with the turn before it."""
        retriever = self._current()
        r = resolve_follow_up(question, history)
        retrieval = retriever.search(
            r.query, k or self.settings.top_k, mode or self.settings.mode, True, r.demote, r.prefer
        )
        return retrieval, retriever.index, r.said

    def ask(
        self,
        question: str,
        k: int | None = None,
        mode: Mode | None = None,
        history: Sequence[Turn] = (),
    ) -> Answer:
        """The answer: generated and checked when an LLM is configured, else quoted."""
        *_, answer = self.ask_stream(question, k, mode, history)
        assert isinstance(answer, Answer)
        return answer

    def ask_stream(
        self,
        question: str,
        k: int | None = None,
        mode: Mode | None = None,
        history: Sequence[Turn] = (),
    ) -> Iterator[str | Answer]:
        """Tokens of a generated answer as they arrive, then the final ``Answer``. Without an
        LLM, or when it fails, the final answer is the quoted one (with a notice)."""
        question = clean_question(question)
        retrieval, index, said = self.retrieve(question, k, mode, history)
        quoted = compose(question, retrieval, self.settings.min_score, index, said)
        if quoted.abstained or self.llm is None:
            yield quoted
            return
        try:
            yield from generate(self.llm, question, retrieval, index, self.embedder)
        except LLMError as exc:
            yield replace(quoted, notice=fallback_notice(exc))
