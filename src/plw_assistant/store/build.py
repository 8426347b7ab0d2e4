"""Bringing the index up to date with the corpus: which files changed, one build at a time
(a file lock), the report of what happened, and re-indexing when notes change."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings
from ..domain import Chunk, Document, Glossary
from ..embedding.base import Embedder
from ..embedding.cache import CachedEmbedder
from ..errors import BuildError, CorpusError, IndexMismatchError, IndexNotBuiltError, PLWError
from ..ingest.chunker import chunker_settings
from ..ingest.corpus import Corpus, FileStatus, load_corpus
from .generations import current_generation, read_manifest
from .manifest import Manifest, check_model
from .reader import Index
from .writer import IndexWriter, ProgressFactory, write_generation


@dataclass
class BuildReport:
    documents: int
    chunks: int
    seconds: float
    path: Path | None  # the new generation; None when nothing changed
    files: list[FileStatus] = field(default_factory=list)
    embedded: int = 0  # texts (passages and sentences) embedded by this build
    full_rebuild: str = ""  # why every file was processed again, if it was
    index: Index | None = field(default=None, repr=False)  # the new index, already in memory
    windows: int = 0  # extra windows read for passages longer than the model's window
    long: int = 0  # passages longer than the model's window
    glossary: Glossary = field(default_factory=Glossary)  # as read from the corpus folder
    glossary_problems: list[str] = field(default_factory=list)  # entries skipped, and why
    glossary_changed: bool = False  # other terms or problems than the previous index had

    def glossary_summary(self) -> str:
        """The glossary in one line ("" when there is none and nothing is wrong with it)."""
        if not self.glossary and not self.glossary_problems:
            return ""
        n, skipped = len(self.glossary.terms), len(self.glossary_problems)
        line = f"Glossary: {n} term{'' if n == 1 else 's'}"
        line += " (changed)" if self.glossary_changed else ""
        return line + (f", {skipped} problem{'' if skipped == 1 else 's'}" if skipped else "")

    def long_passages(self) -> str:
        """How passages longer than the model's window were read, if there were any."""
        if not self.long:
            return ""
        return (
            f"{self.long} passages were longer than the model's window and were read in "
            f"{self.long + self.windows} windows ({self.windows} extra)"
        )

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.files)

    @property
    def failed(self) -> list[FileStatus]:
        return [f for f in self.files if f.status == "failed"]

    def totals(self) -> str:
        return (
            f"+{self.count('new')} new, ~{self.count('changed')} changed, "
            f"-{self.count('removed')} removed, {self.embedded} texts embedded, "
            f"{len(self.failed)} failed"
        )


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


def watch(
    settings: Settings,
    embedder: Embedder,
    on_report: Callable[[BuildReport | PLWError], None],
    stop: threading.Event | None = None,
    loaded: Callable[[], Index | None] = lambda: None,
) -> None:
    """Re-index whenever files under the corpus change, until ``stop`` is set; ``loaded``
    gives the index the caller holds in memory, reused rather than read from disk."""
    from watchfiles import watch as watch_files

    for _changes in watch_files(settings.corpus_dir, stop_event=stop, debounce=50, step=20):
        try:
            on_report(build_index(settings, embedder, loaded=loaded()))
        except PLWError as exc:  # report and keep watching: the old index still serves
            on_report(exc)
