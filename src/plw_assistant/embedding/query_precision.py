"""``PLW_QUERY_PRECISION``: which weights the ONNX query encoder runs with. ``int8`` and
``fp32`` are obeyed (int8 only where its 8-bit copy passed its check at export, as before);
``auto`` times both on this CPU and keeps the faster one that agrees with torch
(``embedding.precision``). The 8-bit copy took 0.81x the time of fp32 on an Intel Xeon with
AVX-512 VNNI, and 1.3x on an AVX2 EPYC without VNNI (BENCHMARKS.md)."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import onnx
from .precision import choose as choose_fastest
from .precision import cpu_identity, decide, decision_path, describe, timed, versions
from .quantize import MIN_COSINE as INT8_MIN_COSINE

log = logging.getLogger("plw_assistant.precision")

# What questions look like (a dozen tokens): the encoder is timed on these, one at a time.
QUESTIONS = (
    "How can clusters support their members with EU funding?",
    "What is a peer learning webinar?",
    "Which webinar covered partner search?",
    "How do we keep our members' trust when times are hard?",
    "Should we coordinate our work with other ESCP-4x projects?",
    "When did the webinar series take place?",
    "How should a cluster go about digitising its services?",
    "and for SMEs?",
)
ROUNDS = 7
MIN_COSINE = {"fp32": onnx.MIN_COSINE, "int8": INT8_MIN_COSINE}
# Agreement is checked on the export's probes (short and long) and the timed questions.
TEXTS = onnx.PROBES + QUESTIONS

Reference = Callable[[Sequence[str]], np.ndarray]  # torch fp32 embeddings, normalised


class _Unreadable(Exception):
    """A candidate could not be loaded: the export is made again."""


def open_or_export(
    load_model: Callable[[], Any],
    cache_dir: Path,
    weights_sha256: str,
    threads: int,
    precision: str,
) -> onnx.OnnxQueryEncoder:
    """The query encoder ``precision`` asks for, exporting the model first if need be;
    ``load_model`` gives the loaded ``SentenceTransformer`` (torch is loaded only when
    exporting or when this export was never checked on a machine)."""

    def reference(texts: Sequence[str]) -> np.ndarray:
        model = load_model()
        return np.asarray(
            model.encode(list(texts), normalize_embeddings=True, show_progress_bar=False)
        )

    encoder = open_encoder(cache_dir, weights_sha256, threads, precision, reference)
    if encoder is None:
        onnx.export(load_model(), cache_dir, weights_sha256)
        encoder = open_encoder(cache_dir, weights_sha256, threads, precision, reference)
    if encoder is None:
        raise onnx.OnnxExportError("the export could not be read back")
    return encoder


def open_encoder(
    cache_dir: Path,
    weights_sha256: str,
    threads: int,
    precision: str,
    reference: Reference,
    cpu: dict[str, Any] | None = None,
) -> onnx.OnnxQueryEncoder | None:
    """The query encoder ``precision`` asks for, or None when there is no usable export yet.
    ``reference`` embeds texts with torch, called only when this export was never measured
    on any machine; ``cpu`` is the machine's identity (``cpu_identity()`` when not given)."""
    offered = onnx.precisions(cache_dir, weights_sha256)
    if precision != "auto" or len(offered) < 2:
        return onnx.OnnxQueryEncoder.load(cache_dir, weights_sha256, threads, precision != "fp32")
    key = {
        "cpu": cpu or cpu_identity(),
        "versions": versions(),
        "weights_sha256": weights_sha256,
        "threads": threads,
        "format": onnx.FORMAT,
    }
    graph = onnx.paths(cache_dir, weights_sha256)[0]
    path = decision_path(graph.parent, weights_sha256[:32], "query", key)
    loaded: dict[str, onnx.OnnxQueryEncoder] = {}

    def measure() -> dict[str, Any]:
        return _measure(cache_dir, weights_sha256, threads, offered, reference, loaded)

    try:
        chosen = str(decide(path, measure, key)["chosen"])
    except _Unreadable:
        return None
    if chosen not in offered:  # a decision kept from an export that had an 8-bit copy
        chosen = "fp32"
    return loaded.get(chosen) or onnx.OnnxQueryEncoder.load(
        cache_dir, weights_sha256, threads, chosen == "int8"
    )


def _measure(
    cache_dir: Path,
    weights_sha256: str,
    threads: int,
    offered: tuple[str, ...],
    reference: Reference,
    loaded: dict[str, onnx.OnnxQueryEncoder],
) -> dict[str, Any]:
    """Time each precision on the questions and check it against torch; ``loaded`` gets
    the encoders, so the chosen one is not loaded twice."""
    log.info(
        "Timing the query encoder in %s on this CPU (once per machine)…", " and ".join(offered)
    )
    # Torch's reference first (it loads torch only if this export was never measured), out
    # of the time the measurement is said to take.
    expected = reference_vectors(cache_dir, weights_sha256, reference)
    start = time.perf_counter()
    for name in offered:
        encoder = onnx.OnnxQueryEncoder.load(cache_dir, weights_sha256, threads, name == "int8")
        if encoder is None or encoder.precision != name:
            raise _Unreadable(name)
        loaded[name] = encoder
    runs = {
        name: (lambda i, e=encoder: e.encode([QUESTIONS[i]])) for name, encoder in loaded.items()
    }
    # With one thread onnxruntime works in the calling thread, so its CPU time is the whole
    # cost of a question, and other processes' load on the machine does not count in it.
    clock = time.thread_time if threads == 1 else time.perf_counter
    medians = timed(runs, len(QUESTIONS), ROUNDS, clock)
    cosines = {name: _lowest_cosine(e, expected) for name, e in loaded.items()}
    record = {
        "chosen": choose_fastest(medians, cosines, MIN_COSINE),
        "candidates": {name: {"ms": medians[name], "min_cosine": cosines[name]} for name in loaded},
        "unit": "ms per question, one at a time"
        + (", CPU time of the thread" if threads == 1 else ", wall time"),
        "texts": len(QUESTIONS),
        "rounds": ROUNDS,
        "seconds": time.perf_counter() - start,
    }
    log.info("%s", describe("Query encoder precision chosen on this CPU", record))
    return record


def _lowest_cosine(encoder: onnx.OnnxQueryEncoder, expected: np.ndarray) -> float:
    """The encoder's lowest cosine to torch on ``TEXTS`` one by one, and on the short ones as
    one padded batch (the long probe, batched at 256 tokens, would take seconds)."""
    single = np.concatenate([encoder.encode([t]) for t in TEXTS])
    short = [i for i, t in enumerate(TEXTS) if len(t) < 500]
    batch = encoder.encode([TEXTS[i] for i in short])
    return float(min((single * expected).sum(1).min(), (batch * expected[short]).sum(1).min()))


def reference_vectors(cache_dir: Path, weights_sha256: str, reference: Reference) -> np.ndarray:
    """Torch's embeddings of ``TEXTS``, kept beside the export: another machine sharing the
    cache, or a new onnxruntime, measures again without loading torch."""
    digest = hashlib.sha256("\0".join(TEXTS).encode()).hexdigest()[:12]
    path = onnx.paths(cache_dir, weights_sha256)[0].with_suffix(f".reference-{digest}.npy")
    try:
        kept = np.load(path)
        if kept.shape[0] == len(TEXTS):
            return np.asarray(kept, dtype=np.float32)
    except (OSError, ValueError):
        pass
    vectors = np.asarray(reference(list(TEXTS)), dtype=np.float32)
    tmp = path.with_suffix(".tmp.npy")
    try:
        np.save(tmp, vectors)
        tmp.replace(path)
    except OSError:  # only costs a torch load the next time it is needed
        tmp.unlink(missing_ok=True)
    return vectors
