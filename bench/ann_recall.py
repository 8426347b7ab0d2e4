"""Approximate search (IVF or HNSW) against exact flat search: recall@10 and time per query.

The vectors are SciFact's 5,183 abstracts embedded with the bundled model (read from the
embedding cache when `plw eval` or `plw bench` has run), tiled and perturbed with small noise
up to the requested size (plw_bench.synthetic.tiled, as `plw bench` does); the queries
are SciFact's 300 test claims. Usage:
python bench/ann_recall.py --size 1000000 --index ivf --probes 16 32 64 128
python bench/ann_recall.py --size 200000 --index hnsw --probes 64 128 256 512   (efSearch)
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import faiss
import numpy as np

from plw_assistant.config import get_settings
from plw_assistant.embedding.model import SentenceTransformerEmbedder
from plw_assistant.store.vectors import ivf_lists, vector_index
from plw_bench.synthetic import SciFact, tiled

SCIFACT = Path(__file__).resolve().parents[2] / "shared" / "bench" / "scifact"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--index", choices=("ivf", "hnsw"), default="ivf")
    parser.add_argument("--probes", type=int, nargs="+", default=[16, 32, 64, 128])
    args = parser.parse_args()
    data = SciFact.read(SCIFACT)
    model = SentenceTransformerEmbedder()
    vectors = tiled(data.embed(model, get_settings().cache_dir), args.size)
    q = model.encode_queries(data.test_queries)
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    t = time.perf_counter()
    approx = vector_index(vectors, args.index)
    build_s = time.perf_counter() - t

    def run(index: faiss.Index) -> tuple[float, list[np.ndarray]]:
        times, ids = [], []
        for row in q:
            t = time.perf_counter()
            _, found = index.search(row.reshape(1, -1), 10)
            times.append((time.perf_counter() - t) * 1000)
            ids.append(found[0])
        return statistics.median(times), ids

    flat_ms, truth = run(flat)
    kind = f"IVF{ivf_lists(args.size)}" if args.index == "ivf" else "HNSW32"
    print(
        f"size {args.size:,} vectors; {len(q)} queries; {kind} built in {build_s:.0f} s; "
        f"flat {flat_ms:.2f} ms/query"
    )
    for p in args.probes:
        if args.index == "ivf":
            faiss.extract_index_ivf(approx).nprobe = p  # the IVF inside IndexRefineFlat
        else:
            approx.hnsw.efSearch = p
        ms, found = run(approx)
        recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, found, strict=True)])
        what = "nprobe" if args.index == "ivf" else "efSearch"
        print(f"  {what} {p}: {ms:.2f} ms/query, recall@10 against flat {recall:.4f}")


if __name__ == "__main__":
    main()
