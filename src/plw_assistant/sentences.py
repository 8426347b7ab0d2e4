"""Per-sentence vectors of every chunk: finer matching, evidence for answers, highlights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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

    Sentences of chunk ``r`` are rows ``offsets[r]:offsets[r + 1]``; a one-sentence chunk's
    sentence shares the chunk's vector (the embedded text would be the same).
    """

    vectors: faiss.Index
    rows: np.ndarray  # chunk row of each sentence
    offsets: np.ndarray  # len(chunks) + 1
    spans: np.ndarray  # (sentences, 2) start/end within the chunk text

    @property
    def size(self) -> int:
        return int(self.rows.size)

    @property
    def chunks(self) -> int:
        return int(self.offsets.size - 1)

    def vectors_range(self, lo: int, hi: int) -> np.ndarray:
        return np.asarray(self.vectors.reconstruct_n(int(lo), int(hi - lo)))

    def spans_of(self, row: int) -> list[tuple[int, int]]:
        lo, hi = self.offsets[row], self.offsets[row + 1]
        return [(int(s), int(e)) for s, e in self.spans[lo:hi]]

    @classmethod
    def assemble(
        cls,
        spans: Sequence[list[tuple[int, int]]],
        chunk_vecs: np.ndarray,
        extra: np.ndarray,
        ann: str = "flat",
    ) -> Sentences:
        vecs, rows, flat, offsets, used = [], [], [], [0], 0
        for row, sp in enumerate(spans):
            sp = sp or [(0, 0)]
            if len(sp) == 1:
                vecs.append(chunk_vecs[row : row + 1])
            else:
                vecs.append(extra[used : used + len(sp)])
                used += len(sp)
            rows += [row] * len(sp)
            flat += sp
            offsets.append(offsets[-1] + len(sp))
        index = new_vector_index(chunk_vecs.shape[1], ann, len(rows))
        if vecs:
            index.add(np.ascontiguousarray(np.concatenate(vecs), dtype=np.float32))
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
        if vectors.ntotal != rows.size or spans.shape != (rows.size, 2):
            raise ValueError("sentence tables disagree")
        return cls(vectors, rows, offsets, spans)
