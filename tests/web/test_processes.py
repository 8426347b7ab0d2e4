"""Answer processes: how many `plw serve` starts, and that questions answered in them are the
answers of the server process — also when one dies or the index is missing."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES, wait_for
from fastapi.testclient import TestClient

from plw_assistant.config import Settings
from plw_assistant.pipeline.build import build_index
from plw_assistant.store.gaps import GapLog
from plw_assistant.store.generations import CURRENT
from plw_assistant.web.app import create_app
from plw_assistant.web.processes import AUTO_INDEX_MB, MAX_AUTO, _Child, process_count

QUESTION = {"question": "How can clusters support their members with EU funding?"}


def test_auto_starts_one_per_core_unless_one_core_an_llm_or_a_large_index(
    settings: Settings, tmp_path: Path
) -> None:
    assert process_count(settings, cpus=2) == 2
    assert process_count(settings, cpus=64) == MAX_AUTO
    assert process_count(settings, cpus=1) == 0
    with_llm = settings.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1"})
    assert process_count(with_llm, cpus=8) == 0
    assert process_count(settings.model_copy(update={"answer_processes": 3}), cpus=1) == 3
    big = tmp_path / "index"
    generation = big / "gen-made-up"
    generation.mkdir(parents=True)
    (big / CURRENT).write_text("gen-made-up")
    with (generation / "vectors.npy").open("wb") as f:  # sparse: no disk is used
        f.truncate((AUTO_INDEX_MB + 1) * 1024 * 1024)
    large = settings.model_copy(update={"index_dir": big})
    assert process_count(large, cpus=8) == 0
    (generation / "vectors.npy").unlink()
    assert process_count(large, cpus=8) == MAX_AUTO


def _answer(client: TestClient) -> dict:
    response = client.post("/api/ask", json=QUESTION)
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.slow
def test_questions_answered_in_a_child_are_the_server_answers_even_after_it_dies(
    settings: Settings, embedder, client: TestClient
) -> None:
    expected = _answer(client)  # the session's app answers in its own process
    own = settings.model_copy(update={"cache_dir": embedder.cache_dir})
    with TestClient(create_app(own, embedder, processes=1)) as c:
        answers = c.app.state.answers  # type: ignore[attr-defined]
        assert wait_for(lambda: answers.ready == 1, 120), "the answer process never got ready"
        health = c.get("/healthz").json()["answer_processes"]
        assert health == {"ready": 1, "started": 1}
        pid = answers._children[0].pid
        assert pid != os.getpid()
        assert _answer(c) == expected
        os.kill(pid, signal.SIGKILL)
        assert _answer(c) == expected  # answered here while the child is replaced
        assert wait_for(lambda: answers.ready == 1, 120), "no replacement"
        replacement = answers._children[0]
        assert replacement.pid != pid
        assert _answer(c) == expected
    assert wait_for(lambda: not replacement.process.is_alive(), 10), "outlived the server"


@pytest.mark.slow
def test_an_error_in_a_child_is_the_same_sentence_and_status(
    embedder, tmp_path: Path, settings: Settings
) -> None:
    empty = settings.model_copy(
        update={"index_dir": tmp_path / "no-index", "cache_dir": embedder.cache_dir}
    )
    with TestClient(create_app(empty, embedder)) as here:
        expected = here.post("/api/ask", json=QUESTION)
    with TestClient(create_app(empty, embedder, processes=1)) as c:
        answers = c.app.state.answers  # type: ignore[attr-defined]
        assert wait_for(lambda: answers.ready == 1, 120)
        child = answers._children[0]
        got = c.post("/api/ask", json=QUESTION)
    assert expected.status_code == got.status_code == 503
    assert got.json() == expected.json()
    assert wait_for(lambda: not child.process.is_alive(), 10), "the child outlived the server"


@pytest.mark.slow
def test_a_child_answers_from_a_note_indexed_after_it_started(tmp_path: Path, embedder) -> None:
    shutil.copytree(CORPUS, tmp_path / "corpus")
    own = Settings(
        corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", cache_dir=embedder.cache_dir
    )
    build_index(own, embedder)
    hackathon = {"question": "How do we organise a hackathon for our members?"}
    with TestClient(create_app(own, embedder, processes=1)) as c:
        answers = c.app.state.answers  # type: ignore[attr-defined]
        assert wait_for(lambda: answers.ready == 1, 120)
        before = c.post("/api/ask", json=hackathon).json()
        assert before["abstained"]
        # The made-up note an admin would upload; the build is another process's here.
        shutil.copy(FIXTURES / "gaps" / "hackathon.md", own.corpus_dir / "hackathon.md")
        build_index(own, embedder)
        after = c.post("/api/ask", json=hackathon).json()
        assert answers.ready == 1  # answered by the child, which loaded the new generation
    assert not after["abstained"] and "Made-up lesson" in after["answer"]
    assert [g.question for g in GapLog(own.gap_path, 90).gaps()] == [hackathon["question"]]


def test_a_server_that_cannot_start_processes_answers_in_its_own(
    settings: Settings, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(cls: object, settings: Settings) -> None:
        raise OSError("made-up: no processes in this sandbox")

    monkeypatch.setattr(_Child, "start", classmethod(refuse))
    with TestClient(create_app(settings, embedder, processes=2)) as c:
        assert c.get("/healthz").json()["answer_processes"] == {"ready": 0, "started": 0}
        assert _answer(c)["citations"]
