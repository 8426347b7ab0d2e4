"""The form of answer a question's wording asks for, as question-answering systems read it
("why …?" wants a purpose or a reason, "what is a PLW?" a definition, "who organised …?" the
one who did it, "is another one planned?" what comes next, "was it a success?" a judgement,
"only for ESCP-4x?" how far something reaches, "these days?" a trend),
and whether a passage is written in that form. A passage in the asked form
ranks a little higher: of two passages about the series, "… organising a series of 5 PLW in
order to facilitate …" answers "What was the point of the series?"."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from ..text import sentence_spans
from ..words import stem, stopwords, tokenize
from .form_patterns import (
    BASIS,
    BASIS_ASK,
    FUTURE,
    FUTURE_ASK,
    JUDGEMENT,
    JUDGEMENT_ASK,
    PURPOSE,
    PURPOSE_ASK,
    SCOPE,
    SCOPE_ASK,
    TREND,
    TREND_ASK,
    TURNOUT,
    TURNOUT_ASK,
)
from .parts import asking_clause

Kind = Literal[
    "purpose", "definition", "agent", "future", "judgement", "scope", "trend", "basis", "turnout"
]
# A passage written in the form asked for ranks this much higher (a defining one, first).
# From 0.1 to 0.2 on the development sets: answers leading with the expected lesson 508 → 510
# of 609, holding it 558 → 559; none lost.
FORM_BONUS = 0.2

# What a term is: the term ends the question, or a clause saying where follows it ("What is
# meant by a PLW in the BLUES project?"); a sentence may follow ("… actually? never been").
_TERM_END = (
    r"(?:,?\s*(?:exactly|actually|really|anyway|again|then|though|lol|haha|pls|please)\b)*"
    r"(?:\s+(?:meant|supposed)\s+to\s+be)?"
    r"\s*(?:[?.!]|$|\s+(?:in|within|at)\s+the\b)"
)
_DEFINITION_ASK = re.compile(
    # ("what exactly is meant by a 'peer learning webinar'?": a word of degree, quotes.)
    r"^\s*(?:so\s+|and\s+)?(?:what\s*(?:(?:exactly|actually|really)\s+)?(?:is|are|'s|’s)"
    r"(?:\s+meant\s+by)?|whats)\s+(?:an?\s+|the\s+)?[‘'\"“]?"
    rf"(?P<term>[\w#-]+(?:\s+[\w#-]+){{0,3}}?)[’'\"”]?{_TERM_END}"
    r"|^\s*what\s+(?:does|do)\s+(?:the\s+(?:acronym|abbreviation|term|word|name)\s+)?"
    r"(?P<term2>[\w#-]+(?:\s+[\w#-]+){0,3}?)\s+(?:mean|stand\s+for)\b"
    r"|^\s*(?:define|definition\s+of|meaning\s+of|what\s+means)\s+(?:an?\s+|the\s+)?"
    rf"(?P<term3>[\w#-]+(?:\s+[\w#-]+){{0,3}}?){_TERM_END}",
    re.I,
)
# "I got an invitation to a 'peer learning webinar' … What is it exactly?": a definition asked
# of the term the question quotes before it.
_POINTED_DEFINITION = re.compile(
    r"[‘'\"“](?P<term>[\w#-]+(?:\s+[\w#-]+){0,3}?)[’'\"”](?=.*(?:^|[.!?]\s+)(?:so\s+)?what\s*(?:is|'s|’s"
    r"|does)\s+(?:it|that|this)(?:\s+mean)?(?:\s+(?:exactly|actually|really))?\s*[?.!]?\s*$)",
    re.I | re.S,
)
# A sentence defining its subject: "Peer learning webinars (PLW) are tools to …".
_DEFINES = re.compile(
    r"(?:^|(?<=[.!?:]\s))(?P<subject>[A-Z][\w-]*(?:\s+[\w-]+){0,5}?(?:\s*\([^)]{1,12}\))?)"
    r"\s+(?:is|are|means|refers\s+to|stands\s+for)\s+(?!\w+ly\b|very\b|not\b|also\b|so\b)",
)
# "Who organised …?": the doer of a deed (not who took part: that is a list of names).
_AGENT_ASK = re.compile(
    r"^\s*(?:and\s+|but\s+|so\s+)?who\s+(?:(?:was|were|has|have|had)\s+)?"
    r"(?!(?:participated|attended|joined|invited|involved|interested|concerned|showed|turned)\b)"
    r"(?P<verb>[a-z]+ed|ran|led|set|made|wrote|gave|held|began|built|chose|hosted)\b"
    # "Which partnership organised …?": the doer is one of those.
    r"|^\s*(?:and\s+)?(?:which|what)\s+(?:[\w-]+\s+)?(?:partnerships?|organi[sz]ations?|consortium"
    r"|compan(?:y|ies)|projects?|clusters?|body|bodies|ones?)\s+(?P<deed>[a-z]+ed|ran|led|hosted)\b"
    # "Who was the organiser of …?": the doer named by the deed.
    r"|^\s*(?:and\s+)?who\s+(?:was|were|is|are)\s+(?:the\s+)?(?:main\s+)?"
    r"(?P<doer>[a-z]+(?:er|or)s?)\s+(?:of|behind|for)\b"
    # "Who was behind the webinars?", "which organisation was behind them?": who put them on.
    r"|^\s*(?:and\s+)?(?:who|which\s+(?:\w+\s+)?(?:organi[sz]ations?|partnerships?|consortium"
    r"|body|projects?|ones?))\s+(?:was|were|is|are)\s+(?:really\s+)?(?P<behind>behind)\b",
    re.I,
)
# An organisation named: a word in capitals ("BLUES", "CE4BIG") or in camel case.
_NAMED = re.compile(r"[A-Z]{2,}[\w-]*|[A-Z][a-z]+[A-Z][\w-]*")
_BE = frozenset(["is", "are", "was", "were", "be", "been", "being"])


@dataclass(frozen=True)
class Form:
    """The form a question asks its answer in; ``about`` holds, for each word of what a
    definition is asked of (or of the verb whose doer is asked for), the stems meaning it."""

    kind: Kind
    about: tuple[frozenset[str], ...] = ()
    term: str = ""  # what a definition is asked of, as written
    asking: frozenset[str] = frozenset()  # stems of the words asking for the form ("planned")


def asked(text: str, same: Callable[[str], set[str]]) -> Form | None:
    """The form ``text`` asks for, if any. ``same`` gives the stems that mean a word (the
    glossary: "PLW" also means "peer learning webinar")."""
    m = PURPOSE_ASK.search(text)
    if m:
        # What the purpose is asked of ("the point of running the series"): a purpose
        # clause answers when its sentence names it, if the question names anything.
        # ("what was the series meant to achieve?": its subject comes before the ask, in the
        # same clause.)
        before = _CLAUSES.split(text[: m.start()])[-1]
        inside = m.group("subject") or ""  # "were the webinars meant to …"
        rest = _IDIOMS.sub(" ", f"{before} {inside} {text[m.end() :]}")
        about = tuple(frozenset(same(w)) for w in tokenize([rest])[0] if w not in _SUBJECTLESS)
        return Form("purpose", about, asking=_asking(m))
    m = _DEFINITION_ASK.search(text) or _POINTED_DEFINITION.search(text)
    if m:
        term = m.group("term") or m.group("term2") or m.group("term3")
        words = term.split()
        # A term, not a phrase ("the main lesson for clusters" asks for lessons).
        if len(words) <= 3 and not any(w.lower() in stopwords() for w in words):
            about = tuple(frozenset(same(w)) for w in tokenize([term])[0])
            return Form("definition", about, term) if about else None
    m = _AGENT_ASK.search(text)
    if m:
        if m.group("behind"):
            return Form("agent", (ORGANISING,))
        deed = m.group("verb") or m.group("deed") or m.group("doer")
        return Form("agent", (organising(deed),))
    if BASIS_ASK.search(text):  # "what is the approach built on?": what it rests on
        return Form("basis")
    # "Did most partnerships turn up?": who came, and how (asked: not the attendance at "our
    # events" a situation tells of).
    if TURNOUT_ASK.search(asking_clause(text)):
        return Form("turnout")
    if SCOPE_ASK.search(text):  # "only for ESCP-4x, or for all?": how far it reaches
        return Form("scope")
    if TREND_ASK.search(text):  # "getting keener on it these days?": a trend said
        return Form("trend")
    m = JUDGEMENT_ASK.search(text)
    if m:  # its words ("success") are the notes' own: searched; not "did they work?"'s verb
        return Form("judgement", asking=_asking(m) & _HOW_IT_WENT)
    future = list(FUTURE_ASK.finditer(text))
    return Form("future", asking=frozenset().union(*map(_asking, future))) if future else None


def asks_organiser(text: str) -> bool:
    """Whether ``text`` asks who put an event on ("who ran that one?", "who organised
    PLW#3?"): the notes say it of the whole series, not of each webinar."""
    m = _AGENT_ASK.search(text)
    if m is None:
        return False
    deed = m.group("verb") or m.group("deed") or m.group("doer")
    return bool(m.group("behind")) or (deed is not None and stem(deed.lower()) in ORGANISING)


def organising(deed: str) -> frozenset[str]:
    """The stems of ``deed``, or of every verb saying who put an event on when it is one of
    them: a series "run", "hosted" or "led" by someone was organised by them."""
    own = stem(deed.lower())
    return ORGANISING if own in ORGANISING else frozenset({own})


# Verbs saying who put an event on, as stems (British and American spellings are one).
ORGANISING = frozenset(
    stem(w) for w in ["organise", "organiser", "run", "ran", "host", "held", "hold", "lead", "led"]
)


# Words of a purpose question that name nothing it is asked of ("in the first place").
_IDIOMS = re.compile(r"\b(?:in\s+the\s+first\s+place|at\s+all|exactly|actually|really)\b", re.I)
_CLAUSES = re.compile(r"[,;:?.!]|\band\b|\bbut\b", re.I)
_SUBJECTLESS = frozenset(tokenize(["do does did done doing make made get got"])[0])


# A passage saying what comes next ("an extra PLW in 2022 … will keep on").
LATER = Form("future")


def asks_future(text: str) -> bool:
    """Whether ``text`` asks what comes next ("Is another one planned?")."""
    return FUTURE_ASK.search(text) is not None


def _asking(m: re.Match[str]) -> frozenset[str]:
    """The words of ``m`` that only ask (not "another webinar": that one is the subject)."""
    return frozenset(tokenize([m.group(0)])[0]) - _SUBJECTS


# Verbs asking how something went, which the notes use in other senses ("how the
# organizations work"): not searched.
_HOW_IT_WENT = frozenset(tokenize(["work worked pay paid off well"])[0])
_SUBJECTS = frozenset(tokenize(["another one webinar plw session edition series last"])[0])


def unasked(keywords: str, form: Form | None) -> str:
    """``keywords`` without the words that only ask for the form ("Is another PLW planned?"
    searches for another PLW, not for "adjust plans"); unchanged if nothing would be left."""
    if form is None or not form.asking:
        return keywords
    kept = [w for w in keywords.split() if not set(tokenize([w])[0]) & form.asking]
    return " ".join(kept) if tokenize([" ".join(kept)])[0] else keywords


def in_form(
    ranked: list[tuple[int, float]], texts: Sequence[str], form: Form
) -> list[tuple[int, float]]:
    """``ranked`` (row, score) with the passages (``texts``, in the same order) written in
    ``form`` FORM_BONUS higher; those defining what "What is …?" asks about, first."""
    held = {r: holds(loosened(form), t) for (r, _), t in zip(ranked, texts, strict=True)}
    if form.kind == "definition":
        return sorted(ranked, key=lambda p: not held[p[0]])  # stable: in rank order
    scored = [(r, s * (1 + FORM_BONUS) if held[r] else s) for r, s in ranked]
    return sorted(scored, key=lambda p: (-p[1], p[0]))


def loosened(form: Form) -> Form:
    """A purpose asked of anything: any purpose clause answers it (a ranking bonus, and what
    answers when no purpose clause names what it was asked of)."""
    return replace(form, about=()) if form.kind == "purpose" else form


def holds(form: Form, text: str) -> bool:
    """Whether ``text`` answers in ``form``: a purpose or reason clause; a sentence defining
    the term asked about; the asked verb next to a name ("organised by the BLUES
    partnership", "BLUES (as organiser)")."""
    if form.kind == "purpose" and not form.about:
        return PURPOSE.search(text) is not None
    if form.kind in _SAID:  # forms with no subject of their own: how English says them
        return _SAID[form.kind].search(text) is not None
    if form.kind == "definition":
        return any(_names(form.about, m.group("subject")) for m in _DEFINES.finditer(text))
    return degree(form, text) > 0  # a purpose naming what it is of; a doer next to the deed


_SAID = {
    "future": FUTURE,
    "judgement": JUDGEMENT,
    "scope": SCOPE,
    "trend": TREND,
    "basis": BASIS,
    "turnout": TURNOUT,
}


def degree(form: Form, text: str) -> int:
    """How directly ``text`` answers "who did it?": 2 when the doer is the subject of the deed
    ("the BLUES consortium has been organising": what the sentence says), 1 when the deed
    only names it ("the PLWs, organised by the BLUES partnership", "BLUES (as organiser)":
    said in passing), 0 when no name does the deed. A purpose: how many of the things asked
    about its clause's sentence names ("the purpose of organising the series": "organising a
    series of 5 PLW in order to …" names all three). For other forms: 1 if ``text`` holds."""
    if form.kind == "purpose" and form.about:
        spans = (text[a:b] for a, b in sentence_spans(text))
        stems = [set(tokenize([s])[0]) for s in spans if PURPOSE.search(s)]
        return max((sum(bool(g & named) for g in form.about) for named in stems), default=0)
    if form.kind != "agent":
        return int(holds(form, text))
    return _done_by(form.about[0], re.findall(r"[\w-]+", text))


def _done_by(verb: frozenset[str], words: list[str]) -> int:
    """Whether a name does the deed, and how directly (``degree``): "the BLUES consortium
    has been organising" 2, "organised by the BLUES partnership" or "BLUES (as organiser)" 1;
    not "five PLWs were organised" (the name is what was done): 0."""
    best = 0
    for i, w in enumerate(words):
        if stem(w.lower()) not in verb:
            continue
        before = [b.lower() for b in words[max(0, i - 2) : i]]
        if words[i + 1 : i + 2] == ["by"]:  # the name before it is what was done
            best = max(best, int(_named(words[i + 2 : i + 6])))
            continue
        passive = w.lower().endswith("ed") and bool(set(before[-1:]) & _BE)
        as_role = before[-1:] == ["as"]
        if not passive and _named(words[max(0, i - 4) : i - as_role]):
            best = max(best, 1 if as_role else 2)
    return best


def _named(words: list[str]) -> bool:
    return any(_NAMED.fullmatch(w) for w in words)


def _names(about: tuple[frozenset[str], ...], subject: str) -> bool:
    """Whether ``subject`` names what is asked about: a form of each of its words."""
    stems = set(tokenize([subject])[0])
    return all(group & stems for group in about)
