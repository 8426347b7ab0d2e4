"""The chunk and document tables of a generation (SQLite, one column per dataclass field)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from ..domain import Chunk, Document


def write_tables(path: Path, chunks: Sequence[Chunk], documents: Sequence[Document]) -> None:
    with sqlite3.connect(path) as db:
        _write_table(db, "chunks", Chunk, chunks)
        _write_table(db, "documents", Document, documents)
    db.close()


def read_tables(path: Path) -> tuple[list[Chunk], list[Document]]:
    if not path.is_file():
        raise OSError(f"missing {path.name}")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _read_table(db, "chunks", Chunk), _read_table(db, "documents", Document)
    finally:
        db.close()


def _write_table(db: sqlite3.Connection, name: str, cls: type, items: Sequence[Any]) -> None:
    """One column per dataclass field (tuples as JSON); ``row`` keeps the order."""
    cols = [f.name for f in fields(cls)]
    db.execute(f"CREATE TABLE {name} (row INTEGER PRIMARY KEY, {', '.join(cols)})")
    db.executemany(
        f"INSERT INTO {name} VALUES ({', '.join('?' * (len(cols) + 1))})",
        [
            (
                i,
                *(
                    json.dumps(v) if isinstance(v, tuple) else v
                    for v in (getattr(item, c) for c in cols)
                ),
            )
            for i, item in enumerate(items)
        ],
    )


def _read_table(db: sqlite3.Connection, name: str, cls: type) -> list[Any]:
    spec = [(f.name, type(f.default)) for f in fields(cls)]
    rows = db.execute(f"SELECT {', '.join(n for n, _ in spec)} FROM {name} ORDER BY row")
    return [
        cls(
            **{
                n: tuple(json.loads(v)) if kind is tuple else bool(v) if kind is bool else v
                for (n, kind), v in zip(spec, r, strict=True)
            }
        )
        for r in rows
    ]
