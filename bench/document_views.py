"""Readers of a large note's page against a real `plw serve`: its memory and others' questions.

Copies the shipped corpus, adds a made-up ordinary note of about 2 MB (paragraphs, headings,
short lists), indexes it, starts `plw serve`, then measures a question's latency alone, and again
while ``--readers`` clients each open the note's page ``--views`` times (each with another
cited passage). Prints view latencies (the first views render the note), question latencies
and the server's RSS and PSS (its own, and with its child processes, such as the one that
renders a large note).
With ``--root DIR`` the copy and its index are kept in DIR and reused by the next run (indexing
the note takes minutes), e.g. to compare two versions of the code on the same index.
Usage: python bench/document_views.py [--readers 8] [--views 5] [--questions 30] [--root DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import sqlite3
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
QUESTION = {"question": "How can clusters support their members with EU funding?"}


def ordinary_note(chars: int) -> str:
    """A made-up note of about ``chars`` characters."""
    out, n, size = ["# Made-up long note\n\n"], 0, 0
    while size < chars:
        n += 1
        part = [f"## Made-up section {n}\n\n"]
        part += [
            f"Paragraph {n}.{p} of a made-up note: clusters met their members, shared *lessons* "
            f"and wrote them down for the next webinar series, item {p}.\n\n"
            for p in range(12)
        ]
        part.append(f"- made-up point {n}.1\n- made-up point {n}.2\n\n")
        size += sum(map(len, part))
        out += part
    return "".join(out)


def memory(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MB of ``pid`` and its descendants."""
    rss = pss = 0.0
    for p in [pid, *_descendants(pid)]:
        try:
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        fields = {line.split(":")[0]: line.split()[1] for line in rollup[1:]}
        rss += int(fields.get("Rss", 0)) / 1024
        pss += int(fields.get("Pss", 0)) / 1024
    return rss, pss


def _descendants(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [d for c in map(int, children) for d in (c, *_descendants(c))]


def asks(base: str, n: int) -> list[float]:
    out = []
    with httpx.Client(timeout=120) as http:
        for _ in range(n):
            t = time.perf_counter()
            assert http.post(f"{base}/api/ask", json=QUESTION).status_code == 200
            out.append((time.perf_counter() - t) * 1000)
    return out


def stats(ms: list[float]) -> str:
    return f"p50 {statistics.median(ms):.0f} ms, max {max(ms):.0f} ms (n={len(ms)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--views", type=int, default=5, help="per reader")
    parser.add_argument("--questions", type=int, default=30, help="alone, for the baseline")
    parser.add_argument("--root", type=Path, help="keep (and reuse) the corpus and index here")
    args = parser.parse_args()
    root = args.root or Path(tempfile.mkdtemp(prefix="plw-views-"))
    fresh = not (root / "index" / "CURRENT").exists()
    if fresh:
        shutil.copytree(REPO / "corpus", root / "corpus", dirs_exist_ok=True)
        (root / "corpus" / "long.md").write_text(ordinary_note(2_000_000), encoding="utf-8")
    env = {
        **os.environ,
        "PLW_CORPUS_DIR": str(root / "corpus"),
        "PLW_INDEX_DIR": str(root / "index"),
        "HF_HUB_OFFLINE": "1",
    }
    plw = str(Path(sys.executable).parent / "plw")
    if fresh:
        subprocess.run([plw, "index"], env=env, check=True, stdout=subprocess.DEVNULL)
    for pages in (root / "index").glob("gen-*/pages"):
        shutil.rmtree(pages)  # every run starts with the note not yet rendered
    gen = (root / "index" / (root / "index" / "CURRENT").read_text().strip()) / "chunks.sqlite"
    with sqlite3.connect(gen) as db:
        ids = [r[0] for r in db.execute("SELECT id FROM chunks WHERE document = 'long'")]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [plw, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        run(server.pid, base, ids, args)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if args.root is None:
            shutil.rmtree(root, ignore_errors=True)


def run(pid: int, base: str, ids: list[str], args: argparse.Namespace) -> None:
    wait_healthy(base)
    asks(base, 10)  # warm up
    alone = asks(base, args.questions)
    before = memory(pid)
    peak = [before]
    views: list[tuple[int, float]] = []  # (round, ms)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak.append(memory(pid))
            time.sleep(0.1)

    def reader(i: int) -> None:
        with httpx.Client(timeout=300) as http:
            for v in range(args.views):
                passage = ids[(i * args.views + v) * 7 % len(ids)]
                t = time.perf_counter()
                r = http.get(f"{base}/documents/long", params={"passage": passage})
                assert r.status_code == 200 and 'id="passage"' in r.text
                views.append((v, (time.perf_counter() - t) * 1000))

    threads = [threading.Thread(target=sample)]
    threads += [threading.Thread(target=reader, args=(i,)) for i in range(args.readers)]
    for t in threads:
        t.start()
    during: list[float] = []
    while any(t.is_alive() for t in threads[1:]):  # questions for as long as the views last
        during += asks(base, 1)
    for t in threads[1:]:
        t.join()
    done.set()
    threads[0].join()
    time.sleep(2)
    after = memory(pid)
    print(f"note: 2 MB made-up Markdown, {len(ids)} passages; {args.readers} readers")
    print(f"first view of each reader: {stats([ms for v, ms in views if v == 0])}")
    print(f"later views: {stats([ms for v, ms in views if v > 0])}")
    print(f"question alone: {stats(alone)}")
    print(f"question during the views: {stats(during)}")
    rss, pss = max(p[0] for p in peak), max(p[1] for p in peak)
    print(
        f"server + children MB: RSS {before[0]:.0f} before, peak {rss:.0f} "
        f"(+{rss - before[0]:.0f}), {after[0]:.0f} 2 s after; "
        f"PSS {before[1]:.0f} before, peak {pss:.0f} "
        f"(+{pss - before[1]:.0f}), {after[1]:.0f} after"
    )


if __name__ == "__main__":
    main()
