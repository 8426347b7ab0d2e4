"""Per-sentence vectors of every chunk: finer matching, evidence for answers, highlights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np

# Approximate search (recall against flat is measured in BENCHMARKS.md, "`plw bench`").
# IVF: the vectors are split into about 4·sqrt(n) k-means lists and a search scans the
# max(32, 1/64 of them) lists nearest the question. On SciFact embeddings tiled and perturbed
# (bench/ann_recall.py, /tmp runs noted in BENCHMARKS.md) that gave recall@10 0.96 at 100k
# (32 of 1,024 lists, 0.5 ms) and 0.998 at 1M (64 of 4,096, 2.7 ms); HNSW reached 0.89 at
# 1M with efSearch 512 and took many minutes to build on 2 cores.
IVF_TRAIN_PER_LIST = 50
IVF_MIN_PROBES = 32
IVF_PROBE_SHARE = 1 / 64
HNSW_M = 32
HNSW_EF_SEARCH = 128
HNSW_EF_SEARCH_LARGE = 512  # from 500,000 vectors on: recall 0.77 → 0.89 at 1M, 0.5 → 1.7 ms


def ivf_lists(n: int) -> int:
    """A power of two near 4·sqrt(n), with enough vectors to train each list."""
    target = 1 << max(round(float(np.log2(max(4 * np.sqrt(max(n, 1)), 1)))), 0)
    return max(1, min(target, n // IVF_TRAIN_PER_LIST))


def vector_index(vectors: np.ndarray, ann: str) -> faiss.Index:
    """An inner-product index holding ``vectors``: exact (``flat``) or approximate (``ivf``,
    ``hnsw``). Every kind can give back a stored vector by row."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = vectors.shape
    index: faiss.Index
    if ann == "ivf" and n:
        nlist = ivf_lists(n)
        ivf: Any = faiss.index_factory(dim, f"IVF{nlist},Flat", faiss.METRIC_INNER_PRODUCT)
        sample = vectors
        if n > IVF_TRAIN_PER_LIST * nlist:  # a fixed sample: the same notes, the same lists
            rows = np.random.default_rng(0).choice(n, IVF_TRAIN_PER_LIST * nlist, replace=False)
            sample = vectors[np.sort(rows)]
        ivf.train(sample)
        ivf.add(vectors)
        ivf.make_direct_map()  # rows can be read back (answers, incremental builds)
        ivf.nprobe = min(nlist, max(IVF_MIN_PROBES, int(nlist * IVF_PROBE_SHARE)))
        index = ivf
        return index
    if ann == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = HNSW_EF_SEARCH_LARGE if n >= 500_000 else HNSW_EF_SEARCH
    else:
        index = faiss.IndexFlatIP(dim)
    if n:
        index.add(vectors)
    return index


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
        return cls(
            vector_index(extra, ann),
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
