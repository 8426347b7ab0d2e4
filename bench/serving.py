"""Serving with 1 and 2 worker processes: memory (PSS of the whole process tree), throughput,
one client's p50 against the bare library path, and a worker killed with SIGKILL under load.

Starts `plw serve [--workers N]` on a copy of an index (default: the shipped notes, built
first if needed), asks distinct questions, and prints a Markdown table for BENCHMARKS.md.
Usage: python bench/serving.py [--questions 120] [--rounds 3] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from plw_bench.harness import descendants, free_port, load, machine, pss_mb, variants

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "How can clusters support their members with EU funding?",
    "What did the partnerships learn about communication?",
    "Which webinar was about the action plan?",
    "How do we keep members engaged online?",
    "What advice is there for a new ESCP-4x partnership?",
    "How did partners build trust?",
]


def start(folder: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "PLW_CORPUS_DIR": str(folder / "corpus"),
        "PLW_INDEX_DIR": str(folder / "index"),
    }
    cmd = [sys.executable, "-c", "from plw_assistant.cli import main; main()", "serve"]
    cmd += ["--port", str(port), "--workers", str(workers)]
    with (folder / f"serve-{workers}.log").open("ab") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.post(
                f"{base}/api/ask", json={"question": QUESTIONS[0]}, timeout=30
            ).is_success:
                break
        except httpx.TransportError:
            time.sleep(0.3)
    return proc, base


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def killed_under_load(proc: subprocess.Popen[bytes], base: str, questions: list[str]) -> str:
    """Four clients ask while one worker is killed with SIGKILL: errors, and whether the
    supervisor replaced it."""
    workers = [p for p in descendants(proc.pid) if p != proc.pid and _is_worker(p)]
    victim = min(workers)
    timer = threading.Timer(0.5, os.kill, (victim, signal.SIGKILL))
    timer.start()
    result = load(base, questions, 4)
    time.sleep(8)  # the supervisor checks its workers every half second; a new one loads
    after = [p for p in descendants(proc.pid) if p != proc.pid and _is_worker(p)]
    replaced = len(after) == len(workers) and victim not in after
    return f"{result.errors} errors of {result.requests}, replaced: {'yes' if replaced else 'no'}"


def _is_worker(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def bare_p50(folder: Path, questions: list[str]) -> float:
    """One question at a time through `Assistant.ask` in this process (no HTTP)."""
    os.environ.update(PLW_CORPUS_DIR=str(folder / "corpus"), PLW_INDEX_DIR=str(folder / "index"))
    from plw_assistant.assistant import Assistant
    from plw_assistant.config import get_settings
    from plw_assistant.domain import Question

    assistant = Assistant(get_settings())
    assistant.warm_up()
    times = []
    for q in questions:
        t = time.perf_counter()
        assistant.ask(Question(q))
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="plw-serving-"))
    shutil.copytree(args.corpus, folder / "corpus")
    env = {
        **os.environ,
        "PLW_CORPUS_DIR": str(folder / "corpus"),
        "PLW_INDEX_DIR": str(folder / "index"),
    }
    subprocess.run(
        [sys.executable, "-c", "from plw_assistant.cli import main; main()", "index"],
        env=env,
        check=False,
    )
    questions = variants(QUESTIONS, args.questions)
    rows = []
    for workers in (1, 2):
        proc, base = start(folder, workers)
        try:
            load(base, questions[:30], 1)  # 30 questions before memory is read
            memory = pss_mb(descendants(proc.pid))
            one = [load(base, questions, 1) for _ in range(args.rounds)]
            four = [load(base, questions, 4) for _ in range(args.rounds)]
            p50 = statistics.median(r.p50 for r in one)
            rps1 = statistics.median(r.per_second for r in one)
            rps4 = statistics.median(r.per_second for r in four)
            kill = killed_under_load(proc, base, questions) if workers > 1 else "–"
            rows.append((workers, memory, p50, rps1, rps4, rps4 / rps1, kill))
        finally:
            stop(proc)
    bare = bare_p50(folder, questions)
    cpu = machine()
    print(f"CPU: {cpu.get('cpu', '?')}; {os.cpu_count()} cores; corpus {args.corpus.name}")
    print(
        "| workers | PSS MB (tree, after 30 questions) | p50 ms, 1 client | bare p50 ms "
        "| req/s 1 client | req/s 4 clients | gain | a worker killed under load |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for workers, memory, p50, rps1, rps4, gain, kill in rows:
        print(
            f"| {workers} | {memory:.0f} | {p50:.1f} | {bare:.1f} | {rps1:.0f} | {rps4:.0f} "
            f"| {gain:.2f}x | {kill} |"
        )


if __name__ == "__main__":
    main()
