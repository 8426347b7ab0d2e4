"""The notes' own names for their webinars, resolved in every usual form (real index)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS, HashEmbedder

from plw_assistant.assistant import Assistant
from plw_assistant.config import Settings
from plw_assistant.pipeline.build import build_index
from plw_assistant.search.names import Vocabulary
from plw_assistant.store.chunk_table import ChunkTable
from plw_assistant.store.reader import Index


@pytest.fixture(scope="module")
def vocabulary(assistant: Assistant) -> Vocabulary:
    return Vocabulary.of(assistant.index)


def test_webinars_come_from_the_notes(vocabulary: Vocabulary, assistant: Assistant) -> None:
    assert [s.id for s in vocabulary.sessions] == [f"PLW#{n}" for n in range(1, 6)]
    third = vocabulary.by_number[3]
    assert third.title == "Enlarge the sharing knowledge" and third.document == "sessions/plw-3"
    texts = [assistant.index.chunks[r].text for r in third.rows]
    # its own note's topics and the article's list item that names it
    assert "Communicate in a fog period" in texts
    assert any(t.startswith("PLW#3: ENLARGE THE SHARING KNOWLEDGE") for t in texts)
    assert not any("PLW#2" in t for t in texts)
    assert Vocabulary.of(assistant.index) is vocabulary  # built once per index


@pytest.mark.parametrize(
    ("question", "number"),
    [
        ("What was discussed in PLW#3?", 3),
        ("PLW 3 topics", 3),
        ("plw3", 3),
        ("What was covered in PLW #4?", 4),
        ("topics of webinar 4", 4),
        ("session 2 agenda", 2),
        ("tell me about the third webinar", 3),
        ("what was on the agenda of the 3rd PLW", 3),
        ("What did they talk about in the first webinar?", 1),
        ("what was the last PLW about", 5),
        ("Peer Learning Webinar 5", 5),
    ],
)
def test_a_webinar_is_named_in_any_usual_form(
    vocabulary: Vocabulary, question: str, number: int
) -> None:
    named = vocabulary.resolve(question)
    assert [s.number for s in named.sessions] == [number] and named.unknown == ()


@pytest.mark.parametrize("question", ["What was discussed in PLW#9?", "the tenth webinar"])
def test_a_number_that_names_no_webinar_is_unknown(vocabulary: Vocabulary, question) -> None:
    named = vocabulary.resolve(question)
    assert named.sessions == () and named.unknown in ((9,), (10,))


def test_plain_questions_name_no_webinar(vocabulary: Vocabulary) -> None:
    assert not vocabulary.resolve("How can clusters support their members with EU funding?")
    assert not vocabulary.resolve("How many partnerships were invited? 14 of them")


def test_titles_and_abbreviations(vocabulary: Vocabulary) -> None:
    assert [s.id for s in vocabulary.by_title("the common note")] == ["PLW#2"]
    assert vocabulary.by_title("funding") == ()
    assert vocabulary.abbreviations == {"PLW": "Peer learning webinars"}
    assert vocabulary.count_words() == "five"


def test_an_index_read_from_disk_knows_the_same_webinars(tmp_path: Path) -> None:
    """Read from disk, the vocabulary selects passages in SQL instead of reading them all;
    it must find exactly what a pass over every passage of the same index finds."""
    settings = Settings(corpus_dir=CORPUS, index_dir=tmp_path / "index", cache_dir=tmp_path)
    report = build_index(settings, HashEmbedder())
    assert report.index is not None and isinstance(report.index.chunks, list)
    loaded = Index.load(settings.index_dir)
    assert isinstance(loaded.chunks, ChunkTable)
    memory, disk = Vocabulary.of(report.index), Vocabulary.of(loaded)
    assert disk.sessions == memory.sessions and len(disk.sessions) == 5
    assert disk.details == memory.details and disk.details
    assert disk.abbreviations == memory.abbreviations
    for kind in ("date", "number", "names", "content"):
        assert np.array_equal(disk.holding(kind), memory.holding(kind)), kind
    assert len(loaded.chunks._cache) == 0  # no passage was read one by one
