"""What BM25 searches for a question: its words, with a glossary term the question writes out
in words the notes never use searched by its other forms instead, and without the examples it
gives."""

from __future__ import annotations

import re

from ..words import tokenize
from .analysis import Analysis
from .terms import ABBREVIATION

# An example the question gives ("… in difficult periods, such as the pandemic?"): it shows
# what is meant; its words ("pandemic": "COVID crisis") are not what is asked about.
_EXAMPLE = re.compile(
    r"\b(?:such\s+as|for\s+example|for\s+instance|e\.\s?g\.)[,\s]+[^,;:.?!()]*", re.I
)


def without_examples(query: str) -> str:
    """``query`` without the examples it gives, unless nothing else would be left."""
    rest = _EXAMPLE.sub(" ", query)
    return " ".join(rest.split()) if tokenize([rest])[0] else query


def keywords(analysis: Analysis, query: str) -> str:
    """``query`` for BM25: the abbreviations of what it writes out added (``expand``), and a
    written-out form the notes never use left out: word by word it matches other passages
    ("European Strategic Cluster Partnerships": "strategic" and "European" in a lesson on
    funding), where "ESCP" matches what it means. A form the notes also write ("peer learning
    webinars") stays: its words are the notes' own. A form left out brings its term's
    abbreviations and the forms the notes write ("keeping in touch":
    "communication"), and its words no other term's forms ("European" in it is not the EU's)."""
    query = without_examples(query)
    phrases = [f for f in analysis.unwritten if " " in f]  # a word ("comms") is expanded
    if not phrases:
        return analysis.expand(query)
    text, gone = query, set()
    for form in sorted(phrases, key=len, reverse=True):
        shorter = re.sub(rf"(?<![\w-]){re.escape(form)}(?![\w-])", " ", text, flags=re.I)
        if shorter != text:
            gone.add(form)
        text = shorter
    text = " ".join(text.split())
    kept = analysis.expand(text)[len(text) :].strip(" ()").split("; ")
    own = [
        f
        for t in analysis.terms
        if gone & set(t.forms)
        for f in t.forms
        if ABBREVIATION.match(f) or f in analysis.written
    ]
    extra = list(dict.fromkeys(f for f in [*kept, *own] if f))
    return f"{text} ({'; '.join(extra)})" if extra else text
