"""A gap log nobody can bury: one client's flood of distinct declined questions records at most
PLW_GAP_RATE of them, so the real gaps stay visible; questions beyond PLW_ASK_RATE get 429.
The questions are made up (the flood's are nonsense on purpose)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from admin_support import TOKEN, admin_copy, sign_in
from conftest import HashEmbedder
from fastapi.testclient import TestClient
from pydantic import SecretStr

from plw_assistant.appdata.database import AppDatabase
from plw_assistant.appdata.gaps import GapLog
from plw_assistant.config import Settings
from plw_assistant.web.app import create_app

OWN = shutil.ignore_patterns("app.sqlite*", "admin-session.key")  # the server's own data

REAL = [
    "How do we run a made-up hackathon for members?",
    "What is the made-up membership fee for start-ups?",
    "Which made-up coffee machine suits the cluster office?",
]


@pytest.mark.slow
def test_a_flood_from_one_client_leaves_the_real_gaps_visible(
    tmp_path: Path, settings: Settings, embedder
) -> None:
    shutil.copytree(settings.index_dir, tmp_path / "index", ignore=OWN)
    update = {"index_dir": tmp_path / "index", "admin_token": SecretStr(TOKEN)}
    settings = settings.model_copy(update={**update, "ask_rate": "100000/minute"})
    log = GapLog(AppDatabase.from_settings(settings), 90)
    for question in REAL:  # asked earlier by three people
        log.add("abstained", question)
    with TestClient(create_app(settings, embedder)) as client:
        declined = 0
        for n in range(2000):
            r = client.post("/api/ask", json={"question": f"zqx{n} vlorp{n * 7} murb{n * 13}?"})
            assert r.status_code == 200
            declined += r.json()["abstained"]
        assert declined > 100
        assert len(log.gaps()) == len(REAL) + 30  # PLW_GAP_RATE: 30 an hour from one address
        sign_in(client, TOKEN)
        page = client.get("/admin/gaps")
    shown = {q for g in page.context["groups"] for q in g.questions}
    assert set(REAL) <= shown


def test_questions_beyond_the_ask_rate_wait(tmp_path: Path) -> None:
    settings = admin_copy(tmp_path).model_copy(update={"ask_rate": "3/minute"})
    with TestClient(create_app(settings, HashEmbedder())) as client:
        codes = [
            client.post("/api/ask", json={"question": f"Made-up question {n}?"}).status_code
            for n in range(3)
        ]
        assert codes == [200, 200, 200]
        r = client.get("/", params={"q": "Made-up fourth question?"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert "Too many questions from your address" in r.text
        r = client.post("/api/ask", json={"question": "Made-up fifth question?"})
        assert r.status_code == 429 and r.json()["detail"].startswith("Too many questions")
