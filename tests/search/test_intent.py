"""Reading what a question asks for, alone and within a conversation (real index)."""

from __future__ import annotations

import pytest

from plw_assistant.assistant import Assistant
from plw_assistant.domain import Question, Turn
from plw_assistant.search.intent import plan, read, standalone
from plw_assistant.search.names import Vocabulary


@pytest.fixture(scope="module")
def vocabulary(assistant: Assistant) -> Vocabulary:
    return Vocabulary.of(assistant.index)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What was discussed in PLW#3?", "overview"),
        ("What did the first webinar cover?", "overview"),
        ("could you tell me what the second one covered?", "overview"),
        ("PLW#5 covered partner search - what else was covered?", "overview"),
        ("Which subjects did the fourth peer learning webinar address?", "overview"),
        ("What did PLW#5 say about partner search?", "general"),
        ("Which webinar covered finding partners?", "which"),
        ("partner search was covered in which webinar?", "which"),
        ("Was the IT tool discussed in one of the webinars?", "which"),
        ("Was partner search one of the topics in the webinars?", "which"),
        ("Was COVID a topic of a webinar?", "which"),
        ("Was there one webinar about the new calls? Which one?", "which"),
        (
            "the session where they discussed changing the action plan - which one was that?",
            "which",
        ),
        ("was IT covered in any PLW", "which"),  # "IT" is no stop word "it"
        ("Where did partnerships discuss changing their action plan?", "which"),
        ("list the five webinars", "list"),
        ("What is a peer learning webinar?", "general"),
        ("which partnerships took part in the PLWs", "general"),
        ("What was discussed in PLW#9?", "unknown"),
        ("Who wrote the wrap-up?", "author"),
        ("When was the wrap-up published?", "published"),
        ("When did the webinars take place?", "general"),
        ("How can clusters support their members with EU funding?", "general"),
        # Keywords whose head noun is a webinar ask which one covered the rest.
        ("proposal writing webinar", "which"),
        ("COVID impact session", "which"),
        ("webinar series dates", "general"),  # about the series, not one webinar
        ("clusters continue collaboration after webinars", "general"),
        ("meeting other partnerships uncertainty", "general"),
        ("webinar names", "list"),
        ("Which webinar?", "list"),  # asked of nothing: the webinars there are
        # Words that quantify ("every", "across") name no subject of their own.
        ("List every topic covered across the five webinars", "list"),
        ("What were the topics across all five webinars?", "list"),
        # What followed the series is no list of it.
        ("What happens after the five webinars?", "general"),
        ("anything planned following the webinars?", "general"),
        # Verbs of going over a subject ask what a webinar was about.
        ("what topics did PLW#5 go through", "overview"),
        ("what was plw3 focused on", "overview"),
        # "What webinars say …" asks what they said; "which webinars say …" which said it.
        ("what webinars say about keeping contact with members when times are hard?", "general"),
        ("which webinars say something about the PO?", "which"),
    ],
)
def test_kinds(vocabulary: Vocabulary, question: str, kind: str) -> None:
    assert read(question, vocabulary).kind == kind


@pytest.mark.parametrize(
    "question",
    [
        "who was involved in the webinars?",
        "Who else was in on these webinars besides BLUES?",
        "and who else took part?",
    ],
)
def test_who_was_in_on_it_asks_for_names(vocabulary: Vocabulary, question: str) -> None:
    assert read(question, vocabulary).expects == "names"


def test_the_series_named_as_a_span_of_time_names_no_webinar(vocabulary: Vocabulary) -> None:
    span = read(
        "Over what period did the series run, from the first webinar to the last?", vocabulary
    )
    assert span.kind == "general" and not span.sessions and span.expects == "date"
    assert read("What was the first webinar about?", vocabulary).kind == "overview"


def test_what_a_plain_question_expects(vocabulary: Vocabulary) -> None:
    assert read("When did the webinars take place?", vocabulary).expects == "date"
    assert read("How many partnerships were invited?", vocabulary).expects == "number"
    assert read("which partnerships took part in the PLWs", vocabulary).expects == "names"
    # Told to name them: no verb needs to follow the plural; a list of lessons is no names.
    for told in (
        "Please list the partnerships that were invited to take part in the PLWs.",
        "list all the partnerships involved",
        "could you name the clusters that joined",
    ):
        assert read(told, vocabulary).expects == "names", told
    assert read("list the lessons for clusters", vocabulary).expects is None
    assert read("When we run into difficulties, should we team up?", vocabulary).expects is None
    # As typed: a verb of time right after "when", or "and" before it.
    assert read("When start the webinar series and when finish?", vocabulary).expects == "date"
    assert read("and when did the whole series end?", vocabulary).expects == "date"
    assert read("When a project hits trouble, is it better to team up?", vocabulary).expects is None
    # A fact the situation names is not what is asked for (made-up wording).
    situation = (
        "members keep asking about calls. right now we forward the newsletter from the national"
        " contact point. what came out of the webinars about supporting members with eu projects?"
    )
    assert read(situation, vocabulary).expects is None
    # A verb after "what" asks what to do, not which ones: no list of names answers it.
    assert read("What should new ESCP-4x partnerships do?", vocabulary).expects is None
    assert read("what can clusters do for members?", vocabulary).expects is None
    # Nouns of manner ask how, not which ones.
    question = "What ways are there to organise an EU proposal support service for our members?"
    assert read(question, vocabulary).expects is None
    assert read("which models exist for supporting members?", vocabulary).expects is None
    # A singular noun asked first asks for it, not for names of the plural after it.
    question = "What role do clusters have for small companies when there is a crisis?"
    assert read(question, vocabulary).expects is None
    question = "What longer-term effect did the webinars have on joint projects?"
    assert read(question, vocabulary).expects is None
    assert read("which partnerships did they invite?", vocabulary).expects == "names"
    # An e-mail the situation tells of is no address asked for; asking for one is.
    told = "I got an email inviting me to a 'peer learning webinar'. What is it exactly?"
    assert read(told, vocabulary).expects is None
    assert read("what's the email address of the contact person", vocabulary).expects == "address"
    assert read("who can I email about the webinars?", vocabulary).expects == "address"
    # Asked what the lessons are saying, in a learner's word order: nothing to name, however
    # the words after "what" are grouped.
    question = "What the lessons of the webinars are saying about communication in such times?"
    assert read(question, vocabulary).expects is None


def test_which_webinar_searches_the_subject_not_the_asking_words(vocabulary) -> None:
    # "discussed" would match "Discussion with the PO" (PLW#2) on its stem
    p = read("which PLW discussed what happens during and after the projects?", vocabulary)
    assert "discuss" not in p.query.lower() and "projects" in p.query
    # An asking word ("called") takes no subject word sharing its stem ("calls") with it.
    calls = read("Which webinar covered the new calls for clusters?", vocabulary)
    assert calls.kind == "which" and calls.query == "the new calls for clusters"
    # Told with a situation, it searches the clause it asks about, not the situation.
    told = read(
        "I coordinate an ESCP-4x partnership and would like to know which webinar included "
        "a discussion with our project officer, so I can read up on it.",
        vocabulary,
    )
    assert told.kind == "which" and "partnership" not in told.query and "officer" in told.query
    # A clause that only weighs ("most relevant to me") points back at the situation.
    weighs = read(
        "Our members want to find partners for an EU call and write a proposal. Which of the "
        "webinars would be most relevant to me?",
        vocabulary,
    )
    assert "partners" in weighs.query
    # A clause pointing back ("did it take place?") asks about what came before it.
    back = read(
        "The talk with the project officer - in which webinar did it take place?", vocabulary
    )
    assert back.kind == "which" and "officer" in back.query


def test_series_words_stay_out_of_keyword_search(assistant) -> None:
    p = assistant.retrieve(Question("Should PLWs only be for ESCP-4x partnerships?")).plan
    # BM25 never searches the series' name; the model reads what the abbreviation stands for.
    assert "PLW" not in (p.keywords or "") and "peer learning webinar" in p.query


def _turn(question: str, answer: str = "", cited: tuple[str, ...] = ()) -> Turn:
    return Turn(question, answer, cited)


def test_follow_ups_keep_the_intent_with_a_new_subject(vocabulary: Vocabulary) -> None:
    earlier = [_turn("What was discussed in PLW#3?", "PLW#3: … [1]")]
    p = plan("and PLW#2?", earlier, vocabulary)
    assert p.kind == "overview" and [s.id for s in p.sessions] == ["PLW#2"]
    p = plan("and the common note?", [_turn("What was discussed in PLW#1?")], vocabulary)
    assert p.kind == "overview" and [s.id for s in p.sessions] == ["PLW#2"]
    which = [_turn("Which webinar talked about the covid impact?")]
    p = plan("and the action plan adaptation?", which, vocabulary)
    assert p.kind == "which" and p.query == "the action plan adaptation"
    p = plan("what else?", which, vocabulary)
    assert p.kind == "more"
    p = plan("when was it published?", [_turn("Who wrote the wrap-up?")], vocabulary)
    assert p.kind == "published" and "wrap-up" in p.query
    p = plan("and for SMEs?", [_turn("Why keep communicating in a crisis?", "A. [1]")], vocabulary)
    assert p.kind == "general" and p.subject == "SMEs" and p.said == "A. [1]"


def test_a_follow_up_asking_its_own_question_does_not_take_the_kind_asked_before(
    vocabulary: Vocabulary,
) -> None:
    which = [_turn("Which partnerships were invited to the PLWs?")]
    assert plan("who ran it?", which, vocabulary).expects is None
    assert plan("why?", which, vocabulary).expects is None


def test_who_organised_a_webinar_is_asked_of_the_series(vocabulary: Vocabulary) -> None:
    # The notes say who organised the series, not each webinar: every passage is searched.
    p = read("Who organised PLW#3?", vocabulary)
    assert p.kind == "general" and not p.sessions
    p = plan("who ran that one?", [_turn("What was PLW#3 about?", "PLW#3: … [1]")], vocabulary)
    assert p.kind == "general" and not p.sessions
    assert read("What did PLW#3 cover?", vocabulary).kind == "overview"
    # Named only in the answer before: who ran the webinars.
    which = [_turn("Which webinar dealt with partner search?", "… a topic of PLW#5 … [1]")]
    p = plan("who ran that one?", which, vocabulary)
    assert p.kind == "general" and not p.sessions and "that one" not in p.query


def test_a_webinar_the_situation_names_is_not_what_the_ask_is_about(vocabulary: Vocabulary) -> None:
    # Made-up wording.
    told = "We joined in the fourth webinar. Is there any plan to keep the group working together?"
    assert not read(told, vocabulary).sessions
    # An ask pointing back at it asks about it.
    pointing = read("We joined in PLW#4. What did the partnerships learn there?", vocabulary)
    assert [s.id for s in pointing.sessions] == ["PLW#4"]


def test_it_after_an_answer_on_one_webinar_is_that_webinar(vocabulary: Vocabulary) -> None:
    # The question is asked of the webinar by name, as if it had named it.
    last = [_turn("what was the last webinar about", "PLW#5: As a cluster … [1]")]
    p = plan("what did it cover?", last, vocabulary)
    assert p.kind == "overview" and [s.id for s in p.sessions] == ["PLW#5"]
    assert p.asked == "what did PLW#5 cover?"
    p = plan("when did it take place?", [_turn("What was PLW#3 about?")], vocabulary)
    assert [s.id for s in p.sessions] == ["PLW#3"] and p.asked == "when did PLW#3 take place?"
    # "What else did it cover?" asks for more of it; a lesson's answer names no webinar.
    assert plan("what else did it cover?", last, vocabulary).kind == "more"
    lesson = [_turn("whats a PLW", "Peer learning webinars (PLW) are tools … [1]")]
    assert not plan("and what's it based on?", lesson, vocabulary).sessions


def test_when_a_topic_was_on_the_agenda_asks_which_webinar(vocabulary: Vocabulary) -> None:
    assert read("When was adapting the action plan on the agenda?", vocabulary).kind == "which"
    assert read("When did the webinars take place?", vocabulary).kind == "general"


def test_what_is_planned_next_asks_what_comes_after_the_series(vocabulary: Vocabulary) -> None:
    earlier = [_turn("What was PLW#2 about?", "PLW#2: … [1]")]
    assert plan("what's planned next?", earlier, vocabulary).kind == "general"
    assert [s.id for s in plan("and the one after that?", earlier, vocabulary).sessions] == [
        "PLW#3"
    ]


def test_the_series_named_as_a_time_is_not_searched_for(vocabulary: Vocabulary) -> None:
    # "after the five": when, not the five webinars ("five PLWs were organised").
    p = read("Is there going to be another PLW after the five?", vocabulary)
    assert "five" not in (p.keywords or "")
    p = read("Is there going to be another webinar after the January 2022 one?", vocabulary)
    assert "January" not in (p.keywords or "")


def test_a_follow_up_is_worded_without_its_elliptical_opening(vocabulary: Vocabulary) -> None:
    webinar = [_turn("What was discussed in PLW#5?", "PLW#5: … Partner search; … [1]")]
    for text in ("And what about partner search?", "what about partner search?"):
        p = plan(text, webinar, vocabulary)
        assert p.subject == "partner search"
        assert standalone(p, text, vocabulary) == "What do the notes say about partner search?"
    p = plan("And for SMEs?", [_turn("Why keep communicating in a crisis?")], vocabulary)
    assert standalone(p, "And for SMEs?", vocabulary) == "What do the notes say about SMEs?"


def test_a_question_complete_on_its_own_is_not_joined_to_the_one_before(vocabulary) -> None:
    earlier = [_turn("How can clusters support members with partner search?", "… [1]")]
    text = "How do I configure a Kubernetes ingress?"
    p = plan(text, earlier, vocabulary)
    assert p == plan(text, [], vocabulary)  # read as if asked first
    assert p.asked == text and standalone(p, text, vocabulary) == ""


def test_an_abbreviation_is_a_subject_whatever_a_stop_word_list_holds(
    vocabulary: Vocabulary,
) -> None:
    # "IT" lower-cased is the stop word "it": the which-webinar search keeps it.
    p = read("was IT covered in any PLW", vocabulary)
    assert p.kind == "which" and "IT" in p.query and "covered" not in p.query
