"""The ``plw`` command, run through click's runner: exit codes and messages."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import CORPUS, REPO, HashEmbedder, write

from plw_assistant.cli import cli
from plw_assistant.config import Settings
from plw_assistant.pipeline.build import build_index

QUESTION = "How can clusters support their members with EU funding?"


def run(*args: str, **env: str):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_ask_without_index_says_to_run_plw_index(tmp_path: Path) -> None:
    result = run("ask", QUESTION, PLW_INDEX_DIR=str(tmp_path / "index"))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: No index has been built in '{tmp_path / 'index'}' yet. "
        "Run `plw index` to build it.\n"
    )
    assert "Traceback" not in result.output


def test_ask_with_index_of_another_model_is_a_clear_error(tmp_path: Path) -> None:
    build_index(Settings(corpus_dir=CORPUS, index_dir=tmp_path), HashEmbedder())
    result = run("ask", QUESTION, PLW_INDEX_DIR=str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: The index in ")
    assert "built with the model 'test-hash-embedder', but PLW_MODEL is 'all-MiniLM-L6-v2'" in (
        result.stderr
    )
    assert result.stderr.count("\n") == 1


def test_ask_json_returns_the_public_shape(settings: Settings) -> None:
    result = run("ask", "--json", "-k", "3", QUESTION, PLW_INDEX_DIR=str(settings.index_dir))
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) == {
        "question",
        "answer",
        "citations",
        "abstained",
        "generated",
        "flagged",
        "notice",
        "language",
        "confidence",
        "missing",
        "more",
        "offered",
        "searched",
        "resolved",
        "elsewhere",
    }
    assert [c["n"] for c in body["citations"]] == [1, 2, 3]
    assert any(
        c["text"].startswith("Members are more and more interested in EU funding")
        for c in body["citations"]
    )


def test_ask_text_output_lists_sources(settings: Settings) -> None:
    result = run("ask", QUESTION, PLW_INDEX_DIR=str(settings.index_dir))
    assert result.exit_code == 0
    assert "Sources:" in result.stdout and re.search(
        r"^\[1\] .*\(score 0\.\d\d\)$", result.stdout, re.M
    )


def test_ask_rejects_empty_question_and_bad_k(settings: Settings) -> None:
    result = run("ask", "  ", PLW_INDEX_DIR=str(settings.index_dir))
    assert result.exit_code == 1
    assert result.stderr == "Error: The question is empty. Type a question about the lessons.\n"
    result = run("ask", "-k", "0", QUESTION)
    assert result.exit_code == 2 and "Invalid value for '-k'" in result.stderr


def test_index_builds_and_reports_skipped_files(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS / "sessions", corpus)
    write(corpus / "bad.md", b"\x00\x01\xffbinary")  # made-up broken file
    result = run("index", PLW_CORPUS_DIR=str(corpus), PLW_INDEX_DIR=str(tmp_path / "index"))
    assert result.exit_code == 3, result.output
    assert re.search(
        r"^Indexed 5 documents, \d+ passages in [\d.]+ s with all-MiniLM-L6-v2", result.stdout, re.M
    )
    assert "  failed    bad.md (it is not text (binary data; not UTF-8 at byte 2))" in result.stdout
    assert re.search(
        r"^\+5 new, ~0 changed, -0 removed, \d+ texts embedded, 1 failed$", result.stdout, re.M
    )
    assert "1 file(s) failed; fix them and run `plw index` again." in result.stderr
    ok = run(
        "ask",
        "--json",
        "partner search",
        PLW_CORPUS_DIR=str(corpus),
        PLW_INDEX_DIR=str(tmp_path / "index"),
    )
    assert json.loads(ok.stdout)["citations"][0]["text"] == "Partner search"


def test_index_reports_the_glossary_and_its_skipped_entries(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus / "note.md", "# Made-up note\n\nA made-up talk with the PO.\n")
    write(corpus / "glossary.yaml", "PO: project officer\nXYZ:\n")  # made-up entries
    env = {"PLW_CORPUS_DIR": str(corpus), "PLW_INDEX_DIR": str(tmp_path / "index")}
    result = run("index", **env)
    assert result.exit_code == 0, result.output  # a skipped entry fails no file
    assert "glossary.yaml" not in result.stdout.split("Indexed")[0]  # not listed as a file
    assert "Glossary: 1 term, 1 problem.\n  glossary.yaml: 'XYZ' has no meaning; skipped.\n" in (
        result.stdout
    )
    write(corpus / "glossary.yaml", "PO: project officer\n")
    result = run("index", **env)
    assert result.exit_code == 0 and result.stdout.startswith("Indexed 1 documents")
    assert "0 texts embedded" in result.stdout and "Glossary: 1 term (changed).\n" in result.stdout
    result = run("index", **env)
    assert result.stdout.startswith("Nothing changed") and "Glossary: 1 term.\n" in result.stdout


def test_index_with_missing_corpus_is_one_clear_line(tmp_path: Path) -> None:
    result = run("index", PLW_CORPUS_DIR=str(tmp_path / "nope"), PLW_INDEX_DIR=str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Corpus folder ") and result.stderr.count("\n") == 1


def test_invalid_setting_names_the_variable() -> None:
    result = run("ask", QUESTION, PLW_TOP_K="many")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Invalid setting: PLW_TOP_K: ")


COMMANDS = ["index", "ask", "chat", "serve", "eval", "feedback", "gaps", "bench"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_examples_and_is_in_the_readme(command: str) -> None:
    for flag in ("-h", "--help"):
        result = run(command, flag)
        assert result.exit_code == 0 and "Examples:" in result.stdout
    assert f"plw {command}" in (REPO / "README.md").read_text()


def test_commands_list_is_complete() -> None:
    assert cli.list_commands(click.Context(cli)) == sorted(COMMANDS)
    assert run("-h").exit_code == 0
