"""What an index was built from, written beside it and checked on load."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..embedding.base import Embedder
from ..errors import IndexDamagedError, IndexMismatchError
from ..words import BM25_PARAMS

SCHEMA_VERSION = 8
# Files up to this size are hashed when a generation is opened; larger ones (the vectors of a
# big corpus) are checked by size, their hash being recorded at build for `plw index --verify`.
HASH_ON_LOAD = 64 * 1024 * 1024
REBUILD = "Run `plw index` to rebuild it."


@dataclass(frozen=True)
class Manifest:
    """What an index was built from; checked on load."""

    model: str
    weights_sha256: str
    dimension: int
    corpus_fingerprint: str
    chunks: int
    documents: int
    schema_version: int = SCHEMA_VERSION
    built_at: str = ""
    sentences: int = 0
    ann: str = "flat"  # flat (exact), ivf or hnsw (approximate), chosen by size
    chunker: dict[str, int | str] = field(default_factory=dict)
    bm25: dict[str, object] = field(default_factory=lambda: dict(BM25_PARAMS))
    failed: list[dict[str, str]] = field(default_factory=list)
    files: dict[str, dict[str, object]] = field(default_factory=dict)  # name → size, sha256
    sentence_vectors: str = "late"  # late (pooled from one pass) or separate (config.py)
    precision: str = "fp32"  # arithmetic the passages were last embedded in
    glossary_problems: list[str] = field(default_factory=list)  # entries skipped, and why

    @classmethod
    def read(cls, gen: Path, index_dir: Path) -> Manifest:
        """The manifest of generation ``gen``; ``IndexMismatchError`` if unreadable or old."""
        try:
            data = json.loads((gen / "manifest.json").read_text())
            version = data.get("schema_version")
            if version != SCHEMA_VERSION:
                raise IndexMismatchError(
                    f"The index in {index_dir} has schema version {version}, but this version "
                    f"of PLW Assistant reads version {SCHEMA_VERSION}. {REBUILD}"
                )
            return cls(**data)
        except (OSError, ValueError, TypeError, AttributeError):
            raise IndexDamagedError(
                f"The index manifest in {gen} is unreadable. {REBUILD}"
            ) from None


def file_sums(folder: Path) -> dict[str, dict[str, object]]:
    """Size and sha256 of every file of a generation (the manifest itself excepted)."""
    sums: dict[str, dict[str, object]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name != "manifest.json":
            sums[name] = {"size": path.stat().st_size, "sha256": _sha256(path)}
    return sums


def check_files(manifest: Manifest, gen: Path, index_dir: Path) -> None:
    """Refuse a generation whose files are not the ones written: missing, resized, or (for
    files up to HASH_ON_LOAD) with other bytes — say, passages edited inside chunks.sqlite."""
    for name, expected in manifest.files.items():
        path = gen / name
        try:
            size = path.stat().st_size
        except OSError:
            raise IndexDamagedError(
                f"The index in {index_dir} is damaged ({name} is missing). {REBUILD}"
            ) from None
        changed = size != expected.get("size") or (
            size <= HASH_ON_LOAD and _sha256(path) != expected.get("sha256")
        )
        if changed:
            raise IndexDamagedError(
                f"The index in {index_dir} is damaged ({name} was changed). {REBUILD}"
            )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_model(manifest: Manifest, embedder: Embedder, index_dir: Path) -> None:
    """Refuse an index built with another model, other weights or other BM25 settings."""
    if manifest.bm25 != BM25_PARAMS:
        raise IndexMismatchError(
            f"The index in {index_dir} was built with other keyword-search settings. {REBUILD}"
        )
    if manifest.model != embedder.name:
        raise IndexMismatchError(
            f"The index in {index_dir} was built with the model {manifest.model!r}, but "
            f"PLW_MODEL is {embedder.name!r}. Run `plw index` to rebuild it with the current "
            f"model, or set PLW_MODEL={manifest.model}."
        )
    weights = embedder.weights_sha256()
    if "unknown" not in (weights, manifest.weights_sha256) and weights != manifest.weights_sha256:
        raise IndexMismatchError(
            f"The index in {index_dir} was built with other weights of {manifest.model!r}. "
            f"{REBUILD}"
        )
