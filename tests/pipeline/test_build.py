"""Incremental, serialised and crash-safe index builds."""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS, HashEmbedder, write

from plw_assistant.config import Settings
from plw_assistant.domain import Filters
from plw_assistant.errors import BuildError
from plw_assistant.ingest.corpus import load_corpus
from plw_assistant.pipeline.build import build_index, build_lock
from plw_assistant.pipeline.freshness import stale_reason
from plw_assistant.store.generations import current_generation
from plw_assistant.store.reader import Index


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Settings, Path]:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", cache_dir=tmp_path / "c")
    return settings, corpus


def statuses(report) -> dict[str, str]:
    return {f.path: f.status for f in report.files}


def test_only_new_or_changed_files_are_embedded(setup) -> None:
    settings, corpus = setup
    first = build_index(settings, HashEmbedder())
    assert set(statuses(first).values()) == {"new"} and first.embedded > 30
    note = corpus / "sessions" / "plw-4.md"
    note.write_text(note.read_text() + "- A made-up extra topic about cluster newsletters\n")
    embedder = HashEmbedder()
    report = build_index(settings, embedder)
    assert statuses(report)["sessions/plw-4.md"] == "changed"
    assert [s for p, s in statuses(report).items() if p != "sessions/plw-4.md"] == ["unchanged"] * 5
    assert embedder.encoded == [
        "PLW#4: Preparing European project on cluster side › Topics: "
        "A made-up extra topic about cluster newsletters"
    ]
    assert report.totals() == "+0 new, ~1 changed, -0 removed, 1 texts embedded, 0 failed"
    index = Index.load(settings.index_dir)
    assert any("cluster newsletters" in c.text for c in index.chunks)


def test_removed_files_drop_out_and_renamed_files_are_not_embedded(setup) -> None:
    settings, corpus = setup
    build_index(settings, HashEmbedder())
    (corpus / "sessions" / "plw-1.md").unlink()
    (corpus / "sessions" / "plw-2.md").rename(corpus / "sessions" / "webinar-two.md")
    embedder = HashEmbedder()
    report = build_index(settings, embedder)
    assert statuses(report)["sessions/plw-1.md"] == "removed"
    assert statuses(report)["sessions/plw-2.md"] == "removed"
    assert statuses(report)["sessions/webinar-two.md"] == "new"
    assert embedder.encoded == []  # same text and title: vectors come from the old index
    docs = Index.load(settings.index_dir).documents
    assert "sessions/plw-1" not in docs and "sessions/webinar-two" in docs


def test_nothing_changed_means_no_new_generation_and_no_model(setup) -> None:
    settings, _ = setup
    build_index(settings, HashEmbedder())
    gen = current_generation(settings.index_dir)
    embedder = HashEmbedder()
    report = build_index(settings, embedder)
    assert report.path is None and embedder.encoded == []
    assert current_generation(settings.index_dir) == gen


def test_staleness_follows_corpus_and_model(setup) -> None:
    settings, corpus = setup
    embedder = HashEmbedder()
    assert stale_reason(settings, embedder) == "there is no index yet"
    build_index(settings, embedder)
    assert stale_reason(settings, embedder) is None
    (corpus / "sessions" / "made-up.md").write_text("# A made-up note\n\nNew text.\n")
    assert stale_reason(settings, embedder) == "the notes changed since the index was built"
    build_index(settings, embedder)
    assert stale_reason(settings, HashEmbedder(name="other")) == (
        "the index was built with another model or version"
    )


def test_model_or_chunker_change_rebuilds_everything_and_says_so(setup) -> None:
    settings, _ = setup
    build_index(settings, HashEmbedder())
    other = HashEmbedder(name="another-made-up-model")
    report = build_index(settings, other)
    assert (
        report.full_rebuild
        == "the existing index does not match the current model, settings or version"
    )
    assert len(other.encoded) == report.embedded > 30
    smaller = settings.model_copy(update={"chunk_max_chars": 300})
    report = build_index(smaller, other)
    assert report.full_rebuild == "the chunker settings changed"


def test_bad_files_never_stop_the_others(setup) -> None:
    settings, corpus = setup
    write(corpus / "empty.md", "")
    write(corpus / "binary.txt", b"\x00\xff\xfe\x00")
    write(corpus / "photo.gif", b"GIF89a")
    write(corpus / "huge.md", "x" * (10 * 1024 * 1024 + 1))
    report = build_index(settings, HashEmbedder())
    got = {f.path: (f.status, f.reason) for f in report.files}
    assert got["empty.md"] == ("failed", "it is empty")
    assert got["binary.txt"][0] == "failed" and "not UTF-8" in got["binary.txt"][1]
    assert got["photo.gif"] == ("skipped", "unsupported type .gif")
    assert got["huge.md"] == ("failed", "it is larger than 10 MB")
    assert report.count("new") == 6 and len(report.failed) == 3


def test_builds_are_serialised_by_a_lock(setup) -> None:
    settings, _ = setup
    build_index(settings, HashEmbedder())
    started = time.monotonic()
    build_index(settings, HashEmbedder())  # nothing changed: how long a free build takes
    free = time.monotonic() - started
    order: list[str] = []

    def second_build() -> None:
        build_index(settings, HashEmbedder())
        order.append("second build finished")

    with build_lock(settings.index_dir):  # a first build is running
        thread = threading.Thread(target=second_build)
        thread.start()
        thread.join(timeout=max(2.0, 20 * free))
        assert thread.is_alive(), "the second build did not wait for the lock"
        order.append("first build finished")
    thread.join(timeout=30)
    assert order == ["first build finished", "second build finished"]


def test_write_failure_keeps_the_old_index(setup, monkeypatch) -> None:
    settings, corpus = setup
    build_index(settings, HashEmbedder())
    gen = current_generation(settings.index_dir)
    write(corpus / "made-up.md", "# Made-up\n\nA new note.\n")

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("plw_assistant.store.writer.faiss.write_index", disk_full)
    with pytest.raises(BuildError) as err:
        build_index(settings, HashEmbedder())
    assert str(err.value).startswith(
        f"Could not write the new index to {settings.index_dir}: "
        "the disk is full. The previous index is unchanged"
    )
    assert current_generation(settings.index_dir) == gen
    assert not list(settings.index_dir.glob(".build-*"))
    Index.load(settings.index_dir)


@pytest.mark.slow
def test_kill_9_during_a_build_leaves_the_previous_index_usable(tmp_path: Path, settings) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index_dir = tmp_path / "index"
    shutil.copytree(settings.index_dir, index_dir)  # a good index of the real corpus
    before = current_generation(index_dir)
    # A made-up note big enough that embedding it takes seconds.
    write(
        corpus / "big.md",
        "\n\n".join(f"Made-up paragraph {i} about cluster work." * 8 for i in range(400)),
    )
    env = {
        **os.environ,
        "PLW_CORPUS_DIR": str(corpus),
        "PLW_INDEX_DIR": str(index_dir),
        "PLW_CACHE_DIR": str(tmp_path / "cache"),
        "HF_HUB_OFFLINE": "1",
    }
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "plw"), "index"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    seen = b""
    # Wait until it is mid-way through embedding: some texts embedded, not all.
    while not re.search(rb"Embedding.*?\b([1-9]\d*)/(\d+)", seen):
        chunk = proc.stderr.read1(256)  # type: ignore[attr-defined]
        assert chunk, "the build ended before embedding"
        seen += chunk
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stderr.close()
    assert current_generation(index_dir) == before
    index = Index.load(index_dir)
    assert "big" not in index.documents and index.size == len(load_corpus(CORPUS)[1])


def test_index_type_follows_size_and_settings(setup) -> None:
    settings, _ = setup
    build_index(settings, HashEmbedder())
    assert Index.load(settings.index_dir).manifest.ann == "flat"
    small_threshold = settings.model_copy(update={"ann_threshold": 10})
    embedder = HashEmbedder()
    report = build_index(small_threshold, embedder)  # same notes, other index type
    assert report.path is not None and embedder.encoded == []  # vectors reused, not embedded
    ivf = Index.load(settings.index_dir)
    assert ivf.manifest.ann == "ivf" and type(ivf.vectors).__name__ == "IndexIVFScalarQuantizer"
    build_index(settings.model_copy(update={"index_type": "hnsw"}), HashEmbedder())
    hnsw = Index.load(settings.index_dir)
    assert type(hnsw.vectors).__name__ == "IndexHNSWFlat"
    flat_settings = settings.model_copy(update={"index_type": "flat"})
    build_index(flat_settings, HashEmbedder())
    flat = Index.load(settings.index_dir)
    query = HashEmbedder().encode(["EU funding programmes for members"])[0]
    exact = [r for r, _ in flat.dense_search(query, 5)]
    assert [r for r, _ in hnsw.dense_search(query, 5)] == exact
    assert [r for r, _ in ivf.dense_search(query, 5)] == exact
    assert np.allclose(ivf.vectors_of([3, 7]), flat.vectors_of([3, 7]))
    only = hnsw.matching(Filters(session="PLW#3"))
    assert {hnsw.chunks[r].document for r, _ in hnsw.dense_search(query, 5, only)} == {
        "sessions/plw-3"
    }
