"""Which lessons answer a plain question: the lead (the most similar of the passages ranked
nearly as high as the first), the few nearly as relevant, or the whole list when the
question asks for it or is about the list as a whole; and the rest of the lead's list."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..domain import Hit
from ..search.forms import LATER, asks_future, degree, holds, loosened
from ..search.items import MORE_WORDS, is_list_item, list_of, other_lists
from ..search.names import KIND, Vocabulary
from ..search.retriever import Retrieval
from ..search.scope import EVENTS, series_asked
from ..words import WORDS, tokenize
from . import structured
from .companions import blurred, companions
from .facts import Asked
from .listed import asked_names
from .subject import on_subject
from .units import Unit, is_overview, make_unit, words

MAX_LIST = 8
# The passages a part of a question asking for two lists is searched for.
PART_SEARCH = 3
# Nearly as relevant, for the other choices below.
FOLLOW_SHARE = 0.9
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
# A topic label ("Adaptation of the action plan") says less than a lesson: a lesson scoring at
# least LABEL_SHARE of the label's leads instead.
LABEL_SHARE = 0.8
# … and a lesson ranked at least REACH of it that is as similar in its own words.
REACH = 0.6
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


# A question about one webinar (or any one of them), not about what the series taught.
_A_WEBINAR = re.compile(
    r"\b(?:a|an|any|one|which|what|that|this|the)\s+(?:\w+\s+)?(?:webinar|session|plw|meeting)\b(?!s)"
    r"|\b(?:any|one|which)\s+of\s+the\s+(?:\w+\s+){0,3}(?:webinars|sessions|plws|meetings)\b"
    r"|\bplw\s*#?\s*\d|\b(?:first|second|third|fourth|fifth|last)\s+(?:webinar|session|plw|one)\b",
    re.I,
)
# What the webinars' topics answer: a webinar, or what was discussed.
_OF_WEBINARS = re.compile(
    rf"\b{KIND}s?\b|\b(?:discuss|cover|talk|present|address|agenda|topic)", re.I
)
_OTHERS = re.compile(
    r"\b(?:others?|else|any\s+more|more\s+(?:tips?|lessons?|advice|ideas?|points?))\b", re.I
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
    if not units or _said_best(candidates, units, continues) or _nothing_more(retrieval, units, vocabulary):
        return [], []
    every = units  # a question asking two things: the filters below choose one part's lead
    if plan.demote and _LIST_ASK.search(plan.asked or question):
        # "And the other ones?" after a list: the lists beside it.
        beside = _lists_beside(plan.demote, hits, retrieval, vocabulary)
        if beside:
            return beside, []
    if plan.expects == "date" and asks_future(plan.asked or question):
        # "Will there be more webinars? → when?": the date of what comes next, not the series'.
        units = [u for u in units if holds(LATER, u.plain)] or units
    elif plan.expects == "date" and any(_FULL_DATE.search(u.plain) for u in units):
        # "When …?": a full date ("October 2020", 2022-04-19) answers, a bare year does not,
        # unless it is the year of what is asked about ("When is the extra webinar?": "an
        # extra PLW in 2022"), which the question's words find.
        dated = max((u.hit.keyword or 0.0) for u in units if _FULL_DATE.search(u.plain))
        named = not plan.continues  # (a follow-up's words are the question's before it)
        units = [
            u
            for u in units
            if _FULL_DATE.search(u.plain) or (named and (u.hit.keyword or 0.0) > dated)
        ]
    if asked is not None and asked.kind == "count":  # "14 partnerships", not "most of the …"
        units = [u for u in units if asked.holds(u.plain)] or units
    if _LIST_ASK.search(plan.asked or question):  # "What are the main lessons …?": a list
        units = [u for u in units if structured.in_list(u, index)] or units
    says_less = _says_less(plan.asked or question, vocabulary)
    lead = _lead(_naming(units, retrieval) or units, retrieval, says_less)
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
    quoted = {u.hit.row for u in chosen}
    more = [u for u in listed if u.hit.row not in quoted] if len(listed) > 1 else []
    return chosen, more


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


def _lists_beside(
    said: frozenset[str], hits: list[Hit], retrieval: Retrieval, vocabulary: Vocabulary
) -> list[Unit]:
    """The items of the lists beside the one the previous answer quoted, in the note's order."""
    index = retrieval.index
    assert index is not None
    rows = [r for r in map(index.row, sorted(said)) if r is not None]
    out: list[Unit] = []
    for items in other_lists(index, rows[0]) if rows else []:
        for r in items[:MAX_LIST]:
            hit = Hit(index.chunks[r], 0.0, r, None)
            out.append(make_unit(len(out) + 1, hit, index, vocabulary, retrieval.query))
    return out


def _naming(units: list[Unit], retrieval: Retrieval) -> list[Unit]:
    """The units naming a name asked about that the notes hold ("Did RECIPE4Mobility take
    part?"): one of them leads."""
    asked = asked_names(retrieval)
    return [u for u in units if asked & {w.lower() for w in WORDS(u.plain)}] if asked else []


def _said_best(candidates: list[Unit], unsaid: list[Unit], continues: bool) -> bool:
    """Whether an "and what about plans?" follow-up (``continues``: one not asking for
    something else) is best answered by a lesson the previous answer already quoted: what is
    left is clearly less relevant (the answer then says the notes hold nothing more, quoting
    it again)."""
    if not continues or not candidates or candidates[0] in unsaid or candidates[0].label:
        return False
    best = max(u.hit.dense or 0.0 for u in candidates)
    return max(u.hit.dense or 0.0 for u in unsaid) < FOLLOW_SHARE * best


def _nothing_more(retrieval: Retrieval, unsaid: list[Unit], vocabulary: Vocabulary) -> bool:
    """Whether a "tell me more" follow-up has nothing more to quote: all left is less similar."""
    plan, index, query = retrieval.plan, retrieval.index, retrieval.query
    if not plan.demote or index is None or query is None:
        return False
    own = set(tokenize([plan.analysis.searched])[0]) - MORE_WORDS  # "… about EU funding?"
    if _OTHERS.search(plan.analysis.searched) and not own:  # "the other ones?", "what else?"
        return False  # anything else is what is asked
    rows = [r for r in map(index.row, plan.demote) if r is not None]
    said = max(index.dense_scores(rows, query), default=0.0)
    if max(u.hit.dense or 0.0 for u in unsaid) < FOLLOW_SHARE * said:
        return True
    closest = max(unsaid, key=lambda u: u.hit.dense or 0.0)
    topic = closest.label or is_overview(closest, vocabulary)
    if not topic or retrieval.meaning is None or plan.query == plan.analysis.searched:
        return False
    # A topic's line, mostly its webinar's heading, is near anything on the webinar's subject:
    # read with the question it follows ("… EU funding? → what else can the money be used
    # for?"), by the passages' own words, it is not.
    whole, *vectors = retrieval.meaning(
        [plan.query, *(index.chunks[r].plain for r in rows), *(u.plain for u in unsaid)]
    )
    similar = [float(v @ whole) for v in vectors]
    return max(similar[len(rows) :]) < FOLLOW_SHARE * max(similar[: len(rows)])


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


def _says_less(question: str, vocabulary: Vocabulary) -> Callable[[Unit], bool]:
    """What says less than a lesson: a topic label; and a webinar's title and topics, unless
    the question asks about a webinar ("Was this covered in a webinar?"), not what the
    webinars taught ("What did the webinars teach about COVID?")."""
    if _A_WEBINAR.search(question):
        return lambda u: u.label
    return lambda u: u.label or is_overview(u, vocabulary)


def _lead(units: list[Unit], retrieval: Retrieval, says_less: Callable[[Unit], bool]) -> Unit:
    """Of the lessons ranked nearly as high as the first, the one most similar to the
    question; a topic label (or what else ``says_less``) leads only when no lesson is nearly
    as good."""
    first = units[0]
    close = [u for u in units if u.hit.score >= LEAD_SHARE * first.hit.score]
    near = [u for u in units if u.hit.score >= LABEL_SHARE * first.hit.score]
    lessons = [u for u in near if not says_less(u)] or _says_as_much(units, retrieval, says_less)
    pool = [u for u in close if not says_less(u)] or lessons
    pool = pool or [u for u in near if not u.label] or [first]
    form = retrieval.plan.form
    if form is not None:
        # "Why …?": a lesson giving a reason, if nearly as good; "What is a PLW?" (or "a sixth
        # session?"): the passage defining it (saying what comes next), wherever it ranks.
        future = form.kind == "future" and series_asked(retrieval.plan, EVENTS)
        eligible = (
            [u for u in units if not u.label] if form.kind == "definition" or future else lessons
        )
        held = {i: degree(form, u.plain) for i, u in enumerate(eligible)}
        most = max(held.values(), default=0)  # a doer as the subject of the deed, first
        strongest = [eligible[i] for i, d in held.items() if d and d == most]
        pool = strongest or [u for u in eligible if holds(loosened(form), u.plain)] or pool
    # Text read from a scan with low OCR confidence leads only when nothing else can.
    legible = [u for u in pool if not blurred(u)]
    pool = legible or [u for u in units if not u.label and not blurred(u)] or pool
    similar = _similarity(pool, retrieval)
    return pool[max(range(len(pool)), key=lambda i: (similar[i], -pool[i].n))]


def _says_as_much(
    units: list[Unit], retrieval: Retrieval, says_less: Callable[[Unit], bool]
) -> list[Unit]:
    """The lessons ranked below a topic label that are at least as similar to the question in
    their own words: a label's stored vector is mostly its webinar's heading ("Adaptation of
    the action plan" under PLW#3's title), a lesson's says what to do ("Be flexible and able
    to adjust plans")."""
    first, query, meaning = units[0], retrieval.query, retrieval.meaning
    asked = retrieval.plan.asked or retrieval.plan.analysis.searched
    if not says_less(first) or query is None or meaning is None or _OF_WEBINARS.search(asked):
        return []  # ("Was that discussed in a webinar?": a topic's line answers)
    below = [u for u in units[1:] if u.hit.score >= REACH * first.hit.score and not says_less(u)]
    if not below:
        return []
    label, *plain = meaning([first.hit.chunk.plain, *(u.hit.chunk.plain for u in below)]) @ query
    return [u for u, p in zip(below, plain, strict=True) if p >= label]


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
