"""Writing a generation: every file of an index built in memory, its checksums in the
manifest, published by one atomic switch of ``CURRENT``."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path

import faiss

from .exact import save_rows
from .generations import publish
from .glossary import GLOSSARY, save_glossary
from .manifest import file_sums
from .reader import COLUMNS, Index
from .sources import SOURCES, Sources, save_sources
from .tables import write_tables


def write_generation(index: Index, index_dir: Path, sources: Sources | None = None) -> Path:
    """Write ``index`` as a new generation and make it current in one atomic rename, with
    what its notes looked like (``sources``) when a build read them."""

    def write(folder: Path) -> None:
        faiss.write_index(index.vectors, str(folder / "vectors.faiss"))
        if index.exact is not None:  # the exact vectors behind the codes of an IVF index
            save_rows(index.exact.all(), folder / "vectors.npy")
        index.lexical.save(folder / "bm25")
        index.sentences.save(folder)
        write_tables(folder / "chunks.sqlite", index.chunks, list(index.documents.values()))
        index.columns.save(folder / COLUMNS)  # what filters read at load, without the chunks
        save_glossary(index.glossary, folder / GLOSSARY)
        if sources is not None:
            save_sources(sources, folder / SOURCES)
        index.manifest = replace(index.manifest, files=file_sums(folder))
        (folder / "manifest.json").write_text(json.dumps(asdict(index.manifest), indent=2))

    index.path = publish(index_dir, write)
    return index.path
