"""Typos: the words a mistyped word may have meant, and the closest of them."""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from functools import lru_cache

from ..words import lexicon

# A name as the notes write one: letters and a digit ("RECIPE4Mobility", "CE4BIG"), or four
# or more capitals ("GSSC"), at least four characters long.
NAME = re.compile(
    r"(?<![\w-])(?=[\w-]{4,})"
    r"(?:[A-Za-z-]*\d[\w-]*[A-Za-z][\w-]*|[A-Za-z][\w-]*\d[\w-]*|[A-Z]{4,}[\w-]*)(?![\w-])"
)


def names_in(texts: Iterable[str]) -> dict[str, str]:
    """The names the texts write, by their lower-case form (not English words in capitals:
    "PREPARING")."""
    english = lexicon()
    return {
        m.group(0).lower(): m.group(0)
        for text in texts
        for m in NAME.finditer(text)
        if m.group(0).lower() not in english
    }


# A candidate this many times as frequent in English as the one keeping the typed letters is
# what was meant.
FAR_LIKELIER = 20
# Edits allowed towards a known word: one for words of up to 5 letters, else two.
SHORT_WORD = 5


class Candidates:
    """Words a typo may be corrected to, most likely first, kept by length: a word within
    two edits of another is at most two letters longer or shorter."""

    def __init__(self, words: list[str]) -> None:
        self.rank = {w: i for i, w in enumerate(words)}
        self.by_length: dict[int, list[str]] = {}
        for w in words:
            self.by_length.setdefault(len(w), []).append(w)

    def near(self, length: int, edits: int) -> list[str]:
        return [
            w for n in range(length - edits, length + edits + 1) for w in self.by_length.get(n, [])
        ]


def closest(word: str, candidates: Candidates, edits: int | None = None) -> str | None:
    """The candidate within the fewest edits of ``word``; among equals the one sharing most
    of its letters in order ("wich": "which" rather than "with"), then the most likely;
    ``None`` when none is within the allowed edits."""
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import OSA

    allowed = edits if edits is not None else (1 if len(word) <= SHORT_WORD else 2)
    near = candidates.near(len(word), allowed)
    found = process.extract(word, near, scorer=OSA.distance, score_cutoff=allowed, limit=20)
    if not found:
        return None
    best = min(d for _, d, _ in found)
    equal = [c for c, d, _ in found if d == best]
    chosen = min(equal, key=lambda c: (-fuzz.ratio(word, c), candidates.rank[c]))
    # … unless another is far more likely ("besed": "based", not "bested", though "bested"
    # keeps every letter typed; "wich" stays "which": "with" is only ten times as common).
    counts = lexicon()
    likelier = max(equal, key=lambda c: counts.get(c, 0))
    if counts.get(likelier, 0) >= FAR_LIKELIER * max(counts.get(chosen, 0), 1):
        return likelier
    return chosen


_COMMON_MIN = 1000  # occurrences in the lexicon's subtitles: a word, not a typo it records


@lru_cache(maxsize=1)
def common_english() -> Candidates:
    """English words common enough to be what a typo meant, most frequent first."""
    words = lexicon()
    common = sorted((w for w, n in words.items() if n >= _COMMON_MIN), key=lambda w: -words[w])
    return Candidates(common)


def split_compound(word: str, knows: Callable[[str], bool]) -> str | None:
    """ "workplan" → "work plan": two English words, one of which the notes use (``knows``)."""
    words = lexicon()
    best: tuple[int, str] | None = None
    for i in range(3, len(word) - 2):
        a, b = word[:i], word[i:]
        if a in words and b in words and (knows(a) or knows(b)):
            score = min(words[a], words[b])
            if best is None or score > best[0]:
                best = (score, f"{a} {b}")
    return best[1] if best else None


def letter_restored(word: str) -> str | None:
    """A short word typed without one of its letters ("mny" → "many", "wht" → "what"): the most
    frequent common English word one inserted letter makes, or ``None``. Only insertions: a
    changed letter ("mny" → "any") or one too many ("mny" → "my") is another word."""
    words = lexicon()
    made = {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in string.ascii_lowercase}
    common = [w for w in made if words.get(w, 0) >= _COMMON_MIN]
    return max(common, key=lambda w: words[w]) if common else None


def own_words(texts: Iterable[str], shortest: int) -> set[str]:
    """The words of letters alone in ``texts``, lower-cased, at least ``shortest`` long (long
    enough to be mistyped)."""
    return {w for text in texts for w in re.findall(rf"[^\W\d_]{{{shortest},}}", text.lower())}


def greets(text: str, word: re.Match[str]) -> bool:
    """Whether ``word`` opens ``text`` on its own before a comma ("Hola, I got an email …"): a
    greeting or a word said before the question, in any language; no typo to correct."""
    return not text[: word.start()].strip() and text[word.end() : word.end() + 1] == ","
