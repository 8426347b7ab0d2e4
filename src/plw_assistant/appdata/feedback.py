"""Thumbs up or down on answers, kept in the app database, exported as CSV.

``kind`` says what a row is about: ``answer`` (a vote on an answer shown) or ``missing`` (an
abstention someone says the lessons should have answered; its rating is ``down``)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from .. import spreadsheet
from .database import AppDatabase

COLUMNS = ("created_at", "rating", "question", "answer", "chunk_ids", "comment", "kind")
WHAT = "The feedback"


class FeedbackStore:
    """One row per vote: the question, the answer shown, the chunks it cited, up or down."""

    def __init__(self, database: AppDatabase) -> None:
        self.database = database

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
        with self.database.transaction(WHAT, "saved") as db:
            cursor = db.execute(
                "INSERT INTO feedback (created_at, rating, question, answer, chunk_ids, "
                "comment, kind) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (when, rating, question, answer, " ".join(chunk_ids), comment, kind),
            )
            return int(cursor.lastrowid or 0)

    def set_comment(self, vote: int, question: str, comment: str) -> bool:
        """Attach ``comment`` to vote ``vote`` of ``question`` if it has none yet (the page
        without JavaScript asks for it after the vote); whether a vote took it."""
        with self.database.transaction(WHAT, "saved") as db:
            cursor = db.execute(
                "UPDATE feedback SET comment = ? WHERE id = ? AND question = ? "
                "AND rating = 'down' AND coalesce(comment, '') = ''",
                (comment, vote, question),
            )
            return cursor.rowcount == 1

    def revise(self, vote: int, question: str, rating: str, comment: str) -> str | None:
        """Change vote ``vote`` of ``question`` (one vote per answer: the reader changed their
        mind, or added what was wrong); the rating it had, ``None`` if there is no such vote.
        A "Yes" keeps no comment: the comment said what was wrong."""
        with self.database.transaction(WHAT, "saved") as db:
            row = db.execute(
                "SELECT rating FROM feedback WHERE id = ? AND question = ?", (vote, question)
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE feedback SET rating = ?, comment = ? WHERE id = ?",
                (rating, comment if rating == "down" else "", vote),
            )
            return str(row[0])

    def rows(self) -> list[tuple[str, ...]]:
        with self.database.transaction(WHAT, "read") as db:
            return list(db.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id"))

    def to_csv(self) -> str:
        return spreadsheet.to_csv(COLUMNS, self.rows())
