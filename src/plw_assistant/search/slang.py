"""Chat shorthand spelt out ("tbh" → "to be honest", "abt" → "about", "ppl" → "people",
"whats" → "what is"): left as typed, the model reads such a word poorly and the rare-word
check takes it for a subject the notes never mention ("tbh our plans keep changing, did the
webinars say anything abt that?" was declined). The list is the `contractions` package's
slang and contractions written without an apostrophe, with the few fillers it lacks."""

from __future__ import annotations

from collections.abc import Callable

import contractions

from ..words import is_english

# What the package's list lacks: fillers that say nothing ("lol") and a few common forms.
_MORE = {
    "lol": "",
    "lmao": "",
    "pls": "please",
    "plz": "please",
    "imo": "in my opinion",
    "imho": "in my opinion",
    "cuz": "because",
    "kinda": "kind of",
    "sorta": "sort of",
    "fyi": "for your information",
}


def spelt_out(word: str, known: Callable[[str], bool]) -> str | None:
    """What a lower-case word typed as chat shorthand stands for ("" for a filler), or
    ``None``: it is no shorthand, or a word of the notes (``known``) or of English ("shell"
    is no "she'll")."""
    if word in _MORE:
        return _MORE[word]
    if is_english(word) or known(word):
        return None
    full = contractions.fix(word, slang=True).lower()
    return full if full != word else None
