"""Language honesty: questions in other languages are told to ask in English."""

from __future__ import annotations

import pytest

from plw_assistant.answer.language import ask_in_english, foreign_language
from plw_assistant.assistant import Assistant
from plw_assistant.config import Settings
from plw_assistant.domain import Question


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Quels sujets ont été abordés lors du PLW#3 ?", "fr"),
        ("Wer hat die Peer-Learning-Webinare organisiert?", "de"),
        ("Quali partenariati hanno partecipato ai webinar?", "it"),
        ("¿Cuándo se celebraron los webinars de aprendizaje entre pares?", "es"),
    ],
)
def test_other_languages_are_recognised(question: str, language: str) -> None:
    assert foreign_language(question) == language


@pytest.mark.parametrize(
    "question",
    [
        "How can clusters support their members with EU funding?",
        "Did RECIPE4Mobility take part?",
        "plw3 topics",
        "and PLW#2?",
        "and for SMEs?",
        "key lessons learnt for cluster organisations",
    ],
)
def test_english_and_short_questions_are_answered(question: str) -> None:
    assert foreign_language(question) is None


def test_the_assistant_says_to_ask_in_english(assistant: Assistant) -> None:
    answer = assistant.ask(Question("Comment aider nos membres à monter des projets européens ?"))
    assert answer.abstained and answer.citations == [] and answer.language == "fr"
    assert answer.answer == ask_in_english("fr") and "No lesson" not in answer.answer


def test_the_page_says_why(client) -> None:
    r = client.get("/", params={"q": "Wer hat die Peer-Learning-Webinare organisiert?"})
    assert r.status_code == 200 and "Please ask in English" in r.text
    assert "No matching lesson" not in r.text and r.context["answer"].language == "de"


def test_a_multilingual_model_is_simply_asked(settings: Settings, embedder) -> None:
    multilingual = settings.model_copy(update={"multilingual": True})
    answer = Assistant(multilingual, embedder).ask(Question("Qui a écrit le wrap-up du BLUES ?"))
    assert "ask in English" not in answer.answer
    assert Settings(model="paraphrase-multilingual-MiniLM-L12-v2").reads_any_language
    assert not Settings().reads_any_language
