"""Knowledge gaps as an admin reads them: the recorded questions grouped by meaning, each
group labelled by its most central question, with how often and when it was asked, how it
went (abstained, topic label only, marked No), the passages the notes hold closest to it and
whether a re-check found it answered since."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import spreadsheet
from ..appdata.gaps import OUTCOMES, Gap, GapLog, Recheck
from ..assistant import Assistant
from ..domain import Question
from ..embedding.base import Embedder
from ..errors import PLWError
from .grouping import cluster, common_words, most_central, subject

SORTS = ("count", "last", "label", "status")
# Wordings grouped (and re-checked) at most, the most recently asked: each is embedded, and
# the clustering holds their n-by-n similarities (1,000 clustered in 0.15 s on 2 cores).
MAX_WORDINGS = 1_000
CLOSEST = 3
BATCH = 64
STATUS_ORDER = {"answered": 0, "partly": 1, "open": 2}
MAX_SUBJECT_CHARS = 300  # of a question's subject embedded: a 2,000-character one costs more
_COMMON: dict[Path | None, frozenset[str]] = {}  # per index generation: its common words
# Groups per state of the log and generation of the index: grouping embeds every wording and
# searches for each group, so a view of an unchanged log costs no model time.
_GROUPS: dict[tuple[object, ...], list[GapGroup]] = {}


def key(text: str) -> str:
    """Wordings that differ only in case and spacing are one question."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Passage:
    chunk_id: str
    document: str
    title: str
    section: str
    text: str
    score: float


@dataclass(frozen=True)
class GapGroup:
    label: str
    questions: tuple[str, ...]  # distinct wordings, the label first
    rows: tuple[Gap, ...]
    closest: tuple[Passage, ...] = ()
    status: str = "open"  # answered (every wording, re-checked since last asked), partly, open
    recheck: Recheck | None = None  # the re-check to show: an answered one first
    checked: dict[str, Recheck] = field(default_factory=dict)  # wording → its re-check

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def last_asked(self) -> str:
        return max(r.created_at for r in self.rows)

    @property
    def outcomes(self) -> dict[str, int]:
        seen = Counter(r.outcome for r in self.rows)
        return {o: seen[o] for o in OUTCOMES if seen[o]}

    @property
    def comments(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.comment for r in self.rows if r.comment))

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(r.id for r in self.rows)


def wordings(rows: Sequence[Gap], limit: int = MAX_WORDINGS) -> dict[str, list[Gap]]:
    """Rows by question, under the first wording seen of each: the ``limit`` most recently
    asked questions."""
    out: dict[str, list[Gap]] = {}
    first: dict[str, str] = {}
    for row in rows:
        out.setdefault(first.setdefault(key(row.question), row.question), []).append(row)
    if len(out) > limit:
        latest = set(sorted(out, key=lambda t: out[t][-1].id, reverse=True)[:limit])
        out = {t: rows for t, rows in out.items() if t in latest}
    return out


def gap_groups(assistant: Assistant, log: GapLog, sort: str = "count") -> list[GapGroup]:
    """The open recorded questions, grouped; ``sort`` is one of SORTS. Computed once for each
    change of the log or the index, then kept."""
    state = (log.database.path, log.state(), _generation(assistant))
    groups = _GROUPS.get(state)
    if groups is None:
        groups = _grouped(assistant, log)
        if len(_GROUPS) > 4:
            _GROUPS.clear()
        _GROUPS[state] = groups
    return sort_groups(groups, sort)


def _generation(assistant: Assistant) -> Path | None:
    try:
        return assistant.index.path
    except PLWError:
        return None


def _grouped(assistant: Assistant, log: GapLog) -> list[GapGroup]:
    by_text = wordings(log.gaps())
    if not by_text:
        return []
    texts = list(by_text)
    common = _common_words(assistant)
    subjects = [subject(t, common)[:MAX_SUBJECT_CHARS] for t in texts]
    vectors = _encode(assistant.embedder, subjects)
    weights = [len(by_text[t]) for t in texts]
    rechecks = log.rechecks()
    groups = []
    for rows in cluster(vectors):
        label = texts[most_central(rows, vectors, weights)]
        members = [label, *(texts[r] for r in rows if texts[r] != label)]
        groups.append(_group(assistant, label, members, by_text, rechecks))
    return groups


def _group(
    assistant: Assistant,
    label: str,
    members: list[str],
    by_text: dict[str, list[Gap]],
    rechecks: dict[str, Recheck],
) -> GapGroup:
    rows = tuple(sorted((g for m in members for g in by_text[m]), key=lambda g: g.id))
    # A re-check counts for a wording only if nobody asked it (unanswered) again since.
    checked = {
        m: rc
        for m in members
        if (rc := rechecks.get(m)) is not None
        and rc.checked_at >= max(g.created_at for g in by_text[m])
    }
    answered = [m for m in members if m in checked and checked[m].answered]
    status = "answered" if len(answered) == len(members) else "partly" if answered else "open"
    shown = checked.get(answered[0]) if answered else checked.get(label)
    return GapGroup(label, tuple(members), rows, _closest(assistant, label), status, shown, checked)


def sort_groups(groups: list[GapGroup], sort: str) -> list[GapGroup]:
    if sort == "last":  # the same second: the later row first
        return sorted(groups, key=lambda g: (g.last_asked, max(g.ids)), reverse=True)
    if sort == "label":
        return sorted(groups, key=lambda g: g.label.casefold())
    if sort == "status":
        return sorted(groups, key=lambda g: (STATUS_ORDER[g.status], -g.count))
    by_last = sort_groups(groups, "last")
    return sorted(by_last, key=lambda g: -g.count)  # stable: of equal counts, the latest first


def _common_words(assistant: Assistant) -> frozenset[str]:
    try:
        index = assistant.index
    except PLWError:  # no index yet: group by the questions' own words
        return frozenset()
    if index.path not in _COMMON:
        if len(_COMMON) > 4:
            _COMMON.clear()
        _COMMON[index.path] = common_words([c.text for c in index.chunks])
    return _COMMON[index.path]


def _encode(embedder: Embedder, texts: list[str]) -> np.ndarray:
    parts = [embedder.encode_queries(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
    return np.vstack(parts).astype(np.float32)


def _closest(assistant: Assistant, label: str) -> tuple[Passage, ...]:
    """The passages the notes hold nearest to the question (by meaning: cosine scores)."""
    try:
        retrieval = assistant.retrieve(Question(label, CLOSEST, "dense"))
    except PLWError:
        return ()
    chunks = [(h.chunk, h.score) for h in retrieval.hits]
    return tuple(Passage(c.id, c.document, c.title, c.section, c.plain, s) for c, s in chunks)


CSV_COLUMNS = (
    "group",
    "label",
    "count",
    "last_asked",
    *OUTCOMES,
    "status",
    "rechecked_at",
    "questions",
    "comments",
    "closest_passages",
    "answered_with",
)


def to_csv(groups: Sequence[GapGroup]) -> str:
    """One row a group; lists (questions, comments, passages) one item a line in their cell."""
    return spreadsheet.to_csv(CSV_COLUMNS, [_row(n, g) for n, g in enumerate(groups, start=1)])


def _row(n: int, g: GapGroup) -> list[object]:
    rc = g.recheck
    cited = rc.citations if rc is not None and rc.answered else []
    return [
        n,
        g.label,
        g.count,
        g.last_asked,
        *(g.outcomes.get(o, 0) for o in OUTCOMES),
        g.status,
        rc.checked_at if rc else "",
        "\n".join(g.questions),
        "\n".join(g.comments),
        "\n".join(f"{p.chunk_id} ({p.score:.2f})" for p in g.closest),
        "\n".join(str(c.get("chunk_id", "")) for c in cited),
    ]
