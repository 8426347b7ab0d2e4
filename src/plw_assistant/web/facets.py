"""What the chat's filters offer, in the notes' own words: webinars by their title, the notes
that are not a webinar's own (a webinar's note would repeat its "Webinar" choice), and tags
as the notes write them ("it-tool" is "IT tool", "escp-4x" "ESCP-4x")."""

from __future__ import annotations

import re
import weakref
from collections import Counter
from collections.abc import Iterable

from ..errors import PLWError
from ..store.reader import Index

Facets = dict[str, list[str]]
Labels = dict[str, dict[str, str]]
NO_FACETS: Facets = {"session": [], "document": [], "tag": []}
_kept: weakref.WeakKeyDictionary[Index, tuple[Facets, Labels]] = weakref.WeakKeyDictionary()


def tag_label(tag: str, texts: Iterable[str]) -> str:
    """The tag as the notes most often write it, other than as the tag itself (their front
    matter); else its words. Capitalised as a choice in a list is."""
    parts = [re.escape(p) for p in re.split(r"[-_\s]+", tag) if p]
    if not parts:
        return tag
    pattern = re.compile(r"(?<![\w-])" + r"[-\s]+".join(parts) + r"(?![\w-])", re.I)
    seen = Counter(m.group(0) for text in texts for m in pattern.finditer(text))
    forms = [form for form, _ in seen.most_common() if form != tag]
    label = " ".join(forms[0].split()) if forms else " ".join(tag.replace("-", " ").split())
    return label[:1].upper() + label[1:]


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
        "tag": {t: tag_label(t, texts) for t in facets["tag"]},
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
