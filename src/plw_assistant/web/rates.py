"""Per-client rate limits (moving window, counted in the app database so every server over
the index folder counts together): feedback votes, and refused admin requests (so a token
cannot be guessed at speed, whichever server is asked)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from limits import RateLimitItem, parse
from starlette.types import Scope

from ..appdata.database import AppDatabase
from ..appdata.rates import RateCounter
from ..config import Settings

TOO_MUCH_FEEDBACK = "Too much feedback from your address at once. Please try again in {} s."
TOO_MANY_FAILURES = "Too many refused admin requests from your address. Try again in {} s."
TOO_MANY_QUESTIONS = "Too many questions from your address at once. Please ask again in {} s."


def client_of(scope: Scope) -> str:
    """The client's address (what limits are kept per)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


Kind = Literal["feedback", "admin_failure", "ask", "gap"]


class Rates:
    """The limits of the service; each check returns ``None`` (go on) or seconds to wait."""

    def __init__(
        self, settings: Settings, database: AppDatabase, clock: Callable[[], float] = time.time
    ) -> None:
        self._counter = RateCounter(database)
        self.clock = clock
        self._items: dict[Kind, RateLimitItem] = {
            "feedback": parse(settings.feedback_rate),
            "admin_failure": parse(settings.admin_failure_rate),
            "ask": parse(settings.ask_rate),
            "gap": parse(settings.gap_rate),
        }

    def hit(self, kind: Kind, client: str) -> int | None:
        """Count one request; seconds to wait if it goes over the limit."""
        item = self._items[kind]
        return self._counter.hit(kind, client, item.amount, item.get_expiry(), self.clock())

    def over(self, kind: Kind, client: str) -> int | None:
        """Seconds to wait if ``client`` has used up ``kind`` already (nothing is counted)."""
        item = self._items[kind]
        return self._counter.over(kind, client, item.amount, item.get_expiry(), self.clock())
