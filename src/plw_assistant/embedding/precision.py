"""Choosing a precision by measuring it on the CPU it will run on, once per machine.

The fast paths are fast only on some CPUs: on an AMD EPYC with AVX2 and no VNNI the 8-bit
query encoder cost more than fp32, and on an Intel Xeon with AVX-512 VNNI but no AVX-512 BF16
bf16 passages took 2.4x as long as fp32 (BENCHMARKS.md, "Precision chosen on the CPU it runs
on"). So ``auto`` times every candidate, fp32 always among them, on fixed texts, and keeps the
fastest that agrees with torch fp32. The decision is a small JSON file beside the ONNX export
(its ``precision`` folder) named by a key of everything that could change it: the CPU's model,
the flags its kernels dispatch on and its cores, the versions of onnxruntime and torch, the
weights and the threads. Another machine reads another file, so it measures; the same machine
never measures again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import statistics
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

log = logging.getLogger("plw_assistant.precision")

# The flags onnxruntime's and oneDNN's kernels choose their code by (x86 and Arm): a CPU
# that differs in any of them may rank the candidates differently.
FLAGS = (
    "avx",
    "avx2",
    "fma",
    "f16c",
    "avx512f",
    "avx512bw",
    "avx512vl",
    "avx512_vnni",
    "avx_vnni",
    "avx512_bf16",
    "avx512_fp16",
    "amx_tile",
    "amx_int8",
    "amx_bf16",
    "asimd",
    "asimddp",
    "i8mm",
    "bf16",
    "sve",
)
# A candidate less exact than fp32 must save at least this share of its time: closer than
# that is within the noise of a busy 2-core machine, and fp32 is the exact one.
MARGIN = 0.05


def cpu_identity(cpuinfo: str | None = None) -> dict[str, Any]:
    """The CPU's model name, the relevant flags it has and its core count."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(errors="replace")
        except OSError:  # not Linux: the platform's name is all there is
            import platform

            cpuinfo = f"model name: {platform.processor() or platform.machine()}"
    fields: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            fields.setdefault(name.strip().lower(), value.strip())
    model = fields.get("model name") or fields.get("hardware") or fields.get("cpu part", "")
    present = set((fields.get("flags") or fields.get("features", "")).split())
    return {
        "model": model,
        "flags": [f for f in FLAGS if f in present],
        "cores": os.cpu_count() or 1,
    }


def versions() -> dict[str, str]:
    """The engines' versions, read from their metadata (importing torch would cost seconds)."""
    found = {}
    for name in ("onnxruntime", "torch"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "none"
    return found


def decision_path(folder: Path, stem: str, kind: str, parts: Mapping[str, Any]) -> Path:
    """Where the decision of ``kind`` (query, build) for exactly these key ``parts`` is kept:
    ``folder/precision/<stem>.<kind>.<key>.json``, the key a hash of the parts."""
    key = hashlib.sha256(json.dumps(dict(parts), sort_keys=True).encode()).hexdigest()[:16]
    return folder / "precision" / f"{stem}.{kind}.{key}.json"


def choose(
    medians: Mapping[str, float],
    cosines: Mapping[str, float],
    min_cosine: Mapping[str, float],
    exact: str = "fp32",
) -> str:
    """The fastest candidate that agrees with the reference, or ``exact`` when none other is
    at least ``MARGIN`` faster than it. ``medians`` are times (any unit), ``cosines`` each
    candidate's lowest cosine to the reference, ``min_cosine`` the least each may have."""
    if exact not in medians:
        raise ValueError(f"{exact} must be among the candidates timed")
    for name in sorted(medians, key=medians.__getitem__):
        if name == exact or medians[name] > medians[exact] * (1 - MARGIN):
            return exact
        if cosines.get(name, -1.0) >= min_cosine.get(name, 1.0):
            return name
    return exact


def timed(
    runs: Mapping[str, Callable[[int], object]],
    items: int,
    rounds: int,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, float]:
    """Median over ``rounds`` of the milliseconds of ``clock`` each candidate takes per item.
    Candidates take turns item by item, the first turning each time, so a burst of other
    work on the machine falls on all of them alike; one round first, untimed, warms them up."""
    names = list(runs)
    for name in names:
        for i in range(items):
            runs[name](i)
    per_round: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        spent = dict.fromkeys(names, 0.0)
        for i in range(items):
            turn = (r + i) % len(names)
            for name in names[turn:] + names[:turn]:
                start = clock()
                runs[name](i)
                spent[name] += clock() - start
        for name in names:
            per_round[name].append(spent[name] * 1000 / items)
    return {name: statistics.median(times) for name, times in per_round.items()}


def read_decision(path: Path) -> dict[str, Any] | None:
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and "chosen" in record else None


def decide(
    path: Path, measure: Callable[[], dict[str, Any]], key: Mapping[str, Any]
) -> dict[str, Any]:
    """The decision kept at ``path``, else ``measure()`` once, kept there with its ``key``.
    Processes starting together (a server's workers) wait for one to measure: two
    measuring at once would each time the other's load."""
    found = read_decision(path)
    if found is not None:
        return found
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = (path.parent / ".lock").open("a")
    except OSError:  # an unusable cache only costs a measurement each time
        return measure()
    import fcntl

    with lock as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        found = read_decision(path)
        if found is not None:
            return found
        record = {**measure(), **key, "measured_at": datetime.now(UTC).isoformat()}
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(record, indent=1))
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("Could not keep the precision chosen in %s: %s", path, exc)
        finally:
            tmp.unlink(missing_ok=True)
    return record


def describe(what: str, record: Mapping[str, Any]) -> str:
    """One line saying what was chosen and what each candidate measured."""
    figures = ", ".join(
        f"{name} {c['ms']:.2f} ms (cosine {c['min_cosine']:.5f})"
        for name, c in record["candidates"].items()
    )
    return f"{what}: {record['chosen']} ({figures}; measured in {record['seconds']:.1f} s)"
