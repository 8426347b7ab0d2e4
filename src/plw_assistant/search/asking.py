"""The words of a question that ask about a webinar rather than name a subject of their own
("what was discussed", "which session"), and what "which webinar …?" searches without them."""

from __future__ import annotations

import re

from ..words import tokenize

_WORD = re.compile(r"[\w#’'-]+")
_POINTS_BACK = re.compile(r"\b(?:it|its|that|this|they|them|there|those|these)\b", re.I)

# Words that ask what a webinar was about rather than name a subject of their own.
_ASKING = (
    "what which tell me about topic topics subject subjects discussed discuss covered "
    "cover talk talked agenda happened happen called name title theme content contents "
    "summary summarise summarize held present presented webinar webinars plw plws "
    "session sessions peer learning meeting one number first second third fourth fifth "
    "last latest final list all five main key day how many have had"
    # Words that quantify what is asked about, naming no subject of their own.
    " every each across throughout whole entire overall various different series"
)
_ASKING_WORDS = _ASKING.split()
ABOUT = frozenset(tokenize([" ".join(_ASKING_WORDS)])[0])
# The same words as written, with their endings: what "which webinar …?" leaves out of its
# search. By stem, "called" would take "calls" ("new calls for clusters") with it.
ABOUT_FORMS = frozenset(
    w + end for w in _ASKING_WORDS for end in ("", "s", "es", "ed", "ing", "ion", "ions")
)
# Words that only weigh what is asked ("most relevant"): no subject of their own either.
WEIGHING = frozenset(
    tokenize(["would could should might must can may most more best relevant useful helpful"])[0]
)


def which_clause(text: str, which: re.Pattern[str]) -> str:
    """What "which webinar …?" asks about: the clause after the words asking it, when the
    question also tells its situation ("I'm the manager of an ESCP-4x partnership and I'd like
    to know which webinar included a discussion with our project officer, so …"); else the
    whole question."""
    m = which.search(text)
    if m is None:
        return text
    clause = re.split(r"[,.;:!?]", text[m.end() :], maxsplit=1)[0]
    # A clause that only weighs ("… would be most relevant to me?") points back at the
    # situation: that is what it asks about.
    own = set(tokenize([clause])[0]) - ABOUT - WEIGHING
    # One pointing back ("The talk with the project officer: in which webinar did it take
    # place?") asks about what came before it.
    if len(own) < 2 or _POINTS_BACK.search(clause):
        return text
    return clause if len(text.split()) > 2 * len(clause.split()) + 4 else text


def without_asking(text: str) -> str:
    """``text`` without the words that ask which webinar covered something ("which webinar
    discussed X" searches for X: "discussed" would match "Discussion with the PO"); unchanged
    if nothing would be left."""
    kept = [w for w in _WORD.findall(text) if w.lower() not in ABOUT_FORMS]
    return " ".join(kept) if tokenize([" ".join(kept)])[0] else text
