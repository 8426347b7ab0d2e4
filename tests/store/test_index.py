"""The store: build, save, load and search, and the manifest that guards it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, HashEmbedder

from plw_assistant.config import Settings
from plw_assistant.embedding.model import SentenceTransformerEmbedder, bundled_model_dir
from plw_assistant.errors import IndexMismatchError, IndexNotBuiltError, ModelError
from plw_assistant.ingest.corpus import load_corpus
from plw_assistant.pipeline.build import build_index
from plw_assistant.store.generations import current_generation, read_manifest
from plw_assistant.store.manifest import SCHEMA_VERSION
from plw_assistant.store.reader import Index


@pytest.fixture
def built(tmp_path: Path) -> tuple[Settings, HashEmbedder]:
    settings = Settings(
        corpus_dir=CORPUS, index_dir=tmp_path / "index", cache_dir=tmp_path / "cache"
    )
    embedder = HashEmbedder()
    build_index(settings, embedder)
    return settings, embedder


def test_round_trip_keeps_chunks_vectors_and_manifest(built) -> None:
    settings, embedder = built
    corpus, chunks = load_corpus(CORPUS)
    index = Index.load(settings.index_dir, embedder)
    assert list(index.chunks) == chunks
    assert set(index.documents) == {d.id for d in corpus.documents}
    m = index.manifest
    assert (m.model, m.dimension, m.schema_version) == (embedder.name, 64, SCHEMA_VERSION)
    assert m.corpus_fingerprint == corpus.fingerprint and m.chunks == len(chunks)
    assert m.weights_sha256 == embedder.weights_sha256()
    query = embedder.encode(["EU funding programmes members"])[0]
    hits = index.dense_search(query, 5)
    assert len(hits) == 5 and [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert len(index.dense_search(query, 500)) == len(chunks)


def test_heading_path_is_embedded_with_the_text(built) -> None:
    _, embedder = built
    assert any(
        t.startswith("Wrap-up of the main lessons") and "› As cluster organisation: " in t
        for t in embedder.encoded
    )


def test_not_built_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexNotBuiltError, match=r"Run `plw index` to build it"):
        Index.load(tmp_path / "empty")


def test_index_built_with_another_model_is_refused(built) -> None:
    settings, _ = built
    with pytest.raises(IndexMismatchError) as err:
        Index.load(settings.index_dir, HashEmbedder(name="another-model"))
    assert str(err.value) == (
        f"The index in {settings.index_dir} was built with the model 'test-hash-embedder', but "
        "PLW_MODEL is 'another-model'. Run `plw index` to rebuild it with the current model, "
        "or set PLW_MODEL=test-hash-embedder."
    )


def test_other_schema_version_is_refused(built) -> None:
    settings, embedder = built
    manifest = current_generation(settings.index_dir) / "manifest.json"
    data = json.loads(manifest.read_text())
    data["schema_version"] = SCHEMA_VERSION + 1
    manifest.write_text(json.dumps(data))
    with pytest.raises(
        IndexMismatchError,
        match=rf"schema version {SCHEMA_VERSION + 1}, but .* reads version {SCHEMA_VERSION}\. ",
    ):
        Index.load(settings.index_dir, embedder)


def test_damaged_vectors_file_is_reported(built) -> None:
    settings, embedder = built
    vectors = current_generation(settings.index_dir) / "vectors.faiss"
    vectors.write_bytes(vectors.read_bytes()[:100])
    with pytest.raises(IndexMismatchError, match=r"is damaged .*Run `plw index` to rebuild"):
        Index.load(settings.index_dir, embedder)


def test_rebuild_switches_generation_and_keeps_one_previous(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", cache_dir=tmp_path / "c")
    embedder = HashEmbedder()
    build_index(settings, embedder)
    first = current_generation(settings.index_dir)
    assert build_index(settings, embedder).path is None  # nothing changed: no new generation
    (corpus / "made-up-1.md").write_text("# Made-up note\n\nOne.\n")
    build_index(settings, embedder)
    second = current_generation(settings.index_dir)
    (corpus / "made-up-2.md").write_text("# Made-up note\n\nTwo.\n")
    build_index(settings, embedder)
    assert current_generation(settings.index_dir) not in (first, second)
    assert not first.exists() and second.exists()
    assert read_manifest(settings.index_dir).chunks == len(Index.load(settings.index_dir).chunks)


def test_tampered_bundled_weights_are_refused(tmp_path: Path, monkeypatch) -> None:
    fake = tmp_path / "model"
    shutil.copytree(bundled_model_dir(), fake, ignore=shutil.ignore_patterns("model.safetensors"))
    (fake / "model.safetensors").write_bytes(b"not the published weights")
    monkeypatch.setattr("plw_assistant.embedding.model.bundled_model_dir", lambda: fake)
    with pytest.raises(ModelError, match="do not match their published sha256"):
        SentenceTransformerEmbedder().encode(["hello"])


def test_bundled_weights_match_the_published_hash() -> None:
    assert SentenceTransformerEmbedder().weights_sha256() == (
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    )
