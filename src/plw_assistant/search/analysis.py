"""Reading a question as a search engine does, once, against the notes of one index: typos
corrected towards the notes' own words, unfamiliar compounds split ("workplan"), the
glossary's equivalent forms added ("project officer" finds "PO"), and the question's rare
words sorted into names the notes know and words they never use."""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..domain import Term
from ..store.reader import Index
from ..words import is_compound, is_english, lexicon, stem, stopwords, tokenize
from .fillers import without_fillers
from .names import READ_WORDS, passage_texts
from .parts import ask_of
from .slang import spelt_out
from .terms import ABBREVIATION, expand, glossary_terms, last_stems, uses
from .typos import (
    NAME,
    Candidates,
    closest,
    common_english,
    greets,
    letter_restored,
    names_in,
    own_words,
    split_compound,
)

# A word this long or longer may be a typo; one letter shorter, only a letter left out.
MIN_TYPO = 4
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass(frozen=True)
class Correction:
    typed: str
    meant: str


@dataclass(frozen=True)
class Analysis:
    """A question as searched: corrected, with the glossary's equivalents, and its rare
    words ("Kubernetes": no passage has it; "RECIPE4Mobility": a name the notes know)."""

    text: str  # as asked
    searched: str  # with typos corrected and compounds split; what the plan reads
    corrections: tuple[Correction, ...] = ()
    terms: tuple[Term, ...] = ()  # the glossary, to expand what is searched
    unknown_terms: tuple[str, ...] = ()
    named_terms: tuple[str, ...] = ()
    ask: str = ""  # the question itself, when context comes before it ("We are … What …?")
    # Glossary forms it uses that the notes never write, or a word no English word list
    # holds ("comms"): searched by the term's other forms.
    unwritten: tuple[str, ...] = ()
    written: frozenset[str] = frozenset()  # the glossary's forms some passage holds

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)

    def same(self, word: str) -> set[str]:
        """The stems that mean ``word``: its own and the glossary's ("webinars" → "plw")."""
        own = stem(word)
        return {own, *last_stems(self.terms).get(own, ())}

    def is_written_term(self, text: str) -> bool:
        """Whether ``text`` is a glossary term's form, word for word, of a term the notes write
        ("longer term": they write "longer perspective")."""
        wanted = tokenize([text])[0]
        return bool(wanted) and any(
            any(tokenize([f])[0] == wanted for f in t.forms)
            and any(f in self.written for f in t.forms)
            for t in self.terms
        )

    def expand(self, query: str, model: bool = False) -> str:
        """``query`` with other forms of the glossary terms it uses (``terms.expand``)."""
        return expand(self.terms, self.unwritten, self.written, query, model)


class Analyzer:
    """The words one index knows (BM25's, its glossary's, its notes' abbreviations); built once."""

    def __init__(self, index: Index, abbreviations: dict[str, str]) -> None:
        self._index = weakref.ref(index)
        self.terms = glossary_terms(index.glossary, abbreviations)
        self._forms = {f.lower() for t in self.terms for f in t.forms}
        self._targets: Candidates | None = None
        self._names: dict[str, str] | None = None
        self._writes: dict[str, bool] = {}
        self._written: frozenset[str] | None = None
        self._name_targets = Candidates([])
        self._lock = threading.Lock()

    @classmethod
    def of(cls, index: Index, abbreviations: dict[str, str]) -> Analyzer:
        with _LOCK:
            known = _ANALYZERS.get(index)
            if known is None:
                known = cls(index, abbreviations)
                _ANALYZERS[index] = known
            return known

    def analyse(self, text: str, is_common_word: Callable[[str], bool]) -> Analysis:
        """Correct (shorthand, typos), split and expand ``text``; sort its rare words
        (``is_common_word``: the model reads its vocabulary's words well, whatever the notes)."""
        corrections: list[Correction] = []
        parts: list[str] = []
        end = 0
        for m in _WORD.finditer(text := self._names_fixed(text, corrections)):
            meant = None if greets(text, m) else self._meant(m.group(0), is_common_word)
            if meant is not None:
                corrections.append(Correction(m.group(0), meant))
                parts += [text[end : m.start()], meant]
                end = m.end()
        searched = without_fillers("".join(parts) + text[end:] if corrections else text)
        unknown, named = self._rare(searched, is_common_word)
        stems = tokenize([searched])[0]
        unwritten = tuple(
            f
            for t in self.terms
            for f in t.forms
            if not ABBREVIATION.match(f)
            and uses(searched, stems, f)
            and not (self.writes(f) and (" " in f or is_english(f)))
        )
        return Analysis(
            text,
            searched,
            tuple(corrections),
            self.terms,
            unknown,
            named,
            ask_of(searched),
            unwritten,
            self.written(),
        )

    def written(self) -> frozenset[str]:
        """The glossary's forms that some passage holds (``writes``), worked out on first need:
        a phrase, an English word or the term itself (the notes' own word, listed first); a
        short form no word list holds ("comms") is no word of theirs, whatever a stem matches
        (".comm" in an e-mail address)."""
        with self._lock:
            if self._written is None:
                self._written = frozenset(
                    f
                    for t in self.terms
                    for f in t.forms
                    if self.writes(f) and (" " in f or f == t.term or is_english(f))
                )
            return self._written

    def distinctive(self, text: str) -> bool:
        """Whether ``text`` holds a word only a few passages hold (``held_by_few``): "… line
        things up with what the others are doing" does, "What did the wrap-up conclude?" not."""
        index = self._index()
        return index is None or any(held_by_few(index, w) for w in tokenize([text])[0])

    def writes(self, form: str) -> bool:
        """Whether some passage holds every word of a glossary form ("peer learning webinars":
        yes; "European Strategic Cluster Partnerships": no passage has all four words, though
        each is in one)."""
        index = self._index()
        words = tokenize([form])[0]
        if index is None or not words:
            return True
        found = self._writes.get(form)
        if found is None:
            if " " in form and len(set(words)) < 2:
                # One word of its own ("face to face"): written only as a phrase ("faced" is not)
                phrase = re.compile(rf"(?<!\w){re.escape(form)}(?!\w)", re.IGNORECASE)
                found = any(phrase.search(c.text) for c in index.chunks)
            else:
                rows = np.logical_and.reduce([index.lexical.scores(w) > 0 for w in words])
                found = bool(np.any(rows))
            self._writes[form] = found
        return found

    def knows(self, word: str) -> bool:
        """Whether a lower-case word, or its stem, occurs in the notes or the glossary."""
        index = self._index()
        return word in self._forms or (
            index is not None and any(index.lexical.knows(t) for t in tokenize([word])[0])
        )

    def _meant(self, word: str, is_common_word: Callable[[str], bool]) -> str | None:
        """What a misspelt, run-together or chat-shorthand word stands for, or ``None``."""
        lower = word.lower()
        if (spelt := spelt_out(lower, self.knows)) is not None:
            return spelt  # "tbh", "abt", "ppl"
        if len(lower) == MIN_TYPO - 1 and word.islower() and not self._read(lower, is_common_word):
            return letter_restored(lower)  # "how mny …?": a short word, a letter left out
        if (
            len(lower) < MIN_TYPO
            or not word[1:].islower()  # "ESCP", "SmartCTClusters": names, as written
            or self._read(lower, is_common_word)
        ):
            return None
        # One slip from a word the notes use ("partnersips") before two words run together.
        found = closest(lower, self.targets(), edits=1) or split_compound(lower, self.knows)
        found = found or closest(lower, self.targets()) or closest(lower, common_english(), edits=1)
        if found is None:
            return None
        return found.capitalize() if word[0].isupper() else found

    def _read(self, lower: str, is_common_word: Callable[[str], bool]) -> bool:
        """Whether a lower-case word is read as typed (English, the notes', the model's)."""
        english = lower in stopwords() or is_english(lower)
        return english or self.knows(lower) or is_common_word(lower)

    def _names_fixed(self, text: str, corrections: list[Correction]) -> str:
        """``text`` with a mistyped name the notes hold spelt as they do ("RECIPE4Mobilty":
        "RECIPE4Mobility"); each correction added to ``corrections``."""

        def fix(m: re.Match[str]) -> str:
            typed = m.group(0)
            if self.knows(typed.lower()):
                return typed
            meant = self.names().get(closest(typed.lower(), self._name_targets) or "")
            if meant is None:
                return typed
            corrections.append(Correction(typed, meant))
            return meant

        if not self.names():
            return text
        return NAME.sub(fix, text)

    def names(self) -> dict[str, str]:
        """The notes' names (with a digit, or capitals inside: "RECIPE4Mobility", "CLAMTEX")
        by their lower-case form; read on first need."""
        with self._lock:
            if self._names is None:
                index = self._index()
                self._names = names_in(passage_texts(index)) if index is not None else {}
                self._name_targets = Candidates(sorted(self._names))
            return self._names

    def targets(self) -> Candidates:
        """What a typo may be corrected to: the words the question reader understands by
        themselves (ordinals, "webinar"), English words whose stem the notes hold, most
        frequent first, then the notes' own words no word list has ("digitalization").
        Built on first need (a quarter of a second for the lexicon, one pass over the
        passages' text)."""
        with self._lock:
            if self._targets is None:
                index = self._index()
                words = lexicon()
                known = (
                    [w for w in words if len(w) >= MIN_TYPO and index.lexical.knows(stem(w))]
                    if index is not None
                    else []
                )
                own = own_words(passage_texts(index), MIN_TYPO) if index is not None else set()
                ranked = [*READ_WORDS, *sorted(known, key=lambda w: -words[w])]
                ranked += sorted(own - words.keys())
                self._targets = Candidates(list(dict.fromkeys(ranked)))
            return self._targets

    def _rare(
        self, text: str, is_common_word: Callable[[str], bool]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The question's rare words (not common words of the model's vocabulary), split into
        those no passage holds and those the notes do hold."""
        unknown: list[str] = []
        named: list[str] = []
        written = set(re.findall(r"[^\W_]{2,}", text))
        for word in dict.fromkeys(re.findall(r"[^\W_]{2,}", text.lower())):
            if not tokenize([word])[0] or is_common_word(word) or word.isdigit():
                continue  # a number ("2022") names nothing: "the 2022 World Cup" is no PLW
            if self.knows(word):
                named.append(word)
            elif not is_english(word) and not (word in written and is_compound(word)):
                # "Kubernetes", "Salesforce"; an English word ("lockdown": two written as one,
                # in lower case) is no subject's name.
                unknown.append(word)
        return tuple(unknown), tuple(named)


# A word in at most this share of the passages sets them apart.
DISTINCTIVE = 0.15


def held_by_few(index: Index, stem: str) -> bool:
    """Whether a tokenized word is in some passages, at most ``DISTINCTIVE`` of them (or two)."""
    return 0 < int(np.count_nonzero(index.lexical.scores(stem))) <= max(2, DISTINCTIVE * index.size)


_ANALYZERS: weakref.WeakKeyDictionary[Index, Analyzer] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
