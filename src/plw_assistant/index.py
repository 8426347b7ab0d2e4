"""The vector store: FAISS inner-product index + SQLite chunk table + a manifest describing both.

Every build is written as a new generation folder and switched to atomically through the
``CURRENT`` file, so a failed or interrupted build never damages the index being served.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from .corpus import Chunk, Document, plain_text, sentence_spans
from .embed import Embedder, Progress
from .errors import IndexMismatchError, IndexNotBuiltError
from .lexical import BM25, BM25_PARAMS
from .sentences import Sentences, vector_index

SCHEMA_VERSION = 5
CURRENT = "CURRENT"
_REBUILD = "Run `plw index` to rebuild it."


@dataclass(frozen=True)
class Manifest:
    """What an index was built from; checked on load."""

    model: str
    weights_sha256: str
    dimension: int
    corpus_fingerprint: str
    chunks: int
    documents: int
    schema_version: int = SCHEMA_VERSION
    built_at: str = ""
    sentences: int = 0
    ann: str = "flat"  # flat (exact), ivf or hnsw (approximate), chosen by size
    chunker: dict[str, int] = field(default_factory=dict)
    bm25: dict[str, object] = field(default_factory=lambda: dict(BM25_PARAMS))
    failed: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval to one webinar (``session``), one ``document`` or one ``tag``."""

    session: str | None = None
    document: str | None = None
    tag: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.session or self.document or self.tag)


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    row: int = -1  # position in the index, for the chunk's stored sentence vectors


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
        self.embedded: list[str] = []  # texts embedded by the build that made this index

    @classmethod
    def build(
        cls,
        documents: Sequence[Document],
        chunks: Sequence[Chunk],
        embedder: Embedder,
        corpus_fingerprint: str,
        *,
        batch_size: int = 32,
        progress: Callable[[int], Progress] | None = None,
        failed: Sequence[dict[str, str]] = (),
        chunker: dict[str, int] | None = None,
        previous: Index | None = None,
        ann: str = "flat",
    ) -> Index:
        """Embed every chunk and every sentence of a multi-sentence chunk (each with its heading
        path) into flat inner-product indexes, and index the chunks for BM25.

        Chunks that ``previous`` (built with the same model) already holds, with the same text
        and heading path, take their vectors from it instead of being embedded again.
        """
        known = (
            {f"{c.context}\0{c.text}": row for row, c in enumerate(previous.chunks)}
            if previous
            else {}
        )
        reuse = [known.get(f"{c.context}\0{c.text}") for c in chunks]
        spans = [
            sentence_spans(c.text)
            if row is None or previous is None
            else previous.sentences.spans_of(row)
            for c, row in zip(chunks, reuse, strict=True)
        ]
        fresh = [i for i, row in enumerate(reuse) if row is None]
        texts = [chunks[i].embedding_text for i in fresh] + [
            f"{chunks[i].context}: {plain_text(chunks[i].text[s:e])}"
            for i in fresh
            if len(spans[i]) > 1
            for s, e in spans[i]
        ]
        dim = previous.vectors.d if previous is not None and not texts else embedder.dimension
        embedded = np.zeros((0, dim), np.float32)
        if texts:
            embedded = embedder.encode(
                texts, batch_size=batch_size, progress=progress(len(texts)) if progress else None
            )
        old_chunks = old_sentences = np.zeros((0, dim), np.float32)
        if previous is not None and len(fresh) < len(chunks):  # one bulk read, not per row
            old_chunks = previous.vectors_of(range(previous.size))
            old_sentences = previous.sentences.stored()
        chunk_vecs = np.zeros((len(chunks), dim), np.float32)
        extra: list[np.ndarray] = []
        new_sentences = 0
        new_chunks = iter(embedded[: len(fresh)])
        tail = embedded[len(fresh) :]
        for i, row in enumerate(reuse):
            multi = len(spans[i]) > 1
            if row is None:
                chunk_vecs[i] = next(new_chunks)
                if multi:
                    extra.append(tail[new_sentences : new_sentences + len(spans[i])])
                    new_sentences += len(spans[i])
            else:
                assert previous is not None
                chunk_vecs[i] = old_chunks[row]
                if multi:
                    first = int(previous.sentences.slots[previous.sentences.offsets[row]])
                    extra.append(old_sentences[first : first + len(spans[i])])
        vectors = vector_index(chunk_vecs, ann)
        extra_arr = np.concatenate(extra) if extra else np.zeros((0, dim), np.float32)
        sentences = Sentences.assemble(spans, extra_arr, ann)
        manifest = Manifest(
            model=embedder.name,
            weights_sha256=embedder.weights_sha256(),
            dimension=dim,
            corpus_fingerprint=corpus_fingerprint,
            chunks=len(chunks),
            documents=len(documents),
            built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            sentences=sentences.size,
            ann=ann,
            chunker=dict(chunker or {}),
            failed=list(failed),
        )
        lexical = BM25.build([c.embedding_text for c in chunks])
        index = cls(vectors, sentences, lexical, list(chunks), list(documents), manifest)
        index.embedded = texts
        return index

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
        """Boolean mask of the chunks that pass ``filters`` (``None``: no filter)."""
        if filters is None or filters.empty:
            return None
        docs = self.documents
        return np.fromiter(
            (
                (not filters.session or c.session == filters.session)
                and (not filters.document or c.document == filters.document)
                and (not filters.tag or filters.tag in docs[c.document].tags)
                for c in self.chunks
            ),
            dtype=bool,
            count=self.size,
        )

    def facets(self) -> dict[str, list[str]]:
        """The values the filters can take in this index."""
        return {
            "session": sorted({c.session for c in self.chunks if c.session}),
            "document": sorted(self.documents),
            "tag": sorted({t for d in self.documents.values() for t in d.tags}),
        }

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

    def save(self, index_dir: Path) -> Path:
        """Write a new generation and make it current in one atomic rename."""
        index_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=index_dir))
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)
        try:
            faiss.write_index(self.vectors, str(tmp / "vectors.faiss"))
            self.lexical.save(tmp / "bm25")
            self.sentences.save(tmp)
            _write_sqlite(tmp / "chunks.sqlite", self.chunks, list(self.documents.values()))
            (tmp / "manifest.json").write_text(json.dumps(asdict(self.manifest), indent=2))
            for f in tmp.rglob("*"):
                if f.is_file():
                    _fsync(f)
            previous = current_generation(index_dir)
            gen = index_dir / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{tmp.name[-8:]}"
            tmp.rename(gen)
            pointer = index_dir / f".{CURRENT}.tmp"
            pointer.write_text(gen.name + "\n")
            _fsync(pointer)
            os.replace(pointer, index_dir / CURRENT)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _prune(index_dir, keep={gen.name, previous.name if previous else ""})
        self.path = gen
        return gen

    @classmethod
    def load(cls, index_dir: Path, embedder: Embedder | None = None) -> Index:
        """Open the current generation; with ``embedder``, refuse one built by another model."""
        gen, manifest = _open_current(index_dir)
        if embedder is not None:
            check_model(manifest, embedder, index_dir)
        try:
            vectors = faiss.read_index(str(gen / "vectors.faiss"))
            lexical = BM25.load(gen / "bm25")
            sentences = Sentences.load(gen)
            chunks, documents = _read_sqlite(gen / "chunks.sqlite")
        except (RuntimeError, sqlite3.Error, OSError, ValueError, KeyError) as exc:
            raise IndexMismatchError(
                f"The index in {index_dir} is damaged ({exc.__class__.__name__}). {_REBUILD}"
            ) from None
        sizes_agree = vectors.ntotal == lexical.size == len(chunks) == sentences.chunks
        if not sizes_agree or vectors.d != manifest.dimension:
            raise IndexMismatchError(f"The index in {index_dir} is inconsistent. {_REBUILD}")
        return cls(vectors, sentences, lexical, chunks, documents, manifest, gen)


def _only(ids: np.ndarray) -> Any:
    """FAISS search parameters that consider only ``ids``."""
    params: Any = faiss.SearchParameters()
    params.sel = faiss.IDSelectorBatch(ids.astype(np.int64))
    params.keep = params.sel  # hold a Python reference: SWIG does not
    return params


def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / CURRENT).read_text().strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    gen = index_dir / name
    return gen if name and gen.is_dir() else None


def read_manifest(index_dir: Path) -> Manifest:
    """The current manifest; ``IndexNotBuiltError`` if there is none, mismatch if unreadable."""
    return _open_current(index_dir)[1]


def _open_current(index_dir: Path) -> tuple[Path, Manifest]:
    gen = current_generation(index_dir)
    if gen is None:
        raise IndexNotBuiltError(
            f"No index has been built in '{index_dir}' yet. Run `plw index` to build it."
        )
    try:
        data = json.loads((gen / "manifest.json").read_text())
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise IndexMismatchError(
                f"The index in {index_dir} has schema version {version}, but this version of "
                f"PLW Assistant reads version {SCHEMA_VERSION}. {_REBUILD}"
            )
        return gen, Manifest(**data)
    except (OSError, ValueError, TypeError, AttributeError):
        raise IndexMismatchError(f"The index manifest in {gen} is unreadable. {_REBUILD}") from None


def check_model(manifest: Manifest, embedder: Embedder, index_dir: Path) -> None:
    """Refuse an index built with another model, other weights or other BM25 settings."""
    if manifest.bm25 != BM25_PARAMS:
        raise IndexMismatchError(
            f"The index in {index_dir} was built with other keyword-search settings. {_REBUILD}"
        )
    if manifest.model != embedder.name:
        raise IndexMismatchError(
            f"The index in {index_dir} was built with the model {manifest.model!r}, but "
            f"PLW_MODEL is {embedder.name!r}. Run `plw index` to rebuild it with the current "
            f"model, or set PLW_MODEL={manifest.model}."
        )
    weights = embedder.weights_sha256()
    if "unknown" not in (weights, manifest.weights_sha256) and weights != manifest.weights_sha256:
        raise IndexMismatchError(
            f"The index in {index_dir} was built with other weights of {manifest.model!r}. "
            f"{_REBUILD}"
        )


def _write_sqlite(path: Path, chunks: Sequence[Chunk], documents: Sequence[Document]) -> None:
    with sqlite3.connect(path) as db:
        _write_table(db, "chunks", Chunk, chunks)
        _write_table(db, "documents", Document, documents)
    db.close()


def _write_table(db: sqlite3.Connection, name: str, cls: type, items: Sequence[Any]) -> None:
    """One column per dataclass field (tuples as JSON); ``row`` keeps the order."""
    cols = [f.name for f in fields(cls)]
    db.execute(f"CREATE TABLE {name} (row INTEGER PRIMARY KEY, {', '.join(cols)})")
    db.executemany(
        f"INSERT INTO {name} VALUES ({', '.join('?' * (len(cols) + 1))})",
        [
            (
                i,
                *(
                    json.dumps(v) if isinstance(v, tuple) else v
                    for v in (getattr(item, c) for c in cols)
                ),
            )
            for i, item in enumerate(items)
        ],
    )


def _read_table(db: sqlite3.Connection, name: str, cls: type) -> list[Any]:
    spec = [(f.name, type(f.default)) for f in fields(cls)]
    rows = db.execute(f"SELECT {', '.join(n for n, _ in spec)} FROM {name} ORDER BY row")
    return [
        cls(
            **{
                n: tuple(json.loads(v)) if kind is tuple else bool(v) if kind is bool else v
                for (n, kind), v in zip(spec, r, strict=True)
            }
        )
        for r in rows
    ]


def _read_sqlite(path: Path) -> tuple[list[Chunk], list[Document]]:
    if not path.is_file():
        raise OSError(f"missing {path.name}")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _read_table(db, "chunks", Chunk), _read_table(db, "documents", Document)
    finally:
        db.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _prune(index_dir: Path, keep: set[str]) -> None:
    """Drop old generations and abandoned builds; the previous one stays for running readers."""
    stale_build = time.time() - 3600
    for p in index_dir.iterdir():
        old_gen = p.name.startswith("gen-") and p.name not in keep
        abandoned = p.name.startswith(".build-") and p.stat().st_mtime < stale_build
        if p.is_dir() and (old_gen or abandoned):
            shutil.rmtree(p, ignore_errors=True)
