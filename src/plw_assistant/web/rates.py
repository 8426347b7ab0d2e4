"""Per-client rate limits (the ``limits`` library, in memory, moving window): feedback votes,
and refused admin requests (so a token cannot be guessed at speed)."""

from __future__ import annotations

import math
import time
from typing import Literal

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import Scope

from ..config import Settings

TOO_MUCH_FEEDBACK = "Too much feedback from your address at once. Please try again in {} s."
TOO_MANY_FAILURES = "Too many refused admin requests from your address. Try again in {} s."


def client_of(scope: Scope) -> str:
    """The client's address (what limits are kept per)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


Kind = Literal["feedback", "admin_failure"]


class Rates:
    """The limits of one app; each check returns ``None`` (go on) or seconds to wait."""

    def __init__(self, settings: Settings) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._items: dict[Kind, RateLimitItem] = {
            "feedback": parse(settings.feedback_rate),
            "admin_failure": parse(settings.admin_failure_rate),
        }

    def _wait(self, kind: Kind, client: str) -> int:
        reset = self._limiter.get_window_stats(self._items[kind], kind, client).reset_time
        return max(1, math.ceil(reset - time.time()))

    def hit(self, kind: Kind, client: str) -> int | None:
        """Count one request; seconds to wait if it goes over the limit."""
        if self._limiter.hit(self._items[kind], kind, client):
            return None
        return self._wait(kind, client)

    def over(self, kind: Kind, client: str) -> int | None:
        """Seconds to wait if ``client`` has used up ``kind`` already (nothing is counted)."""
        if self._limiter.test(self._items[kind], kind, client):
            return None
        return self._wait(kind, client)
