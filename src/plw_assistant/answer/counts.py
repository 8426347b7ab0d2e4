"""What "how many …?" counts ("partnerships took part": "partnerships"; "how many in total?"
after "which partnerships took part?": the partnerships too) and whether a passage gives a
number of it ("14 partnerships", "five PLWs")."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..text import sentence_spans
from ..words import stem, stopwords, tokenize

_NUMBER = (
    r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
    r"|fourteen|fifteen|twenty|thirty|forty|fifty|hundred|dozens?)"
)
# Verbs that may follow what "how many …" counts ("partnerships took part").
_VERBS = frozenset(
    [
        "took",
        "take",
        "takes",
        "came",
        "come",
        "went",
        "go",
        "got",
        "get",
        "made",
        "make",
        "met",
        "meet",
        "gave",
        "give",
        "ran",
        "run",
        "saw",
        "see",
    ]
)


def counted(question: str, how_many: re.Match[str], before: str = "") -> str:
    """What the ``how_many`` of ``question`` counts: the words after it, else the last plural
    before it, else the plural the question it follows (``before``) asked about, else
    "them"."""
    return (
        _counted(question[how_many.start(1) :])
        or _counted_before(question[: how_many.start()])
        or _counted_before(before, asked=True)
        or "them"
    )


def _counted(text: str) -> str:
    """What "how many …" counts: its words up to the verb ("peer learning webinars were
    held": "peer learning webinars"; "people attended": "people"), at most four; "" when it
    points back ("how many there were")."""
    words = re.findall(r"[\w-]+", text)[:4]
    stop = stopwords()
    if words and words[0].lower() in stop:
        return ""
    end = next(
        (i for i, w in enumerate(words) if i and _verb_or_stop(w.lower(), stop)),
        len(words),
    )
    return " ".join(words[:end])


def _counted_before(text: str, asked: bool = False) -> str:
    """What "…, and how many there were" counts: the last plural named before it; in a
    question asked before (``asked``), the plural it asked about ("which partnerships took
    part …?" then "how many in total?"), else its last plural; "" when none."""
    stop = stopwords()
    which = re.search(r"\b(?:which|what)\s+(?:[\w-]+\s+)?([\w-]+s)\b", text, re.I)
    if asked and which and which.group(1).lower() not in stop:
        return which.group(1)
    words: list[str] = re.findall(r"[\w#-]+", text)
    plural = [i for i, w in enumerate(words) if w.endswith("s") and w.lower() not in stop]
    if not plural:
        return ""
    last = plural[-1]
    if words[last].lower() in _COLLECTIVE:  # "the PLW series", "the series of webinars"
        after = words[last + 1 : last + 3]
        if len(after) == 2 and after[0].lower() == "of":
            return after[1]
        if last and words[last - 1].lower() not in stop:
            return words[last - 1]
    return words[last]


# A noun ending in s that names a whole whose members are what is counted: "how many were
# there?" after a question on "the PLW series" counts PLWs, not series.
_COLLECTIVE = frozenset(["series"])


def _verb_or_stop(word: str, stop: frozenset[str]) -> bool:
    # An adverb ends what is counted too ("how many partnerships actually took part").
    return word in stop or word.endswith(("ed", "ly")) or word in _VERBS


def counts(text: str, stems: set[str]) -> bool:
    """Whether ``text`` gives a number of what ``stems`` name ("14 partnerships", "five
    PLWs"): a number followed, within three words, by one of them."""
    for m in re.finditer(rf"\b{_NUMBER}\b((?:\W+\w+){{1,3}})", text, re.I):
        if any(stem(w.lower()) in stems for w in re.findall(r"\w+", m.group(1))):
            return True
    return False


# Words standing for what was named before ("how many others did they invite?"): the
# question's verb says what is counted.
PRO_FORMS = frozenset(["others", "ones", "them"])


def counter(question: str, how_many: re.Match[str], what: str) -> Callable[[str], bool] | None:
    """For a pro-form counted ("how many others did they invite?"), whether a passage gives a
    number in a sentence holding the question's verb ("14 partnerships have been invited");
    ``None`` for a noun (``counts`` of it tells)."""
    if what.lower() not in PRO_FORMS:
        return None
    verbs = set(tokenize([question[how_many.end() :]])[0])
    if not verbs:
        return None

    def holds(text: str) -> bool:
        return any(
            re.search(rf"\b{_NUMBER}\b", text[a:b], re.I) and verbs & set(tokenize([text[a:b]])[0])
            for a, b in sentence_spans(text)
        )

    return holds
