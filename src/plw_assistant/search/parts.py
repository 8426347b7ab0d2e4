"""What a question asks: without the situation told before it, and, when it asks two things
("why does EU funding matter, and how should we support members who apply?"), its parts,
each of which an answer should cover."""

from __future__ import annotations

import re

from ..text import sentence_spans
from ..words import tokenize
from .names import KIND

# An ask read on its own needs this many content words.
MIN_ASK_WORDS = 3
# A question's sentences as people type them (``ask_of(typed=True)``): a sentence may start in
# lower case ("we had a bad year. what did the webinars conclude?"); "e.g." and "i.e." end none.
_SENTENCE = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs)\.|[^.!?…]|\.(?=\w))+(?:[.!?…]+[\"”’)]?|$)", re.I)

_ASKING = (
    r"(?:how|why|what|which|when|who|where|should|can|could|would|will|do|does|did|is|are|was"
    r"|were|has|have)\b"
)
# A question word after a preposition: "… and over what period did they run?"
# (One pointing back, "… and over which period did they run?", asks of the same thing: the
# passage answering the first part may answer it too.)
_BY_WHAT = (
    r"(?:over|in|for|during|at|on|from|by|since|until|to|with)\s+(?:what|which|whom)\b"
    r"(?![^?]*\b(?:it|they|them|its|their)\b)"
)
# Where a question starts asking something else: a second question, or a clause opening with
# a question word after a comma, "and", "but", a semicolon or a dash ("why does it matter, and
# how should we organise it?"). "Time and effort", "during and after": one thing asked.
# ("… and separately, what's the lesson on …?", "…, and secondly does …?": a word marking the
# next question is part of the break.)
_NEXT = r"(?:(?:separately|secondly|second|additionally|also|then|finally|besides|plus)\W*\s+)?"
_BREAKS = re.compile(
    rf"\?\s+(?={_ASKING})|(?:,|;|\s[–—-])?\s+(?:and|but|also)\s+{_NEXT}(?={_ASKING}|{_BY_WHAT})"
    rf"|(?:,|;|\s[–—-])\s+{_NEXT}(?={_ASKING})",
    re.I,
)
# Asking indirectly: "…, and we would like to know which formulas the others use".
_INDIRECT = (
    r"(?:(?:and|but|so)\s+)?(?:we|i)\s+(?:(?:would|'d|’d)\s+like|want(?:ed)?|need)\s+to\s+know"
    r"|(?:(?:and|but|so)\s+)?i\s+wonder(?:ed)?\b"
)
_QUESTION = re.compile(rf"^\s*(?:{_BY_WHAT}|{_ASKING}|{_INDIRECT})", re.I)
# "When we have problems …, is it smarter …?": a clause saying when, not asking it.
_CONDITION = re.compile(
    r"^\s*(?:when|if|as|since|because|while|once|whenever)\s+(?!(?:did|does|do|was|were|is|are"
    r"|will|would|has|have|had|can|could|should)\b)",
    re.I,
)
_FACT = re.compile(r"^\s*(?:when|who|where|how\s+(?:many|much|long))\b", re.I)
_ASKS_ANYWHERE = re.compile(rf"\b{_ASKING}", re.I)
# A part asks something of its own when it has at least this many words that are no stop words.
MIN_WORDS = 2
MAX_PARTS = 3


# "… both as a partnership and as cluster organisations?": the same question asked of each.
_BOTH = re.compile(
    r"^(?P<ask>.*?)\bboth\s+(?P<one>[^?.;]+?)\s+and\s+(?P<two>[^?.;]+?)(?P<end>[?.;]?)\s*$", re.I
)


# "… on crisis communication and on digitalising services?": a preposition said twice.
_TWICE = re.compile(
    r"^(?P<ask>.*?\b(?P<prep>on|about|for|regarding|concerning))\s+(?P<one>[^?.;]+?)\s+and\s+"
    r"(?P=prep)\s+(?P<two>[^?.;]+?)[?.;]?\s*$",
    re.I,
)


def parts_of(question: str) -> tuple[str, ...]:
    """The parts of ``question`` that each ask something of their own, in order; () when it
    asks one thing. A piece too short to ask anything ("and why?") stays with the part before
    it; "… both A and B?" and "… on A and on B?" ask their question of A and of B."""
    asked = ask_of(question) or question
    both = _BOTH.match(asked)
    if both and all(tokenize([both[side]])[0] for side in ("one", "two")):
        ask = both["ask"].rstrip(" ,")
        return (f"{ask} {both['one']}", f"{ask} {both['two']}")
    twice = _TWICE.match(asked)
    if twice and all(tokenize([twice[side]])[0] for side in ("one", "two")):
        return (f"{twice['ask']} {twice['one']}", f"{twice['ask']} {twice['two']}")
    pieces = [p.strip(" ,;?") for p in _BREAKS.split(question)]
    parts: list[str] = []
    for piece in pieces:
        if not piece:
            continue
        if parts and not _asks(piece):
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    # The first part may open with its subject ("EU funding: why …"); a first part asking
    # nothing is the situation the question is asked in ("We've hit a rough patch, should …").
    asking = [
        p
        for n, p in enumerate(parts)
        if (_ASKS_ANYWHERE.search(p) and not _CONDITION.match(p) if n == 0 else _QUESTION.match(p))
        and _asks(p)
    ]
    return tuple(asking) if 2 <= len(asking) <= MAX_PARTS else ()


def _asks(part: str) -> bool:
    """Whether a part asks something: two words of its own (a number is one: "what was PLW#2
    about"), or one asked for a fact ("when was the webinars", "who ran it")."""
    own = len(tokenize([part])[0]) + bool(re.search(r"\d", part))
    return own >= MIN_WORDS or (own == 1 and _FACT.match(part) is not None)


def ask_of(text: str, typed: bool = False) -> str:
    """What a question of several sentences asks, without the situation told before it: its
    sentences that end with "?" (else its last one); "" for a question of one sentence.
    ``typed``: sentences as people type them, in lower case too (what the question reads as
    its ask keeps the notes' sentence rules; whether a rare word is asked about does not)."""
    if typed:
        sentences = [m.group(0).strip() for m in _SENTENCE.finditer(text) if m.group(0).strip()]
    else:
        sentences = [text[s:e] for s, e in sentence_spans(text)]
    if len(sentences) == 1:  # "I need a quick check: which city is …?"
        before, colon, after = text.rpartition(": ")
        long_enough = len(before.split()) >= 4 and len(after.split()) >= 4
        return after.strip() if colon and long_enough and after.rstrip().endswith("?") else ""
    if len(sentences) < 2:
        return ""
    asked = [s for s in sentences if s.rstrip().endswith("?")] or sentences[-1:]
    ask = " ".join(asked) if len(asked) < len(sentences) else ""
    # "Was that a mistake?", "What do the lessons say?": an ask that only points back at the
    # situation says less than the whole question.
    return ask if len(tokenize([ask])[0]) >= MIN_ASK_WORDS else ""


# A question this long tells a situation before what it asks, even in one sentence.
SITUATION_WORDS = 25
# The fewest words a clause after the situation asks with on its own.
ASKS_ALONE = 4
_CLAUSE = re.compile(r"[,;:–—]\s+|\s+-\s+")


def asking_clause(text: str) -> str:
    """What a long question asks, in its own words: its ask (``ask_of``, sentences as typed),
    else, for a question of one long sentence, its last clause opening with a question word
    ("… another cluster charges a fee on top, what possibilities came out of the
    discussions?"); else the whole question."""
    ask = ask_of(text, typed=True)
    if ask:
        return ask
    clauses = _CLAUSE.split(text)
    if len(text.split()) < SITUATION_WORDS:
        # A short one telling its situation first ("I could not attend the second one, could
        # you tell me what it covered?") asks from its first clause asking on.
        # ("participant satisfaction score, how much?": a tail that short asks of the rest.)
        first = next((i for i, c in enumerate(clauses) if _QUESTION.match(c)), 0)
        asked = text[text.index(clauses[first]) :].strip()
        return asked if first and len(asked.split()) >= ASKS_ALONE else text
    asking = [c for c in clauses if _QUESTION.match(c)]
    return asking[-1].strip() if asking else text


# "…, and which one covered partner search?", "… and in which about proposals?": a later part
# asking "which" of the thing the first part named.
_WHICH_AGAIN = re.compile(
    rf"^\s*((?:in|at|during)\s+)?which(?:\s+one)?\b(?!\s+(?:of|is|are|was|were|{KIND})\b)", re.I
)


def asked_again(part: str, kind: str) -> str:
    """``part`` with the "which (one)" that stands for the ``kind`` asked of before written out
    ("which one covered partner search" → "which webinar covered partner search"); the part
    as it is when it names what it asks of."""
    return _WHICH_AGAIN.sub(lambda m: f"{m.group(1) or ''}which {kind}", part, count=1)
