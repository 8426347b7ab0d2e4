"""The gap log's SQLite table: what a row keeps (and does not), retention on write and on
read, archiving, comments that come after a "No", re-check results, a damaged file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from plw_assistant.appdata.database import AppDatabase
from plw_assistant.appdata.gaps import GapLog, Recheck, stamp
from plw_assistant.config import Settings
from plw_assistant.errors import StorageError

DAY = 86_400.0


class Clock:
    """A made-up clock the test moves forward."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_row_keeps_the_question_time_outcome_and_passages_and_nothing_else(
    tmp_path: Path,
) -> None:
    clock = Clock()
    log = GapLog(AppDatabase(tmp_path / "app.sqlite"), 90, clock)
    log.add("abstained", "Made-up question on hackathons?")
    log.add("no", "Made-up question on fees?", ["doc#1", "doc#2"], "Made-up comment")
    log.add("topic_only", "Made-up question on a topic?", ["doc#3"])
    rows = log.gaps()
    assert [(r.outcome, r.question, r.chunk_ids, r.comment) for r in rows] == [
        ("abstained", "Made-up question on hackathons?", (), ""),
        ("no", "Made-up question on fees?", ("doc#1", "doc#2"), "Made-up comment"),
        ("topic_only", "Made-up question on a topic?", ("doc#3",), ""),
    ]
    assert rows[0].created_at == stamp(clock.now) and rows[0].created_at.endswith("Z")
    with sqlite3.connect(tmp_path / "app.sqlite") as db:
        columns = {c[1] for c in db.execute("PRAGMA table_info(gaps)")}
    assert columns == {
        "id",
        "created_at",
        "outcome",
        "question",
        "chunk_ids",
        "comment",
        "vote",
        "archived_at",
    }  # no address, no user, no session
    with pytest.raises(ValueError, match="unknown outcome"):
        log.add("maybe", "q")


def test_rows_past_the_retention_are_never_read_and_go_on_the_next_write(tmp_path: Path) -> None:
    clock = Clock()
    log = GapLog(AppDatabase(tmp_path / "app.sqlite"), 90, clock)
    log.add("abstained", "Made-up old question?")
    clock.now += 60 * DAY
    log.add("abstained", "Made-up newer question?")
    clock.now += 31 * DAY  # the first is 91 days old now, the second 31
    assert [r.question for r in log.gaps()] == ["Made-up newer question?"]  # on read
    with sqlite3.connect(log.database.path) as db:
        assert db.execute("SELECT count(*) FROM gaps").fetchone() == (2,)  # not yet deleted
    log.add("abstained", "Made-up newest question?")  # on write
    with sqlite3.connect(log.database.path) as db:
        kept = [r[0] for r in db.execute("SELECT question FROM gaps ORDER BY id")]
    assert kept == ["Made-up newer question?", "Made-up newest question?"]
    clock.now += 91 * DAY
    log.purge()
    assert log.gaps() == []


def test_disabled_logging_gives_no_log_and_the_database_is_beside_the_index_by_default(
    tmp_path: Path,
) -> None:
    off = Settings(index_dir=tmp_path, gap_log=False)
    assert GapLog.from_settings(off, AppDatabase.from_settings(off)) is None
    settings = Settings(index_dir=tmp_path)
    log = GapLog.from_settings(settings, AppDatabase.from_settings(settings))
    assert log is not None and log.database.path == tmp_path / "app.sqlite" and log.days == 90
    url = Settings(database_url=f"sqlite:///{tmp_path}/x.db", gap_log_days=7)
    custom = GapLog.from_settings(url, AppDatabase.from_settings(url))
    assert custom is not None and custom.database.path == tmp_path / "x.db" and custom.days == 7


def test_a_comment_after_a_no_joins_its_row_once(tmp_path: Path) -> None:
    log = GapLog(AppDatabase(tmp_path / "app.sqlite"), 90)
    log.add("no", "Made-up question?", ["d#1"], vote=7)
    assert not log.comment_vote(8, "Made-up question?", "Made-up comment")  # another vote
    assert not log.comment_vote(7, "Another made-up question?", "Made-up comment")
    assert log.comment_vote(7, "Made-up question?", "Made-up comment")
    assert not log.comment_vote(7, "Made-up question?", "A second made-up comment")
    assert log.gaps()[0].comment == "Made-up comment"


def test_archived_rows_are_set_aside(tmp_path: Path) -> None:
    log = GapLog(AppDatabase(tmp_path / "app.sqlite"), 90)
    ids = [log.add("abstained", f"Made-up question {n}?") for n in range(3)]
    assert log.archive(ids[:2]) == 2
    assert log.archive(ids[:2]) == 0  # archived already
    assert [r.id for r in log.gaps()] == ids[2:]
    assert [r.id for r in log.gaps(archived=True)] == ids[:2]


def test_rechecks_are_kept_per_question_and_go_with_their_questions(tmp_path: Path) -> None:
    clock = Clock()
    log = GapLog(AppDatabase(tmp_path / "app.sqlite"), 30, clock)
    assert log.rechecks() == {}
    log.add("abstained", "Made-up question?")
    cited = [{"n": 1, "chunk_id": "uploads/x#1", "document": "uploads/x"}]
    log.save_rechecks([Recheck("Made-up question?", stamp(clock.now), True, "A. [1]", cited)])
    got = log.rechecks()["Made-up question?"]
    assert got.answered and got.citations == cited and got.answer == "A. [1]"
    clock.now += 31 * DAY
    log.add("abstained", "Made-up later question?")  # the first question's row goes...
    assert log.rechecks() == {}  # ...and its re-check with it


def test_a_damaged_file_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite"
    path.write_bytes(b"made-up bytes that are not a database" * 100)
    log = GapLog(AppDatabase(path), 90)
    with pytest.raises(StorageError, match=r"could not be read: .* is damaged"):
        log.gaps()
    with pytest.raises(StorageError, match="could not be saved"):
        log.add("abstained", "Made-up question?")


def test_writes_share_one_connection_and_follow_the_file_when_it_is_replaced(
    tmp_path: Path,
) -> None:
    path = tmp_path / "app.sqlite"
    log = GapLog(AppDatabase(path), 90)
    log.add("abstained", "Made-up first question?")
    kept = log._kept
    log.add("topic_only", "Made-up second question?")
    assert log._kept is kept is not None  # no connection opened per question
    path.unlink()  # an admin removes the file, or a backup puts another in its place
    for leftover in tmp_path.glob("app.sqlite-*"):
        leftover.unlink()
    log.add("abstained", "Made-up third question?")
    assert [g.question for g in log.gaps()] == ["Made-up third question?"]
    log.close()
    log.add("abstained", "Made-up fourth question?")  # a closed log opens again
    assert len(log.gaps()) == 2
    log.close()


def test_a_write_that_fails_is_one_sentence_and_the_next_one_starts_afresh(
    tmp_path: Path,
) -> None:
    log = GapLog(AppDatabase(tmp_path / "app.sqlite"), 90)
    log.add("abstained", "Made-up question?")
    with pytest.raises(StorageError, match="could not be saved"), log._writing() as db:
        db.execute("INSERT INTO no_such_table VALUES (1)")
    assert log._kept is None  # dropped: the next write opens a new one
    log.add("abstained", "Made-up later question?")
    assert len(log.gaps()) == 2
    log.close()
