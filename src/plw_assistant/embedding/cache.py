"""A disk cache of passage embeddings keyed by model weights and text, so re-indexing and
re-running an evaluation only embed texts never seen before."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .base import Embedder, Progress


class CachedEmbedder:
    """Wraps an ``Embedder``; ``encode`` reads known texts from SQLite and embeds only the rest."""

    def __init__(self, inner: Embedder, cache_dir: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.path = cache_dir / "embeddings.sqlite"

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def weights_sha256(self) -> str:
        return self.inner.weights_sha256()

    def is_common_word(self, word: str) -> bool:
        return self.inner.is_common_word(word)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_queries(texts)

    def _keys(self, texts: Sequence[str]) -> list[bytes]:
        prefix = f"{self.name}\0{self.weights_sha256()}\0".encode()
        return [hashlib.sha256(prefix + t.encode()).digest() for t in texts]

    def _connect(self) -> sqlite3.Connection | None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30)
            db.execute("CREATE TABLE IF NOT EXISTS emb (key BLOB PRIMARY KEY, vec BLOB)")
            return db
        except (OSError, sqlite3.Error):
            return None  # an unusable cache only costs time: embed everything

    def encode(
        self, texts: Sequence[str], batch_size: int = 32, progress: Progress | None = None
    ) -> np.ndarray:
        keys = self._keys(texts)
        found: dict[bytes, bytes] = {}
        db = self._connect()
        if db is not None:
            with db:
                for lo in range(0, len(keys), 500):
                    part = keys[lo : lo + 500]
                    marks = ",".join("?" * len(part))
                    found.update(
                        db.execute(f"SELECT key, vec FROM emb WHERE key IN ({marks})", part)
                    )
        dim = self.dimension
        out = np.empty((len(texts), dim), dtype=np.float32)
        missing = []
        for i, key in enumerate(keys):
            blob = found.get(key)
            if blob is not None and len(blob) == dim * 4:
                out[i] = np.frombuffer(blob, dtype=np.float32)
            else:
                missing.append(i)
        if progress is not None and len(texts) > len(missing):
            progress(len(texts) - len(missing))
        # Embed in blocks and store each at once, so an interrupted run keeps what it did.
        for lo in range(0, len(missing), 2048):
            block = missing[lo : lo + 2048]
            fresh = self.inner.encode([texts[i] for i in block], batch_size, progress)
            out[block] = fresh
            if db is not None:
                try:
                    with db:
                        db.executemany(
                            "INSERT OR REPLACE INTO emb VALUES (?, ?)",
                            [(keys[i], fresh[j].tobytes()) for j, i in enumerate(block)],
                        )
                except sqlite3.Error:
                    pass
        if db is not None:
            db.close()
        return out
