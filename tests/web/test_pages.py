"""The document page (a note rendered, its passage marked) and the lessons page (key lessons,
webinars, other notes; a filter that stems and knows British from American spelling)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import unquote_plus

import pytest
from conftest import CORPUS, FIXTURES, HashEmbedder, write
from fastapi.testclient import TestClient

from plw_assistant.config import Settings
from plw_assistant.domain import DETAILS, Chunk, Document
from plw_assistant.ingest.chunker import chunk_document
from plw_assistant.ingest.corpus import load_corpus
from plw_assistant.ingest.parse import parse_document
from plw_assistant.lessons import ALL_WEBINARS, words
from plw_assistant.pipeline.build import build_index
from plw_assistant.web.app import create_app
from plw_assistant.web.documents import document_view

ARTICLE = "blues-plw-lessons-learnt"
PARTS = (("key", "Key lessons"), ("webinars", "Webinars"), ("others", "Other notes"))
WRAP_UP = ("For futures generations of ESCP-4x partnerships", "As cluster organisation")


def _passage(starts: str) -> Chunk:
    """The corpus passage starting with ``starts`` (chunk ids do not depend on the index)."""
    _, chunks = load_corpus(CORPUS)
    return next(c for c in chunks if c.text.startswith(starts))


def _lessons(r) -> list[Chunk]:
    return [
        c for p in r.context["parts"] for g in p.groups for cs in g.sections.values() for c in cs
    ]


def _wrap_up_items() -> list[tuple[str, str]]:
    """(heading, item) of the article's wrap-up lists, read from the file itself."""
    text = (CORPUS / f"{ARTICLE}.md").read_text(encoding="utf-8")
    out, heading = [], None
    for line in text.splitlines():
        if line.startswith("## "):
            heading = None
        elif line.startswith("### "):
            heading = re.sub(r"^###\s+\d+/\s*", "", line)
        elif heading and line.startswith("- "):
            out.append((heading, line[2:]))
    return out


# The document page -----------------------------------------------------------------------


def test_document_page_is_rendered_not_raw(client: TestClient) -> None:
    r = client.get(f"/documents/{ARTICLE}")
    assert r.status_code == 200 and r.template.name == "document.html"
    main = r.text.split("<main>", 1)[1]
    for raw in ("---", "##", "<!--", "The heading below was added", "title: Wrap-up"):
        assert raw not in main, raw
    assert main.count("<h1>") == 1 and "<h2>Context</h2>" in main
    assert "<h3>1/ For futures generations of ESCP-4x partnerships</h3>" in main
    assert "<li>Be flexible and able to adjust plans</li>" in main
    meta = re.search(r'<p class="doc-meta">(.*?)</p>', main, re.S)
    assert meta is not None
    assert "By Oriane Marchal" in meta.group(1)
    assert '<time datetime="2022-04-19">19 April 2022</time>' in meta.group(1)
    assert "<li>lessons-learnt</li>" in main  # the tags
    assert 'id="passage"' not in main  # nothing cited, nothing marked


def test_document_page_marks_the_cited_passage(client: TestClient) -> None:
    eu = _passage("Members are more and more interested")
    r = client.get(f"/documents/{ARTICLE}", params={"passage": eu.id})
    assert f'<mark id="passage">{eu.text}</mark>' in r.text
    assert r.text.count("<mark") == 1 and r.context["view"].marked
    # A list item with sub-items: one <mark> per run of text, so the tags still nest.
    item = _passage("PLW#3: ENLARGE THE SHARING KNOWLEDGE")
    html = client.get(f"/documents/{ARTICLE}", params={"passage": item.id}).text
    assert '<li><mark id="passage">PLW#3: ENLARGE THE SHARING KNOWLEDGE' in html
    assert "<li><mark>Communicate in a fog period</mark></li>" in html
    assert "<li><mark>Adaptation of the action plan in ESCP4x Project</mark></li>" in html
    # A passage of another note marks nothing; an unknown one neither.
    topic = _passage("IT tool")
    for passage in (topic.id, "no-such-passage"):
        other = client.get(f"/documents/{ARTICLE}", params={"passage": passage})
        assert other.status_code == 200 and 'id="passage"' not in other.text


def test_a_cited_front_matter_line_is_marked_in_the_details(client: TestClient) -> None:
    answer = client.post("/api/ask", json={"question": "Who wrote the wrap-up article?"}).json()
    author = next(c for c in answer["citations"] if c["section"] == DETAILS)
    r = client.get(f"/documents/{ARTICLE}", params={"passage": author["chunk_id"]})
    assert 'By <mark id="passage">Oriane Marchal</mark>' in r.text


def _note(rel: str, text: str | bytes) -> tuple[Document, list[Chunk]]:
    doc = parse_document(rel, text.encode() if isinstance(text, str) else text)
    return doc, chunk_document(doc)


def test_raw_html_in_a_note_stays_text() -> None:
    doc, chunks = _note("script-note.md", (FIXTURES / "hostile" / "script-note.md").read_text())
    view = document_view(doc, chunks[0])
    assert "<script" not in view.body and "<img" not in view.body
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in view.body
    assert '<mark id="passage">This made-up lesson' in view.body
    hostile = "# T\n\n- [a link](javascript:alert(1)) <a href='x'>b</a> <!-- gone -->\n"
    doc, chunks = _note("made-up.md", hostile)
    body = document_view(doc, None).body
    assert "javascript:" not in body.replace("(javascript:", "") and "&lt;a href" in body
    assert "gone" not in body and "<!--" not in body


def test_passages_markdown_cannot_wrap_are_marked_as_blocks() -> None:
    text = (
        "# Made-up note\n\n- one *made-up.*\n<!-- alone on its line -->\n- two\n\n"
        "```\ncode <!-- kept -->\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "> A *quoted* made-up lesson.\n"
    )
    doc, chunks = _note("made-up.md", text)
    expected = {
        "one": '<li class="cited" id="passage">one <em>made-up.</em></li>\n<li>two</li>',
        "```": '<pre><code class="cited" id="passage">code &lt;!-- kept --&gt;',
        "|": '<table class="cited" id="passage">',
        ">": '<blockquote class="cited" id="passage">\n<p>A <em>quoted</em>',
    }
    for start, html in expected.items():
        chunk = next(c for c in chunks if c.text.startswith(start))
        view = document_view(doc, chunk)
        assert html in view.body and view.marked, (start, view.body)
        assert view.body.count('id="passage"') == 1 and "alone on its line" not in view.body


def test_plain_text_and_pdf_pages() -> None:
    doc, chunks = _note("made-up.txt", "First made-up paragraph.\n\nSecond <b>one</b>.\n")
    view = document_view(doc, chunks[1])
    assert str(view.body) == (
        '<p>First made-up paragraph.</p><p><mark id="passage">Second &lt;b&gt;one&lt;/b&gt;.'
        "</mark></p>"
    )
    pdf = replace(doc, pages=(0, 26), markdown=False)
    body = str(document_view(pdf, chunks[1]).body)
    assert body.index("p. 1") < body.index("First") < body.index("p. 2") < body.index("Second")


# The lessons page ------------------------------------------------------------------------


def test_key_lessons_are_the_wrap_up_in_order(client: TestClient) -> None:
    r = client.get("/lessons")
    key = r.context["parts"][0]
    assert key.key == "key" and key.title == "Key lessons"
    assert [g.title for g in key.groups] == list(WRAP_UP)
    shown = [(g.title, c.text) for g in key.groups for cs in g.sections.values() for c in cs]
    assert shown == _wrap_up_items() and len(shown) == 9
    html = r.text
    assert html.index(f"<h3>{WRAP_UP[0]}</h3>") < html.index(f"<h3>{WRAP_UP[1]}</h3>")
    order = [html.index(f'<h2 id="part-{k}">{t}</h2>') for k, t in PARTS]
    assert order == sorted(order)


def test_webinars_with_their_topics_and_nothing_twice(client: TestClient) -> None:
    r = client.get("/lessons")
    parts = {p.key: p for p in r.context["parts"]}
    webinars = parts["webinars"].groups
    assert [g.session for g in webinars] == [f"PLW#{n}" for n in range(1, 6)]
    assert webinars[0].title == "Knowing each other"
    for n, group in enumerate(webinars, 1):
        note = (CORPUS / "sessions" / f"plw-{n}.md").read_text(encoding="utf-8")
        topics = [line[2:] for line in note.splitlines() if line.startswith("- ")]
        assert [c.text for c in group.sections["Topics"]] == topics
        assert group.overview is not None and group.overview.text.startswith(f"PLW#{n}:")
    others = [c for g in parts["others"].groups for cs in g.sections.values() for c in cs]
    assert others and not any(re.match(r"PLW#\d", c.text) for c in others)
    assert not any(c.section == DETAILS for c in others)
    every = [c.id for c in _lessons(r)]
    assert len(every) == len(set(every)) == r.context["total"]
    assert "In the overview" in r.text and 'href="/documents/sessions/plw-1"' in r.text


def test_the_filter_stems_and_knows_both_spellings(client: TestClient) -> None:
    assert words("digitalisation") == words("Digitalization")
    assert words("organisations colour") == words("organizations color")
    r = client.get("/lessons", params={"filter": "digitalisation"})
    assert [c.text[:40] for c in _lessons(r)] == ["Digitalization of cluster services is ve"]
    assert "1 lesson matches “digitalisation”." in r.text
    r = client.get("/lessons", params={"filter": "funding"})
    assert r.context["total"] == 3 and "3 lessons match “funding”." in r.text
    r = client.get("/lessons", params={"filter": "PLW#5"})
    assert [g.session for p in r.context["parts"] for g in p.groups] == ["PLW#5"]
    assert r.context["total"] == 4
    r = client.get("/lessons", params={"filter": "PLW#7"})
    assert r.context["total"] == 0 and "No lesson matches “PLW#7”." in r.text


def test_a_lists_lead_in_is_not_a_lesson(client: TestClient) -> None:
    lead_in = _passage("From all the discussions and sharing")
    assert lead_in.text.rstrip().endswith(":")
    for by in ("document", "webinar"):
        r = client.get("/lessons", params={"by": by})
        shown = _lessons(r)
        assert lead_in.id not in {c.id for c in shown} and "can be extracted:" not in r.text
        assert not [c.text for c in shown if c.text.rstrip().endswith(":")]
        assert f"{len(shown)} lessons." in r.text


def test_the_filter_corrects_typos_as_the_search_does(client: TestClient) -> None:
    funding = [c.id for c in _lessons(client.get("/lessons", params={"filter": "funding"}))]
    r = client.get("/lessons", params={"filter": "fundng"})
    assert [c.id for c in _lessons(r)] == funding and len(funding) == 3
    assert '3 lessons match “funding”. <span class="corrected">(You typed “fundng”.)' in r.text
    r = client.get("/lessons", params={"filter": "partner serch"})
    assert r.context["meant"] == "partner search" and r.context["total"] == 1
    r = client.get("/lessons", params={"filter": "digitalsation PLW#5"})  # the name left as typed
    assert r.context["meant"] == "digitalization PLW#5"
    r = client.get("/lessons", params={"filter": "funding"})
    assert r.context["meant"] == "" and "You typed" not in r.text  # nothing to correct


def test_ask_about_this_asks_about_the_lessons_subject(client: TestClient) -> None:
    r = client.get("/lessons")
    asked = [unquote_plus(q) for q in re.findall(r'class="ask-about" href="/\?q=([^"]+)"', r.text)]
    shown = _lessons(r)
    assert len(asked) == len(shown)
    # Its subject, in whole words (never "… link/trust with thei").
    by_start = {c.text[:20]: q for c, q in zip(shown, asked, strict=True)}
    assert by_start["Communication has to"] == (
        "Why does communication have to be maintained at all costs and especially in "
        "difficult times?"
    )
    assert by_start["Members are more and"] == (
        "Why are members more and more interested in EU funding programmes?"
    )
    assert by_start["Be flexible and able"] == (
        "Why is it advised to be flexible and able to adjust plans?"
    )
    assert by_start["Partner search"] == "What was said about “Partner search” in PLW#5?"
    for c, question in zip(shown, asked, strict=True):
        assert question.endswith("?") and "Tell me more" not in question, question
        said = set(re.findall(r"[\w#-]+", f"{c.plain} {c.section} {c.title}".lower()))
        own = set(re.findall(r"[\w#-]+", question.lower())) - said
        assert own <= {
            "why",
            "what",
            "was",
            "said",
            "about",
            "in",
            "do",
            "does",
            "is",
            "are",
            "it",
            "advised",
            "to",
            "not",
            "the",
            "notes",
            "say",
            "have",
            "has",
            "been",
        }, (question, own)
        # Its answer adds to the lesson: the rest of its list, its webinar, other passages.
        answer = client.post("/api/ask", json={"question": question}).json()
        assert not answer["abstained"], question
        others = {x["chunk_id"] for x in answer["citations"]} - {c.id}
        assert others, question


def test_by_webinar_keeps_general_lessons_under_all_webinars(client: TestClient) -> None:
    r = client.get("/lessons", params={"by": "webinar"})
    (part,) = r.context["parts"]
    assert part.groups[0].title == ALL_WEBINARS
    assert [g.session for g in part.groups] == [None] + [f"PLW#{n}" for n in range(1, 6)]
    general = part.groups[0]
    assert list(general.sections)[:2] == list(WRAP_UP)
    assert sum(len(general.sections[h]) for h in WRAP_UP) == 9
    assert f"<h2>{ALL_WEBINARS}</h2>" in r.text
    everything = client.get("/lessons").context["total"]
    assert r.context["total"] == everything


# A note with raw HTML, served -------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("pages")
    shutil.copytree(CORPUS, root / "corpus")
    shutil.copy(FIXTURES / "hostile" / "script-note.md", root / "corpus" / "script-note.md")
    write(root / "corpus" / "notes.txt", "Made-up plain note about digitalisation.\n")
    settings = Settings(
        corpus_dir=root / "corpus",
        index_dir=root / "index",
        cache_dir=root / "cache",
        model="test-hash-embedder",
    )
    embedder = HashEmbedder()
    build_index(settings, embedder)
    with TestClient(create_app(settings, embedder)) as c:
        yield c


def test_a_note_with_a_script_is_shown_escaped(hostile_client: TestClient) -> None:
    r = hostile_client.get("/documents/script-note")
    assert r.status_code == 200
    main = r.text.split("<main>", 1)[1]
    assert "<script" not in main and "<img" not in main and "<b>" not in main
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in main
    assert "Made-up test note &lt;b&gt;bold title&lt;/b&gt;" in main
    lessons = hostile_client.get("/lessons", params={"filter": "newsletters"})
    assert "<script>alert" not in lessons.text and "&lt;script&gt;" in lessons.text
    r = hostile_client.get("/lessons", params={"filter": "digitalization"})
    assert r.context["total"] == 2  # the article's lesson and the .txt note's, spelt -isation
    note = hostile_client.get("/documents/notes")
    assert "<p>Made-up plain note about digitalisation.</p>" in note.text


def test_pages_link_their_stylesheet(hostile_client: TestClient) -> None:
    for url in ("/lessons", f"/documents/{ARTICLE}"):
        assert '/static/pages.css"' in hostile_client.get(url).text
    assert hostile_client.get("/static/pages.css").status_code == 200


def test_no_such_note(hostile_client: TestClient) -> None:
    assert hostile_client.get("/documents/no-such-note").status_code == 404
