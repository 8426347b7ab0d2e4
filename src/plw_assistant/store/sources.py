"""What the notes looked like when a generation was built (``sources.json``): each note's
stat stamp and sha256, the clock before the first was looked at, and the glossary files found
with the digest of the one read. Only builds read it, to tell from a ``stat`` of each note that
nothing changed; a generation written without it (before it existed, or by a benchmark) makes
the next build read every note."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

SOURCES = "sources.json"
_VERSION = 1
StampTuple = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode (ingest.files.Stamp)


@dataclass(frozen=True)
class Sources:
    seen_at_ns: int  # wall clock before the first note was looked at
    notes: dict[str, tuple[StampTuple | None, str]] = field(default_factory=dict)  # → sha256
    glossary_names: tuple[str, ...] = ()
    glossary_digest: str = ""


def save_sources(sources: Sources, path: Path) -> None:
    data = {
        "version": _VERSION,
        "seen_at_ns": sources.seen_at_ns,
        "notes": {rel: [*(stamp or ()), sha] for rel, (stamp, sha) in sources.notes.items()},
        "glossary_names": list(sources.glossary_names),
        "glossary_digest": sources.glossary_digest,
    }
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8")


def load_sources(path: Path) -> Sources | None:
    """What ``save_sources`` wrote; ``None`` when the generation has no such record (or one
    of another version); ``ValueError`` or ``OSError`` if it cannot be read."""
    if not path.is_file():
        return None
    data = json.loads(path.read_text("utf-8"))
    if not isinstance(data, dict) or data.get("version") != _VERSION:
        return None
    notes: dict[str, tuple[StampTuple | None, str]] = {}
    for rel, row in data["notes"].items():
        if not isinstance(row, list) or len(row) not in (1, 5):
            raise ValueError(f"{SOURCES}: the record of {rel} is not a stamp and a sha256")
        *stamp, sha = row
        notes[rel] = ((stamp[0], stamp[1], stamp[2], stamp[3]) if stamp else None, str(sha))
    return Sources(
        int(data["seen_at_ns"]),
        notes,
        tuple(str(n) for n in data["glossary_names"]),
        str(data["glossary_digest"]),
    )
