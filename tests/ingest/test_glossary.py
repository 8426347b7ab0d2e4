"""The glossary beside the notes (corpus/glossary.yaml): read within limits, every bad entry
skipped with one sentence naming it, a bad file giving no terms, never a note itself. The
entries below are made up for the tests, except those of the shipped glossary."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import CORPUS, write

from plw_assistant.domain import Glossary, Term
from plw_assistant.ingest.corpus import load_corpus
from plw_assistant.ingest.files import MAX_GLOSSARY_BYTES, NESTED_GLOSSARY
from plw_assistant.ingest.glossary import parse_glossary, read_glossary

NOTE = "# Made-up note\n\nA made-up passage about the PO.\n"


def parse(text: str, name: str = "glossary.yaml") -> tuple[Glossary, list[str]]:
    return parse_glossary(name, text.encode("utf-8"))


def test_a_term_means_one_string_or_a_list_of_them() -> None:
    glossary, problems = parse(
        "# Made-up glossary\n"
        "PO: project officer\n"
        "PLW: [peer learning webinar, peer learning webinars]\n"
        "XYZ:\n"
        "  - made-up   expansion\n"  # spaces and line breaks are one space
        "  - >-\n    folded\n    meaning\n"
    )
    assert problems == []
    assert glossary.terms == (
        Term("PO", ("project officer",)),
        Term("PLW", ("peer learning webinar", "peer learning webinars")),
        Term("XYZ", ("made-up expansion", "folded meaning")),
    )
    assert glossary.terms[1].forms == ("PLW", "peer learning webinar", "peer learning webinars")


def test_terms_and_meanings_are_the_words_written_never_yaml_values() -> None:
    glossary, problems = parse("NO: Norway\nON: 'yes'\n2020: [the year 2020, 2020-01-01]\n")
    assert problems == []
    assert [t.forms for t in glossary.terms] == [
        ("NO", "Norway"),
        ("ON", "yes"),
        ("2020", "the year 2020", "2020-01-01"),
    ]


def test_repeated_meanings_and_the_term_itself_are_dropped_from_its_meanings() -> None:
    glossary, problems = parse("PLW: [PLW, webinar, webinar, webinars]\n")
    assert problems == [] and glossary.terms == (Term("PLW", ("webinar", "webinars")),)


LONG = "x" * 101
BAD_ENTRIES = [
    ("XYZ:\n", "glossary.yaml: 'XYZ' has no meaning; skipped."),
    ("XYZ: ''\n", "glossary.yaml: 'XYZ' has no meaning; skipped."),
    ("XYZ: ~\n", "glossary.yaml: 'XYZ' has no meaning; skipped."),
    ("XYZ: []\n", "glossary.yaml: 'XYZ' has no meaning; skipped."),
    ("XYZ: [a, '']\n", "glossary.yaml: 'XYZ' has an empty meaning in its list; skipped."),
    ("XYZ: XYZ\n", "glossary.yaml: 'XYZ' has no meaning other than itself; skipped."),
    (
        "[a, b]: made-up\n",
        "glossary.yaml: the entry on line 2 has a list as its term, not a word; skipped.",
    ),
    (
        "? {a: b}\n: made-up\n",
        "glossary.yaml: the entry on line 2 has 'key: value' lines as its term, not a word; "
        "skipped.",
    ),
    ("'': made-up\n", "glossary.yaml: the entry on line 2 has no term; skipped."),
    ("~: made-up\n", "glossary.yaml: the entry on line 2 has no term; skipped."),
    (
        f"{LONG}: made-up\n",
        f"glossary.yaml: the term '{'x' * 40}…' on line 2 is longer than 100 characters; skipped.",
    ),
    (
        f"XYZ: [a, {LONG}]\n",
        "glossary.yaml: 'XYZ' has a meaning longer than 100 characters; skipped.",
    ),
    (
        "XYZ: [" + ", ".join(f"m{i}" for i in range(20)) + "]\n",
        "glossary.yaml: 'XYZ' has 21 forms, more than 20 (the term and its meanings); skipped.",
    ),
    (
        "XYZ: {made: up}\n",
        "glossary.yaml: 'XYZ' has 'key: value' lines as its meaning; give one meaning or a "
        "list of meanings; skipped.",
    ),
    (
        "XYZ: [a, [b, c]]\n",
        "glossary.yaml: 'XYZ' has a list or 'key: value' lines inside its list; give one "
        "meaning or a list of meanings; skipped.",
    ),
    ("PO: again\n", "glossary.yaml: 'PO' on line 2 is already listed on line 1; skipped."),
]


@pytest.mark.parametrize(("entry", "problem"), BAD_ENTRIES)
def test_a_bad_entry_is_skipped_naming_it_and_the_others_are_kept(entry: str, problem: str) -> None:
    glossary, problems = parse(f"PO: project officer\n{entry}IT: information technology\n")
    assert problems == [problem]
    assert [t.term for t in glossary.terms] == ["PO", "IT"]


def test_twenty_forms_are_allowed() -> None:
    glossary, problems = parse("XYZ: [" + ", ".join(f"m{i}" for i in range(19)) + "]\n")
    assert problems == [] and len(glossary.terms[0].forms) == 20


BAD_FILES = [
    ("PO: [project officer\n", "glossary.yaml is not valid YAML (line 2); no glossary is used."),
    (
        "PO: &a project officer\nP.O.: *a\n",
        "glossary.yaml uses YAML aliases (&name, *name), which are not allowed in a glossary; "
        "no glossary is used.",
    ),
    (
        "- PO\n- project officer\n",
        "glossary.yaml must be 'term: meaning' lines; no glossary is used.",
    ),
    ("just a sentence\n", "glossary.yaml must be 'term: meaning' lines; no glossary is used."),
    ("PO: a\n---\nPO: b\n", "glossary.yaml is not valid YAML (line 2); no glossary is used."),
    ("[" * 5000, "glossary.yaml is nested too deeply; no glossary is used."),
]


@pytest.mark.parametrize(("text", "problem"), BAD_FILES)
def test_a_file_that_is_not_a_glossary_gives_no_terms_and_says_why(text: str, problem: str) -> None:
    assert parse(text) == (Glossary(), [problem])


def test_a_file_over_64_kb_or_not_utf8_gives_no_terms_and_says_why() -> None:
    big = b"PO: project officer\n" + b"# made-up padding\n" * (MAX_GLOSSARY_BYTES // 18)
    assert parse_glossary("glossary.yml", big) == (
        Glossary(),
        ["glossary.yml is larger than 64 KB; no glossary is used."],
    )
    assert parse_glossary("glossary.yaml", b"PO: \xff\xfe officer\n") == (
        Glossary(),
        ["glossary.yaml is not UTF-8 text; no glossary is used."],
    )
    assert parse("# only a comment\n") == (Glossary(), [])


def test_control_and_bidi_characters_become_spaces() -> None:
    glossary, _ = parse('PO: "project\u202eofficer\x07"\n')
    assert glossary.terms == (Term("PO", ("project officer",)),)


def test_read_from_the_corpus_folder_yaml_or_yml(tmp_path: Path) -> None:
    assert read_glossary(tmp_path).digest == ""  # no glossary: nothing to report
    write(tmp_path / "glossary.yml", "PO: project officer\n")
    read = read_glossary(tmp_path)
    assert read.glossary.terms == (Term("PO", ("project officer",)),) and read.digest
    write(tmp_path / "glossary.yaml", "IT: information technology\n")
    read = read_glossary(tmp_path)
    assert [t.term for t in read.glossary.terms] == ["IT"]
    assert read.problems == [
        "glossary.yml: not read, because glossary.yaml is there; keep one glossary file."
    ]


def test_a_glossary_too_large_unreadable_or_linked_outside_is_reported(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write(corpus / "glossary.yaml", "# made-up\n" * (MAX_GLOSSARY_BYTES // 10 + 1))
    read = read_glossary(corpus)
    assert read.problems == ["glossary.yaml is larger than 64 KB; no glossary is used."]
    assert read.digest and not read.glossary
    (corpus / "glossary.yaml").unlink()
    write(tmp_path / "outside.yaml", "PO: project officer\n")
    (corpus / "glossary.yaml").symlink_to(tmp_path / "outside.yaml")
    read = read_glossary(corpus)
    assert read.problems == ["glossary.yaml links outside the corpus; no glossary is used."]
    (corpus / "glossary.yaml").unlink()
    (corpus / "glossary.yaml").mkdir()
    assert read_glossary(corpus).problems == ["glossary.yaml is not a file; no glossary is used."]
    (corpus / "glossary.yaml").rmdir()
    write(corpus / "glossary.yaml", "PO: project officer\n").chmod(0)
    if os.geteuid() != 0:  # root reads it anyway
        assert read_glossary(corpus).problems == [
            "glossary.yaml could not be read (Permission denied); no glossary is used."
        ]


def test_the_glossary_is_not_a_note_nor_skipped_and_changes_the_fingerprint(
    tmp_path: Path,
) -> None:
    write(tmp_path / "note.md", NOTE)
    before, _ = load_corpus(tmp_path)
    write(tmp_path / "glossary.yaml", "PO: project officer\nXYZ:\n")
    write(tmp_path / "sessions" / "glossary.yaml", "IT: information technology\n")
    corpus, chunks = load_corpus(tmp_path)
    assert {(f.path, f.status, f.reason) for f in corpus.files} == {
        ("note.md", "new", ""),
        ("sessions/glossary.yaml", "skipped", NESTED_GLOSSARY),
    }
    assert [d.path for d in corpus.documents] == ["note.md"]
    assert all("project officer" not in c.text for c in chunks)
    assert corpus.glossary.terms == (Term("PO", ("project officer",)),)
    assert corpus.glossary_problems == ["glossary.yaml: 'XYZ' has no meaning; skipped."]
    assert corpus.fingerprint != before.fingerprint
    write(tmp_path / "glossary.yaml", "PO: project officer\n")
    assert load_corpus(tmp_path)[0].fingerprint != corpus.fingerprint
    (tmp_path / "glossary.yaml").unlink()
    (tmp_path / "sessions" / "glossary.yaml").unlink()
    assert load_corpus(tmp_path)[0].fingerprint == before.fingerprint


def test_the_shipped_glossary_reads_cleanly_and_holds_abbreviations_the_notes_use() -> None:
    read = read_glossary(CORPUS)
    assert read.problems == []
    terms = {t.term: t.means for t in read.glossary.terms}
    abbreviations = {"PLW", "PO", "SME", "EU", "ESCP", "ESCP-4x", "IT", "COVID"}
    everyday = {"communication", "digitalization", "revenues", "flexible", "adjust", "team up"}
    assert abbreviations | everyday <= set(terms)
    assert terms["PO"] == ("project officer",)
    assert "European Strategic Cluster Partnerships for excellence" in terms["ESCP-4x"]
    assert {"small business", "small and medium enterprises"} <= set(terms["SME"])
    assert "income" in terms["revenues"] and "online" in terms["digitalization"]
    notes = " ".join(p.read_text() for p in CORPUS.rglob("*.md") if p.name != "README.md")
    for term in terms:  # every term is a word of the notes: "SMEs", "Digitalization"
        flags = 0 if term in abbreviations else re.I
        assert re.search(rf"\b{re.escape(term)}s?\b", notes, flags), term
    corpus, _ = load_corpus(CORPUS)
    assert "glossary.yaml" not in [f.path for f in corpus.files]
    assert corpus.glossary == read.glossary
