"""Reading a generation: the FAISS vectors, sentence vectors, BM25 and chunk table of one
built index, row-aligned (row ``i`` of each is ``chunks[i]``), with the searches they serve.

Loading reads no per-passage Python objects: passages stay in SQLite (``ChunkTable``), the
per-row columns filters use are numpy arrays, BM25 is memory-mapped and the exact vectors of
an approximate index are read by row from disk."""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from ..domain import Chunk, Document, Filters, Glossary
from ..embedding.base import Embedder
from ..errors import IndexDamagedError
from .chunk_table import ChunkTable
from .exact import Rows
from .generations import open_current
from .glossary import GLOSSARY, load_glossary
from .lexical import BM25
from .manifest import REBUILD, Manifest, check_files, check_model
from .tables import read_documents
from .vectors import Sentences, load_vectors, nearest, split


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
        """From the passages themselves (an index in memory, or one written without them)."""
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
        return cls(session, document, sessions, doc_codes, _tagged(doc_codes, documents))

    def save(self, path: Path) -> None:
        np.savez(
            path,
            session=self.session,
            document=self.document,
            sessions=np.array(list(self.sessions), dtype=str),
            documents=np.array(list(self.documents), dtype=str),
        )

    @classmethod
    def load(cls, path: Path, documents: dict[str, Document]) -> Columns:
        """As ``save`` wrote them: two int32 arrays and the names their codes stand for."""
        with np.load(path, allow_pickle=False) as data:
            session, document = data["session"], data["document"]
            sessions = {str(name): code for code, name in enumerate(data["sessions"])}
            doc_codes = {str(name): code for code, name in enumerate(data["documents"])}
        return cls(session, document, sessions, doc_codes, _tagged(doc_codes, documents))

    def row_of(self, chunks: Sequence[Chunk]) -> dict[str, int]:
        """Chunk id → row, built on first use (the document page needs it, search does not)."""
        if self._row_of is None:
            self._row_of = {c.id: row for row, c in enumerate(chunks)}
        return self._row_of


COLUMNS = "columns.npz"  # per-row filter columns of a generation (``Columns.save``)


class Index:
    """Chunks, their vectors and their BM25 index; row ``i`` of each is ``chunks[i]``."""

    def __init__(
        self,
        vectors: faiss.Index,
        sentences: Sentences,
        lexical: BM25,
        chunks: Sequence[Chunk],
        documents: list[Document],
        manifest: Manifest,
        path: Path | None = None,
        *,
        exact: Rows | None = None,
        columns: Columns | None = None,
        glossary: Glossary | None = None,
    ) -> None:
        self._built = vectors  # keeps an IndexRefineFlat (and the part searched) alive
        self.vectors, self.exact = split(vectors)  # searched; exact vectors to re-score with
        if exact is not None:
            self.exact = exact
        self.sentences = sentences
        self.lexical = lexical
        self.chunks = chunks
        self.documents = {d.id: d for d in documents}
        self.manifest = manifest
        self.path = path
        self.columns = columns if columns is not None else Columns.of(chunks, self.documents)
        self.glossary = glossary or Glossary()  # the corpus's abbreviations and synonyms

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
        scores, ids = nearest(self.vectors, self.exact, q, k, chunk_params)
        best.update((int(i), float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0)
        sentences = self.sentences
        n = min(int(sentences.vectors.ntotal), 4 * k)
        if n:
            scores, ids = nearest(sentences.vectors, sentences.exact, q, n, sentence_params)
            for s, i in zip(scores[0], ids[0], strict=True):
                if i >= 0:
                    row = int(self.sentences.owners[i])
                    best[row] = max(best.get(row, -1.0), float(s))
        return sorted(best.items(), key=lambda p: (-p[1], p[0]))[:k]

    def nearest(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """``(similarities, rows)`` of the ``k`` chunk vectors nearest each query, best first
        (FAISS's layout, -1 padded), found as ``dense_search`` finds them: for an
        approximate index, its candidates re-scored with the exact vectors."""
        return nearest(self.vectors, self.exact, queries, k)

    def matching(self, filters: Filters | None) -> np.ndarray | None:
        """Boolean mask of the chunks that pass ``filters`` (``None``: no filter), from the
        precomputed per-row columns rather than a loop over the chunks."""
        if filters is None or filters.empty:
            return None
        mask = np.ones(self.size, dtype=bool)
        if filters.session:
            # -2 matches no row (-1 is "no session"): an unknown value filters out everything.
            mask &= self.columns.session == self.columns.sessions.get(filters.session, -2)
        if filters.document:
            mask &= self.columns.document == self.columns.documents.get(filters.document, -2)
        if filters.tag:
            mask &= np.isin(self.columns.document, self.columns.tagged.get(filters.tag, []))
        return mask

    def facets(self) -> dict[str, list[str]]:
        """The values the filters can take in this index."""
        return {
            "session": sorted(self.columns.sessions),
            "document": sorted(self.documents),
            "tag": sorted(self.columns.tagged),
        }

    def rows_of_document(self, document: str) -> list[int]:
        """Rows of one document's passages, in the note's order."""
        code = self.columns.documents.get(document, -2)
        return np.flatnonzero(self.columns.document == code).tolist()

    def chunk(self, chunk_id: str) -> Chunk | None:
        """The passage with this id, if the index holds it."""
        row = self.row(chunk_id)
        return None if row is None else self.chunks[row]

    def row(self, chunk_id: str) -> int | None:
        """The row of the passage with this id, if the index holds it."""
        if isinstance(self.chunks, ChunkTable):
            return self.chunks.row_of(chunk_id)
        return self.columns.row_of(self.chunks).get(chunk_id)

    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]:
        """The passages of ``rows``, in that order (from disk: one query for them all)."""
        if isinstance(self.chunks, ChunkTable):
            return self.chunks.many(rows)
        return [self.chunks[r] for r in rows]

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
        if self.exact is not None:
            return self.exact.take(np.asarray(rows, dtype=np.int64))
        return np.asarray(self.vectors.reconstruct_batch(np.asarray(rows, dtype=np.int64)))

    @classmethod
    def load(cls, index_dir: Path, embedder: Embedder | None = None) -> Index:
        """Open the current generation; with ``embedder``, refuse one built by another model."""
        gen, manifest = open_current(index_dir)
        if embedder is not None:
            check_model(manifest, embedder, index_dir)
        check_files(manifest, gen, index_dir)
        try:
            vectors, exact = load_vectors(gen, "vectors")
            lexical = BM25.load(gen / "bm25")
            sentences = Sentences.load(gen)
            documents = read_documents(gen / "chunks.sqlite")
            chunks = ChunkTable(gen / "chunks.sqlite")
            by_id = {d.id: d for d in documents}
            has_columns = (gen / COLUMNS).is_file()  # not in generations written before them
            columns = Columns.load(gen / COLUMNS, by_id) if has_columns else None
            glossary = load_glossary(gen / GLOSSARY)  # empty in generations written before
        except (
            RuntimeError,
            sqlite3.Error,
            OSError,
            ValueError,
            KeyError,
            zipfile.BadZipFile,
        ) as exc:
            raise IndexDamagedError(
                f"The index in {index_dir} is damaged ({exc.__class__.__name__}). {REBUILD}"
            ) from None
        n = len(chunks)
        sizes_agree = vectors.ntotal == lexical.size == n == sentences.chunks
        if columns is not None:
            sizes_agree = sizes_agree and columns.session.size == columns.document.size == n
        if not sizes_agree or vectors.d != manifest.dimension:
            raise IndexDamagedError(f"The index in {index_dir} is inconsistent. {REBUILD}")
        return cls(
            vectors,
            sentences,
            lexical,
            chunks,
            documents,
            manifest,
            gen,
            exact=exact,
            columns=columns,
            glossary=glossary,
        )


def _tagged(doc_codes: dict[str, int], documents: dict[str, Document]) -> dict[str, list[int]]:
    """Tag → codes of the documents carrying it."""
    tagged: dict[str, list[int]] = {}
    for d, code in doc_codes.items():
        for tag in documents[d].tags if d in documents else ():
            tagged.setdefault(tag, []).append(code)
    return tagged


def _only(ids: np.ndarray) -> Any:
    """FAISS search parameters that consider only ``ids``."""
    params: Any = faiss.SearchParameters()
    params.sel = faiss.IDSelectorBatch(ids.astype(np.int64))
    params.keep = params.sel  # hold a Python reference: SWIG does not
    return params
