"""The last builds, as /admin shows them: written by whichever process built (the server's
indexer, an upload, a re-index from /admin) with the generation it made, and read by every
server, so the admin sees the same last build whichever server answers."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field

from .database import AppDatabase

WHAT = "The build report"
KEPT = 20  # builds kept; /admin shows the last


@dataclass(frozen=True)
class FileLine:
    status: str
    path: str
    reason: str = ""


@dataclass(frozen=True)
class LastBuild:
    """What a build did, in the words /admin shows it."""

    generation: str | None  # the folder it made; None when nothing had changed
    totals: str
    files: list[FileLine] = field(default_factory=list)
    glossary: str = ""  # the glossary in one line, if there is one
    glossary_problems: list[str] = field(default_factory=list)
    finished_at: str = ""

    @property
    def changed(self) -> bool:
        return self.generation is not None

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.files)


class BuildLog:
    def __init__(self, database: AppDatabase) -> None:
        self.database = database

    def record(self, build: LastBuild) -> None:
        finished = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        data = {k: v for k, v in asdict(build).items() if k != "finished_at"}
        with self.database.transaction(WHAT, "saved") as db:
            db.execute(
                "INSERT INTO builds (finished_at, generation, report) VALUES (?, ?, ?)",
                (finished, build.generation, json.dumps(data)),
            )
            db.execute("DELETE FROM builds WHERE id <= (SELECT max(id) FROM builds) - ?", (KEPT,))

    def last(self) -> LastBuild | None:
        with self.database.transaction(WHAT, "read") as db:
            row = db.execute(
                "SELECT finished_at, report FROM builds ORDER BY id DESC LIMIT 1"
            ).fetchone()
        if row is None:
            return None
        data = json.loads(row[1])
        data["files"] = [FileLine(**f) for f in data.get("files", [])]
        return LastBuild(**data, finished_at=row[0])
