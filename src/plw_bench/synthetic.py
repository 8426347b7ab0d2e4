"""Synthetic indexes of any size for benchmarks: real SciFact texts and real embeddings of
them, tiled and perturbed up to the size asked for. Never part of a user's index."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from plw_assistant.domain import Chunk, Document
from plw_assistant.embedding.base import Embedder, LateText, LateVectors, Progress, late_by_parts
from plw_assistant.embedding.cache import CachedEmbedder
from plw_assistant.ingest.corpus import load_corpus
from plw_assistant.store.lexical import BM25
from plw_assistant.store.manifest import Manifest
from plw_assistant.store.reader import Index
from plw_assistant.store.vectors import Sentences, vector_index

# Per-dimension noise added to each copy: a copy keeps cosine ~0.7 to its original, so the
# copies are distinct points rather than exact duplicates that would make recall trivial.
NOISE = 0.05
TEXT_CHARS = 300


@dataclass
class SciFact:
    """Abstracts (title + text) and queries of a BEIR-format SciFact folder."""

    ids: list[str]
    titles: list[str]
    texts: list[str]
    queries: list[str]  # every query, in file order
    test_queries: list[str]  # those with test judgements

    @classmethod
    def read(cls, folder: Path) -> SciFact:
        def rows(name: str) -> list[str]:
            return (folder / name).read_text(encoding="utf-8").splitlines()

        docs = [json.loads(line) for line in rows("corpus.jsonl") if line.strip()]
        judged = {line.split("\t")[0] for line in rows("qrels/test.tsv")}
        queries = [json.loads(line) for line in rows("queries.jsonl") if line.strip()]
        return cls(
            [str(d["_id"]) for d in docs],
            [d.get("title", "") for d in docs],
            [d.get("text", "") for d in docs],
            [q["text"] for q in queries],
            [q["text"] for q in queries if q["_id"] in judged],
        )

    def embed(
        self, embedder: Embedder, cache_dir: Path, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Embeddings of every abstract, read from the embedding cache when known."""
        texts = [f"{t}: {x}" for t, x in zip(self.titles, self.texts, strict=True)]
        return CachedEmbedder(embedder, cache_dir).encode(texts, progress=progress)


def tiled(base: np.ndarray, size: int, seed: int = 0) -> np.ndarray:
    """``size`` unit vectors: ``base`` first, then perturbed copies of it."""
    rng = np.random.default_rng(seed)
    out = np.empty((size, base.shape[1]), dtype=np.float32)
    n = len(base)
    for lo in range(0, size, n):
        part = out[lo : lo + n]
        part[:] = base[: len(part)]
        if lo:
            part += rng.normal(0, NOISE, part.shape).astype(np.float32)
            part /= np.linalg.norm(part, axis=1, keepdims=True)
    return out


def _opening(title: str, text: str) -> str:
    """The title and the first sentences of an abstract, about ``TEXT_CHARS`` long."""
    body = " ".join(text.split())
    cut = body[:TEXT_CHARS]
    end = max((m.end() for m in re.finditer(r"[.!?](?=\s)", cut)), default=0)
    return f"{title}. {cut[:end] if end > 80 else cut}".strip()


def build(
    data: SciFact,
    base: np.ndarray,
    size: int,
    ann: str,
    model: str,
    weights_sha256: str,
    corpus_dir: Path,
) -> tuple[Index, np.ndarray]:
    """An index of ``size`` one-sentence chunks and its vectors (for exact comparisons).

    Chunk ``i`` is the opening of abstract ``i % n`` and its vector a perturbed embedding of
    that abstract, so keyword and vector search agree as they would on real notes. The
    manifest records the fingerprint of ``corpus_dir`` (an empty folder) so that `plw serve`
    pointed at it serves this index instead of rebuilding it.
    """
    n = len(base)
    openings = [_opening(t, x) for t, x in zip(data.titles, data.texts, strict=True)]
    documents = [
        Document(f"scifact-{d}", f"scifact/{d}.md", data.titles[i], openings[i], "")
        for i, d in enumerate(data.ids)
    ]
    chunks = []
    for i in range(size):
        j = i % n
        doc = documents[j]
        chunks.append(Chunk(f"c{i}", doc.id, doc.title, "", doc.text, 0, len(doc.text)))
    vectors = tiled(base, size)
    index = vector_index(vectors, ann)
    sentences = Sentences.assemble(
        [[(0, len(c.text))] for c in chunks], np.zeros((0, vectors.shape[1]), np.float32), ann
    )
    corpus, _ = load_corpus(corpus_dir)
    manifest = Manifest(
        model=model,
        weights_sha256=weights_sha256,
        dimension=int(vectors.shape[1]),
        corpus_fingerprint=corpus.fingerprint,
        chunks=size,
        documents=len(documents),
        sentences=size,
        ann=ann,
    )
    lexical = BM25.build([c.embedding_text for c in chunks])
    return Index(index, sentences, lexical, chunks, documents, manifest), vectors


class RandomVectors:
    """Stands in for the model while an index that no timing reads the vectors of is made:
    the real model's name and weights, random unit vectors."""

    dimension = 384

    def __init__(self, real: Embedder) -> None:
        self.name, self.real, self.rng = real.name, real, np.random.default_rng(0)

    def weights_sha256(self) -> str:
        return self.real.weights_sha256()

    def is_common_word(self, word: str) -> bool:
        return True

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts)

    def encode_late(
        self, items: Sequence[LateText], batch_size: int = 32, progress: Progress | None = None
    ) -> LateVectors:
        return late_by_parts(self, items, batch_size, progress)

    def encode(
        self, texts: Sequence[str], batch_size: int = 32, progress: Progress | None = None
    ) -> np.ndarray:
        v = self.rng.standard_normal((len(texts), self.dimension)).astype(np.float32)
        unit: np.ndarray = v / np.linalg.norm(v, axis=1, keepdims=True)
        return unit
