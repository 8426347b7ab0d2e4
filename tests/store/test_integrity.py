"""A generation that is not what was written is reported as damaged everywhere; faults while
writing say what happened in one line; killed builds leave nothing behind."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import CORPUS, HashEmbedder
from fastapi.testclient import TestClient

from plw_assistant.config import Settings
from plw_assistant.errors import BuildError, IndexDamagedError
from plw_assistant.pipeline.build import build_index
from plw_assistant.store.generations import current_generation, read_manifest
from plw_assistant.store.reader import Index
from plw_assistant.web.app import create_app


@pytest.fixture
def built(tmp_path: Path) -> Settings:
    settings = Settings(
        corpus_dir=CORPUS,
        index_dir=tmp_path / "index",
        cache_dir=tmp_path / "cache",
        model="test-hash-embedder",
    )
    build_index(settings, HashEmbedder())
    return settings


def test_the_manifest_records_every_file(built: Settings) -> None:
    files = read_manifest(built.index_dir).files
    assert {"vectors.faiss", "chunks.sqlite"} <= set(files)
    gen = current_generation(built.index_dir)
    assert gen is not None
    for name, entry in files.items():
        assert (gen / name).stat().st_size == entry["size"] and len(str(entry["sha256"])) == 64


def test_a_passage_edited_inside_the_index_is_damage(built: Settings) -> None:
    gen = current_generation(built.index_dir)
    assert gen is not None
    with sqlite3.connect(gen / "chunks.sqlite") as db:  # same length: only the hash can tell
        db.execute("UPDATE chunks SET text = replace(text, 'funding', 'FUNDING')")
    db.close()
    with pytest.raises(IndexDamagedError, match=r"damaged \(chunks.sqlite was changed\)"):
        Index.load(built.index_dir)
    with TestClient(create_app(built, HashEmbedder())) as client:
        r = client.post("/api/ask", json={"question": "EU funding for members"})
        assert r.status_code == 503
        assert r.json() == {"detail": "The index is damaged. Run `plw index` to rebuild it."}
        health = client.get("/healthz").json()
        assert health["status"] == "error" and "damaged" in health["detail"]


def test_a_missing_file_is_damage(built: Settings) -> None:
    gen = current_generation(built.index_dir)
    assert gen is not None
    shutil.rmtree(gen / "bm25")
    with pytest.raises(IndexDamagedError, match="is missing"):
        Index.load(built.index_dir)


def test_a_full_disk_reported_by_faiss_is_one_sentence(tmp_path: Path, monkeypatch) -> None:
    settings = Settings(
        corpus_dir=CORPUS, index_dir=tmp_path / "index", cache_dir=tmp_path / "cache"
    )

    def full(*_args: object) -> None:  # what FAISS raises when write() fails with ENOSPC
        raise RuntimeError(
            "Error in faiss::FileIOWriter::operator() at faiss/impl/io.cpp:100: "
            "Error: 'ret == (n)' failed: write error: No space left on device"
        )

    monkeypatch.setattr("plw_assistant.store.writer.faiss.write_index", full)
    with pytest.raises(BuildError, match="the disk is full") as exc:
        build_index(settings, HashEmbedder())
    assert "\n" not in str(exc.value) and "previous index is unchanged" in str(exc.value)
    assert not list((tmp_path / "index").glob(".build-*"))


def test_builds_killed_earlier_leave_no_folders(built: Settings) -> None:
    leftover = built.index_dir / ".build-killed1"
    (leftover / "bm25").mkdir(parents=True)
    (leftover / "vectors.faiss").write_bytes(b"half written")
    build_index(built, HashEmbedder())  # nothing changed, but the lock was taken
    assert not leftover.exists()


def test_an_index_folder_that_is_a_file(tmp_path: Path) -> None:
    a_file = tmp_path / "index"
    a_file.write_text("not a folder")
    settings = Settings(corpus_dir=CORPUS, index_dir=a_file, cache_dir=tmp_path / "cache")
    with pytest.raises(BuildError, match="which is a file, not a folder"):
        build_index(settings, HashEmbedder())
