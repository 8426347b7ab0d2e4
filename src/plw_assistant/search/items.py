"""Lists in the notes ("- Do not underestimate …", "- Look for synergies …") and their items
named relative to the one an answer quoted: "and the next tip?", "the one before?", "the last
one?" after a lesson of a list mean the item beside it, not another webinar."""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence

from ..domain import DETAILS, Turn
from ..store.reader import Index
from ..text import SECTION_SEP
from ..words import tokenize
from .expects import expects_of
from .followup import asks_why, points_back
from .names import KIND, Vocabulary
from .relative import at_the_ends, relative_steps

_ITEM = r"(?:one|tip|lesson|point|item|message|recommendation|takeaway|advice)s?"
_STEP = relative_steps(_ITEM)
_A_WEBINAR = re.compile(rf"\b{KIND}\b", re.I)
_END = at_the_ends(_ITEM)
# "Any more tips like that?", "other lessons?": more of the list the answer quoted from.
_MORE_OF_THE_SAME = re.compile(r"\b(?:more|other|others|else|further|rest)\b", re.I)
MORE_WORDS = frozenset(
    tokenize(
        [
            "any more other others else further rest tip tips advice lesson lessons idea ideas "
            "point points recommendation recommendations message messages takeaway takeaways "
            "like that this those these similar such kind sort there are is got have give me "
            "and so what the of but for us we our one ones"
        ]
    )[0]
)
_PLACES = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5}
_ORDINAL = re.compile(rf"\b({'|'.join(_PLACES)}|last|final)\s+(?:\w+\s+)?{_ITEM}\b", re.I)
_THAT = re.compile(
    rf"\b(?:which|what)\s+{_ITEM}\s+(?:was|is)\s+(?:that|it)\b|\b(?:that|this|same)\s+{_ITEM}\b",
    re.I,
)


def is_list_item(index: Index, row: int) -> bool:
    """Whether the passage at ``row`` is an item of a list in its note ("- …", "1. …")."""
    chunk = index.chunks[row]
    doc = index.documents.get(chunk.document)
    if doc is None:
        return False
    line_start = doc.text.rfind("\n", 0, chunk.start) + 1
    marker = doc.text[line_start : chunk.start].strip()
    return marker in {"-", "*", "+"} or marker.rstrip(".)").isdigit()


def list_of(index: Index, row: int) -> list[int]:
    """The rows of the list the passage at ``row`` is an item of, in the note's order (the
    items of its section); ``[]`` when it is no list item."""
    chunk = index.chunks[row]
    if chunk.section == DETAILS or not is_list_item(index, row):
        return []
    rows = [
        r
        for r in index.rows_of_document(chunk.document)
        if index.chunks[r].section == chunk.section and is_list_item(index, r)
    ]
    return rows if row in rows else []


def relative_item(question: str, history: Sequence[Turn], index: Index) -> str | None:
    """The id of the list item ``question`` names relative to the lesson the last answer led
    with ("and the next tip?"), when that lesson is one line of a list of lessons (not a
    webinar's topic: "the one after" a webinar is the next webinar); else ``None``."""
    if not history or not history[-1].cited or _A_WEBINAR.search(question):
        return None  # "and the next webinar?" names a webinar, whatever came before
    row = index.row(history[-1].cited[0])
    if row is None or index.chunks[row].session or "\n" in index.chunks[row].text.strip():
        return None
    if _THAT.search(question) or asks_why(question) or _its_fact(question, row, index):
        # "which one was that?", "why does it matter?", "what's her email?" (the answer's
        # passage gives it): the passage the answer led with
        return index.chunks[row].id
    items = list_of(index, row)
    if len(items) < 2:
        return None
    at = items.index(row)
    end = _END.search(question)
    if end:
        target = 0 if end.group(1).lower() == "first" else len(items) - 1
    else:
        steps = [step for step, pattern in _STEP.items() if pattern.search(question)]
        if len(steps) != 1:
            return None
        target = at + steps[0]
    if not 0 <= target < len(items) or target == at:
        return None
    return index.chunks[items[target]].id


def rest_of_list(
    question: str, history: Sequence[Turn], index: Index
) -> tuple[tuple[str, ...], bool]:
    """The ids of the other items of the list the last answer's lesson belongs to, those it
    did not quote (when it quoted them all, those of the lists beside it), when ``question``
    asks for more of the same ("any more tips like that?", "other lessons?") and names
    nothing else; else ``()``. And whether the answer quoted its list whole: more of a list
    the question names by its heading ("any other tips for future partnerships?") is then
    that list again (the notes hold nothing more), not another."""
    if not history or not history[-1].cited or not _MORE_OF_THE_SAME.search(question):
        return (), False
    row = index.row(history[-1].cited[0])
    if row is None or index.chunks[row].session:
        return (), False
    quoted = set(history[-1].cited)
    own, beside = list_of(index, row), other_lists(index, row)
    named = set(tokenize([question])[0]) - MORE_WORDS
    if named:  # "any other tips like that for us as a cluster organisation?": a list's heading
        lists = [own, *beside] if own else []
        best = next((rows for rows in lists if named <= _heading_words(index, rows)), [])
        if not best:  # "any more on EU funding?", "how are other clusters paying for it?"
            return (), False
        own, beside = best, []
    ids = [index.chunks[r].id for r in own]
    whole = bool(ids) and quoted.issuperset(ids)
    if named and whole:
        return tuple(ids), True
    rest = [i for i in ids if i not in quoted]
    if not rest:  # it quoted the whole list: the lists beside it
        rest = [index.chunks[r].id for items in beside for r in items]
    return tuple(i for i in rest if i not in quoted), whole


def ordinal_item(question: str, index: Index) -> str | None:
    """The id of the item a question names by its place in a list the question names by its
    heading ("what's the first lesson for future ESCP-4x partnerships?", "the last tip for
    cluster organisations"), else ``None``; a webinar ("the first session") is no list item."""
    place = _ORDINAL.search(question)
    if place is None or _A_WEBINAR.search(question):
        return None
    asked = set(tokenize([question])[0])
    best, shared = [], 0
    for rows in all_lists(index):
        heading = _heading_words(index, rows)
        n = len(asked & heading)
        if n > shared and 2 * n >= len(heading):
            best, shared = rows, n
    if not best:
        return None
    word = place.group(1).lower()
    at = len(best) - 1 if word in ("last", "final") else _PLACES.get(word, len(best))
    return index.chunks[best[at]].id if at < len(best) else None


def all_lists(index: Index) -> list[list[int]]:
    """The lists of lessons in the notes (no webinar's topics), each in its note's order; read
    once per index (every passage is read), on the first question naming an item's place."""
    known = _LISTS.get(index)
    if known is None:
        sections: dict[tuple[str, str], list[int]] = {}
        for r, chunk in enumerate(index.chunks):
            if not chunk.session and chunk.section != DETAILS and is_list_item(index, r):
                sections.setdefault((chunk.document, chunk.section), []).append(r)
        known = _LISTS[index] = [sorted(rows) for rows in sections.values() if len(rows) > 1]
    return known


_LISTS: weakref.WeakKeyDictionary[Index, list[list[int]]] = weakref.WeakKeyDictionary()


def _heading_words(index: Index, rows: list[int]) -> set[str]:
    """The words of the heading of the list made of ``rows`` (its own, not its parents')."""
    heading = index.chunks[rows[0]].section.rpartition(SECTION_SEP)[2] if rows else ""
    return set(tokenize([heading])[0])


def _its_fact(question: str, row: int, index: Index) -> bool:
    """Whether ``question`` points back for a fact ("what's her email?") that the passage at
    ``row`` gives."""
    kind = expects_of(question)  # a count is of what the question before named: read with it
    if kind not in ("address", "date") or not points_back(question):
        return False
    return bool(Vocabulary.of(index).holding(kind)[row])


def other_lists(index: Index, row: int) -> list[list[int]]:
    """The lists beside the one the passage at ``row`` is an item of: those of its note's
    sections under the same heading ("As cluster organisation" beside "For futures
    generations of ESCP-4x partnerships", both under "Wrap-up of the lessons learnt"), each
    in the note's order; ``[]`` when it is no list item."""
    own = list_of(index, row)
    if not own:
        return []
    chunk = index.chunks[row]
    parent = chunk.section.rpartition(SECTION_SEP)[0]
    sections: dict[str, list[int]] = {}
    for r in index.rows_of_document(chunk.document):
        section = index.chunks[r].section
        beside = section != chunk.section and section.rpartition(SECTION_SEP)[0] == parent
        if beside and parent and is_list_item(index, r):
            sections.setdefault(section, []).append(r)
    return list(sections.values())
