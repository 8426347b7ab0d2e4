"""The corpus folder's files, before anything is parsed: which are notes (and which are
skipped or failed, with why), which is the glossary, and each one's bytes with what the file
looked like when they were read (its ``Stamp``), so a later build can tell from a ``stat``
alone that nothing changed. Nothing here imports a parser: a run with nothing to do stays fast.
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..config import GOLDEN_FILE
from ..errors import CorpusError
from .formats import CONVERTED

MARKDOWN_SUFFIXES = {".md", ".markdown"}
TEXT_SUFFIXES = {".txt"}
SUFFIXES = MARKDOWN_SUFFIXES | TEXT_SUFFIXES | CONVERTED
MAX_FILE_BYTES = 10 * 1024 * 1024
TOO_LARGE = f"it is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"
GLOSSARY_FILES = ("glossary.yaml", "glossary.yml")  # read in this order, in any letter case
MAX_GLOSSARY_BYTES = 64 * 1024
GLOSSARY_TOO_LARGE = f"is larger than {MAX_GLOSSARY_BYTES // 1024} KB"

BAD_NAME = "its file name is not valid UTF-8"
OUTSIDE = "it links outside the corpus"
NESTED_GLOSSARY = "a glossary is read only from the corpus folder itself, not from a subfolder"
UNREADABLE_FOLDER = "its folder cannot be read ({why})"


@dataclass(frozen=True)
class FileStatus:
    """What ``plw index`` did with one file: new, changed, unchanged, removed, skipped, failed."""

    path: str
    status: str
    reason: str = ""


class Stamp(NamedTuple):
    """What ``stat`` says of a file. Writing to a file changes its mtime and ctime (which no
    tool can set back), replacing it changes its inode: equal stamps mean the same bytes,
    unless the file was written within the clock's granularity of the stamp being taken
    (see ``pipeline.unchanged``)."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @classmethod
    def of(cls, st: os.stat_result) -> Stamp:
        return cls(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def read_note_bytes(path: str) -> tuple[bytes, Stamp | None]:
    """A note's bytes and its stamp taken before they were read (``None`` if the file changed
    while being read); its size is checked first (a huge file is never read)."""
    if os.stat(path).st_size > MAX_FILE_BYTES:
        raise CorpusError(TOO_LARGE)
    with open(path, "rb") as fh:
        stamp = Stamp.of(os.fstat(fh.fileno()))
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # it grew meanwhile
        raise CorpusError(TOO_LARGE)
    return data, stamp if len(data) == stamp.size else None


def reason(exc: Exception) -> str:
    """One line saying why a file could not be read."""
    if isinstance(exc, CorpusError):
        return str(exc)
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return f"it could not be read ({type(exc).__name__})"


def is_glossary(rel: str) -> bool:
    """Whether ``rel`` (a path relative to the corpus folder) is where a glossary is read."""
    return "/" not in rel and rel.lower() in GLOSSARY_FILES


def glossary_names(corpus_dir: Path) -> list[str]:
    """The glossary files in the corpus folder, the one read first; ``OSError`` if it
    cannot be listed."""
    return sorted(
        (e.name for e in os.scandir(corpus_dir) if is_glossary(e.name)),
        key=lambda n: (GLOSSARY_FILES.index(n.lower()), n),
    )


def read_glossary_bytes(corpus_dir: Path, name: str) -> bytes:
    """The glossary file's bytes, refusing a link out of the corpus and a file over the cap
    (its size is checked before reading); ``CorpusError`` saying why it cannot be read."""
    path = corpus_dir / name
    root = os.path.realpath(corpus_dir)
    try:
        if os.path.commonpath([root, os.path.realpath(path)]) != root:
            raise CorpusError("links outside the corpus")
        if not path.is_file():
            raise CorpusError("is not a file")
        if path.stat().st_size > MAX_GLOSSARY_BYTES:
            raise CorpusError(GLOSSARY_TOO_LARGE)
        with path.open("rb") as fh:
            return fh.read(MAX_GLOSSARY_BYTES + 1)
    except OSError as exc:
        raise CorpusError(f"could not be read ({exc.strerror or type(exc).__name__})") from None


# Path relative to the corpus, the file's path (a string: 10,000 ``Path`` objects cost a tenth
# of a second), and its verdict if it is not read.
Found = tuple[str, str, FileStatus | None]


def walk(corpus_dir: Path) -> tuple[list[Found], dict[str, str]]:
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
            unreadable[safe_name(prefix.rstrip("/"))] = exc.strerror or type(exc).__name__
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name.lower() in ("readme.md", GOLDEN_FILE):
                continue
            if is_glossary(prefix + entry.name):
                continue
            rel, path = prefix + entry.name, entry.path
            try:
                link = entry.is_symlink()
                real = os.path.realpath(path) if link or entry.is_dir() else ""
                if link and os.path.commonpath([root, real]) != root:
                    rel = safe_name(rel)
                    found.append((rel, path, FileStatus(rel, "skipped", OUTSIDE)))
                elif entry.is_dir():
                    if real not in visited:  # a folder linked twice is read once
                        visited.add(real)
                        pending.append((Path(path), rel + "/"))
                elif entry.is_file():
                    found.append((rel, path, _verdict(rel, entry.name)))
            except (OSError, ValueError) as exc:
                rel = safe_name(rel)
                found.append((rel, path, FileStatus(rel, "failed", reason(exc))))
    found.sort(key=lambda f: f[0].split("/"))
    return found, unreadable


def _verdict(rel: str, name: str) -> FileStatus | None:
    """Why a file is not read at all (``None``: it is read)."""
    if safe_name(rel) != rel:
        return FileStatus(safe_name(rel), "failed", BAD_NAME)
    if name.lower() in GLOSSARY_FILES:
        return FileStatus(rel, "skipped", NESTED_GLOSSARY)
    dot = name.rfind(".")
    suffix = name[dot:] if 0 < dot < len(name) - 1 else ""  # as ``Path.suffix`` reads it
    if suffix.lower() not in SUFFIXES:
        return FileStatus(rel, "skipped", f"unsupported type {suffix or '(no extension)'}")
    return None


def safe_name(rel: str) -> str:
    """``rel`` as valid Unicode: bytes that were not UTF-8 (surrogate escapes) become U+FFFD."""
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        return os.fsencode(rel).decode("utf-8", errors="replace")
