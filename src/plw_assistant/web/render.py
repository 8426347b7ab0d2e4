"""Templates and the filters that turn answers and passages into safe HTML."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from ..domain import MARKER
from ..text import plain_text


def web_root() -> Path:
    """Templates and static files: inside the installed package, or ``web/`` in a checkout."""
    packaged = Path(__file__).parent
    if (packaged / "templates").is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "web"


def cite_links(text: str) -> Markup:
    """Escape answer text and turn each ``[n]`` marker into a link to passage ``n``."""
    return Markup(
        MARKER.sub(
            lambda m: f'<a class="cite" href="#passage-{m.group(1)}">[{m.group(1)}]</a>',
            str(escape(text)),
        )
    )


def highlight(text: str, spans: list[tuple[int, int]]) -> Markup:
    """Escape a passage and wrap each highlighted span in ``<mark>``."""
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out += [str(escape(text[pos:start])), f"<mark>{escape(text[start:end])}</mark>"]
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


# A list item's line in a passage: its indent, then "- ", "* " or "• ".
_ITEM = re.compile(r"^([ \t]*)[-*•][ \t]+")


def passage_html(text: str, spans: list[tuple[int, int]]) -> Markup:
    """A passage as ``highlight`` marks it, its "- " lines as a list (indented ones nested
    under the item before them) rather than raw bullets; other lines stay lines."""
    out: list[str] = []
    depths: list[int] = []  # the indents of the lists open
    at = 0
    for line in text.split("\n"):
        begin, end = at, at + len(line)
        at = end + 1
        item = _ITEM.match(line)
        start = begin + (item.end() if item else 0)
        inner = str(highlight(text[start:end], _within(spans, start, end)))
        if item is None:
            out += ["</li></ul>" * len(depths) if depths else "\n" if out else "", inner]
            depths = []
            continue
        indent = len(item.group(1).expandtabs(4))
        while depths and indent < depths[-1]:
            out.append("</li></ul>")
            depths.pop()
        if depths and indent == depths[-1]:
            out.append("</li><li>")
        else:
            out.append("<ul><li>")
            depths.append(indent)
        out.append(inner)
    out.append("</li></ul>" * len(depths))
    return Markup("".join(out))


def _within(spans: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The parts of ``spans`` inside ``[start, end)``, relative to ``start``."""
    return [(max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start]


_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2})?(Z|[+-]\d{4})?$")


def when(stamp: str | None) -> str:
    """An ISO 8601 time as people read it: ``2026-01-15 09:30 UTC``."""
    match = _STAMP.match(stamp or "")
    if match is None:
        return stamp or ""
    day, clock, zone = match.groups()
    zone = "UTC" if zone in ("Z", "+0000", None) else zone
    return f"{day} {clock} {zone}"


def gap_notice(request: Request) -> dict[str, Any]:
    """What every page's footer says about the gap log (PLW_GAP_LOG, PLW_GAP_LOG_DAYS)."""
    settings = getattr(request.app.state, "settings", None)
    if settings is None or not settings.gap_log:
        return {"gap_notice": ""}
    return {
        "gap_notice": f"Questions the notes cannot answer, and answers marked “No”, are kept "
        f"for {settings.gap_log_days} days, without who asked, to improve the notes."
    }


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=web_root() / "templates", context_processors=[gap_notice])
    templates.env.filters["cite_links"] = cite_links
    templates.env.filters["highlight"] = highlight
    templates.env.filters["passage"] = passage_html
    templates.env.filters["when"] = when
    templates.env.filters["plain"] = plain_text
    return templates


templates = make_templates()
