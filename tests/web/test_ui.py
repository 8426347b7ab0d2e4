"""Lessons browser, feedback and security headers (the page logic; the browser tests see it)."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

from click.testing import CliRunner
from conftest import CORPUS
from fastapi.testclient import TestClient

from plw_assistant.cli import cli
from plw_assistant.config import Settings
from plw_assistant.domain import DETAILS
from plw_assistant.ingest.corpus import load_corpus
from plw_assistant.web.app import create_app


def test_lessons_grouped_by_document_and_section(client: TestClient) -> None:
    r = client.get("/lessons")
    assert r.status_code == 200 and r.template.name == "lessons.html"
    parts = r.context["parts"]
    key = parts[0]  # the article's wrap-up lessons come first
    assert key.sources[0][1].startswith("Wrap-up of the main lessons learnt")
    cluster = next(g for g in key.groups if g.title == "As cluster organisation")
    assert cluster.count == 5
    # Every passage but the front matter lines (author, date), a list's lead-in ("… can be
    # extracted:") and the overview's "PLW#n: …" items (each webinar's own entry shows them).
    _, chunks = load_corpus(CORPUS)
    lessons = [
        c
        for c in chunks
        if c.section != DETAILS
        and not re.match(r"PLW#\d+:", c.text)
        and not c.text.rstrip().endswith(":")
    ]
    assert r.context["total"] == sum(p.count for p in parts) == len(lessons) >= 25
    assert "Ask about this" in r.text and "/documents/blues-plw-lessons-learnt?passage=" in r.text


def test_lessons_grouped_by_webinar_and_filtered(client: TestClient) -> None:
    r = client.get("/lessons", params={"by": "webinar"})
    groups = r.context["parts"][0].groups
    assert [g.session for g in groups] == [None] + [f"PLW#{n}" for n in range(1, 6)]
    r = client.get("/lessons", params={"filter": "partner search"})
    texts = [
        c.text
        for p in r.context["parts"]
        for g in p.groups
        for cs in g.sections.values()
        for c in cs
    ]
    assert texts and all("partner search" in t.lower() for t in texts)
    # An order the page does not know is the default one (an edited address is no error).
    r = client.get("/lessons", params={"by": "nonsense"})
    assert r.status_code == 200 and r.context["by"] == "document"


def test_feedback_is_stored_and_exported(tmp_path: Path, settings: Settings, embedder) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(settings.index_dir, index_dir)
    s = settings.model_copy(update={"index_dir": index_dir})
    with TestClient(create_app(s, embedder)) as client:
        answer = client.post("/api/ask", json={"question": "EU funding for members?"}).json()
        ids = [c["chunk_id"] for c in answer["citations"]]
        r = client.post(
            "/api/feedback",
            json={
                "rating": "up",
                "question": answer["question"],
                "answer": answer["answer"],
                "chunk_ids": ids,
            },
        )
        assert r.json()["status"] == "saved" and r.json()["vote"] > 0
        bad = client.post("/api/feedback", json={"rating": "meh", "question": "q"})
        assert bad.status_code == 422
        form = client.post(
            "/feedback",
            data={
                "rating": "down",
                "question": "Made-up question",
                "answer": "a",
                "chunk_ids": "x#1 y#2",
            },
        )
        assert form.status_code == 200 and form.template.name == "thanks.html"
    out = tmp_path / "votes.csv"
    result = CliRunner().invoke(
        cli,
        ["feedback", "export", "-o", str(out)],
        env={"PLW_INDEX_DIR": str(index_dir)},
        catch_exceptions=False,
    )
    assert result.exit_code == 0 and "Wrote 2 vote(s)" in result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["rating"], r["question"]) for r in rows] == [
        ("up", "EU funding for members?"),
        ("down", "Made-up question"),
    ]
    assert rows[0]["chunk_ids"].split() == ids and rows[1]["chunk_ids"] == "x#1 y#2"


def test_answer_page_has_feedback_buttons(client: TestClient) -> None:
    r = client.get("/", params={"q": "How can clusters support their members with EU funding?"})
    assert 'form class="feedback" method="post" action="/feedback"' in r.text
    assert 'name="rating" value="up"' in r.text and 'name="rating" value="down"' in r.text


def test_security_headers_on_every_page(client: TestClient) -> None:
    for path in ("/", "/lessons", "/healthz", "/static/style.css"):
        h = client.get(path).headers
        csp = h["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "same-origin"
    page = client.get("/").text
    assert "<script>" not in page and " style=" not in page and "onclick" not in page
