"""A document's page is rendered once per generation and kept on disk, within a budget: a note
beyond it is shown as plain text with a notice, its cited passage still marked.

Every note here is made up (generated text); the 2 MB one is an ordinary note (paragraphs,
headings, short lists), just long.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import HashEmbedder, write
from fastapi.testclient import TestClient

from plw_assistant.config import Settings
from plw_assistant.domain import Document
from plw_assistant.ingest.chunker import chunk_document
from plw_assistant.ingest.parse import parse_document
from plw_assistant.pipeline.build import build_index
from plw_assistant.web import page_cache
from plw_assistant.web.app import create_app
from plw_assistant.web.documents import document_view
from plw_assistant.web.rendered import NOTICE

SRC = Path(__file__).resolve().parents[2] / "src"


def _ordinary_note(chars: int, word: str = "partnership") -> str:
    """A made-up note of about ``chars`` characters: sections of paragraphs and a list."""
    out, n = ["# Made-up long note\n\n"], 0
    while sum(map(len, out)) < chars:
        n += 1
        out.append(f"## Made-up section {n}\n\n")
        for p in range(12):
            out.append(
                f"Paragraph {n}.{p} of a made-up {word} note: clusters met their members, "
                "shared *lessons* and wrote them down for the next webinar series.\n\n"
            )
        out.append(f"- made-up point {n}.1\n- made-up point {n}.2\n\n")
    return "".join(out)


def _note(rel: str, text: str) -> tuple[Document, list]:
    doc = parse_document(rel, text.encode())
    return doc, chunk_document(doc)


def test_a_note_beyond_the_budget_is_plain_text_with_a_notice_and_its_passage_marked() -> None:
    text = "".join(f"# Made-up heading {n}\nMade-up line {n}.\n" for n in range(100_000))
    doc, chunks = _note("headings.md", text)
    chunk = next(c for c in chunks if "Made-up line 54321." in c.text)
    view = document_view(doc, chunk)
    assert view.notice == NOTICE and view.plain and view.marked
    assert "<h2" not in view.body and "<p># Made-up heading 0" in view.body
    assert view.body.count('<mark id="passage">') == 1
    marked = view.body.split('<mark id="passage">', 1)[1].split("</mark>", 1)[0]
    assert "Made-up line 54321." in marked
    ordinary, chunks = _note("ordinary.md", _ordinary_note(20_000))
    view = document_view(ordinary, chunks[3])
    assert view.notice is None and not view.plain and "<h2>" in view.body


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[TestClient, Settings]]:
    settings = Settings(
        corpus_dir=tmp_path / "corpus",
        index_dir=tmp_path / "index",
        cache_dir=tmp_path / "cache",
        model="test-hash-embedder",
    )
    write(tmp_path / "corpus" / "long.md", _ordinary_note(2_000_000))
    write(
        tmp_path / "corpus" / "headings.md",
        "# Many\n" + "# Made-up heading\n\nA made-up line.\n\n" * 6_000,
    )
    embedder = HashEmbedder()
    build_index(settings, embedder)
    with TestClient(create_app(settings, embedder)) as c:
        yield c, settings


def _pages(settings: Settings) -> list[Path]:
    return sorted(settings.index_dir.glob(f"gen-*/{page_cache.FOLDER}/*.page"))


def _body(html: str) -> str:
    return html.split('class="doc-body', 1)[1].split('class="doc-actions"', 1)[0]


def test_a_page_is_rendered_once_per_generation_and_kept_on_disk(served) -> None:
    client, settings = served
    r = client.get("/documents/headings")  # beyond the budget: said so, in people's words
    assert r.status_code == 200 and f'<p class="doc-notice">{NOTICE}</p>' in r.text
    assert "<h2>" not in _body(r.text) and "<p># Made-up heading</p>" in _body(r.text)

    before = page_cache.renders()
    first = client.get("/documents/long")
    assert first.status_code == 200 and "Paragraph 700.3 of a made-up partnership" in first.text
    assert page_cache.renders() == before + 1 and len(_pages(settings)) == 2
    page_cache.forget()  # as a restarted server: the page is read from disk
    again = client.get("/documents/long")
    assert again.text == first.text and page_cache.renders() == before + 1

    write(settings.corpus_dir / "long.md", _ordinary_note(2_000_000, word="cooperation"))
    build_index(settings, HashEmbedder())
    changed = client.get("/documents/long")
    assert "Paragraph 700.3 of a made-up cooperation" in changed.text
    assert "made-up partnership" not in changed.text
    assert page_cache.renders() == before + 2
    assert len({p.parent.parent for p in _pages(settings)}) == 2  # one folder per generation


def test_concurrent_views_of_a_note_not_yet_kept_render_it_once(tmp_path: Path) -> None:
    doc, chunks = _note("ordinary.md", _ordinary_note(150_000))
    folder = tmp_path / "pages"
    before = page_cache.renders()
    views = []
    start = threading.Barrier(8)

    def view(n: int) -> None:
        start.wait()
        views.append(document_view(doc, chunks[n * 10], folder))

    threads = [threading.Thread(target=view, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert page_cache.renders() == before + 1 and len(views) == 8
    assert all(v.marked and v.body.count('<mark id="passage">') == 1 for v in views)
    # Other server processes on the same index wait for the one rendering, then read it.
    folder = tmp_path / "shared"
    script = (
        "from pathlib import Path\n"
        "from plw_assistant.ingest.parse import parse_document\n"
        "from plw_assistant.web import page_cache\n"
        "from plw_assistant.web.documents import document_view\n"
        f"doc = parse_document('ordinary.md', Path({str(tmp_path / 'note.md')!r}).read_bytes())\n"
        f"go = Path({str(tmp_path / 'go')!r})\n"
        "while not go.exists(): pass\n"
        f"document_view(doc, None, Path({str(folder)!r}))\n"
        "print(page_cache.renders())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    write(tmp_path / "note.md", doc.text)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            stdout=subprocess.PIPE,
            env=env,
        )
        for _ in range(3)
    ]
    (tmp_path / "go").touch()  # all start at once
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert sorted(int(o) for o in outs) == [0, 0, 1]
    assert len(list(folder.glob("*.page"))) == 1
