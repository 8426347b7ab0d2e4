"""Dates asked for and dates given: "when …?" is answered by a year or a month, "the exact
date" only by a day, "when will the next …?" only by a date still to come, and never by the
year the question names itself."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..search.expects import expects_of
from ..search.forms import LATER, holds

_DATE_ASK = re.compile(
    r"^\s*when\s+(?:did|was|were|is|are|will|does|do|has|have)\b"
    r"|\b(?:what|which)\s+(?:\w+\s+){0,3}(?:dates?|days?|months?|years?)\b|\bon\s+what\s+date\b"
    r"|\bdeadlines?\b",
    re.I,
)
_DATE = re.compile(
    r"\b(?:19|20)\d{2}\b|\b(?:January|February|March|April|May|June|July|August|September"
    r"|October|November|December)\b"
)
# A day asked for ("the exact date", "which day"): a year alone does not give it, nor does
# the year the question itself names ("… the extra PLW of 2022").
_DAY_ASK = re.compile(
    r"\b(?:exact|precise|specific|actual)\s+(?:date|day)s?\b|\b(?:which|what)\s+day\b"
    r"|\bon\s+(?:what|which)\s+(?:\w+\s+)?date\b",
    re.I,
)
_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
)
_DAY = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\b|\b{_MONTHS}\s+\d{{1,2}}\b"
    r"|\b(?:19|20)\d{2}-\d{2}-\d{2}\b"
)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# "When will the next call open?", "the deadline for the next call": a date of the past does
# not answer it.
_WHEN_NEXT = re.compile(r"\bwhen\s+(?:will|shall|is\s+the\s+next|are\s+the\s+next)\b", re.I)
_NEXT = re.compile(
    r"\b(?:next|upcoming|coming|future)\s+(?:[\w-]+\s+){0,3}(?:calls?|deadlines?|webinars?"
    r"|sessions?|plws?|editions?|rounds?|meetings?)\b",
    re.I,
)


def date_asked(question: str) -> Callable[[str], bool] | None:
    """Whether a passage gives the date ``question`` asks for; ``None``: it asks for none."""
    asks_date = _asks_date(question)
    if _WHEN_NEXT.search(question) or (asks_date and _NEXT.search(question)):
        # the date of something still to come
        return lambda t: _dated(t, frozenset(), False) and holds(LATER, t)
    if not asks_date:
        return None
    told = frozenset(_YEAR.findall(question))
    exact = _DAY_ASK.search(question) is not None or bool(told)
    return lambda t: _dated(t, told, exact)


def _asks_date(question: str) -> bool:
    """Whether ``question`` asks for a date, in the words of this module or as the plan reads
    it ("the exact date when PLW#3 took place", "Start and end of the series?")."""
    return _DATE_ASK.search(question) is not None or expects_of(question) == "date"


def _dated(text: str, told: frozenset[str], exact: bool) -> bool:
    """A date in ``text``: a day when one is asked for (``exact``), else a year or a month
    that is not only the question's own year (``told``)."""
    if exact:
        return _DAY.search(text) is not None
    return any(m.group(0) not in told for m in _DATE.finditer(text))


# A span of dates: "Between October 2020 and January 2022", "from 2020 to 2022".
_SPAN = re.compile(
    rf"\b(?:between|from)\s+(?:{_MONTHS}\s+)?(?:19|20)\d{{2}}\s+(?:and|to|until|till)\s+"
    rf"(?:{_MONTHS}\s+)?(?:19|20)\d{{2}}\b",
    re.I,
)


def spans_dates(text: str) -> bool:
    """Whether ``text`` gives a span of dates ("Between October 2020 and January 2022"): it
    bounds the date of anything within it, when nothing gives that date itself."""
    return _SPAN.search(text) is not None


def asks_dated_past(question: str) -> bool:
    """Whether ``question`` asks when something already held took place: not a date to come
    ("When will the next call open?"), nor the day within a year it names ("What day in 2022
    is the extra PLW on?")."""
    return _asks_date(question) and not (
        _WHEN_NEXT.search(question)
        or _NEXT.search(question)
        or holds(LATER, question)
        or _YEAR.search(question)
    )
