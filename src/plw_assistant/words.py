"""Words as every layer reads them: one spelling where British and American English differ,
no stop words, Snowball stems; and the English lexicon that tells a word anyone knows from a
typo or a rare name. BM25 (passages and questions), the webinar vocabulary, the rare-word
check and the lessons filter all read words through ``tokenize``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

# Recorded in the manifest: changing any of these means the BM25 part must be rebuilt.
BM25_PARAMS = {
    "k1": 0.9,
    "b": 0.4,
    "method": "lucene",
    "stemmer": "english",
    "stopwords": "en_plus",  # NLTK's list: drops question words ("which", "how", "should")
    "spelling": "american-2",  # British spellings as American: breame, -isation, unknown -ise
}

WORDS = re.compile(r"(?u)\b\w\w+\b").findall  # bm25s's (and scikit-learn's) token pattern
# "-isation" is always the British form of "-ization"; breame's list covers the rest, word
# by word. "-ise" is read as "-ize" only in a word no word list knows ("digitalise"): a rule
# for every "-ise" would also turn "rise" or "expertise" into non-words.
_ISATION = re.compile(r"^(\w{3,})isation(s?)$")
_ISE = re.compile(r"^(\w{4,})is(e|es|ed|ing|er|ers)$")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer(BM25_PARAMS["stemmer"])


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS)


@lru_cache(maxsize=200_000)
def american(word: str) -> str:
    """The American spelling of a lower-case word spelt differently in British English
    ("organisation" → "organization", "programme" → "program"), else the word itself."""
    from breame.spelling import get_american_spelling

    spelt = get_american_spelling(word)
    if spelt != word:
        return str(spelt)
    match = _ISATION.match(word)
    if match:
        return f"{match.group(1)}ization{match.group(2)}"
    match = _ISE.match(word)
    if match and word not in lexicon():
        return f"{match.group(1)}iz{match.group(2)}"
    return word


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased, stop-word-free, American-spelt, stemmed word lists: what BM25 indexes
    and searches. Done here rather than by ``bm25s.tokenize``, whose per-call progress bar and
    vocabulary set-up cost more than the words themselves on the short texts of a request."""
    stop, stem = stopwords(), _stemmer().stemWords
    return [stem([american(w) for w in WORDS(text.lower()) if w not in stop]) for text in texts]


def stem(word: str) -> str:
    """The stem ``tokenize`` gives a single lower-case word (stop words included)."""
    return str(_stemmer().stemWord(american(word)))


@lru_cache(maxsize=1)
def lexicon() -> dict[str, int]:
    """English words with their frequency (pyspellchecker's list, from subtitles): a word in
    it is no typo and no rare name, whatever the notes say."""
    from spellchecker import SpellChecker

    frequency = SpellChecker().word_frequency
    return {word: int(count) for word, count in frequency.items()}


def is_compound(word: str) -> bool:
    """Whether a lower-case word is two common English words written as one ("lockdown",
    "icebreaker"): English newer than the word list, not a name."""
    words = lexicon()
    return any(
        min(words.get(word[:i], 0), words.get(word[i:], 0)) >= COMPOUND_PART
        for i in range(3, len(word) - 2)
    )


# Each part of a compound is at least this frequent in the word list ("lock", "down").
COMPOUND_PART = 1000


def is_english(word: str) -> bool:
    """Whether a lower-case word is an English word in either spelling."""
    words = lexicon()
    return word in words or american(word) in words
