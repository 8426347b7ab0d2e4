"""Keyword search: BM25 (bm25s) over the same passages the dense index holds."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..words import BM25_PARAMS, tokenize

_TOKENS: dict[str, list[str]] = {}
_TOKENS_MAX = 500_000


def tokenize_cached(texts: Sequence[str]) -> list[list[str]]:
    """``tokenize`` remembering passages, so a re-index in a long-running process only
    tokenizes the passages it has not seen (the BM25 index itself is rebuilt every time)."""
    missing = list(dict.fromkeys(t for t in texts if t not in _TOKENS))
    if missing:
        if len(_TOKENS) + len(missing) > _TOKENS_MAX:
            _TOKENS.clear()
        _TOKENS.update(zip(missing, tokenize(missing), strict=True))
    return [_TOKENS[t] for t in texts]


class BM25:
    """A BM25 index whose document ``i`` is row ``i`` of the dense index."""

    def __init__(self, model: Any, size: int) -> None:
        self.model = model
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str]) -> BM25:
        import bm25s

        model = bm25s.BM25(k1=BM25_PARAMS["k1"], b=BM25_PARAMS["b"], method=BM25_PARAMS["method"])
        if texts:
            # bm25s logs a warning for documents that are all stop words; they just never match.
            logging.getLogger("bm25s").setLevel(logging.ERROR)
            model.index(tokenize_cached(texts), show_progress=False)
        return cls(model, len(texts))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query`` (zeros where no word matches)."""
        words = tokenize([query])[0]
        if not self.size or not words:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.model.get_scores(words), dtype=np.float32)

    def knows(self, term: str) -> bool:
        """Whether a (tokenized) term occurs anywhere in the indexed passages."""
        return self.size > 0 and term in self.model.vocab_dict

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "size.json").write_text(json.dumps({"size": self.size}))
        if self.size:
            self.model.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path, mmap: bool = True) -> BM25:
        """The saved index; with ``mmap`` its score arrays stay in the files (memory-mapped:
        only the lists of the words questions use are ever read), the vocabulary in memory."""
        import bm25s

        size = int(json.loads((directory / "size.json").read_text())["size"])
        if not size:
            return cls(bm25s.BM25(), 0)
        return cls(bm25s.BM25.load(str(directory), mmap=mmap, show_progress=False), size)
