"""Shared fixtures: one real model and one real index for the whole session."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from plw_assistant.assistant import Assistant
from plw_assistant.config import Settings, get_settings
from plw_assistant.domain import Answer, Question, Turn
from plw_assistant.embedding.base import LateText, late_by_parts
from plw_assistant.embedding.model import SentenceTransformerEmbedder
from plw_assistant.pipeline.build import build_index
from plw_assistant.web.app import create_app

# The test client calls itself "testserver"; only tests allow that name (made up for them).
os.environ["PLW_ALLOWED_HOSTS"] = "localhost,127.0.0.1,::1,testserver"
# Keep the embedding cache of test runs out of the user's cache folder.
os.environ["PLW_CACHE_DIR"] = tempfile.mkdtemp(prefix="plw-test-cache-")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
FIXTURES = Path(__file__).parent / "fixtures"


def checkout_metadata(folder: Path) -> Path:
    """The packaging metadata `pip install -e .` would write for this checkout's pyproject.toml
    (name, version, entry points), as a dist-info folder in ``folder``."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    info = folder / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n"
    )
    groups = project.get("entry-points", {})
    (info / "entry_points.txt").write_text(
        "".join(
            f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in points.items())
            for group, points in groups.items()
        )
    )
    return info


# The session finds commands through this checkout's entry points even when the venv was
# installed from an older pyproject.toml (re-running `pip install -e .` refreshes them): its
# metadata comes first on the path, and the first distribution of a name is the one read.
sys.path.insert(0, str(checkout_metadata(Path(tempfile.mkdtemp(prefix="plw-test-dist-"))).parent))


class HashEmbedder:
    """Deterministic bag-of-words hashing embedder for fast plumbing tests (not a real model)."""

    def __init__(self, name: str = "test-hash-embedder", dimension: int = 64) -> None:
        self.name = name
        self._dimension = dimension
        self.encoded: list[str] = []

    @property
    def dimension(self) -> int:
        return self._dimension

    def weights_sha256(self) -> str:
        return hashlib.sha256(self.name.encode()).hexdigest()

    def is_common_word(self, word: str) -> bool:
        return True

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts)

    def encode_late(self, items: Sequence[LateText], batch_size: int = 32, progress=None):
        return late_by_parts(self, items, batch_size, progress)

    def encode(self, texts: Sequence[str], batch_size: int = 32, progress=None) -> np.ndarray:
        self.encoded.extend(texts)
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self._dimension] += 1
            out[row] /= max(float(np.linalg.norm(out[row])), 1e-9)
        if progress:
            progress(len(texts))
        return out


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test reads the environment anew and cannot see the developer's PLW_* variables."""
    for var in ("PLW_CORPUS_DIR", "PLW_INDEX_DIR", "PLW_MODEL", "PLW_TOP_K"):
        monkeypatch.delenv(var, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> SentenceTransformerEmbedder:
    """The real bundled all-MiniLM-L6-v2, loaded once per test session; its ONNX query encoder
    is exported afresh into the session's own cache folder."""
    model = SentenceTransformerEmbedder(cache_dir=tmp_path_factory.mktemp("model-cache"))
    model.encode(["load"])
    model.encode_queries(["load"])
    return model


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, embedder) -> Settings:
    """Settings pointing at a real index built from the real corpus with the real model."""
    # Many tests share this server: its feedback limit is not what they test.
    s = Settings(
        corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("index"), feedback_rate="1000/minute"
    )
    build_index(s, embedder)
    return s


@pytest.fixture(scope="session")
def assistant(settings: Settings, embedder) -> Assistant:
    return Assistant(settings, embedder)


@pytest.fixture(scope="session")
def client(settings: Settings, embedder) -> Iterator[TestClient]:
    with TestClient(create_app(settings, embedder)) as c:
        yield c


def converse(assistant: Assistant, *turns: str) -> Answer:
    """The answer to the last of ``turns``, each asked after the ones before it, as the page
    asks them (the earlier answers and the passages they quoted sent back)."""
    history: list[Turn] = []
    answer = None
    for text in turns:
        answer = assistant.ask(Question(text, history=tuple(history)))
        cited = tuple(c.chunk_id for c in answer.citations if c.cited)
        history.append(Turn(answer.question, answer.answer, cited))
    assert answer is not None
    return answer


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass; whether it held."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def wait_healthy(proc: subprocess.Popen, base: str, seconds: float = 120) -> None:
    """Wait until a `plw serve` subprocess answers /healthz with 200; fail if it exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "plw serve exited"
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.3)
    pytest.fail(f"plw serve did not become healthy within {seconds:.0f} s")
