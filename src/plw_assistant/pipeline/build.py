"""Bringing the index up to date with the corpus: which files changed, one build at a time
(a file lock), only new and changed passages embedded, the result written as a new
generation."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..config import Settings
from ..domain import Chunk, Document
from ..embedding.base import Embedder
from ..embedding.cache import CachedEmbedder
from ..errors import BuildError, CorpusError, IndexMismatchError, IndexNotBuiltError
from ..ingest.chunker import chunker_settings
from ..ingest.corpus import Corpus, load_corpus
from ..store.generations import current_generation, read_manifest
from ..store.manifest import Manifest, check_model
from ..store.reader import Index
from ..store.writer import write_generation
from .embed import IndexWriter, ProgressFactory
from .report import BuildReport


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One build at a time per index folder; a second one waits for the first. Holding the
    lock, no other build can be writing: the half-written folders of killed builds go."""
    if index_dir.exists() and not index_dir.is_dir():
        raise BuildError(
            f"PLW_INDEX_DIR is {index_dir}, which is a file, not a folder. Point PLW_INDEX_DIR "
            "at a folder (it is created if missing)."
        )
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        lock = (index_dir / ".lock").open("a")
    except OSError as exc:
        raise BuildError(_write_error(exc, index_dir)) from None
    with lock as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            for leftover in index_dir.glob(".build-*"):
                shutil.rmtree(leftover, ignore_errors=True)
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def choose_ann(settings: Settings, chunks: int) -> str:
    """Exact search while it is fast enough, IVF from ``ann_threshold`` chunks on."""
    if settings.index_type != "auto":
        return settings.index_type
    return "ivf" if chunks >= settings.ann_threshold else "flat"


def _previous(
    settings: Settings, embedder: Embedder, loaded: Index | None = None
) -> tuple[Index | None, str]:
    """The current index if a build can reuse it, else ``None`` and why not. ``loaded`` is
    the current index if the caller already has it in memory (a serving process)."""
    try:
        manifest = read_manifest(settings.index_dir)
        check_model(manifest, embedder, settings.index_dir)
    except IndexNotBuiltError:
        return None, ""
    except IndexMismatchError:
        return None, "the existing index does not match the current model, settings or version"
    if manifest.chunker != chunker_settings(settings.chunk_max_chars):
        return None, "the chunker settings changed"
    if manifest.sentence_vectors != settings.sentence_vectors:
        return None, "PLW_SENTENCE_VECTORS changed"
    if loaded is not None and loaded.path == current_generation(settings.index_dir):
        return loaded, ""
    try:
        return Index.load(settings.index_dir, embedder), ""
    except IndexMismatchError:
        return None, "the previous index is damaged"


def _known_files(previous: Index | None) -> dict[str, tuple[Document, list[Chunk]]]:
    """File path → its document and chunks in the previous index (reused when unchanged)."""
    known: dict[str, tuple[Document, list[Chunk]]] = {}
    if previous is not None:
        for doc in previous.documents.values():
            known[doc.path] = (doc, [])
        for chunk in previous.chunks:
            known[previous.documents[chunk.document].path][1].append(chunk)
    return known


def _up_to_date(previous: Index | None, fingerprint: str, ann: str) -> bool:
    return (
        previous is not None
        and previous.manifest.corpus_fingerprint == fingerprint
        and previous.manifest.ann == ann
    )


def build_index(
    settings: Settings,
    embedder: Embedder,
    progress: ProgressFactory | None = None,
    loaded: Index | None = None,
) -> BuildReport:
    """Bring the index up to date with the corpus: parse and embed only what changed."""
    started = time.perf_counter()
    with build_lock(settings.index_dir):
        previous, full_rebuild = _previous(settings, embedder, loaded)
        corpus, chunks = load_corpus(
            settings.corpus_dir, settings.chunk_max_chars, _known_files(previous)
        )
        if not chunks:
            reasons = "".join(f"\n  {f.path}: {f.reason}" for f in corpus.failed)
            raise CorpusError(
                f"No notes to index in {settings.corpus_dir}: add Markdown or text files "
                f"(see corpus/README.md).{reasons}"
            )
        if _up_to_date(previous, corpus.fingerprint, choose_ann(settings, len(chunks))):
            seconds = time.perf_counter() - started
            report = BuildReport(len(corpus.documents), len(chunks), seconds, None, corpus.files)
            return _glossary(report, corpus, previous)
        writer = IndexWriter(
            CachedEmbedder(embedder, settings.cache_dir),
            batch_size=settings.batch_size,
            progress=progress,
            ann=choose_ann(settings, len(chunks)),
            previous=previous,
            sentence_vectors=settings.sentence_vectors,
        )
        index = writer.build(
            corpus.documents,
            chunks,
            corpus.fingerprint,
            failed=[{"path": f.path, "reason": f.reason} for f in corpus.failed],
            chunker=chunker_settings(settings.chunk_max_chars),
            glossary=corpus.glossary,
            glossary_problems=corpus.glossary_problems,
        )
        try:
            path = write_generation(index, settings.index_dir)
        except (OSError, RuntimeError) as exc:  # FAISS reports a full disk as RuntimeError
            raise BuildError(_write_error(exc, settings.index_dir)) from None
    report = BuildReport(
        len(corpus.documents),
        len(chunks),
        time.perf_counter() - started,
        path,
        corpus.files,
        writer.embedded,
        full_rebuild,
        index,
        writer.windows,
        writer.long,
    )
    return _glossary(report, corpus, previous)


def _glossary(report: BuildReport, corpus: Corpus, previous: Index | None) -> BuildReport:
    """``report`` with the corpus's glossary, its problems and whether either changed."""
    report.glossary, report.glossary_problems = corpus.glossary, corpus.glossary_problems
    report.glossary_changed = previous is not None and (
        previous.glossary != corpus.glossary
        or previous.manifest.glossary_problems != corpus.glossary_problems
    )
    return report


def _write_error(exc: OSError | RuntimeError, index_dir: Path) -> str:
    what = {
        errno.ENOSPC: "the disk is full",
        errno.EACCES: "permission denied",
        errno.EROFS: "the file system is read-only",
        errno.EDQUOT: "the disk quota is used up",
    }
    if isinstance(exc, OSError):
        cause = what.get(exc.errno or 0, exc.strerror or exc.__class__.__name__)
    else:  # FAISS: "… No space left on device" inside a longer message
        known = (text for code, text in what.items() if os.strerror(code) in str(exc))
        cause = next(known, "the index files could not be written")
    return (
        f"Could not write the new index to {index_dir}: {cause}. The previous index is "
        "unchanged and still serves; free space or fix permissions, then run `plw index` again."
    )


def stale_reason(settings: Settings, embedder: Embedder) -> str | None:
    """Why the index must be (re)built, or ``None`` when it matches corpus and model."""
    try:
        manifest: Manifest = read_manifest(settings.index_dir)
        check_model(manifest, embedder, settings.index_dir)
    except IndexNotBuiltError:
        return "there is no index yet"
    except IndexMismatchError:
        return "the index was built with another model or version"
    corpus, _ = load_corpus(settings.corpus_dir, settings.chunk_max_chars)
    if corpus.fingerprint != manifest.corpus_fingerprint:
        return "the notes changed since the index was built"
    if manifest.sentence_vectors != settings.sentence_vectors:
        return "PLW_SENTENCE_VECTORS changed since the index was built"
    return None
