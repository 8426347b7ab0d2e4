"""Plain-text helpers every layer shares: Markdown passages as one line, sentence spans."""

from __future__ import annotations

import re

SECTION_SEP = " › "
LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+", re.M)
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
# Lone surrogates (not encodable), C0/C1 controls but tab and newline, and the bidirectional
# controls that can make text read differently from what it says.
_UNSAFE = re.compile(
    "[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def clean_text(text: str) -> str:
    """``text`` safe for the model, the tokenizer, SQLite and the page: lone surrogates and
    control or bidi characters become spaces (tab, newline and carriage return stay)."""
    return _UNSAFE.sub(" ", text) if _UNSAFE.search(text) else text


def plain_text(text: str) -> str:
    """Join a Markdown passage into one line: sub-items become a ``;``-separated list."""
    head: list[str] = []
    items: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if LIST_MARKER.match(raw) and (head or items):
            items.append(LIST_MARKER.sub("", raw).strip())
        elif items:
            items[-1] += " " + line
        else:
            head.append(line)
    out = " ".join(head)
    if items:
        out = f"{out.rstrip(':')}: {'; '.join(items)}" if out else "; ".join(items)
    out = _LINK.sub(r"\1", out)
    return out.replace("**", "").replace("__", "")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences (and list sub-items) of a passage, relative to ``text``."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start, end = trim(text, line.start(), line.end(), strip_marker=True)
        for cut in SENTENCE_END.finditer(text, start, end):
            stop = cut.start() + len(cut.group(0).rstrip())
            if stop > start:
                spans.append((start, stop))
            start = cut.end()
        if end > start:
            spans.append((start, end))
    return spans


def trim(text: str, s: int, e: int, strip_marker: bool) -> tuple[int, int]:
    """``(s, e)`` without surrounding white space (and a list marker, if asked)."""
    while e > s and text[e - 1].isspace():
        e -= 1
    if strip_marker:
        marker = LIST_MARKER.match(text, s, e)
        if marker:
            s = marker.end()
    while s < e and text[s].isspace():
        s += 1
    return s, e


def shared_words(a: str, b: str) -> float:
    """How many of their words two texts share (Jaccard of lower-case word sets, 0 to 1)."""
    wa, wb = set(re.findall(r"\w+", a.lower())), set(re.findall(r"\w+", b.lower()))
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0
