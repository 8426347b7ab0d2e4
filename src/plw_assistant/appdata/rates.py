"""Rate-limit counters in the app database, so that every server process counts a client's
requests together: one row per counted request, and a moving window over them."""

from __future__ import annotations

import math
import sqlite3

from .database import AppDatabase

WHAT = "The request counter"


class RateCounter:
    def __init__(self, database: AppDatabase) -> None:
        self.database = database

    def hit(self, kind: str, client: str, limit: int, window: float, now: float) -> int | None:
        """Count one request of ``client`` unless it would go over ``limit`` in the last
        ``window`` seconds; seconds to wait when it would (then nothing is counted)."""
        with self.database.transaction(WHAT, "saved") as db:
            db.execute("BEGIN IMMEDIATE")  # count and add as one step across processes
            db.execute(
                "DELETE FROM rate_hits WHERE kind = ? AND client = ? AND at <= ?",
                (kind, client, now - window),
            )
            wait = self._wait(db, kind, client, limit, window, now)
            if wait is None:
                db.execute("INSERT INTO rate_hits VALUES (?, ?, ?)", (kind, client, now))
            return wait

    def over(self, kind: str, client: str, limit: int, window: float, now: float) -> int | None:
        """Seconds to wait if ``client`` has used up its ``limit`` already (counts nothing)."""
        with self.database.transaction(WHAT, "read") as db:
            return self._wait(db, kind, client, limit, window, now)

    @staticmethod
    def _wait(
        db: sqlite3.Connection, kind: str, client: str, limit: int, window: float, now: float
    ) -> int | None:
        rows = db.execute(
            "SELECT at FROM rate_hits WHERE kind = ? AND client = ? AND at > ? "
            "ORDER BY at DESC LIMIT ?",
            (kind, client, now - window, limit),
        ).fetchall()
        if len(rows) < limit:
            return None
        oldest = float(
            rows[-1][0]
        )  # the window frees a place when the limit-th latest hit leaves it
        return max(1, math.ceil(oldest + window - now))
