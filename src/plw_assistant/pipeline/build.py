"""Bringing the index up to date with the corpus, one build at a time (a file lock). That
nothing changed is found out first and cheaply (``freshness.unchanged``: no index, model or
parser loaded); otherwise only new and changed passages are embedded (``incremental``) and the
result is written as a new generation."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Settings
from ..embedding.base import Embedder
from ..errors import BuildError
from .freshness import unchanged
from .report import BuildReport

if TYPE_CHECKING:
    from ..store.reader import Index
    from .embed import ProgressFactory


def build_index(
    settings: Settings,
    embedder: Embedder,
    progress: ProgressFactory | None = None,
    loaded: Index | None = None,
) -> BuildReport:
    """Bring the index up to date with the corpus: parse and embed only what changed.
    ``loaded`` is the current index if the caller holds it in memory (a serving process)."""
    started = time.perf_counter()
    with build_lock(settings.index_dir):
        report = unchanged(settings, embedder, started)
        if report is not None:
            return report
        # Imported here, when there is work: FAISS, numpy, the parsers and the model.
        from .incremental import build

        return build(settings, embedder, progress, loaded, started)


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time per index folder; a second one waits for the first. Holding the
    lock, no other build can be writing: the half-written folders of killed builds go."""
    if index_dir.exists() and not index_dir.is_dir():
        raise BuildError(
            f"PLW_INDEX_DIR is {index_dir}, which is a file, not a folder. Point PLW_INDEX_DIR "
            "at a folder (it is created if missing)."
        )
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        lock = (index_dir / ".lock").open("a")
    except OSError as exc:
        raise BuildError(write_error(exc, index_dir)) from None
    with lock as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            for leftover in index_dir.glob(".build-*"):
                shutil.rmtree(leftover, ignore_errors=True)
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def write_error(exc: OSError | RuntimeError, index_dir: Path) -> str:
    what = {
        errno.ENOSPC: "the disk is full",
        errno.EACCES: "permission denied",
        errno.EROFS: "the file system is read-only",
        errno.EDQUOT: "the disk quota is used up",
    }
    if isinstance(exc, OSError):
        cause = what.get(exc.errno or 0, exc.strerror or exc.__class__.__name__)
    else:  # FAISS: "… No space left on device" inside a longer message
        known = (text for code, text in what.items() if os.strerror(code) in str(exc))
        cause = next(known, "the index files could not be written")
    return (
        f"Could not write the new index to {index_dir}: {cause}. The previous index is "
        "unchanged and still serves; free space or fix permissions, then run `plw index` again."
    )
