"""Loading the corpus folder: every note parsed and chunked, bad files reported, never fatal.

Each file is read on its own: whatever goes wrong with it (an unreadable folder, a link out of
the corpus, a name that is not UTF-8, a size, a parser error, a timeout) makes that file
``failed`` or ``skipped`` with a one-line reason, and the other files are indexed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from ..config import GOLDEN_FILE
from ..domain import Chunk, Document, Glossary
from ..errors import CorpusError
from .chunker import chunk_document, chunker_settings
from .formats import CONVERTED
from .glossary import GLOSSARY_FILES, is_glossary, read_glossary
from .isolate import IsolatedConverter
from .parse import MAX_FILE_BYTES, SUFFIXES, TOO_LARGE, parse_document

# Markdown and text notes larger than this are read in the worker process (see ``_parse``).
ISOLATE_TEXT_BYTES = 256 * 1024

BAD_NAME = "its file name is not valid UTF-8"
OUTSIDE = "it links outside the corpus"
NESTED_GLOSSARY = "a glossary is read only from the corpus folder itself, not from a subfolder"
UNREADABLE_FOLDER = "its folder cannot be read ({why})"
Known = dict[str, tuple[Document, list[Chunk]]]


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
    fingerprint: str = ""  # of the notes' bytes and paths, and of the glossary file's bytes
    glossary: Glossary = field(default_factory=Glossary)
    glossary_problems: list[str] = field(default_factory=list)

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
    corpus = Corpus(documents=[])
    chunks: list[Chunk] = []
    digest = hashlib.sha256(json.dumps(chunker_settings(max_chars)).encode())
    found, unreadable = _walk(corpus_dir)
    with IsolatedConverter() as convert:
        for rel, path, decided in found:
            if decided is not None:
                corpus.files.append(decided)
                continue
            try:
                data = _read(path)
                sha = hashlib.sha256(data).hexdigest()
                digest.update(f"\0{rel}\0{sha}".encode())
                doc, doc_chunks, status = _parse(
                    rel, data, sha, previous.get(rel), max_chars, convert
                )
            except Exception as exc:  # one bad note is reported, never stops the build
                corpus.files.append(FileStatus(rel, "failed", _reason(exc)))
                continue
            corpus.files.append(FileStatus(rel, status))
            corpus.documents.append(doc)
            chunks.extend(doc_chunks)
    corpus.files += _gone(previous, {f.path for f in corpus.files}, unreadable)
    glossary = read_glossary(corpus_dir)
    if glossary.digest:  # a corpus without one keeps the fingerprint it always had
        digest.update(f"\0glossary\0{glossary.digest}".encode())
    corpus.glossary, corpus.glossary_problems = glossary.glossary, glossary.problems
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


def read_note(rel: str, data: bytes, max_chars: int) -> tuple[Document, list[Chunk]]:
    """A Markdown or text note's document and chunks (run in the worker for large notes)."""
    doc = parse_document(rel, data)
    return doc, chunk_document(doc, max_chars)


def _read(path: Path) -> bytes:
    """The file's bytes; its size is checked before reading (a huge file is never read)."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise CorpusError(TOO_LARGE)
    with path.open("rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # it grew meanwhile
        raise CorpusError(TOO_LARGE)
    return data


def _reason(exc: Exception) -> str:
    if isinstance(exc, CorpusError):
        return str(exc)
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return f"it could not be read ({type(exc).__name__})"


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


Found = tuple[str, Path, FileStatus | None]  # path relative to the corpus, path, or a verdict


def _walk(corpus_dir: Path) -> tuple[list[Found], dict[str, str]]:
    """Every note file under the corpus folder (but hidden ones, README.md, which are
    instructions, the admin's golden questions and the glossary), sorted; and the folders
    that could not be listed, with why.

    Links are followed only when they point inside the corpus (each folder is visited once);
    a file of an unsupported type, a link outside or a name that is not UTF-8 comes with its
    verdict already."""
    root = os.path.realpath(corpus_dir)
    found: list[Found] = []
    unreadable: dict[str, str] = {}
    visited = {root}
    pending: deque[tuple[Path, str]] = deque([(corpus_dir, "")])
    while pending:
        folder, prefix = pending.popleft()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            unreadable[_safe(prefix.rstrip("/"))] = exc.strerror or type(exc).__name__
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name.lower() in ("readme.md", GOLDEN_FILE):
                continue
            if is_glossary(prefix + entry.name):
                continue
            rel, path = prefix + entry.name, Path(entry.path)
            try:
                link = entry.is_symlink()
                real = os.path.realpath(path) if link or entry.is_dir() else ""
                if link and os.path.commonpath([root, real]) != root:
                    found.append((_safe(rel), path, FileStatus(_safe(rel), "skipped", OUTSIDE)))
                elif entry.is_dir():
                    if real not in visited:  # a folder linked twice is read once
                        visited.add(real)
                        pending.append((path, rel + "/"))
                elif entry.is_file():
                    found.append((rel, path, _verdict(rel, path)))
            except (OSError, ValueError) as exc:
                found.append((_safe(rel), path, FileStatus(_safe(rel), "failed", _reason(exc))))
    found.sort(key=lambda f: f[0].split("/"))
    return found, unreadable


def _verdict(rel: str, path: Path) -> FileStatus | None:
    """Why a file is not read at all (``None``: it is read)."""
    if _safe(rel) != rel:
        return FileStatus(_safe(rel), "failed", BAD_NAME)
    if path.name.lower() in GLOSSARY_FILES:
        return FileStatus(rel, "skipped", NESTED_GLOSSARY)
    if path.suffix.lower() not in SUFFIXES:
        return FileStatus(rel, "skipped", f"unsupported type {path.suffix or '(no extension)'}")
    return None


def _safe(rel: str) -> str:
    """``rel`` as valid Unicode: bytes that were not UTF-8 (surrogate escapes) become U+FFFD."""
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        return os.fsencode(rel).decode("utf-8", errors="replace")


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
