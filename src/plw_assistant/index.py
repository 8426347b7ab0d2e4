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
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import faiss
import numpy as np

from .corpus import Chunk, Document
from .embed import Embedder, Progress
from .errors import IndexMismatchError, IndexNotBuiltError

SCHEMA_VERSION = 1
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
    skipped: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float


class Index:
    """Chunks and their vectors; row ``i`` of the FAISS index is ``chunks[i]``."""

    def __init__(
        self,
        vectors: faiss.Index,
        chunks: list[Chunk],
        documents: list[Document],
        manifest: Manifest,
        path: Path | None = None,
    ) -> None:
        self.vectors = vectors
        self.chunks = chunks
        self.documents = {d.id: d for d in documents}
        self.manifest = manifest
        self.path = path

    @classmethod
    def build(
        cls,
        documents: Sequence[Document],
        chunks: Sequence[Chunk],
        embedder: Embedder,
        corpus_fingerprint: str,
        *,
        batch_size: int = 32,
        progress: Progress | None = None,
        skipped: Sequence[dict[str, str]] = (),
    ) -> Index:
        """Embed every chunk (heading path included) and put the vectors in a flat IP index."""
        embeddings = embedder.encode(
            [c.embedding_text for c in chunks], batch_size=batch_size, progress=progress
        )
        vectors = faiss.IndexFlatIP(embedder.dimension)
        if len(chunks):
            vectors.add(np.ascontiguousarray(embeddings, dtype=np.float32))
        manifest = Manifest(
            model=embedder.name,
            weights_sha256=embedder.weights_sha256(),
            dimension=embedder.dimension,
            corpus_fingerprint=corpus_fingerprint,
            chunks=len(chunks),
            documents=len(documents),
            built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            skipped=list(skipped),
        )
        return cls(vectors, list(chunks), list(documents), manifest)

    def search(self, query: np.ndarray, k: int) -> list[Hit]:
        """The ``k`` chunks most similar to one normalised query vector, best first."""
        k = min(k, self.vectors.ntotal)
        if k <= 0:
            return []
        scores, ids = self.vectors.search(np.asarray(query, dtype=np.float32).reshape(1, -1), k)
        return [
            Hit(self.chunks[i], float(s)) for s, i in zip(scores[0], ids[0], strict=True) if i >= 0
        ]

    def save(self, index_dir: Path) -> Path:
        """Write a new generation and make it current in one atomic rename."""
        index_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=index_dir))
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)
        try:
            faiss.write_index(self.vectors, str(tmp / "vectors.faiss"))
            _write_sqlite(tmp / "chunks.sqlite", self.chunks, list(self.documents.values()))
            (tmp / "manifest.json").write_text(json.dumps(asdict(self.manifest), indent=2))
            for f in tmp.iterdir():
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
            chunks, documents = _read_sqlite(gen / "chunks.sqlite")
        except (RuntimeError, sqlite3.Error, OSError, ValueError, KeyError) as exc:
            raise IndexMismatchError(
                f"The index in {index_dir} is damaged ({exc.__class__.__name__}). {_REBUILD}"
            ) from None
        if vectors.ntotal != len(chunks) or vectors.d != manifest.dimension:
            raise IndexMismatchError(f"The index in {index_dir} is inconsistent. {_REBUILD}")
        return cls(vectors, chunks, documents, manifest, gen)


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
        db.execute(
            "CREATE TABLE chunks (row INTEGER PRIMARY KEY, id TEXT UNIQUE, document TEXT, "
            "title TEXT, section TEXT, text TEXT, start INTEGER, end INTEGER, session TEXT, "
            "date TEXT, tags TEXT)"
        )
        db.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    i,
                    c.id,
                    c.document,
                    c.title,
                    c.section,
                    c.text,
                    c.start,
                    c.end,
                    c.session,
                    c.date,
                    json.dumps(c.tags),
                )
                for i, c in enumerate(chunks)
            ],
        )
        db.execute(
            "CREATE TABLE documents (id TEXT PRIMARY KEY, path TEXT, title TEXT, text TEXT, "
            "sha256 TEXT, date TEXT, session TEXT, author TEXT, kind TEXT, tags TEXT)"
        )
        db.executemany(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    d.id,
                    d.path,
                    d.title,
                    d.text,
                    d.sha256,
                    d.date,
                    d.session,
                    d.author,
                    d.kind,
                    json.dumps(d.tags),
                )
                for d in documents
            ],
        )
    db.close()


def _read_sqlite(path: Path) -> tuple[list[Chunk], list[Document]]:
    if not path.is_file():
        raise OSError(f"missing {path.name}")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        chunks = [
            Chunk(
                id=r[0],
                document=r[1],
                title=r[2],
                section=r[3],
                text=r[4],
                start=r[5],
                end=r[6],
                session=r[7],
                date=r[8],
                tags=tuple(json.loads(r[9])),
            )
            for r in db.execute(
                "SELECT id, document, title, section, text, start, end, session, date, tags "
                "FROM chunks ORDER BY row"
            )
        ]
        documents = [
            Document(
                id=r[0],
                path=r[1],
                title=r[2],
                text=r[3],
                sha256=r[4],
                date=r[5],
                session=r[6],
                author=r[7],
                kind=r[8],
                tags=tuple(json.loads(r[9])),
            )
            for r in db.execute(
                "SELECT id, path, title, text, sha256, date, session, author, kind, tags "
                "FROM documents"
            )
        ]
    finally:
        db.close()
    return chunks, documents


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
