"""E-mail (.eml): subject, date and sender; the body; attachments as notes of their own, linked
to the mail (a made-up mail, generated here)."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from conftest import write
from test_formats import make_pdf

from plw_assistant.assistant import Assistant
from plw_assistant.config import Settings
from plw_assistant.domain import Question
from plw_assistant.ingest.corpus import load_corpus
from plw_assistant.pipeline.build import build_index


def make_eml(html: bool = False) -> bytes:
    """A made-up test e-mail with a PDF attachment and one of an unsupported type."""
    msg = EmailMessage()
    msg["Subject"] = "Made-up follow-up of the export webinar"
    msg["From"] = "Made-up Organiser <organiser@example.org>"
    msg["To"] = "members@example.org"
    msg["Date"] = "Tue, 14 Mar 2023 10:00:00 +0100"
    body = (
        "Dear members,\n\nThis is a made-up test e-mail.\n\n"
        "The next export webinar will explain customs paperwork for shipments to Norway.\n"
    )
    if html:  # an HTML-only mail
        paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
        msg.set_content(f"<html><body><h2>Made-up agenda</h2>{paragraphs}</body></html>", "html")
    else:
        msg.set_content(body)
    pdf = make_pdf(["Made-up attachment, page one.", "Shipping samples needs an ATA carnet."])
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="agenda.pdf")
    msg.add_attachment(b"\x00\x01", maintype="application", subtype="zip", filename="x.zip")
    return msg.as_bytes()


def test_mail_subject_sender_date_body_and_attachment(tmp_path: Path) -> None:
    write(tmp_path / "inbox" / "follow-up.eml", make_eml())
    corpus, chunks = load_corpus(tmp_path)
    assert not corpus.failed
    assert [(f.path, f.status) for f in corpus.files] == [
        ("inbox/follow-up.eml", "new"),
        ("inbox/follow-up.eml/agenda.pdf", "new"),
    ]
    mail, attached = corpus.documents
    assert mail.title == "Made-up follow-up of the export webinar"
    assert (mail.author, mail.date) == ("Made-up Organiser", "2023-03-14")
    assert "customs paperwork" in mail.text
    assert "Attachments: agenda.pdf, x.zip" in mail.text
    assert (
        attached.title
        == "Made-up PDF notes (attached to “Made-up follow-up of the export webinar”)"
    )
    assert attached.date == "2023-03-14"
    carnet = next(c for c in chunks if "carnet" in c.text)
    assert (carnet.document, carnet.page, carnet.title) == (attached.id, 2, attached.title)
    # Read again with nothing changed: the attachment is reused, not reported removed.
    known = {d.path: (d, [c for c in chunks if c.document == d.id]) for d in corpus.documents}
    again, _ = load_corpus(tmp_path, previous=known)
    assert {f.status for f in again.files} == {"unchanged"}


def test_html_mail_body_is_read_as_a_web_page(tmp_path: Path) -> None:
    write(tmp_path / "m.eml", make_eml(html=True))
    corpus, chunks = load_corpus(tmp_path)
    mail = corpus.documents[0]
    assert mail.markdown and "## Made-up agenda" in mail.text
    assert next(c for c in chunks if "customs" in c.text).section == "Made-up agenda"


def test_mail_and_attachment_answered_and_cited(tmp_path: Path, embedder) -> None:
    corpus = tmp_path / "corpus"
    write(corpus / "follow-up.eml", make_eml())
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", cache_dir=tmp_path / "c")
    report = build_index(settings, embedder)
    assert report.count("new") == 2 and not report.failed
    assistant = Assistant(settings, embedder)
    answer = assistant.ask(Question("What will the next webinar on exporting cover?"))
    assert not answer.abstained and "customs paperwork" in answer.citations[0].text
    assert answer.citations[0].title == "Made-up follow-up of the export webinar"
    answer = assistant.ask(Question("What document do I need to ship samples?"))
    lead = answer.citations[0]
    assert "ATA carnet" in lead.text and lead.place == "p. 2"
    assert "attached to “Made-up follow-up" in answer.to_markdown()


def test_a_bad_attachment_fails_alone(tmp_path: Path) -> None:
    msg = EmailMessage()
    msg["Subject"] = "Made-up mail with a broken attachment"
    msg["From"] = "made-up@example.org"
    msg.set_content("A made-up test e-mail whose Word file is not one.\n")
    msg.add_attachment(
        b"PK\x03\x04 not a zip",
        maintype="application",
        subtype="octet-stream",
        filename="minutes.docx",
    )
    write(tmp_path / "broken.eml", msg.as_bytes())
    corpus, _ = load_corpus(tmp_path)
    statuses = {f.path: (f.status, f.reason) for f in corpus.files}
    assert statuses["broken.eml"] == ("new", "")
    assert statuses["broken.eml/minutes.docx"] == (
        "failed",
        "it is not a readable Word file (BadZipFile)",
    )
    assert [d.id for d in corpus.documents] == ["broken"]
