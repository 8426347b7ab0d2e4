"""The chunk and document tables of a generation (SQLite, one column per dataclass field)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from ..domain import Chunk, Document

# What `ChunkTable` looks rows up by without reading the whole table: a passage by its id,
# the passages of a webinar (``session``) or a section, and those whose text holds a "#"
# (where a webinar id such as "PLW#3" can be named: search/names.py).
_INDEXES = (
    "CREATE INDEX chunks_id ON chunks(id)",
    "CREATE INDEX chunks_section ON chunks(section)",
    "CREATE INDEX chunks_session ON chunks(row) WHERE session IS NOT NULL",
    "CREATE INDEX chunks_marked ON chunks(row) WHERE instr(text, '#') > 0",
)


def write_tables(path: Path, chunks: Sequence[Chunk], documents: Sequence[Document]) -> None:
    with sqlite3.connect(path) as db:
        _write_table(db, "chunks", Chunk, chunks)
        _write_table(db, "documents", Document, documents)
        for statement in _INDEXES:
            db.execute(statement)
    db.close()


def read_documents(path: Path) -> list[Document]:
    if not path.is_file():
        raise OSError(f"missing {path.name}")
    db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        spec = field_spec(Document)
        rows = db.execute(f"SELECT {', '.join(n for n, _ in spec)} FROM documents ORDER BY row")
        return [decode(Document, spec, r) for r in rows]
    finally:
        db.close()


def _write_table(db: sqlite3.Connection, name: str, cls: type, items: Sequence[Any]) -> None:
    """One column per dataclass field (tuples as JSON); ``row`` keeps the order."""
    cols = [f.name for f in fields(cls)]
    db.execute(f"CREATE TABLE {name} (row INTEGER PRIMARY KEY, {', '.join(cols)})")
    db.executemany(
        f"INSERT INTO {name} VALUES ({', '.join('?' * (len(cols) + 1))})",
        (
            (
                i,
                *(
                    json.dumps(v) if isinstance(v, tuple) else v
                    for v in (getattr(item, c) for c in cols)
                ),
            )
            for i, item in enumerate(items)
        ),
    )


def field_spec(cls: type) -> list[tuple[str, type]]:
    """(column, kind of its default) of each field of a stored dataclass."""
    return [(f.name, type(f.default)) for f in fields(cls)]


def decode(cls: type, spec: list[tuple[str, type]], values: Sequence[Any]) -> Any:
    """One stored row back as its dataclass (JSON lists as tuples, integers as booleans)."""
    return cls(
        **{
            n: tuple(json.loads(v)) if kind is tuple else bool(v) if kind is bool else v
            for (n, kind), v in zip(spec, values, strict=True)
        }
    )
