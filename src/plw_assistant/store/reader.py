"""Reading a generation: the FAISS vectors, sentence vectors, BM25 and chunk table of one
built index, row-aligned (row ``i`` of each is ``chunks[i]``), with the searches they serve."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from ..domain import Chunk, Document, Filters
from ..embedding.base import Embedder
from ..errors import IndexDamagedError
from .generations import open_current
from .lexical import BM25
from .manifest import REBUILD, Manifest, check_files, check_model
from .tables import read_tables
from .vectors import Sentences


@dataclass
class Columns:
    """Per-row codes of what filters look at, computed once per index."""

    session: np.ndarray  # code of each row's session (-1: none)
    document: np.ndarray  # code of each row's document
    sessions: dict[str, int]
    documents: dict[str, int]
    tagged: dict[str, list[int]]  # tag → codes of the documents carrying it
    _row_of: dict[str, int] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, chunks: Sequence[Chunk], documents: dict[str, Document]) -> Columns:
        doc_codes = {d: i for i, d in enumerate(documents)}
        sessions: dict[str, int] = {}
        session = np.fromiter(
            (sessions.setdefault(c.session, len(sessions)) if c.session else -1 for c in chunks),
            dtype=np.int32,
            count=len(chunks),
        )
        document = np.fromiter(  # chunks of an in-memory index may have no Document
            (doc_codes.setdefault(c.document, len(doc_codes)) for c in chunks),
            dtype=np.int32,
            count=len(chunks),
        )
        tagged: dict[str, list[int]] = {}
        for d, code in doc_codes.items():
            for tag in documents[d].tags if d in documents else ():
                tagged.setdefault(tag, []).append(code)
        return cls(session, document, sessions, doc_codes, tagged)

    def row_of(self, chunks: Sequence[Chunk]) -> dict[str, int]:
        """Chunk id → row, built on first use (the document page needs it, search does not)."""
        if self._row_of is None:
            self._row_of = {c.id: row for row, c in enumerate(chunks)}
        return self._row_of


class Index:
    """Chunks, their vectors and their BM25 index; row ``i`` of each is ``chunks[i]``."""

    def __init__(
        self,
        vectors: faiss.Index,
        sentences: Sentences,
        lexical: BM25,
        chunks: list[Chunk],
        documents: list[Document],
        manifest: Manifest,
        path: Path | None = None,
    ) -> None:
        self.vectors = vectors
        self.sentences = sentences
        self.lexical = lexical
        self.chunks = chunks
        self.documents = {d.id: d for d in documents}
        self.manifest = manifest
        self.path = path
        self._columns = Columns.of(chunks, self.documents)

    @property
    def size(self) -> int:
        return len(self.chunks)

    def dense_search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """``(row, similarity)`` of the ``k`` best chunks, best first, among the ``allowed``
        rows (a boolean mask; all rows when ``None``).

        A chunk's similarity is the best of its own cosine and its sentences' cosines, so one
        sentence that answers the question is not drowned by the rest of its paragraph.
        """
        rows_ok = int(allowed.sum()) if allowed is not None else self.size
        k = min(k, rows_ok)
        if k <= 0:
            return []
        q = np.asarray(query, dtype=np.float32).reshape(1, -1)
        if allowed is not None and self.manifest.ann != "flat":
            # A graph search skips filtered-out nodes and then misses results: go exact.
            rows = np.flatnonzero(allowed)
            exact = zip(rows.tolist(), self.dense_scores(rows.tolist(), q[0]), strict=True)
            return sorted(exact, key=lambda p: (-p[1], p[0]))[:k]
        chunk_params = sentence_params = None
        if allowed is not None:
            chunk_params = _only(np.flatnonzero(allowed))
            sentence_params = _only(np.flatnonzero(allowed[self.sentences.owners]))
        best: dict[int, float] = {}
        scores, ids = self.vectors.search(q, k, params=chunk_params)
        best.update((int(i), float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0)
        n = min(int(self.sentences.vectors.ntotal), 4 * k)
        if n:
            scores, ids = self.sentences.vectors.search(q, n, params=sentence_params)
            for s, i in zip(scores[0], ids[0], strict=True):
                if i >= 0:
                    row = int(self.sentences.owners[i])
                    best[row] = max(best.get(row, -1.0), float(s))
        return sorted(best.items(), key=lambda p: (-p[1], p[0]))[:k]

    def matching(self, filters: Filters | None) -> np.ndarray | None:
        """Boolean mask of the chunks that pass ``filters`` (``None``: no filter), from the
        precomputed per-row columns rather than a loop over the chunks."""
        if filters is None or filters.empty:
            return None
        mask = np.ones(self.size, dtype=bool)
        if filters.session:
            # -2 matches no row (-1 is "no session"): an unknown value filters out everything.
            mask &= self._columns.session == self._columns.sessions.get(filters.session, -2)
        if filters.document:
            mask &= self._columns.document == self._columns.documents.get(filters.document, -2)
        if filters.tag:
            mask &= np.isin(self._columns.document, self._columns.tagged.get(filters.tag, []))
        return mask

    def facets(self) -> dict[str, list[str]]:
        """The values the filters can take in this index."""
        return {
            "session": sorted(self._columns.sessions),
            "document": sorted(self.documents),
            "tag": sorted(self._columns.tagged),
        }

    def rows_of_document(self, document: str) -> list[int]:
        """Rows of one document's passages, in the note's order."""
        code = self._columns.documents.get(document, -2)
        return np.flatnonzero(self._columns.document == code).tolist()

    def chunk(self, chunk_id: str) -> Chunk | None:
        """The passage with this id, if the index holds it."""
        row = self._columns.row_of(self.chunks).get(chunk_id)
        return None if row is None else self.chunks[row]

    def dense_scores(self, rows: Sequence[int], query: np.ndarray) -> list[float]:
        """The ``dense_search`` similarity of the given rows."""
        own = self.vectors_of(rows)
        return [
            float(np.max(self.sentences.of(row, vec) @ query))
            for row, vec in zip(rows, own, strict=True)
        ]

    def sentence_vectors(self, row: int) -> np.ndarray:
        """The vectors of chunk ``row``'s sentences, in order."""
        return self.sentences.of(row, self.vectors_of([row])[0])

    def vectors_of(self, rows: Sequence[int]) -> np.ndarray:
        """The stored chunk embeddings of the given rows."""
        return np.asarray(self.vectors.reconstruct_batch(np.asarray(rows, dtype=np.int64)))

    @classmethod
    def load(cls, index_dir: Path, embedder: Embedder | None = None) -> Index:
        """Open the current generation; with ``embedder``, refuse one built by another model."""
        gen, manifest = open_current(index_dir)
        if embedder is not None:
            check_model(manifest, embedder, index_dir)
        check_files(manifest, gen, index_dir)
        try:
            vectors = faiss.read_index(str(gen / "vectors.faiss"))
            lexical = BM25.load(gen / "bm25")
            sentences = Sentences.load(gen)
            chunks, documents = read_tables(gen / "chunks.sqlite")
        except (RuntimeError, sqlite3.Error, OSError, ValueError, KeyError) as exc:
            raise IndexDamagedError(
                f"The index in {index_dir} is damaged ({exc.__class__.__name__}). {REBUILD}"
            ) from None
        sizes_agree = vectors.ntotal == lexical.size == len(chunks) == sentences.chunks
        if not sizes_agree or vectors.d != manifest.dimension:
            raise IndexDamagedError(f"The index in {index_dir} is inconsistent. {REBUILD}")
        return cls(vectors, sentences, lexical, chunks, documents, manifest, gen)


def _only(ids: np.ndarray) -> Any:
    """FAISS search parameters that consider only ``ids``."""
    params: Any = faiss.SearchParameters()
    params.sel = faiss.IDSelectorBatch(ids.astype(np.int64))
    params.keep = params.sel  # hold a Python reference: SWIG does not
    return params
