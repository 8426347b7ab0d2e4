"""Generations of the index: each build is a new folder made current by one atomic rename of
``CURRENT``, so a failed or interrupted build never damages the index being served."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import IndexNotBuiltError
from .manifest import Manifest

CURRENT = "CURRENT"


def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / CURRENT).read_text().strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    gen = index_dir / name
    return gen if name and gen.is_dir() else None


def open_current(index_dir: Path) -> tuple[Path, Manifest]:
    """The current generation and its manifest; ``IndexNotBuiltError`` when there is none."""
    gen = current_generation(index_dir)
    if gen is None:
        raise IndexNotBuiltError(
            f"No index has been built in '{index_dir}' yet. Run `plw index` to build it."
        )
    return gen, Manifest.read(gen, index_dir)


def read_manifest(index_dir: Path) -> Manifest:
    """The current manifest; ``IndexNotBuiltError`` if there is none, mismatch if unreadable."""
    return open_current(index_dir)[1]


def publish(index_dir: Path, write: Callable[[Path], None]) -> Path:
    """Let ``write`` fill a new folder, then make it the current generation atomically."""
    index_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=index_dir))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)
    try:
        write(tmp)
        for f in tmp.rglob("*"):
            if f.is_file():
                _fsync(f)
        previous = current_generation(index_dir)
        gen = index_dir / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{tmp.name[-8:]}"
        tmp.rename(gen)
        pointer = index_dir / f".{CURRENT}.tmp"
        pointer.write_text(gen.name + "\n")
        _fsync(pointer)
        os.replace(pointer, index_dir / CURRENT)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _prune(index_dir, keep={gen.name, previous.name if previous else ""})
    return gen


class Pointer:
    """Notices cheaply (one ``stat``) when ``CURRENT`` names a generation other than the one
    served: a new generation replaces the pointer file, so its inode and mtime change."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._seen: tuple[int, int, int] | None = None

    def changed(self) -> bool:
        try:
            st = os.stat(self.index_dir / CURRENT)
            seen: tuple[int, int, int] | None = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            seen = None
        if seen is not None and seen == self._seen:
            return False
        self._seen = seen
        return True


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _prune(index_dir: Path, keep: set[str]) -> None:
    """Drop old generations and abandoned builds; the previous one stays for running readers."""
    stale_build = time.time() - 3600
    for p in index_dir.iterdir():
        old_gen = p.name.startswith("gen-") and p.name not in keep
        abandoned = p.name.startswith(".build-") and p.stat().st_mtime < stale_build
        if p.is_dir() and (old_gen or abandoned):
            shutil.rmtree(p, ignore_errors=True)
