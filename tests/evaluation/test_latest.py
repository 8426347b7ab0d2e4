"""The golden-question results /admin shows: kept by `plw eval --questions` and by measuring
the admin's golden file (never indexed as a note), newest first, a bounded number."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import CORPUS, write

from plw_assistant.assistant import Assistant
from plw_assistant.cli import cli
from plw_assistant.config import Settings, get_settings
from plw_assistant.evaluation.golden import GoldenReport
from plw_assistant.evaluation.latest import KEEP, load_results, measure, save_result
from plw_assistant.ingest.corpus import load_corpus

# Made-up golden rows about the shipped notes.
ROWS = [
    {"question": "How can clusters support their members with EU funding?",
     "document": "blues-plw-lessons-learnt",
     "quote": "Members are more and more interested in EU funding programmes"},
    {"question": "What is the best coffee machine for the office?", "abstain": True},
    {"question": "How can a cluster run a made-up zeppelin race?",
     "document": "blues-plw-lessons-learnt", "quote": "made-up quote nobody wrote"},
]  # fmt: skip


# What other tests keep beside the shared index (their own eval results, votes, gaps).
OTHERS = shutil.ignore_patterns("eval-results.json", "app.sqlite*", "admin-session.key")


def _golden(path: Path) -> Path:
    return write(path, "".join(json.dumps(r) + "\n" for r in ROWS))


def test_plw_eval_questions_keeps_its_result_for_admin(settings: Settings, tmp_path: Path) -> None:
    shutil.copytree(settings.index_dir, tmp_path / "index", ignore=OTHERS)
    golden = _golden(tmp_path / "golden.jsonl")
    get_settings.cache_clear()
    result = CliRunner().invoke(
        cli,
        ["eval", "--questions", str(golden), "--json"],
        env={"PLW_INDEX_DIR": str(tmp_path / "index")},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    (kept,) = load_results(tmp_path / "index" / "eval-results.json")
    assert kept["summary"] == json.loads(result.stdout)
    assert kept["files"] == [str(golden)] and kept["built_at"] and kept["measured_at"]
    assert [m["question"] for m in kept["misses"]] == [ROWS[2]["question"]]


def test_measure_asks_the_golden_file_beside_the_notes(
    settings: Settings, embedder, tmp_path: Path
) -> None:
    s = settings.model_copy(update={"index_dir": tmp_path / "index", "corpus_dir": tmp_path})
    shutil.copytree(settings.index_dir, s.index_dir, ignore=OTHERS)
    assistant = Assistant(s, embedder)
    assert measure(assistant) is None  # no golden file: nothing measured
    _golden(tmp_path / "golden.jsonl")
    entry = measure(assistant)
    assert entry is not None and entry["summary"]["questions"] == 3
    assert entry["summary"]["abstention_accuracy"] == 1.0
    assert load_results(s.eval_results_path) == [entry]
    assert assistant.gaps is not None and assistant.gaps.gaps() == []  # not recorded


def test_results_are_kept_newest_first_and_bounded(tmp_path: Path) -> None:
    path = tmp_path / "eval-results.json"
    assert load_results(path) == []
    for n in range(KEEP + 3):
        report = GoldenReport([], {"questions": n})
        save_result(path, report, [tmp_path / "g.jsonl"], f"built {n}")
    kept = load_results(path)
    assert len(kept) == KEEP and kept[0]["built_at"] == f"built {KEEP + 2}"
    path.write_text("{not json", encoding="utf-8")
    assert load_results(path) == []


def test_a_golden_file_in_the_corpus_is_not_a_note(tmp_path: Path) -> None:
    shutil.copytree(CORPUS, tmp_path / "corpus")
    _golden(tmp_path / "corpus" / "golden.jsonl")
    corpus, _ = load_corpus(tmp_path / "corpus")
    assert "golden.jsonl" not in [f.path for f in corpus.files]
    assert len(corpus.documents) == 6
