"""The exact (fp32) vectors behind a compressed approximate index, read by row: to re-score
the approximate index's candidates, to show answers and to reuse vectors in the next build.

On disk they are a plain ``.npy`` file read with ``pread`` rather than memory-mapped: pages a
mapping touches count as the server's resident memory and would grow with every question,
while ``pread`` leaves them to the page cache. The descriptor is opened once, so the rows
stay readable after a newer build has deleted the generation's folder.
"""

from __future__ import annotations

import os
import weakref
from pathlib import Path
from typing import Any, Protocol

import numpy as np

_BLOCK = 65_536  # rows per read when reading a whole file


class Rows(Protocol):
    """Stored vectors by row."""

    @property
    def shape(self) -> tuple[int, int]: ...

    def take(self, rows: Any) -> np.ndarray: ...

    def all(self) -> np.ndarray: ...


class MemoryRows:
    """Rows held in memory (an index just built); ``owner`` keeps the memory they view."""

    def __init__(self, array: np.ndarray, owner: object = None) -> None:
        self.array = array
        self.owner = owner

    @property
    def shape(self) -> tuple[int, int]:
        n, d = self.array.shape
        return int(n), int(d)

    def take(self, rows: Any) -> np.ndarray:
        return np.asarray(self.array[np.asarray(rows, dtype=np.int64)], dtype=np.float32)

    def all(self) -> np.ndarray:
        return np.array(self.array, dtype=np.float32)


class FileRows:
    """The rows of a 2-D float32 ``.npy`` file, read on demand."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as fh:
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
            self._offset = fh.tell()
        if len(shape) != 2 or fortran or dtype != np.dtype(np.float32):
            raise ValueError(f"{path.name} is not a table of float32 rows")
        if path.stat().st_size != self._offset + shape[0] * shape[1] * 4:
            raise ValueError(f"{path.name} is truncated")
        self._shape = (int(shape[0]), int(shape[1]))
        self._row_bytes = self._shape[1] * 4
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)

    @property
    def shape(self) -> tuple[int, int]:
        return self._shape

    def take(self, rows: Any) -> np.ndarray:
        """The given rows, in the given order: one read per run of consecutive rows."""
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        if rows.size and (rows.min() < 0 or rows.max() >= self._shape[0]):
            raise IndexError("vector row out of range")
        wanted, where = np.unique(rows, return_inverse=True)
        out = np.empty((wanted.size, self._shape[1]), dtype=np.float32)
        breaks = np.flatnonzero(np.diff(wanted) != 1) + 1
        starts = [0, *breaks.tolist()]
        ends = [*breaks.tolist(), int(wanted.size)]
        for lo, hi in zip(starts, ends, strict=True):
            if hi > lo:
                self._read(out[lo:hi], int(wanted[lo]))
        return out[where.reshape(-1)]

    def all(self) -> np.ndarray:
        out = np.empty(self._shape, dtype=np.float32)
        for lo in range(0, self._shape[0], _BLOCK):
            self._read(out[lo : lo + _BLOCK], lo)
        return out

    def _read(self, into: np.ndarray, first: int) -> None:
        view = into.data.cast("B")
        offset, done = self._offset + first * self._row_bytes, 0
        while done < len(view):  # a read may return less than asked
            got = os.preadv(self._fd, [view[done:]], offset + done)
            if got <= 0:
                raise OSError("vector file ended early")
            done += got


def save_rows(array: np.ndarray, path: Path) -> None:
    np.save(path, np.ascontiguousarray(array, dtype=np.float32))
