"""A lesson's "Ask about this": a question about its subject, in whole words, that the chat
answers with more than the lesson itself (the rest of its list, its webinar, related lessons).

A webinar's topic asks what the webinar said about it ("What was said about “Partner search” in
PLW#5?"); a lesson stated of something asks why ("Members are more and more interested in EU
funding …" → "Why are members more and more interested in EU funding programmes?"); advice asks
why it is given ("Be flexible …" → "Why is it advised to be flexible and able to adjust
plans?"); anything else asks what the notes say about its heading.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable

from ..domain import Chunk
from ..store.reader import Index
from ..text import SECTION_SEP
from ..words import stopwords

# A topic this short is a subject in itself ("Partner search", "IT tool").
TOPIC_WORDS = 8
# A question longer than this is not worth asking; the passage's heading makes one.
MAX_QUESTION_WORDS = 26
MAX_SUBJECT_WORDS = 8
# The verb a statement turns round: "X is …" → "Why is X …?"; "X has to …" → "Why does X have
# to …?" (read with the subject's number: "X have to …" → "Why do X have to …?").
_AUX = re.compile(
    r"\s(is|are|was|were|has been|have been|has to|have to|can|must|should|will|could|may)\s",
    re.I,
)
# Where the lesson's first sentence ends.
_SENTENCE_END = re.compile(r"[.;:!?](?:\s|$)")
# Where the lesson's first statement ends: punctuation, "but", "in order to", or "and" starting
# another clause.
_CLAUSE_END = re.compile(
    r"[.;:!?(]|,\s|\s[–—-]\s|\s(?:but|in order to)\s"
    r"|\sand\s(?=(?:is|are|should|must|can|has|have|it|they|we|this)\b)",
    re.I,
)
# Advice starts with what to do.
_ADVICE = re.compile(
    r"^(do not|don['’]t|never|be|look|make|use|keep|try|avoid|consider|plan|ask|share|take"
    r"|build|involve|start|stay|think|focus|invest)\b",
    re.I,
)
# Headings that name no subject of their own.
_GENERIC_HEADINGS = frozenset({"", "topics", "context", "introduction", "summary"})


def questions(index: Index) -> Callable[[Chunk], str]:
    """``ask_about`` for the passages of ``index``, which knows the words its notes write in
    lower case ("members") from the names they always capitalise ("European", "BLUES")."""
    lower = _LOWER.get(index)
    if lower is None:
        found = (re.findall(r"(?<![.!?]\s)\b[a-z][a-z-]+\b", c.text) for c in index.chunks)
        lower = _LOWER[index] = frozenset(w for ws in found for w in ws)
    return lambda chunk: ask_about(chunk, lower)


def ask_about(chunk: Chunk, lower: frozenset[str] = frozenset()) -> str:
    """The question "Ask about this" asks of ``chunk`` (see the module's docstring); ``lower``:
    the words the notes write in lower case."""
    text = " ".join(chunk.plain.split())
    if chunk.session and len(text.split()) <= TOPIC_WORDS:
        return f"What was said about “{text.rstrip('.')}” in {chunk.session}?"
    sentence = _SENTENCE_END.split(text, maxsplit=1)[0].strip()
    question = _advice(sentence) or _why(sentence, lower)
    if question and len(question.split()) <= MAX_QUESTION_WORDS:
        return question
    return f"What do the notes say about “{_heading(chunk)}”?"


def _advice(sentence: str) -> str:
    """ "Be flexible …" → "Why is it advised to be flexible …?" (its first clause)."""
    match = _ADVICE.match(sentence)
    if match is None:
        return ""
    clause = _CLAUSE_END.split(sentence, maxsplit=1)[0].strip()
    first = match.group(1).lower()
    if first in ("do not", "don't", "don’t", "never"):
        return f"Why is it advised not to {clause[match.end() :].strip()}?"
    return f"Why is it advised to {clause[:1].lower()}{clause[1:]}?"


def _why(sentence: str, lower: frozenset[str]) -> str:
    """ "Members are more … but …" → "Why are members more …?": the statement turned round,
    its subject the words before the verb since the last comma."""
    match = _AUX.search(sentence)
    if match is None:
        return ""
    subject = sentence[: match.start()].rsplit(", ", 1)[-1].strip()
    verb = match.group(1).lower()
    rest = _CLAUSE_END.split(sentence[match.end() :], maxsplit=1)[0].strip()
    if not subject or len(subject.split()) > MAX_SUBJECT_WORDS or not rest:
        return ""
    subject = _lower_first(subject, lower)
    if verb in ("has to", "have to"):
        return f"Why {'does' if verb == 'has to' else 'do'} {subject} have to {rest}?"
    if verb in ("has been", "have been"):
        return f"Why {verb.split()[0]} {subject} been {rest}?"
    return f"Why {verb} {subject} {rest}?"


def _heading(chunk: Chunk) -> str:
    """The passage's own heading, else its note's title."""
    for part in reversed(chunk.section.split(SECTION_SEP)):
        heading = re.sub(r"^\W*\d+\s*[/.)]\s*", "", part).strip()
        if heading.lower() not in _GENERIC_HEADINGS:
            return heading
    return chunk.title


def _lower_first(text: str, lower: frozenset[str]) -> str:
    """ "Members are" → "members": a first word the notes also write in lower case, or a stop
    word ("The"); "European funding", "Peer Learning webinars", "IT tool" are kept."""
    first, _, after = text.partition(" ")
    if after[:1].isupper() or not first[1:].islower():
        return text
    if first.lower() in lower or first.lower() in stopwords():
        return first.lower() + (f" {after}" if after else "")
    return text


_LOWER: weakref.WeakKeyDictionary[Index, frozenset[str]] = weakref.WeakKeyDictionary()
