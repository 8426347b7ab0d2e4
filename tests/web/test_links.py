"""Links to a note work whatever its file name (made-up notes)."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from conftest import HashEmbedder, write
from fastapi.testclient import TestClient

from plw_assistant.config import Settings
from plw_assistant.pipeline.build import build_index
from plw_assistant.web.app import create_app


def test_a_note_named_like_a_query_string_links_to_itself(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus / "x ?a=1#frag.md", "# Made-up note\n\n- Made-up lesson about partner search.\n")
    settings = Settings(
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        cache_dir=tmp_path / "cache",
        model="test-hash-embedder",
    )
    embedder = HashEmbedder()
    build_index(settings, embedder)
    with TestClient(create_app(settings, embedder)) as client:
        page = client.get("/", params={"q": "partner search", "mode": "bm25"})
        links = re.findall(r'href="(/documents/[^"]+)"', page.text)
        assert links and all("%3F" in link and "%23" in link for link in links), links
        note = client.get(unescape(links[0]).split("#", 1)[0])
        assert note.status_code == 200 and "Made-up lesson about partner search" in note.text
        lessons = client.get("/lessons")
        link = re.search(r'href="(/documents/[^"]+)">In context', lessons.text)
        assert link is not None
        assert client.get(unescape(link.group(1)).split("#", 1)[0]).status_code == 200
