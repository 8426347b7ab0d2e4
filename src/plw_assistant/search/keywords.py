"""What BM25 searches for a question: its words, with a glossary term the question writes out
in words the notes never use searched by its other forms instead."""

from __future__ import annotations

import re

from .analysis import Analysis


def keywords(analysis: Analysis, query: str) -> str:
    """``query`` for BM25: the abbreviations of what it writes out added (``expand``), and a
    written-out form the notes never use left out: word by word it matches other passages
    ("European Strategic Cluster Partnerships for excellence": "strategic" and "European" in a
    lesson on funding), where "ESCP-4x" matches what it means. A form the notes also write
    ("peer learning webinars") stays: its words are the notes' own."""
    expanded = analysis.expand(query)
    added = expanded[len(query) :]
    if not added or not analysis.unwritten:
        return expanded
    text = query
    for form in sorted(analysis.unwritten, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(form)}(?![\w-])", " ", text, flags=re.I)
    return f"{' '.join(text.split())}{added}"
