"""Hostile notes fail alone: each bad file is `failed` (or `skipped`) with its reason, the
good note next to it is indexed, and nothing hangs, crashes or eats the machine.

Every fixture is generated here (made-up notes; no bomb is committed). This module is also
imported by the converter's worker process (the injected converters below), so its imports
stay light: the store and conftest are imported inside the one test that builds an index.
"""

from __future__ import annotations

import io
import os
import re
import resource
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from plw_assistant.domain import Chunk, Document
from plw_assistant.errors import CorpusError
from plw_assistant.ingest import corpus as corpus_module
from plw_assistant.ingest import isolate
from plw_assistant.ingest.corpus import load_corpus, save_note
from plw_assistant.ingest.files import FileStatus
from plw_assistant.ingest.formats import Converted, convert
from plw_assistant.text import clean_text

GOOD = "# Made-up good note\n\n- Clusters keep their members informed.\n"
UNSAFE = ["\u202e", "\u2066", "\u200f", "\x85", "\x9b", "\x07", "\x1b"]


def put(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def load_with_good(folder: Path, name: str, data: bytes) -> dict[str, FileStatus]:
    """Load a corpus of one bad file and one good note; check the good note was indexed."""
    put(folder / name, data)
    put(folder / "good.md", GOOD)
    corpus, chunks = load_corpus(folder)
    assert "good" in {d.id for d in corpus.documents}
    assert "Clusters keep their members informed." in [c.text for c in chunks]
    statuses = {f.path: f for f in corpus.files}
    assert statuses["good.md"].status == "new"
    return statuses


def docx_with(document_xml: bytes | None = None, *, zeros: int = 0) -> bytes:
    """A real Word file (python-docx's template) whose word/document.xml is replaced by
    ``document_xml``, or by ``zeros`` bytes of zeros written in 1 MB pieces."""
    from docx import Document

    template = io.BytesIO()
    Document().save(template)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(template) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst,
    ):
        for item in src.infolist():
            if item.filename != "word/document.xml":
                dst.writestr(item, src.read(item))
            elif document_xml is not None:
                dst.writestr(item.filename, document_xml)
            else:
                with dst.open(item.filename, "w", force_zip64=True) as fh:
                    for _ in range(zeros // (1024 * 1024)):
                        fh.write(bytes(1024 * 1024))
    return out.getvalue()


def pdf_with(content: bytes, deflate: bool = False) -> bytes:
    """A one-page PDF whose page content stream is ``content`` (Flate-compressed if asked)."""
    stream = zlib.compress(content, 9) if deflate else content
    filters = b" /Filter /FlateDecode" if deflate else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(stream), filters) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % off for off in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (6, xref))
    return out.getvalue()


PAGE = b"BT /F1 12 Tf 72 720 Td (A made-up PDF lesson about partner search.) Tj ET"


# 1. Exceptions no parser caught: each is one failed file.


def test_docx_with_malformed_xml_fails_alone(tmp_path: Path) -> None:
    put(tmp_path / "fine.docx", docx_with_text())
    statuses = load_with_good(tmp_path, "broken.docx", docx_with(b"<w:document><unclosed>"))
    assert statuses["broken.docx"] == FileStatus(
        "broken.docx", "failed", "it is not a readable Word file (XMLSyntaxError)"
    )
    assert statuses["fine.docx"].status == "new"  # the worker still reads the next file


def docx_with_text() -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph("A made-up Word lesson about proposal reviews.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_pdf_stream_over_the_decompression_limit_fails_alone(tmp_path: Path) -> None:
    from pypdf import get_configuration

    # About 80 KB on disk, over 75 MB once decompressed: pypdf stops with LimitReachedError.
    limit = get_configuration().zlib_maximum_output_length
    bomb = pdf_with(PAGE + b" " * (limit + 1024 * 1024), deflate=True)
    assert len(bomb) < 200_000
    put(tmp_path / "fine.pdf", pdf_with(PAGE, deflate=True))
    statuses = load_with_good(tmp_path, "bomb.pdf", bomb)
    assert statuses["bomb.pdf"] == FileStatus(
        "bomb.pdf", "failed", "its PDF holds a compressed stream that expands too much"
    )
    assert statuses["fine.pdf"].status == "new"


def test_impossible_front_matter_date_fails_alone(tmp_path: Path) -> None:
    note = "---\ntitle: Made-up note\ndate: 2022-13-45\n---\n# Made-up\n\nText.\n"
    statuses = load_with_good(tmp_path, "bad-date.md", note.encode())
    assert statuses["bad-date.md"].reason == (
        "its front matter has a value that is not valid (month must be in 1..12)"
    )


def test_file_name_not_utf8_fails_and_the_index_is_written(tmp_path: Path) -> None:
    from conftest import HashEmbedder

    from plw_assistant.config import Settings
    from plw_assistant.pipeline.build import build_index
    from plw_assistant.store.reader import Index

    folder = tmp_path / "corpus"
    put(folder / "good.md", GOOD)
    with open(os.fsencode(folder) + b"/caf\xe9-notes.md", "wb") as fh:  # Latin-1 name
        fh.write(b"# Made-up\n\nA note with a Latin-1 file name.\n")
    settings = Settings(corpus_dir=folder, index_dir=tmp_path / "index", cache_dir=tmp_path / "c")
    report = build_index(settings, HashEmbedder())
    assert report.failed == [
        FileStatus("caf\ufffd-notes.md", "failed", "its file name is not valid UTF-8")
    ]
    assert list(Index.load(settings.index_dir).documents) == ["good"]


def _boom_on(doc_id: str, real: Callable[..., list[Chunk]]) -> Callable[..., list[Chunk]]:
    def chunk(doc: Document, max_chars: int = 1000) -> list[Chunk]:
        if doc.id == doc_id:
            raise ZeroDivisionError("a bug nobody expected")
        return real(doc, max_chars)

    return chunk


def test_any_unexpected_exception_fails_that_file_only(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(
        corpus_module, "chunk_document", _boom_on("boom", corpus_module.chunk_document)
    )
    # A UTF-16 note cut in the middle of a character once stopped everything (UnicodeError).
    put(tmp_path / "cut.txt", "A made-up UTF-16 note.".encode("utf-16") + b"\x41")
    statuses = load_with_good(tmp_path, "boom.md", b"# Made-up\n\nText.\n")
    assert statuses["boom.md"].reason == "it could not be read (ZeroDivisionError)"
    assert statuses["cut.txt"].status == "new"


# 2. Front matter: no YAML aliases, bounded fields.

BILLION_LAUGHS = """---
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
tags: [*g,*g,*g,*g,*g,*g,*g,*g,*g]
---
Made-up.
"""


def test_yaml_aliases_are_refused(tmp_path: Path) -> None:
    assert len(BILLION_LAUGHS) < 400
    started = time.perf_counter()
    statuses = load_with_good(tmp_path, "laughs.md", BILLION_LAUGHS.encode())
    assert statuses["laughs.md"] == FileStatus(
        "laughs.md", "failed", "its front matter uses YAML aliases, which are not allowed"
    )
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    ("front_matter", "reason"),
    [
        ("tags: [" + ", ".join(f"t{i}" for i in range(51)) + "]", "'tags' has more than 50 items"),
        ("attendees: [Ann, " + "B" * 101 + "]", "'attendees' has an item longer than 100"),
        ("title: " + "T" * 501, "'title' is longer than 500 characters"),
        ("author: " + "A" * 501, "'author' is longer than 500 characters"),
    ],
)
def test_front_matter_fields_are_bounded(tmp_path: Path, front_matter: str, reason: str) -> None:
    note = f"---\n{front_matter}\n---\n# Made-up\n\nText.\n"
    statuses = load_with_good(tmp_path, "big.md", note.encode())
    assert statuses["big.md"].status == "failed"
    assert statuses["big.md"].reason.startswith(f"its front matter field {reason}")


def test_file_properties_over_the_bounds_are_cut_not_fatal(tmp_path: Path) -> None:
    keywords = ", ".join(f"k{i}" for i in range(80))
    page = (
        f'<html><head><title>{"T" * 900}</title><meta name="keywords" content="{keywords}">'
        "</head><body><p>A made-up saved page about crisis letters.</p></body></html>"
    )
    put(tmp_path / "page.html", page)
    corpus, _ = load_corpus(tmp_path)
    doc = corpus.documents[0]
    assert len(doc.tags) == 50 and doc.tags[0] == "k0"
    assert doc.title == "T" * 500


# 3. Word files (zip) that expand too much are refused before parsing.


def test_docx_zip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = docx_with(zeros=150 * 1024 * 1024)  # 150 MB of zeros in about 150 KB
    assert len(bomb) < 1024 * 1024
    statuses = load_with_good(tmp_path, "bomb.docx", bomb)
    assert statuses["bomb.docx"].status == "failed"
    assert re.fullmatch(  # 150 MB of zeros and python-docx's template
        r"it is a compressed file that expands too much \(15\d MB\)", statuses["bomb.docx"].reason
    )


def test_docx_expanding_over_100_times_its_size_is_refused(tmp_path: Path) -> None:
    # A valid document of 5 MB that compresses over 1000:1: small, but not a real note.
    paragraph = b"<w:p><w:r><w:t>lol</w:t></w:r></w:p>"
    body = paragraph * (5 * 1024 * 1024 // len(paragraph))
    xml = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w='
        b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        + body
        + b"</w:body></w:document>"
    )
    data = docx_with(xml)
    assert len(data) * 100 < len(xml) < 100 * 1024 * 1024
    statuses = load_with_good(tmp_path, "ratio.docx", data)
    assert statuses["ratio.docx"].status == "failed"
    assert re.fullmatch(
        r"it is a compressed file that expands too much \([56] MB\)", statuses["ratio.docx"].reason
    )


# 4. HTML nested too deeply is refused cheaply; any converter runs with a time and memory limit.


def test_deeply_nested_html_is_refused_quickly(tmp_path: Path) -> None:
    page = b"<html><body>" + b"<div>" * 100_000 + b"deep" + b"</div>" * 100_000 + b"</body></html>"
    put(
        tmp_path / "shallow.html",
        b"<div>" * 100 + b"<p>A made-up shallow page.</p>" + b"</div>" * 100,
    )
    started = time.perf_counter()
    statuses = load_with_good(tmp_path, "deep.html", page)
    assert time.perf_counter() - started < 10
    assert statuses["deep.html"] == FileStatus(
        "deep.html", "failed", "its HTML is nested too deeply (more than 256 levels)"
    )
    assert statuses["shallow.html"].status == "new"


def misbehaving_convert(suffix: str, data: bytes) -> Converted:
    """Runs in the worker (injected by the tests below): hangs, eats memory or dies when the
    file asks for it, else converts as usual."""
    if b"made-up-hang" in data:
        time.sleep(120)
    if b"made-up-eat" in data:
        bytearray(3 * 1024**3)  # 3 GiB: past the worker's limit of 1.5 GiB more than at start
    if b"made-up-die" in data:
        os._exit(1)
    return convert(suffix, data)


def test_a_converter_that_hangs_is_stopped_and_the_next_file_converts(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(isolate, "WORKER_CONVERT", misbehaving_convert)
    monkeypatch.setattr(isolate, "TIMEOUT_S", 3.0)
    put(tmp_path / "a-hangs.html", b"<p>made-up-hang</p>")
    put(tmp_path / "b-next.html", b"<p>A made-up page read after the hang.</p>")
    started = time.perf_counter()
    statuses = load_with_good(tmp_path, "c-after.html", b"<p>Made-up third page.</p>")
    assert time.perf_counter() - started < 20
    assert statuses["a-hangs.html"] == FileStatus(
        "a-hangs.html", "failed", "reading it took longer than 3 s"
    )
    assert statuses["b-next.html"].status == statuses["c-after.html"].status == "new"


def test_a_converter_that_eats_memory_or_dies_fails_that_file_only(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(isolate, "WORKER_CONVERT", misbehaving_convert)
    put(tmp_path / "a-eats.html", b"<p>made-up-eat</p>")
    put(tmp_path / "b-dies.html", b"<p>made-up-die</p>")
    statuses = load_with_good(tmp_path, "c-after.html", b"<p>Made-up page after them.</p>")
    assert statuses["a-eats.html"].reason == "reading it needs more memory than allowed"
    assert statuses["b-dies.html"].reason == "its reader stopped unexpectedly (not enough memory?)"
    assert statuses["c-after.html"].status == "new"


# 5. Size is checked before reading.


def test_huge_file_is_not_read(tmp_path: Path) -> None:
    with (tmp_path / "huge.md").open("wb") as fh:
        fh.truncate(2 * 1024**3)  # 2 GB, sparse: costs no disk
    put(tmp_path / "good.md", GOOD)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB
    corpus, _ = load_corpus(tmp_path)
    growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    files = {f.path: f for f in corpus.files}
    assert files["huge.md"] == FileStatus("huge.md", "failed", "it is larger than 10 MB")
    assert files["good.md"].status == "new"
    assert growth < 500 * 1024  # far from the 2 GB that reading it would take


# 6. Unreadable folders: known files there are failed, never removed.


def test_unreadable_folder_is_reported_not_removed(tmp_path: Path, monkeypatch) -> None:
    for n in range(1, 4):
        put(tmp_path / "sessions" / f"plw-{n}.md", f"# Made-up webinar {n}\n\nLesson {n}.\n")
    put(tmp_path / "good.md", GOOD)
    put(tmp_path / "locked" / "never-indexed.md", "# Made-up\n\nNever seen.\n")
    first, chunks = load_corpus(tmp_path)
    previous = {d.path: (d, [c for c in chunks if c.document == d.id]) for d in first.documents}
    previous.pop("locked/never-indexed.md")
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str]) -> Iterator[os.DirEntry[str]]:
        # As `chmod 000` does for a user who is not root (the tests run as root).
        if Path(path).name in {"sessions", "locked"}:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    corpus, _ = load_corpus(tmp_path, previous=previous)
    reason = "its folder cannot be read (Permission denied)"
    assert sorted((f.path, f.status, f.reason) for f in corpus.files) == [
        ("good.md", "unchanged", ""),
        ("locked", "failed", reason),
        ("sessions/plw-1.md", "failed", reason),
        ("sessions/plw-2.md", "failed", reason),
        ("sessions/plw-3.md", "failed", reason),
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their mode")
def test_chmod_000_folder_is_reported_not_removed(tmp_path: Path) -> None:
    put(tmp_path / "sessions" / "plw-1.md", "# Made-up webinar\n\nLesson.\n")
    put(tmp_path / "good.md", GOOD)
    first, chunks = load_corpus(tmp_path)
    previous = {d.path: (d, [c for c in chunks if c.document == d.id]) for d in first.documents}
    (tmp_path / "sessions").chmod(0)
    try:
        corpus, _ = load_corpus(tmp_path, previous=previous)
    finally:
        (tmp_path / "sessions").chmod(0o755)
    assert {f.path: f.status for f in corpus.files} == {
        "good.md": "unchanged",
        "sessions/plw-1.md": "failed",
    }


# 7. Links out of the corpus are not followed.


def test_links_outside_the_corpus_are_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    secret = put(tmp_path / "outside" / "secret.md", "# Secret\n\nNot a note of the corpus.\n")
    (folder / "notes").mkdir(parents=True)
    (folder / "notes" / "secret.md").symlink_to(secret)
    (folder / "outside-folder").symlink_to(secret.parent, target_is_directory=True)
    (folder / "notes" / "loop").symlink_to(folder, target_is_directory=True)
    put(folder / "good.md", GOOD)
    (folder / "alias.md").symlink_to(folder / "good.md")  # inside: followed
    corpus, chunks = load_corpus(folder)
    assert sorted((f.path, f.status, f.reason) for f in corpus.files) == [
        ("alias.md", "new", ""),
        ("good.md", "new", ""),
        ("notes/secret.md", "skipped", "it links outside the corpus"),
        ("outside-folder", "skipped", "it links outside the corpus"),
    ]
    assert not any("Secret" in c.text or "Not a note" in c.text for c in chunks)


# 8. Control and bidi characters never reach the text, the fields or the passages.


def test_control_and_bidi_characters_are_cleaned(tmp_path: Path) -> None:
    bad = "".join(UNSAFE)
    note = (
        '---\ntitle: "Made-up \\u202e title"\ntags: ["a\\u2066b", ok]\n---\n'
        f"## Lessons{bad}\n\n- Made-up{bad} lesson about members.\n"
    )
    put(tmp_path / "bidi.md", note)
    put(tmp_path / "page.html", f"<p>Made-up{bad} page.</p>".encode())
    corpus, chunks = load_corpus(tmp_path)
    docs = {d.id: d for d in corpus.documents}
    assert set(docs) == {"bidi", "page"}
    assert docs["bidi"].title == "Made-up   title" and docs["bidi"].tags == ("a b", "ok")
    assert len(docs["bidi"].text) == len(note)  # one space for one character: offsets hold
    for text in (
        [d.text for d in docs.values()] + [c.text for c in chunks] + [c.section for c in chunks]
    ):
        assert clean_text(text) == text and not any(ch in text for ch in UNSAFE), repr(text)
    for c in chunks:
        assert docs[c.document].text[c.start : c.end] == c.text


# 9. Uploads the indexer would skip are refused.


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("README.md", "README.md files are instructions and are not indexed; rename the note"),
        ("readme.MD", "README.md files are instructions and are not indexed; rename the note"),
        (".hidden.md", "names starting with a dot are hidden and not indexed; rename the note"),
    ],
)
def test_uploads_the_indexer_would_skip_are_refused(tmp_path: Path, name: str, why: str) -> None:
    with pytest.raises(CorpusError) as caught:
        save_note(tmp_path, name, b"# Made-up\n\nText.\n")
    assert str(caught.value) == why
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())
    assert save_note(tmp_path, "notes.md", b"# Made-up\n\nText.\n") == "uploads/notes.md"


def test_a_large_markdown_note_is_read_in_the_worker_under_its_time_limit(
    tmp_path: Path, monkeypatch
) -> None:
    # markdown-it takes seconds on a megabyte of "[": large notes go through the worker.
    put(tmp_path / "a-brackets.md", b"# Made-up brackets\n\n" + b"[" * 3_000_000)
    big_lesson = "- A made-up lesson about cluster newsletters, repeated.\n" * 6000
    put(tmp_path / "b-big.md", f"# Made-up big note\n\n{big_lesson}".encode())
    assert len(big_lesson) > corpus_module.ISOLATE_TEXT_BYTES
    monkeypatch.setattr(isolate, "TIMEOUT_S", 0.5)
    started = time.perf_counter()
    corpus, chunks = load_corpus(tmp_path)
    statuses = {f.path: f for f in corpus.files}
    assert statuses["a-brackets.md"] == FileStatus(
        "a-brackets.md", "failed", "reading it took longer than 0.5 s"
    )
    assert time.perf_counter() - started < 15
    monkeypatch.setattr(isolate, "TIMEOUT_S", 20.0)
    corpus, chunks = load_corpus(tmp_path)
    big = [c for c in chunks if c.document == "b-big"]
    assert (
        len(big) == 6000 and big[0].text == "A made-up lesson about cluster newsletters, repeated."
    )
    doc = next(d for d in corpus.documents if d.id == "b-big")
    assert all(doc.text[c.start : c.end] == c.text for c in big[:10])
