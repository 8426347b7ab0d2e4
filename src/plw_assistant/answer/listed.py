"""Names the notes give only in a list: "What did CLAMTEX present?" is not answered by the list
of partnerships that names it (the notes hold nothing else on CLAMTEX), and "Which
consultancies …?" is not answered by a list of partnerships (the notes name no consultancy)."""

from __future__ import annotations

import re

import numpy as np

from ..search.expects import asks_names
from ..search.names import Vocabulary, passage_texts
from ..search.retriever import Retrieval
from ..search.typos import NAME
from ..words import tokenize

# Asking whether or how a name took part: the list that names it answers that.
_PARTICIPATION = re.compile(
    r"\b(?:take|takes|took|taking|part|participat\w*|invited|involved|attend\w*|join\w*"
    r"|represented|among|included|include|list\w*|one\s+of|organi[sz]\w*)\b",
    re.I,
)


# Asking for whatever the notes hold on a name ("tell me about CLAMTEX"), not for a detail.
_TELL = frozenset(tokenize(["tell about know say says said notes info information anything"])[0])


def asked_names(retrieval: Retrieval) -> set[str]:
    """The names the question asks about that the notes hold ("RECIPE4Mobility"), lower-cased;
    a glossary term is no such name: it has other forms ("ESCP4x" is "ESCP-4x")."""
    analysis = retrieval.plan.analysis
    glossary = {f.lower() for t in analysis.terms for f in t.forms}
    named = {m.group(0).lower() for m in NAME.finditer(analysis.searched)}
    return (named & set(retrieval.named_terms)) - glossary


def only_listed(retrieval: Retrieval, question: str) -> str | None:
    """A name the question asks something about (not whether it took part) that every passage
    naming it gives only in a list of names, as written in the question; else ``None``."""
    index = retrieval.index
    if index is None or retrieval.plan.kind != "general" or _PARTICIPATION.search(question):
        return None
    listing = Vocabulary.of(index).holding("names")
    names = asked_names(retrieval)
    rest = set(tokenize([question])[0]) - set(tokenize([" ".join(names)])[0]) - _TELL
    if not rest:  # "RECIPE4Mobility", "tell me about CLAMTEX": what the notes hold on it
        return None
    for name in sorted(names):
        rows = np.flatnonzero(index.lexical.scores(name) > 0)
        if rows.size and listing[rows].all():
            m = re.search(rf"\b{re.escape(name)}\b", question, re.I)
            return m.group(0) if m else name
    return None


# "Which consultancies …?": the kind of thing whose names are asked for.
_WHICH_KIND = re.compile(r"^\s*(?:which|what)\s+(?:[\w-]+\s+){0,2}?(?P<kind>[a-z-]+s)\b", re.I)


_WHICH = re.compile(r"\s*which\b", re.I)


def unnamed(retrieval: Retrieval, question: str) -> str | None:
    """The kind of thing "Which consultancies did …?" asks the names of, when no passage
    naming several things says they are of that kind (in any of the glossary's forms); else
    ``None``. Whether they took part is what any list of participants answers."""
    index, plan = retrieval.index, retrieval.plan
    m = _WHICH_KIND.search(question)
    # A search for names that found no list of names gives way to a plain one; "Which
    # consultancies …?" still asks for names ("What ways are there …?" may not).
    asked = plan.expects == "names" or (
        plan.kind == "general" and _WHICH.match(question) is not None and asks_names(question)
    )
    if index is None or not asked or m is None or _PARTICIPATION.search(question):
        return None
    kind = m.group("kind")
    stems = plan.analysis.same(kind.lower())
    listing = Vocabulary.of(index).holding("names")
    texts = (t for t, listed in zip(passage_texts(index), listing, strict=True) if listed)
    return None if any(stems & set(tokenize([t])[0]) for t in texts) else kind
