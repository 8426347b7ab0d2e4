"""The glossary in the index: kept in each generation (checksummed like its other files),
loaded with it, carried by the index a build hands over in memory; a glossary-only change
writes a new generation without embedding anything again. Real build, real model; the notes
and glossary entries are made up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write

from plw_assistant.config import Settings
from plw_assistant.domain import Glossary, Term
from plw_assistant.errors import IndexDamagedError
from plw_assistant.pipeline.build import build_index
from plw_assistant.store.generations import current_generation
from plw_assistant.store.reader import Index

NOTES = {
    "made-up-1.md": "# Made-up webinar one\n\n## Topics\n\n- Discussion with the PO\n",
    "made-up-2.md": "# Made-up webinar two\n\nSMEs asked the project officer about funding.\n",
}


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    for name, text in NOTES.items():
        write(corpus / name, text)
    write(corpus / "glossary.yaml", "PO: project officer\nXYZ:\n")
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index", cache_dir=tmp_path / "c")


def test_the_glossary_is_saved_in_the_generation_and_loaded_with_it(small, embedder) -> None:
    report = build_index(small, embedder)
    po = Term("PO", ("project officer",))
    assert report.glossary == Glossary((po,)) and not report.glossary_changed
    assert report.glossary_problems == ["glossary.yaml: 'XYZ' has no meaning; skipped."]
    assert report.glossary_summary() == "Glossary: 1 term, 1 problem"
    assert "glossary.yaml" not in [f.path for f in report.files]
    assert report.index is not None and report.index.glossary == Glossary((po,))
    loaded = Index.load(small.index_dir, embedder)
    assert loaded.glossary == Glossary((po,))
    assert loaded.manifest.glossary_problems == report.glossary_problems
    assert "glossary.json" in loaded.manifest.files
    assert sorted(loaded.documents) == ["made-up-1", "made-up-2"]  # the glossary is no note


def test_a_glossary_change_alone_writes_a_new_generation_without_embedding(small, embedder) -> None:
    build_index(small, embedder)
    first = current_generation(small.index_dir)
    unchanged = build_index(small, embedder)
    assert unchanged.path is None and current_generation(small.index_dir) == first
    assert unchanged.glossary_problems and not unchanged.glossary_changed

    write(small.corpus_dir / "glossary.yaml", "PO: [project officer, programme officer]\n")
    report = build_index(small, embedder)
    assert report.path is not None and report.path != first
    assert current_generation(small.index_dir) == report.path
    assert report.embedded == 0 and {f.status for f in report.files} == {"unchanged"}
    assert report.glossary_changed and report.glossary_problems == []
    assert report.glossary_summary() == "Glossary: 1 term (changed)"
    new = Glossary((Term("PO", ("project officer", "programme officer")),))
    assert report.index is not None and report.index.glossary == new
    loaded = Index.load(small.index_dir, embedder)
    assert loaded.glossary == new and loaded.manifest.glossary_problems == []
    assert build_index(small, embedder).path is None  # and now nothing changed again

    (small.corpus_dir / "glossary.yaml").unlink()
    gone = build_index(small, embedder)
    assert gone.path is not None and gone.embedded == 0 and gone.glossary_changed
    assert gone.glossary_summary() == ""
    assert Index.load(small.index_dir, embedder).glossary == Glossary()


def test_an_index_without_a_glossary_file_loads_with_an_empty_glossary(small, embedder) -> None:
    """Generations written before glossaries were kept have no glossary.json."""
    build_index(small, embedder)
    gen = current_generation(small.index_dir)
    assert gen is not None
    manifest = json.loads((gen / "manifest.json").read_text())
    del manifest["files"]["glossary.json"], manifest["glossary_problems"]
    (gen / "manifest.json").write_text(json.dumps(manifest))
    (gen / "glossary.json").unlink()
    assert Index.load(small.index_dir, embedder).glossary == Glossary()


def test_an_edited_glossary_json_is_refused_as_damage(small, embedder) -> None:
    build_index(small, embedder)
    gen = current_generation(small.index_dir)
    assert gen is not None
    saved = json.loads((gen / "glossary.json").read_text())
    assert saved == {"terms": [{"term": "PO", "means": ["project officer"]}]}
    saved["terms"][0]["means"].append("made-up")
    (gen / "glossary.json").write_text(json.dumps(saved))
    with pytest.raises(IndexDamagedError, match=r"glossary\.json was changed"):
        Index.load(small.index_dir, embedder)
