"""Chunking keeps the documents' structure and every span maps back to the source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CORPUS, write

from plw_assistant.domain import DETAILS
from plw_assistant.errors import CorpusError
from plw_assistant.ingest.corpus import load_corpus
from plw_assistant.ingest.parse import parse_document
from plw_assistant.text import plain_text

ARTICLE = "blues-plw-lessons-learnt"


@pytest.fixture(scope="module")
def real():
    return load_corpus(CORPUS)


def test_article_front_matter(real) -> None:
    corpus, _ = real
    doc = next(d for d in corpus.documents if d.id == ARTICLE)
    assert doc.title == "Wrap-up of the main lessons learnt from the BLUES Peer learning webinars"
    assert (doc.author, doc.date, doc.kind) == ("Oriane Marchal", "2022-04-19", "article")
    assert corpus.failed == [] and {f.status for f in corpus.files} == {"new"}


def test_one_note_per_webinar(real) -> None:
    corpus, _ = real
    sessions = {d.session for d in corpus.documents if d.id.startswith("sessions/")}
    assert sessions == {f"PLW#{n}" for n in range(1, 6)}


def test_each_lesson_bullet_is_one_chunk_with_its_heading_path(real) -> None:
    _, chunks = real
    by_section: dict[str, list[str]] = {}
    for c in chunks:
        if c.document == ARTICLE:
            by_section.setdefault(c.section, []).append(c.text)
    cluster = by_section["Wrap-up of the lessons learnt › As cluster organisation"]
    assert len(cluster) == 5
    assert cluster[4].startswith("Members are more and more interested in EU funding programmes")
    assert cluster[4].endswith("extra-paid service.")
    assert (
        len(
            by_section[
                "Wrap-up of the lessons learnt › For futures generations of ESCP-4x partnerships"
            ]
        )
        == 4
    )
    # A nested bullet keeps its sub-items: one chunk per webinar in the introduction.
    intro = by_section["Introduction of the 5 PLWs"]
    assert [t.split(":")[0] for t in intro] == [f"PLW#{n}" for n in range(1, 6)]
    assert "Partner search" in intro[4]


def _heading_path_at(text: str, pos: int) -> str:
    """Independent reference: the ##+ headings in force at ``pos``."""
    stack: list[tuple[int, str]] = []
    for m in re.finditer(r"^(#{2,6})\s+(.+?)\s*$", text[:pos], re.M):
        level = len(m.group(1))
        stack = [s for s in stack if s[0] < level]
        stack.append((level, re.sub(r"^\d+\s*/\s*", "", m.group(2)).rstrip(":")))
    return " › ".join(h for _, h in stack)


def test_spans_map_back_and_no_chunk_crosses_sections(real) -> None:
    corpus, chunks = real
    docs = {d.id: d for d in corpus.documents}
    assert len(chunks) > 30
    for c in chunks:
        source = docs[c.document].text
        assert source[c.start : c.end] == c.text
        assert c.text and c.text == c.text.strip()
        assert not re.search(r"^#", c.text, re.M), c.id
        if c.section == DETAILS:  # a front matter line people ask about: "author: …"
            assert c.end < source.index("\n---", 4) and re.match(r"(author|date): \S", c.text)
            continue
        assert c.section == _heading_path_at(source, c.start) == _heading_path_at(source, c.end)
        # the span is also exact against the bytes on disk
        on_disk = (CORPUS / docs[c.document].path).read_text(encoding="utf-8")
        assert on_disk[c.start : c.end] == c.text


def test_chunk_ids_are_stable_and_unique(tmp_path: Path) -> None:
    _, first = load_corpus(CORPUS)
    _, again = load_corpus(CORPUS)
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == len(first)
    # editing one note leaves the other notes' ids untouched
    for src in CORPUS.rglob("*.md"):
        write(tmp_path / src.relative_to(CORPUS), src.read_text(encoding="utf-8"))
    note = tmp_path / "sessions" / "plw-1.md"
    note.write_text(note.read_text(encoding="utf-8") + "\n- A made-up extra topic\n")
    _, edited = load_corpus(tmp_path)
    untouched = {c.id for c in first if c.document != "sessions/plw-1"}
    assert untouched <= {c.id for c in edited}


def test_embedding_text_carries_the_heading_path(real) -> None:
    _, chunks = real
    lesson = next(c for c in chunks if c.text.startswith("Members are more"))
    assert lesson.embedding_text.startswith(
        f"{lesson.title} › Wrap-up of the lessons learnt › As cluster organisation: Members"
    )


def test_bad_files_are_skipped_and_reported(tmp_path: Path) -> None:
    # Made-up fixture notes.
    write(tmp_path / "good.md", "---\ntitle: Good note\n---\n## Lessons\n\n- Keep notes short.\n")
    write(tmp_path / "latin1.md", "caf\xe9 notes".encode("latin-1"))  # Windows-1252: indexed
    write(tmp_path / "binary.md", b"\x00\x01\xff\x00")
    write(tmp_path / "broken.md", "---\ntitle: [unclosed\n---\nText\n")
    write(tmp_path / "empty.txt", "  \n")
    write(tmp_path / "README.md", "# How to write notes\n\nNot content.\n")
    write(tmp_path / "image.gif", b"GIF89a")
    corpus, chunks = load_corpus(tmp_path)
    assert [d.id for d in corpus.documents] == ["good", "latin1"]
    assert [c.text for c in chunks] == ["Keep notes short.", "café notes"]
    reasons = {f.path: f.reason for f in corpus.failed}
    assert {(f.path, f.status, f.reason) for f in corpus.files if f.status == "skipped"} == {
        ("image.gif", "skipped", "unsupported type .gif")
    }
    assert reasons == {
        "broken.md": "its front matter is not valid YAML (line 3 of the file)",
        "empty.txt": "it is empty",
        "binary.md": "it is not text (binary data; not UTF-8 at byte 2)",
    }


def test_missing_corpus_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"does not exist\. Create it or set PLW_CORPUS_DIR"):
        load_corpus(tmp_path / "nowhere")


def test_long_paragraphs_split_between_sentences(tmp_path: Path) -> None:
    sentence = "Clusters shared how they keep members informed during the crisis. "
    write(tmp_path / "long.md", "# Made-up note\n\n" + sentence * 40 + "\n")
    corpus, chunks = load_corpus(tmp_path, max_chars=300)
    text = corpus.documents[0].text
    assert len(chunks) > 1
    for c in chunks:
        assert len(c.text) <= 300
        assert c.text.endswith("crisis.") and c.text.startswith("Clusters")
        assert text[c.start : c.end] == c.text


def test_text_files_and_title_fallbacks(tmp_path: Path) -> None:
    write(tmp_path / "meeting_notes.txt", "First paragraph.\n\n\nSecond\nparagraph.\n")
    corpus, chunks = load_corpus(tmp_path)
    assert corpus.documents[0].title == "Meeting notes"
    assert [c.text for c in chunks] == ["First paragraph.", "Second\nparagraph."]
    doc = parse_document("x.md", b"# Heading title\n\nBody.\n")
    assert doc.title == "Heading title"


def test_plain_text_joins_sub_items() -> None:
    assert plain_text("PLW#2: TITLE\n  - One\n  - Two") == "PLW#2: TITLE: One; Two"
