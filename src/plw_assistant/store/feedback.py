"""Thumbs up or down on answers, kept in SQLite beside the index, exported as CSV.

``kind`` says what a row is about: ``answer`` (a vote on an answer shown) or ``missing`` (an
abstention someone says the lessons should have answered; its rating is ``down``). Files from
before the column get it on first use, every old row as ``answer``."""

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
from .tables import storage_problem

COLUMNS = ("created_at", "rating", "question", "answer", "chunk_ids", "comment", "kind")
KIND_COLUMN = "kind TEXT NOT NULL DEFAULT 'answer' CHECK (kind IN ('answer', 'missing'))"


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
            f"chunk_ids TEXT, comment TEXT, {KIND_COLUMN})"
        )
        if "kind" not in {row[1] for row in db.execute("PRAGMA table_info(feedback)")}:
            try:  # a file from before the column
                db.execute(f"ALTER TABLE feedback ADD COLUMN {KIND_COLUMN}")
                db.commit()
            except sqlite3.OperationalError as exc:
                if "duplicate column" not in str(exc):  # another process added it first
                    raise
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
        self,
        rating: str,
        question: str,
        answer: str,
        chunk_ids: Sequence[str],
        comment: str = "",
        kind: str = "answer",
    ) -> int:
        """Store one vote; its row id (to attach a comment to it later)."""
        when = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        with self._lock, self._database("saved") as db, db:
            cursor = db.execute(
                "INSERT INTO feedback (created_at, rating, question, answer, chunk_ids, "
                "comment, kind) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (when, rating, question, answer, " ".join(chunk_ids), comment, kind),
            )
            return int(cursor.lastrowid or 0)

    def set_comment(self, vote: int, question: str, comment: str) -> bool:
        """Attach ``comment`` to vote ``vote`` of ``question`` if it has none yet (the page
        without JavaScript asks for it after the vote); whether a vote took it."""
        with self._lock, self._database("saved") as db, db:
            cursor = db.execute(
                "UPDATE feedback SET comment = ? WHERE id = ? AND question = ? "
                "AND rating = 'down' AND coalesce(comment, '') = ''",
                (comment, vote, question),
            )
            return cursor.rowcount == 1

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
    return storage_problem(exc, path, "The feedback", doing)
