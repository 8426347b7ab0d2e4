"""Language honesty: a question the model cannot read is told so, not "no lesson covers it".

The decline is written in the question's language for the languages of the cluster network
(then in English too) and ends with an English example close to what was asked."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from .examples import example_for

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

# The decline in the question's own language (other languages get the English text only).
DECLINES = {
    "fr": "Cette question semble être en français. Les notes et l’assistant fonctionnent en "
    "anglais : merci de reformuler la question en anglais.",
    "de": "Diese Frage scheint auf Deutsch gestellt zu sein. Die Notizen und der Assistent "
    "arbeiten auf Englisch: Bitte stellen Sie Ihre Frage noch einmal auf Englisch.",
    "es": "Esta pregunta parece estar en español. Las notas y el asistente funcionan en "
    "inglés: por favor, reformule la pregunta en inglés.",
    "it": "Questa domanda sembra scritta in italiano. Le note e l’assistente funzionano in "
    "inglese: per favore, riformuli la domanda in inglese.",
    "nl": "Deze vraag lijkt in het Nederlands te zijn gesteld. De notities en de assistent "
    "werken in het Engels: stel de vraag alstublieft opnieuw in het Engels.",
    "pl": "Wygląda na to, że to pytanie jest po polsku. Notatki i asystent działają w języku "
    "angielskim, dlatego prosimy zadać pytanie ponownie po angielsku.",
    "pt": "Esta pergunta parece estar em português. As notas e o assistente funcionam em "
    "inglês: por favor, reformule a pergunta em inglês.",
}


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


def ask_in_english(language: str, question: str = "") -> str:
    """The decline: in ``language`` when it is one of the network's, then in English, with an
    English example close to ``question``."""
    name = NAMES.get(language, "another language")
    english = (
        f"This question looks like {name}. The notes are in English and the model reads "
        f"English questions; please ask in English, e.g. “{example_for(question)}”"
    )
    own = DECLINES.get(language)
    return f"{own} {english}" if own else english
