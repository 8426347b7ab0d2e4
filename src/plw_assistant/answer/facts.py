"""Facts a question asks for (an amount, a score, a count, a date, a name) and whether a
passage states one: a question asking for a budget is not answered by "Communication has to
be maintained at all costs" because it holds the word "costs"."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..search.forms import ORGANISING, Form, holds
from ..search.intent import SERIES_WORDS
from ..words import lexicon, stem, tokenize
from .counts import counted, counter, counts
from .dates import date_asked

_AMOUNT = re.compile(
    r"\bhow\s+much\s+(?:(?:\w+\s+){0,2}(?:money|budget|funding)\b"
    r"|(?:did|does|do|will|would|should|could|can|was|is|are)\b.*"
    r"\b(?:cost|pay|paid|charge|spend|spent|budget|worth)\b)"
    r"|\bwhat(?:'s|’s|\s+(?:was|is|were|are|would\s+be))\s+(?:the\s+|a\s+|an\s+)?(?:\w+\s+){0,2}"
    r"(?:cost|costs|budget|price|prices|fees?)\b"
    r"|\b(?:what|which|how\s+big\s+a)\s+(?:\w+\s+){0,2}budgets?\b"
    r"|\bwhat\s+(?:\w+\s+)?(?:fees?|prices?)\s+(?:per|did|do|does|should|would|for)\b"
    r"|\b(?:budget|cost|price)\s+(?:of|for)\b"
    # "What percentage on top of the fee should we charge?": a price asked as a share.
    r"|\bwhat\s+(?:percentage|percent|share|rate|mark-?up)\b.*\b(?:charge|charged|fees?|price)\b"
    r"|\bwhat\s+(?:did|does|do|will|would)\b[^.?]*\bcost\b"
    # "What percentage fee should a cluster charge?": an amount to charge.
    r"|\b(?:what|how\s+much)\s+(?:\w+\s+){0,2}(?:fees?|prices?|rates?)\s+(?:should|do|does|did"
    r"|would|can|could|to)\b[^.?]*\b(?:charge|charged|pay|paid|ask)\b",
    re.I,
)
_MONEY = re.compile(
    r"[€$£]\s*\d|\d[\d,.]*\s*(?:k|m|million|thousand)?\s*(?:€|eur\b|euros?\b|dollars?\b)", re.I
)
_SCORE = re.compile(  # "did the participants rate them?", not "how did the organisers rate it?"
    r"\b(?:satisfaction|rating|ratings|rated|score|scores|scored|how\s+satisfied"
    r"|(?:did|do|does)\s+(?:the\s+)?(?:participants|attendees|members|partners|people)\s+rate"
    r"|how\s+(?:well|highly)\s+(?:were|was)\s+\w+\s+rated)\b",
    re.I,
)
_SHARE = re.compile(
    r"\b(?:percentage|proportion|share\s+of|what\s+percent|how\s+much\s+of"
    r"|(?:success|failure|response|participation|attendance|drop-?out|retention|renewal"
    r"|co-?financing|co-?funding|funding|financing|reimbursement)\s+rates?)\b",
    re.I,
)
_FIGURE = re.compile(r"\d+(?:[.,]\d+)?\s*(?:%|per\s*cent|/\s*\d+|out\s+of\s+\d+)|\bscored?\b", re.I)
_COUNT = re.compile(r"\bhow\s+many\s+(\w+)", re.I)
NO_NUMBER = "The notes do not give that number."
# Who was not there: a list of those invited or taking part does not say who stayed away.
_ABSENT_ASK = re.compile(
    r"\b(?:did\s*n[o’']t|didn[’']t|never|not)\s+(?:show\s+up|turn\s+up|attend|take\s+part|join"
    r"|participate|come)\b|\b(?:absent|no-shows?|missing\s+from|stayed\s+away|dropped\s+out)\b",
    re.I,
)
_ABSENCE = re.compile(
    r"\b(?:absent|did\s+not\s+(?:attend|participate|take\s+part|join)|could\s*n[o’']t\s+(?:attend"
    r"|join)|unable\s+to\s+(?:attend|join)|excused|dropped\s+out)\b",
    re.I,
)
# How long something lasted, and in which language it was held.
_DURATION_ASK = re.compile(
    r"\bhow\s+long\s+(?:was|were|is|are|did|does|do)\b(?!.*\b(?:ago|since)\b)"
    r"|\b(?:duration|length)\s+of\b|\bhow\s+many\s+(?:hours|minutes)\b",
    re.I,
)
_DURATION = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:h|hours?|min|minutes?|days?|weeks?)\b", re.I)
_LANGUAGE_ASK = re.compile(r"\b(?:what|which|in\s+which)\s+languages?\b", re.I)
_LANGUAGE = re.compile(
    r"\b(?:English|French|German|Spanish|Italian|Dutch|Polish|Portuguese|Greek|Czech|Danish"
    r"|Finnish|Hungarian|Romanian|Slovenian|Swedish|Bulgarian|Croatian)\b"
)
# Where something or someone is: a country, a city.
_PLACE_ASK = re.compile(
    r"\b(?:which|what)\s+(?:\w+\s+)?(?:countries|country|cities|city|regions?|venues?)\b"
    r"|\bwhere\s+(?:\w+\s+){0,4}(?:based|located|held|hosted|from)\b"
    r"|\bwhere\s+(?:did|do|does|will|would|is|was|are|were)\s+(?:\w+\s+){0,5}take\s+place\b",
    re.I,
)
_PLACE = re.compile(
    r"\b(?:Austria|Belgium|Bulgaria|Croatia|Cyprus|Czechia|Czech Republic|Denmark|Estonia"
    r"|Finland|France|Germany|Greece|Hungary|Ireland|Italy|Latvia|Lithuania|Luxembourg|Malta"
    r"|Netherlands|Poland|Portugal|Romania|Slovakia|Slovenia|Spain|Sweden|Norway|Switzerland"
    r"|Brussels|Paris|Berlin|Madrid|Rome|Lisbon|Vienna|online|virtual|virtually)\b",
    re.I,
)
# Where to find a recording, the slides or a link: a passage giving one holds an address.
# Travel, a place to stay or to eat: the notes are lessons, not a guide ("a hotel in Brussels?").
_TRAVEL_ASK = re.compile(
    r"\b(?:hotels?|hostels?|accommodation|airbnb|restaurants?|places?\s+to\s+(?:eat|stay)"
    r"|flights?|ferr(?:y|ies)|train\s+(?:times|tickets?)|timetables?|taxis?|parking)\b",
    re.I,
)
_RESOURCE_ASK = re.compile(
    r"\b(?:recording|recordings|recorded|video|videos|slides|slide\s+deck|presentations?"
    r"|link(?!\s+up\b|ing\b)|links|url|download|replay)\b",
    re.I,
)
_ADDRESS = re.compile(r"https?://|\bwww\.|\.(?:pdf|pptx?|mp4)\b", re.I)
_NAME_ASK = re.compile(
    r"\b(?:who|which\s+(?:partnerships?|clusters?|partners?|participants?))\s+(?:presented|spoke"
    r"|was\s+the\s+speaker|were\s+the\s+speakers|gave|led|moderated|chaired|facilitated|ran"
    r"|hosted|said|suggested|recommended|proposed|advised)\b"
    r"|\bwho\s+(?:was|were|is|are)\s+(?:the|their|our|its)\s+(?:[\w-]+\s+)?(?:officers?|speakers?"
    r"|presenters?|moderators?|hosts?|facilitators?|chairs?|coordinators?|experts?)\b"
    r"|\b(?:which|what)\s+(?:[\w-]+\s+){0,3}(?:tool|tools|software|platform|platforms|app|apps"
    r"|databases?)\b"
    # "The name of the project officer"; a webinar's or a partnership's name is its title.
    r"|\bnames?\s+of\s+(?!(?:the\s+|a\s+|that\s+)?(?:\w+\s+)?(?:webinars?|sessions?|plws?|series"
    r"|meetings?|partnerships?|clusters?|topics?)\b"
    r"(?!\s+(?:officers?|managers?|coordinators?|leaders?|speakers?|presenters?|contacts?)\b))",
    re.I,
)
# A surname is rarer than this in the lexicon's subtitles ("Webinars" is not, nor "Search").
_COMMON_NAME = 2000


# An abbreviation or a name ("PO", "ESCP-4x", "CLAMTEX", "RECIPE4Mobility").
_NAME_LIKE = re.compile(r"\b\w+[A-Z0-9]|\b[A-Z]{2,}")

_TOOLS = ("tool", "tools", "software", "platform", "app", "application", "database")


@dataclass(frozen=True)
class Asked:
    """A fact the question asks for: its kind, the sentence that tells the reader the notes
    do not give it, whether a passage gives it, and the stems of what it is about ("tool",
    "people"): a topic naming that thing still answers, with the sentence after it."""

    kind: str
    missing: str
    holds: Callable[[str], bool]
    about: frozenset[str] = frozenset()

    def mentioned_in(self, text: str) -> bool:
        return bool(self.about) and bool(
            self.about & {stem(w.lower()) for w in re.findall(r"\w+", text)}
        )


def asked_for(question: str, same: Callable[[str], set[str]], before: str = "") -> Asked | None:
    """The fact ``question`` asks for, if it asks for one; ``same`` gives the stems that mean
    a word (from the glossary: "webinars" also counts "PLWs"); ``before``: the question it
    follows up, which names what "how many in total?" counts."""
    if _AMOUNT.search(question):
        return Asked("amount", "The notes do not give any cost, budget or amount.", _money)
    if _SHARE.search(question) or _SCORE.search(question):
        about = frozenset(tokenize([_SCORE.sub(" ", _SHARE.sub(" ", question))])[0])
        told = frozenset(m.group(0) for m in _FIGURE.finditer(question))  # not an answer
        missing = (
            "The notes do not give any percentage or share."
            if _SHARE.search(question)
            else "The notes do not give any score or rating."
        )
        return Asked("score", missing, lambda t: _figure(t, about, told))
    count = _COUNT.search(question)
    if count:
        what = counted(question, count, before)
        stems = same(what.split()[-1].lower())
        if stems & SERIES_WORDS:  # "how many sessions?": the webinars, however named
            stems |= SERIES_WORDS
        done = counter(question, count, what)  # "how many others did they invite?"
        missing = f"The notes do not give the number of {what}." if done is None else NO_NUMBER
        return Asked("count", missing, done or (lambda t: counts(t, stems)), frozenset(stems))
    if _DURATION_ASK.search(question):
        return Asked("duration", "The notes do not say how long it took.", _lasting)
    if _ABSENT_ASK.search(question):
        missing = "The notes do not say who did not take part."
        return Asked("absent", missing, lambda t: _ABSENCE.search(t) is not None)
    dated = date_asked(question)
    if dated is not None:
        return Asked("date", "The notes do not give a date for this.", dated)
    if _TRAVEL_ASK.search(question):
        missing = "The notes say nothing about travel or places to stay or eat."
        return Asked("travel", missing, lambda _text: False)
    if _PLACE_ASK.search(question):
        return Asked("place", "The notes do not say where.", _placed)
    if _LANGUAGE_ASK.search(question):
        return Asked("language", "The notes do not say which language was used.", _language)
    if _RESOURCE_ASK.search(question) and re.search(
        r"\b(?:where|find|get|give|see|watch|access|available|download|share|send|is\s+there"
        r"|are\s+there|any)\b",
        question,
        re.I,
    ):
        return Asked("resource", "The notes do not give a recording, slides or a link.", _linked)
    tool = _NAME_ASK.search(question)
    if tool:
        if not any(w in tool.group(0).lower() for w in _TOOLS):
            hosted = _HOST_ASK.search(tool.group(0)) is not None
            return Asked(
                "name",
                "The notes do not give the names asked for.",
                _person_or_host if hosted else _person,
            )
        about = frozenset(stem(w) for w in _TOOLS)
        return Asked(
            "name", "The notes do not name the tool.", lambda t: _named_near(t, about), about
        )
    return None


# What was said, presented or decided, or why: a topic's name does not tell it.
_SAID_ASK = re.compile(
    r"^\W*(?:and\s+|but\s+|so\s+)?why\b|\bwhat\s+exactly\b|\b(?:which|what)\s+(?:specific|exact|particular)\b|\bspecifically\b"
    r"|\bin\s+(?:more\s+|any\s+)?detail\b|\b(?:details?|contents?|outcomes?|conclusions?)\s+of\b"
    r"|\bwhat\s+(?:did|was|were)\s+(?:[\w-]+\s+){0,4}(?:say|said|tell|told|present|presented|explain"
    r"|explained|recommend|recommended|advise|advised|suggest|suggested|decide|decided|agree"
    r"|agreed|conclude|concluded)\b",
    re.I,
)
NOT_SAID = "The notes record the topic only, not what was said about it."


def asks_what_was_said(question: str) -> bool:
    """Whether the question asks what was said, presented or decided ("What exactly did the
    project officer tell them?"), which a topic's name alone does not answer."""
    return _SAID_ASK.search(question) is not None


_PLURAL = re.compile(r"[A-Z]{2,}s$")  # an abbreviation in the plural ("SMEs", "PLWs")


def defined(form: Form | None) -> Asked | None:
    """What "What is ESCP-4x?" asks for: a passage defining a name or an abbreviation (a
    common word such as "digitalisation" is read, not looked up: any passage on it helps)."""
    if form is None or form.kind != "definition" or not _NAME_LIKE.search(form.term):
        return None
    return Asked(
        "definition",
        f"The notes do not say what {form.term} {'are' if _PLURAL.search(form.term) else 'is'}.",
        lambda text: holds(form, text),
        frozenset(s for group in form.about for s in group),
    )


def _placed(text: str) -> bool:
    return _PLACE.search(text) is not None


def _lasting(text: str) -> bool:
    return _DURATION.search(text) is not None


def _language(text: str) -> bool:
    return _LANGUAGE.search(text) is not None


def _money(text: str) -> bool:
    return _MONEY.search(text) is not None


def _figure(text: str, about: frozenset[str], told: frozenset[str]) -> bool:
    """A figure next to what is asked about ("a share of the budget": "100% outsourced" is
    no share of a budget; any figure when the question names nothing else), other than the
    figures the question gives itself ("the 100% outsourced option")."""
    for m in _FIGURE.finditer(text):
        if m.group(0) in told:
            continue
        near = tokenize([text[max(0, m.start() - 40) : m.end() + 40]])[0]
        if not about or about & set(near):
            return True
    return False


def _person(text: str) -> bool:
    """A person's name: two capitalised words whose last is no common English word
    ("Oriane Marchal"; not "Partner Search" or "Peer Learning")."""
    common = lexicon()
    return any(
        common.get(m.group(2).lower(), 0) < _COMMON_NAME
        for m in re.finditer(r"\b([A-Z][^\W\d_A-Z]+)\s+([A-Z][^\W\d_A-Z]+)\b", text)
    )


def _person_or_host(text: str) -> bool:
    """A person's name, or an organisation that put the event on: "who ran the webinars?" is
    answered by "organised by the BLUES partnership" as well as by a name."""
    return _person(text) or holds(_HOST, text)


_HOST = Form("agent", (ORGANISING,))
_HOST_ASK = re.compile(r"\bwho\s+(?:ran|hosted|led)\b", re.I)


def _linked(text: str) -> bool:
    return _ADDRESS.search(text) is not None


def _named_near(text: str, about: frozenset[str]) -> bool:
    """A name within four words of what is asked about ("the Zoom platform")."""
    words = re.findall(r"[\w&-]+", text)
    for i, w in enumerate(words):
        if stem(w.lower()) in about:
            near = words[max(0, i - 4) : i + 5]
            if any(re.fullmatch(r"[A-Z][a-z][\w&-]*", n) for n in near if n != w):
                return True
    return False
