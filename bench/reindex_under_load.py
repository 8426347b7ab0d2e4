"""Questions answered while the index is rebuilt under them, over HTTP on loopback.

Starts `plw serve --watch` on a copy of the shipped corpus, sends a steady, bounded stream of
questions from several clients, and meanwhile saves new (made-up) notes one by one, each of
which the server re-indexes. Prints requests, failures and latencies.
Usage: python bench/reindex_under_load.py [--clients 4] [--requests 250] [--notes 5]
"""

from __future__ import annotations

import argparse
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
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        builds = {httpx.get(f"{base}/healthz").json()["built_at"]}
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
                f"# Made-up note {i}\n\n## Lessons\n\n- Made-up lesson number {i} for the load test.\n"
            )
            time.sleep(0.5)
            builds.add(httpx.get(f"{base}/healthz").json()["built_at"] + str(i))
        for t in threads:
            t.join()
        final = httpx.get(f"{base}/healthz").json()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)
    total = args.clients * args.requests
    print(
        f"{total} questions from {args.clients} clients while {args.notes} notes were added "
        f"and re-indexed (documents at the end: {final['documents']})"
    )
    print(f"failed: {len(failures)} {sorted(set(failures))}")
    print(
        f"latency ms: p50 {statistics.median(latencies):.1f}, "
        f"p95 {statistics.quantiles(latencies, n=20)[-1]:.1f}, max {max(latencies):.1f}"
    )


if __name__ == "__main__":
    main()
