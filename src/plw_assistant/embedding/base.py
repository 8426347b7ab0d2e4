"""What the rest of the product needs from an embedding model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

Progress = Callable[[int], None]


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

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """A few short texts at once, as fast as possible (the question of a request)."""
        ...
