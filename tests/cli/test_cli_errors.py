"""Every CLI failure is one line on stderr and exit 1, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import write

from plw_assistant.appdata.database import AppDatabase
from plw_assistant.appdata.feedback import FeedbackStore
from plw_assistant.cli import cli
from plw_assistant.config import Settings


def _run(args: list[str], env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, args, env=env or {})


def _one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_feedback_export_to_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    result = _run(
        ["feedback", "export", "-o", str(tmp_path / "nowhere" / "x.csv")],
        {"PLW_INDEX_DIR": str(tmp_path / "index")},
    )
    assert "Choose a folder that exists" in _one_line_error(result)


def test_feedback_export_from_a_damaged_database(tmp_path: Path) -> None:
    db = write(tmp_path / "app.sqlite", b"this is not a database at all" * 100)
    result = _run(["feedback", "export"], {"PLW_DATABASE_URL": f"sqlite:///{db}"})
    assert "is damaged" in _one_line_error(result)


BAD_ROWS = [
    ('["an", "array"]', "line 1 must be a JSON object"),
    ('{"title": "no id", "text": "x"}', "line 1: '_id' is missing"),
    ('{"_id": "d1", "text": 42}', "line 1: 'text' must be text"),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_eval_on_a_malformed_beir_corpus(tmp_path: Path, row: str, message: str) -> None:
    data = tmp_path / "beir"
    write(data / "corpus.jsonl", row + "\n")
    write(data / "queries.jsonl", '{"_id": "q1", "text": "made-up question"}\n')
    write(data / "qrels" / "test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\n")
    assert message in _one_line_error(_run(["eval", str(data)]))


def test_eval_on_queries_without_text_or_not_utf8(tmp_path: Path) -> None:
    data = tmp_path / "beir"
    write(data / "corpus.jsonl", '{"_id": "d1", "text": "made-up passage"}\n')
    write(data / "queries.jsonl", '{"_id": "q1"}\n')
    write(data / "qrels" / "test.tsv", "q1\td1\t1\n")
    assert "queries.jsonl line 1: 'text' is missing" in _one_line_error(_run(["eval", str(data)]))
    write(data / "queries.jsonl", b'{"_id": "q1", "text": "caf\xe9"}\n')
    assert "line 1 is not UTF-8 text" in _one_line_error(_run(["eval", str(data)]))


def test_index_folder_that_is_a_file(tmp_path: Path) -> None:
    a_file = write(tmp_path / "index", "not a folder")
    result = _run(["index"], {"PLW_INDEX_DIR": str(a_file)})
    assert "which is a file, not a folder" in _one_line_error(result)


def test_ask_with_bytes_that_are_not_utf8(settings: Settings) -> None:
    # What Python makes of argv bytes that are not UTF-8: lone surrogates.
    result = _run(
        ["ask", "--mode", "bm25", "funding \udcff for members"],
        {"PLW_INDEX_DIR": str(settings.index_dir)},
    )
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    result = CliRunner().invoke(
        cli,
        ["chat"],
        input=b"\xff funding\nexit\n",
        env={"PLW_INDEX_DIR": str(settings.index_dir)},
    )
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output


def test_serve_on_an_address_nobody_can_listen_on_is_one_sentence() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        error = _one_line_error(_run(["serve", "--port", str(port)]))
    assert error == f"Error: Port {port} on 127.0.0.1 is in use: choose another with --port."
    error = _one_line_error(_run(["serve", "--host", "made-up-host.invalid"]))
    assert "made-up-host.invalid is not an address of this machine" in error


def test_output_cut_short_by_its_reader_ends_quietly(tmp_path: Path) -> None:
    database = AppDatabase(tmp_path / "index" / "app.sqlite")
    store = FeedbackStore(database)
    for n in range(3000):  # more than a pipe holds: the writer meets the closed end
        store.add("up", f"Made-up question {n}?", "Made-up answer. " * 5, [])
    plw = Path(sys.executable).parent / "plw"
    run = subprocess.run(
        f"'{plw}' feedback export | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PLW_INDEX_DIR": str(tmp_path / "index")},
        timeout=120,
    )
    assert run.stdout.startswith("created_at,rating,question") and run.stderr == ""
