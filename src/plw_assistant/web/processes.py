"""Answer processes: questions answered by child processes, each with an ``Assistant`` of its
own, so that answering uses every core. In one process the answers' Python takes turns under
the GIL with the server's, and 8 clients got 1.1–1.4x one client's throughput on 2 cores; with
two answer processes, 1.6–1.8x (BENCHMARKS.md, "Why 8 clients…").

The server sends each question (the frozen ``Question``, pickled) over a socket pair to an idle
process and awaits its ``Answer`` on the event loop: no server thread waits. A child loads the
index itself, picks up each new generation as the server does (``LiveIndex``), records
unanswered questions in the same gap log (SQLite, safe across processes) and exits when its
socket closes. Until a child is ready, and after one dies, questions are answered in the server
process as before; a dead child is replaced (at most ``RESTARTS`` times)."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import struct
from typing import Any

from fastapi.concurrency import run_in_threadpool

from ..assistant import Assistant
from ..config import Settings
from ..domain import Answer, Question
from ..errors import PLWError
from ..store.generations import current_generation
from ..store.vectors import one_search_thread

log = logging.getLogger("plw_assistant")

HEAD = struct.Struct("!Q")  # the length of the pickled message that follows
RESTARTS = 3  # replacements for children that died, per server process
MAX_AUTO = 4  # `auto` starts at most this many
WAIT = 1.0  # seconds a question waits for an idle child before checking that any is left
# `auto` answers in the server process when the index is larger than this on disk: each child
# holds its own copy (at 1M passages the server alone holds about 1 GB).
AUTO_INDEX_MB = 512


def process_count(settings: Settings, cpus: int | None = None) -> int:
    """How many answer processes to start: PLW_ANSWER_PROCESSES, or for ``auto`` one per core
    (at most ``MAX_AUTO``) — none on one core, with an LLM (whose slow answers would hold a
    process each; threads wait for them better) or for an index over ``AUTO_INDEX_MB``."""
    if settings.answer_processes is not None:
        return settings.answer_processes
    cpus = cpus if cpus is not None else len(os.sched_getaffinity(0))
    if cpus < 2 or settings.llm_base_url:
        return 0
    gen = current_generation(settings.index_dir)
    if gen is not None:
        size = sum(f.stat().st_size for f in gen.rglob("*") if f.is_file())
        if size > AUTO_INDEX_MB * 1024 * 1024:
            return 0
    return min(cpus, MAX_AUTO)


class Answers:
    """Answers questions in the answer processes, or in this process when there are none."""

    def __init__(self, assistant: Assistant, count: int = 0) -> None:
        self.assistant = assistant
        self.count = count
        self._idle: asyncio.Queue[_Child] = asyncio.Queue()
        self._children: list[_Child] = []
        self._restarts = 0
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def ready(self) -> int:
        return sum(c.ready for c in self._children)

    def start(self) -> None:
        """Start the children (from the event loop); each joins when its index is loaded."""
        for _ in range(self.count):
            self._spawn()

    async def ask(self, question: Question, record: bool = True) -> Answer:
        child = await self._next()
        if child is not None:
            try:
                kind, payload = await child.call((question, record))
            except (OSError, EOFError, asyncio.IncompleteReadError, pickle.PickleError):
                self._lost(child)
            else:
                self._idle.put_nowait(child)
                if kind == "answer":
                    assert isinstance(payload, Answer)
                    return payload
                if kind == "error":
                    assert isinstance(payload, PLWError)
                    raise payload
                raise RuntimeError(f"An answer process failed: {payload}")
        return await run_in_threadpool(self.assistant.ask, question, record)

    async def _next(self) -> _Child | None:
        """An idle child, waiting for one while any is ready; ``None`` when none is."""
        while self.ready:
            try:
                async with asyncio.timeout(WAIT):  # then look again: the last one may be gone
                    child = await self._idle.get()
            except TimeoutError:
                continue
            if child.ready:
                return child
        return None

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        children, self._children = self._children, []
        for child in children:
            child.close()
        for child in children:
            await run_in_threadpool(child.stop)

    @property
    def started(self) -> int:
        return len(self._children)

    def _spawn(self) -> None:
        try:
            child = _Child.start(self.assistant.settings)
        except Exception as exc:  # no processes here (a sandbox, no fds left): threads answer
            log.error("Could not start an answer process (%s); answering in the server", exc)
            return
        self._children.append(child)
        task = asyncio.get_running_loop().create_task(self._join(child))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _join(self, child: _Child) -> None:
        """Wait for the child's "ready", then give it questions."""
        try:
            await child.connect()
        except (OSError, EOFError, asyncio.IncompleteReadError, pickle.PickleError):
            self._lost(child)
            return
        self._idle.put_nowait(child)

    def _lost(self, child: _Child) -> None:
        log.error("Answer process %s stopped; answering in the server meanwhile", child.pid)
        child.close()
        if child in self._children:
            self._children.remove(child)
        if self._restarts < RESTARTS:
            self._restarts += 1
            self._spawn()


class _Child:
    """One answer process and the server's end of its socket pair."""

    def __init__(self, process: Any, sock: socket.socket) -> None:
        self.process = process
        self.sock = sock
        self.ready = False
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    @property
    def pid(self) -> int | None:
        return int(self.process.pid) if self.process.pid is not None else None

    @classmethod
    def start(cls, settings: Settings) -> _Child:
        ours, theirs = socket.socketpair()
        # spawn, not fork: the server has threads (onnxruntime, the thread pool) by now.
        context = multiprocessing.get_context("spawn")
        process = context.Process(
            target=serve_questions, args=(theirs, settings), name="plw-answers", daemon=True
        )
        process.start()
        theirs.close()
        return cls(process, ours)

    async def connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(sock=self.sock)
        kind, _ = await self._receive()
        if kind != "ready":
            raise EOFError
        self.ready = True

    async def call(self, message: object) -> tuple[str, object]:
        assert self._writer is not None
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self._writer.write(HEAD.pack(len(data)) + data)
        await self._writer.drain()
        return await self._receive()

    async def _receive(self) -> tuple[str, object]:
        assert self._reader is not None
        (size,) = HEAD.unpack(await self._reader.readexactly(HEAD.size))
        kind, payload = pickle.loads(await self._reader.readexactly(size))
        return str(kind), payload

    def close(self) -> None:
        self.ready = False
        if self._writer is not None:
            self._writer.close()
        else:
            self.sock.close()

    def stop(self, timeout: float = 5.0) -> None:
        """Wait for the child to leave (its socket is closed), else end it."""
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout)


def serve_questions(sock: socket.socket, settings: Settings) -> None:
    """A child's life: load the index, say "ready", answer until the socket closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: answer process: %(message)s")
    one_search_thread()
    assistant = Assistant(settings)
    try:
        assistant.warm_up()
    except PLWError as exc:  # answered with each question, as in the server
        log.warning("No index yet: %s", exc)
    _send(sock, ("ready", None))
    while True:
        try:
            question, record = _receive(sock)
        except (EOFError, OSError):
            return
        reply: tuple[str, object]
        try:
            reply = ("answer", assistant.ask(question, record))
        except PLWError as exc:
            reply = ("error", exc)
        except Exception as exc:  # a bug: logged here, a 500 for this question only
            log.exception("Answering failed")
            reply = ("bug", exc.__class__.__name__)
        _send(sock, reply)


def _send(sock: socket.socket, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(HEAD.pack(len(data)) + data)


def _receive(sock: socket.socket) -> Any:
    (size,) = HEAD.unpack(_exactly(sock, HEAD.size))
    return pickle.loads(_exactly(sock, size))


def _exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(min(size - len(data), 1 << 20))
        if not chunk:
            raise EOFError
        data += chunk
    return bytes(data)
