"""The latest golden-question results, kept beside the index so /admin can show how quality
moved after each re-index: written by `plw eval --questions` and by /admin after it re-indexes
(when the admin keeps a golden file, PLW_GOLDEN, default ``corpus/golden.jsonl``)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..assistant import Assistant
from ..errors import EvalDataError, PLWError
from .golden import GoldenReport, evaluate_golden, load_golden

KEEP = 20  # results kept, newest first
SHOWN = ("hit@1", "hit@3", "mrr", "abstention_accuracy", "answer_hit", "lead_hit")


def miss(r: dict[str, Any]) -> str | None:
    """Why a row was not answered as expected, or ``None``."""
    if r["expect_abstain"]:
        return None if r.get("declined", r["abstained"]) else "answered, expected to decline"
    if r["kind"] == "language":
        return None if r.get("language_ok") else "not told to ask in English"
    if r["kind"] == "unknown_webinar":
        return None if r.get("unknown_ok") else "no honest reply about the webinars"
    if r["abstained"]:
        return "declined"
    problems = []
    if not r["rank"] or r["rank"] > 3:
        problems.append(f"expected passage at rank {r['rank'] or '>k'}")
    if r["answer_hit"] is False:
        problems.append("answer lacks " + "; ".join(repr(m) for m in r["missing"]))
    elif r["lead_hit"] is False and r["kind"] == "in_scope":
        problems.append("not quoted first")
    if r["wrong_source"]:
        problems.append("quotes " + "; ".join(repr(m) for m in r["wrong_source"]))
    return ", ".join(problems) or None


def load_results(path: Path) -> list[dict[str, Any]]:
    """The kept results, newest first; none when the file is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []


def save_result(
    path: Path, report: GoldenReport, files: Sequence[Path], built_at: str
) -> dict[str, Any]:
    """Add one run's figures and misses to the kept results (written whole, then renamed)."""
    misses = [
        {"question": " → ".join([*r["turns"], r["question"]]), "why": why}
        for r in report.rows
        if (why := miss(r))
    ]
    entry = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "built_at": built_at,
        "files": [str(f) for f in files],
        "summary": report.summary,
        "misses": misses,
    }
    results = [entry, *load_results(path)][:KEEP]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(results, indent=1), encoding="utf-8")
    tmp.replace(path)
    return entry


def measure(assistant: Assistant) -> dict[str, Any] | None:
    """Ask the admin's golden questions of the current index and keep the result; ``None``
    when there is no golden file. A malformed file raises ``EvalDataError``."""
    settings = assistant.settings
    golden = settings.golden_path
    if not golden.is_file():
        return None
    items = load_golden(golden)
    report = evaluate_golden(items, assistant, settings.mode)
    try:
        built_at = assistant.index.manifest.built_at
    except PLWError:
        built_at = ""
    try:
        return save_result(settings.eval_results_path, report, [golden], built_at)
    except OSError as exc:
        raise EvalDataError(
            f"The results could not be kept in {settings.eval_results_path}: {exc.strerror or exc}."
        ) from None
