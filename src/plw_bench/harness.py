"""Measurements behind `plw bench`: the bare library path, query encoding, indexing
throughput, and `plw serve` under load over HTTP (latency, throughput, memory, cold start)."""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.client import HTTPConnection, HTTPException
from importlib import metadata
from pathlib import Path
from typing import Any

import faiss
import httpx
import numpy as np

# Ways of asking the same things differently, so every request is a new question (the
# server caches question embeddings; a benchmark that repeats questions measures the cache).
# Words the query analysis reads past ("Please tell me:", "Thanks.") would make two of them
# one question again: each of these is still read.
PREFIXES = ("", "For our board: ", "In a word, ", "Briefly, ", "For a report: ")
SUFFIXES = (
    "",
    " For our cluster.",
    " (asking for our cluster)",
    " Any lessons?",
    " From the webinars?",
    " In practice?",
)


def variants(questions: Sequence[str], n: int) -> list[str]:
    """``n`` distinct questions made from ``questions`` (cycled when there are not enough)."""
    out = [p + q + s for s in SUFFIXES for p in PREFIXES for q in questions]
    return [out[i % len(out)] for i in range(n)]


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kb = 0
    versions = ", ".join(
        f"{name} {_version(name)}"
        for name in ("torch", "sentence-transformers", "onnxruntime", "faiss-cpu", "bm25s")
    )
    return {
        "cpu": f"{cpu} ({cpu_flags()}), {os.cpu_count()} cores, {mem_kb / 2**20:.0f} GiB RAM, "
        "no GPU",
        "software": f"Python {platform.python_version()} on {platform.system()}; {versions}",
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def cpu_flags() -> str:
    """The flags that decide which precision is fastest here (``PLW_*_PRECISION=auto``),
    those present and those missing: ``avx2, avx512f; no avx512_vnni, …``."""
    from plw_assistant.embedding.precision import cpu_identity

    flags = set(cpu_identity()["flags"])
    names = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16")
    have = ", ".join(f for f in names if f in flags) or "no avx2"
    missing = [f for f in names if f not in flags and f != "avx2"]
    return have + ("; no " + ", ".join(missing) if missing else "")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "missing"


def times_ms(fn: Callable[[Any], Any], items: Sequence[Any]) -> list[float]:
    times = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - t) * 1000)
    return times


def median_ms(fn: Callable[[Any], Any], items: Sequence[Any]) -> float:
    return statistics.median(times_ms(fn, items))


def flat_search_ms(vectors: np.ndarray, queries: np.ndarray) -> float:
    """Median time of one exact top-10 search, the library's plain path."""
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return median_ms(lambda q: flat.search(q.reshape(1, -1), 10), list(queries))


def recall_at_10(index: faiss.Index, vectors: np.ndarray, queries: np.ndarray) -> float:
    """Share of the exact top 10 that ``index`` returns, averaged over ``queries``."""
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(np.ascontiguousarray(vectors, dtype=np.float32))
    _, truth = flat.search(queries, 10)
    _, found = index.search(queries, 10)
    return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, found, strict=True)]))


@dataclass
class Load:
    """One load level against a running server."""

    clients: int
    requests: int
    errors: int
    p50: float
    p95: float
    p99: float
    per_second: float
    latencies: list[float] = field(default_factory=list, repr=False)

    def figures(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "latencies"}


def combine(rounds: Sequence[Load]) -> Load:
    """Several rounds of one level: percentiles over every request, the median throughput."""
    every = [ms for r in rounds for ms in r.latencies]
    return Load(
        rounds[0].clients,
        len(every),
        sum(r.errors for r in rounds),
        _percentile(every, 50),
        _percentile(every, 95),
        _percentile(every, 99),
        statistics.median(r.per_second for r in rounds),
        every,
    )


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def load(base: str, questions: Sequence[str], clients: int) -> Load:
    """Send ``questions`` to ``/api/ask`` from ``clients`` concurrent keep-alive clients.

    The clients use the standard library's ``http.client``: the load generator shares the
    machine's cores with the server, and httpx spent 3 ms of CPU per request here, a third of
    what the server itself needs.
    """
    host, port = base.removeprefix("http://").split(":")
    shares = [list(questions[i::clients]) for i in range(clients)]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(mine: list[str]) -> None:
        http = HTTPConnection(host, int(port), timeout=60)
        headers = {"Content-Type": "application/json"}
        start.wait()
        for q in mine:
            t = time.perf_counter()
            try:
                http.request("POST", "/api/ask", json.dumps({"question": q}), headers)
                response = http.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, HTTPException):
                http.close()
                ok = False
            ms = (time.perf_counter() - t) * 1000
            with lock:
                latencies.append(ms)
                errors[0] += not ok
        http.close()

    threads = [threading.Thread(target=client, args=(s,)) for s in shares]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    return Load(
        clients,
        len(latencies),
        errors[0],
        _percentile(latencies, 50),
        _percentile(latencies, 95),
        _percentile(latencies, 99),
        len(latencies) / wall,
        latencies,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(base: str, seconds: float = 120) -> None:
    """Wait until a server at ``base`` answers /healthz with 200 (or ``seconds`` pass)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)


def descendants(pid: int) -> list[int]:
    """``pid`` and every process under it."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parents.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += parents.get(p, [])
    return found


def pss_mb(pids: list[int]) -> float:
    """Proportional set size of ``pids`` together, in MB: each shared page counted once, split
    between the processes sharing it (summed RSS would count it in each)."""
    total = 0.0
    for pid in pids:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        except OSError:  # gone meanwhile
            continue
        total += next(int(x.split()[1]) for x in rollup if x.startswith("Pss:")) / 1024
    return total


class Server:
    """A `plw serve` process on loopback."""

    def __init__(self, proc: subprocess.Popen[bytes], base: str, started: float) -> None:
        self.proc, self.base, self.started = proc, base, started  # started: time.monotonic()

    def memory_mb(self) -> tuple[float, float]:
        """Memory of the server and every process under it (workers, an indexer), in MB:
        PSS now (each shared page counted once, split between the processes sharing it) and
        the peaks of their resident sets added up (an upper bound: shared pages count in each)."""
        pids, peak = self.processes(), 0.0
        for pid in pids:
            try:
                status = Path(f"/proc/{pid}/status").read_text().splitlines()
            except OSError:  # gone meanwhile
                continue
            fields = dict(line.split(":", 1) for line in status if ":" in line)
            peak += int(fields["VmHWM"].split()[0]) / 1024
        return pss_mb(pids), peak

    def cpu_seconds(self) -> float:
        """CPU time the server and the processes under it have used so far (user + system, all
        their threads)."""
        total = 0
        for pid in self.processes():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def processes(self) -> list[int]:
        """The server's pid and its descendants' (workers, multiprocessing's resource
        tracker)."""
        return descendants(self.proc.pid)

    def first_answer(self, question: str, timeout: float = 600) -> float:
        """Seconds from process start until ``question`` is answered."""
        deadline = time.monotonic() + timeout
        with httpx.Client(base_url=self.base, timeout=30) as http:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError("plw serve exited before answering")
                try:
                    if http.post("/api/ask", json={"question": question}).status_code == 200:
                        return time.monotonic() - self.started
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
        raise RuntimeError(f"plw serve gave no answer within {timeout:.0f} s")


@contextmanager
def serve(env: dict[str, str], log: Path) -> Iterator[Server]:
    """Start `plw serve` with ``env`` (PLW_* variables) and stop it afterwards."""
    port = free_port()
    cmd = [
        sys.executable,
        "-c",
        "from plw_assistant.cli import main; main()",
        "serve",
        "--port",
        str(port),
    ]
    with log.open("ab") as out:
        started = time.monotonic()
        proc = subprocess.Popen(
            cmd, env={**os.environ, "HF_HUB_OFFLINE": "1", **env}, stdout=out, stderr=out
        )
        server = Server(proc, f"http://127.0.0.1:{port}", started)
        try:
            yield server
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def write_section(path: Path, section: str) -> None:
    """Replace the `plw bench` section of ``path`` (between its markers) with ``section``."""
    begin, end = "<!-- plw bench: begin -->", "<!-- plw bench: end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{begin}\n{section.strip()}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
