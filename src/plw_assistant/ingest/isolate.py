"""Converting HTML, PDF, Word, PowerPoint, e-mail and image notes (OCR: Tesseract runs as a
child of the worker, under the same memory limit) in a worker process with a time and a memory
limit.

A parser that hangs or swallows memory on one hostile file must not stop the build or sink the
machine: :class:`IsolatedConverter` runs the converter in one worker process (started only when
a file needs it, reused for the files of one build, stopped at the end). A file that takes
longer than :data:`TIMEOUT_S` (:data:`OCR_TIMEOUT_S` for a file that may need OCR) fails and its
worker is killed; the next file gets a new one.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import resource
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import Any, TypeVar

from ..errors import CorpusError
from .formats import TOO_MUCH_MEMORY, Converted, convert

TIMEOUT_S = 20.0
OCR_TIMEOUT_S = 600.0  # a file that may need OCR (an image, a PDF): each page has its own limit
OCR_SUFFIXES = {".pdf", ".png", ".jpg", ".jpeg"}
MEMORY_BYTES = 1536 * 1024 * 1024  # how much the worker may grow (address space)
TOO_SLOW = "reading it took longer than {seconds:g} s"
CRASHED = "its reader stopped unexpectedly (not enough memory?)"

T = TypeVar("T")

# What the worker runs, looked up when a file is sent (tests put a slow one here). It must be
# a module-level function: the worker process receives it by name.
WORKER_CONVERT: Callable[[str, bytes], Converted] = convert


class IsolatedConverter:
    """``convert(suffix, data)`` in a worker process; use it as a context manager."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> IsolatedConverter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:  # interrupted (Ctrl-C): the worker may be busy, do not wait for it
            self._discard()

    def __call__(self, suffix: str, data: bytes) -> Converted:
        """The converted file; ``CorpusError`` says what went wrong, including a timeout."""
        seconds = OCR_TIMEOUT_S if suffix in OCR_SUFFIXES else TIMEOUT_S
        return self.run(WORKER_CONVERT, suffix, data, seconds=seconds)

    def run(self, fn: Callable[..., T], *args: Any, seconds: float | None = None) -> T:
        """``fn(*args)`` in the worker (``fn`` a module-level function, its result picklable)
        within ``seconds`` (default ``TIMEOUT_S``); ``CorpusError`` says what went wrong,
        including a timeout."""
        seconds = TIMEOUT_S if seconds is None else seconds
        try:
            future = self._started().submit(_work, fn, *args)
            result = future.result(timeout=seconds)
        except TimeoutError:
            self._discard()
            raise CorpusError(TOO_SLOW.format(seconds=seconds)) from None
        except BrokenProcessPool:
            self._discard()
            raise CorpusError(CRASHED) from None
        if isinstance(result, _Failed):
            raise CorpusError(result.reason)
        return result  # type: ignore[no-any-return]

    def close(self) -> None:
        """Stop the worker (it finishes nothing: every call waited for its result)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context(
                "forkserver" if "forkserver" in methods else "spawn"
            )
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=context,
                initializer=_limit_memory,
                initargs=(MEMORY_BYTES,),
            )
        return self._pool

    def _discard(self) -> None:
        """Kill the worker (it may be stuck in C code) and forget the pool."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.kill()
        pool.shutdown(wait=True, cancel_futures=True)


def convert_isolated(suffix: str, data: bytes) -> Converted:
    """Convert one file in a worker process of its own (for callers outside a build)."""
    with IsolatedConverter() as converter:
        return converter(suffix, data)


def _limit_memory(limit: int) -> None:
    """Runs first in the worker: it may use ``limit`` bytes of address space beyond what it
    has now; past that, allocations fail with ``MemoryError`` instead of sinking the host."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            now = int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        now = 0
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = now + limit
    for cap in (soft, hard):
        if cap != resource.RLIM_INFINITY:
            want = min(want, cap)
    with contextlib.suppress(ValueError, OSError):  # a platform without RLIMIT_AS
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))


class _Failed:
    """Why the worker's call failed (a plain reason pickles safely, where a parser's own
    exception class may not)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _work(fn: Callable[..., Any], *args: Any) -> Any:
    """Runs in the worker: ``fn``'s result, or a :class:`_Failed` saying why."""
    try:
        return fn(*args)
    except CorpusError as exc:
        return _Failed(str(exc))
    except MemoryError:
        return _Failed(TOO_MUCH_MEMORY)
    except Exception as exc:  # one bad file is reported, never fatal
        return _Failed(f"it could not be read ({type(exc).__name__})")
