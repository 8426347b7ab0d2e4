"""Per-sentence vectors of every chunk: finer matching, evidence for answers, highlights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

# HNSW graph: neighbours per node, and the search breadth (recall against flat is measured in
# BENCHMARKS.md, "Index type by size").
HNSW_M = 32
HNSW_EF_SEARCH = 128
HNSW_EF_SEARCH_LARGE = 512  # from 500,000 vectors on: recall 0.77 → 0.89 at 1M, 0.5 → 1.7 ms


def new_vector_index(dim: int, ann: str, size: int = 0) -> faiss.Index:
    """An empty inner-product index for ``size`` vectors: exact (``flat``) or approximate
    (``hnsw``)."""
    if ann == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = HNSW_EF_SEARCH_LARGE if size >= 500_000 else HNSW_EF_SEARCH
        return index
    return faiss.IndexFlatIP(dim)


@dataclass
class Sentences:
    """Every sentence of every chunk: its span in the chunk text and its embedding.

    Sentences of chunk ``r`` are rows ``offsets[r]:offsets[r + 1]``. Only sentences of chunks
    with two or more are stored in ``vectors`` (``slots`` gives each one's position, -1 for
    the others): a one-sentence chunk's sentence would embed the same text as the chunk, so
    it shares the chunk's vector instead of doubling memory and search work.
    """

    vectors: faiss.Index
    rows: np.ndarray  # chunk row of each sentence
    offsets: np.ndarray  # len(chunks) + 1
    spans: np.ndarray  # (sentences, 2) start/end within the chunk text
    slots: np.ndarray = field(init=False)  # position in ``vectors`` of each sentence, or -1
    owners: np.ndarray = field(init=False)  # chunk row of each stored vector

    def __post_init__(self) -> None:
        own = np.diff(self.offsets) > 1
        stored = own[self.rows] if self.rows.size else np.zeros(0, dtype=bool)
        self.slots = np.where(stored, np.cumsum(stored) - 1, -1)
        self.owners = self.rows[stored]

    @property
    def size(self) -> int:
        return int(self.rows.size)

    @property
    def chunks(self) -> int:
        return int(self.offsets.size - 1)

    def stored(self) -> np.ndarray:
        """Every stored vector, in slot order."""
        return np.asarray(self.vectors.reconstruct_n(0, int(self.vectors.ntotal)))

    def of(self, row: int, chunk_vector: np.ndarray) -> np.ndarray:
        """The vectors of chunk ``row``'s sentences (``chunk_vector`` for a single one)."""
        lo, hi = int(self.offsets[row]), int(self.offsets[row + 1])
        if hi - lo <= 1:
            return chunk_vector.reshape(1, -1)
        first = int(self.slots[lo])
        return np.asarray(self.vectors.reconstruct_n(first, hi - lo))

    def spans_of(self, row: int) -> list[tuple[int, int]]:
        lo, hi = self.offsets[row], self.offsets[row + 1]
        return [(int(s), int(e)) for s, e in self.spans[lo:hi]]

    @classmethod
    def assemble(
        cls, spans: Sequence[list[tuple[int, int]]], extra: np.ndarray, ann: str = "flat"
    ) -> Sentences:
        """``extra`` holds the vectors of every sentence of multi-sentence chunks, in order."""
        rows, flat, offsets = [], [], [0]
        for row, sp in enumerate(spans):
            sp = sp or [(0, 0)]
            rows += [row] * len(sp)
            flat += sp
            offsets.append(offsets[-1] + len(sp))
        index = new_vector_index(extra.shape[1], ann, len(extra))
        if len(extra):
            index.add(np.ascontiguousarray(extra, dtype=np.float32))
        return cls(
            index,
            np.asarray(rows, dtype=np.int64),
            np.asarray(offsets, dtype=np.int64),
            np.asarray(flat, dtype=np.int64).reshape(-1, 2),
        )

    def save(self, directory: Path) -> None:
        faiss.write_index(self.vectors, str(directory / "sentences.faiss"))
        np.savez(
            directory / "sentences.npz", rows=self.rows, offsets=self.offsets, spans=self.spans
        )

    @classmethod
    def load(cls, directory: Path) -> Sentences:
        with np.load(directory / "sentences.npz") as data:
            rows, offsets, spans = data["rows"], data["offsets"], data["spans"]
        vectors = faiss.read_index(str(directory / "sentences.faiss"))
        sentences = cls(vectors, rows, offsets, spans)
        if vectors.ntotal != sentences.owners.size or spans.shape != (rows.size, 2):
            raise ValueError("sentence tables disagree")
        return sentences
