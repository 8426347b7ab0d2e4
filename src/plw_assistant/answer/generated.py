"""Optional generated answers: an OpenAI-compatible server writes from the retrieved passages,
then every sentence is checked against the passage it cites with the local model."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..config import Settings
from ..domain import MARKER, Answer, Citation, Question
from ..embedding.base import Embedder
from ..errors import LLMError
from ..search.retriever import Retrieval
from ..store.reader import Index
from ..words import tokenize

SYSTEM = (
    "You answer questions for cluster managers using ONLY the numbered passages from the "
    "lessons learnt of the BLUES Peer Learning Webinars. Write at most five short sentences. "
    "End every sentence with the marker of the passage that supports it, like [1] or [2][3]. "
    "Do not state anything the passages do not say. If they do not answer the question, say "
    "so in one sentence."
)
# A generated sentence is supported by a passage when one of the passage's sentences is this
# similar to it, or when this share of its words (stemmed, stop words removed) is in the passage.
SUPPORT_COSINE = 0.6
SUPPORT_OVERLAP = 0.6
_MARKER_SPACED = re.compile(r"\s*\[\d{1,3}\]")
_SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+(?:\s*\[\d{1,3}\])*|$)")


@dataclass(frozen=True)
class LLM:
    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> LLM | None:
        if not (settings.llm_base_url and settings.llm_model):
            return None
        return cls(
            settings.llm_base_url.rstrip("/"),
            settings.llm_model,
            settings.llm_api_key,
            settings.llm_timeout,
        )

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """Yield the completion's text as it arrives (server-sent events, ``stream: true``)."""
        import httpx

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        deadline = time.monotonic() + self.timeout  # for the whole answer, not each read
        body = {"model": self.model, "messages": messages, "stream": True, "temperature": 0}
        try:
            with httpx.stream(
                "POST",
                f"{self.base_url}/chat/completions",
                json=body,
                headers=headers,
                timeout=self.timeout,
            ) as response:
                if response.status_code != 200:
                    raise LLMError(f"the LLM server answered HTTP {response.status_code}")
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    delta = json.loads(data)["choices"][0].get("delta", {}).get("content")
                    if delta:
                        yield delta
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("the answer took too long")
        except httpx.TimeoutException:
            raise LLMError(f"the LLM server did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise LLMError(
                f"the LLM server could not be reached ({exc.__class__.__name__})"
            ) from None
        except (ValueError, KeyError, IndexError, TypeError):
            raise LLMError("the LLM server sent a response that is not OpenAI-compatible") from None


def messages_for(question: str, retrieval: Retrieval) -> list[dict[str, str]]:
    passages = "\n\n".join(
        f"[{n}] {h.chunk.context}\n{h.chunk.plain}" for n, h in enumerate(retrieval.hits, start=1)
    )
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"Passages:\n\n{passages}\n\nQuestion: {question}"},
    ]


def verify(
    question: str, text: str, retrieval: Retrieval, index: Index, embedder: Embedder
) -> Answer:
    """Keep each generated sentence's citations only where the cited passage supports it;
    drop markers that point at no passage; flag sentences left without support."""
    hits = retrieval.hits
    sentences = [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip()]
    bare = [" ".join(_MARKER_SPACED.sub("", s).split()) for s in sentences]
    vectors = embedder.encode_queries(bare) if bare else np.zeros((0, 1), np.float32)
    spans: dict[int, set[tuple[int, int]]] = {}
    parts: list[str] = []
    flagged: list[str] = []
    for sentence, plain, vec in zip(sentences, bare, vectors, strict=True):
        if not plain:
            continue
        kept: list[int] = []
        for n in dict.fromkeys(int(x) for x in MARKER.findall(sentence)):
            if not 1 <= n <= len(hits):
                continue  # points at no passage
            best = _support(plain, vec, hits[n - 1].row, index)
            if best is not None:
                kept.append(n)
                spans.setdefault(n, set()).add(best)
        if not kept:
            flagged.append(plain)
        parts.append(plain + "".join(f" [{n}]" for n in kept))
    citations = [
        Citation.of(n, h, sorted(spans.get(n, ())), cited=n in spans)
        for n, h in enumerate(hits, start=1)
    ]
    return Answer(question, " ".join(parts), citations, generated=True, flagged=flagged)


def _support(plain: str, vec: np.ndarray, row: int, index: Index) -> tuple[int, int] | None:
    """The span of the passage sentence that supports ``plain``, or ``None``."""
    spans = index.sentences.spans_of(row)
    sims = index.sentence_vectors(row) @ vec
    best = int(np.argmax(sims))
    if float(sims[best]) >= SUPPORT_COSINE:
        return spans[best]
    words = set(tokenize([plain])[0])
    text = index.chunks[row].text
    overlaps = [len(words & set(tokenize([text[s:e]])[0])) / max(len(words), 1) for s, e in spans]
    best = int(np.argmax(overlaps))
    return spans[best] if overlaps[best] >= SUPPORT_OVERLAP else None


def fallback_notice(exc: LLMError) -> str:
    return f"Showing the quoted answer: {exc}."


def generate(
    llm: LLM, question: Question, retrieval: Retrieval, embedder: Embedder
) -> Iterator[str | Answer]:
    """Stream tokens, then yield the verified ``Answer`` last."""
    assert retrieval.index is not None
    chunks: list[str] = []
    for token in llm.stream(messages_for(question.text, retrieval)):
        chunks.append(token)
        yield token
    yield verify(question.text, "".join(chunks), retrieval, retrieval.index, embedder)
