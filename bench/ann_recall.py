"""HNSW against exact flat search: recall@10 and time per query, on real embeddings.

The vectors are SciFact's 5,183 abstracts embedded with the bundled model (read from the
embedding cache when `plw eval` has run), tiled and perturbed with small noise up to the
requested size; the queries are SciFact's 300 test claims. Usage:
python bench/ann_recall.py [--size 200000] [--ef 64 128 256 512] [--ef 64 128 256 512]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from plw_assistant.cache import CachedEmbedder
from plw_assistant.config import get_settings
from plw_assistant.embed import SentenceTransformerEmbedder
from plw_assistant.sentences import new_vector_index

SCIFACT = Path(__file__).resolve().parents[2] / "shared" / "bench" / "scifact"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--noise", type=float, default=0.05)
    parser.add_argument("--ef", type=int, nargs="+", default=[64, 128, 256, 512])
    args = parser.parse_args()
    docs = [json.loads(line) for line in (SCIFACT / "corpus.jsonl").open()]
    qrels = {line.split("\t")[0] for line in (SCIFACT / "qrels" / "test.tsv").open()}
    queries = [
        q["text"] for q in map(json.loads, (SCIFACT / "queries.jsonl").open()) if q["_id"] in qrels
    ]
    model = CachedEmbedder(SentenceTransformerEmbedder(), get_settings().cache_dir)
    base = model.encode([f"{d['title']}: {d['text']}" for d in docs])
    rng = np.random.default_rng(0)
    reps = -(-args.size // len(base))
    vectors = np.tile(base, (reps, 1))[: args.size]
    vectors[len(base) :] += rng.normal(0, args.noise, vectors[len(base) :].shape).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    q = model.inner.encode(queries)
    flat, hnsw = new_vector_index(384, "flat"), new_vector_index(384, "hnsw")
    flat.add(vectors)
    t = time.perf_counter()
    hnsw.add(vectors)
    build_s = time.perf_counter() - t

    def run(index) -> tuple[float, list[np.ndarray]]:
        times, ids = [], []
        for row in q:
            t = time.perf_counter()
            _, found = index.search(row.reshape(1, -1), 10)
            times.append((time.perf_counter() - t) * 1000)
            ids.append(found[0])
        return statistics.median(times), ids

    flat_ms, truth = run(flat)
    print(
        f"size {args.size:,} vectors; {len(queries)} queries; HNSW built in {build_s:.0f} s; "
        f"flat {flat_ms:.2f} ms/query"
    )
    for ef in args.ef:
        hnsw.hnsw.efSearch = ef
        ms, found = run(hnsw)
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, found, strict=True)])
        print(f"  HNSW efSearch {ef}: {ms:.2f} ms/query, recall@10 against flat {recall:.4f}")


if __name__ == "__main__":
    main()
