"""The words of a question that ask about a webinar rather than name a subject of their own
("what was discussed", "which session"), and what "which webinar …?" searches without them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..words import tokenize

if TYPE_CHECKING:
    from .names import Session

_WORD = re.compile(r"[\w#’'-]+")
_ABBREVIATION = re.compile(r"\b[A-Z]{2,}s?\b")
_POINTS_BACK = re.compile(r"\b(?:it|its|that|this|they|them|there|those|these)\b", re.I)
# The same in a part of a question, but "there" after a verb of being ("is there …?").
POINTS_AT = re.compile(
    r"\b(?:it|its|that|this|they|them|those|these)\b|(?<!is )(?<!are )(?<!was )(?<!were )\bthere\b",
    re.I,
)

# Words that ask what a webinar was about rather than name a subject of their own.
_ASKING = (
    "what which tell me about topic topics subject subjects discussed discuss covered "
    "cover talk talked agenda happened happen called name title theme content contents "
    "summary summarise summarize held present presented webinar webinars plw plws "
    "session sessions peer learning meeting one number first second third fourth fifth "
    "last latest final list all five main key day how many have had"
    # Words that quantify what is asked about, naming no subject of their own.
    " every each across throughout whole entire overall various different series"
    # Words asking politely ("could you tell me what the second one covered?").
    " could would can please know explain describe remind"
)
_ASKING_WORDS = _ASKING.split()
# Verbs of going over a subject ("what did PLW#5 go through / look at / deal with?"): no
# subject either, but kept in what "which webinar …?" searches, which they barely move.
_GOING_OVER = (
    "go went gone look looked deal dealt focus focused explore explored address addressed"
    " tackle tackled"
)
ABOUT = frozenset(tokenize([" ".join(_ASKING_WORDS) + " " + _GOING_OVER])[0])
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
    kept = " ".join(w for w in _WORD.findall(text) if w.lower() not in ABOUT_FORMS)
    # An abbreviation is a subject, whatever a stop word list holds ("IT" is not "it").
    return kept if tokenize([kept])[0] or _ABBREVIATION.search(kept) else text


# An abbreviation ("IT", "PO"), which a stop word list may hold in lower case ("it").
_NAMED = re.compile(r"\b(?!PLWs?\b)[A-Z]{2,}s?\b")


def names_something(text: str) -> bool:
    """Whether ``text`` names a subject of its own: a content word, or an abbreviation."""
    return bool(subject_words(text, ())) or _NAMED.search(text) is not None


def subject_words(text: str, sessions: Sequence[Session] = ()) -> set[str]:
    """Content words of ``text`` beyond asking what a webinar was about and its own title."""
    words = set(tokenize([re.sub(r"\d+", " ", text)])[0]) - ABOUT
    for s in sessions:
        words -= s.title_words
    return words


def own_subject(part: str) -> bool:
    """Whether a part of a question names a subject of its own, pointing at nothing before."""
    return names_something(part) and not POINTS_AT.search(part)
