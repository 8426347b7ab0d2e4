"""Embeddings of recent questions, shared by the requests of one process."""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from ..embedding.base import Embedder


class QueryCache:
    """Embeddings of recent questions (starter questions and retries are asked again)."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, embedder: Embedder, text: str) -> np.ndarray:
        key = (f"{embedder.name}\0{embedder.weights_sha256()}", text)
        with self._lock:
            cached = self._items.get(key)
            if cached is not None:
                self._items.move_to_end(key)
                return cached
        vector: np.ndarray = embedder.encode_queries([text])[0]
        with self._lock:
            self._items[key] = vector
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        return vector
