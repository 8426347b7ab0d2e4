"""A generation's passages, read from its chunks.sqlite when asked for rather than all at
start-up: a million passages as Python objects took ~1 GB and ten seconds to read."""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

from ..domain import Chunk
from .tables import decode, field_spec

CACHE_ROWS = 4096  # recently read passages kept (every passage of a small corpus)
BATCH = 2048  # rows read per query when streaming
_SPEC = field_spec(Chunk)
_COLUMNS = ", ".join(n for n, _ in _SPEC)


class ChunkTable(Sequence[Chunk]):
    """Read-only passages by row, safe to share between threads.

    The connection is opened here, once: a generation's folder may be deleted (a newer build
    replaced it) while this table still serves, and the open file stays readable. SQLite is
    told the file never changes (``immutable``), so reads take no locks.
    """

    def __init__(self, path: Path, cache_rows: int = CACHE_ROWS) -> None:
        if not path.is_file():
            raise OSError(f"missing {path.name}")
        self._db = sqlite3.connect(
            f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
        self._lock = threading.Lock()
        self._cache: OrderedDict[int, Chunk] = OrderedDict()
        self._cache_rows = cache_rows
        # Rows are numbered 0..n-1: the largest one gives the count without a table scan.
        top = self._db.execute("SELECT max(row) FROM chunks").fetchone()[0]
        self._size = 0 if top is None else int(top) + 1

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, row: int) -> Chunk: ...

    @overload
    def __getitem__(self, row: slice) -> list[Chunk]: ...

    def __getitem__(self, row: int | slice) -> Chunk | list[Chunk]:
        if isinstance(row, slice):
            return self.many(range(*row.indices(self._size)))
        if row < 0:
            row += self._size
        if not 0 <= row < self._size:
            raise IndexError("chunk row out of range")
        return self.many([row])[0]

    def many(self, rows: Sequence[int]) -> list[Chunk]:
        """The passages of ``rows`` in that order, those not cached read in one query."""
        rows = [int(r) for r in rows]
        with self._lock:
            missing = sorted({r for r in rows if r not in self._cache})
            for row, values in self._select(missing):
                self._cache[row] = decode(Chunk, _SPEC, values)
            found = []
            for r in rows:
                try:
                    found.append(self._cache[r])
                except KeyError:
                    raise IndexError(f"no chunk at row {r}") from None
                self._cache.move_to_end(r)
            while len(self._cache) > self._cache_rows:
                self._cache.popitem(last=False)
        return found

    def __iter__(self) -> Iterator[Chunk]:
        """Every passage in row order, read in batches (the cache is left alone)."""
        for lo in range(0, self._size, BATCH):
            with self._lock:  # never held while the caller works on a batch
                batch = self._db.execute(
                    f"SELECT {_COLUMNS} FROM chunks WHERE row >= ? AND row < ? ORDER BY row",
                    (lo, lo + BATCH),
                ).fetchall()
            yield from (decode(Chunk, _SPEC, values) for values in batch)

    def values(self, column: str) -> Iterator[Any]:
        """One field of every passage, in row order, without building the passages."""
        if column not in {n for n, _ in _SPEC}:
            raise ValueError(f"no chunk field {column!r}")
        return self._values(column)

    def _values(self, column: str) -> Iterator[Any]:
        for lo in range(0, self._size, BATCH):
            with self._lock:
                batch = self._db.execute(
                    f"SELECT {column} FROM chunks WHERE row >= ? AND row < ? ORDER BY row",
                    (lo, lo + BATCH),
                ).fetchall()
            yield from (values[0] for values in batch)

    def rows_where(self, condition: str, params: Sequence[Any] = ()) -> list[int]:
        """Rows of the passages meeting an SQL ``condition``, in order. Conditions the table
        has an index for (``tables._INDEXES``) read only the rows they select."""
        with self._lock:
            found = self._db.execute(
                f"SELECT row FROM chunks WHERE {condition} ORDER BY row", tuple(params)
            )
            return [int(r) for (r,) in found]

    def read(self, rows: Sequence[int]) -> Iterator[tuple[int, Chunk]]:
        """``(row, chunk)`` of the given rows, read in batches (the cache is left alone)."""
        for lo in range(0, len(rows), BATCH):
            with self._lock:
                batch = list(self._select(sorted(set(rows[lo : lo + BATCH]))))
            found = {row: values for row, values in batch}
            for row in rows[lo : lo + BATCH]:
                yield row, decode(Chunk, _SPEC, found[row])

    def where(self, condition: str, params: Sequence[Any] = ()) -> Iterator[tuple[int, Chunk]]:
        """``(row, chunk)`` of the passages meeting an SQL ``condition``, in row order."""
        return self.read(self.rows_where(condition, params))

    def row_of(self, chunk_id: str) -> int | None:
        """The row of the passage with this id (an SQL index), if the table holds it."""
        with self._lock:
            found = self._db.execute("SELECT row FROM chunks WHERE id = ?", (chunk_id,))
            hit = found.fetchone()
        return None if hit is None else int(hit[0])

    def _select(self, rows: list[int]) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """``(row, values)`` of the given rows (the caller holds the lock)."""
        for lo in range(0, len(rows), 500):  # well under SQLite's bound on parameters
            part = rows[lo : lo + 500]
            marks = ",".join("?" * len(part))
            query = f"SELECT row, {_COLUMNS} FROM chunks WHERE row IN ({marks})"
            for values in self._db.execute(query, part):
                yield values[0], values[1:]

    def close(self) -> None:
        with self._lock:
            self._db.close()
