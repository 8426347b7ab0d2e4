"""What a question asks for, read from its words and the notes' names (no model call): what a
webinar covered, which webinar covered something, the list of webinars, who wrote or when a
note was published, more of the same, or a plain question about the lessons."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from ..domain import Turn
from ..words import tokenize
from .analysis import Analysis
from .asking import POINTS_AT, names_something, subject_words, which_clause, without_asking
from .expects import Expects, expects_of, front_matter_asked
from .followup import (
    Resolved,
    asks_its_own,
    asks_why,
    elliptical,
    has_subject,
    is_follow_up,
    new_subject,
    points_nowhere,
    resolve_follow_up,
    wants_more,
)
from .forms import Form, asks_future, asks_organiser
from .keywords import keywords
from .kind_patterns import AFTER_SERIES, BESIDE, IT, LIST, OTHER_ONES, POINTER, WHICH
from .names import Session, Vocabulary
from .parts import ask_of, asking_clause
from .shorthand import names_webinar, without_references, without_span, without_times

Kind = Literal["general", "overview", "which", "list", "unknown", "more", "author", "published"]

# What else a webinar covered, asked of it by name.
_WHAT_ELSE = re.compile(r"\bwhat\s+else\b.*\b(?:agenda|covered|discussed|topics?)\b", re.I)
_WORD = re.compile(r"[\w#’'-]+")


# Words for the series as a whole: every passage is about it, so they only add noise.
SERIES_WORDS = frozenset(
    tokenize(["plw plws webinar webinars peer learning session sessions series"])[0]
)


@dataclass(frozen=True)
class Plan:
    """How to answer: what kind of question it is, about which webinars, and what to search."""

    kind: Kind = "general"
    query: str = ""
    expects: Expects | None = None  # what the answer must hold
    keywords: str | None = None  # what BM25 searches for, when not the whole query
    sessions: tuple[Session, ...] = ()
    items: tuple[str, ...] = ()  # the passages it is about (a list item: "the next tip")
    unknown: tuple[int, ...] = ()
    subject: str = ""  # the new subject of an "and …?" follow-up
    demote: frozenset[str] = frozenset()  # chunk ids to rank last (already quoted)
    prefer: frozenset[str] = frozenset()  # documents to rank first (what "there" points at)
    said: str = ""  # the previous answer, when its sentences must not be repeated
    analysis: Analysis = field(default_factory=lambda: Analysis("", ""))  # the question read
    focus: str = ""  # what the model also reads: the question without the situation before it
    # Whether the focus ranks the passages as well as weighing the evidence: not when it is an
    # ask naming nothing the notes set apart ("What do the lessons say?").
    steers: bool = True
    asked: str = ""  # the question as searched, in words (a follow-up with the one before it)
    parts: tuple[str, ...] = ()  # what each part of a question asking two things searches
    form: Form | None = None  # the form of answer its wording asks for (a purpose, a definition)

    @property
    def continues(self) -> bool:
        """Whether the question was searched together with the one before it."""
        return bool(self.asked) and self.asked != self.analysis.searched


def read(text: str, vocabulary: Vocabulary) -> Plan:
    """The kind of a question on its own (without the conversation). A webinar named only as
    the time after which something comes ("… planned after the fifth one?") is not what the
    question is about."""
    future = asks_future(text)
    named = vocabulary.resolve(without_times(text) if future else without_span(text))
    ask = ask_of(text, typed=True)
    if (
        named.sessions
        and ask
        and not POINTS_AT.search(ask)
        and not vocabulary.resolve(ask).sessions
    ):
        # "… we joined only at the end, in the last webinar. … Is there any plan to continue?":
        # a webinar the situation names is not what the question asks about.
        return read(ask, vocabulary)
    last = max((s.number for s in vocabulary.sessions), default=0)
    if named.unknown and not named.sessions and not (future and min(named.unknown) > last):
        return Plan("unknown", text, unknown=named.unknown)  # ("will there be a sixth?": to come)
    if named.sessions and asks_organiser(text):  # said of the series, not of each webinar
        return Plan("general", text)
    if named.sessions:
        # ("In the third one they talked about X. What else was on the agenda?": all of it.)
        asks_all = not subject_words(text, named.sessions) or _WHAT_ELSE.search(text)
        if WHICH.search(text) is None and asks_all:
            return Plan("overview", text, sessions=named.sessions)
        return Plan("general", text, sessions=named.sessions)
    if (line := front_matter_asked(text)) is not None:  # "who wrote it?", "when published?"
        return Plan(line, text)
    if WHICH.search(text) and not names_something(text):
        return Plan("list", text)  # "Which webinar?" asked of nothing: the webinars there are
    if WHICH.search(text) or (names_webinar(text) and bool(subject_words(text, ()))):
        return Plan("which", without_asking(which_clause(text, WHICH)))
    if LIST.search(text) and not subject_words(text, ()) and not AFTER_SERIES.search(text):
        return Plan("list", text)
    return Plan(
        "general",
        text,
        expects=expects_of(asking_clause(text)),  # not a fact the situation names
        keywords=_without(
            without_references(without_times(text) if asks_future(text) else text, vocabulary),
            SERIES_WORDS,
        ),
    )


def _without(text: str, stems: frozenset[str]) -> str:
    """``text`` without the words whose stem is in ``stems`` ("which webinar discussed X"
    searches for X: the asking words would match "Discussion with the PO"); unchanged if
    nothing would be left."""
    kept = [w for w in _WORD.findall(text) if not set(tokenize([w])[0]) & stems]
    return " ".join(kept) if tokenize([" ".join(kept)])[0] else text


def plan(text: str, history: Sequence[Turn], vocabulary: Vocabulary, follows: bool = False) -> Plan:
    """The plan for ``text`` read with the conversation: a follow-up keeps the previous
    question's intent with its own subject ("and PLW#2?", "and the common note?"), "what
    else?" after a webinar answer asks for the rest of that webinar, and "the one before"
    names the webinar before the one the conversation is about. ``asked`` is the question as
    searched: a follow-up with the question before it, so it can be asked again alone."""
    resolved = resolve_follow_up(text, history, follows)
    p = _plan(text, history, vocabulary, resolved, follows)
    return replace(p, asked=p.asked or resolved.query)


def _plan(
    text: str, history: Sequence[Turn], vocabulary: Vocabulary, resolved: Resolved, follows: bool
) -> Plan:
    own = read(text, vocabulary)
    if not history:
        return own
    if not own.sessions and own.kind in ("general", "which", "list"):
        relative = _relative(text, history[-1], vocabulary)
        if relative is not None:
            return relative
    if not follows and not is_follow_up(text, history[-1].question):
        return own
    previous = read(history[-1].question, vocabulary)
    subject = new_subject(text)
    said = history[-1].answer if (wants_more(text) or elliptical(text)) else ""
    if own.kind in ("author", "published"):  # "when was it published?": it = the last subject
        return replace(own, query=resolved.query)
    if WHICH.search(text) and not own.sessions and not subject_words(text, ()):
        # "Which webinar was that?": which one covered what the question before asked about
        # (the one it named, if it named one).
        before = read(history[-1].question, vocabulary)
        if before.sessions:
            return Plan("overview", text, sessions=before.sessions)
        return Plan("which", without_asking(which_clause(resolved.query, WHICH)), said=said)
    if own.kind != "general" or own.sessions:
        return replace(own, subject=subject, said=said)
    titled = vocabulary.by_title(subject) if subject else ()
    if titled and not subject_words(subject, titled):
        return Plan("overview", text, sessions=titled, said=said)
    if previous.kind in ("overview", "which") and wants_more(text):
        return Plan("more", text, sessions=previous.sessions, demote=resolved.demote, said=said)
    if previous.kind == "which" and subject:
        return Plan("which", without_asking(subject), subject=subject, said=said)
    if previous.kind in ("overview", "more", "list") and subject:
        # "And what about partner search?" after what a webinar covered: the question before
        # names no subject to search the new one with.
        return replace(read(subject, vocabulary), subject=subject, said=said)
    return Plan(
        "general",
        resolved.query,
        keywords=_without(resolved.query, SERIES_WORDS),
        expects=own.expects or (None if asks_its_own(text) else previous.expects),
        subject=subject,
        demote=resolved.demote,
        prefer=resolved.prefer,
        said=said,
    )


def _relative(text: str, last: Turn, vocabulary: Vocabulary) -> Plan | None:
    """ "And the one before it?" after an answer about PLW#5: the plan for PLW#4 (asked as the
    previous question asked about its webinar)."""
    resolve = vocabulary.resolve
    if asks_future(last.question):  # "more webinars after PLW#5?": PLW#5 named as a time
        previous = resolve(without_times(last.question)).sessions
    else:
        previous = resolve(last.question).sessions or resolve(last.answer).sessions
    # "What's planned next?" asks what comes after the series, not for the next webinar.
    future = asks_future(text) and not BESIDE.search(text)
    named = vocabulary.relative(text, previous) if not future else None
    if not named and (one := _about_one(last, vocabulary)) and _stands_for(text):
        # "what did it cover?", "who attended that session?" after an answer on PLW#5: the
        # same question asked of PLW#5 by name, as if it had named it.
        asked = IT.sub(one.id, text)
        return replace(read(asked, vocabulary), asked=asked)
    if previous and not named and (asks_why(text) or _only_points(text)):
        # "why?", "when was that?" after an answer on a webinar: asked of that webinar
        return Plan("overview", text, sessions=previous)
    if not named:
        return None
    if named.unknown:
        return Plan("unknown", text, unknown=named.unknown)  # "the one after PLW#5"
    if asks_organiser(text):  # "who ran that one?": who ran the webinars, said of the series
        return Plan("general", POINTER.sub("the webinars", text))
    if OTHER_ONES.search(text) and read(last.question, vocabulary).kind == "which":
        # "The other ones?" after the webinar covering a topic: its other topics, then the rest.
        return Plan("overview", text, sessions=(*previous, *named.sessions))
    if wants_more(text) and named.sessions == previous:  # "what else was said in that one?"
        demote = frozenset(last.cited)
        return Plan("more", text, sessions=named.sessions, demote=demote, said=last.answer)
    return Plan("overview", text, sessions=named.sessions)


def _about_one(last: Turn, vocabulary: Vocabulary) -> Session | None:
    """The one webinar the turn before was about: the question named it, or the answer led
    with its title."""
    named = vocabulary.resolve(last.question).sessions or tuple(
        s for s in vocabulary.sessions if last.answer.startswith(f"{s.id}:")
    )
    return named[0] if len(named) == 1 else None


def _stands_for(text: str) -> bool:
    """Whether a word of ``text`` stands for one thing named before ("it", "that session"),
    asking of it alone (not "what else did it cover?")."""
    return bool(IT.search(text)) and not points_nowhere(text) and not wants_more(text)


def _only_points(text: str) -> bool:
    """Whether ``text`` only asks, naming nothing ("when was that?", "which topics
    exactly?"); "which webinar was that?" asks which one covered what was asked before."""
    return not has_subject(text) and not wants_more(text) and not WHICH.search(text)


def standalone(p: Plan, text: str, vocabulary: Vocabulary) -> str:
    """A follow-up as a question of its own, which asked alone (a shared link, a new window)
    answers the same thing: "What else was discussed there?" after an answer on PLW#1 is
    "What else was discussed in PLW#1?", "And for SMEs?" is "What do the notes say about
    SMEs?"; else the question with the one before it; "" when ``text`` needed no earlier
    turn."""
    if p.sessions and p.kind in ("more", "overview") and not vocabulary.resolve(text).sessions:
        names = " and ".join(s.id for s in p.sessions)
        verb = "What else was" if p.kind == "more" else "What was"
        return f"{verb} discussed in {names}?"
    if p.subject and p.kind == "general":  # "And for SMEs?": its subject is what it asks
        return f"What do the notes say about {p.subject}?"
    return p.asked if p.asked and p.asked != text else ""


def narrows(p: Plan) -> bool:
    """Whether the plan searches only some passages on its own reading of the question (a
    webinar named by the question itself is no reading: it is always searched)."""
    if p.kind in ("which", "author", "published"):
        return True
    # A webinar named in passing ("… after the fifth webinar?") is searched: what the notes
    # hold on it is what they hold.
    return p.kind == "general" and p.expects is not None


def general(p: Plan) -> Plan:
    """The same question searched over every passage, as a plain question."""
    if p.kind != "which":
        return replace(p, kind="general", expects=None, sessions=())
    text, analysis = p.analysis.searched, p.analysis
    return replace(
        p,
        kind="general",
        sessions=(),
        query=analysis.expand(text, model=True),
        keywords=keywords(analysis, _without(text, SERIES_WORDS)),
    )


def wants_session_rows(p: Plan) -> bool:
    """Whether retrieval is restricted to the passages of webinars (theirs or naming them)."""
    return p.kind in ("overview", "which", "more", "list", "unknown") or bool(p.sessions)
