"""``plw gaps``: the recorded questions grouped in the terminal, ``--recheck`` after a note was
added and indexed (a made-up test fixture), and ``export`` as CSV. Real model and index."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import CORPUS, FIXTURES

from plw_assistant.appdata.database import AppDatabase
from plw_assistant.appdata.gaps import GapLog
from plw_assistant.cli import cli
from plw_assistant.config import Settings, get_settings
from plw_assistant.pipeline.build import build_index

HACKATHON = [
    "How do we organise a hackathon for our members?",
    "What are tips for running a hackathon?",
    "How should we plan a hackathon event?",
]
COFFEE = "What is the best coffee machine for the office?"


def run(*args: str, **env: str):
    get_settings.cache_clear()  # each run reads its own environment
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def _recorded(path: Path, questions: list[str]) -> None:
    log = GapLog(AppDatabase(path), 90)
    for q in questions:
        log.add("abstained", q)


def test_gaps_prints_the_groups(settings: Settings, tmp_path: Path) -> None:
    db = tmp_path / "app.sqlite"
    env = {"PLW_INDEX_DIR": str(settings.index_dir), "PLW_DATABASE_URL": f"sqlite:///{db}"}
    assert run("gaps", **env).stdout == "No unanswered question is recorded.\n"
    _recorded(db, [*HACKATHON, COFFEE])
    GapLog(AppDatabase(db), 90).add("no", COFFEE, [], "Made-up comment: any brand")
    result = run("gaps", **env)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("2 group(s) from 5 recorded question(s) (the last 90 days):")
    first, second = out.split("\n\n")[1:3]
    assert first.startswith("1. ") and "asked 3x" in first and "3 declined; open" in first
    assert sum(q in first for q in HACKATHON) == 3 and "closest (" in first
    assert second.startswith(f"2. {COFFEE}") and "1 declined, 1 marked No" in second
    assert "comment: “Made-up comment: any brand”" in second
    assert run("gaps", "--sort", "last", **env).stdout.split("\n\n")[1].startswith(f"1. {COFFEE}")
    off = run("gaps", PLW_GAP_LOG="0", **env)
    assert "PLW_GAP_LOG is off" in off.stderr and "2 group(s)" in off.stdout


def test_gaps_export_writes_csv(settings: Settings, tmp_path: Path) -> None:
    db = tmp_path / "app.sqlite"
    _recorded(db, [*HACKATHON, COFFEE])
    env = {"PLW_INDEX_DIR": str(settings.index_dir), "PLW_DATABASE_URL": f"sqlite:///{db}"}
    rows = list(csv.DictReader(io.StringIO(run("gaps", "export", **env).stdout)))
    assert [(r["count"], r["abstained"], r["status"]) for r in rows] == [
        ("3", "3", "open"),
        ("1", "1", "open"),
    ]
    result = run("gaps", "export", "-o", str(tmp_path / "gaps.csv"), **env)
    assert result.stderr == f"Wrote 2 group(s) to {tmp_path / 'gaps.csv'}.\n"
    assert (tmp_path / "gaps.csv").read_text(encoding="utf-8").startswith("group,label,count")
    bad = run("gaps", "export", "-o", str(tmp_path / "missing" / "gaps.csv"), **env)
    assert bad.exit_code == 1 and "Choose a folder that exists" in bad.stderr


def test_recheck_shows_the_group_answered_once_a_note_is_indexed(tmp_path: Path, embedder) -> None:
    shutil.copytree(CORPUS, tmp_path / "corpus")
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    build_index(settings, embedder)
    env = {"PLW_CORPUS_DIR": str(settings.corpus_dir), "PLW_INDEX_DIR": str(settings.index_dir)}
    _recorded(settings.database_path, HACKATHON)
    before = run("gaps", "--recheck", **env)
    assert before.exit_code == 0, before.output
    assert before.stdout.startswith("Re-checked 3 question(s) against the index built ")
    assert ": 0 answered now." in before.stdout and "still not answered" in before.stdout

    shutil.copy(FIXTURES / "gaps" / "hackathon.md", settings.corpus_dir / "hackathon.md")
    build_index(settings, embedder)
    after = run("gaps", "--recheck", **env)
    assert ": 3 answered now." in after.stdout and "ANSWERED NOW" in after.stdout
    assert "Made-up lesson" in after.stdout and "[1] hackathon (" in after.stdout
    assert (
        len(GapLog(AppDatabase(settings.database_path), 90).gaps()) == 3
    )  # re-asks are not recorded


def test_a_damaged_log_is_reported_as_damaged_never_as_empty(
    settings: Settings, tmp_path: Path
) -> None:
    db = tmp_path / "app.sqlite"
    db.write_bytes(b"made-up bytes that are not a database" * 100)
    env = {"PLW_INDEX_DIR": str(settings.index_dir), "PLW_DATABASE_URL": f"sqlite:///{db}"}
    get_settings.cache_clear()
    result = CliRunner().invoke(cli, ["gaps"], env=env)
    get_settings.cache_clear()
    assert result.exit_code == 1 and "No unanswered question" not in result.output
    assert "could not be read" in result.stderr and "is damaged" in result.stderr
