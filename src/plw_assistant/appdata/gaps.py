"""The gap log: questions the notes could not answer, kept in the app database so an admin
can see which notes to add, and the results of asking them again after a re-index.

A row holds the question, when, the outcome (``abstained``; ``topic_only``: answered only
from topic labels; ``no``: an answer someone marked "No", with their optional comment) and the
chunks cited. Nothing about who asked is kept. Rows older than PLW_GAP_LOG_DAYS are deleted
on writes and never read."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..config import Settings
from ..errors import StorageError
from .database import AppDatabase, storage_problem

OUTCOMES = ("abstained", "topic_only", "no")
COLUMNS = "id, created_at, outcome, question, chunk_ids, comment, archived_at"
WHAT = "The list of unanswered questions"
PURGE_EVERY = 60  # seconds between deletions on write (reads never show older rows)


def stamp(seconds: float) -> str:
    """UTC time as ISO 8601, which sorts as it reads (what the rows are compared by)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


@dataclass(frozen=True)
class Gap:
    id: int
    created_at: str
    outcome: str
    question: str
    chunk_ids: tuple[str, ...] = ()
    comment: str = ""
    archived_at: str | None = None


@dataclass(frozen=True)
class Recheck:
    """A recorded question asked again: whether the notes answer it now, and how."""

    question: str
    checked_at: str
    answered: bool
    answer: str
    citations: list[dict[str, Any]] = field(default_factory=list)  # the passages quoted


class GapLog:
    """The unanswered questions, bounded to the last ``days`` days."""

    def __init__(
        self, database: AppDatabase, days: int, clock: Callable[[], float] = time.time
    ) -> None:
        self.database = database
        self.days = days
        self.clock = clock
        self._lock = threading.Lock()
        self._purged_at = float("-inf")
        # Writes share one connection: opening one per question cost a third of a
        # millisecond of CPU, about a tenth of an answer's.
        self._kept: sqlite3.Connection | None = None
        self._kept_for: int | None = None  # the inode it was opened on

    @classmethod
    def from_settings(cls, settings: Settings, database: AppDatabase) -> GapLog | None:
        """The log, or ``None`` when PLW_GAP_LOG is off (then nothing is recorded)."""
        return cls(database, settings.gap_log_days) if settings.gap_log else None

    @property
    def cutoff(self) -> str:
        return stamp(self.clock() - self.days * 86_400)

    def _reading(self) -> AbstractContextManager[sqlite3.Connection]:
        return self.database.transaction(WHAT, "read")

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """The kept connection, in one transaction; reopened when the file was replaced or
        removed, dropped after an error so the next write starts afresh."""
        with self._lock:
            try:
                db = self._connection()
                with db:
                    yield db
            except (sqlite3.Error, OSError) as exc:
                self.close()
                problem = storage_problem(exc, self.database.path, WHAT, "saved")
                raise StorageError(problem) from None

    def _connection(self) -> sqlite3.Connection:
        path = self.database.path
        inode = path.stat().st_ino if path.exists() else None
        if self._kept is not None and inode == self._kept_for:
            return self._kept
        self.close()
        db = self.database.connect(keep=True)
        db.execute("PRAGMA synchronous=NORMAL")  # a lost row costs little; an fsync, CPU
        self._kept, self._kept_for = db, path.stat().st_ino
        return db

    def close(self) -> None:
        if self._kept is not None:
            self._kept.close()
            self._kept = self._kept_for = None

    def add(
        self,
        outcome: str,
        question: str,
        chunk_ids: Sequence[str] = (),
        comment: str = "",
        vote: int | None = None,
    ) -> int:
        """Record one question; its row id. Rows past the retention go at the same time."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        with self._writing() as db:
            if self.clock() - self._purged_at >= PURGE_EVERY:
                self._purge(db)
            cursor = db.execute(
                "INSERT INTO gaps (created_at, outcome, question, chunk_ids, comment, vote) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (stamp(self.clock()), outcome, question, " ".join(chunk_ids), comment, vote),
            )
            return int(cursor.lastrowid or 0)

    def state(self) -> tuple[object, ...]:
        """What the groups depend on, in one read: it changes whenever a row is added,
        commented, archived, deleted or re-checked, or leaves the retention (by the hour)."""
        with self._reading() as db:
            row = db.execute(
                "SELECT count(*), max(id), count(archived_at), max(archived_at), "
                "sum(length(comment)), min(created_at), "
                "(SELECT count(*) || max(checked_at) FROM rechecks) FROM gaps"
            ).fetchone()
        return (*row, self.cutoff[:13])

    def comment_vote(self, vote: int, question: str, comment: str) -> bool:
        """Attach the comment that came after a "No" vote (the page without JavaScript asks
        for it on the next page) to the row that vote made."""
        with self._writing() as db:
            cursor = db.execute(
                "UPDATE gaps SET comment = ? WHERE vote = ? AND question = ? AND comment = ''",
                (comment, vote, question),
            )
            return cursor.rowcount > 0

    def withdraw_vote(self, vote: int, question: str) -> None:
        """A "No" changed to "Yes": the answer was no gap after all."""
        with self._writing() as db:
            db.execute("DELETE FROM gaps WHERE vote = ? AND question = ?", (vote, question))

    def recomment_vote(self, vote: int, question: str, comment: str) -> bool:
        """The comment of a "No" as the reader last sent it (the page's script lets them send
        it again); whether that vote has a row."""
        with self._writing() as db:
            cursor = db.execute(
                "UPDATE gaps SET comment = ? WHERE vote = ? AND question = ?",
                (comment, vote, question),
            )
            return cursor.rowcount > 0

    def _purge(self, db: sqlite3.Connection) -> None:
        self._purged_at = self.clock()
        db.execute("DELETE FROM gaps WHERE created_at < ?", (self.cutoff,))
        db.execute("DELETE FROM rechecks WHERE question NOT IN (SELECT question FROM gaps)")

    def purge(self) -> None:
        """Delete what is past the retention now (writes do it too)."""
        with self._writing() as db:
            self._purge(db)

    def gaps(self, archived: bool = False) -> list[Gap]:
        """The rows within the retention, oldest first: open ones, or only archived ones."""
        where = "archived_at IS NOT NULL" if archived else "archived_at IS NULL"
        with self._reading() as db:
            rows = db.execute(
                f"SELECT {COLUMNS} FROM gaps WHERE created_at >= ? AND {where} ORDER BY id",
                (self.cutoff,),
            ).fetchall()
        return [Gap(r[0], r[1], r[2], r[3], tuple(r[4].split()), r[5], r[6]) for r in rows]

    def archive(self, ids: Iterable[int]) -> int:
        """Set rows aside (a group the notes answer now); how many were open."""
        wanted = [(stamp(self.clock()), i) for i in ids]
        with self._writing() as db:
            cursor = db.executemany(
                "UPDATE gaps SET archived_at = ? WHERE id = ? AND archived_at IS NULL", wanted
            )
            return cursor.rowcount

    def save_rechecks(self, results: Iterable[Recheck]) -> None:
        rows = [
            (r.question, r.checked_at, int(r.answered), r.answer, json.dumps(r.citations))
            for r in results
        ]
        with self._writing() as db:
            db.executemany("INSERT OR REPLACE INTO rechecks VALUES (?, ?, ?, ?, ?)", rows)

    def rechecks(self) -> dict[str, Recheck]:
        """The latest re-check of each recorded question, by question."""
        with self._reading() as db:
            rows = db.execute("SELECT * FROM rechecks").fetchall()
        return {r[0]: Recheck(r[0], r[1], bool(r[2]), r[3], json.loads(r[4])) for r in rows}
