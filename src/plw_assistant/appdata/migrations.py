"""The app database's schema, one numbered migration at a time (the ``PRAGMA user_version``
pattern): a database at version N gets migrations N+1… in one exclusive transaction, so two
processes starting together never apply one twice. Never edit a released migration; add one.

Migration 2 brings in the two stores of earlier versions (``feedback.sqlite`` and
``gaps.sqlite`` beside the index, or PLW_FEEDBACK_DB / PLW_GAP_DB), keeping every row and its
id (a gap's ``vote`` is the id of the feedback row it came from); the old files are then
renamed ``*.imported`` rather than deleted."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("plw_assistant")


@dataclass(frozen=True)
class Legacy:
    """Where earlier versions kept feedback and the gap log (imported once, if there)."""

    feedback: Path | None = None
    gaps: Path | None = None


UNREAD: set[Path] = set()  # old files that could not be read: never renamed
Migration = Callable[[sqlite3.Connection, Legacy], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_tables(db: sqlite3.Connection, legacy: Legacy) -> None:
    for statement in (
        "CREATE TABLE feedback (id INTEGER PRIMARY KEY, created_at TEXT, "
        "rating TEXT CHECK (rating IN ('up', 'down')), question TEXT, answer TEXT, "
        "chunk_ids TEXT, comment TEXT, "
        "kind TEXT NOT NULL DEFAULT 'answer' CHECK (kind IN ('answer', 'missing')))",
        "CREATE TABLE gaps (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, "
        "outcome TEXT NOT NULL CHECK (outcome IN ('abstained', 'topic_only', 'no')), "
        "question TEXT NOT NULL, chunk_ids TEXT NOT NULL DEFAULT '', "
        "comment TEXT NOT NULL DEFAULT '', vote INTEGER, archived_at TEXT)",
        "CREATE INDEX gaps_created ON gaps (created_at)",
        "CREATE TABLE rechecks (question TEXT PRIMARY KEY, checked_at TEXT NOT NULL, "
        "answered INTEGER NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL)",
        # Admin sessions are signed cookies; only those signed out early are kept.
        "CREATE TABLE revoked_sessions (nonce TEXT PRIMARY KEY, expires REAL NOT NULL)",
        # One row per counted request, per limit and client (a moving window).
        "CREATE TABLE rate_hits (kind TEXT NOT NULL, client TEXT NOT NULL, at REAL NOT NULL)",
        "CREATE INDEX rate_hits_by ON rate_hits (kind, client, at)",
        "CREATE TABLE builds (id INTEGER PRIMARY KEY, finished_at TEXT NOT NULL, "
        "generation TEXT, report TEXT NOT NULL)",
    ):
        db.execute(statement)


@migration
def m002_import_old_stores(db: sqlite3.Connection, legacy: Legacy) -> None:
    if legacy.feedback is not None:
        rows: list[Any] = _old_rows(legacy.feedback, "feedback")
        # A Row's `in` looks at its values, keys() at its columns.
        if rows and "kind" not in rows[0].keys():  # noqa: SIM118  before the column: votes
            rows = [{**dict(r), "kind": "answer"} for r in rows]
        _insert(db, "feedback", FEEDBACK, rows)
    if legacy.gaps is not None:
        _insert(db, "gaps", GAPS, _old_rows(legacy.gaps, "gaps"))
        _insert(db, "rechecks", RECHECKS, _old_rows(legacy.gaps, "rechecks"))


FEEDBACK = ("id", "created_at", "rating", "question", "answer", "chunk_ids", "comment", "kind")
GAPS = ("id", "created_at", "outcome", "question", "chunk_ids", "comment", "vote", "archived_at")
RECHECKS = ("question", "checked_at", "answered", "answer", "citations")


def _old_rows(path: Path, table: str) -> list[sqlite3.Row]:
    """Every row of ``table`` in an earlier version's file (none when there is no such file
    or table). Read through a connection of its own: SQLite cannot ATTACH in a transaction."""
    if not path.is_file():
        return []
    old = sqlite3.connect(path, timeout=30)
    try:
        old.row_factory = sqlite3.Row
        found = old.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        return old.execute(f"SELECT * FROM {table}").fetchall() if found else []
    except sqlite3.DatabaseError as exc:
        # Left where it is, for someone to look at: the app runs on without its rows.
        log.warning("Not imported into the app database: %s could not be read (%s).", path, exc)
        UNREAD.add(path)
        return []
    finally:
        old.close()  # the last connection: a WAL file is checkpointed into the file


def _insert(db: sqlite3.Connection, table: str, columns: tuple[str, ...], rows: list[Any]) -> None:
    marks = ", ".join("?" * len(columns))
    db.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
        [tuple(row[c] for c in columns) for row in rows],
    )


def migrate(db: sqlite3.Connection, legacy: Legacy) -> int:
    """Apply the migrations ``db`` lacks; the version it is at afterwards."""
    level = db.isolation_level
    db.isolation_level = None  # transactions by hand: BEGIN EXCLUSIVE below
    try:
        if _version(db) >= len(MIGRATIONS):
            return len(MIGRATIONS)
        db.execute("PRAGMA journal_mode=WAL")  # kept by the file: readers never wait
        db.execute("BEGIN EXCLUSIVE")
        try:
            start = _version(db)  # again: another process may have migrated meanwhile
            for number, step in enumerate(MIGRATIONS[start:], start + 1):
                step(db, legacy)
                db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    finally:
        db.isolation_level = level
    if start < 2 <= len(MIGRATIONS):
        _set_aside(legacy)
    return len(MIGRATIONS)


def _version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _set_aside(legacy: Legacy) -> None:
    """Rename the imported files, so nobody takes them for the live stores (none is lost)."""
    for path in (legacy.feedback, legacy.gaps):
        if path is not None and path.is_file() and path not in UNREAD:
            target = path.with_name(path.name + ".imported")
            path.replace(target)
            for suffix in ("-wal", "-shm"):  # left by a process that did not close it
                side = path.with_name(path.name + suffix)
                if side.exists():
                    side.replace(target.with_name(target.name + suffix))
            log.info("Imported %s into the app database; the old file is now %s", path, target)
