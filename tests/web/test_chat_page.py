"""The chat page's logic without a browser: links that hold an answer, the conversation
rendered turn by turn, honest filters, human wording, feedback with comments and "missing"."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from html import escape, unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from plw_assistant.appdata.database import AppDatabase
from plw_assistant.appdata.feedback import COLUMNS, FeedbackStore
from plw_assistant.appdata.migrations import Legacy
from plw_assistant.cli import cli
from plw_assistant.config import Settings
from plw_assistant.web.app import create_app
from plw_assistant.web.render import passage_html
from plw_assistant.web.responses import AnswerOut

FUNDING = "How can clusters support their members with EU funding?"
COVID = "Which webinar dealt with the impact of COVID?"
LESSONS_TITLE = "Wrap-up of the main lessons learnt from the BLUES Peer learning webinars"


@pytest.fixture
def own(tmp_path: Path, settings: Settings, embedder) -> Iterator[tuple[TestClient, Path]]:
    """A server of its own: its feedback goes to its own file."""
    index_dir = tmp_path / "index"
    shutil.copytree(settings.index_dir, index_dir, ignore=shutil.ignore_patterns("app.sqlite*"))
    s = settings.model_copy(update={"index_dir": index_dir})
    with TestClient(create_app(s, embedder)) as client:
        yield client, index_dir / "app.sqlite"


def _query(url: str) -> dict[str, list[str]]:
    parts = urlsplit(url)
    assert parts.path == "/", url
    return parse_qs(parts.query)


def test_a_first_question_redirects_to_its_own_link(client: TestClient) -> None:
    form = {"q": f"  {FUNDING} ", "history": "[]", "mode": "bm25", "tag": "covid", "session": ""}
    r = client.post("/", data=form, follow_redirects=False)
    assert r.status_code == 303
    assert _query(r.headers["location"]) == {"q": [FUNDING], "mode": ["bm25"], "tag": ["covid"]}
    default = client.post("/", data={"q": FUNDING, "mode": "hybrid"}, follow_redirects=False)
    assert _query(default.headers["location"]) == {"q": [FUNDING]}  # the default mode: no param
    page = client.get(default.headers["location"])
    assert page.status_code == 200 and page.context["share_url"] == default.headers["location"]


def test_questions_that_cannot_be_links_are_answered_in_place(client: TestClient) -> None:
    empty = client.post("/", data={"q": "   "}, follow_redirects=False)
    assert empty.status_code == 422 and empty.context["error"].startswith("The question is empty")
    long = "EU funding " + "é" * 1900  # within the question limit, too long for a link
    r = client.post("/", data={"q": long}, follow_redirects=False)
    assert r.status_code == 200 and r.context["answer"] is not None


def test_a_follow_up_renders_the_conversation_and_lands_on_it(client: TestClient) -> None:
    first = client.get("/", params={"q": COVID})
    assert "autofocus" not in first.text and 'action="/#latest"' in first.text
    second = client.post(
        "/", data={"q": "What else was discussed there?", "history": first.context["history_json"]}
    )
    assert second.status_code == 200
    assert [t.question for t in second.context["turns"]] == [
        COVID,
        "What else was discussed there?",
    ]
    # Its link asks the follow-up as resolved, so that it stands alone (issue 24).
    assert second.context["share_url"] == "/?q=What+else+was+discussed+in+PLW%231%3F"
    turns = re.findall(r'<section class="turn"', second.text)
    assert (
        len(turns) == 2 and '<h2 class="asked" tabindex="-1" id="latest">What else' in second.text
    )
    ids = re.findall(r'\bid="([^"]+)"', second.text)
    assert len(ids) == len(set(ids)), "an id twice"
    assert 'id="passage-1"' in second.text and 'id="t2-passage-1"' in second.text
    assert 'href="#t2-passage-1"' in second.text  # the second answer's [1] is its own passage
    assert "COVID impact" in second.text.split('id="latest"')[0]  # the first answer, above
    empty = client.get("/")
    assert "autofocus" in empty.text and 'action="/"' in empty.text


def test_earlier_turns_sent_back_malformed_are_shown_safely(client: TestClient) -> None:
    citations = [
        {"n": "x", "chunk_id": "a", "document": "d", "text": "t"},
        {"n": 1, "chunk_id": "c#1", "document": "d", "text": "<b>bold</b> \ud800", "score": 1e999},
        {"n": 2, "chunk_id": "c#2", "document": "d", "text": "ab", "highlights": [["x", 1]]},
        {"n": 3, "chunk_id": "c#3", "document": "d", "text": "ab", "highlights": [[5, 99]]},
        {"n": 4},
    ]
    history = json.dumps([{"question": "Q <i>1</i>", "answer": "A [1]", "citations": citations}])
    r = client.post("/", data={"q": "And partner search?", "history": history})
    assert r.status_code == 200
    earlier = r.context["turns"][0]
    assert [c.n for c in earlier.citations] == [1, 3]
    assert "<b>bold" not in r.text and "&lt;b&gt;bold&lt;/b&gt;" in r.text
    assert "Q &lt;i&gt;1&lt;/i&gt;" in r.text


def test_a_filter_that_leaves_nothing_says_so_and_links_without_it(client: TestClient) -> None:
    # Nothing in the notes answers it, within the filter or without: nowhere better to name.
    kubernetes = "How do I configure a Kubernetes ingress?"
    r = client.get("/", params={"q": kubernetes, "tag": "covid", "mode": "dense"})
    assert r.context["answer"].abstained and r.context["answer"].elsewhere is None
    note = r.context["filter_note"]
    assert note["text"] == "No lesson matched with the filter Tag: COVID."
    assert _query(note["url"]) == {"q": [kubernetes], "mode": ["dense"]}
    assert note["text"] in r.text and 'class="unfiltered"' in r.text
    assert client.get("/", params={"q": "What about EU funding?"}).context["filter_note"] is None
    unfiltered = client.get("/", params={"q": kubernetes})
    assert unfiltered.context["answer"].abstained and unfiltered.context["filter_note"] is None


def test_a_filter_that_leaves_out_the_answer_says_where_it_is(client: TestClient) -> None:
    """Tag "COVID" (PLW#1's note) and a question on partner search: not quoted from PLW#1, but
    said plainly, with the webinar that answers it by its title and the search without the
    filter one click away (a link: no script needed)."""
    question = "How can clusters support members with partner search?"
    r = client.get("/", params={"q": question, "tag": "covid"})
    assert r.context["answer"].abstained
    note = r.context["filter_note"]
    assert note["text"] == (
        "Nothing within the filter Tag: COVID matches this question well. The best match is "
        "in “PLW#5: As a cluster, how to support our members in building EU projects”."
    )
    assert _query(note["url"]) == {"q": [question]}
    turn = "<section" + r.text.split('<section class="turn"', 1)[1].split("</section>", 1)[0]
    assert "No good match within the filter</h3>" in turn and escape(note["text"]) in turn
    assert f'<a class="unfiltered" href="{escape(note["url"])}">' in turn
    assert 'class="text"' not in turn  # the note says it, naming the filter
    assert "This should have been answered" not in turn  # the notes do answer it
    for slug in ("sessions/plw-5", "plw-5.md", "partner-search", "covid"):
        assert slug not in unescape(re.sub(r"<[^>]+>", " ", turn)), slug
    assert "Partner search" in client.get(note["url"]).context["answer"].answer
    two = client.get(
        "/", params={"q": "What about EU funding?", "tag": "covid", "session": "PLW#1"}
    )
    assert two.context["filter_note"]["text"].startswith(
        "Nothing within the filters Webinar: PLW#1: Knowing each other and Tag: COVID matches"
    )
    # The JSON says the same: the passage leading the answer without the filters.
    body = {"question": question, "filters": {"session": "PLW#1"}}
    api = client.post("/api/ask", json=body).json()
    assert api["abstained"] and api["citations"] == []
    assert api["elsewhere"]["session"] == "PLW#5" and api["elsewhere"]["text"] == "Partner search"
    assert client.post("/api/ask", json={"question": question}).json()["elsewhere"] is None


def test_filters_show_titles_and_names_and_the_mode_is_advanced(client: TestClient) -> None:
    r = client.get("/", params={"document": "blues-plw-lessons-learnt"})
    labels = r.context["labels"]
    assert labels["document"]["blues-plw-lessons-learnt"] == LESSONS_TITLE
    assert labels["session"]["PLW#1"] == "PLW#1: Knowing each other"
    assert f'<option value="blues-plw-lessons-learnt" selected>{LESSONS_TITLE}</option>' in r.text
    assert '<option value="PLW#1">PLW#1: Knowing each other</option>' in r.text
    assert f'<span class="scope-now">Document: {LESSONS_TITLE}</span>' in r.text
    assert r.context["labels"]["tag"]["it-tool"] == "IT tool"
    # A webinar's own note is its "Webinar" choice, not a "Document" one too.
    documents = r.context["facets"]["document"]
    assert documents and not any(labels["document"][d].startswith("PLW#") for d in documents)
    assert '<details class="scope">' in r.text  # folded, its line says what is set


def test_a_filter_is_for_its_question_and_shown_on_its_turn(client: TestClient) -> None:
    r = client.get("/", params={"q": FUNDING, "tag": "eu-funding"})
    assert not r.context["answer"].abstained
    assert "Searched only in Tag: EU funding." in r.text
    assert _query(r.context["scope_note"]["url"]) == {"q": [FUNDING]}
    form = r.text.split('<form class="ask"', 1)[1]
    assert " selected>" not in form.split('id="mode"')[0]  # the next question starts without
    assert '<span class="scope-now">all lessons</span>' in form
    # Each label sits with its control; the search mode is under "Advanced".
    for field in ("session", "document", "tag"):
        assert re.search(rf'<span class="field">\s*<label for="filter-{field}">', r.text)
    advanced = r.text.split('<details class="advanced">', 1)[1].split("</details>", 1)[0]
    assert "<summary>Advanced</summary>" in advanced and 'id="mode"' in advanced


def test_relevance_is_words_and_a_bar_with_the_score_in_a_tooltip(client: TestClient) -> None:
    r = client.get("/", params={"q": FUNDING})
    assert "Close match" in r.text and '<meter min="0" max="1" value="1.00"' in r.text
    assert re.search(r'title="Relevance score \d\.\d\d"', r.text)
    assert not re.search(r">\s*score \d", r.text)  # no bare "score 1.00" in the text
    api = client.post("/api/ask", json={"question": FUNDING}).json()
    assert isinstance(api["citations"][0]["score"], float)  # the JSON keeps the number


def test_no_without_javascript_asks_for_a_comment(own) -> None:
    client, db = own
    vote = {"rating": "down", "question": FUNDING, "answer": "A [1]", "chunk_ids": "x#1"}
    r = client.post("/feedback", data=vote)
    assert r.status_code == 200 and r.context["ask_comment"] is True
    assert "What was wrong or missing?" in r.text and 'name="vote"' in r.text
    comment = {"vote": str(r.context["vote"]), "question": FUNDING, "comment": "Made-up: too short"}
    saved = client.post("/feedback", data=comment)
    assert saved.status_code == 200 and saved.context["commented"] is True
    assert "your comment" in saved.text
    again = client.post("/feedback", data=comment | {"comment": "Made-up: overwrite"})
    assert again.status_code == 422  # a vote takes one comment
    wrong = client.post("/feedback", data=comment | {"vote": "99999"})
    assert wrong.status_code == 422
    assert client.post("/feedback", data=comment | {"vote": "9" * 30}).status_code == 422
    up = client.post("/feedback", data=vote | {"rating": "up"})
    assert up.context["ask_comment"] is False and "What was wrong" not in up.text
    rows = FeedbackStore(AppDatabase(db)).rows()
    assert [(r[1], r[5], r[6]) for r in rows] == [
        ("down", "Made-up: too short", "answer"),
        ("up", "", "answer"),
    ]


def test_missing_answers_and_comments_reach_the_store_and_the_csv(own) -> None:
    client, db = own
    # A refusal near the notes (a question about clusters' members) may be a gap in them: it
    # is offered to the notes' editors; one clearly outside them (Kubernetes: no passage is
    # near it in meaning) is not, as the notes were never meant to answer it.
    abstained = client.get("/", params={"q": "How do clusters handle GDPR for member data?"})
    assert abstained.context["answer"].abstained
    assert 'name="kind" value="missing"' in abstained.text
    assert "This should have been answered" in abstained.text
    assert 'name="rating" value="up"' not in abstained.text
    for outside in ("How do I configure a Kubernetes ingress?", "How do I bake bread?"):
        refused = client.get("/", params={"q": outside})
        assert refused.context["answer"].outside, outside
        assert "This should have been answered" not in refused.text
        assert 'value="missing"' not in refused.text and "No lesson in the notes" in refused.text
    form = {"rating": "down", "kind": "missing", "question": "Made-up question", "answer": "No"}
    thanks = client.post("/feedback", data=form)
    assert "noted as a question the lessons should answer" in thanks.text
    body = {"rating": "down", "question": "Made-up 2", "comment": "Made-up: first words"}
    vote = client.post("/api/feedback", json=body).json()["vote"]
    # One vote per answer: sent again with its id, the same vote changes.
    body |= {"vote": vote, "comment": "Made-up: wrong webinar"}
    assert client.post("/api/feedback", json=body).json() == {"status": "saved", "vote": vote}
    other = body | {"question": "Another made-up question"}
    assert client.post("/api/feedback", json=other).status_code == 422
    missing = {"rating": "down", "kind": "missing", "question": "Made-up 3"}
    assert client.post("/api/feedback", json=missing).status_code == 200
    assert client.post("/api/feedback", json=missing | {"kind": "other"}).status_code == 422
    out = CliRunner().invoke(
        cli, ["feedback", "export"], env={"PLW_INDEX_DIR": str(db.parent)}, catch_exceptions=False
    )
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert tuple(rows[0]) == COLUMNS
    assert [(r["question"], r["kind"], r["comment"]) for r in rows] == [
        ("Made-up question", "missing", ""),
        ("Made-up 2", "answer", "Made-up: wrong webinar"),
        ("Made-up 3", "missing", ""),
    ]


def test_a_feedback_file_from_before_the_kind_column_is_imported(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE feedback (id INTEGER PRIMARY KEY, created_at TEXT, "
        "rating TEXT CHECK (rating IN ('up', 'down')), question TEXT, answer TEXT, "
        "chunk_ids TEXT, comment TEXT)"
    )
    db.execute(
        "INSERT INTO feedback (created_at, rating, question, answer, chunk_ids, comment) "
        "VALUES ('2024-01-01T00:00:00+0000', 'up', 'Old question', 'a', 'x#1', '')"
    )
    db.commit()
    db.close()
    store = FeedbackStore(AppDatabase(tmp_path / "app.sqlite", Legacy(feedback=path)))
    assert store.rows() == [
        ("2024-01-01T00:00:00+0000", "up", "Old question", "a", "x#1", "", "answer")
    ]
    vote = store.add("down", "New question", "b", ["y#2"], kind="missing")
    assert store.set_comment(vote, "New question", "Made-up: expected PLW#2")
    assert not store.set_comment(vote, "Another question", "x")
    assert [r[6] for r in store.rows()] == ["answer", "missing"]
    assert store.to_csv().splitlines()[0] == ",".join(COLUMNS)


def test_a_passages_list_is_shown_as_a_list(client: TestClient) -> None:
    r = client.get("/", params={"q": "What was discussed in PLW#3?"})
    quoted = r.text.split('<section class="passages"', 1)[1]
    shown = re.findall(r"<blockquote>(.*?)</blockquote>", quoted, re.S)
    assert shown[0] == (
        "<mark>PLW#3: ENLARGE THE SHARING KNOWLEDGE</mark><ul>"
        "<li><mark>Communicate in a fog period</mark></li>"
        "<li><mark>Adaptation of the action plan in ESCP4x Project</mark></li></ul>"
    )
    assert not [b for b in shown if "\n" in b or "- " in b]  # no raw bullets


def test_passage_html_nests_lists_and_keeps_highlights_whole() -> None:
    text = "Made-up list:\n- one <b>\n  - one.a\n- two\nAfter it."
    html = str(passage_html(text, [(8, 20), (40, 43)]))
    assert html == (
        "Made-up <mark>list:</mark><ul><li><mark>one </mark>&lt;b&gt;<ul><li>one.a</li></ul>"
        "</li><li>two</li></ul><mark>Aft</mark>er it."
    )
    assert str(passage_html("Made-up line one\nline two", [])) == "Made-up line one\nline two"


def _placeholder(html: str) -> str:
    match = re.search(r'<input id="q"[^>]*placeholder="([^"]*)"', html, re.S)
    assert match is not None
    return unescape(match.group(1))


def test_the_follow_up_box_suggests_from_what_was_answered(client: TestClient) -> None:
    webinar = client.get("/", params={"q": "What was discussed in PLW#5?"})
    suggested = _placeholder(webinar.text)
    assert suggested == "And what about “Communication & information on funding opportunities”?"
    assert f'data-follow-up="{escape(suggested)}"' in webinar.text
    # Right after a partner-search answer: the webinar's next topic, not partner search again.
    history = AnswerOut.of(webinar.context["answer"]).model_dump_json()
    partner = client.post(
        "/", data={"q": "And what about partner search?", "history": f"[{history}]"}
    )
    assert _placeholder(partner.text) == "And what about “Setting up proposals”?"
    # A lesson of a list: another lesson of the same list, asked as a whole question.
    funding = client.get(
        "/", params={"q": "How can clusters support their members with EU funding?"}
    )
    assert _placeholder(funding.text) == "Why is Digitalization of cluster services very strategic?"
    # After a refusal: no suggestion, a plain invitation.
    refused = client.get("/", params={"q": "How do I configure a Kubernetes ingress?"})
    assert _placeholder(refused.text) == "Ask another question about the lessons"
    assert 'data-follow-up=""' in refused.text
    first = client.get("/")
    assert _placeholder(first.text) == "How can clusters support their members with EU funding?"
