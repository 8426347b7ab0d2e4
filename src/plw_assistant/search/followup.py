"""Follow-up questions: resolved with the conversation's earlier turns, without a model call."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..domain import Turn
from ..words import tokenize

# Openings that continue the previous turn: a connective ("and …?", "but …") or an elliptical
# "what about …?".
_CONTINUES = re.compile(
    r"^\W*(?:(?:and|but|also|so|then|plus|or)\b|(?:what|how)\s+about\b|as\s+for\b)",
    re.IGNORECASE,
)
# An elliptical opening, whose rest is the subject the follow-up brings ("And what about
# partner search?", "and for SMEs?", "how about the common note?").
_ELLIPSIS = re.compile(
    r"^\W*(?:(?:and|but|also)\b[\s,]*(?:(?:what|how)\s+about\b)?|(?:what|how)\s+about\b"
    r"|as\s+for\b)\s*(?:(?:for|about|on|with|regarding|in|of)\s+(?:the\s+)?)?",
    re.IGNORECASE,
)
# What a question of its own starts with ("and who wrote it?" brings no subject: it asks).
_ASKS = re.compile(
    r"(?:what|what's|how|who|whom|whose|why|when|where|which|is|are|was|were|do|does|did"
    r"|can|could|should|would|will|has|have|had|may|might|must|shall)\b",
    re.IGNORECASE,
)
# Words pointing back at something the previous turn named: a pronoun, "there", "that one",
# "the one before", "this" or "that" standing alone or before what a turn is about.
_POINTS_BACK = re.compile(
    r"\b(?:it|its|itself|they|them|their|theirs|themselves|he|she|him|her|his|there|same"
    r"|else|previous|others|rest)\b"
    r"|\b(?:that|this|the|another|other|next)\s+ones?\b|\bones?\s+(?:before|after)\b"
    r"|\b(?:after|before|than|like)\s+(?:that|this)\b"
    r"|\b(?:that|this|those|these)\s*(?:[?!.,;]|$)"
    # "How does that save time?", "is this true?": a demonstrative standing for the answer.
    r"|\b(?:does|did|do|is|was|are|were|will|would|can|could|should|has|have)\s+(?:that|this)\b"
    r"|^\W*(?:that|this)\s+(?!(?:webinars?|sessions?|plws?|lessons?|one)\b)\w+"
    r"|\b(?:that|this|those|these)\s+(?:webinars?|sessions?|plws?|meetings?|topics?|lessons?"
    r"|notes?|points?|ideas?|projects?|parts?|lists?)\b"
    # "how do clusters offer that to members?": a demonstrative as the object of a verb.
    r"|\b(?:offer|provide|do|pay|fund|finance|organi[sz]e|handle|manage|charge)\s+(?:that|this)\b"
    # "What happens if we don't?": what is not done is what the answer before said.
    r"|\b(?:we|they|you|i|clusters?|members?)\s+(?:don[’']t|do\s+not|doesn[’']t|didn[’']t"
    r"|can[’']t|cannot|won[’']t|wouldn[’']t|shouldn[’']t|aren[’']t|haven[’']t)\W*$|\bif\s+not\W*$",
    re.IGNORECASE,
)
_WHY = re.compile(r"^\W*(?:and\s+|but\s+|so\s+)?(?:why|how\s+come)\b", re.IGNORECASE)
# What a "why" of the answer before may say besides asking and pointing: "why not all of them?"
_WHY_WORDS = frozenset(
    tokenize(
        ["not all every any so matter important necessary needed useful true recommended though"]
    )[0]
)
# "What if we don't?", "and if not?", "what's the risk?", "what's the benefit?": what happens
# if the lesson is or is not followed, which the lesson itself says.
_IF_WE_DONT = (
    r"if\s+(?:we|they|you|i|clusters?|members?)\s+(?:don[’']t|do\s+not|didn[’']t|can[’']t|cannot"
    r"|won[’']t|wouldn[’']t)(?:\s+\w+){0,2}|if\s+not"
)
_IF_NOT = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|right|alright)\W+)?(?:and\s+|but\s+|so\s+)?"
    rf"(?:(?:(?:what|what\s+happens|what\s+would\s+happen)\s+)?(?:{_IF_WE_DONT})"
    r"|what\s+(?:do|should|must)\s+(?:we|i|they|you|clusters?)\s+(?:need\s+to\s+)?"
    r"(?:be\s+careful\s+(?:about|of|with)|watch\s+out\s+for|look\s+out\s+for|beware\s+of)"
    r"|what(?:[’']s|\s+is|\s+are)\s+the\s+(?:(?:actual|real|main|big|biggest|key)\s+)?"
    r"(?:risks?|catch|downsides?|drawbacks?|pitfalls?"
    r"|benefits?|advantages?|gains?|upsides?|point)(?:\s+(?:exactly|of\s+(?:it|that|this)))?"
    rf"(?:\s+(?:{_IF_WE_DONT}))?)"
    r"\W*$",
    re.IGNORECASE,
)
_OWN_KIND = re.compile(r"\W*(?:who|whom|whose|why|where|how)\b", re.IGNORECASE)
# "It" pointing at nothing before: "is it worth …?" (it stands for what follows).
_POINTS_NOWHERE = re.compile(
    r"\bit(?:'s|\s+is|\s+was|\s+be)?\s+(?:worth|important|possible|necessary|useful|better"
    r"|best|wise|true|easy|hard|difficult|advisable|a\s+good\s+idea)\b",
    re.IGNORECASE,
)
# Words that ask for something without naming what: a question of only these has no subject.
_ASKING = frozenset(
    tokenize(
        [
            "tell me more explain say said says mean means example examples detail details "
            "elaborate go on give know anything something one ones really sure ok okay thanks "
            # A webinar asked for without a subject: "in which session?" is which one was that.
            "webinar webinars session sessions plw plws total altogether overall exactly many much "
            # What a webinar covered, asked without naming it: "which topics exactly?"
            "topic topics subject subjects agenda "
            # A time asked for without a subject: "over what period?" is when that happened.
            "period time timeframe dates date year years month months long "
            # What comes next, asked without naming what of: "what happens next then?"
            "happen happens happened then next "
            # "How come?" asks why.
            "come"
        ]
    )[0]
)
_COUNTING = frozenset(tokenize(["total altogether overall exactly many much number"])[0])
# Words pointing at what came before: "the other ones", "the rest", "the next one".
_POINTING = frozenset(tokenize(["other others rest next previous first last same one ones"])[0])
# ("How many others …?" asks a number, which the answer before may have quoted.)
# ("How do other clusters charge?" names other doers, not more of what was said: "other"
# asks for more only before a word for what an answer gives, "other tips", "other ones".)
_WANTS_MORE = re.compile(
    r"\b(?<!many )(?<!much )(?:else|others|more|rest"
    r"|other(?!\s+(?!(?:ones?|lessons?|tips?|advice|ideas?|points?|things?|topics?|messages?"
    r"|recommendations?|takeaways?|examples?|suggestions?|options?|ways?|aspects?|issues?"
    r"|subjects?|themes?|webinars?|sessions?|plws?|meetings?|parts?|details?|than)\b)[a-z]))\b",
    re.IGNORECASE,
)
# Words that point at the place or thing the previous answer was about.
_DEICTIC = re.compile(r"\b(there|it|its|that|this|those|these|them|they|their)\b", re.IGNORECASE)


def wants_more(question: str) -> bool:
    """Whether the question asks for something else than the previous answer said."""
    return bool(_WANTS_MORE.search(question))


def points_back(question: str) -> bool:
    """Whether the question continues the previous turn ("and for SMEs?", "what about …?")
    or has a word pointing at something it named ("it", "there", "that one", "the one
    before"). A possessive after a word naming its owner points within the question
    ("clusters … their members"); "is it worth …?" points nowhere."""
    if _CONTINUES.search(question):
        return True
    text = _POINTS_NOWHERE.sub(lambda m: " " * len(m.group(0)), question)
    for m in _POINTS_BACK.finditer(text):
        if m.group(0).lower() in ("its", "their") and has_subject(text[: m.start()]):
            continue
        return True
    return False


# A pronoun standing for something told before it ("Was it a mistake to stop?", "this kind of
# situation"); "that session" names a webinar, which the question's webinars resolve.
_PRONOUN = re.compile(r"\b(?:it|that|this|they|them|those|these)\b", re.IGNORECASE)
_THAT_WEBINAR = re.compile(
    r"\b(?:that|this|those|these)\s+(?:webinars?|sessions?|plws?|meetings?)\b", re.IGNORECASE
)


def refers_back(sentence: str) -> bool:
    """Whether a pronoun in ``sentence`` stands for something told before it ("was it a
    mistake?"), not for what follows ("is it worth meeting other partnerships?")."""
    pointing = _PRONOUN.search(_THAT_WEBINAR.sub(" ", sentence)) is not None
    return pointing and not points_nowhere(sentence)


def points_nowhere(question: str) -> bool:
    """Whether "it" in the question stands for what follows ("is it worth …?")."""
    return _POINTS_NOWHERE.search(question) is not None


def has_subject(question: str) -> bool:
    """Whether the question names something of its own, beyond asking ("why?", "tell me
    more", "which one?")."""
    return bool(set(tokenize([question])[0]) - _ASKING)


def asks_why(question: str) -> bool:
    """Whether the question asks only why of what the answer before said ("why?", "and why
    is that?", "why does it matter?", "why not all of them?"), or what happens if it is not
    done ("what if we don't?"): the reason or the risk its lesson gives, if any."""
    if _IF_NOT.match(question):
        return True
    if not _WHY.match(question):
        return False
    own = set(tokenize([question])[0]) - _ASKING - _POINTING - _WHY_WORDS
    return not own or points_back(question)  # "why can't it just replace everything?"


def own_words(question: str) -> list[str]:
    """The stems of the question's words, but those pointing back or counting ("who ran that
    one?": "ran"; "how many were there in total?": none; "anything about the webinars
    themselves?": "anything", "webinars")."""
    return [w for w in tokenize([question])[0] if w not in _POINTING | _COUNTING]


def elliptical(question: str) -> bool:
    """Whether the question opens as one that leaves out what it shares with the one before
    ("and …", "but …", "what about …")."""
    return _ELLIPSIS.match(question) is not None


def asks_its_own(question: str) -> bool:
    """Whether a follow-up asks for a kind of answer of its own, not the one the question
    before asked for: it opens as an elliptical one ("and for SMEs?") or with a question word
    of its own ("who ran it?" after "which partnerships took part?")."""
    return elliptical(question) or _OWN_KIND.match(question) is not None


def new_subject(question: str) -> str:
    """The subject an elliptical follow-up brings, without its opening: "partner search" for
    "And what about partner search?", "SMEs" for "and for SMEs?"; "" for any other question
    ("and who wrote it?" asks a question of its own)."""
    opening = _ELLIPSIS.match(question)
    if opening is None:
        return ""
    rest = question[opening.end() :].strip(" ?!.")
    # "and the other ones?", "and the rest?" point back: they bring no subject.
    pointing = not set(tokenize([rest])[0]) - _POINTING
    return "" if _ASKS.match(rest) or pointing else rest


def is_follow_up(question: str, before: str = "") -> bool:
    """Whether the question needs the turn before it (the question ``before``): it points
    back at it, names nothing of its own, or only echoes it ("they said the webinars should
    be extended, right? → extended to who exactly?"). A question complete on its own is a
    new one, however short ("How do I configure a Kubernetes ingress?" after an answer on
    partner search)."""
    return points_back(question) or not has_subject(question) or _echoes(question, before)


def _echoes(question: str, before: str) -> bool:
    """Whether a short question's own words are all words of the question before it."""
    own = set(tokenize([question])[0]) - _ASKING - _STRESS
    return 0 < len(own) <= ECHO_WORDS and own <= set(tokenize([before])[0])


# A question of at most this many words of its own, all of them the question before's, only
# echoes it; words stressing what is asked ("exactly") are none of its own.
ECHO_WORDS = 2
_STRESS = frozenset(tokenize(["exactly actually really precisely specifically just again"])[0])
# How many turns back a chain of follow-ups is followed for its subject.
CHAIN = 3


@dataclass(frozen=True)
class Resolved:
    """What to search for after resolving a follow-up against the conversation."""

    query: str
    demote: frozenset[str] = frozenset()  # chunk ids to rank last (already quoted)
    prefer: frozenset[str] = frozenset()  # documents to rank first (what "there" points at)
    said: str = ""  # the previous answer, when the user asks for something else


def resolve_follow_up(question: str, history: Sequence[Turn], follows: bool = False) -> Resolved:
    """A follow-up (or a question known to ``follow`` the last turn) is searched together with
    the previous question ("What else was discussed there?" after "Which webinar dealt with
    COVID?"). When it asks for something else, the passages the previous answer quoted go
    last; when it points back ("there", "it"), passages of the document the previous answer
    quoted first go first."""
    if not history or not (follows or is_follow_up(question, history[-1].question)):
        return Resolved(question)
    last = history[-1]
    demote = frozenset(last.cited) if _WANTS_MORE.search(question) else frozenset()
    prefer: frozenset[str] = frozenset()
    if last.cited and _DEICTIC.search(question):
        prefer = frozenset({last.cited[0].split("#", 1)[0]})
    said = last.answer if demote else ""
    return Resolved(f"{_asked_before(history)} {question}", demote, prefer, said)


def _asked_before(history: Sequence[Turn]) -> str:
    """The last question of ``history`` as resolved itself: "tell me about the BLUES webinars
    → when did they run → how many were there?" asks how many BLUES webinars there were. A
    chain is followed back at most ``CHAIN`` turns."""
    asked = [history[-1].question]
    for n in range(len(history) - 1, max(0, len(history) - CHAIN), -1):
        if not is_follow_up(history[n].question, history[n - 1].question):
            break
        asked.insert(0, history[n - 1].question)
    return " ".join(asked)
