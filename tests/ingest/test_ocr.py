"""Scans and images read by OCR (Debian's tesseract-ocr): a PNG of a slide, a PDF of rendered,
text-free pages, a blank scan reported, images too large refused, and no OCR again on a build
with nothing changed (made-up images, drawn here). In CI (CI set) a missing Tesseract is a
failure, not a skip: .ci/run installs it."""

from __future__ import annotations

import io
import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from conftest import write
from fastapi.testclient import TestClient

from plw_assistant.assistant import Assistant
from plw_assistant.config import Settings
from plw_assistant.domain import Question
from plw_assistant.ingest import isolate
from plw_assistant.ingest.chunker import chunker_settings
from plw_assistant.ingest.corpus import load_corpus
from plw_assistant.ingest.formats import Converted, convert
from plw_assistant.ingest.ocr import NOTHING_READ, ocr_langs
from plw_assistant.pipeline.build import build_index
from plw_assistant.web.app import create_app

SLIDE = [
    "Made-up test slide: trade fairs",
    "Clusters share one stand at international",
    "trade fairs to cut the cost for members.",
]
PAGES = [
    ["Made-up scanned report, page one.", "The cluster has ninety members."],
    ["Made-up scanned report, page two.", "Mentors visit each start-up", "twice a year."],
]


@pytest.fixture(autouse=True)
def _tesseract() -> None:
    if shutil.which("tesseract") is None:
        if os.environ.get("CI"):
            pytest.fail("Tesseract is missing: .ci/run must install Debian's tesseract-ocr")
        pytest.skip("Tesseract is not installed here (apt-get install tesseract-ocr)")


def text_image(lines: list[str]):  # -> PIL.Image.Image
    """A white page with black lines of text, as a scanner would give it (made-up text)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1600, 900), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=44)
    for n, line in enumerate(lines):
        draw.text((60, 60 + 80 * n), line, fill="black", font=font)
    return image


def png(lines: list[str]) -> bytes:
    out = io.BytesIO()
    text_image(lines).save(out, "PNG")
    return out.getvalue()


def scanned_pdf(pages: list[list[str]]) -> bytes:
    """A PDF of page images only: no text layer (made-up pages; a blank one for [])."""
    images = [text_image(lines) for lines in pages]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=150)
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A small PNG declaring a huge image (a decompression bomb, as far as its header says)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_png_of_a_slide_is_read_with_its_confidence(tmp_path: Path) -> None:
    write(tmp_path / "slide.png", png(SLIDE))
    corpus, chunks = load_corpus(tmp_path)
    assert not corpus.failed
    doc = corpus.documents[0]
    assert "share one stand" in doc.text and not doc.markdown
    assert len(doc.ocr) == 1 and doc.ocr[0] > 80
    assert all(c.ocr == doc.ocr[0] for c in chunks)
    assert chunks[0].place == f"read from a scan (confidence {doc.ocr[0]:.0f}%)"


def test_scanned_pdf_pages_are_read_and_a_blank_one_reported(tmp_path: Path) -> None:
    write(tmp_path / "scan.pdf", scanned_pdf([*PAGES, []]))
    corpus, chunks = load_corpus(tmp_path)
    assert [(f.path, f.status, f.reason) for f in corpus.files] == [
        ("scan.pdf", "new", "OCR found no text on page 3")
    ]
    mentors = next(c for c in chunks if "Mentors" in c.text)
    assert mentors.page == 2 and mentors.ocr is not None and mentors.ocr > 80
    assert mentors.place.startswith("p. 2, read from a scan (confidence ")


def test_blank_scan_and_huge_images_fail_with_a_reason(tmp_path: Path) -> None:
    write(tmp_path / "blank.png", png([]))
    write(tmp_path / "blank.pdf", scanned_pdf([[]]))
    write(tmp_path / "large.png", png_header(8000, 6000))
    write(tmp_path / "bomb.png", png_header(60000, 60000))
    write(tmp_path / "good.md", "# Made-up\n\nGood note.\n")
    corpus, _ = load_corpus(tmp_path)
    failed = {f.path: f.reason for f in corpus.failed}
    assert failed == {
        "blank.png": NOTHING_READ,
        "blank.pdf": "its PDF has no text: no text layer, and OCR found none in its pages",
        "large.png": "its image is too large (48 million pixels; the limit is 40 million)",
        "bomb.png": "its image is too large (over 80 million pixels)",
    }
    assert [d.id for d in corpus.documents] == ["good"]


def test_scans_answered_cited_and_never_read_again(tmp_path: Path, embedder) -> None:
    corpus = tmp_path / "corpus"
    write(corpus / "fair-slide.png", png(SLIDE))
    write(corpus / "report.pdf", scanned_pdf(PAGES))
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", cache_dir=tmp_path / "c")
    assert build_index(settings, embedder).count("new") == 2
    assistant = Assistant(settings, embedder)
    answer = assistant.ask(Question("How can members save money when exhibiting at expos?"))
    assert not answer.abstained and "share one stand" in answer.citations[0].text
    assert "read from a scan (confidence" in answer.to_markdown()
    answer = assistant.ask(Question("How often do mentors go to see new companies?"))
    lead = answer.citations[0]
    assert "twice a year" in lead.text and lead.place.startswith("p. 2, read from a scan")
    with TestClient(create_app(settings, embedder)) as client:
        page = client.get("/", params={"q": "How often do mentors go to see new companies?"})
        assert '<span class="page">p. 2, read from a scan (confidence ' in page.text
        doc = client.get("/documents/report", params={"passage": lead.chunk_id}).text
    assert doc.index('id="page-1"') < doc.index('id="page-2"') < doc.index('id="passage"')
    assert "p. 2, read from a scan (confidence " in doc  # what the page says of the passage
    # Nothing changed: decided from the files' stamps, nothing read.
    again = build_index(settings, embedder)
    assert again.path is None and {f.status for f in again.files} == {"unchanged"}
    # Touched, same bytes: the file's hash finds its passages, OCR does not run again.
    for name in ("fair-slide.png", "report.pdf"):
        os.utime(corpus / name, ns=(1, 1))
    touched = build_index(settings, embedder)
    assert {f.status for f in touched.files} == {"unchanged"}


def blurry_ocr(suffix: str, data: bytes) -> Converted:
    """Runs in the worker (injected below) in place of Tesseract: a scan read badly."""
    if suffix == ".png":
        return Converted(data.decode() + "\n", markdown=False, ocr=(35.0,))
    return convert(suffix, data)


def test_low_confidence_text_does_not_lead(tmp_path: Path, embedder, monkeypatch) -> None:
    monkeypatch.setattr(isolate, "WORKER_CONVERT", blurry_ocr)
    corpus = tmp_path / "corpus"
    write(corpus / "blurry.png", "Made-up: clusters cut costs at fairs by sharing one stand.")
    write(
        corpus / "note.md",
        "# Made-up note\n\nTo spend less on trade shows, clusters rent a joint booth.\n",
    )
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", cache_dir=tmp_path / "c")
    build_index(settings, embedder)
    answer = Assistant(settings, embedder).ask(Question("How do clusters cut costs at fairs?"))
    assert answer.citations[0].document == "note"
    scan = next(c for c in answer.citations if c.document == "blurry")
    assert scan.place == "read from a scan (confidence 35%)"


def test_ocr_over_its_time_limit_fails_alone(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(isolate, "OCR_TIMEOUT_S", 0.2)
    write(tmp_path / "slow.png", png(SLIDE))
    write(tmp_path / "good.md", "# Made-up\n\nGood note.\n")
    corpus, _ = load_corpus(tmp_path)
    assert {f.path: f.reason for f in corpus.failed} == {
        "slow.png": "reading it took longer than 0.2 s"
    }
    assert [d.id for d in corpus.documents] == ["good"]


def test_ocr_languages_are_a_setting_that_rebuilds(monkeypatch) -> None:
    monkeypatch.setenv("PLW_OCR_LANGS", "eng+deu")
    assert ocr_langs() == "eng+deu" and chunker_settings(1000)["ocr_langs"] == "eng+deu"
    for bad in ("", "eng;rm -rf /", "../x"):
        monkeypatch.setenv("PLW_OCR_LANGS", bad)
        assert ocr_langs() == "eng"
