"""What fact a plain question expects its answer to hold: a date ("when …?"), a number
("how many …?"), an address to write to, or the names of several things ("which
partnerships took part?"); answered from passages holding one. And the line of a note's
front matter a question asks for (its author, its date)."""

from __future__ import annotations

import re
from typing import Literal

Expects = Literal["date", "number", "names", "address"]

_WHEN = re.compile(
    # ("When start the series?" as typed; "when the project hits trouble, …" says when, not asks.)
    r"^\W*(?:and\s+|so\s+|but\s+)?when\s+(?:did|was|were|is|are|will|do|does|have|has|start\w*"
    r"|began|begin\w*|end(?:s|ed)?|finish\w*|ran|run|took\s+place)\b|^\W*(?:and\s+|so\s+)?when\W*$"
    r"|\b(?:what|which)\s+(?:period|dates?|months?|time\s*(?:span|frame)|timeframe|stretch"
    r"|span)\b|\bwhat\s+years?\b"
    # The date named as what is asked ("the exact date when …", "Series dates?", "Start and
    # end of the series?").
    r"|\bdates?\s+(?:when|on\s+which|of\s+(?:the|plw|each|every|its))\b"
    r"|(?:^|[.?!]\s+)\W*(?:[\w#-]+\s+){0,3}dates?\s*\?"
    r"|(?<!at the )(?<!in the )(?<!from the )\b(?:start|beginning)\s+(?:and|&)\s+(?:the\s+)?end"
    r"(?:\s+(?:dates?|months?|years?))?\s*(?:of\b|\?)"
    r"|\bhow\s+long\b",
    re.I,
)
# Asking whom to write to: a passage giving an e-mail address answers it.
# ("I got an email inviting me …" tells what happened: an e-mail asked for is its address, or
# what, which or whose e-mail it is.)
_ADDRESS = re.compile(
    r"\be-?mail\s+address\b|\b(?:what|which|whose)\b[^.?!]{0,30}\be-?mail\b"
    r"|\bcontact\s+(?:person|details|address|point)\b|\bpoint\s+of\s+contact\b"
    r"|\bwho\s+(?:can|should|do|could)\s+(?:i|we)\s+(?:contact|e-?mail|write\s+to|get\s+in\s+touch)",
    re.I,
)
# Contact details of others than the notes' contact ("sharing member contact details"):
# no one to write to is asked for.
_WHOSE = re.compile(
    r"\b(?:members?|compan(?:y|ies)|participants?|smes?|partners?|clients?|customers?|their|our"
    r"|my|your)(?:'s?|’s?)?\s*$",
    re.I,
)
_HOW_MANY = re.compile(r"\bhow\s+many\b|\bnumber\s+of\b", re.I)
# "Which partnerships took part?": the answer is a passage that names several of them.
_WHICH_ONES = re.compile(
    # ("What should new partnerships do?" asks what to do: a verb follows "what", no noun.)
    # ("What ways are there to …?" asks how, not which ones: nouns of manner name nothing.)
    # ("What the webinars say clusters do …?" asks what was said: a verb of saying follows.)
    r"^\s*(?:which|what|name|list)\s+(?:the\s+)?+(?!(?:[\w-]+\s+){0,3}(?:say|says|said|saying"
    r"|conclude|concluded|recommend|recommended|suggest|suggested|advise|advised|tell|told)\b)"
    # ("What role do clusters have …?" asks for a role: the singular noun asked comes first.)
    # ("What longer-term effect did …?": its words before the verb too.)
    r"(?!(?:[\w-]+\s+){0,2}?[\w-]*[^\Ws]\s+(?:do|does|did|can|could|should|would|will)\b)"
    r"(?!lessons?\b|messages?\b|ways?\b|options?\b"
    r"|models?\b|kinds?\b|types?\b|approach(?:es)?\b|methods?\b|forms?\b|means\b|steps?\b"
    r"|tips?\b|practices?\b|ideas?\b|possibilit(?:y|ies)\b"
    r"|(?:should|could|would|can|must|might|will|shall|do|does|did|is|are|was|were|has|have"
    r"|had)\b)(?:[\w-]+\s+){0,4}[a-z-]+s\b"
    r"(?:\s+(?:were|are|took|take|taking|have|had|did|do|got|get|won|received|used|applied"
    r"|joined|benefited|benefitted|presented)\b)"
    # "Please list the partnerships that were invited", "name all the partnerships involved":
    # told to name them, no verb needs to follow.
    r"|^\s*(?:please\s+|(?:can|could|would)\s+you\s+(?:please\s+)?)?(?:name|list)\s+"
    r"(?:all\s+)?(?:of\s+)?(?:the\s+)?(?!(?:[\w-]+\s+){0,3}(?:lessons?|messages?|topics?|tips"
    r"|points|ideas?|advice|takeaways?|recommendations?)\b)(?:[\w-]+\s+){0,2}[a-z-]+s\b"
    # "Which were the other ones taking part?"
    r"|^\s*which\s+(?:were|are)\s+the\s+(?![\w\s-]*\b(?:lessons?|messages?|topics?"
    r"|tips|points|advice|dates?)\b)(?:[\w-]+\s+){0,3}[a-z-]+s\b"
    r"|^\s*(?:and\s+|so\s+|but\s+)?who\s+(?:else\s+)?(?:took\s+part|participated|attended|joined|was\s+invited"
    r"|were\s+invited|(?:was|were)\s+(?:in\s+on|involved|part\s+of|there|represented))\b"
    # Keywords asking for a list: "participating partnerships list".
    r"|^(?!.*\b(?:lessons?|messages?|topics?|tips|advice|webinars?|sessions?)\s+(?:list|names))"
    r"[\w#' -]{3,60}\s(?:list|names)\W*$",
    re.I,
)


def expects_of(text: str) -> Expects | None:
    """The fact ``text`` expects its answer to hold, if any."""
    if _WHEN.search(text):
        return "date"
    if _HOW_MANY.search(text):
        return "number"
    address = _ADDRESS.search(text)
    if address and not _WHOSE.search(text[: address.start()]):
        return "address"
    return "names" if asks_names(text) else None


def asks_names(text: str) -> bool:
    """Whether ``text`` asks for the names of things ("Which consultancies did …?")."""
    return _WHICH_ONES.search(text) is not None


_AUTHOR = re.compile(
    r"\b(?:who\s+(?:wrote|authored|penned|is\s+the\s+author)|author|written\s+by)\b"
    r"|\b(?:written|published|authored|posted|released)\b.*\bby\s+whom\b",
    re.I,
)
_PUBLISHED = re.compile(
    r"\bwhen\b.*\b(?:published|written|released|dated|posted|issued)\b"
    r"|\b(?:publication|release)\s+date\b",
    re.I,
)


def front_matter_also(question: str) -> tuple[Literal["author", "published"], ...]:
    """Every line of a note's front matter the question asks for ("who wrote it and when was
    it published?": both), who wrote it first."""
    author = ("author",) if _AUTHOR.search(question) else ()
    published = ("published",) if _PUBLISHED.search(question) else ()
    return (*author, *published)


def front_matter_asked(question: str) -> Literal["author", "published"] | None:
    """The line of a note's front matter the question asks for first: who wrote it, or when
    it was published; ``None`` for any other question."""
    return next(iter(front_matter_also(question)), None)
