"""Language honesty: questions in other languages are told to ask in English."""

from __future__ import annotations

import pytest

from plw_assistant.answer.examples import DEFAULT_EXAMPLE, EXAMPLES, example_for
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
    question = "Comment aider nos membres à monter des projets européens ?"
    answer = assistant.ask(Question(question))
    assert answer.abstained and answer.citations == [] and answer.language == "fr"
    assert answer.answer == ask_in_english("fr", question) and "No lesson" not in answer.answer
    assert answer.answer.startswith("Cette question semble être en français.")
    assert "“How can clusters help their members build EU projects?”" in answer.answer


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


FUNDING = "How can clusters support their members with EU funding?"
PARTNERS = "How can clusters help their members find partners for EU projects?"
PLW3 = "What was discussed in PLW#3?"
USEFUL = "Are peer learning webinars useful for ESCP-4x partnerships?"
DIGITAL = "Can the digitalisation of cluster services replace traditional actions?"
SMES = "What role do clusters play for SMEs during the COVID crisis?"
REVENUES = "How can European funding help clusters diversify their revenues?"


@pytest.mark.parametrize(
    ("language", "question", "opening", "example"),
    [
        (
            "fr",
            "Comment les clusters peuvent-ils aider leurs membres à obtenir des financements "
            "européens ?",
            "Cette question semble être en français. Les notes et l’assistant fonctionnent en "
            "anglais : merci de reformuler la question en anglais.",
            FUNDING,
        ),
        (
            "de",
            "Wie können Cluster ihre Mitglieder bei der Partnersuche für EU-Projekte unterstützen?",
            "Diese Frage scheint auf Deutsch gestellt zu sein. Die Notizen und der Assistent "
            "arbeiten auf Englisch: Bitte stellen Sie Ihre Frage noch einmal auf Englisch.",
            PARTNERS,
        ),
        (
            "es",
            "¿Qué temas se trataron en el PLW#3?",
            "Esta pregunta parece estar en español. Las notas y el asistente funcionan en "
            "inglés: por favor, reformule la pregunta en inglés.",
            PLW3,
        ),
        (
            "it",
            "I webinar di apprendimento tra pari sono stati utili per i partenariati?",
            "Questa domanda sembra scritta in italiano. Le note e l’assistente funzionano in "
            "inglese: per favore, riformuli la domanda in inglese.",
            USEFUL,
        ),
        (
            "nl",
            "Hoe moeten clusters de digitalisering van hun diensten aanpakken?",
            "Deze vraag lijkt in het Nederlands te zijn gesteld. De notities en de assistent "
            "werken in het Engels: stel de vraag alstublieft opnieuw in het Engels.",
            DIGITAL,
        ),
        (
            "pl",
            "Jaką rolę odgrywają klastry dla MŚP w czasie kryzysu COVID?",
            "Wygląda na to, że to pytanie jest po polsku. Notatki i asystent działają w języku "
            "angielskim, dlatego prosimy zadać pytanie ponownie po angielsku.",
            SMES,
        ),
        (
            "pt",
            "Como é que o financiamento europeu pode ajudar os clusters a diversificar as suas "
            "receitas?",
            "Esta pergunta parece estar em português. As notas e o assistente funcionam em "
            "inglês: por favor, reformule a pergunta em inglês.",
            REVENUES,
        ),
    ],
)
def test_the_decline_is_in_the_question_language_with_a_close_example(
    language: str, question: str, opening: str, example: str
) -> None:
    assert foreign_language(question) == language
    reply = ask_in_english(language, question)
    assert reply.startswith(opening + " ")
    rest = reply.removeprefix(opening + " ")
    assert rest.startswith("This question looks like ") and "ask in English" in rest
    assert reply.endswith(f"e.g. “{example}”")


@pytest.mark.parametrize(
    ("question", "example"),
    [
        ("Comment trouver des partenaires pour un projet européen ?", PARTNERS),
        ("¿Cómo encontrar socios para proyectos europeos?", PARTNERS),
        ("Jak klastry mogą wspierać swoich członków w pozyskiwaniu funduszy unijnych?", FUNDING),
        ("Hoe kunnen clusters hun leden helpen met Europese financiering?", FUNDING),
        ("Wie kann man mit EU-Fördermitteln die Einnahmen diversifizieren?", REVENUES),
        ("Welche Rolle spielen Cluster für KMU in der Corona-Krise?", SMES),
        ("Les PME ont-elles souffert pendant la pandémie ?", SMES),
        ("Quels sujets ont été abordés lors du PLW#3 ?", PLW3),
        ("¿Qué se discutió en el tercer webinario?", PLW3),
        ("Wat werd er besproken in de derde sessie?", PLW3),
        ("Was wurde im fünften Webinar besprochen?", "What was discussed in PLW#5?"),
        ("Co omawiano podczas drugiego webinarium?", "What was discussed in PLW#2?"),
        ("Czy webinaria były przydatne?", USEFUL),
        (
            "Wie sollten Cluster in Krisenzeiten mit ihren Mitgliedern kommunizieren?",
            "How should clusters communicate with their members in difficult times?",
        ),
        (
            "Dlaczego partnerstwa powinny być elastyczne i dostosowywać swoje plany?",
            "Why should partnerships be flexible and adjust their plans?",
        ),
        (
            "Hoe kunnen ESCP-4x-projecten synergieën met elkaar vinden?",
            "How can ESCP-4x projects find synergies with each other?",
        ),
        (
            "Quali partenariati hanno partecipato ai webinar?",
            "Which partnerships took part in the Peer Learning Webinars?",
        ),
        ("Kiedy odbyły się webinaria?", "When did the Peer Learning Webinars take place?"),
        ("¿Habrá un webinar adicional en 2022?", "Will there be an extra PLW in 2022?"),
        (
            "Wer hat die Peer-Learning-Webinare organisiert?",
            "Who organised the Peer Learning Webinars?",
        ),
        ("Quais foram as principais lições aprendidas com os webinars?", DEFAULT_EXAMPLE),
    ],
)
def test_the_example_is_the_one_closest_to_the_question(question: str, example: str) -> None:
    assert example_for(question) == example


@pytest.mark.parametrize(
    "question",
    [
        "Bonjour, pouvez-vous m'aider s'il vous plaît ?",
        "Hallo, können Sie mir bitte helfen?",
        "Hallo zusammen, wie geht's, ¿qué tal?, ça va bien merci",
        "Czy możesz mi pomóc w tej sprawie?",
        "",
    ],
)
def test_a_question_with_nothing_recognisable_gets_the_default_example(question: str) -> None:
    assert example_for(question) == DEFAULT_EXAMPLE
    assert ask_in_english("fr", question).endswith(f"e.g. “{DEFAULT_EXAMPLE}”")


def test_the_examples_differ_and_other_languages_keep_the_english_text() -> None:
    assert len({text for text, _ in EXAMPLES}) == len(EXAMPLES) >= 15
    reply = ask_in_english("sv", "Hur kan kluster stödja sina medlemmar med EU-finansiering?")
    assert reply == (
        "This question looks like Swedish. The notes are in English and the model reads English "
        f"questions; please ask in English, e.g. “{FUNDING}”"
    )


def test_an_english_question_is_not_declined(assistant: Assistant) -> None:
    answer = assistant.ask(Question("How can clusters help their members find project partners?"))
    assert answer.language is None and "ask in English" not in answer.answer
