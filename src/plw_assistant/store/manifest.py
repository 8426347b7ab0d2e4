"""What an index was built from, written beside it and checked on load."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..embedding.base import Embedder
from ..errors import IndexMismatchError
from .lexical import BM25_PARAMS

SCHEMA_VERSION = 5
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
    chunker: dict[str, int] = field(default_factory=dict)
    bm25: dict[str, object] = field(default_factory=lambda: dict(BM25_PARAMS))
    failed: list[dict[str, str]] = field(default_factory=list)

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
            raise IndexMismatchError(
                f"The index manifest in {gen} is unreadable. {REBUILD}"
            ) from None


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
