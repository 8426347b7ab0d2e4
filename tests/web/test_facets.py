"""The words the chat's filters show: tags spelt as the glossary spells them, else as the notes
write them. Real build, real model; the notes, their tags and the glossary are made up."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from plw_assistant.assistant import Assistant
from plw_assistant.config import Settings
from plw_assistant.pipeline.build import build_index
from plw_assistant.web.facets import filter_choices

# Made up for this test: no such notes, tags or glossary entries exist in the shipped corpus.
NOTES = {
    "made-up-a.md": (
        "---\ntitle: Made-up note A\ntags: [zqx, hub-7x, zqx-pilot]\n---\n\n"
        "# Made-up note A\n\nThe Zqx pilot met the hub 7x people twice.\n"
    ),
    "made-up-b.md": (
        "---\ntitle: Made-up note B\ntags: [quark-exchange, plain-tag, grid-ops]\n---\n\n"
        "# Made-up note B\n\nA plain tag, and Grid Ops as the notes write it.\n"
    ),
}
MADE_UP_GLOSSARY = (
    "ZQX: [zeta quark exchange]\n"
    "Hub-7x: [HUB7X, hub seven]\n"
    "QE: [Quark Exchange, quark exchanges]\n"
)


@pytest.fixture(scope="module")
def labels(tmp_path_factory: pytest.TempPathFactory, embedder) -> dict[str, str]:
    root: Path = tmp_path_factory.mktemp("facets")
    for name, text in NOTES.items():
        write(root / "corpus" / name, text)
    write(root / "corpus" / "glossary.yaml", MADE_UP_GLOSSARY)
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index")
    build_index(settings, embedder)
    _, words = filter_choices(Assistant(settings, embedder))
    return words["tag"]


def test_a_tag_the_glossary_has_is_spelt_as_the_glossary_spells_it(labels) -> None:
    assert labels["zqx"] == "ZQX"  # a term, though the notes write "Zqx"
    assert labels["hub-7x"] == "Hub-7x"  # hyphens and case aside, the term itself
    assert labels["quark-exchange"] == "Quark Exchange"  # one of a term's forms, as spelt


def test_a_tag_partly_in_the_glossary_has_those_words_spelt_its_way(labels) -> None:
    assert labels["zqx-pilot"] == "ZQX pilot"  # the notes write "Zqx pilot"


def test_other_tags_read_as_the_notes_write_them(labels) -> None:
    assert labels["grid-ops"] == "Grid Ops"
    assert labels["plain-tag"] == "Plain tag"


def test_the_shipped_glossary_names_the_shipped_tags(client) -> None:
    tags = client.get("/").context["labels"]["tag"]
    assert tags["escp-4x"] == "ESCP-4x" and tags["covid"] == "COVID"
    assert tags["it-tool"] == "IT tool" and tags["eu-funding"] == "EU funding"
