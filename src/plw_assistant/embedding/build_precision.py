"""``PLW_BUILD_PRECISION=auto``: whether passages are embedded in bf16 on this CPU, decided by
timing bf16 against fp32 on fixed passages (``embedding.precision``). bf16 was 2.4x faster
than fp32 on a CPU with AVX-512 BF16, but took 2.8x as long on an AVX-512 Xeon without it,
where torch still reports bf16 kernels (BENCHMARKS.md)."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from .base import LateText, LateVectors
from .late import MIN_COSINE as BF16_MIN_COSINE
from .late import LateEncoder
from .precision import choose, cpu_identity, decide, decision_path, describe, timed, versions

log = logging.getLogger("plw_assistant.precision")

# Passages as notes hold them (one to four sentences), read as two batches of four.
PASSAGES = (
    "European funding programmes are highly strategic for cluster organisations in order to "
    "diversify their revenues. It can be useful for funding part of the clusters' usual "
    "activities and services but also to develop new ones.",
    "Members are more and more interested in EU funding programmes but supporting members for "
    "applying to that type of funds is time-consuming. Most clusters can't include that kind "
    "of service as part of the membership fees and need to propose a dedicated service. "
    "Several options are available from 100% outsourced to an extra-paid service.",
    "Communicate in a fog period: say what you know, what you do not know and when you will "
    "know more. Communication has to be maintained at all costs.",
    "PLW#3: enlarge the sharing knowledge",
    "Peer learning webinars are tools to learn and share experiences between people who have "
    "faced the same challenges and have overcome similar obstacles. It is based on mutual "
    "interaction and cooperative learning.",
    "Digitalization of cluster services cannot replace everything a cluster does. Physical "
    "meetings stay important to build trust between members.",
    "Between October 2020 and January 2022, the BLUES consortium organised a series of five "
    "webinars to share knowledge and experiences between ESCP-4x partnerships and to identify "
    "cooperation actions between them. Fourteen partnerships were invited.",
    "Look for synergies with other projects to save time and effort.",
)
ROUNDS = 3
MIN_COSINE = {"fp32": 1.0, "bf16": BF16_MIN_COSINE}


def bf16_supported() -> bool:
    """Whether torch reports bf16 kernels for this CPU. Without them bf16 is not worth
    timing; with them it may still be slower (it reports them on an AVX-512 Xeon without
    AVX-512 BF16, where bf16 took 2.8x as long), which is why it is timed."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def bf16_fastest(
    late: LateEncoder,
    folder: Path,
    model: str,
    weights_sha256: str,
    cpu: dict[str, Any] | None = None,
) -> bool:
    """Whether ``late`` (``model``, these weights) should build in bf16 on this CPU: timed
    against fp32 once per machine and kept in ``folder``; only where torch has bf16 kernels.
    ``cpu`` is the machine's identity (``cpu_identity()`` when not given)."""
    if not bf16_supported():
        return False
    key = {
        "cpu": cpu or cpu_identity(),
        "versions": versions(),
        "weights_sha256": weights_sha256,
        "model": model,
    }
    stem = weights_sha256[:32] if weights_sha256 != "unknown" else "model"
    path = decision_path(folder, stem, "build", key)
    try:
        return bool(decide(path, lambda: measure(late), key)["chosen"] == "bf16")
    except RuntimeError as exc:  # a bf16 kernel torch lists but cannot run: fp32 builds
        log.warning("Could not time bf16 (%s): embedding passages in fp32", str(exc)[:200])
        return False


def measure(late: LateEncoder) -> dict[str, Any]:
    """bf16 against fp32 on ``PASSAGES``: medians of ms per batch of four, and bf16's lowest
    cosine to fp32 over the passage and sentence vectors."""
    import torch

    log.info("Timing passage embedding in fp32 and bf16 on this CPU (once per machine)…")
    start = time.perf_counter()
    batches = [_items(PASSAGES[:4]), _items(PASSAGES[4:])]
    made: dict[tuple[str, int], LateVectors] = {}

    def run(name: str) -> Any:
        def one(i: int) -> None:
            made[name, i] = late.encode_in(batches[i], bf16=name == "bf16")

        return one

    # One thread, in its CPU time: what differs between the candidates is the arithmetic of
    # one core, and two threads on a busy 2-core machine mostly waited for each other (1.1 s
    # a batch instead of 0.1 s), while CPU time leaves other processes' load out.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        runs = {"fp32": run("fp32"), "bf16": run("bf16")}
        medians = timed(runs, len(batches), ROUNDS, time.thread_time)
    finally:
        torch.set_num_threads(threads)
    cosine = min(_lowest_cosine(made["fp32", i], made["bf16", i]) for i in range(len(batches)))
    cosines = {"fp32": 1.0, "bf16": cosine}
    record = {
        "chosen": choose(medians, cosines, MIN_COSINE),
        "candidates": {n: {"ms": medians[n], "min_cosine": cosines[n]} for n in medians},
        "unit": "ms per batch of four passages, CPU time of one thread",
        "texts": len(PASSAGES),
        "rounds": ROUNDS,
        "seconds": time.perf_counter() - start,
    }
    log.info("%s", describe("Passage embedding precision chosen on this CPU", record))
    return record


def _items(passages: tuple[str, ...]) -> list[LateText]:
    """Each passage with its sentences' spans (split after ". ")."""
    items = []
    for text in passages:
        spans, start = [], 0
        while (end := text.find(". ", start)) != -1:
            spans.append((start, end + 1))
            start = end + 2
        spans.append((start, len(text)))
        items.append(LateText(text, tuple(spans)))
    return items


def _lowest_cosine(exact: LateVectors, fast: LateVectors) -> float:
    pairs = [(exact.passages, fast.passages), *zip(exact.sentences, fast.sentences, strict=True)]
    return float(min((a * b).sum(1).min() for a, b in pairs if len(a)))
