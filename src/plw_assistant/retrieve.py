"""Turning a question into ranked passages."""

from __future__ import annotations

from .embed import Embedder
from .index import Hit, Index


class Retriever:
    """Dense retrieval: embed the question with the index's model, search FAISS."""

    def __init__(self, index: Index, embedder: Embedder) -> None:
        self.index = index
        self.embedder = embedder

    def search(self, question: str, k: int) -> list[Hit]:
        query = self.embedder.encode([question])[0]
        return self.index.search(query, k)
