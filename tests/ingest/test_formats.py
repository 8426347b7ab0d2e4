"""Notes in HTML, PDF and Word: text, structure, metadata and page numbers (made-up files)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import HashEmbedder, write

from plw_assistant.config import Settings
from plw_assistant.ingest.corpus import load_corpus
from plw_assistant.ingest.formats import NO_PDF_TEXT
from plw_assistant.pipeline.build import build_index
from plw_assistant.store.reader import Index


def make_pdf(pages: list[str], title: str = "Made-up PDF notes") -> bytes:
    """A minimal valid PDF with a text layer, one text line per page (test fixture)."""
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    font = 3 + 2 * len(pages)
    for i, text in enumerate(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objects.append(f"<< /Title ({title}) /Author (Made-up author) >>".encode())
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    info = len(objects)
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {info} 0 R >>\n".encode())
    out.write(f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def make_docx() -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.title = "Made-up meeting notes"
    doc.core_properties.author = "Made-up secretary"
    doc.core_properties.keywords = "partner-search, eu-funding"
    doc.add_heading("Made-up meeting notes", level=0)
    doc.add_heading("Decisions", level=1)
    doc.add_paragraph("The made-up cluster will open a partner search desk.", style="List Bullet")
    doc.add_paragraph("Members pay a small fee for proposal reviews.", style="List Bullet")
    doc.add_heading("Next steps", level=1)
    doc.add_paragraph("A made-up follow-up meeting is planned for June.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


HTML = b"""<!doctype html><html><head><meta charset="utf-8"><title>Made-up saved web page</title>
<meta name="keywords" content="communication, crisis"><meta name="date" content="2022-03-01">
<script>alert("never indexed")</script><style>p{color:red}</style></head>
<body><nav>Menu Home About</nav><h1>Made-up saved web page</h1>
<h2>Crisis communication</h2><div><p>Made-up clusters sent a weekly letter during the crisis.</p>
<p>They also held short online calls.</p></div>
<ul><li>Keep messages short</li><li>Answer members within a day</li></ul>
<footer>Copyright made-up</footer></body></html>"""


def test_html_keeps_structure_and_metadata(tmp_path: Path) -> None:
    write(tmp_path / "page.html", HTML)
    corpus, chunks = load_corpus(tmp_path)
    doc = corpus.documents[0]
    assert (doc.title, doc.date, doc.tags) == (
        "Made-up saved web page",
        "2022-03-01",
        ("communication", "crisis"),
    )
    assert "alert" not in doc.text and "Menu" not in doc.text and "Copyright" not in doc.text
    assert [(c.section, c.text) for c in chunks] == [
        ("Crisis communication", "Made-up clusters sent a weekly letter during the crisis."),
        ("Crisis communication", "They also held short online calls."),
        ("Crisis communication", "Keep messages short"),
        ("Crisis communication", "Answer members within a day"),
    ]
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text


def test_docx_headings_lists_and_properties(tmp_path: Path) -> None:
    write(tmp_path / "meeting.docx", make_docx())
    corpus, chunks = load_corpus(tmp_path)
    doc = corpus.documents[0]
    assert (doc.title, doc.author, doc.tags) == (
        "Made-up meeting notes",
        "Made-up secretary",
        ("partner-search", "eu-funding"),
    )
    assert doc.date is not None
    assert [(c.section, c.text) for c in chunks] == [
        ("Decisions", "The made-up cluster will open a partner search desk."),
        ("Decisions", "Members pay a small fee for proposal reviews."),
        ("Next steps", "A made-up follow-up meeting is planned for June."),
    ]


def test_pdf_text_and_page_numbers(tmp_path: Path) -> None:
    write(
        tmp_path / "report.pdf",
        make_pdf(
            [
                "Made-up first page about partner search.",
                "Made-up second page about proposal writing.",
            ]
        ),
    )
    corpus, chunks = load_corpus(tmp_path)
    doc = corpus.documents[0]
    assert (doc.title, doc.author) == ("Made-up PDF notes", "Made-up author")
    assert [(c.text, c.page) for c in chunks] == [
        ("Made-up first page about partner search.", 1),
        ("Made-up second page about proposal writing.", 2),
    ]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "it is not a readable PDF"),
        ("broken.docx", b"PK\x03\x04 not a real zip", "it is not a readable Word file"),
        ("scan.pdf", make_pdf(["  "]), NO_PDF_TEXT),
        (
            "empty.html",
            b"<html><body><script>x()</script></body></html>",
            "it has no text to index",
        ),
    ],
)
def test_corrupt_files_fail_with_a_reason(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    write(tmp_path / name, data)
    write(tmp_path / "good.md", "# Made-up\n\nGood note.\n")
    corpus, _ = load_corpus(tmp_path)
    failed = {f.path: f.reason for f in corpus.failed}
    assert failed[name].startswith(reason)
    assert [d.id for d in corpus.documents] == ["good"]


def test_every_format_is_indexed_and_cited(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(
        corpus / "note.md",
        "---\ntitle: Made-up note\nattendees: [Ann, Bo]\n---\n## A\n\n- Made-up lesson.\n",
    )
    write(corpus / "plain.txt", "A made-up plain text note.\n")
    write(corpus / "page.html", HTML)
    write(corpus / "meeting.docx", make_docx())
    write(corpus / "report.pdf", make_pdf(["Made-up page one.", "Made-up page two."]))
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", cache_dir=tmp_path / "c")
    report = build_index(settings, HashEmbedder())
    assert report.count("new") == 5 and not report.failed
    index = Index.load(settings.index_dir)
    assert index.documents["note"].attendees == ("Ann", "Bo")
    pdf_chunks = [c for c in index.chunks if c.document == "report"]
    assert [c.page for c in pdf_chunks] == [1, 2]
    # Stored and read back: only paged sources carry a page number.
    assert all(c.page is None for c in index.chunks if c.document != "report")
