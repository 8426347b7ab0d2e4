"""Document pages rendered once per generation and kept on disk.

A note's rendered body (``rendered.prepare``) is written to ``pages/`` in the generation's
folder, named by a hash of the note's content, atomically (a temporary file renamed). Readers
of an entry not yet written wait on a lock file: the first renders, the others read what it
wrote. A new generation starts with no pages; the old ones go with their generation.

A large note is rendered in a worker process with a time and a memory limit (the server does
not grow by what parsing it takes); when the worker fails, the note is shown as plain text.
The last few entries read are also kept in memory.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from ..domain import Document
from ..errors import CorpusError
from ..ingest.isolate import IsolatedConverter
from .rendered import Rendered, prepare, too_large

log = logging.getLogger(__name__)

VERSION = "1"  # of the entries' format and of the rendering: a change renders notes again
FOLDER = "pages"  # in a generation's folder
IN_PROCESS_MAX = 200_000  # characters: larger notes are rendered in a worker process
RENDER_SECONDS = 30.0
KEEP = 4  # entries kept in memory

_kept: OrderedDict[tuple[str, str], Rendered] = OrderedDict()
_kept_lock = threading.Lock()
_key_locks: dict[tuple[str, str], threading.Lock] = {}
_renders = 0


def renders() -> int:
    """How many notes this process has rendered (not read from disk or memory)."""
    return _renders


def rendered(doc: Document, body_start: int, folder: Path | None) -> Rendered:
    """``doc``'s body rendered: from memory, from ``folder`` (a generation's pages), or now."""
    key = (str(folder), _key(doc, body_start))
    with _kept_lock:
        lock = _key_locks.setdefault(key, threading.Lock())
    with lock:  # one thread of this process renders or reads an entry, the others wait
        with _kept_lock:
            if key in _kept:
                _kept.move_to_end(key)
                return _kept[key]
        r = _on_disk(folder, key[1], doc, body_start) if folder else _render(doc, body_start)
        with _kept_lock:
            _kept[key] = r
            while len(_kept) > KEEP:
                _kept.popitem(last=False)
    return r


def forget() -> None:
    """Drop the entries kept in memory (as a restarted server would)."""
    with _kept_lock:
        _kept.clear()


def _key(doc: Document, body_start: int) -> str:
    content = doc.sha256 or hashlib.sha256(doc.text.encode("utf-8", "replace")).hexdigest()
    what = f"{VERSION}\0{content}\0{doc.title}\0{doc.markdown}\0{doc.pages}\0{body_start}"
    return hashlib.sha256(what.encode("utf-8", "replace")).hexdigest()[:40]


def _on_disk(folder: Path, key: str, doc: Document, body_start: int) -> Rendered:
    path = folder / f"{key}.page"
    r = _read(path)
    if r is not None:
        return r
    try:
        folder.mkdir(exist_ok=True)
        lock = open(folder / f"{key}.lock", "ab")  # noqa: SIM115 - closed below
    except OSError:  # a read-only index: rendered for memory only
        return _render(doc, body_start)
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # other processes serving this index wait here
        r = _read(path)
        if r is None:
            r = _render(doc, body_start)
            _write(path, r)
    return r


def _read(path: Path) -> Rendered | None:
    try:
        return Rendered.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("A kept page could not be read, rendering it again: %s", path.name)
        return None


def _write(path: Path, r: Rendered) -> None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=".page-", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(r.dumps())
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("A page could not be kept on disk (%s)", exc.__class__.__name__)
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)


def _render(doc: Document, body_start: int) -> Rendered:
    global _renders
    with _kept_lock:
        _renders += 1
    args = (doc.text, doc.markdown, doc.pages, doc.title, body_start)
    if len(doc.text) <= IN_PROCESS_MAX or not doc.markdown:  # plain text costs little
        return prepare(*args)
    try:
        with IsolatedConverter() as worker:
            return worker.run(prepare, *args, seconds=RENDER_SECONDS)
    except CorpusError as exc:
        log.warning("Note %s shown as plain text: %s", doc.id, exc)
        return too_large(doc.text, body_start)
