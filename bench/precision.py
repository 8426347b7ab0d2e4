"""What ``PLW_QUERY_PRECISION=auto`` and ``PLW_BUILD_PRECISION=auto`` measure and choose on
this CPU, and a longer check of the query encoder's choice.

Each run decides afresh, in a new folder beside the cached export (``PLW_CACHE_DIR``; made
first if missing), exactly as a new machine would: the candidates' medians, their lowest
cosine to torch, the choice and how long deciding took. Then the 92 in-scope questions of
the dev and answers sets are encoded one at a time by each ONNX precision, alternating, one
thread, ``--rounds`` times: medians in the thread's CPU time and in wall time.
Usage: python bench/precision.py [--runs 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from plw_assistant.config import get_settings
from plw_assistant.embedding.build_precision import bf16_fastest, bf16_supported
from plw_assistant.embedding.late import LateEncoder
from plw_assistant.embedding.model import SentenceTransformerEmbedder
from plw_assistant.embedding.onnx import OnnxQueryEncoder
from plw_assistant.embedding.precision import cpu_identity
from plw_assistant.embedding.query_precision import open_encoder
from plw_assistant.evaluation.golden import load_golden

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden"
SETS = (GOLDEN / "plw-dev.jsonl", GOLDEN / "plw-answers.jsonl")


def decide_afresh(embedder: SentenceTransformerEmbedder, export: Path) -> dict[str, dict]:
    """Both decisions made in an empty folder that links to the cached export."""
    sha = embedder.weights_sha256()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "onnx").mkdir()
        for f in export.iterdir():
            if f.is_file():
                (Path(tmp) / "onnx" / f.name).symlink_to(f)
        open_encoder(Path(tmp), sha, 1, "auto", embedder.encode)
        late = LateEncoder(embedder.sentence_transformer(), False)
        bf16_fastest(late, Path(tmp) / "onnx", embedder.name, sha)
        found = sorted((Path(tmp) / "onnx" / "precision").glob("*.json"))
        return {p.name.split(".")[1]: json.loads(p.read_text()) for p in found}


def check_queries(cache: Path, sha: str, rounds: int) -> dict[str, dict[str, float]]:
    questions = [g.question for path in SETS for g in load_golden(path) if g.in_scope]
    encoders: dict[str, OnnxQueryEncoder] = {}
    for name in ("fp32", "int8"):
        encoder = OnnxQueryEncoder.load(cache, sha, 1, name == "int8")
        assert encoder is not None and encoder.precision == name
        encoder.encode(questions[:5])
        encoders[name] = encoder
    cpu: dict[str, list[float]] = {p: [] for p in encoders}
    wall: dict[str, list[float]] = {p: [] for p in encoders}
    for r in range(rounds):
        for i, q in enumerate(questions):
            order = list(encoders) if (r + i) % 2 == 0 else list(reversed(encoders))
            for name in order:
                c, w = time.thread_time(), time.perf_counter()
                encoders[name].encode([q])
                cpu[name].append((time.thread_time() - c) * 1000)
                wall[name].append((time.perf_counter() - w) * 1000)
    return {
        name: {
            "cpu_ms": statistics.median(cpu[name]),
            "wall_ms": statistics.median(wall[name]),
            "questions": len(questions),
            "rounds": rounds,
        }
        for name in encoders
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    settings = get_settings()
    embedder = SentenceTransformerEmbedder(settings.model, "onnx", settings.cache_dir)
    embedder.encode_queries(["export the model if it is not yet"])
    export = settings.cache_dir / "onnx"
    print(json.dumps({"cpu": cpu_identity(), "bf16_kernels": bf16_supported()}))
    for run in range(args.runs):
        for kind, record in decide_afresh(embedder, export).items():
            figures = {n: round(c["ms"], 2) for n, c in record["candidates"].items()}
            cosines = {n: round(c["min_cosine"], 5) for n, c in record["candidates"].items()}
            line = {"run": run + 1, "kind": kind, "chosen": record["chosen"], "ms": figures}
            line |= {"min_cosine": cosines, "seconds": round(record["seconds"], 2)}
            print(json.dumps(line))
    sha = embedder.weights_sha256()
    print(json.dumps({"check": check_queries(settings.cache_dir, sha, args.rounds)}))


if __name__ == "__main__":
    main()
