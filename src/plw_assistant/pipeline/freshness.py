"""Whether the index on disk still fits: the settings and model that force a full rebuild,
and ``unchanged``, which tells that a build has nothing to do before anything heavy is loaded.

``unchanged`` compares what the current generation recorded (``store.sources``) with the
corpus folder now: the same note paths, each note's stat stamp or, where the stamp differs,
its sha256; the glossary file's bytes; the model's name and weights; the chunker, sentence-
vector and vector-index settings; then the generation's files against their checksums (as
loading it would). Anything it cannot vouch for (a note added, removed, changed or unreadable,
a file that failed last time, a generation without the record, a damaged one) gives ``None``
and the full build decides, so it can only ever save work, never skip any. It imports no
FAISS, numpy, parser or model, and reads no passage.

A stamp is trusted only when the file's last write is at least ``RACY_NS`` older than the
clock read before the build looked at it: a file written again within the file system's
time granularity of being read could keep its stamp with other bytes (git's "racy clean"
files), so such a note is hashed instead."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from ..config import Settings
from ..embedding.base import Embedder
from ..errors import CorpusError, IndexMismatchError, IndexNotBuiltError, PLWError
from ..ingest.chunker import chunker_settings
from ..ingest.files import (
    FileStatus,
    Stamp,
    glossary_names,
    read_glossary_bytes,
    read_note_bytes,
    walk,
)
from ..store.generations import open_current, read_manifest
from ..store.glossary import GLOSSARY, load_glossary
from ..store.manifest import Manifest, check_files, check_model
from ..store.sources import SOURCES, Sources, StampTuple, load_sources
from .report import BuildReport

RACY_NS = 2_000_000_000  # FAT keeps times to 2 s; most file systems to a clock tick or less
MISMATCH = "the existing index does not match the current model, settings or version"


def choose_ann(settings: Settings, chunks: int) -> str:
    """Exact search while it is fast enough, IVF from ``ann_threshold`` chunks on."""
    if settings.index_type != "auto":
        return settings.index_type
    return "ivf" if chunks >= settings.ann_threshold else "flat"


def rebuild_reason(manifest: Manifest, settings: Settings, embedder: Embedder) -> str:
    """Why no vector of the index can be reused ("" when they all can)."""
    try:
        check_model(manifest, embedder, settings.index_dir)
    except IndexMismatchError:
        return MISMATCH
    if manifest.chunker != chunker_settings(settings.chunk_max_chars):
        return "the chunker settings changed"
    if manifest.sentence_vectors != settings.sentence_vectors:
        return "PLW_SENTENCE_VECTORS changed"
    return ""


def unchanged(settings: Settings, embedder: Embedder, started: float) -> BuildReport | None:
    """The report of a build with nothing to do, or ``None`` if it may have something to do.
    ``started`` is when the build began (``time.perf_counter``)."""
    try:
        gen, manifest = open_current(settings.index_dir)
        sources = load_sources(gen / SOURCES)
        if sources is None or manifest.failed or rebuild_reason(manifest, settings, embedder):
            return None
    except (PLWError, OSError, ValueError, KeyError, TypeError):
        return None  # no index, an unreadable record, weights that fail their check…
    if manifest.ann != choose_ann(settings, manifest.chunks):
        return None
    files = _same_notes(settings.corpus_dir, sources)
    if files is None or not _same_glossary(settings.corpus_dir, sources):
        return None
    try:
        check_files(manifest, gen, settings.index_dir)
        glossary = load_glossary(gen / GLOSSARY)
    except (PLWError, OSError, ValueError):
        return None
    seconds = time.perf_counter() - started
    report = BuildReport(manifest.documents, manifest.chunks, seconds, None, files)
    report.glossary, report.glossary_problems = glossary, list(manifest.glossary_problems)
    return report


def stale_reason(settings: Settings, embedder: Embedder) -> str | None:
    """Why the index must be (re)built, or ``None`` when it matches corpus and model."""
    if unchanged(settings, embedder, time.perf_counter()) is not None:
        return None
    try:
        manifest = read_manifest(settings.index_dir)
        check_model(manifest, embedder, settings.index_dir)
    except IndexNotBuiltError:
        return "there is no index yet"
    except IndexMismatchError:
        return "the index was built with another model or version"
    from ..ingest.corpus import load_corpus  # the parsers: only when the quick look was unsure

    corpus, _ = load_corpus(settings.corpus_dir, settings.chunk_max_chars)
    if corpus.fingerprint != manifest.corpus_fingerprint:
        return "the notes changed since the index was built"
    if manifest.sentence_vectors != settings.sentence_vectors:
        return "PLW_SENTENCE_VECTORS changed since the index was built"
    return None


def _same_notes(corpus_dir: Path, sources: Sources) -> list[FileStatus] | None:
    """Every file's status when the notes are the ones recorded, else ``None``."""
    found, unreadable = walk(corpus_dir)
    if unreadable or len(found) < len(sources.notes):
        return None
    files: list[FileStatus] = []
    for rel, path, verdict in found:
        if verdict is not None and verdict.status != "skipped":
            return None  # a failed file is tried again by the full build
        recorded = sources.notes.get(rel) if verdict is None else None
        if verdict is None and (recorded is None or not _same_note(path, *recorded, sources)):
            return None
        files.append(verdict or FileStatus(rel, "unchanged"))
    if sum(f.status == "unchanged" for f in files) != len(sources.notes):
        return None  # a recorded note is gone
    return files


def _same_note(path: str, stamp: StampTuple | None, sha: str, sources: Sources) -> bool:
    try:
        now = Stamp.of(os.stat(path))
        if stamp is not None and now.size != stamp[0]:
            return False
        written = max(now.mtime_ns, now.ctime_ns)
        if now == stamp and written < sources.seen_at_ns - RACY_NS:
            return True
        data, _ = read_note_bytes(path)
    except (OSError, CorpusError):
        return False
    return hashlib.sha256(data).hexdigest() == sha


def _same_glossary(corpus_dir: Path, sources: Sources) -> bool:
    """Whether the glossary files are the ones recorded, the one read with the same bytes."""
    try:
        names = tuple(glossary_names(corpus_dir))
        if names != sources.glossary_names:
            return False
        data = read_glossary_bytes(corpus_dir, names[0]) if names else None
    except (OSError, CorpusError):
        return False
    digest = hashlib.sha256(data).hexdigest() if data is not None else ""
    return digest == sources.glossary_digest
