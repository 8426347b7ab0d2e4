"""Passages, filter columns and BM25 read from disk on demand: a loaded index holds no list of
passages, and what it answers is what the index in memory answers."""

from __future__ import annotations

import random
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS, HashEmbedder

from plw_assistant.config import Settings
from plw_assistant.domain import DETAILS, Filters
from plw_assistant.ingest.corpus import load_corpus
from plw_assistant.pipeline.build import build_index
from plw_assistant.store.chunk_table import ChunkTable
from plw_assistant.store.generations import current_generation
from plw_assistant.store.lexical import BM25
from plw_assistant.store.reader import Index
from plw_assistant.store.tables import write_tables


@pytest.fixture(scope="module")
def chunks():
    return load_corpus(CORPUS)[1]


@pytest.fixture
def table(tmp_path: Path, chunks) -> ChunkTable:
    write_tables(tmp_path / "chunks.sqlite", chunks, [])
    return ChunkTable(tmp_path / "chunks.sqlite", cache_rows=8)


def test_rows_slices_and_iteration_are_the_passages(table: ChunkTable, chunks) -> None:
    assert len(table) == len(chunks) and table[0] == chunks[0] and table[-1] == chunks[-1]
    assert table[3:9] == chunks[3:9] and table[::7] == chunks[::7]
    assert list(table) == chunks  # streamed in batches
    assert table.many([5, 2, 5]) == [chunks[5], chunks[2], chunks[5]]
    assert list(table.values("text")) == [c.text for c in chunks]
    with pytest.raises(IndexError):
        table[len(chunks)]


def test_ids_and_sql_conditions_find_rows(table: ChunkTable, chunks) -> None:
    assert all(table.row_of(c.id) == row for row, c in enumerate(chunks))
    assert table.row_of("no such id") is None
    with_session = [(r, c) for r, c in enumerate(chunks) if c.session is not None]
    assert with_session and list(table.where("session IS NOT NULL")) == with_session
    details = [r for r, c in enumerate(chunks) if c.section == DETAILS]
    assert details and table.rows_where("section = ?", (DETAILS,)) == details
    marked = [r for r, c in enumerate(chunks) if "#" in c.text]
    assert marked and table.rows_where("instr(text, '#') > 0") == marked
    with pytest.raises(ValueError):
        table.values("text FROM chunks; --")


def test_the_cache_stays_bounded(table: ChunkTable, chunks) -> None:
    for row in range(len(chunks)):
        assert table[row] == chunks[row]
    assert len(table._cache) == 8


def test_threads_read_the_same_passages(table: ChunkTable, chunks) -> None:
    def reader(seed: int) -> bool:
        rng = random.Random(seed)
        for _ in range(200):
            row = rng.randrange(len(chunks))
            if table[row] != chunks[row] or table.row_of(chunks[row].id) != row:
                return False
        return list(table) == chunks and table.many(range(0, len(chunks), 3)) == chunks[::3]

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(reader, range(16)))


@pytest.fixture
def built(tmp_path: Path) -> tuple[Settings, Index]:
    settings = Settings(
        corpus_dir=CORPUS, index_dir=tmp_path / "index", cache_dir=tmp_path / "cache"
    )
    report = build_index(settings, HashEmbedder())
    assert report.index is not None
    return settings, report.index


def test_a_loaded_index_reads_no_passages_at_start(built) -> None:
    settings, in_memory = built
    index = Index.load(settings.index_dir)
    assert isinstance(index.chunks, ChunkTable) and len(index.chunks._cache) == 0
    assert index.size == in_memory.size
    assert np.array_equal(index.columns.session, in_memory.columns.session)
    assert np.array_equal(index.columns.document, in_memory.columns.document)
    assert index.facets() == in_memory.facets()
    for filters in (Filters(session="PLW#3"), Filters(tag="webinar"), Filters(document="x")):
        assert np.array_equal(index.matching(filters), in_memory.matching(filters))
    wanted = in_memory.chunks[17]
    assert index.chunk(wanted.id) == wanted and index.chunk("missing") is None
    assert index.chunks_at([17, 3]) == [wanted, in_memory.chunks[3]]


def test_an_index_serves_on_after_its_folder_is_deleted(built) -> None:
    settings, in_memory = built
    index = Index.load(settings.index_dir)
    gen = current_generation(settings.index_dir)
    assert gen is not None
    shutil.rmtree(gen)  # what pruning does to a generation two builds old
    assert index.chunks[9] == in_memory.chunks[9]
    assert index.chunk(in_memory.chunks[4].id) == in_memory.chunks[4]
    assert np.allclose(index.lexical.scores("EU funding"), in_memory.lexical.scores("EU funding"))


def test_bm25_memory_mapped_scores_what_it_scored_in_memory(tmp_path: Path, chunks) -> None:
    texts = [c.embedding_text for c in chunks]
    BM25.build(texts).save(tmp_path / "bm25")
    mapped, loaded = BM25.load(tmp_path / "bm25"), BM25.load(tmp_path / "bm25", mmap=False)
    assert isinstance(mapped.model.scores["data"], np.memmap)
    assert not isinstance(loaded.model.scores["data"], np.memmap)
    questions = [
        "How can clusters support their members with EU funding?",
        "communication during a crisis",
        "PLW#3 topics",
        *(t[:60] for t in texts[::10]),
    ]
    for question in questions:
        assert np.array_equal(mapped.scores(question), loaded.scores(question))
    assert mapped.knows("cluster") and not mapped.knows("kubernet")
