"""The app database: numbered migrations, the upgrade from the two stores of earlier versions
(a copy of each old schema, every row kept with its id), and the state every server over one
index folder shares (session key, sign-outs, rate counters, the last build). The rows are
made up."""

from __future__ import annotations

import sqlite3
import stat
import threading
from contextlib import closing
from pathlib import Path

import pytest

from plw_assistant.appdata.builds import BuildLog, FileLine, LastBuild
from plw_assistant.appdata.database import AppDatabase
from plw_assistant.appdata.feedback import FeedbackStore
from plw_assistant.appdata.gaps import GapLog
from plw_assistant.appdata.migrations import MIGRATIONS, Legacy
from plw_assistant.appdata.rates import RateCounter
from plw_assistant.appdata.sessions import Revocations, signing_key
from plw_assistant.config import Settings
from plw_assistant.errors import StorageError

# The schemas earlier versions wrote, as they wrote them (store/feedback.py before and after
# its `kind` column, store/gaps.py).
FEEDBACK_V1 = (
    "CREATE TABLE feedback (id INTEGER PRIMARY KEY, created_at TEXT, "
    "rating TEXT CHECK (rating IN ('up', 'down')), question TEXT, answer TEXT, "
    "chunk_ids TEXT, comment TEXT)"
)
FEEDBACK_V2 = FEEDBACK_V1.removesuffix(")") + (
    ", kind TEXT NOT NULL DEFAULT 'answer' CHECK (kind IN ('answer', 'missing')))"
)
GAPS_V1 = (
    "CREATE TABLE gaps (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, "
    "outcome TEXT NOT NULL CHECK (outcome IN ('abstained', 'topic_only', 'no')), "
    "question TEXT NOT NULL, chunk_ids TEXT NOT NULL DEFAULT '', "
    "comment TEXT NOT NULL DEFAULT '', vote INTEGER, archived_at TEXT)",
    "CREATE INDEX gaps_created ON gaps (created_at)",
    "CREATE TABLE rechecks (question TEXT PRIMARY KEY, checked_at TEXT NOT NULL, "
    "answered INTEGER NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL)",
)


def _old_feedback(path: Path, with_kind: bool) -> None:
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(FEEDBACK_V2 if with_kind else FEEDBACK_V1)
        rows = [
            (3, "2026-01-01T10:00:00+0000", "up", "Made-up question?", "A.", "a#1", ""),
            (7, "2026-01-02T10:00:00+0000", "down", "Made-up other?", "B.", "", "Made-up"),
        ]
        if with_kind:
            db.executemany("INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?, 'missing')", rows)
        else:
            db.executemany("INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def _old_gaps(path: Path) -> None:
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("PRAGMA journal_mode=WAL")  # as the old log ran: rows may sit in the WAL
        for statement in GAPS_V1:
            db.execute(statement)
        db.execute(
            "INSERT INTO gaps VALUES (12, '2026-11-20T10:00:00Z', 'no', 'Made-up other?', "
            "'', 'Made-up', 7, NULL)"
        )
        db.execute(
            "INSERT INTO gaps VALUES (13, '2026-11-21T10:00:00Z', 'abstained', 'Made-up q?', "
            "'', '', NULL, '2026-11-22T10:00:00Z')"
        )
        db.execute(
            "INSERT INTO rechecks VALUES ('Made-up q?', '2026-11-22T10:00:00Z', 1, 'A', '[]')"
        )


@pytest.mark.parametrize("with_kind", [False, True], ids=["feedback-v1", "feedback-v2"])
def test_the_upgrade_from_the_old_stores_keeps_every_row_and_its_id(
    tmp_path: Path, with_kind: bool
) -> None:
    _old_feedback(tmp_path / "feedback.sqlite", with_kind)
    _old_gaps(tmp_path / "gaps.sqlite")
    settings = Settings(index_dir=tmp_path, gap_log_days=3650)
    database = AppDatabase.from_settings(settings)
    assert database.version() == len(MIGRATIONS)
    rows = FeedbackStore(database).rows()
    kind = "missing" if with_kind else "answer"
    assert [(r[1], r[2], r[6]) for r in rows] == [
        ("up", "Made-up question?", kind),
        ("down", "Made-up other?", kind),
    ]
    with sqlite3.connect(database.path) as db:
        assert [r[0] for r in db.execute("SELECT id FROM feedback ORDER BY id")] == [3, 7]
    log = GapLog(database, 3650)
    assert [(g.id, g.question) for g in log.gaps()] == [(12, "Made-up other?")]
    assert [g.id for g in log.gaps(archived=True)] == [13]
    assert log.rechecks()["Made-up q?"].answered
    # The old files are set aside, whole, and never imported twice.
    assert not (tmp_path / "feedback.sqlite").exists()
    assert (tmp_path / "feedback.sqlite.imported").is_file()
    with sqlite3.connect(tmp_path / "gaps.sqlite.imported") as db:
        assert db.execute("SELECT count(*) FROM gaps").fetchone() == (2,)
    FeedbackStore(database).add("up", "Made-up new?", "C.", [])
    assert len(FeedbackStore(AppDatabase.from_settings(settings)).rows()) == 3


def test_a_new_database_starts_at_the_last_version_without_old_stores(tmp_path: Path) -> None:
    database = AppDatabase(tmp_path / "app.sqlite", Legacy(tmp_path / "none.sqlite"))
    assert database.version() == len(MIGRATIONS) and FeedbackStore(database).rows() == []
    with sqlite3.connect(database.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_processes_starting_together_migrate_once(tmp_path: Path) -> None:
    _old_feedback(tmp_path / "feedback.sqlite", with_kind=True)
    legacy = Legacy(tmp_path / "feedback.sqlite")
    errors: list[BaseException] = []

    def start() -> None:
        try:
            AppDatabase(tmp_path / "app.sqlite", legacy).version()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(FeedbackStore(AppDatabase(tmp_path / "app.sqlite")).rows()) == 2  # not 8


def test_a_damaged_database_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite"
    path.write_bytes(b"made-up bytes that are not a database" * 100)
    with pytest.raises(StorageError, match=r"could not be read: .* is damaged"):
        FeedbackStore(AppDatabase(path)).rows()


def test_the_database_url_names_a_sqlite_file(tmp_path: Path) -> None:
    assert Settings(index_dir=tmp_path).database_path == tmp_path / "app.sqlite"
    url = Settings(database_url=f"sqlite:///{tmp_path}/shared.sqlite")
    assert url.database_path == tmp_path / "shared.sqlite"
    for wrong in ("postgresql://db/plw", "sqlite:///", "app.sqlite"):
        with pytest.raises(ValueError, match="sqlite:///"):
            Settings(database_url=wrong)


def test_the_session_key_is_made_once_private_and_shared(tmp_path: Path) -> None:
    path = tmp_path / "index" / "admin-session.key"
    keys = [signing_key(path) for _ in range(3)]
    assert len(set(keys)) == 1 and len(keys[0]) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in path.parent.iterdir() if p != path]  # no temporary file left
    path.write_bytes(b"short")  # a key cut short (a crash while writing): made again
    assert len(signing_key(path)) == 32


def test_sign_outs_and_rate_counts_are_seen_by_another_connection(tmp_path: Path) -> None:
    one, two = AppDatabase(tmp_path / "app.sqlite"), AppDatabase(tmp_path / "app.sqlite")
    Revocations(one).revoke("made-up-nonce", expires=200.0, now=100.0)
    assert Revocations(two).revoked("made-up-nonce")
    assert not Revocations(two).revoked("another-made-up-nonce")
    Revocations(two).revoke("later-nonce", expires=400.0, now=300.0)  # the first expired
    assert not Revocations(one).revoked("made-up-nonce")
    a, b = RateCounter(one), RateCounter(two)
    assert [a.hit("feedback", "c", 3, 60, 1000.0 + i) for i in range(2)] == [None, None]
    assert b.hit("feedback", "c", 3, 60, 1002.0) is None
    assert a.hit("feedback", "c", 3, 60, 1003.0) == 57  # the first hit leaves at 1060
    assert b.over("feedback", "c", 3, 60, 1003.0) == 57
    assert b.over("feedback", "other", 3, 60, 1003.0) is None
    assert a.hit("feedback", "c", 3, 60, 1061.0) is None  # a place freed up


def test_the_last_build_is_read_back_by_any_process(tmp_path: Path) -> None:
    built = LastBuild(
        generation="gen-made-up",
        totals="2 documents, 10 passages",
        files=[FileLine("new", "a.md"), FileLine("failed", "b.pdf", "made-up reason")],
        glossary="Glossary: 3 terms",
    )
    assert BuildLog(AppDatabase(tmp_path / "app.sqlite")).last() is None
    BuildLog(AppDatabase(tmp_path / "app.sqlite")).record(built)
    last = BuildLog(AppDatabase(tmp_path / "app.sqlite")).last()
    assert last is not None and last.changed and last.finished_at.endswith("Z")
    assert (last.generation, last.totals, last.files) == (
        built.generation,
        built.totals,
        built.files,
    )
