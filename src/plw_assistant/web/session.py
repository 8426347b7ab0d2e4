"""The admin's sign-in: PLW_ADMIN_TOKEN given once sets a signed session cookie (HttpOnly,
SameSite=Strict, only sent to /admin; Secure over HTTPS), and every admin form carries a
token tied to that session.

Signed with itsdangerous under a key made afresh by each server process, so a restart or a
changed PLW_ADMIN_TOKEN signs everyone out; sign-out revokes the session on the server too,
so a copied cookie stops working with it. Cross-site forms are refused before this by the
guard (``web.bounds.cross_site``), and SameSite=Strict keeps the cookie off them anyway."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable

from itsdangerous import BadSignature, Signer, TimestampSigner
from starlette.requests import Request
from starlette.responses import Response

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

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        key = secrets.token_bytes(32)
        self._session = _Signer(key, lambda: self.clock())
        self._form = Signer(key, salt="plw-admin-form")
        self._revoked: dict[str, float] = {}  # nonce → when it expires anyway
        self._lock = threading.Lock()
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
        with self._lock:
            return None if nonce in self._revoked else nonce

    def revoke(self, value: str | None) -> None:
        nonce = self.nonce(value)
        if nonce is None:
            return
        now = self.clock()
        with self._lock:
            self._revoked = {n: t for n, t in self._revoked.items() if t >= now}
            self._revoked[nonce] = now + HOURS * 3600

    def form_token(self, nonce: str) -> str:
        """What every admin form sends back: proof it was made for this session."""
        return self._form.get_signature(nonce).decode()

    def form_ok(self, nonce: str, token: object) -> bool:
        return isinstance(token, str) and self._form.verify_signature(nonce, token)


def session_of(request: Request) -> str | None:
    """The signed-in admin session of a request (its nonce), if any."""
    sessions: AdminSessions = request.app.state.sessions
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
