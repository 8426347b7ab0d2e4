"""``plw index``: bring the index up to date with the notes, once or whenever they change."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..config import get_settings
from ..errors import PLWError
from .common import CONTEXT, build, print_report


@click.command("index", context_settings=CONTEXT)
@click.option("--watch", is_flag=True, help="Keep running and re-index when notes change.")
def index_cmd(watch: bool) -> None:
    """Bring the index up to date with the notes in the corpus folder.

    Only new and changed files are read and embedded; removed files drop out. Every run
    ends with what happened to each file and the totals. A change of model or chunker
    settings rebuilds everything and says so.

    \b
    Examples:
      plw index
      plw index --watch
      PLW_CORPUS_DIR=~/notes PLW_INDEX_DIR=~/notes-index plw index
    """
    from ..embedding.model import SentenceTransformerEmbedder

    settings = get_settings()
    embedder = SentenceTransformerEmbedder.from_settings(settings)
    code = build(settings, embedder)
    if not watch:
        sys.exit(code)
    from ..pipeline.watch import watch as watch_corpus

    click.echo(f"Watching {settings.corpus_dir} for changes (Ctrl-C to stop)…", err=True)

    def show(report: Any) -> None:
        if isinstance(report, PLWError):
            click.echo(f"Error: {report}", err=True)
        else:
            print_report(settings, report)

    watch_corpus(settings, embedder, show)
