"""Writing a generation: the incremental build (only new and changed passages embedded),
serialised by a file lock, published by one atomic switch of ``CURRENT``."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace
from pathlib import Path

import faiss
import numpy as np

from ..domain import Chunk, Document
from ..embedding.base import Embedder, Progress
from ..text import plain_text, sentence_spans
from .generations import publish
from .lexical import BM25
from .manifest import Manifest, file_sums
from .reader import Index
from .tables import write_tables
from .vectors import Sentences, vector_index

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
    ) -> None:
        self.embedder = embedder
        self.batch_size = batch_size
        self.progress = progress
        self.ann = ann
        self.previous = previous
        self.embedded = 0  # texts (passages and sentences) embedded by the last build

    def build(
        self,
        documents: Sequence[Document],
        chunks: Sequence[Chunk],
        corpus_fingerprint: str,
        *,
        failed: Sequence[dict[str, str]] = (),
        chunker: dict[str, int] | None = None,
    ) -> Index:
        """Embed every new chunk and every sentence of a new multi-sentence chunk (each with
        its heading path) into inner-product indexes, and index the chunks for BM25."""
        previous = self.previous
        known = (
            {f"{c.context}\0{c.text}": row for row, c in enumerate(previous.chunks)}
            if previous
            else {}
        )
        reuse = [known.get(f"{c.context}\0{c.text}") for c in chunks]
        spans = [
            sentence_spans(c.text)
            if row is None or previous is None
            else previous.sentences.spans_of(row)
            for c, row in zip(chunks, reuse, strict=True)
        ]
        fresh = [i for i, row in enumerate(reuse) if row is None]
        texts = _texts(chunks, spans, fresh)
        dim = previous.vectors.d if previous is not None and not texts else self.embedder.dimension
        embedded = np.zeros((0, dim), np.float32)
        if texts:
            progress = self.progress(len(texts)) if self.progress else None
            embedded = self.embedder.encode(texts, batch_size=self.batch_size, progress=progress)
        self.embedded = len(texts)
        chunk_vecs, extra = self._vectors(reuse, spans, embedded, len(fresh), dim)
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
        )
        lexical = BM25.build([c.embedding_text for c in chunks])
        vectors = vector_index(chunk_vecs, self.ann)
        return Index(vectors, sentences, lexical, list(chunks), list(documents), manifest)

    def _vectors(
        self,
        reuse: list[int | None],
        spans: list[list[tuple[int, int]]],
        embedded: np.ndarray,
        fresh: int,
        dim: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Chunk vectors and sentence vectors in row order, new or taken from ``previous``."""
        previous = self.previous
        old_chunks = old_sentences = np.zeros((0, dim), np.float32)
        if previous is not None and fresh < len(reuse):  # one bulk read, not per row
            old_chunks = previous.vectors_of(range(previous.size))
            old_sentences = previous.sentences.stored()
        chunk_vecs = np.zeros((len(reuse), dim), np.float32)
        extra: list[np.ndarray] = []
        new_sentences = 0
        new_chunks = iter(embedded[:fresh])
        tail = embedded[fresh:]
        for i, row in enumerate(reuse):
            multi = len(spans[i]) > 1
            if row is None:
                chunk_vecs[i] = next(new_chunks)
                if multi:
                    extra.append(tail[new_sentences : new_sentences + len(spans[i])])
                    new_sentences += len(spans[i])
            else:
                assert previous is not None
                chunk_vecs[i] = old_chunks[row]
                if multi:
                    first = int(previous.sentences.slots[previous.sentences.offsets[row]])
                    extra.append(old_sentences[first : first + len(spans[i])])
        extra_arr = np.concatenate(extra) if extra else np.zeros((0, dim), np.float32)
        return chunk_vecs, extra_arr


def _texts(
    chunks: Sequence[Chunk], spans: Sequence[list[tuple[int, int]]], fresh: Sequence[int]
) -> list[str]:
    """What gets embedded for the ``fresh`` chunks: each passage, then the sentences of each
    multi-sentence passage (with the heading path for context)."""
    return [chunks[i].embedding_text for i in fresh] + [
        f"{chunks[i].context}: {plain_text(chunks[i].text[s:e])}"
        for i in fresh
        if len(spans[i]) > 1
        for s, e in spans[i]
    ]


def embedding_texts(chunks: Sequence[Chunk]) -> list[str]:
    """Every text a build from nothing embeds for ``chunks`` (what benchmarks compare with)."""
    return _texts(chunks, [sentence_spans(c.text) for c in chunks], range(len(chunks)))


def write_generation(index: Index, index_dir: Path) -> Path:
    """Write ``index`` as a new generation and make it current in one atomic rename."""

    def write(folder: Path) -> None:
        faiss.write_index(index.vectors, str(folder / "vectors.faiss"))
        index.lexical.save(folder / "bm25")
        index.sentences.save(folder)
        write_tables(folder / "chunks.sqlite", index.chunks, list(index.documents.values()))
        index.manifest = replace(index.manifest, files=file_sums(folder))
        (folder / "manifest.json").write_text(json.dumps(asdict(index.manifest), indent=2))

    index.path = publish(index_dir, write)
    return index.path
