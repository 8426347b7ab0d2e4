"""Templates and the filters that turn answers and passages into safe HTML."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from ..domain import MARKER


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


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=web_root() / "templates")
    templates.env.filters["cite_links"] = cite_links
    templates.env.filters["highlight"] = highlight
    return templates


templates = make_templates()
