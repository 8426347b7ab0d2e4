"""``plw serve``: the web chat, building the index first when it is missing or stale."""

from __future__ import annotations

import click

from ..config import get_settings
from ..errors import CorpusError
from .common import CONTEXT, build


@click.command(context_settings=CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
@click.option("--watch", is_flag=True, help="Re-index while serving when notes change.")
def serve(host: str, port: int, watch: bool) -> None:
    """Serve the web chat, building the index first if it is missing or out of date.

    \b
    Examples:
      plw serve
      plw serve --port 8080
      plw serve --watch              re-index when notes are added or changed
    """
    import uvicorn

    from ..embedding.model import SentenceTransformerEmbedder
    from ..store.build import stale_reason
    from ..web.app import create_app

    settings = get_settings()
    embedder = SentenceTransformerEmbedder.from_settings(settings)
    try:
        reason = stale_reason(settings, embedder)
    except CorpusError as exc:
        reason = None
        click.echo(f"Serving the existing index: {exc}", err=True)
    if reason:
        click.echo(f"Building the index: {reason}.", err=True)
        build(settings, embedder)
    if watch:
        settings = settings.model_copy(update={"watch": True})
    click.echo(f"PLW Assistant: http://{host}:{port}", err=True)
    uvicorn.run(create_app(settings, embedder), host=host, port=port)
