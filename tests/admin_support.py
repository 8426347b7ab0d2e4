"""/admin in tests: a small indexed copy of the corpus with the admin enabled, and signing in
(the session cookie and the form token every admin form sends back)."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import CORPUS, HashEmbedder
from fastapi.testclient import TestClient
from pydantic import SecretStr

from plw_assistant.config import Settings
from plw_assistant.pipeline.build import build_index

TOKEN = "made-up-admin-token-of-24"
NOTE = b"# Made-up note\n\nMade-up text about mentoring newcomers.\n"


def admin_copy(tmp_path: Path) -> Settings:
    """A copy of the corpus indexed with the hashing embedder (fast), admin enabled."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    s = Settings(
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        cache_dir=tmp_path / "cache",
        model="test-hash-embedder",
        admin_token=SecretStr(TOKEN),
    )
    build_index(s, HashEmbedder())
    return s


def sign_in(client: TestClient, token: str) -> str:
    """Sign ``client`` in with ``token``; the form token of its session."""
    r = client.post("/admin/signin", data={"token": token})
    assert r.status_code == 200 and r.context["signed_in"], r.text[:300]
    form_token: str = r.context["form_token"]
    return form_token
