"""Loading the corpus folder: every note parsed and chunked, bad files reported, never fatal.

Each file is read on its own: whatever goes wrong with it (an unreadable folder, a link out of
the corpus, a name that is not UTF-8, a size, a parser error, a timeout) makes that file
``failed`` or ``skipped`` with a one-line reason, and the other files are indexed.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..domain import Chunk, Document, Glossary
from ..errors import CorpusError
from .chunker import chunk_document, chunker_settings
from .files import (
    SUFFIXES,
    UNREADABLE_FOLDER,
    FileStatus,
    Stamp,
    read_note_bytes,
    reason,
    walk,
)
from .formats import CONVERTED
from .glossary import read_glossary
from .isolate import IsolatedConverter
from .mail import attachments
from .parse import parse_document

# Markdown and text notes larger than this are read in the worker process (see ``_parse``).
ISOLATE_TEXT_BYTES = 256 * 1024

Known = dict[str, tuple[Document, list[Chunk]]]


@dataclass
class Corpus:
    documents: list[Document]
    files: list[FileStatus] = field(default_factory=list)
    fingerprint: str = ""  # of the notes' bytes and paths, and of the glossary file's bytes
    glossary: Glossary = field(default_factory=Glossary)
    glossary_problems: list[str] = field(default_factory=list)
    # What was read, for the next build to compare with: each note's stamp (None: it changed
    # while read) and sha256, the clock before the first file was looked at, the glossary
    # files there were and the digest of the one read.
    seen: dict[str, tuple[Stamp | None, str]] = field(default_factory=dict)
    seen_at_ns: int = 0
    glossary_names: tuple[str, ...] = ()
    glossary_digest: str = ""

    @property
    def failed(self) -> list[FileStatus]:
        return [f for f in self.files if f.status == "failed"]


def load_corpus(
    corpus_dir: Path,
    max_chars: int = 1000,
    previous: Known | None = None,
) -> tuple[Corpus, list[Chunk]]:
    """Read every note under ``corpus_dir``; bad files are reported, never fatal.

    ``previous`` maps file paths to the document and chunks of the last build: a file whose
    bytes did not change is taken from there, not parsed again. A known file under a folder
    that cannot be read now is ``failed``, not ``removed``.
    """
    if not corpus_dir.is_dir():
        raise CorpusError(
            f"Corpus folder {corpus_dir} does not exist. Create it or set PLW_CORPUS_DIR "
            "to the folder of your notes."
        )
    previous = previous or {}
    corpus = Corpus(documents=[], seen_at_ns=time.time_ns())
    chunks: list[Chunk] = []
    digest = hashlib.sha256(json.dumps(chunker_settings(max_chars)).encode())
    found, unreadable = walk(corpus_dir)
    with IsolatedConverter() as convert:
        for rel, path, decided in found:
            if decided is not None:
                corpus.files.append(decided)
                continue
            try:
                data, stamp = read_note_bytes(path)
                sha = hashlib.sha256(data).hexdigest()
                corpus.seen[rel] = (stamp, sha)
                digest.update(f"\0{rel}\0{sha}".encode())
                doc, doc_chunks, status = _parse(
                    rel, data, sha, previous.get(rel), max_chars, convert
                )
            except Exception as exc:  # one bad note is reported, never stops the build
                corpus.files.append(FileStatus(rel, "failed", reason(exc)))
                continue
            corpus.files.append(FileStatus(rel, status, _unread(doc)))
            corpus.documents.append(doc)
            chunks.extend(doc_chunks)
            if rel.lower().endswith(".eml"):
                _attached(corpus, chunks, doc, data, previous, max_chars, convert)
    corpus.files += _gone(previous, {f.path for f in corpus.files}, unreadable)
    glossary = read_glossary(corpus_dir)
    if glossary.digest:  # a corpus without one keeps the fingerprint it always had
        digest.update(f"\0glossary\0{glossary.digest}".encode())
    corpus.glossary, corpus.glossary_problems = glossary.glossary, glossary.problems
    corpus.glossary_names, corpus.glossary_digest = glossary.names, glossary.digest
    corpus.fingerprint = digest.hexdigest()
    return corpus, chunks


def _parse(
    rel: str,
    data: bytes,
    sha: str,
    before: tuple[Document, list[Chunk]] | None,
    max_chars: int,
    convert: IsolatedConverter,
) -> tuple[Document, list[Chunk], str]:
    """One file's document, chunks and status (new, changed, unchanged)."""
    if before is not None and before[0].sha256 == sha:
        doc, doc_chunks, status = before[0], before[1], "unchanged"
    else:
        if len(data) > ISOLATE_TEXT_BYTES and Path(rel).suffix.lower() not in CONVERTED:
            # A large Markdown note: markdown-it is slow on some inputs (1 MB of "[" takes
            # seconds), so it is parsed and chunked in the worker, under its time limit.
            doc, doc_chunks = convert.run(read_note, rel, data, max_chars)
        else:
            doc = parse_document(rel, data, convert)
            doc_chunks = chunk_document(doc, max_chars)
        status = "changed" if before is not None else "new"
    if not doc_chunks:
        raise CorpusError("it has no text to index")
    return doc, doc_chunks, status


def _attached(
    corpus: Corpus,
    chunks: list[Chunk],
    mail: Document,
    data: bytes,
    previous: Known,
    max_chars: int,
    convert: IsolatedConverter,
) -> None:
    """A mail's attachments of supported types, each a note of its own ("mail.eml/agenda.pdf")
    whose title says which mail it came with; one that cannot be read fails alone."""
    try:
        found = convert.run(attachments, data)
    except CorpusError:
        return  # the mail itself was read: its attachments are listed in its text
    taken: set[str] = set()
    for name, blob in found:
        if Path(name).suffix.lower() not in SUFFIXES - {".eml"}:
            continue
        stem, dot, ext = name.rpartition(".")
        rel, n = f"{mail.path}/{name}", 1
        while rel in taken:
            n += 1
            rel = f"{mail.path}/{stem}-{n}{dot}{ext}"
        taken.add(rel)
        try:
            sha = hashlib.sha256(blob).hexdigest()
            doc, doc_chunks, status = _parse(rel, blob, sha, previous.get(rel), max_chars, convert)
        except Exception as exc:  # one bad attachment is reported, never stops the build
            corpus.files.append(FileStatus(rel, "failed", reason(exc)))
            continue
        if status != "unchanged":
            title = f"{doc.title} (attached to “{mail.title}”)"
            doc = replace(doc, title=title, date=doc.date or mail.date)
            doc_chunks = [replace(c, title=title, date=doc.date) for c in doc_chunks]
        corpus.files.append(FileStatus(rel, status, _unread(doc)))
        corpus.documents.append(doc)
        chunks.extend(doc_chunks)


def _unread(doc: Document) -> str:
    """What the report says of a note read with scanned pages where OCR found nothing."""
    if not doc.unread:
        return ""
    pages = ", ".join(str(n) for n in doc.unread)
    return f"OCR found no text on page{'s' if len(doc.unread) > 1 else ''} {pages}"


def read_note(rel: str, data: bytes, max_chars: int) -> tuple[Document, list[Chunk]]:
    """A Markdown or text note's document and chunks (run in the worker for large notes)."""
    doc = parse_document(rel, data)
    return doc, chunk_document(doc, max_chars)


def _gone(previous: Known, present: set[str], unreadable: dict[str, str]) -> list[FileStatus]:
    """Known files no longer found: ``removed``, or ``failed`` under an unreadable folder
    (and such a folder with no known file is reported itself)."""
    out: list[FileStatus] = []
    for folder, why in unreadable.items():
        prefix = f"{folder}/" if folder else ""
        under = [p for p in sorted(previous) if p.startswith(prefix) and p not in present]
        reason = UNREADABLE_FOLDER.format(why=why)
        out += [FileStatus(p, "failed", reason) for p in under] or [
            FileStatus(folder or ".", "failed", reason)
        ]
        present = present | set(under)
    return out + [FileStatus(p, "removed") for p in sorted(previous) if p not in present]


UPLOADS = "uploads"
README_UPLOAD = "README.md files are instructions and are not indexed; rename the note"
HIDDEN_UPLOAD = "names starting with a dot are hidden and not indexed; rename the note"


def save_note(corpus_dir: Path, filename: str, data: bytes) -> str:
    """Store an uploaded note under ``corpus/uploads/`` with a safe name and return its path
    relative to the corpus. Never overwrites another file: a new name gets ``-2``, ``-3``…
    A name the indexer skips (README.md, a hidden name) is refused, saying why."""
    base = Path(filename.replace("\\", "/")).name  # drop any folders, including ../
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    if suffix not in SUFFIXES:
        raise CorpusError(
            f"unsupported type {suffix or '(no extension)'}; upload " + ", ".join(sorted(SUFFIXES))
        )
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-_")[:80] or "note"
    if base.lower() == "readme.md" or f"{stem}{suffix}".lower() == "readme.md":
        raise CorpusError(README_UPLOAD)
    if base.startswith("."):
        raise CorpusError(HIDDEN_UPLOAD)
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
