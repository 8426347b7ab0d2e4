"""Keyword search: BM25 (bm25s) over the same passages the dense index holds."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

# Recorded in the manifest: changing any of these means the BM25 part must be rebuilt.
BM25_PARAMS = {
    "k1": 0.9,
    "b": 0.4,
    "method": "lucene",
    "stemmer": "english",
    "stopwords": "en_plus",  # NLTK's list: drops question words ("which", "how", "should")
}


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer(BM25_PARAMS["stemmer"])


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.tokenization import _infer_stopwords

    return frozenset(_infer_stopwords(BM25_PARAMS["stopwords"]))


_WORDS = re.compile(r"(?u)\b\w\w+\b").findall  # bm25s's (and scikit-learn's) token pattern


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased, stop-word-free, stemmed word lists: exactly ``bm25s.tokenize`` (a test
    holds them equal), without its per-call progress-bar and vocabulary set-up, which cost
    more than the words themselves on the short texts of a request."""
    stop, stem = _stopwords(), _stemmer().stemWords
    return [stem([w for w in _WORDS(text.lower()) if w not in stop]) for text in texts]


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
