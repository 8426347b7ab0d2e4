"""Slide decks (.pptx): a slide per section, bullet groups, tables as rows, speaker notes, and
citations that say "slide N" (a made-up deck, generated here)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from conftest import write
from fastapi.testclient import TestClient

from plw_assistant.assistant import Assistant
from plw_assistant.config import Settings
from plw_assistant.domain import Question
from plw_assistant.ingest.corpus import load_corpus
from plw_assistant.pipeline.build import build_index
from plw_assistant.web.app import create_app


def make_pptx() -> bytes:
    """A made-up test deck: titles, bullets, speaker notes and a table."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.core_properties.title = "Made-up cluster webinar deck"
    deck.core_properties.author = "Made-up speaker"
    title = deck.slides.add_slide(deck.slide_layouts[0])
    title.shapes.title.text = "Made-up cluster webinar deck"
    title.placeholders[1].text = "Made-up test deck, not a real webinar"
    bullets = deck.slides.add_slide(deck.slide_layouts[1])
    bullets.shapes.title.text = "Member services"
    frame = bullets.placeholders[1].text_frame
    frame.text = "Newsletters every month"
    frame.add_paragraph().text = "Training on export rules"
    for _ in range(2):
        deck.slides.add_slide(deck.slide_layouts[5]).shapes.title.text = "Filler slide"
    search = deck.slides.add_slide(deck.slide_layouts[1])
    search.shapes.title.text = "Partner search"
    frame = search.placeholders[1].text_frame
    frame.text = "The cluster matched forty companies with partners abroad"
    frame.add_paragraph().text = "Matchmaking days were held online"
    search.notes_slide.notes_text_frame.text = "Say that the matchmaking budget was small."
    table_slide = deck.slides.add_slide(deck.slide_layouts[5])
    table_slide.shapes.title.text = "Budget"
    shape = table_slide.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(6), Inches(1))
    for (r, c), text in {
        (0, 0): "Item",
        (0, 1): "Cost",
        (1, 0): "Fair stand",
        (1, 1): "4000 euro",
    }.items():
        shape.table.cell(r, c).text = text
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def test_deck_slides_bullets_notes_and_table(tmp_path: Path) -> None:
    write(tmp_path / "deck.pptx", make_pptx())
    corpus, chunks = load_corpus(tmp_path)
    assert not corpus.failed
    doc = corpus.documents[0]
    assert doc.title == "Made-up cluster webinar deck" and doc.author == "Made-up speaker"
    assert doc.unit == "slide" and len(doc.pages) == 6
    by_text = {c.plain: c for c in chunks}
    group = by_text[
        "• The cluster matched forty companies with partners abroad • Matchmaking "
        "days were held online"
    ]
    assert group.section == "Slide 5: Partner search" and group.page == 5
    assert group.context == "Made-up cluster webinar deck › Slide 5: Partner search"
    assert group.place == "slide 5"
    notes = by_text["Say that the matchmaking budget was small."]
    assert notes.section == "Slide 5: Partner search › Speaker notes" and notes.page == 5
    row = by_text["Item: Fair stand | Cost: 4000 euro"]
    assert row.section == "Slide 6: Budget" and row.place == "slide 6"


QUESTION = "How did the cluster help firms find partners in other countries?"


def test_deck_answer_cites_its_slide(tmp_path: Path, embedder) -> None:
    corpus = tmp_path / "corpus"
    write(corpus / "deck.pptx", make_pptx())
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", cache_dir=tmp_path / "c")
    report = build_index(settings, embedder)
    assert report.count("new") == 1 and not report.failed
    answer = Assistant(settings, embedder).ask(Question(QUESTION))
    lead = answer.citations[0]
    assert "forty companies" in lead.text
    assert not answer.abstained and lead.place == "slide 5"
    assert "Slide 5: Partner search, slide 5" in answer.to_markdown()
    # The page: the passage says "slide 5"; the deck shows slide by slide, the cited one marked.
    with TestClient(create_app(settings, embedder)) as client:
        page = client.get("/", params={"q": QUESTION}).text
        assert '<span class="page">slide 5</span>' in page
        doc = client.get("/documents/deck", params={"passage": lead.chunk_id}).text
    slides = [re.search(rf"<h2[^>]*>Slide {n}\b", doc).start() for n in range(1, 7)]
    assert slides == sorted(slides) and slides[4] < doc.index('id="passage"') < slides[5]
    assert "Partner search”, slide 5." in doc and "Speaker notes" in doc


def test_deck_zip_bomb_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ppt/slides/slide1.xml", b"\0" * (200 * 1024 * 1024))
    write(tmp_path / "bomb.pptx", out.getvalue())
    write(tmp_path / "good.md", "# Made-up\n\nGood note.\n")
    corpus, _ = load_corpus(tmp_path)
    failed = {f.path: f.reason for f in corpus.failed}
    assert failed["bomb.pptx"].startswith("it is a compressed file that expands too much")
    assert [d.id for d in corpus.documents] == ["good"]
