"""Hostile notes, bad requests and faults: escaped everywhere, clear errors, old index serves."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pytest
from admin_support import sign_in
from click.testing import CliRunner
from conftest import CORPUS, HashEmbedder, write
from fastapi.testclient import TestClient
from pydantic import SecretStr

from plw_assistant.cli import cli
from plw_assistant.config import Settings
from plw_assistant.errors import BuildError, CorpusError
from plw_assistant.pipeline.build import build_index
from plw_assistant.store.generations import current_generation
from plw_assistant.store.reader import Index
from plw_assistant.web.admin_view import DISABLED, SIGN_IN_FIRST, WRONG_TOKEN
from plw_assistant.web.app import create_app

# Made-up hostile notes.
HOSTILE = (
    "---\ntitle: 'Made-up <img src=x onerror=alert(1)> note'\n---\n## Tricks\n\n"
    '- A [made-up link](javascript:alert(1)) and <a href="javascript:alert(2)">another</a>.\n'
    "- Control\x07characters\x1b[31m and <script>alert(3)</script> inside a lesson.\n\n"
    + "longline " * 6000
    + "\n"
)


@pytest.fixture
def hostile(tmp_path: Path, embedder, settings: Settings) -> tuple[Settings, Path]:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    write(corpus / "hostile.md", HOSTILE)
    write(corpus / "utf16.txt", "Made-up UTF-16 note about partner search.".encode("utf-16"))
    write(
        corpus / "windows.txt",
        "Made-up Windows note: caf\xe9 meetings for members.".encode("cp1252"),
    )
    s = settings.model_copy(update={"corpus_dir": corpus, "index_dir": tmp_path / "index"})
    report = build_index(s, embedder)
    assert not report.failed and report.count("new") == 9
    return s, corpus


def test_hostile_notes_are_indexed_and_shown_escaped(hostile, embedder) -> None:
    settings, _ = hostile
    index = Index.load(settings.index_dir)
    texts = [c.text for c in index.chunks if c.document == "hostile"]
    assert all(len(t) <= 2 * settings.chunk_max_chars for t in texts) and len(texts) > 20
    assert not any("\x07" in t or "\x1b" in t for t in texts)
    assert {"utf16", "windows"} <= set(index.documents)
    assert "café meetings" in index.documents["windows"].text
    with TestClient(create_app(settings, embedder)) as client:
        pages = [
            client.get("/", params={"q": "made-up link control characters script"}),
            client.get("/documents/hostile"),
            client.get("/lessons", params={"filter": "made-up"}),
        ]
        for r in pages:
            assert r.status_code == 200
            assert "<script>alert" not in r.text and "<img src=x" not in r.text
            assert 'href="javascript:' not in r.text
        assert "&lt;script&gt;alert(3)&lt;/script&gt;" in pages[1].text


def test_bad_requests_get_clear_4xx(client: TestClient) -> None:
    cases = [
        ({"question": 42}, "question: Input should be a valid string"),
        (
            {"question": "q", "k": "many"},
            "k: Input should be a valid integer, unable to parse string as an integer",
        ),
        (
            {"question": "q", "filters": {"tag": "x" * 201}},
            "filters.tag: String should have at most 200 characters",
        ),
        ({"question": "q", "history": "nope"}, "history: Input should be a valid list"),
        ({"question": "q", "mode": None, "k": 21}, "k must be a whole number from 1 to 20."),
    ]
    for body, detail in cases:
        r = client.post("/api/ask", json=body)
        assert (r.status_code, r.json()["detail"]) == (422, detail), body
    assert client.get("/", params={"k": "0", "q": "x"}).status_code == 422
    assert client.get("/lessons", params={"filter": "x" * 201}).status_code == 422


def test_damaged_new_generation_leaves_the_old_one_serving(hostile, embedder) -> None:
    settings, _ = hostile
    with TestClient(create_app(settings, embedder)) as client:
        assert client.post("/api/ask", json={"question": "EU funding"}).status_code == 200
        bad = settings.index_dir / "gen-99999999T999999-damaged"
        shutil.copytree(current_generation(settings.index_dir), bad)
        (bad / "vectors.faiss").write_bytes(b"truncated")
        (settings.index_dir / "CURRENT").write_text(bad.name + "\n")
        r = client.post("/api/ask", json={"question": "EU funding"})
        assert r.status_code == 200 and r.json()["citations"]


def test_corpus_folder_that_disappears(hostile, embedder) -> None:
    settings, corpus = hostile
    gen = current_generation(settings.index_dir)
    shutil.rmtree(corpus)
    with pytest.raises(CorpusError, match="does not exist"):
        build_index(settings, embedder)
    assert current_generation(settings.index_dir) == gen
    with TestClient(create_app(settings, embedder)) as client:
        assert client.post("/api/ask", json={"question": "EU funding"}).json()["citations"]


def test_permission_error_while_writing(tmp_path: Path, monkeypatch) -> None:
    settings = Settings(corpus_dir=CORPUS, index_dir=tmp_path / "index", cache_dir=tmp_path / "c")

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("plw_assistant.store.writer.faiss.write_index", denied)
    with pytest.raises(BuildError, match=r"permission denied\. The previous index is unchanged"):
        build_index(settings, HashEmbedder())


def test_admin_reindex_needs_the_token(hostile, embedder) -> None:
    settings, _ = hostile
    with TestClient(create_app(settings, embedder)) as client:
        r = client.post("/admin/reindex", data={"token": "anything"})
        assert r.status_code == 403 and r.context["error"] == DISABLED
    armed = settings.model_copy(update={"admin_token": SecretStr("made-up-secret-1")})
    with TestClient(create_app(armed, embedder)) as client:
        assert client.post("/admin/signin", data={"token": "nope"}).context["error"] == WRONG_TOKEN
        assert client.post("/admin/reindex", data={}).context["error"] == SIGN_IN_FIRST
        r = client.post("/admin/reindex", data={"form_token": sign_in(client, "made-up-secret-1")})
        assert r.status_code == 200 and not r.context["report"].changed  # nothing changed


def test_server_binds_loopback_by_default() -> None:
    out = CliRunner().invoke(cli, ["serve", "--help"]).stdout
    assert "--host TEXT" in out and "[default: 127.0.0.1]" in out
