"""A question's one trip from words to passages: read once (``Reading``), planned with the
conversation (a follow-up, the rest of a list, a webinar named), searched; and, when a
question too weak on its own continues the answer before it, searched again as its
follow-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from .answer.coverage import covers
from .domain import Question
from .search import forms
from .search.analysis import Analysis, Analyzer
from .search.asking import own_subject
from .search.followup import own_words, refers_back
from .search.intent import Plan, general, narrows, plan, read
from .search.items import ordinal_item, relative_item, rest_of_list
from .search.keywords import keywords
from .search.names import Vocabulary
from .search.parts import asked_again, parts_of
from .search.retriever import Retrieval, Retriever
from .search.scope import evidenced
from .store.reader import Index
from .words import tokenize


@dataclass(frozen=True)
class Reading:
    """A question as read once at the edge: its text and conversation, its analysis (typos,
    the glossary), the analyser that read it and the index it is asked of."""

    question: Question
    analysis: Analysis
    analyzer: Analyzer
    index: Index
    common: Callable[[str], bool] = lambda _word: False  # a word the model reads well


def searched(reading: Reading, retriever: Retriever, min_score: float) -> Retrieval:
    """The passages for a question, planned with the conversation."""
    retrieval = _search(reading, retriever, min_score)
    each = _each_which(reading, retrieval, retriever, min_score)
    if each is not None:
        return each
    beside = _beside(reading, retrieval, retriever, min_score)
    if beside is not None:
        return replace(retrieval, beside=beside)
    if _continues(retrieval, reading.question, min_score):
        # Too weak on its own, and its best passage is the one the answer before led with
        # ("should clusters go after EU funding? → what can the money be used for?"): it
        # follows that answer up.
        followed = _search(reading, retriever, min_score, follows=True)
        if covers(followed, min_score):
            return followed
    return retrieval


# Kinds the notes' structure answers (a webinar's topics, a note's author line).
STRUCTURED = frozenset({"which", "overview", "author", "published"})


def _beside(
    reading: Reading, retrieval: Retrieval, retriever: Retriever, min_score: float
) -> Retrieval | None:
    """For a question whose plan answers one part from the notes' structure (which webinar,
    who wrote), the other part asking about a subject of its own ("… and what is the main
    lesson about communication with members?"), searched as a question of its own, when the
    notes cover it."""
    if retrieval.plan.kind not in STRUCTURED or reading.question.history:
        return None
    vocabulary = Vocabulary.of(reading.index)
    for part in parts_of(reading.analysis.searched):
        own = read(part, vocabulary)
        if own.kind == "general" and not own.expects and own_subject(part):
            alone = _alone(reading, part, retriever, min_score)
            return alone if covers(alone, min_score) else None
    return None


def _alone(reading: Reading, part: str, retriever: Retriever, min_score: float) -> Retrieval:
    """A part of the question read and searched as a question of its own."""
    question = replace(reading.question, text=part)
    analysis = reading.analyzer.analyse(part, reading.common)
    return _search(replace(reading, question=question, analysis=analysis), retriever, min_score)


def _each_which(
    reading: Reading, retrieval: Retrieval, retriever: Retriever, min_score: float
) -> Retrieval | None:
    """For "which webinar covered X, and which one Y?", each part searched as a question of
    its own, the later ones beside the first: one search for both finds one of them. ``None``
    unless every part asks which webinar and the notes cover each."""
    if retrieval.plan.kind != "which" or reading.question.history:
        return None
    vocabulary = Vocabulary.of(reading.index)
    found: list[Retrieval] = []
    for part in parts_of(reading.analysis.searched):
        part = asked_again(part, "webinar")
        if read(part, vocabulary).kind != "which":
            return None
        alone = _alone(reading, part, retriever, min_score)
        if alone.plan.kind != "which" or not covers(alone, min_score):
            return None
        found.append(alone)
    if len(found) < 2:
        return None
    chained = found[-1]
    for alone in reversed(found[:-1]):
        chained = replace(alone, beside=chained)
    return chained


def _search(
    reading: Reading, retriever: Retriever, min_score: float, follows: bool = False
) -> Retrieval:
    """The question planned (as a follow-up of the last turn, if it ``follows`` it) and
    searched."""
    question, analysis, index = reading.question, reading.analysis, reading.index
    analyzer = reading.analyzer
    vocabulary = Vocabulary.of(index)
    p = _plan(analysis.searched, question, index, vocabulary, follows)
    form = forms.asked(analysis.ask or analysis.searched, analysis.same)
    # "Why?" after an answer asks about what it quoted: no other passage's reason.
    own = tokenize([forms.unasked(analysis.searched, form)])[0]
    form = form if p.kind == "general" and own else None
    p = replace(
        p,
        analysis=analysis,
        query=analysis.expand(p.query, model=True),
        keywords=keywords(analysis, forms.unasked(_searched_words(p), form)),
        focus=(focus := _focus(replace(p, form=form), analysis)),
        steers=_steers(focus, analysis, analyzer),
        parts=tuple(analysis.expand(part, model=True) for part in parts_of(analysis.searched)),
        form=form,
    )
    retrieval = retriever.search(p, question)
    if narrows(p) and not evidenced(retrieval, min_score):
        # The plan's passages do not answer it ("what ways are there …?" read as asking
        # for names): the question is searched as any other.
        retrieval = retriever.search(general(p), question)
    return retrieval


def _plan(
    text: str,
    question: Question,
    index: Index,
    vocabulary: Vocabulary,
    follows: bool = False,
) -> Plan:
    listed = None if follows else _listed(text, question, index)
    if listed is not None:
        return listed
    p = plan(text, question.history, vocabulary, follows)
    if p.kind == "more" and not p.sessions and question.history:
        # "What else?" after "Which webinar …": the webinar the previous answer quoted.
        # The webinars of the passages it quoted (the article's line on PLW#4 is about
        # PLW#4, not about every webinar the article names), else of their notes.
        cited = {r for c in question.history[-1].cited if (r := index.row(c)) is not None}
        sessions = tuple(s for s in vocabulary.sessions if cited & set(s.rows))
        if not sessions:
            notes = {index.chunks[r].document for r in cited}
            rows = {r for d in notes for r in index.rows_of_document(d)}
            sessions = tuple(s for s in vocabulary.sessions if rows & set(s.rows))
        p = replace(p, sessions=sessions) if sessions else replace(p, kind="general")
    if p.kind == "general" and p.expects and _parts_differ(text, p, vocabulary):
        # "Who organised the PLWs and who do I contact?": an address answers one part
        # only; every passage is searched, for both.
        p = replace(p, expects=None)
    return p


def _listed(text: str, question: Question, index: Index) -> Plan | None:
    """The plan for items of a list in the notes the question names by their place: beside the
    lesson the answer before led with, the rest of its list, an ordinal of a list's heading."""
    item = relative_item(text, question.history, index)
    if item is not None:  # "and the next tip?" after a lesson of a list
        return Plan("general", text, items=(item,))
    rest, whole = rest_of_list(text, question.history, index)
    if rest:  # "any more tips like that?": the rest of its list (or all of it, said again)
        if not whole:  # (what the answer before said is not offered again)
            return Plan("general", text, items=rest, said=question.history[-1].answer)
        last = question.history[-1]  # quoted whole: this list again, or the one beside
        beside = frozenset() if set(rest) <= set(last.cited) else frozenset(last.cited)
        return Plan("general", text, items=rest, said=last.answer, demote=beside)
    ordinal = ordinal_item(text, index)
    if ordinal is not None:  # "what's the first lesson for future partnerships?"
        return Plan("general", text, items=(ordinal,))
    return None


def _searched_words(p: Plan) -> str:
    """What BM25 searches: a follow-up's new subject alone ("and about keeping in touch with
    members?"): the question before it would find again what its answer quoted."""
    if p.subject and p.kind == "general":
        return p.subject
    return p.keywords or p.query


def _focus(p: Plan, analysis: Analysis) -> str:
    """What the model also reads on its own: the new subject of an "and what about …?"
    follow-up (searched with the question before it, whose subject would otherwise win), or
    a long question's ask without the situation told first."""
    if p.subject and p.kind == "general":
        return analysis.expand(p.subject, model=True)
    own = len(own_words(analysis.searched)) >= 2
    if p.kind == "general" and own and p.asked not in ("", analysis.searched):
        # "… and is there going to be another one?": a follow-up asking a thing of its own
        # ("how many were there in total?", "who ran that one?" name too little: the question
        # before says what).
        return analysis.expand(analysis.searched, model=True)
    if not analysis.ask or refers_back(analysis.ask):
        # "… we stopped the newsletter. Was it a mistake, and what should we have done?": an
        # ask pointing back at the situation names nothing alone; the whole question is read.
        return ""
    return analysis.expand(analysis.ask, model=True)


def _parts_differ(text: str, p: Plan, vocabulary: Vocabulary) -> bool:
    """Whether a question asking two things asks for a kind of answer in one part only."""
    parts = parts_of(text)
    return len(parts) >= 2 and any(read(part, vocabulary).expects != p.expects for part in parts)


def _steers(focus: str, analysis: Analysis, analyzer: Analyzer) -> bool:
    """Whether the focus ranks the passages: a follow-up's subject does; a long question's ask
    only when it names something few passages hold ("What do the lessons say?" does not: the
    situation told before it says what it is about)."""
    asks = bool(analysis.ask) and focus == analysis.expand(analysis.ask, model=True)
    return not asks or analyzer.distinctive(focus)


def _continues(retrieval: Retrieval, question: Question, min_score: float) -> bool:
    """Whether a question read on its own, in a conversation, is too weak to answer while its
    best passage is one the answer before quoted first, sharing a word with it."""
    history, hits = question.history, retrieval.hits
    if not history or not history[-1].cited or not hits or retrieval.plan.continues:
        return False
    best = hits[0]
    if best.chunk.id != history[-1].cited[0] or not best.keyword:
        return False
    return not covers(retrieval, min_score)
