"""An IVF index holds 8-bit codes and re-scores its candidates with the exact vectors, kept on
disk beside it: it finds what exact search finds, and reads the vectors back unchanged."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from plw_assistant.domain import Chunk, Document
from plw_assistant.store.exact import FileRows, save_rows
from plw_assistant.store.lexical import BM25
from plw_assistant.store.manifest import Manifest
from plw_assistant.store.reader import Index
from plw_assistant.store.vectors import Sentences, ivf_lists, vector_index
from plw_assistant.store.writer import write_generation


def clustered(n: int, dim: int = 32, centres: int = 200, seed: int = 0) -> np.ndarray:
    """Unit vectors around ``centres`` random directions, as embeddings of notes cluster."""
    rng = np.random.default_rng(seed)
    middle = rng.standard_normal((centres, dim)).astype(np.float32)
    points = middle[rng.integers(0, centres, n)] + 0.35 * rng.standard_normal((n, dim))
    points = points.astype(np.float32)
    return points / np.linalg.norm(points, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    vectors = clustered(20_000)
    queries = clustered(100, seed=1)
    return vectors, queries


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    shared = [len(set(a) & set(b)) / len(b) for a, b in zip(found, truth, strict=True)]
    return float(np.mean(shared))


def index_of(vectors: np.ndarray, ann: str) -> Index:
    n = len(vectors)
    chunks = [Chunk(f"c{i}", "d", "Doc", "", f"passage {i}", 0, 1) for i in range(n)]
    document = Document("d", "d.md", "Doc", "passage", "")
    sentences = Sentences.assemble([[(0, 1)]] * n, np.zeros((0, vectors.shape[1]), np.float32))
    manifest = Manifest("m", "unknown", vectors.shape[1], "", n, 1, sentences=n, ann=ann)
    lexical = BM25.build([c.text for c in chunks])
    return Index(vector_index(vectors, ann), sentences, lexical, chunks, [document], manifest)


def test_quantised_ivf_finds_what_flat_finds(data) -> None:
    vectors, queries = data
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    exact_scores, truth = flat.search(queries, 10)
    index = index_of(vectors, "ivf")
    assert type(index.vectors).__name__ == "IndexIVFScalarQuantizer"
    probes = faiss.extract_index_ivf(index.vectors).nprobe
    assert probes < ivf_lists(len(vectors))  # a real approximate search, not every list
    scores, found = index.nearest(queries, 10)
    assert recall(found, truth) >= 0.99
    # re-scored with the exact vectors: the similarities are flat's, not the codes'
    assert np.allclose(scores[:, 0], exact_scores[:, 0], atol=1e-6)
    assert np.allclose(np.sum(vectors[found] * queries[:, None, :], axis=2), scores, atol=1e-6)
    # the codes alone (no re-scoring) order the candidates less well
    _, coded = index.vectors.search(queries, 10)
    assert recall(coded, truth) <= recall(found, truth)
    assert np.array_equal(index.vectors_of([5, 19_999, 5]), vectors[[5, 19_999, 5]])
    rows = [r for r, _ in index.dense_search(queries[0], 10)]
    assert set(rows) == set(found[0].tolist())


def test_written_ivf_keeps_exact_vectors_on_disk(tmp_path: Path, data) -> None:
    vectors, queries = data
    built = index_of(vectors[:5_000], "ivf")
    gen = write_generation(built, tmp_path / "index")
    assert FileRows(gen / "vectors.npy").shape == (5_000, vectors.shape[1])
    loaded = Index.load(tmp_path / "index")
    assert isinstance(loaded.exact, FileRows)
    assert np.array_equal(loaded.vectors_of([7, 3, 4_999]), vectors[[7, 3, 4_999]])
    same_scores, same_rows = built.nearest(queries, 10)
    scores, rows = loaded.nearest(queries, 10)
    assert np.array_equal(rows, same_rows) and np.array_equal(scores, same_scores)
    assert loaded.dense_search(queries[3], 20) == built.dense_search(queries[3], 20)


def test_file_rows_read_any_rows_in_any_order(tmp_path: Path) -> None:
    array = np.random.default_rng(3).standard_normal((1_000, 8)).astype(np.float32)
    save_rows(array, tmp_path / "v.npy")
    rows = FileRows(tmp_path / "v.npy")
    picks = [999, 0, 1, 2, 500, 2, 998]
    assert np.array_equal(rows.take(picks), array[picks])
    assert np.array_equal(rows.take([]), array[[]]) and np.array_equal(rows.all(), array)
    with pytest.raises(IndexError):
        rows.take([1_000])
    (tmp_path / "short.npy").write_bytes((tmp_path / "v.npy").read_bytes()[:-4])
    with pytest.raises(ValueError, match="truncated"):
        FileRows(tmp_path / "short.npy")
