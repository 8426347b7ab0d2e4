"""Questions answered while the index is rebuilt under them, over HTTP on loopback.

Starts `plw serve --watch` on a copy of the shipped corpus, sends a steady, bounded stream of
questions from several clients, and meanwhile saves new (made-up) notes one by one, each of
which the server re-indexes. Prints requests, failures and latencies.
Usage: python bench/reindex_under_load.py [--clients 4] [--requests 250] [--notes 5]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from plw_bench.harness import wait_healthy

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=250, help="per client")
    parser.add_argument("--notes", type=int, default=5)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="plw-load-"))
    corpus = root / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "PLW_CORPUS_DIR": str(corpus),
        "PLW_INDEX_DIR": str(root / "index"),
        "HF_HUB_OFFLINE": "1",
    }
    plw = Path(sys.executable).parent / "plw"
    server = subprocess.Popen(
        [str(plw), "serve", "--watch", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base)

        def rss_mb() -> float:
            status = Path(f"/proc/{server.pid}/status").read_text()
            return (
                int(next(x for x in status.splitlines() if x.startswith("VmRSS")).split()[1]) / 1024
            )

        with httpx.Client(timeout=30) as warm:  # warm up, then take the baseline
            for _ in range(20):
                warm.post(f"{base}/api/ask", json={"question": "EU funding for members?"})
        baseline = rss_mb()
        peak = [baseline]
        sizes: set[int] = set()
        stop_sampling = threading.Event()

        def sample() -> None:
            while not stop_sampling.is_set():
                peak.append(rss_mb())
                with contextlib.suppress(httpx.HTTPError):
                    sizes.add(httpx.get(f"{base}/healthz", timeout=5).json()["chunks"])
                time.sleep(0.1)

        sampler = threading.Thread(target=sample)
        sampler.start()
        latencies: list[float] = []
        failures: list[str] = []
        questions = [
            "How can clusters support their members with EU funding?",
            "Why keep communicating with members in a crisis?",
            "What was PLW#3 about?",
            "Did RECIPE4Mobility take part?",
        ]

        def client(i: int) -> None:
            with httpx.Client(timeout=30) as http:
                for n in range(args.requests):
                    t = time.perf_counter()
                    try:
                        r = http.post(
                            f"{base}/api/ask",
                            json={"question": questions[(i + n) % len(questions)]},
                        )
                        ok = r.status_code == 200 and bool(r.json()["citations"])
                        if not ok:
                            failures.append(f"HTTP {r.status_code}")
                    except httpx.HTTPError as exc:
                        failures.append(exc.__class__.__name__)
                    latencies.append((time.perf_counter() - t) * 1000)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for t in threads:
            t.start()
        for i in range(args.notes):
            time.sleep(1.0)
            (corpus / f"made-up-load-{i}.md").write_text(
                f"# Made-up note {i}\n\n## Lessons\n\n"
                f"- Made-up lesson number {i} for the load test.\n"
            )
            time.sleep(0.5)
        for t in threads:
            t.join()
        time.sleep(2.0)
        after = rss_mb()
        # A second, identical burst with no re-index: memory that keeps growing would show here.
        second = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for t in second:
            t.start()
        for t in second:
            t.join()
        stop_sampling.set()
        sampler.join()
        time.sleep(2.0)
        after_second = rss_mb()
        final = httpx.get(f"{base}/healthz").json()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)
    total = 2 * args.clients * args.requests
    print(
        f"{total} questions from {args.clients} clients in two bursts; during the first, "
        f"{args.notes} notes were added "
        f"and re-indexed (documents at the end: {final['documents']})"
    )
    print(f"failed: {len(failures)} {sorted(set(failures))}")
    print(
        f"latency ms: p50 {statistics.median(latencies):.1f}, "
        f"p95 {statistics.quantiles(latencies, n=20)[-1]:.1f}, max {max(latencies):.1f}"
    )
    # Each note adds one passage: any other count would be a half-built index.
    complete = {37 + i for i in range(args.notes + 1)}
    print(
        f"index sizes seen by /healthz during the run: {sorted(sizes)} "
        f"(all complete builds: {sizes <= complete})"
    )
    print(
        f"server RSS MB: baseline {baseline:.0f}, peak {max(peak):.0f}, "
        f"2 s after burst 1 {after:.0f}, 2 s after burst 2 {after_second:.0f}"
    )


if __name__ == "__main__":
    main()
