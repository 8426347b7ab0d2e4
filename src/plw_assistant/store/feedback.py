"""Thumbs up or down on answers, kept in SQLite beside the index, exported as CSV."""

from __future__ import annotations

import csv
import io
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..errors import StorageError

COLUMNS = ("created_at", "rating", "question", "answer", "chunk_ids", "comment")


class FeedbackStore:
    """One row per vote: the question, the answer shown, the chunks it cited, up or down."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute(
            "CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, created_at TEXT, "
            "rating TEXT CHECK (rating IN ('up', 'down')), question TEXT, answer TEXT, "
            "chunk_ids TEXT, comment TEXT)"
        )
        return db

    @contextmanager
    def _database(self, doing: str) -> Iterator[sqlite3.Connection]:
        """A connection; a full disk or a damaged file becomes one sentence, not a 500."""
        try:
            db = self._connect()
            try:
                yield db
            finally:
                db.close()
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(_problem(exc, self.path, doing)) from None

    def add(
        self, rating: str, question: str, answer: str, chunk_ids: Sequence[str], comment: str = ""
    ) -> None:
        when = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        with self._lock, self._database("saved") as db, db:
            db.execute(
                "INSERT INTO feedback (created_at, rating, question, answer, chunk_ids, "
                "comment) VALUES (?, ?, ?, ?, ?, ?)",
                (when, rating, question, answer, " ".join(chunk_ids), comment),
            )

    def rows(self) -> list[tuple[str, ...]]:
        if not self.path.exists():
            return []
        with self._database("read") as db:
            return list(db.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id"))

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(self.rows())
        return out.getvalue()


def _problem(exc: Exception, path: Path, doing: str) -> str:
    text = str(exc).lower()
    if "full" in text or getattr(exc, "errno", None) == 28:
        cause = "the disk is full"
    elif "not a database" in text or "malformed" in text:
        cause = f"{path} is damaged (move it away to start a new one)"
    else:
        cause = str(exc) or exc.__class__.__name__
    return f"The feedback could not be {doing}: {cause}."
