"""The admin's sign-in: PLW_ADMIN_TOKEN given once sets a signed session cookie (HttpOnly,
SameSite=Strict, only sent to /admin; Secure over HTTPS), and every admin form carries a
token tied to that session.

Signed with HMAC-SHA256 under a key made afresh by each server process, so a restart or a
changed PLW_ADMIN_TOKEN signs everyone out; sign-out revokes the session on the server too,
so a copied cookie stops working with it. Cross-site forms are refused before this by the
guard (``web.bounds.cross_site``), and SameSite=Strict keeps the cookie off them anyway."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "plw_admin"
PATH = "/admin"
HOURS = 8  # a session lasts a working day at most


class AdminSessions:
    """Issues and checks the admin's session cookies and form tokens."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._key = secrets.token_bytes(32)
        self._revoked: dict[str, int] = {}  # nonce → when it would have expired
        self._lock = threading.Lock()
        self.clock = clock

    def _sign(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()

    def issue(self) -> str:
        """A new session's cookie value: nonce, expiry and their signature."""
        payload = f"{secrets.token_urlsafe(18)}.{int(self.clock()) + HOURS * 3600}"
        return f"{payload}.{self._sign(payload)}"

    def nonce(self, value: str | None) -> str | None:
        """The session's nonce if ``value`` is a cookie this process signed, unexpired and
        not signed out; else ``None``."""
        if not value or value.count(".") != 2:
            return None
        nonce, expires, signature = value.split(".")
        if not hmac.compare_digest(signature, self._sign(f"{nonce}.{expires}")):
            return None
        if not expires.isdigit() or int(expires) < self.clock():
            return None
        with self._lock:
            return None if nonce in self._revoked else nonce

    def revoke(self, value: str | None) -> None:
        nonce = self.nonce(value)
        if nonce is None or value is None:
            return
        now = self.clock()
        with self._lock:
            self._revoked = {n: t for n, t in self._revoked.items() if t >= now}
            self._revoked[nonce] = int(value.split(".")[1])

    def form_token(self, nonce: str) -> str:
        """What every admin form sends back: proof it was made for this session."""
        return self._sign(f"form:{nonce}")

    def form_ok(self, nonce: str, token: object) -> bool:
        return isinstance(token, str) and hmac.compare_digest(token, self.form_token(nonce))


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
