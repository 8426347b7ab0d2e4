"""A build that may have something to do: the previous index reused where it can be (the
documents and chunks of files whose bytes did not change, the vectors of unchanged passages),
only new and changed passages embedded, the result written as a new generation together with
what its notes looked like (``store.sources``), for the next build to compare with."""

from __future__ import annotations

import time

from ..config import Settings
from ..domain import Chunk, Document
from ..embedding.base import Embedder
from ..embedding.cache import CachedEmbedder
from ..errors import BuildError, CorpusError, IndexMismatchError, IndexNotBuiltError
from ..ingest.chunker import chunker_settings
from ..ingest.corpus import Corpus, load_corpus
from ..store.generations import current_generation, read_manifest
from ..store.reader import Index
from ..store.sources import Sources
from ..store.writer import write_generation
from .build import write_error
from .embed import IndexWriter, ProgressFactory
from .freshness import MISMATCH, choose_ann, rebuild_reason
from .report import BuildReport


def build(
    settings: Settings,
    embedder: Embedder,
    progress: ProgressFactory | None,
    loaded: Index | None,
    started: float,
) -> BuildReport:
    """Read the corpus (parsing only new and changed files), then write a new generation
    unless the notes, the glossary and the index type are those of the current one."""
    previous, full_rebuild = _previous(settings, embedder, loaded)
    before = list(previous.chunks) if previous is not None else []  # decoded once, used twice
    corpus, chunks = load_corpus(
        settings.corpus_dir, settings.chunk_max_chars, _known_files(previous, before)
    )
    if not chunks:
        reasons = "".join(f"\n  {f.path}: {f.reason}" for f in corpus.failed)
        raise CorpusError(
            f"No notes to index in {settings.corpus_dir}: add Markdown or text files "
            f"(see corpus/README.md).{reasons}"
        )
    ann = choose_ann(settings, len(chunks))
    if _up_to_date(previous, corpus.fingerprint, ann):
        seconds = time.perf_counter() - started
        report = BuildReport(len(corpus.documents), len(chunks), seconds, None, corpus.files)
        return _glossary(report, corpus, previous)
    writer = IndexWriter(
        CachedEmbedder(embedder, settings.cache_dir, previous.vectors.d if previous else None),
        batch_size=settings.batch_size,
        progress=progress,
        ann=ann,
        previous=previous,
        previous_chunks=before,
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
        path = write_generation(index, settings.index_dir, _sources(corpus))
    except (OSError, RuntimeError) as exc:  # FAISS reports a full disk as RuntimeError
        raise BuildError(write_error(exc, settings.index_dir)) from None
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


def _previous(
    settings: Settings, embedder: Embedder, loaded: Index | None
) -> tuple[Index | None, str]:
    """The current index if a build can reuse it, else ``None`` and why not. ``loaded`` is
    the current index if the caller already has it in memory (a serving process)."""
    try:
        manifest = read_manifest(settings.index_dir)
    except IndexNotBuiltError:
        return None, ""
    except IndexMismatchError:
        return None, MISMATCH
    reason = rebuild_reason(manifest, settings, embedder)
    if reason:
        return None, reason
    if loaded is not None and loaded.path == current_generation(settings.index_dir):
        return loaded, ""
    try:
        return Index.load(settings.index_dir), ""  # its model was just checked
    except IndexMismatchError:
        return None, "the previous index is damaged"


def _known_files(
    previous: Index | None, chunks: list[Chunk]
) -> dict[str, tuple[Document, list[Chunk]]]:
    """File path → its document and chunks in the previous index (reused when unchanged)."""
    known: dict[str, tuple[Document, list[Chunk]]] = {}
    if previous is not None:
        for doc in previous.documents.values():
            known[doc.path] = (doc, [])
        for chunk in chunks:
            known[previous.documents[chunk.document].path][1].append(chunk)
    return known


def _up_to_date(previous: Index | None, fingerprint: str, ann: str) -> bool:
    return (
        previous is not None
        and previous.manifest.corpus_fingerprint == fingerprint
        and previous.manifest.ann == ann
    )


def _sources(corpus: Corpus) -> Sources:
    return Sources(
        corpus.seen_at_ns, dict(corpus.seen), corpus.glossary_names, corpus.glossary_digest
    )


def _glossary(report: BuildReport, corpus: Corpus, previous: Index | None) -> BuildReport:
    """``report`` with the corpus's glossary, its problems and whether either changed."""
    report.glossary, report.glossary_problems = corpus.glossary, corpus.glossary_problems
    report.glossary_changed = previous is not None and (
        previous.glossary != corpus.glossary
        or previous.manifest.glossary_problems != corpus.glossary_problems
    )
    return report
