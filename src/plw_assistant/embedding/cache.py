"""A disk cache of passage embeddings keyed by model weights and text, so re-indexing and
re-running an evaluation only embed texts never seen before."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .base import Embedder, LateText, LateVectors, Progress


class CachedEmbedder:
    """Wraps an ``Embedder``; ``encode`` reads known texts from SQLite and embeds only the rest."""

    def __init__(self, inner: Embedder, cache_dir: Path, dimension: int | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.path = cache_dir / "embeddings.sqlite"
        # Known from an index of the same weights: texts all found here then need no model.
        self._dimension = dimension

    @property
    def dimension(self) -> int:
        return self._dimension or self.inner.dimension

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
        db = self._connect()
        found = self._read(db, keys) if db is not None else {}
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
            self._write(db, [(keys[i], fresh[j].tobytes()) for j, i in enumerate(block)])
        if db is not None:
            db.close()
        return out

    def encode_late(
        self, items: Sequence[LateText], batch_size: int = 32, progress: Progress | None = None
    ) -> LateVectors:
        """Like ``encode``: one cache entry per passage holds its vector and its sentences'."""
        keys = self._keys([f"late1\0{it.text}\0{it.spans}" for it in items])
        db = self._connect()
        found = self._read(db, keys) if db is not None else {}
        dim = self.dimension
        passages = np.empty((len(items), dim), dtype=np.float32)
        sentences: list[np.ndarray] = [passages[:0]] * len(items)
        missing = []
        for i, key in enumerate(keys):
            blob = found.get(key)
            if blob is not None and len(blob) == dim * 4 * (1 + len(items[i].spans)):
                block = np.frombuffer(blob, dtype=np.float32).reshape(-1, dim)
                passages[i], sentences[i] = block[0], block[1:]
            else:
                missing.append(i)
        if progress is not None and len(items) > len(missing):
            progress(len(items) - len(missing))
        out = LateVectors(passages, sentences, precision="cached")
        for lo in range(0, len(missing), 2048):
            block_rows = missing[lo : lo + 2048]
            fresh = self.inner.encode_late([items[i] for i in block_rows], batch_size, progress)
            out.windows += fresh.windows
            out.long += fresh.long
            out.texts += fresh.texts
            out.precision = fresh.precision
            rows = []
            for j, i in enumerate(block_rows):
                passages[i], sentences[i] = fresh.passages[j], fresh.sentences[j]
                rows.append((keys[i], np.vstack([fresh.passages[j : j + 1], sentences[i]])))
            self._write(db, [(k, v.astype(np.float32).tobytes()) for k, v in rows])
        if db is not None:
            db.close()
        return out

    def _read(self, db: sqlite3.Connection, keys: list[bytes]) -> dict[bytes, bytes]:
        found: dict[bytes, bytes] = {}
        with db:
            for lo in range(0, len(keys), 500):
                part = keys[lo : lo + 500]
                marks = ",".join("?" * len(part))
                found.update(db.execute(f"SELECT key, vec FROM emb WHERE key IN ({marks})", part))
        return found

    def _write(self, db: sqlite3.Connection | None, rows: list[tuple[bytes, bytes]]) -> None:
        if db is None:
            return
        try:
            with db:
                db.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?)", rows)
        except sqlite3.Error:
            pass  # an unusable cache only costs time
