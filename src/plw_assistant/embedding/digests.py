"""The sha256 of a model's weights, remembered while the file stays the same: in the process,
and across processes in the cache folder (``file-sha256.json``), so a command that only needs
to know which weights it would use (``plw index`` with nothing to embed, ``plw ask``) does not
read the 90 MB of the bundled model each time.

The same file means the same stamp: size, modification and change times and inode. Writing
a file changes its mtime and ctime (ctime cannot be set back by any tool), replacing it
changes its inode. A file changed within ``RECENT_NS`` of being hashed could still show the
old stamp on a coarse clock, so its digest is kept in the process only, never on disk."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from functools import lru_cache
from pathlib import Path

DIGESTS = "file-sha256.json"
RECENT_NS = 2_000_000_000
_KEPT = 32  # entries on disk: a few models, each in a few places


def file_sha256(path: Path, cache_dir: Path | None = None) -> str:
    """sha256 of the file at ``path``, read again only when its stamp changed."""
    st = path.stat()
    stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    key = str(path.resolve())
    known = _load(cache_dir) if cache_dir is not None else {}
    entry = known.get(key)
    if isinstance(entry, list) and len(entry) == 5 and entry[:4] == stamp:
        return str(entry[4])
    digest = _sha256(path, *stamp)
    settled = max(st.st_mtime_ns, st.st_ctime_ns) < time.time_ns() - RECENT_NS
    if cache_dir is not None and settled:
        known.pop(key, None)
        known[key] = [*stamp, digest]
        _save(cache_dir, dict(list(known.items())[-_KEPT:]))
    return digest


@lru_cache(maxsize=8)
def _sha256(path: Path, size: int, mtime_ns: int, ctime_ns: int, inode: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load(cache_dir: Path) -> dict[str, list[object]]:
    try:
        data = json.loads((cache_dir / DIGESTS).read_text("utf-8"))
    except (OSError, ValueError):
        return {}  # no cache yet, or an unusable one: hash the file
    return data if isinstance(data, dict) else {}


def _save(cache_dir: Path, known: dict[str, list[object]]) -> None:
    """Replace the file in one rename, so a concurrent reader sees the old or the new one."""
    tmp = cache_dir / f".{DIGESTS}.{os.getpid()}"
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(known), "utf-8")
        os.replace(tmp, cache_dir / DIGESTS)
    except OSError:  # an unwritable cache only costs time
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
