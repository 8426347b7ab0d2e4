"""The admin's sign-in: PLW_ADMIN_TOKEN given once sets a signed session cookie (HttpOnly,
SameSite=Strict, only sent to /admin; Secure over HTTPS), and every admin form carries a
token tied to that session.

Signed with itsdangerous under a key kept in the index folder (made once, 0600) and mixed
with PLW_ADMIN_TOKEN, so every server over that folder accepts the same sessions and a changed
token signs everyone out; sign-out is kept in the app database, so a copied cookie stops
working on every server with it. Cross-site forms are refused before this by the guard
(``web.bounds.cross_site``), and SameSite=Strict keeps the cookie off them anyway."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable

from itsdangerous import BadSignature, Signer, TimestampSigner
from starlette.requests import Request
from starlette.responses import Response

from ..appdata.sessions import Revocations

COOKIE = "plw_admin"
PATH = "/admin"
HOURS = 8  # a session lasts a working day at most


class _Signer(TimestampSigner):
    """A timestamp signer reading the sessions' clock (tests move it)."""

    def __init__(self, key: bytes, clock: Callable[[], float]) -> None:
        super().__init__(key, salt="plw-admin-session")
        self.clock = clock

    def get_timestamp(self) -> int:
        return int(self.clock())


class AdminSessions:
    """Issues and checks the admin's session cookies and form tokens."""

    def __init__(
        self,
        key: bytes,
        token: str,
        revocations: Revocations,
        clock: Callable[[], float] = time.time,
    ) -> None:
        key = hashlib.sha256(key + token.encode()).digest()
        self._session = _Signer(key, lambda: self.clock())
        self._form = Signer(key, salt="plw-admin-form")
        self._revocations = revocations
        self.clock = clock

    def issue(self) -> str:
        """A new session's cookie value: a nonce, when it was issued and their signature."""
        return self._session.sign(secrets.token_urlsafe(18)).decode()

    def nonce(self, value: str | None) -> str | None:
        """The session's nonce if ``value`` is a cookie this process signed, unexpired and
        not signed out; else ``None``."""
        if not value:
            return None
        try:
            nonce = self._session.unsign(value, max_age=HOURS * 3600).decode()
        except BadSignature:  # also SignatureExpired
            return None
        return None if self._revocations.revoked(nonce) else nonce

    def revoke(self, value: str | None) -> None:
        nonce = self.nonce(value)
        if nonce is None:
            return
        now = self.clock()
        self._revocations.revoke(nonce, now + HOURS * 3600, now)

    def form_token(self, nonce: str) -> str:
        """What every admin form sends back: proof it was made for this session."""
        return self._form.get_signature(nonce).decode()

    def form_ok(self, nonce: str, token: object) -> bool:
        return isinstance(token, str) and self._form.verify_signature(nonce, token)


def session_of(request: Request) -> str | None:
    """The signed-in admin session of a request (its nonce), if any."""
    sessions: AdminSessions | None = request.app.state.sessions
    if sessions is None:  # admin is off
        return None
    return sessions.nonce(request.cookies.get(COOKIE))


def set_cookie(response: Response, request: Request, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=HOURS * 3600,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        COOKIE,
        path=PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
