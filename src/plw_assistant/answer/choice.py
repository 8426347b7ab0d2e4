"""Which lessons answer a plain question: the lead (the most similar of the passages ranked
nearly as high as the first), the few nearly as relevant, or the whole list when the
question asks for it or is about the list as a whole; and the rest of the lead's list."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..domain import Hit
from ..search.forms import LATER, Form, asks_future, degree, holds, loosened
from ..search.items import is_list_item, list_of
from ..search.names import Vocabulary
from ..search.retriever import Retrieval
from ..search.scope import EVENTS, series_asked
from ..words import WORDS
from . import structured
from .companions import blurred, companions
from .facts import Asked
from .listed import asked_names
from .said import FOLLOW_SHARE, lists_beside, nothing_more, said_best
from .subject import on_subject
from .topics import LABEL_SHARE, says_as_much, says_less_than_a_lesson
from .units import Unit, is_overview, make_unit, words

MAX_LIST = 8
# The passages a part of a question asking for two lists is searched for.
PART_SEARCH = 3
# The lead is the most similar to the question of the passages ranked at least LEAD_SHARE of
# the first (the fused rank mixes in word matches: "crisis" in a lesson about SMEs).
LEAD_SHARE = 0.9
# … by its similarity plus this share of its fused rank (relative to the pool's best): of two
# sibling lessons alike in meaning, the one whose words the question uses leads.
RANK_WEIGHT = 0.5
# A question at least BROAD_MIN similar to a list's heading, and BROAD_BY more than to its
# lead, is about the whole list.
BROAD_MIN = 0.6
BROAD_BY = 0.1
# A passage in the form asked for (a reason naming two things asked about, what something is
# based on, who came) leads from as far down as FORM_REACH of the first: its words are seldom
# the question's ("Why did BLUES set up the series?": "… in order to facilitate …").
FORM_REACH = 0.6
# "What are the lessons for …", "key lessons …": the answer is a whole list.
_LIST_ASK = re.compile(
    r"\b(?:what\s+(?:are|were)|which\s+(?:are|were)|list|all|key|main)\b.*\b(?:lessons|messages|"
    r"recommendations|takeaways|points)\b|\blessons\s+(?:learnt|learned)\s+for\b"
    r"|\blessons?\s+(?:list|summary|overview)\b",
    re.I,
)
# A list asked on a subject ("the lessons for clusters about communication"): its lesson first.
# ("… say anything about whether this format works …" asks a question, not of a subject.)
_ON_SUBJECT = re.compile(
    r"\b(?:about|on|regarding|concerning)\s+"
    r"(?!(?:for|to|the\s+list|it|that|this|them|whether|if|how|what|why|who|when|which)\b)\w",
    re.I,
)


_FULL_DATE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December)\s+\d{4}\b|\b\d{4}-\d{2}-\d{2}\b"
)


def lessons(
    question: str,
    retrieval: Retrieval,
    hits: list[Hit],
    vocabulary: Vocabulary,
    asked: Asked | None = None,
) -> tuple[list[Unit], list[Unit]]:
    """The lead lesson and the few nearly as relevant, or a whole list when the question asks
    for it or is about the list as a whole; and the other lessons of the lead's list, offered
    after it. ``asked``: the fact asked for (a count: a passage giving it leads)."""
    assert retrieval.index is not None
    index, plan = retrieval.index, retrieval.plan
    about = on_subject(retrieval)
    candidates = [
        u
        for n, hit in enumerate(hits, start=1)
        if hit.chunk.id not in plan.demote and not hit.chunk.lead_in  # a list's lead-in
        for u in [make_unit(n, hit, index, vocabulary, retrieval.query)]
        if about(u)
    ]
    if len(plan.items) > 1:  # "any more tips like that?": the rest of the list, in order
        return sorted(candidates, key=lambda u: u.hit.row)[:MAX_LIST], []
    units = [u for u in candidates if not (plan.said and words(u.plain) in words(plan.said))]
    continues = bool(plan.said) and not plan.demote
    if (
        not units
        or said_best(candidates, units, continues)
        or nothing_more(retrieval, units, vocabulary)
    ):
        return [], []
    every = units  # a question asking two things: the filters below choose one part's lead
    if plan.demote and _LIST_ASK.search(plan.asked or question):
        # "And the other ones?" after a list: the lists beside it.
        beside = lists_beside(plan.demote, MAX_LIST, retrieval, vocabulary)
        if beside:
            return beside, []
    units = _answering(units, plan.asked or question, retrieval, asked)
    says_less = says_less_than_a_lesson(plan.asked or question, vocabulary)
    lead = _lead(_naming(units, retrieval) or units, retrieval, says_less, asked is None)
    listed: list[Unit] = []
    if not lead.label and "\n" not in lead.hit.chunk.text.strip():
        listed = structured.whole_list(lead, hits, index, vocabulary, retrieval.query)
        if len(listed) > 1 and _LIST_ASK.search(plan.asked or question):
            return _lists_asked(lead, listed, hits, retrieval, vocabulary, question), []
        # An item named ("the first lesson for …"), a lead in the form asked: not its list.
        own = plan.items or (plan.form is not None and holds(plan.form, lead.plain))
        # Asked on a subject of its own ("the advice for future partnerships about meeting
        # other partnerships?"): the lesson on it, the rest of its list offered after it.
        own = own or bool(_ON_SUBJECT.search(plan.asked or question))
        broad = _broad(lead, listed, retrieval) if len(listed) > 1 and not own else None
        if broad == "list":  # about the list as a whole: as the notes give it, in order
            return listed[:MAX_LIST], []
        if broad == "lead":  # nearly as relevant as the lead, the rest of its list too
            return [lead, *(u for u in listed if u.hit.row != lead.hit.row)][:MAX_LIST], []
    chosen = companions(lead, every if len(retrieval.parts) > 1 else units, retrieval)
    return chosen, _offered(listed, chosen, plan.said)


def _offered(listed: list[Unit], chosen: list[Unit], said: str) -> list[Unit]:
    """The rest of the lead's list, offered after the answer: what neither it nor the answer
    before (``said``) quoted."""
    if len(listed) < 2:
        return []
    quoted, spoken = {u.hit.row for u in chosen}, words(said)
    return [
        u for u in listed if u.hit.row not in quoted and not (said and words(u.plain) in spoken)
    ]


def _answering(
    units: list[Unit], question: str, retrieval: Retrieval, asked: Asked | None
) -> list[Unit]:
    """The units in the form the question asks for: a date, a count, a list's items."""
    plan, index = retrieval.plan, retrieval.index
    assert index is not None
    if plan.expects == "date" and asks_future(question):
        # "Will there be more webinars? → when?": the date of what comes next, not the series'.
        units = [u for u in units if holds(LATER, u.plain)] or units
    elif plan.expects == "date" and any(_FULL_DATE.search(u.plain) for u in units):
        # "When …?": a full date ("October 2020", 2022-04-19) answers, a bare year does not.
        units = [u for u in units if _FULL_DATE.search(u.plain)]
    if asked is not None and asked.kind == "count":  # "14 partnerships", not "most of the …"
        units = [u for u in units if asked.holds(u.plain)] or units
    if _LIST_ASK.search(question):  # "What are the main lessons …?": a list
        units = [u for u in units if structured.in_list(u, index)] or units
    return units


def _lists_asked(
    lead: Unit,
    listed: list[Unit],
    hits: list[Hit],
    retrieval: Retrieval,
    vocabulary: Vocabulary,
    question: str,
) -> list[Unit]:
    """The list asked for, in the note's order (asked on one subject: its lesson first); for
    one asked of two readers ("… both as a partnership and as cluster organisations?"), the
    list of the lesson closest to each part too, each in the note's order."""
    index = retrieval.index
    assert index is not None
    out = listed[:MAX_LIST]
    for vector in retrieval.parts:  # searched on its own: its list may be in no hit
        found = [r for r, _ in index.dense_search(vector, PART_SEARCH) if is_list_item(index, r)]
        if not found or any(u.hit.row == found[0] for u in out):
            continue
        rows = list_of(index, found[0])
        more = structured.units_of(rows, hits, index, vocabulary, retrieval.query)
        out += [u for u in more if all(u.hit.row != o.hit.row for o in out)][:MAX_LIST]
    if not _ON_SUBJECT.search(retrieval.plan.asked or question):
        return out
    # Asked on subjects ("the lessons on flexibility and on synergies"): the lesson on each,
    # in the order asked, first.
    rows = [u.hit.row for u in out]
    lessons = [i for i, u in enumerate(out) if not u.label and not is_overview(u, vocabulary)]
    firsts = [lead] if len(retrieval.parts) < 2 or not lessons else []
    for vector in retrieval.parts if lessons else ():
        similar = index.dense_scores(rows, vector)
        firsts.append(out[max(lessons, key=lambda i: similar[i])])
    by_row = {u.hit.row: u for u in out}  # the list's own unit, else the lead
    first_rows = list(dict.fromkeys(u.hit.row for u in firsts))
    return [
        *(by_row.get(r, lead) for r in first_rows),
        *(u for u in out if u.hit.row not in first_rows),
    ]


def _naming(units: list[Unit], retrieval: Retrieval) -> list[Unit]:
    """The units naming a name asked about that the notes hold ("Did RECIPE4Mobility take
    part?"): one of them leads."""
    asked = asked_names(retrieval)
    return [u for u in units if asked & {w.lower() for w in WORDS(u.plain)}] if asked else []


def _broad(lead: Unit, listed: list[Unit], retrieval: Retrieval) -> str | None:
    """Whether the question is about the lead's list as a whole ("New partnership: advice?"):
    it is clearly similar to the list's heading, more than to the lead. ``"list"``: clearly
    more (it asks for the list); ``"lead"``: another of the list's lessons is nearly as
    similar as the lead (the lead answers, the list with it); ``None``: the lead alone."""
    heading = retrieval.heading_similarity(lead.hit.chunk.section)
    dense = lead.hit.dense
    if heading is None or dense is None or heading < max(dense, BROAD_MIN):
        return None
    # A question the lead's own words answer nearly as well as the heading is about the lead
    # ("Should cluster organisations be flexible …?" under "As cluster organisation"); a
    # follow-up's subject alone ("what about for clusters?") names the heading.
    own = dense
    if retrieval.meaning is not None and not retrieval.plan.continues:
        own = max(dense, float(retrieval.meaning([lead.plain])[0] @ retrieval.query))
    if heading >= own + BROAD_BY:
        return "list"
    others = [u.hit.dense or 0.0 for u in listed if u.hit.row != lead.hit.row]
    return "lead" if max(others, default=0.0) >= FOLLOW_SHARE * dense else None


def _lead(
    units: list[Unit],
    retrieval: Retrieval,
    says_less: Callable[[Unit], bool],
    advice: bool = True,
) -> Unit:
    """Of the lessons ranked nearly as high as the first, the one most similar to the
    question; a topic label (or what else ``says_less``) leads only when no lesson is nearly
    as good (for ``advice``, not a fact asked for, nor as close in its own words)."""
    first = units[0]
    close = [u for u in units if u.hit.score >= LEAD_SHARE * first.hit.score]
    near = [u for u in units if u.hit.score >= LABEL_SHARE * first.hit.score]
    lessons = [u for u in near if not says_less(u)]
    if not lessons and advice:
        lessons = says_as_much(units, retrieval, says_less)
    pool = [u for u in close if not says_less(u)] or lessons
    pool = pool or [u for u in near if not u.label] or [first]
    form = retrieval.plan.form
    if form is not None:
        # "Why …?": a lesson giving a reason, if nearly as good; "What is a PLW?" (or "a sixth
        # session?"): the passage defining it (saying what comes next), wherever it ranks.
        eligible = _eligible(form, units, lessons, retrieval)
        held = {i: degree(form, u.plain) for i, u in enumerate(eligible)}
        most = max(held.values(), default=0)  # a doer as the subject of the deed, first
        strongest = [eligible[i] for i, d in held.items() if d and d == most]
        pool = strongest or [u for u in eligible if holds(loosened(form), u.plain)] or pool
    # Text read from a scan with low OCR confidence leads only when nothing else can.
    legible = [u for u in pool if not blurred(u)]
    pool = legible or [u for u in units if not u.label and not blurred(u)] or pool
    similar = _similarity(pool, retrieval)
    return pool[max(range(len(pool)), key=lambda i: (similar[i], -pool[i].n))]


def _eligible(
    form: Form, units: list[Unit], lessons: list[Unit], retrieval: Retrieval
) -> list[Unit]:
    """The passages that may lead for a question asking in a ``form``: a definition (or what
    comes next) wherever it ranks; a reason among the lessons nearly as good, or further down
    (to ``FORM_REACH`` of the first) when its sentence names two things asked about, and what
    something is based on or who came likewise; else the lessons."""
    if form.kind == "definition" or (
        form.kind == "future" and series_asked(retrieval.plan, EVENTS)
    ):
        return [u for u in units if not u.label]
    if form.kind not in ("purpose", "basis", "turnout"):
        return lessons
    reach, enough = FORM_REACH * units[0].hit.score, 2 if form.kind == "purpose" else 1
    further = [
        u
        for u in units
        if not u.label
        and u not in lessons
        and u.hit.score >= reach
        and degree(form, u.plain) >= enough
    ]
    return [*lessons, *further]


def _similarity(pool: list[Unit], retrieval: Retrieval) -> list[float]:
    """How well each unit answers: its similarity to the question, plus ``RANK_WEIGHT`` of its
    fused rank, which holds the words matched. A passage's stored vector carries its headings,
    which can outweigh what it says (every lesson of a list shares "As cluster organisation"):
    the similarity is the mean of that with and without them, except for a follow-up, searched
    with the question before it, which the headings often answer ("What about plans?" after
    "… future ESCP-4x partnerships?")."""
    dense = [u.hit.dense if u.hit.dense is not None else 0.0 for u in pool]
    query, meaning = retrieval.query, retrieval.meaning
    if (
        len(pool) >= 2
        and query is not None
        and meaning is not None
        and not retrieval.plan.continues
    ):
        plain = meaning([u.hit.chunk.plain for u in pool]) @ query
        dense = [(d + float(p)) / 2 for d, p in zip(dense, plain, strict=True)]
    top = max(u.hit.score for u in pool) or 1.0
    return [d + RANK_WEIGHT * u.hit.score / top for d, u in zip(dense, pool, strict=True)]
