"""What the rest of the product needs from an embedding model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # only named here: the store's manifest check imports this, never numpy
    import numpy as np

Progress = Callable[[int], None]


@dataclass(frozen=True)
class LateText:
    """A passage to embed and the character spans of its sentences (none: the passage only)."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()


@dataclass
class LateVectors:
    """Normalised vectors of ``LateText`` items: one per passage, one per sentence of each."""

    passages: np.ndarray
    sentences: list[np.ndarray]
    windows: int = 0  # extra windows read for passages longer than the model's window
    long: int = 0  # passages longer than the model's window
    precision: str = "fp32"  # arithmetic of the vectors made ("cached": none were)
    texts: int = 0  # sequences the model read (passages, extra windows, lone sentences)


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    name: str

    @property
    def dimension(self) -> int: ...

    def weights_sha256(self) -> str: ...

    def is_common_word(self, word: str) -> bool: ...

    def encode(
        self, texts: Sequence[str], batch_size: int = 32, progress: Progress | None = None
    ) -> np.ndarray: ...

    def encode_late(
        self, items: Sequence[LateText], batch_size: int = 32, progress: Progress | None = None
    ) -> LateVectors:
        """Passage and sentence vectors in one pass over each passage (``embedding.late``)."""
        ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """A few short texts at once, as fast as possible (the question of a request)."""
        ...


def late_by_parts(
    embedder: Embedder,
    items: Sequence[LateText],
    batch_size: int = 32,
    progress: Progress | None = None,
) -> LateVectors:
    """``encode_late`` for models without token access: each passage and each of its
    sentences embedded on its own (the cost late chunking avoids)."""
    passages = embedder.encode([it.text for it in items], batch_size, progress)
    parts = [it.text[s:e] for it in items for s, e in it.spans]
    flat = embedder.encode(parts, batch_size) if parts else passages[:0]
    sentences, lo = [], 0
    for it in items:
        sentences.append(flat[lo : lo + len(it.spans)])
        lo += len(it.spans)
    return LateVectors(passages, sentences, texts=len(items) + len(parts))
