"""What every server needs to agree on the admin's sessions: the key cookies are signed with
(a file made once, readable by its owner only) and the sessions signed out before they
expired (rows of the app database)."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from ..errors import StorageError
from .database import AppDatabase

KEY_BYTES = 32


def signing_key(path: Path) -> bytes:
    """The key in ``path``, made there first if there is none. Two servers starting together
    agree: the key is written to a private temporary file and linked into place, which only
    one of them can do; the other reads the winner's."""
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = b""
    except OSError as exc:
        raise StorageError(f"The admin session key {path} could not be read: {exc}.") from None
    if len(key) >= KEY_BYTES:
        return key
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".session-key-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_bytes(KEY_BYTES))
            if key:  # a short or empty key from a crash: replace it
                os.replace(tmp, path)
            else:
                with contextlib.suppress(FileExistsError):  # another server was first
                    os.link(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return path.read_bytes()
    except OSError as exc:
        raise StorageError(f"The admin session key {path} could not be made: {exc}.") from None


class Revocations:
    """Sessions signed out before they expire; each row goes when its session would have."""

    WHAT = "The admin sign-out"

    def __init__(self, database: AppDatabase) -> None:
        self.database = database

    def revoke(self, nonce: str, expires: float, now: float) -> None:
        with self.database.transaction(self.WHAT, "saved") as db:
            db.execute("DELETE FROM revoked_sessions WHERE expires < ?", (now,))
            db.execute("INSERT OR REPLACE INTO revoked_sessions VALUES (?, ?)", (nonce, expires))

    def revoked(self, nonce: str) -> bool:
        with self.database.transaction(self.WHAT, "checked") as db:
            found = db.execute("SELECT 1 FROM revoked_sessions WHERE nonce = ?", (nonce,))
            return found.fetchone() is not None
