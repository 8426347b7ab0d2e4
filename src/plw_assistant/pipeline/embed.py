"""The index a build makes in memory: passages the previous index already holds with the
same text and heading path keep their vectors, only the others are embedded (each passage
read once, its sentences' vectors pooled from that pass), and BM25 is built over them all."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from ..config import SentenceVectors
from ..domain import Chunk, Document, Glossary
from ..embedding.base import Embedder, LateText, Progress
from ..store.lexical import BM25
from ..store.manifest import Manifest
from ..store.reader import Index
from ..store.vectors import Sentences, vector_index
from ..text import plain_text, sentence_spans

ProgressFactory = Callable[[int], Progress]


class IndexWriter:
    """Builds an ``Index`` from chunks: passages ``previous`` (same model) already holds with
    the same text and heading path keep their vectors; the rest are embedded."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        batch_size: int = 32,
        progress: ProgressFactory | None = None,
        ann: str = "flat",
        previous: Index | None = None,
        previous_chunks: Sequence[Chunk] | None = None,
        sentence_vectors: SentenceVectors = "late",
    ) -> None:
        self.embedder = embedder
        self.batch_size = batch_size
        self.progress = progress
        self.ann = ann
        self.previous = previous
        # ``previous.chunks`` already decoded by the caller (else they are read from it)
        self.previous_chunks = previous_chunks
        self.method = sentence_vectors
        self.embedded = 0  # texts the model read in the last build (passages [and sentences])
        self.windows = 0  # extra windows read for passages longer than the model's window
        self.long = 0  # passages longer than the model's window
        # what the vectors kept from ``previous`` were embedded in, until new ones are made
        self.precision = previous.manifest.precision if previous is not None else "fp32"

    def build(
        self,
        documents: Sequence[Document],
        chunks: Sequence[Chunk],
        corpus_fingerprint: str,
        *,
        failed: Sequence[dict[str, str]] = (),
        chunker: dict[str, int | str] | None = None,
        glossary: Glossary | None = None,
        glossary_problems: Sequence[str] = (),
    ) -> Index:
        """Embed every new chunk and the sentences of every new multi-sentence chunk (each in
        its passage's context) into inner-product indexes, and index the chunks for BM25;
        the glossary is kept with them (it changes no vector)."""
        previous = self.previous
        before = previous.chunks if previous and self.previous_chunks is None else ()
        known = {
            f"{c.context}\0{c.text}": row for row, c in enumerate(self.previous_chunks or before)
        }
        reuse = [known.get(f"{c.context}\0{c.text}") for c in chunks]
        spans = [
            sentence_spans(c.text)
            if row is None or previous is None
            else previous.sentences.spans_of(row)
            for c, row in zip(chunks, reuse, strict=True)
        ]
        fresh = [i for i, row in enumerate(reuse) if row is None]
        # the previous index's, when there is one: same weights (else it is not reused)
        dim = previous.vectors.d if previous is not None else self.embedder.dimension
        new_chunks, new_sentences = self._embed(chunks, spans, fresh, dim)
        chunk_vecs, extra = self._vectors(reuse, spans, new_chunks, new_sentences, dim)
        sentences = Sentences.assemble(spans, extra, self.ann)
        manifest = Manifest(
            model=self.embedder.name,
            weights_sha256=self.embedder.weights_sha256(),
            dimension=dim,
            corpus_fingerprint=corpus_fingerprint,
            chunks=len(chunks),
            documents=len(documents),
            built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            sentences=sentences.size,
            ann=self.ann,
            chunker=dict(chunker or {}),
            failed=list(failed),
            sentence_vectors=self.method,
            precision=self.precision,
            glossary_problems=list(glossary_problems),
        )
        lexical = BM25.build([c.embedding_text for c in chunks])
        vectors = vector_index(chunk_vecs, self.ann)
        return Index(
            vectors, sentences, lexical, list(chunks), list(documents), manifest, glossary=glossary
        )

    def _embed(
        self,
        chunks: Sequence[Chunk],
        spans: Sequence[list[tuple[int, int]]],
        fresh: Sequence[int],
        dim: int,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Vectors of the ``fresh`` chunks and of each one's sentences (none if it has one)."""
        if not fresh:
            return np.zeros((0, dim), np.float32), []
        progress = self.progress(len(fresh)) if self.progress else None
        if self.method == "late":
            items = [late_text(chunks[i], spans[i]) for i in fresh]
            out = self.embedder.encode_late(items, self.batch_size, progress)
            self.embedded, self.windows, self.long = out.texts, out.windows, out.long
            self.precision = out.precision if out.precision != "cached" else self.precision
            return out.passages, out.sentences
        texts = _texts(chunks, spans, fresh)
        if self.progress:
            progress = self.progress(len(texts))
        embedded = self.embedder.encode(texts, batch_size=self.batch_size, progress=progress)
        self.embedded = len(texts)
        tail, lo, per_chunk = embedded[len(fresh) :], 0, []
        for i in fresh:
            k = len(spans[i]) if len(spans[i]) > 1 else 0
            per_chunk.append(tail[lo : lo + k])
            lo += k
        return embedded[: len(fresh)], per_chunk

    def _vectors(
        self,
        reuse: list[int | None],
        spans: list[list[tuple[int, int]]],
        new_chunks: np.ndarray,
        new_sentences: list[np.ndarray],
        dim: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Chunk vectors and sentence vectors in row order, new or taken from ``previous``."""
        previous = self.previous
        old_chunks = old_sentences = np.zeros((0, dim), np.float32)
        if previous is not None and len(new_chunks) < len(reuse):  # one bulk read, not per row
            old_chunks = previous.vectors_of(range(previous.size))
            old_sentences = previous.sentences.stored()
        chunk_vecs = np.zeros((len(reuse), dim), np.float32)
        extra: list[np.ndarray] = []
        fresh = 0
        for i, row in enumerate(reuse):
            multi = len(spans[i]) > 1
            if row is None:
                chunk_vecs[i] = new_chunks[fresh]
                if multi:
                    extra.append(new_sentences[fresh])
                fresh += 1
            else:
                assert previous is not None
                chunk_vecs[i] = old_chunks[row]
                if multi:
                    first = int(previous.sentences.slots[previous.sentences.offsets[row]])
                    extra.append(old_sentences[first : first + len(spans[i])])
        extra_arr = np.concatenate(extra) if extra else np.zeros((0, dim), np.float32)
        return chunk_vecs, extra_arr


def late_text(chunk: Chunk, spans: Sequence[tuple[int, int]]) -> LateText:
    """What one pass reads for ``chunk``: its heading path and its sentences, each sentence's
    place in that text kept (a one-sentence chunk: its passage text, no sentences)."""
    if len(spans) <= 1:
        return LateText(chunk.embedding_text)
    text = f"{chunk.context}: "
    places = []
    for s, e in spans:
        piece = plain_text(chunk.text[s:e])
        places.append((len(text), len(text) + len(piece)))
        text += piece + " "
    return LateText(text.rstrip(), tuple(places))


def _texts(
    chunks: Sequence[Chunk], spans: Sequence[list[tuple[int, int]]], fresh: Sequence[int]
) -> list[str]:
    """What the separate method embeds for the ``fresh`` chunks: each passage, then the
    sentences of each multi-sentence passage (with the heading path for context)."""
    return [chunks[i].embedding_text for i in fresh] + [
        f"{chunks[i].context}: {plain_text(chunks[i].text[s:e])}"
        for i in fresh
        if len(spans[i]) > 1
        for s, e in spans[i]
    ]


def embedding_texts(chunks: Sequence[Chunk], method: SentenceVectors = "late") -> list[str]:
    """Every text a build from nothing reads for ``chunks`` (what benchmarks compare with)."""
    spans = [sentence_spans(c.text) for c in chunks]
    if method == "late":
        return [late_text(c, sp).text for c, sp in zip(chunks, spans, strict=True)]
    return _texts(chunks, spans, range(len(chunks)))
