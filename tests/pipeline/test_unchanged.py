"""A build with nothing to do finds it out before loading anything, and never skips work that
is due: a note added, removed or changed (even with its size and time put back), a changed
glossary, another model or setting, a damaged or missing index, a file that failed last time.
A build with nothing to embed never loads the model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, HashEmbedder, write

from plw_assistant.config import Settings
from plw_assistant.pipeline.build import build_index
from plw_assistant.pipeline.freshness import RACY_NS
from plw_assistant.store.generations import CURRENT, current_generation
from plw_assistant.store.sources import SOURCES

NOTE = "sessions/plw-3.md"


@pytest.fixture
def built(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", cache_dir=tmp_path / "c")
    build_index(settings, HashEmbedder())
    return settings


def files_of(gen: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in gen.rglob("*") if p.is_file()}


def statuses(report) -> dict[str, str]:
    return {f.path: f.status for f in report.files}


def test_nothing_changed_is_reported_and_nothing_is_rewritten(built: Settings) -> None:
    gen = current_generation(built.index_dir)
    assert gen is not None and (gen / SOURCES).is_file()
    before = files_of(gen)
    write(built.corpus_dir / "photo.gif", b"GIF89a")  # made up; skipped, as before
    report = build_index(built, HashEmbedder())
    assert report.path is None and report.index is None and report.embedded == 0
    assert (report.documents, report.chunks) == (6, 34)
    assert set(statuses(report).values()) == {"unchanged", "skipped"}
    assert statuses(report)["photo.gif"] == "skipped"
    assert report.totals() == "+0 new, ~0 changed, -0 removed, 0 texts embedded, 0 failed"
    assert report.glossary_summary() == "Glossary: 29 terms" and not report.glossary_changed
    assert current_generation(built.index_dir) == gen and files_of(gen) == before


HEAVY = ("faiss", "numpy", "torch", "sentence_transformers", "markdown_it", "bm25s")


def plw_index(settings: Settings, cache: Path) -> tuple[str, list[str]]:
    """`plw index` run as a user runs it: what it printed, and which of HEAVY and of the
    index reader and note parser it imported."""
    probe = (
        "import json, sys\n"
        "from plw_assistant.cli import main\n"
        "sys.argv = ['plw', 'index']\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
        f"heavy = {[*HEAVY, 'plw_assistant.store.reader', 'plw_assistant.ingest.parse']!r}\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]), file=sys.stderr)\n"
    )
    env = {
        **os.environ,
        "PLW_CORPUS_DIR": str(settings.corpus_dir),
        "PLW_INDEX_DIR": str(settings.index_dir),
        "PLW_CACHE_DIR": str(cache),
        "HF_HUB_OFFLINE": "1",
    }
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return out.stdout, json.loads(out.stderr.strip().splitlines()[-1])


def test_plw_index_with_nothing_changed_loads_no_index_and_no_model(settings, embedder) -> None:
    """The session's index of the shipped notes, built with the real model."""
    gen = current_generation(settings.index_dir)
    printed, loaded = plw_index(settings, embedder.cache_dir)
    assert "Nothing changed: 6 documents, 34 passages are up to date" in printed
    assert loaded == [] and current_generation(settings.index_dir) == gen


def test_a_note_whose_passages_are_cached_is_indexed_without_the_model(
    tmp_path: Path, settings, embedder
) -> None:
    """The session's build left every shipped passage in the embedding cache."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    note = (corpus / NOTE).rename(tmp_path / "aside.md")
    mine = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", cache_dir=settings.cache_dir)
    build_index(mine, embedder)
    note.rename(corpus / NOTE)
    printed, loaded = plw_index(mine, settings.cache_dir)
    assert "+1 new, ~0 changed, -0 removed, 0 texts embedded, 0 failed" in printed
    assert "torch" not in loaded and "sentence_transformers" not in loaded


@pytest.mark.parametrize(
    "change",
    ["edited", "same size and time", "added", "removed", "renamed", "now unsupported"],
)
def test_every_change_to_the_notes_is_indexed(built: Settings, change: str) -> None:
    note = built.corpus_dir / NOTE
    gen = current_generation(built.index_dir)
    if change == "edited":
        note.write_text(note.read_text() + "\n- A made-up extra lesson on newsletters\n")
    elif change == "same size and time":
        _same_size_and_time(note)
    elif change == "added":
        write(built.corpus_dir / "made-up.md", "# Made-up note\n\nA made-up lesson.\n")
    elif change == "removed":
        note.unlink()
    elif change == "renamed":
        note.rename(note.with_name("webinar-three.md"))
    else:
        note.rename(note.with_suffix(".odt"))  # no longer a note: skipped, and out of the index
    report = build_index(built, HashEmbedder())
    assert report.path is not None and current_generation(built.index_dir) != gen
    expected = {
        "edited": {NOTE: "changed"},
        "same size and time": {NOTE: "changed"},
        "added": {"made-up.md": "new"},
        "removed": {NOTE: "removed"},
        "renamed": {NOTE: "removed", "sessions/webinar-three.md": "new"},
        "now unsupported": {NOTE: "removed", "sessions/plw-3.odt": "skipped"},
    }[change]
    assert {p: s for p, s in statuses(report).items() if s != "unchanged"} == expected
    assert build_index(built, HashEmbedder()).path is None  # and then nothing changed


def test_notes_written_well_before_the_build_are_known_by_their_stamps(tmp_path: Path) -> None:
    """Outside the racy window a note's stamp is trusted and it is not read again; touched
    (same bytes) or rewritten with its size and time put back, its stamp differs."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    time.sleep(RACY_NS / 1e9 + 0.2)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", cache_dir=tmp_path / "c")
    build_index(settings, HashEmbedder())
    assert build_index(settings, HashEmbedder()).path is None
    note = corpus / NOTE
    os.utime(note)  # touched: a new time, the same bytes
    assert build_index(settings, HashEmbedder()).path is None
    _same_size_and_time(note)
    report = build_index(settings, HashEmbedder())
    assert report.path is not None and statuses(report)[NOTE] == "changed"


@pytest.mark.parametrize(
    "change", ["edited", "removed", "added", "a second one", "added beside none"]
)
def test_a_changed_glossary_is_read_again(built: Settings, change: str) -> None:
    glossary = built.corpus_dir / "glossary.yaml"
    if change == "edited":
        glossary.write_text(glossary.read_text() + "PLWX: made-up extra term\n")
    elif change == "removed":
        glossary.unlink()
    elif change == "a second one":
        write(built.corpus_dir / "glossary.yml", "XYZ: made-up term\n")
    else:
        glossary.unlink()
        build_index(built, HashEmbedder())
        write(built.corpus_dir / "glossary.yml", "XYZ: made-up term\n")
    report = build_index(built, HashEmbedder())
    assert report.glossary_changed and report.embedded == 0
    if change == "a second one":  # only its problem is new: nothing to write, but it is said
        assert report.path is None
        assert report.glossary_problems[-1].startswith("glossary.yml: not read, because")
    else:
        assert report.path is not None


@pytest.mark.parametrize(
    "setting",
    [
        {"model": "another-made-up-model"},
        {"chunk_max_chars": 300},
        {"sentence_vectors": "separate"},
        {"index_type": "hnsw"},
        {"ann_threshold": 10},
    ],
)
def test_another_model_or_setting_rebuilds(built: Settings, setting: dict) -> None:
    embedder = HashEmbedder(name=setting.get("model", "test-hash-embedder"))
    changed = built.model_copy(update={k: v for k, v in setting.items() if k != "model"})
    report = build_index(changed, embedder)
    assert report.path is not None
    vectors_kept = "index_type" in setting or "ann_threshold" in setting
    assert (report.full_rebuild == "") == vectors_kept
    assert build_index(changed, embedder).path is None


@pytest.mark.parametrize(
    "damage", ["a file edited", "a file missing", "its record edited", "no CURRENT"]
)
def test_a_damaged_or_missing_index_is_rebuilt(built: Settings, damage: str) -> None:
    gen = current_generation(built.index_dir)
    assert gen is not None
    if damage == "a file edited":
        (gen / "columns.npz").write_bytes(b"made-up damage")
    elif damage == "a file missing":
        (gen / "vectors.faiss").unlink()
    elif damage == "its record edited":
        record = json.loads((gen / SOURCES).read_text())
        record["notes"][NOTE][-1] = "0" * 64  # a made-up sha256: the checksum no longer fits
        (gen / SOURCES).write_text(json.dumps(record))
    else:
        (built.index_dir / CURRENT).unlink()
    report = build_index(built, HashEmbedder())
    assert report.path is not None and report.path != gen
    if damage != "no CURRENT":
        assert report.full_rebuild == "the previous index is damaged"


def test_files_that_failed_are_tried_again(built: Settings) -> None:
    bad = write(built.corpus_dir / "made-up-empty.md", "")
    first = build_index(built, HashEmbedder())
    assert [f.path for f in first.failed] == ["made-up-empty.md"]
    again = build_index(built, HashEmbedder())  # nothing changed, and it still fails
    assert again.path is None and [f.path for f in again.failed] == ["made-up-empty.md"]
    bad.write_text("# Made-up note\n\nNo longer empty.\n")
    fixed = build_index(built, HashEmbedder())
    assert fixed.path is not None and statuses(fixed)["made-up-empty.md"] == "new"
    assert not fixed.failed


def test_an_index_without_a_record_of_its_notes_is_not_rewritten(built: Settings) -> None:
    """As written before the record existed: the full comparison finds nothing changed."""
    gen = current_generation(built.index_dir)
    assert gen is not None
    manifest = json.loads((gen / "manifest.json").read_text())
    del manifest["files"][SOURCES]
    (gen / "manifest.json").write_text(json.dumps(manifest))
    (gen / SOURCES).unlink()
    report = build_index(built, HashEmbedder())
    assert report.path is None and current_generation(built.index_dir) == gen
    (built.corpus_dir / NOTE).unlink()
    assert build_index(built, HashEmbedder()).path is not None


def _same_size_and_time(note: Path) -> None:
    """Other bytes of the same length, with the old modification time put back."""
    before = note.stat()
    text = note.read_text()
    note.write_text(text.replace("Topics", "Topicz", 1))
    assert note.stat().st_size == before.st_size and note.read_text() != text
    os.utime(note, ns=(before.st_atime_ns, before.st_mtime_ns))
