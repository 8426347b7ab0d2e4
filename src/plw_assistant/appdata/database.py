"""The app database: one SQLite file (WAL, so readers never wait for a writer) that every
``plw serve`` worker and replica over the same index folder opens, brought up to date by the
numbered migrations in ``migrations`` the first time a process uses it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..config import Settings
from ..errors import StorageError
from .migrations import Legacy, migrate

BUSY_SECONDS = 30  # a writer waits this long for another process's transaction to end


def storage_problem(exc: Exception, path: Path, what: str, doing: str) -> str:
    """One sentence for a store that failed: ``what`` could not be ``doing`` because…"""
    text = str(exc).lower()
    if "full" in text or getattr(exc, "errno", None) == 28:
        cause = "the disk is full"
    elif "not a database" in text or "malformed" in text:
        cause = f"{path} is damaged (move it away to start a new one)"
    else:
        cause = str(exc) or exc.__class__.__name__
    return f"{what} could not be {doing}: {cause}."


class AppDatabase:
    """Connections to the app database; the schema is migrated once per process."""

    def __init__(self, path: Path, legacy: Legacy | None = None) -> None:
        self.path = path
        self.legacy = legacy or Legacy()

    @classmethod
    def from_settings(cls, settings: Settings) -> AppDatabase:
        legacy = Legacy(feedback=settings.feedback_path, gaps=settings.gap_path)
        return cls(settings.database_path, legacy)

    def connect(self, keep: bool = False) -> sqlite3.Connection:
        """A connection to an up-to-date database (``keep``: usable from other threads, for
        a connection kept between requests). Raises ``sqlite3.Error`` or ``OSError``."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, check_same_thread=not keep)
        try:
            db.execute("PRAGMA foreign_keys=ON")
            # WAL with NORMAL: a commit costs no fsync (a power cut may lose the last ones).
            db.execute("PRAGMA synchronous=NORMAL")
            self._migrate(db)
        except BaseException:
            db.close()
            raise
        return db

    def _migrate(self, db: sqlite3.Connection) -> None:
        # Checked on every connection (one header read): a file replaced or removed since,
        # by an admin or a backup, is brought up to date like a new one.
        migrate(db, self.legacy)

    @contextmanager
    def transaction(self, what: str, doing: str) -> Iterator[sqlite3.Connection]:
        """A short-lived connection in one transaction; any failure becomes one sentence
        (``what`` could not be ``doing``: the disk is full…), never a 500."""
        try:
            db = self.connect()
            try:
                with db:
                    yield db
            finally:
                db.close()
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(storage_problem(exc, self.path, what, doing)) from None

    def version(self) -> int:
        with self.transaction("The app database", "read") as db:
            return int(db.execute("PRAGMA user_version").fetchone()[0])
