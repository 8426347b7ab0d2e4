"""The lessons browser's data: every passage, grouped by document and section or by webinar."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .domain import Chunk
from .ingest.chunker import DETAILS
from .store.reader import Index

_SESSION_PREFIX = re.compile(r"^(PLW#\d+)\b")


@dataclass
class Group:
    title: str
    sections: dict[str, list[Chunk]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.sections.values())


def _matches(chunk: Chunk, words: list[str]) -> bool:
    haystack = f"{chunk.context} {chunk.text} {chunk.session or ''}".lower()
    return all(w in haystack for w in words)


def group_lessons(index: Index, by: str = "document", query: str = "") -> list[Group]:
    """Passages matching every word of ``query``, grouped by document (then section) or by
    webinar (a session note, or a passage that starts with the webinar's name)."""
    words = query.lower().split()
    groups: dict[str, Group] = {}
    for chunk in index.chunks:
        if chunk.section == DETAILS:  # a front matter line (author, date) is not a lesson
            continue
        if words and not _matches(chunk, words):
            continue
        if by == "webinar":
            named = _SESSION_PREFIX.match(chunk.text)
            session = chunk.session or (named.group(1) if named else None)
            if session is None:
                continue
            key, title, section = session, session, chunk.title
        else:
            key, title, section = chunk.document, chunk.title, chunk.section or "Introduction"
        group = groups.setdefault(key, Group(title))
        group.sections.setdefault(section, []).append(chunk)
    order = sorted(groups) if by == "webinar" else list(groups)
    return [groups[k] for k in order]
