"""How a question uses the glossary's terms: an abbreviation as written, other forms by their
stems; and the question with the other forms of those it uses, for the model or for BM25."""

from __future__ import annotations

import re
from functools import lru_cache

from ..domain import Glossary, Term
from ..words import lexicon, tokenize

# An abbreviation as written ("PO", "SMEs", "ESCP-4x"): matched with its case; "PLW#3" and
# "PLW 3" name a webinar and are left alone.
ABBREVIATION = re.compile(r"^[A-Z][A-Z0-9-]*[a-z0-9]?$")
# An abbreviation typed in lower case ("eu funding", "our po") is still the abbreviation
# unless English uses it as a word this often (the word list's count: "it", "us").
LOWER_CASE_WORD = 10_000


def expand(
    terms: tuple[Term, ...],
    unwritten: tuple[str, ...],
    written: frozenset[str],
    query: str,
    model: bool,
) -> str:
    """``query`` with other forms of the glossary terms it uses: for the ``model``, which
    reads words better than abbreviations, what its abbreviations stand for ("PO" →
    "project officer"); for BM25, the abbreviations of what it writes out ("project
    officer" → "PO"), which are distinctive where the written-out words are not, and the
    one-word meanings of the abbreviations it uses ("EU" → "European"; a phrase would match
    word by word: "project officer" finds "projects"). A form the
    notes never write, or no word list holds (``unwritten``: "comms", "income"), brings the
    term's other forms that the notes do write (``written``) for both ("communication",
    "revenues", "longer perspective"): forms they would not find are only noise, and a
    written phrase is safe word by word, as all its words are in one passage."""
    stems = tokenize([query])[0]
    extra: list[str] = []
    for term in terms:
        # The model reads "eu" or "covid" typed in lower case as the words they are.
        used = [f for f in term.forms if uses(query, stems, f, lower=not model)]
        if not used:
            continue
        short = [f for f in term.forms if ABBREVIATION.match(f)]
        words = [f for f in term.forms if not ABBREVIATION.match(f)]
        if all(f in unwritten for f in used):  # "comms": the notes say it otherwise
            extra += [f for f in words if f not in used and f in written]
        if model and words and all(f in short for f in used):
            extra.append(words[0])
        elif not model:
            extra += [f for f in short if f not in used]
            if used and all(f in short for f in used):  # "EU" also finds "European"
                extra += [f for f in words if " " not in f]
    # A form adding no word of its own ("COVID-19" to "covid") would count a word twice.
    known = set(stems)
    extra = [f for f in dict.fromkeys(extra) if _new_words(f) - known]
    return f"{query} ({'; '.join(extra)})" if extra else query


def _new_words(form: str) -> set[str]:
    return {w for w in tokenize([form])[0] if not w.isdigit()}


def uses(text: str, stems: list[str], form: str, lower: bool = True) -> bool:
    """Whether ``text`` uses ``form``: an abbreviation as written (with a plural "s"; if
    ``lower``, also in lower case when English has no such word), other words by their
    stems, in order."""
    pattern, wanted = _form(form, lower)
    if pattern is not None:
        return pattern.search(text) is not None
    n = len(wanted)
    if n > 1:  # "go a bit quiet", "keep fully in touch": a word of degree between the form's words
        stems = [w for w in stems if w not in _DEGREE]
    return n > 0 and any(stems[i : i + n] == wanted for i in range(len(stems) - n + 1))


# Words of degree that may stand inside a phrase without changing what it says.
_DEGREE = frozenset(
    tokenize(["bit little completely totally fully entirely really very quite rather somewhat"])[0]
)


@lru_cache(maxsize=4096)
def _form(form: str, lower: bool = True) -> tuple[re.Pattern[str] | None, list[str]]:
    """How a glossary form is found in a question: an abbreviation by a pattern, other words by
    their stems (worked out once per form, not per question)."""
    if ABBREVIATION.match(form):
        written = re.escape(form)
        if lower and lexicon().get(form.lower(), 0) < LOWER_CASE_WORD:
            written = f"(?:{written}|{re.escape(form.lower())})"
        return re.compile(rf"(?<![\w-]){written}s?(?![\w#-]|\s*\d)"), []
    return None, tokenize([form])[0]


@lru_cache(maxsize=256)  # a search reads its passages up to three times (whole, focus, BM25's)
def glossing(terms: tuple[Term, ...], question: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """How passages are read in ``question``'s words: each abbreviation of a term the question
    writes out (and does not write itself), with the words it writes instead. The model
    reads "Discussion with the PO" as nothing like "our project officer", though the glossary
    says they are the same."""
    stems = tokenize([question])[0]
    rules: list[tuple[re.Pattern[str], str]] = []
    for term in terms:
        written = [f for f in term.forms if not ABBREVIATION.match(f) and uses(question, stems, f)]
        if not written:
            continue
        for form in term.forms:
            pattern = _form(form)[0]
            if pattern is not None and not uses(question, stems, form):
                rules.append((pattern, written[0]))
    return tuple(rules)


def glossed(terms: tuple[Term, ...], question: str, passage: str) -> str | None:
    """``passage`` in ``question``'s words for the glossary's terms (``glossing``); ``None``:
    nothing to change."""
    return reread(glossing(terms, question), passage)


def reread(rules: tuple[tuple[re.Pattern[str], str], ...], passage: str) -> str | None:
    """``passage`` with ``rules`` (``glossing``) applied; ``None``: nothing to change."""
    out = passage
    for pattern, words in rules:
        out = pattern.sub(words, out)
    return out if out != passage else None


def glossary_terms(glossary: Glossary, abbreviations: dict[str, str]) -> tuple[Term, ...]:
    """The glossary's terms, and the abbreviations the notes define that it does not list."""
    listed = {f.lower() for t in glossary.terms for f in t.forms}
    defined = tuple(
        Term(short, (long,)) for short, long in abbreviations.items() if short.lower() not in listed
    )
    return (*glossary.terms, *defined)


@lru_cache(maxsize=8)
def last_stems(terms: tuple[Term, ...]) -> dict[str, frozenset[str]]:
    """For the stem of each form's last word, those of every form of the terms it ends a form
    of ("webinars" ends "peer learning webinars": "plw" too); worked out once per glossary."""
    out: dict[str, frozenset[str]] = {}
    for term in terms:
        lasts = frozenset(t for f in term.forms for t in tokenize([f])[0][-1:])
        for s in lasts:
            out[s] = out.get(s, frozenset()) | lasts
    return out
