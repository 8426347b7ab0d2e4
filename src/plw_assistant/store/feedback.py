"""Thumbs up or down on answers, kept in SQLite beside the index, exported as CSV."""

from __future__ import annotations

import csv
import io
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path

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

    def add(
        self, rating: str, question: str, answer: str, chunk_ids: Sequence[str], comment: str = ""
    ) -> None:
        when = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        with self._lock:
            db = self._connect()
            with db:
                db.execute(
                    "INSERT INTO feedback (created_at, rating, question, answer, chunk_ids, "
                    "comment) VALUES (?, ?, ?, ?, ?, ?)",
                    (when, rating, question, answer, " ".join(chunk_ids), comment),
                )
            db.close()

    def rows(self) -> list[tuple[str, ...]]:
        if not self.path.exists():
            return []
        db = self._connect()
        try:
            return list(db.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id"))
        finally:
            db.close()

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(self.rows())
        return out.getvalue()
