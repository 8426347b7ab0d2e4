"""Reading a slide deck (``.pptx``) into Markdown the chunker understands, slide by slide.

The deck's title is the note's ``#`` title; each slide a ``## Slide 4: Partner search``
heading (so a passage's heading path is "Deck title › Slide 4: Partner search"), its bullet
groups a paragraph each (one passage per group), a table one paragraph per row, its speaker
notes under ``### Speaker notes``. Where each slide starts is kept, like a PDF's pages, so a
citation says "slide 4".
"""

from __future__ import annotations

import io
import re
from typing import Any

from .formats import Converted, check_zip, office_properties

_MARKDOWN_START = re.compile(r"^(?:[#>*+=|`~-]|\d+[.)])")


def read_pptx(data: bytes) -> Converted:
    """A deck's text as Markdown, one ``##`` section per slide; ``Converted.pages`` holds
    where each slide starts."""
    from pptx import Presentation

    check_zip(data)
    deck = Presentation(io.BytesIO(data))
    meta = office_properties(deck.core_properties)
    slides = [_slide(n, slide) for n, slide in enumerate(deck.slides, 1)]
    title = meta.get("title") or next((t for t, _ in slides if t), "")
    text = f"# {_line(title)}\n\n" if title else ""
    starts: list[int] = []
    for _, body in slides:
        starts.append(len(text) if starts else 0)  # the deck's title belongs to slide 1
        text += body
    return Converted(text, meta, markdown=True, pages=tuple(starts), unit="slide")


def _slide(n: int, slide: Any) -> tuple[str, str]:
    """One slide's title and its Markdown: heading, bullet groups, table rows, notes."""
    title_shape = slide.shapes.title
    title = _line(title_shape.text_frame.text) if title_shape is not None else ""
    blocks: list[str] = []
    for shape in _shapes(slide.shapes):
        if title_shape is not None and shape.shape_id == title_shape.shape_id:
            continue
        if getattr(shape, "has_table", False) and shape.has_table:
            blocks += _rows(shape.table)
        elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            lines = [_line(p.text) for p in shape.text_frame.paragraphs if _line(p.text)]
            if lines:  # a bullet group: one paragraph, one passage
                bullets = len(lines) > 1
                blocks.append("\n".join("• " + x if bullets else _safe(x) for x in lines))
    heading = f"## Slide {n}: {title}" if title else f"## Slide {n}"
    out = [heading, *blocks]
    notes = slide.notes_slide.notes_text_frame if slide.has_notes_slide else None
    paragraphs = [_safe(_line(p.text)) for p in notes.paragraphs] if notes is not None else []
    if any(paragraphs):
        out += ["### Speaker notes", "\n".join(p for p in paragraphs if p)]
    return title, "\n\n".join(out) + "\n\n"


def _rows(table: Any) -> list[str]:
    """A table's rows, one line each; under a header row, each cell named by its column
    ("Item: Fair stand | Cost: 4000 euro"), so that a row read alone still says what it is."""
    rows = [[_line(cell.text) for cell in row.cells] for row in table.rows]
    rows = [cells for cells in rows if any(cells)]
    if len(rows) < 2 or not all(rows[0]):
        return [_safe(" | ".join(cells)) for cells in rows]
    header = rows[0]
    named = [
        " | ".join(f"{h}: {c}" for h, c in zip(header, cells, strict=False) if c)
        for cells in rows[1:]
    ]
    return [_safe(line) for line in named]


def _shapes(shapes: Any) -> list[Any]:
    """Every shape of a slide, those inside groups too, in reading order."""
    out: list[Any] = []
    for shape in shapes:
        if getattr(shape, "shape_type", None) == 6:  # MSO_SHAPE_TYPE.GROUP
            out += _shapes(shape.shapes)
        else:
            out.append(shape)
    return out


def _line(text: str) -> str:
    return " ".join(str(text).split())


def _safe(line: str) -> str:
    """A line that Markdown reads as text, not as a heading, list or quote."""
    return "\\" + line if _MARKDOWN_START.match(line) else line
