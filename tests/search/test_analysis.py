"""Reading a question as a search engine does: spellings made one, typos corrected towards the
notes' own words (and said), compounds split, the glossary applied, rare words sorted."""

from __future__ import annotations

import pytest
from conftest import converse

from plw_assistant.assistant import Assistant
from plw_assistant.domain import Question, Term
from plw_assistant.evaluation.answers import first_unit
from plw_assistant.search.analysis import Analysis
from plw_assistant.search.keywords import keywords
from plw_assistant.search.parts import ask_of
from plw_assistant.search.slang import spelt_out
from plw_assistant.search.terms import glossed, uses
from plw_assistant.words import american, is_compound, is_english, tokenize


def _read(assistant: Assistant, text: str) -> Analysis:
    return assistant.retrieve(Question(text)).plan.analysis


def test_british_and_american_spellings_are_one_word_for_bm25() -> None:
    assert american("organisation") == "organization"
    assert american("digitalisation") == "digitalization"  # the -isation rule
    assert american("programmes") == "programs"  # breame's list
    assert american("expertise") == "expertise"  # no blind -ise rule
    assert american("digitalise") == "digitalize"  # -ise in a word no word list knows
    assert american("digitalising") == "digitalizing" and american("rise") == "rise"
    assert tokenize(["digitalisation of cluster services"]) == tokenize(
        ["digitalization of cluster services"]
    )


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("How do we keep our memebers informed in a crisis?", "members"),
        ("Is digitalizaton strategic for clusters?", "digitalization"),
        ("In wich webinar did they discuss partner search?", "which"),
        # Keeping every letter typed ("bested") loses to a word far more likely ("based").
        ("what is peer learning besed on?", "based"),
        ("is it usefull to look for synergies?", "useful"),
    ],
)
def test_typos_are_corrected_towards_known_words_and_said(
    assistant: Assistant, typed: str, meant: str
) -> None:
    analysis = _read(assistant, typed)
    assert meant in analysis.searched.lower() and analysis.corrected
    answer = assistant.ask(Question(typed))
    assert answer.searched == analysis.searched  # "Showing results for …"


def test_known_words_and_names_are_never_corrected(assistant: Assistant) -> None:
    for text in (
        "Did RECIPE4Mobility take part?",  # a name the notes hold
        "Is the umbrella organisation relevant?",  # an English word the notes do not use
        "What did BRILLIANT share?",
    ):
        analysis = _read(assistant, text)
        assert not analysis.corrected and analysis.searched == text
    # A greeting, in any language, is no typo ("Hold, …"); it is read past, not corrected.
    analysis = _read(assistant, "Hola, what is a peer learning webinar?")
    assert not analysis.corrected and analysis.searched == "what is a peer learning webinar?"


def test_an_unfamiliar_compound_is_split_not_declined(assistant: Assistant) -> None:
    analysis = _read(assistant, "Should a new partnership change its workplan?")
    assert "work plan" in analysis.searched
    assert "workplan" not in analysis.unknown_terms
    assert not assistant.ask(Question("Should a new partnership change its workplan?")).abstained


def test_one_slip_from_a_word_of_the_notes_is_a_typo_not_two_words(assistant: Assistant) -> None:
    # "partnersips" is "partnerships" mistyped, not "partner sips".
    analysis = _read(assistant, "how many partnersips were invitd?")
    assert analysis.searched == "how many partnerships were invited?"


def test_a_british_spelling_is_answered_like_the_american_one(assistant: Assistant) -> None:
    british = assistant.ask(Question("Is the digitalisation of cluster services strategic?"))
    american_ = assistant.ask(Question("Is the digitalization of cluster services strategic?"))
    assert not british.abstained and british.answer == american_.answer


def test_a_british_verb_the_word_lists_lack_is_no_typo(assistant: Assistant) -> None:
    analysis = _read(assistant, "How should a cluster digitalise its services?")
    assert not analysis.corrected, analysis.corrections  # was read as "digitalism"
    assert tokenize(["digitalise"]) == tokenize(["digitalization"])


def test_a_word_no_passage_holds_is_an_unknown_term(assistant: Assistant) -> None:
    analysis = _read(assistant, "How do clusters use Kubernetes?")
    assert "kubernetes" in analysis.unknown_terms
    assert "recipe4mobility" in _read(assistant, "Did RECIPE4Mobility take part?").named_terms
    assert is_english("umbrella") and not is_english("kubernetes")
    # Two common words written as one, in lower case, are English newer than the word list
    # ("lockdown"), not a name; one written with capitals is a product's name ("SharePoint").
    assert "lockdown" not in _read(assistant, "What helped during the lockdown?").unknown_terms
    assert "sharepoint" in _read(assistant, "How do clusters use SharePoint?").unknown_terms
    assert is_compound("lockdown") and not is_compound("kubernetes")


def test_the_glossary_links_an_abbreviation_and_what_it_stands_for(assistant: Assistant) -> None:
    plan = assistant.retrieve(Question("Was there anything about talking to the project officer?"))
    assert "PO" in (plan.plan.keywords or "")  # BM25 finds "Discussion with the PO"
    assert any("Discussion with the PO" in h.chunk.text for h in plan.hits[:3])
    spelt = assistant.retrieve(Question("What did the PO say?")).plan
    assert "project officer" in spelt.query  # the model reads the words


def test_a_passage_is_read_in_the_question_s_words_for_a_glossary_term(
    assistant: Assistant,
) -> None:
    terms = (Term("PO", ("project officer",)), Term("EU", ("European Union", "European")))
    question = "Was there a talk with the project officer about European calls?"
    said = glossed(terms, question, "Discussion with the PO on EU calls")
    assert said == "Discussion with the project officer on European calls"
    assert glossed(terms, "What did the PO say?", "Discussion with the PO") is None
    assert glossed(terms, question, "PLW#2: Working on a common note") is None
    # The model then reads the passage as the question puts it: closer than as written.
    retrieval = assistant.retrieve(Question("Was there a session with our project officer?"))
    hit = next(h for h in retrieval.hits if h.chunk.plain == "Discussion with the PO")
    as_written = retrieval.index.dense_scores([hit.row], retrieval.query)[0]
    assert hit.dense is not None and hit.dense > as_written + 0.1


def test_a_long_question_is_also_read_as_its_ask() -> None:
    text = (
        "We are a cluster in Portugal and our members keep asking about EU grants. "
        "How did other clusters support their members?"
    )
    assert ask_of(text) == "How did other clusters support their members?"
    assert ask_of("What is a PLW?") == ""
    # An ask that only points back at the situation says less than the whole question.
    assert ask_of("We paused our newsletter during the lockdown. Was that a mistake?") == ""
    quiz = "I'm putting together a quiz for our team day: which city is the capital of France?"
    assert ask_of(quiz) == "which city is the capital of France?"


def test_a_written_out_term_the_notes_never_use_is_searched_by_its_abbreviation(
    assistant: Assistant,
) -> None:
    question = "What advice is there for European Strategic Cluster Partnerships for excellence?"
    analysis = _read(assistant, question)
    assert "European Strategic Cluster Partnerships for excellence" in analysis.unwritten
    searched = keywords(analysis, question)
    assert "ESCP-4x" in searched and "Strategic" not in searched  # not word by word
    assert "EU" not in searched.split("(")[1]  # its "European" is not the EU's
    # Each word is in some passage, but no passage holds them all: not the notes' words.
    which = _read(assistant, "Which European Strategic Cluster Partnerships took part?")
    assert "European Strategic Cluster Partnerships" in which.unwritten
    # The notes write "peer learning webinars" themselves: its words stay.
    plw = _read(assistant, "What is a peer learning webinar?")
    assert plw.unwritten == () and "peer learning webinar" in keywords(plw, plw.searched)


def test_an_example_the_question_gives_is_not_searched_by_its_words(
    assistant: Assistant,
) -> None:
    question = "How should a cluster keep talking to members in hard periods, such as the pandemic?"
    searched = keywords(_read(assistant, question), question)
    assert "pandemic" not in searched and "COVID" not in searched  # nor the glossary's forms
    assert "members" in searched
    # An example that is all the question names stays.
    alone = "And what about, for example, the pandemic?"
    assert "pandemic" in keywords(_read(assistant, alone), alone)


def test_a_mistyped_name_is_spelt_as_the_notes_spell_it(assistant: Assistant) -> None:
    analysis = _read(assistant, "Did RECIPE4Mobilty take part in the PLWs?")
    assert analysis.searched == "Did RECIPE4Mobility take part in the PLWs?"
    assert [(c.typed, c.meant) for c in analysis.corrections] == [
        ("RECIPE4Mobilty", "RECIPE4Mobility")
    ]
    assert _read(assistant, "was CLAMTX involved?").searched == "was CLAMTEX involved?"


def test_a_short_word_missing_a_letter_is_restored(assistant: Assistant) -> None:
    # "mny" left as typed is a rare word asked about, and the question was declined; "any" (a
    # letter changed) and "my" (one dropped) are other words, not what was typed.
    assert _read(assistant, "how mny partnerships were invted?").searched == (
        "how many partnerships were invited?"
    )
    assert _read(assistant, "wht was the point of the webinars?").searched.startswith("what ")
    answer = assistant.ask(Question("how mny partnerships were invted?"))
    assert answer.answer.startswith("14 partnerships have been invited")
    # Words read as typed stay: a stop word, English, an abbreviation.
    assert _read(assistant, "why did the EU fund it?").searched == "why did the EU fund it?"


def test_a_mistyped_ordinal_is_the_webinar_not_another_word(assistant: Assistant) -> None:
    # "fith" is one edit from "faith", a commoner word, as from "fifth".
    assert _read(assistant, "what was the fith webinar about").searched == (
        "what was the fifth webinar about"
    )


def test_a_glossary_word_no_word_list_knows_is_searched_by_its_meaning(
    assistant: Assistant,
) -> None:
    # "comms" is the glossary's everyday form of "communication": neither the model nor BM25
    # (whose only "comm" is an e-mail address in the notes) reads it.
    question = "how should clusters prioritise their comms with members during a crisis?"
    retrieval = assistant.retrieve(Question(question))
    assert "communication" in retrieval.plan.query and "communication" in retrieval.plan.keywords
    answer = assistant.ask(Question(question))
    assert answer.answer.startswith("Communication has to be maintained at all costs")


def test_an_everyday_word_the_notes_never_write_is_searched_by_the_notes_word(
    assistant: Assistant,
) -> None:
    # The shipped glossary lists "income" with "revenues" and "online" with "digitalization":
    # a question in its own words is read with the notes' word added, for the model and BM25
    # alike, and only with forms some passage writes ("earnings" would be noise).
    question = "Our income is too dependent on one subsidy. Any lessons?"
    plan = assistant.retrieve(Question(question)).plan
    assert "revenues" in plan.query and "revenues" in (plan.keywords or "")
    assert "earnings" not in plan.query
    answer = assistant.ask(Question(question))
    assert answer.answer.startswith("European funding programmes are highly strategic")
    online = assistant.ask(Question("Can online services fully replace our in-person events?"))
    assert online.answer.startswith("Digitalization of cluster services is very strategic")
    # "f2f" (face-to-face) is the glossary's everyday form of the notes' "traditional" actions:
    # without it, a rare word asked about, the question was declined.
    f2f = assistant.ask(Question("can we just ditch the f2f stuff and do everything online?"))
    assert f2f.answer.startswith("Digitalization of cluster services is very strategic")
    # "Physical" events are the notes' "traditional" actions too, whatever "webinars" matches.
    question = "We plan to stop physical events and do only webinars for members. Good idea?"
    assert assistant.ask(Question(question)).answer.startswith("Digitalization of cluster")


def test_a_glossary_phrase_the_notes_never_write_brings_their_word_to_bm25(
    assistant: Assistant,
) -> None:
    # "keeping in touch" is left out of BM25's words (word by word, "keeping" and "touch"
    # match nothing useful); its term's word the notes write, "communication", is searched.
    plan = assistant.retrieve(Question("tips on keeping in touch with members in a crisis")).plan
    assert "communication" in (plan.keywords or "") and "touch" not in (plan.keywords or "")


def test_a_follow_up_naming_a_glossary_term_the_notes_write_is_answered(
    assistant: Assistant,
) -> None:
    # "longer term" is two words the model matches to nothing in particular; the glossary
    # says the notes write it "longer perspective", and the passage that does answers.
    answer = converse(assistant, "What happens after the five webinars?", "and in the long run?")
    assert not answer.abstained
    assert "on a longer perspective, the PLW set up the basis" in answer.answer
    plan = assistant.retrieve(Question("and in the long run?")).plan
    assert "longer perspective" in plan.query


def test_an_abbreviation_also_finds_its_one_word_meaning_by_keyword(assistant: Assistant) -> None:
    # "EU money" finds "European funding programmes are highly strategic …" by its words too;
    # a meaning of several words is left to the model ("project officer" would find projects).
    keywords = assistant.retrieve(
        Question("Can EU money pay for regular activities?")
    ).plan.keywords
    assert "European" in (keywords or "")
    po = assistant.retrieve(Question("What did the PO say?")).plan.keywords
    assert "officer" not in (po or "")
    answer = assistant.ask(Question("EU grants cluster business model"))
    assert answer.answer.startswith("European funding programmes are highly strategic")


def test_an_abbreviation_typed_in_lower_case_is_still_the_abbreviation(
    assistant: Assistant,
) -> None:
    keywords = assistant.retrieve(Question("is eu money worth it for clusters")).plan.keywords
    assert "European" in (keywords or "")
    # Not a word English uses often: "it" is no information technology.
    it = assistant.retrieve(Question("was it useful for clusters?")).plan.keywords
    assert "information" not in (it or "") and "IT" not in (it or "")
    answer = assistant.ask(Question("how important are eu grants to a cluster's business model"))
    assert answer.answer.startswith("European funding programmes are highly strategic")
    # A form adding no word of its own counts no word twice: "covid" weighs what "COVID" does.
    covid = "what did they say about comms with members during covid"
    assert "COVID-19" not in (assistant.retrieve(Question(covid)).plan.keywords or "")
    assert assistant.ask(Question(covid)).answer.startswith("Communication has to be maintained")


def test_chat_shorthand_is_spelt_out_and_said(assistant: Assistant) -> None:
    """ "tbh", "abt" are no subjects the notes never mention: read as what they stand for."""
    analysis = _read(
        assistant, "tbh our plans keep changing, did the webinars say anything abt that"
    )
    assert "to be honest" in analysis.searched and "about that" in analysis.searched
    assert not analysis.unknown_terms
    assert {(c.typed, c.meant) for c in analysis.corrections} >= {("abt", "about")}
    answer = assistant.ask(
        Question(
            "tbh our plans keep changing like every month, did the webinars say anything abt that"
        )
    )
    assert first_unit(answer.answer).startswith("Be flexible and able to adjust plans")


def test_a_word_the_notes_or_english_know_is_no_shorthand(assistant: Assistant) -> None:
    assert spelt_out("shell", lambda _w: False) is None  # English, not "she'll"
    assert spelt_out("ppl", lambda _w: True) is None  # a word of the notes, as written
    assert spelt_out("ppl", lambda _w: False) == "people"
    assert spelt_out("lol", lambda _w: False) == ""  # a filler says nothing


@pytest.mark.parametrize(
    ("question", "used"),
    [
        ("is it ok to go a bit quiet with our members?", True),  # a word of degree inside
        ("should we go completely quiet?", True),
        ("we go home and stay quiet", False),  # other words between: not the phrase
        ("quiet, we go", False),  # not in order
    ],
)
def test_a_glossary_phrase_is_used_with_a_word_of_degree_inside(question: str, used: bool) -> None:
    assert uses(question, tokenize([question])[0], "go quiet") is used
