"""Passages per second: the ONNX export against torch, on SciFact abstracts, same run.

Why passages stay on torch while questions use ONNX. Usage (after `plw serve` or `plw ask`
has made the export): python bench/onnx_passages.py [--texts 256] [--batch 16 32]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from plw_assistant.config import get_settings
from plw_assistant.embedding.model import SentenceTransformerEmbedder
from plw_assistant.embedding.onnx import OnnxQueryEncoder
from plw_bench.synthetic import SciFact

SCIFACT = Path(__file__).resolve().parents[2] / "shared" / "bench" / "scifact"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=256)
    parser.add_argument("--batch", type=int, nargs="+", default=[16, 32])
    args = parser.parse_args()
    data = SciFact.read(SCIFACT)
    texts = [f"{t}: {x}" for t, x in zip(data.titles, data.texts, strict=True)][: args.texts]
    texts.sort(key=len, reverse=True)  # both paths get length-sorted batches
    settings = get_settings()
    model = SentenceTransformerEmbedder.from_settings(settings)
    st = model.sentence_transformer()
    onnx = OnnxQueryEncoder.load(settings.cache_dir, model.weights_sha256(), threads=2)
    if onnx is None:
        raise SystemExit("No ONNX export yet: run `plw ask` once to make it.")
    for batch in args.batch:
        t = time.perf_counter()
        ref = st.encode(texts, batch_size=batch, normalize_embeddings=True)
        torch_rate = len(texts) / (time.perf_counter() - t)
        t = time.perf_counter()
        out = np.concatenate(
            [onnx.encode(texts[i : i + batch]) for i in range(0, len(texts), batch)]
        )
        onnx_rate = len(texts) / (time.perf_counter() - t)
        cosine = float((out * ref).sum(1).min())
        print(
            f"batch {batch}: torch {torch_rate:.1f}/s, ONNX (2 threads) {onnx_rate:.1f}/s, "
            f"lowest cosine {cosine:.6f}"
        )


if __name__ == "__main__":
    main()
