"""The glossary a generation was built with, kept in it as ``glossary.json`` (its checksum in
the manifest like every other file): ``{"terms": [{"term": "PO", "means": ["project
officer"]}, …]}`` in the order of the glossary file."""

from __future__ import annotations

import json
from pathlib import Path

from ..domain import Glossary, Term

GLOSSARY = "glossary.json"


def save_glossary(glossary: Glossary, path: Path) -> None:
    terms = [{"term": t.term, "means": list(t.means)} for t in glossary.terms]
    path.write_text(json.dumps({"terms": terms}, ensure_ascii=False, indent=1), encoding="utf-8")


def load_glossary(path: Path) -> Glossary:
    """The glossary ``save_glossary`` wrote; an empty one for a generation written before
    glossaries were kept. ``ValueError`` if the file is not one."""
    if not path.is_file():
        return Glossary()
    data = json.loads(path.read_text(encoding="utf-8"))
    terms = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(terms, list):
        raise ValueError("glossary.json holds no list of terms")
    out = []
    for entry in terms:
        term = entry.get("term") if isinstance(entry, dict) else None
        means = entry.get("means") if isinstance(entry, dict) else None
        if not isinstance(term, str) or not isinstance(means, list):
            raise ValueError("glossary.json has an entry that is not a term and its meanings")
        if not all(isinstance(m, str) for m in means):
            raise ValueError("glossary.json has a meaning that is not text")
        out.append(Term(term, tuple(means)))
    return Glossary(tuple(out))
