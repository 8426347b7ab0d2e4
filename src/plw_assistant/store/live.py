"""The generation a long-running process serves: re-opened when ``CURRENT`` changes, the last
good one kept when a new one will not load, a freshly built one handed over in memory."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from ..embedding.base import Embedder
from ..errors import PLWError
from .generations import Pointer, current_generation
from .reader import Index

log = logging.getLogger("plw_assistant")


class LiveIndex:
    """The current index of ``index_dir``, checked for a new generation at each ``get``."""

    def __init__(self, index_dir: Path, embedder: Embedder) -> None:
        self.index_dir = index_dir
        self.embedder = embedder
        self._index: Index | None = None
        self._failed: Path | None = None  # a generation that would not load
        self._pointer = Pointer(index_dir)
        self._lock = threading.Lock()

    def get(self) -> Index:
        """The index to answer from; raises ``PLWError`` only when none was ever loaded."""
        index = self._index
        if index is not None and not self._pointer.changed():
            return index
        gen = current_generation(self.index_dir)
        if index is not None and (gen is None or gen in (index.path, self._failed)):
            return index  # the folder vanished or nothing new: keep what is in memory
        with self._lock:
            if self._index is None or self._index.path != gen:
                try:
                    loaded = Index.load(self.index_dir, self.embedder)
                except PLWError as exc:
                    if self._index is None:
                        raise
                    # A damaged new generation: keep answering from the last good one.
                    log.error("Keeping the index in memory: %s", exc)
                    self._failed = gen
                    return self._index
                self._index = loaded
            return self._index

    def loaded(self) -> Index | None:
        """The index in memory, if any (a build may reuse it instead of reading it again)."""
        return self._index

    def use(self, index: Index) -> None:
        """Serve ``index``, just built and saved by this process, as read back from its
        folder: the loaded form reads passages for the hits only, where the built one holds
        every passage and its fp32 vectors in memory (it is kept if it will not load)."""
        try:
            loaded = Index.load(self.index_dir, self.embedder) if index.path else index
        except PLWError as exc:
            log.error("Serving the new index from memory: %s", exc)
            loaded = index
        if loaded.path != index.path:  # another build published since: serve that one
            loaded = index
        with self._lock:
            self._index = loaded
