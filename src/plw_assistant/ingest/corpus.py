"""Loading the corpus folder: every note parsed and chunked, bad files reported, never fatal."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..domain import Chunk, Document
from ..errors import CorpusError
from .chunker import chunk_document, chunker_settings
from .parse import SUFFIXES, parse_document


@dataclass(frozen=True)
class FileStatus:
    """What ``plw index`` did with one file: new, changed, unchanged, removed, skipped, failed."""

    path: str
    status: str
    reason: str = ""


@dataclass
class Corpus:
    documents: list[Document]
    files: list[FileStatus] = field(default_factory=list)
    fingerprint: str = ""

    @property
    def failed(self) -> list[FileStatus]:
        return [f for f in self.files if f.status == "failed"]


def load_corpus(
    corpus_dir: Path,
    max_chars: int = 1000,
    previous: dict[str, tuple[Document, list[Chunk]]] | None = None,
) -> tuple[Corpus, list[Chunk]]:
    """Read every note under ``corpus_dir``; bad files are reported, never fatal.

    ``previous`` maps file paths to the document and chunks of the last build: a file whose
    bytes did not change is taken from there, not parsed again.
    """
    if not corpus_dir.is_dir():
        raise CorpusError(
            f"Corpus folder {corpus_dir} does not exist. Create it or set PLW_CORPUS_DIR "
            "to the folder of your notes."
        )
    previous = previous or {}
    corpus = Corpus(documents=[])
    chunks: list[Chunk] = []
    digest = hashlib.sha256(json.dumps(chunker_settings(max_chars)).encode())
    for path in _note_files(corpus_dir):
        rel = path.relative_to(corpus_dir).as_posix()
        if path.suffix.lower() not in SUFFIXES:
            kind = path.suffix or "(no extension)"
            corpus.files.append(FileStatus(rel, "skipped", f"unsupported type {kind}"))
            continue
        try:
            data = path.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            digest.update(f"\0{rel}\0{sha}".encode())
            before = previous.get(rel)
            if before is not None and before[0].sha256 == sha:
                doc, doc_chunks, status = before[0], before[1], "unchanged"
            else:
                doc = parse_document(rel, data)
                doc_chunks = chunk_document(doc, max_chars)
                status = "changed" if before is not None else "new"
            if not doc_chunks:
                raise CorpusError("it has no text to index")
        except (CorpusError, OSError) as exc:
            corpus.files.append(FileStatus(rel, "failed", _reason(exc)))
            continue
        corpus.files.append(FileStatus(rel, status))
        corpus.documents.append(doc)
        chunks.extend(doc_chunks)
    present = {f.path for f in corpus.files}
    corpus.files += [FileStatus(p, "removed") for p in sorted(previous) if p not in present]
    corpus.fingerprint = digest.hexdigest()
    return corpus, chunks


def _reason(exc: Exception) -> str:
    return exc.strerror or str(exc) if isinstance(exc, OSError) else str(exc)


def _note_files(corpus_dir: Path) -> Iterator[Path]:
    """Every file under the corpus folder but hidden ones and README.md (instructions)."""
    for path in sorted(corpus_dir.rglob("*")):
        rel_parts = path.relative_to(corpus_dir).parts
        if any(part.startswith(".") for part in rel_parts) or path.name.lower() == "readme.md":
            continue
        if path.is_file():
            yield path


UPLOADS = "uploads"


def save_note(corpus_dir: Path, filename: str, data: bytes) -> str:
    """Store an uploaded note under ``corpus/uploads/`` with a safe name and return its path
    relative to the corpus. Never overwrites another file: a new name gets ``-2``, ``-3``…"""
    base = Path(filename.replace("\\", "/")).name  # drop any folders, including ../
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    if suffix not in SUFFIXES:
        raise CorpusError(
            f"unsupported type {suffix or '(no extension)'}; upload " + ", ".join(sorted(SUFFIXES))
        )
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-_")[:80] or "note"
    folder = corpus_dir / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    target, n = folder / f"{stem}{suffix}", 1
    while target.exists():
        if target.read_bytes() == data:
            return target.relative_to(corpus_dir).as_posix()  # the same note again
        n += 1
        target = folder / f"{stem}-{n}{suffix}"
    tmp = folder / f".{target.name}.part"
    tmp.write_bytes(data)
    tmp.replace(target)
    return target.relative_to(corpus_dir).as_posix()
