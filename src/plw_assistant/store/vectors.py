"""Chunk and sentence vectors: the FAISS index a question searches and, for an approximate
index, the exact vectors its candidates are re-scored with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from .exact import FileRows, MemoryRows, Rows, save_rows

# Approximate search (recall against flat is measured in BENCHMARKS.md, "`plw bench`").
# IVF: the vectors are split into about 4·sqrt(n) k-means lists and a search scans the
# max(IVF_MIN_PROBES, 1/64 of them) lists nearest the question. The lists hold 8-bit
# scalar-quantised codes (a quarter of fp32); the best RESCORE_FACTOR·k of them (at least
# RESCORE_MIN) are re-scored with the exact vectors, so the codes decide only which passages
# are looked at, never their order. On SciFact embeddings tiled and perturbed
# (synthetic.tiled, 300 test claims), recall@10 against flat, one thread:
#   100k, 1,024 lists: 32 probed 0.955 (0.3 ms), 64 0.980, 128 0.993 (0.8 ms)
#   1M, 4,096 lists:   32 probed 0.993, 64 0.998 (0.9 ms), 128 1.000 (1.5 ms)
# re-scored codes finding exactly what fp32 lists found (the codes alone: 0.984 and 0.987 at
# 128), and twice k candidates re-scoring as well as four times (recall@100 0.982, 0.998).
IVF_TRAIN_PER_LIST = 50
IVF_MIN_PROBES = 128
IVF_PROBE_SHARE = 1 / 64
RESCORE_FACTOR = 2
RESCORE_MIN = 50
HNSW_M = 32
HNSW_EF_SEARCH = 128
HNSW_EF_SEARCH_LARGE = 512  # from 500,000 vectors on: recall 0.77 → 0.89 at 1M, 0.5 → 1.7 ms


def one_search_thread() -> None:
    """Search with one thread in this process: for a process that answers one question at a
    time beside others that do the same, FAISS's OpenMP threads only wait, spinning, for the
    cores the other processes need (at 10k passages two answer processes used 16 ms of CPU a
    question with them, 7.6 without; BENCHMARKS.md)."""
    faiss.omp_set_num_threads(1)


def ivf_lists(n: int) -> int:
    """A power of two near 4·sqrt(n), with enough vectors to train each list."""
    target = 1 << max(round(float(np.log2(max(4 * np.sqrt(max(n, 1)), 1)))), 0)
    return max(1, min(target, n // IVF_TRAIN_PER_LIST))


def ivf_probes(nlist: int) -> int:
    return min(nlist, max(IVF_MIN_PROBES, int(nlist * IVF_PROBE_SHARE)))


def vector_index(vectors: np.ndarray, ann: str) -> faiss.Index:
    """An inner-product index holding ``vectors``: exact (``flat``) or approximate (``ivf``,
    ``hnsw``). Every kind can give back a stored vector by row; ``ivf`` is an
    ``IndexRefineFlat``: the quantised IVF lists plus the exact vectors (see ``split``)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = vectors.shape
    index: faiss.Index
    if ann == "ivf" and n:
        nlist = ivf_lists(n)
        ivf: Any = faiss.index_factory(dim, f"IVF{nlist},SQ8,RFlat", faiss.METRIC_INNER_PRODUCT)
        sample = vectors
        if n > IVF_TRAIN_PER_LIST * nlist:  # a fixed sample: the same notes, the same lists
            rows = np.random.default_rng(0).choice(n, IVF_TRAIN_PER_LIST * nlist, replace=False)
            sample = vectors[np.sort(rows)]
        ivf.train(sample)
        ivf.add(vectors)
        faiss.extract_index_ivf(ivf).nprobe = ivf_probes(nlist)
        ivf.k_factor = RESCORE_FACTOR  # its own search re-scores as `nearest` does
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


def split(index: faiss.Index) -> tuple[faiss.Index, Rows | None]:
    """The index a question searches and the exact vectors to re-score its candidates with
    (``None``: it holds exact vectors itself). The searched part of an ``IndexRefineFlat``
    belongs to it: the exact rows keep it alive (``MemoryRows.owner``)."""
    if not isinstance(index, faiss.IndexRefine):
        return index, None
    base = faiss.downcast_index(index.base_index)
    flat: Any = faiss.downcast_index(index.refine_index)
    n, dim = int(flat.ntotal), int(flat.d)
    exact = faiss.rev_swig_ptr(flat.get_xb(), n * dim).reshape(n, dim)
    return base, MemoryRows(exact, owner=index)


def nearest(
    index: faiss.Index, exact: Rows | None, queries: np.ndarray, k: int, params: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """FAISS's ``search``: ``(scores, ids)`` of the ``k`` best per query, -1 padded; with
    ``exact`` rows, the best candidates of the approximate scores re-scored exactly."""
    queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, index.d)
    if exact is None or k <= 0:
        return index.search(queries, k, params=params)
    wide = min(max(RESCORE_FACTOR * k, RESCORE_MIN), int(index.ntotal))
    _, found = index.search(queries, wide, params=params)
    scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    ids = np.full((len(queries), k), -1, dtype=np.int64)
    for i, (query, rows) in enumerate(zip(queries, found, strict=True)):
        rows = rows[rows >= 0]
        exact_scores = exact.take(rows) @ query
        best = np.argsort(-exact_scores, kind="stable")[:k]
        scores[i, : best.size], ids[i, : best.size] = exact_scores[best], rows[best]
    return scores, ids


def save_vectors(index: faiss.Index, exact: Rows | None, folder: Path, name: str) -> None:
    """``name.faiss`` and, for an approximate index, the exact vectors as ``name.npy``."""
    faiss.write_index(index, str(folder / f"{name}.faiss"))
    if exact is not None:
        save_rows(exact.all(), folder / f"{name}.npy")


def load_vectors(folder: Path, name: str) -> tuple[faiss.Index, Rows | None]:
    index = faiss.read_index(str(folder / f"{name}.faiss"))
    npy = folder / f"{name}.npy"
    exact = FileRows(npy) if npy.is_file() else None
    if exact is not None and exact.shape != (index.ntotal, index.d):
        raise ValueError(f"{name}.npy does not match {name}.faiss")
    return index, exact


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
    exact: Rows | None = None  # the exact vectors of an approximate ``vectors`` (see split)
    slots: np.ndarray = field(init=False)  # position in ``vectors`` of each sentence, or -1
    owners: np.ndarray = field(init=False)  # chunk row of each stored vector

    def __post_init__(self) -> None:
        if self.exact is None:
            self.vectors, self.exact = split(self.vectors)
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
        if self.exact is not None:
            return self.exact.all()
        return np.asarray(self.vectors.reconstruct_n(0, int(self.vectors.ntotal)))

    def of(self, row: int, chunk_vector: np.ndarray) -> np.ndarray:
        """The vectors of chunk ``row``'s sentences (``chunk_vector`` for a single one)."""
        lo, hi = int(self.offsets[row]), int(self.offsets[row + 1])
        if hi - lo <= 1:
            return chunk_vector.reshape(1, -1)
        first = int(self.slots[lo])
        if self.exact is not None:
            return self.exact.take(np.arange(first, first + hi - lo))
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
        save_vectors(self.vectors, self.exact, directory, "sentences")
        np.savez(
            directory / "sentences.npz", rows=self.rows, offsets=self.offsets, spans=self.spans
        )

    @classmethod
    def load(cls, directory: Path) -> Sentences:
        with np.load(directory / "sentences.npz") as data:
            rows, offsets, spans = data["rows"], data["offsets"], data["spans"]
        vectors, exact = load_vectors(directory, "sentences")
        sentences = cls(vectors, rows, offsets, spans, exact)
        if vectors.ntotal != sentences.owners.size or spans.shape != (rows.size, 2):
            raise ValueError("sentence tables disagree")
        return sentences
