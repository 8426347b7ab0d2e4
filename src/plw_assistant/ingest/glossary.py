"""The glossary kept beside the notes: ``glossary.yaml`` (or ``glossary.yml``) in the corpus
folder itself, a YAML mapping of each term to what it means, one string or a list of them::

    PO: project officer
    PLW: [peer learning webinar, peer learning webinars]

Like front matter it is data from anyone, read within limits: at most 64 KB, YAML without
aliases, and only ever read as text (nothing is turned into Python objects, so a plain ``NO``
or ``2020`` is the word it is, never a yes/no value or a number). A bad entry is skipped and a
file that cannot be read gives an empty glossary, each with one sentence saying why; neither
stops the build. It is not a note: the corpus walk leaves it out (see ``corpus``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..domain import Glossary, Term
from ..errors import CorpusError
from ..text import clean_text
from .files import GLOSSARY_TOO_LARGE, MAX_GLOSSARY_BYTES, glossary_names, read_glossary_bytes
from .parse import NoAliasLoader

MAX_FORM_CHARS = 100  # a term or one of its meanings
MAX_FORMS = 20  # the term and its meanings
_NULL = "tag:yaml.org,2002:null"
_ONE_OR_LIST = "give one meaning or a list of meanings"


@dataclass(frozen=True)
class GlossaryFile:
    """The glossary as read: its terms, one sentence per problem, the sha256 of the file's
    bytes (empty when the corpus has no glossary file) and the glossary files found."""

    glossary: Glossary = field(default_factory=Glossary)
    problems: list[str] = field(default_factory=list)
    digest: str = ""
    names: tuple[str, ...] = ()


def read_glossary(corpus_dir: Path) -> GlossaryFile:
    """The corpus's glossary; a file that cannot be read is reported and gives no terms."""
    try:
        names = tuple(glossary_names(corpus_dir))
    except OSError:
        return GlossaryFile()  # the corpus walk reports a folder it cannot list
    if not names:
        return GlossaryFile()
    name, others = names[0], names[1:]
    ignored = [f"{o}: not read, because {name} is there; keep one glossary file." for o in others]
    try:
        data = read_glossary_bytes(corpus_dir, name)
    except CorpusError as exc:
        problem = f"{name} {exc}; no glossary is used."
        return GlossaryFile(Glossary(), [problem, *ignored], _sha256(problem.encode()), names)
    glossary, problems = parse_glossary(name, data)
    return GlossaryFile(glossary, problems + ignored, _sha256(data), names)


def parse_glossary(name: str, data: bytes) -> tuple[Glossary, list[str]]:
    """The glossary in ``data`` (the bytes of the file ``name``) and its problems: a bad
    entry is skipped, naming it; a file that is not a glossary gives no terms, saying why."""
    if len(data) > MAX_GLOSSARY_BYTES:
        return Glossary(), [f"{name} {GLOSSARY_TOO_LARGE}; no glossary is used."]
    try:
        text = clean_text(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return Glossary(), [f"{name} is not UTF-8 text; no glossary is used."]
    try:
        root = _compose(text)
    except CorpusError as exc:
        return Glossary(), [f"{name} {exc}; no glossary is used."]
    if root is None:
        return Glossary(), []  # empty, or only comments
    if not isinstance(root, yaml.MappingNode):
        return Glossary(), [f"{name} must be 'term: meaning' lines; no glossary is used."]
    terms: list[Term] = []
    problems: list[str] = []
    seen: dict[str, int] = {}  # term → line it was first given on
    for key, value in root.value:
        entry = _entry(key, value)
        if isinstance(entry, Term) and entry.term in seen:
            line = key.start_mark.line + 1
            entry = f"'{entry.term}' on line {line} is already listed on line {seen[entry.term]}"
        if isinstance(entry, str):
            problems.append(f"{name}: {entry}; skipped.")
            continue
        seen[entry.term] = key.start_mark.line + 1
        terms.append(entry)
    return Glossary(tuple(terms)), problems


def _compose(text: str) -> yaml.Node | None:
    """The file's YAML as nodes (text and structure only: nothing is constructed)."""
    loader = NoAliasLoader(text)
    try:
        return loader.get_single_node()
    except CorpusError:  # an alias
        raise CorpusError(
            "uses YAML aliases (&name, *name), which are not allowed in a glossary"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise CorpusError(f"is not valid YAML{where}") from None
    except RecursionError:
        raise CorpusError("is nested too deeply") from None
    finally:
        loader.dispose()


def _entry(key: yaml.Node, value: yaml.Node) -> Term | str:
    """One ``term: meaning(s)`` pair as a ``Term``, or what is wrong with it."""
    line = key.start_mark.line + 1
    if not isinstance(key, yaml.ScalarNode):
        kind = "a list" if isinstance(key, yaml.SequenceNode) else "'key: value' lines"
        return f"the entry on line {line} has {kind} as its term, not a word"
    term = _text(key)
    if not term:
        return f"the entry on line {line} has no term"
    if len(term) > MAX_FORM_CHARS:
        return f"the term '{term[:40]}…' on line {line} is longer than {MAX_FORM_CHARS} characters"
    shown = f"'{term}'"
    if isinstance(value, yaml.MappingNode):
        return f"{shown} has 'key: value' lines as its meaning; {_ONE_OR_LIST}"
    items = value.value if isinstance(value, yaml.SequenceNode) else [value]
    if any(not isinstance(item, yaml.ScalarNode) for item in items):
        return f"{shown} has a list or 'key: value' lines inside its list; {_ONE_OR_LIST}"
    meanings = [_text(item) for item in items]
    if not any(meanings):
        return f"{shown} has no meaning"
    if not all(meanings):
        return f"{shown} has an empty meaning in its list"
    if 1 + len(meanings) > MAX_FORMS:
        return (
            f"{shown} has {1 + len(meanings)} forms, more than {MAX_FORMS} "
            "(the term and its meanings)"
        )
    if any(len(m) > MAX_FORM_CHARS for m in meanings):
        return f"{shown} has a meaning longer than {MAX_FORM_CHARS} characters"
    means = tuple(dict.fromkeys(m for m in meanings if m != term))
    if not means:
        return f"{shown} has no meaning other than itself"
    return Term(term, means)


def _text(node: yaml.Node) -> str:
    """A scalar's text as written, on one line ('' for an empty or null value)."""
    if node.tag == _NULL:
        return ""
    return " ".join(str(node.value).split())


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
