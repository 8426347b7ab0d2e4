"""A name the notes give only in a list of names: "What did CLAMTEX present?" is not answered
by the list of partnerships that names it; the notes hold nothing else on CLAMTEX."""

from __future__ import annotations

import re

import numpy as np

from ..search.names import Vocabulary
from ..search.retriever import Retrieval
from ..search.typos import NAME

# Asking whether or how a name took part: the list that names it answers that.
_PARTICIPATION = re.compile(
    r"\b(?:take|takes|took|taking|part|participat\w*|invited|involved|attend\w*|join\w*"
    r"|represented|among|included|include|list\w*|one\s+of|organi[sz]\w*)\b",
    re.I,
)


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
    for name in sorted(asked_names(retrieval)):
        rows = np.flatnonzero(index.lexical.scores(name) > 0)
        if rows.size and listing[rows].all():
            m = re.search(rf"\b{re.escape(name)}\b", question, re.I)
            return m.group(0) if m else name
    return None
