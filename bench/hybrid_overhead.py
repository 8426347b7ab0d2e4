"""How much hybrid retrieval costs over dense alone, per query, at a given number of chunks.

Chunks are SciFact abstracts cut into sentence-sized passages (real text for BM25), repeated
until the requested size; their vectors are random unit vectors (search cost does not depend on
their values). Query vectors are precomputed, so both modes time the same work minus the shared
query encoding. Usage: python bench/hybrid_overhead.py [--chunks 10000] [--queries 300]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import faiss
import numpy as np

from plw_assistant.domain import Chunk
from plw_assistant.search.retriever import Retriever
from plw_assistant.store.lexical import BM25
from plw_assistant.store.manifest import Manifest
from plw_assistant.store.reader import Index
from plw_assistant.store.vectors import Sentences

SCIFACT = Path(__file__).resolve().parents[2] / "shared" / "bench" / "scifact"


class FixedQueries:
    """Returns a precomputed unit vector per query text (no model in the timed path)."""

    name = "bench"
    dimension = 384

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        self.cache: dict[str, np.ndarray] = {}

    def encode_queries(self, texts):
        return self.encode(texts)

    def encode(self, texts, batch_size=32, progress=None):
        out = []
        for t in texts:
            if t not in self.cache:
                v = self.rng.standard_normal(self.dimension).astype(np.float32)
                self.cache[t] = v / np.linalg.norm(v)
            out.append(self.cache[t])
        return np.stack(out)

    def weights_sha256(self) -> str:
        return "bench"

    def is_common_word(self, word: str) -> bool:
        return True


def build(n: int, dim: int = 384) -> Index:
    texts: list[str] = []
    with (SCIFACT / "corpus.jsonl").open() as fh:
        for line in fh:
            doc = json.loads(line)
            words = doc["text"].split()
            texts += [" ".join(words[i : i + 60]) for i in range(0, len(words), 60)]
    texts = (texts * (n // len(texts) + 1))[:n]
    chunks = [Chunk(str(i), str(i), "", "", t, 0, len(t)) for i, t in enumerate(texts)]
    rng = np.random.default_rng(1)
    vecs = rng.standard_normal((n, dim)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    flat = faiss.IndexFlatIP(dim)
    flat.add(vecs)
    spans = [[(0, len(t))] for t in texts]
    sentences = Sentences.assemble(spans, np.zeros((0, dim), np.float32))
    manifest = Manifest("bench", "bench", dim, "bench", n, 0)
    return Index(flat, sentences, BM25.build(texts), chunks, [], manifest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    index = build(args.chunks)
    with (SCIFACT / "queries.jsonl").open() as fh:
        queries = [json.loads(line)["text"] for line in fh][: args.queries]
    retriever = Retriever(index, FixedQueries())
    timings: dict[str, list[float]] = {"dense": [], "hybrid": [], "bm25": []}
    for q in queries:  # warm-up: query vectors, tokenizer, caches
        retriever.search(q, 5, "hybrid")
    for _ in range(3):
        for q in queries:
            for mode, times in timings.items():
                t = time.perf_counter()
                retriever.search(q, 5, mode)  # type: ignore[arg-type]
                times.append((time.perf_counter() - t) * 1000)
    med = {m: statistics.median(t) for m, t in timings.items()}
    print(f"chunks={args.chunks} queries={len(queries)}x3")
    print("| mode | median ms/query (search only) |\n|---|---:|")
    for m, v in med.items():
        print(f"| {m} | {v:.2f} |")
    print(f"hybrid - dense = {med['hybrid'] - med['dense']:.2f} ms")


if __name__ == "__main__":
    main()
