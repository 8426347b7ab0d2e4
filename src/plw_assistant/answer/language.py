"""Language honesty: a question the model cannot read is told so, not "no lesson covers it"."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

# Languages told apart; a question is refused only when it is confidently one of the others.
LANGUAGES = ["en", "fr", "de", "it", "es", "nl", "pt", "pl", "sv", "da", "fi", "ro", "cs", "el"]
NAMES = {
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "es": "Spanish",
    "nl": "Dutch",
    "pt": "Portuguese",
    "pl": "Polish",
    "sv": "Swedish",
    "da": "Danish",
    "fi": "Finnish",
    "ro": "Romanian",
    "cs": "Czech",
    "el": "Greek",
}
CONFIDENT = 0.8
MIN_WORDS = 3  # "plw3 topics" or "and PLW#2?" are too short to tell
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(LANGUAGES)
    return identifier


def foreign_language(question: str) -> str | None:
    """The language of ``question`` if it is confidently not English, else ``None``."""
    if len(re.findall(r"[^\W\d_]{2,}", question)) < MIN_WORDS:
        return None
    with _LOCK:
        language, probability = _identifier().classify(question)
    if language == "en" or probability < CONFIDENT:
        return None
    return str(language)


def ask_in_english(language: str) -> str:
    name = NAMES.get(language, "another language")
    return (
        f"This question looks like {name}. The notes are in English and the model reads "
        "English questions; please ask in English, e.g. “How can clusters support their "
        "members with EU funding?”"
    )
