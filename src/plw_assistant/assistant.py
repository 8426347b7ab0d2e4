"""The application core shared by the CLI and the web app: answer a ``Question`` from the
current index (picked up by ``LiveIndex`` when a new generation is built)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from .answer.extractive import NO_DETAIL, NO_DETAILS, compose
from .answer.filtered import better_elsewhere, outside_filters
from .answer.generated import LLM, fallback_notice, generate
from .answer.language import ask_in_english, foreign_language
from .appdata.database import AppDatabase
from .appdata.gaps import GapLog
from .config import Settings
from .domain import Answer, Filters, Question
from .embedding.base import Embedder
from .embedding.model import SentenceTransformerEmbedder
from .errors import LLMError, StorageError
from .planning import Reading, searched
from .search.analysis import Analyzer
from .search.followup import CHAIN
from .search.intent import standalone
from .search.names import Vocabulary
from .search.queries import QueryCache
from .search.retriever import Retrieval, Retriever
from .store.live import LiveIndex
from .store.reader import Index

log = logging.getLogger("plw_assistant")
# Whether to record a question the notes cannot answer: yes, no, or ask this (a quota).
Record = bool | Callable[[], bool]
WARM_UP = "How can clusters support their members with EU funding?"


class Assistant:
    """Answers questions from the current index, picking up a newly built generation by itself."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        database: AppDatabase | None = None,
    ) -> None:
        self.settings = settings
        self.database = database or AppDatabase.from_settings(settings)
        self.embedder = embedder or SentenceTransformerEmbedder.from_settings(settings)
        self.live = LiveIndex(settings.index_dir, self.embedder)
        self.llm = LLM.from_settings(settings)
        self._queries = QueryCache()
        self.gaps = GapLog.from_settings(settings, self.database)

    @property
    def index(self) -> Index:
        return self.live.get()

    def warm_up(self) -> None:
        """Load the index, the model and everything an answer touches (language
        identification, BM25, the word lists typos are corrected with, the composer) now
        rather than on the first question."""
        index = self.live.get()
        Analyzer.of(index, Vocabulary.of(index).abbreviations).targets()
        self.ask(Question(WARM_UP))  # not recorded

    def retrieve(self, question: Question) -> Retrieval:
        """Ranked passages without near-duplicates (what an answer is built from), with their
        index and the plan of the answer: the question read once (typos, the glossary), a
        follow-up read with the turn before it, a question about the webinars searching
        only their passages."""
        question = question.with_defaults(self.settings.top_k, self.settings.mode)
        index = self.live.get()
        vocabulary = Vocabulary.of(index)
        analyzer = Analyzer.of(index, vocabulary.abbreviations)
        analysis = analyzer.analyse(question.text, self.embedder.is_common_word)
        # The turns a follow-up is read with (``CHAIN``), as read then (typos corrected).
        earlier, recent = question.history[:-CHAIN], question.history[-CHAIN:]
        common = self.embedder.is_common_word
        recent = tuple(replace(t, question=_as_read(analyzer, t.question, common)) for t in recent)
        question = replace(question, history=(*earlier, *recent))
        retriever = Retriever(
            index, self.embedder, self.settings.hybrid_alpha, self._queries, dedupe=True
        )
        return searched(
            Reading(question, analysis, analyzer, index, self.embedder.is_common_word),
            retriever,
            self.settings.min_score,
        )

    def _resolved(self, retrieval: Retrieval, question: Question) -> str:
        """A follow-up as a question of its own (what its link asks), "" for any other."""
        if not question.history:
            return ""
        p = retrieval.plan
        vocabulary = Vocabulary.of(retrieval.index or self.live.get())
        return standalone(p, p.analysis.searched or question.text, vocabulary)

    def ask(self, question: Question, record: Record = False) -> Answer:
        """The answer: generated and checked when an LLM is configured, else quoted.
        ``record``: a question the notes cannot answer goes into the gap log (PLW_GAP_LOG);
        a function is asked first, when there is something to record (a client's quota)."""
        *_, answer = self.ask_stream(question, record)
        assert isinstance(answer, Answer)
        return answer

    def ask_stream(self, question: Question, record: Record = False) -> Iterator[str | Answer]:
        """Tokens of a generated answer as they arrive, then the final ``Answer``. Without an
        LLM, or when it fails, the final answer is the quoted one (with a notice)."""
        language = None if self.settings.reads_any_language else foreign_language(question.text)
        if language is not None:  # a question in another language is no gap in the notes
            reply = ask_in_english(language, question.text)
            yield Answer(question.text, reply, [], abstained=True, language=language)
            return
        retrieval = self.retrieve(question)
        resolved = self._resolved(retrieval, question)
        quoted = replace(self._quote(question, retrieval), resolved=resolved)
        if quoted.abstained or self.llm is None:
            if record and gap_outcome(quoted) is not None and (record is True or record()):
                self.record(retrieval.plan.asked or question.text, quoted)
            yield quoted
            return
        try:
            for part in generate(self.llm, question, retrieval, self.embedder):
                yield replace(part, resolved=resolved) if isinstance(part, Answer) else part
        except LLMError as exc:
            yield replace(quoted, notice=fallback_notice(exc))

    def _quote(self, question: Question, retrieval: Retrieval) -> Answer:
        """The quoted answer; with filters, the same question is also searched without them,
        and when they leave out what answers it, the answer says so and where it is."""
        quoted = compose(question, retrieval, self.settings.min_score)
        if question.filters.empty:
            return quoted
        whole = replace(question, filters=Filters())
        everywhere = self.retrieve(whole)
        unfiltered = compose(whole, everywhere, self.settings.min_score)
        lead = better_elsewhere(question, retrieval, quoted, everywhere, unfiltered)
        return quoted if lead is None else outside_filters(quoted, lead)

    def record(self, text: str, answer: Answer) -> None:
        """Put a question the notes could not answer in the gap log (a follow-up as it was
        searched, so it can be asked again on its own); a log that cannot be written costs
        the asker nothing (the server log says why)."""
        outcome = gap_outcome(answer)
        if self.gaps is None or outcome is None:
            return
        cited = [c.chunk_id for c in answer.citations if c.cited]
        try:
            self.gaps.add(outcome, text, cited)
        except StorageError as exc:
            log.warning("%s", exc)

    def record_no(
        self, question: str, chunk_ids: Sequence[str], comment: str, vote: int | None = None
    ) -> None:
        """Put an answer someone marked "No" in the gap log, with their comment (``vote``:
        the feedback row, whose comment may come on the next page)."""
        if self.gaps is None or not question.strip():
            return
        try:
            self.gaps.add("no", question, chunk_ids, comment, vote)
        except StorageError as exc:
            log.warning("%s", exc)

    def revise_no(
        self, vote: int, rating: str, question: str, chunk_ids: Sequence[str], comment: str
    ) -> None:
        """The gap log after a vote was changed: a "No" is in it (with its latest comment), a
        "Yes" is not."""
        if self.gaps is None:
            return
        try:
            if rating != "down":
                self.gaps.withdraw_vote(vote, question)
            elif not self.gaps.recomment_vote(vote, question, comment):
                self.gaps.add("no", question, chunk_ids, comment, vote)
        except StorageError as exc:
            log.warning("%s", exc)

    def comment_no(self, vote: int, question: str, comment: str) -> None:
        if self.gaps is None:
            return
        try:
            self.gaps.comment_vote(vote, question, comment)
        except StorageError as exc:
            log.warning("%s", exc)


def gap_outcome(answer: Answer) -> str | None:
    """``abstained``, ``topic_only`` (all the notes hold is a topic's name, or they lack the fact
    asked for) or ``None``."""
    if answer.language is not None or answer.elsewhere is not None:
        return None  # another language, or answered by notes the filters left out
    if answer.abstained:
        return "abstained"
    if NO_DETAIL in answer.answer or NO_DETAILS in answer.answer or answer.missing:
        return "topic_only"
    return None


@functools.lru_cache(maxsize=1024)
def _as_read(analyzer: Analyzer, text: str, common: Callable[[str], bool]) -> str:
    """An earlier question as it was read (typos corrected): each turn of a conversation is
    read again with every follow-up after it, so once is enough."""
    return analyzer.analyse(text, common).searched
