"""What the chat's filters offer, in the notes' own words: webinars by their title, the notes
that are not a webinar's own (a webinar's note would repeat its "Webinar" choice), and tags
spelt as the glossary spells them ("escp-4x" is "ESCP-4x", "it-tool" "IT tool"), else as the
notes write them."""

from __future__ import annotations

import re
import weakref
from collections import Counter
from collections.abc import Iterable

from ..domain import Glossary
from ..errors import PLWError
from ..store.reader import Index

Facets = dict[str, list[str]]
Labels = dict[str, dict[str, str]]
NO_FACETS: Facets = {"session": [], "document": [], "tag": []}
_kept: weakref.WeakKeyDictionary[Index, tuple[Facets, Labels]] = weakref.WeakKeyDictionary()


def tag_label(tag: str, texts: Iterable[str], glossary: Glossary | None = None) -> str:
    """The tag as the glossary spells it, a term or one of its forms ("escp-4x" is "ESCP-4x");
    else as the notes most often write it, other than as the tag itself (their front matter),
    or its words, each run of words the glossary has spelt its way ("it-tool" is "IT tool").
    Capitalised as a choice in a list is."""
    forms = _forms(glossary)
    label = forms.get(_key(tag)) or _spelt(_notes_label(tag, texts), forms)
    return label[:1].upper() + label[1:]


def _key(text: str) -> str:
    """How a tag and a glossary form are compared: case, hyphens and spaces aside."""
    return " ".join(re.split(r"[-_\s]+", text.casefold())).strip()


def _forms(glossary: Glossary | None) -> dict[str, str]:
    """Each form of each glossary term by its key, the first spelling of a key kept."""
    forms: dict[str, str] = {}
    for term in glossary.terms if glossary else ():
        for form in term.forms:
            forms.setdefault(_key(form), form)
    return forms


def _notes_label(tag: str, texts: Iterable[str]) -> str:
    parts = [re.escape(p) for p in re.split(r"[-_\s]+", tag) if p]
    if not parts:
        return tag
    pattern = re.compile(r"(?<![\w-])" + r"[-\s]+".join(parts) + r"(?![\w-])", re.I)
    seen = Counter(m.group(0) for text in texts for m in pattern.finditer(text))
    written = [form for form, _ in seen.most_common() if form != tag]
    return " ".join(written[0].split()) if written else " ".join(tag.replace("-", " ").split())


def _spelt(label: str, forms: dict[str, str]) -> str:
    """``label`` with each longest run of its words that is a glossary form spelt as there."""
    words, out, i = label.split(), [], 0
    while i < len(words):
        for j in range(len(words), i, -1):
            form = forms.get(_key(" ".join(words[i:j])))
            if form is not None:
                out.append(form)
                i = j
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


def _read(index: Index) -> tuple[Facets, Labels]:
    docs = list(index.documents.values())
    facets = index.facets()
    webinars = {d.session: d.title for d in docs if d.session and d.title.startswith(d.session)}
    own = {d.id for d in docs if d.session in webinars and d.title.startswith(d.session or "")}
    facets = {**facets, "document": [d for d in facets["document"] if d not in own]}
    texts = [d.text for d in docs]
    labels: Labels = {
        "document": {d.id: d.title for d in docs},
        "session": webinars,
        "tag": {t: tag_label(t, texts, index.glossary) for t in facets["tag"]},
    }
    return facets, labels


def filter_choices(index_of: object) -> tuple[Facets, Labels]:
    """The filters' values and the words shown for them (read once per index)."""
    try:
        index = index_of.index  # type: ignore[attr-defined]
    except PLWError:
        return NO_FACETS, {}
    kept = _kept.get(index)
    if kept is None:
        kept = _kept[index] = _read(index)
    return kept
