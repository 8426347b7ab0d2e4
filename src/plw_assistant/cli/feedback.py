"""``plw feedback``: what people thought of the answers."""

from __future__ import annotations

from pathlib import Path

import click

from ..appdata.database import AppDatabase
from ..appdata.feedback import FeedbackStore
from ..config import get_settings
from .common import CONTEXT, output_option, write_text


@click.group("feedback", context_settings=CONTEXT)
def feedback_cmd() -> None:
    """Feedback given with the thumbs on the chat page.

    \b
    Examples:
      plw feedback export
      plw feedback export -o feedback.csv
    """


@feedback_cmd.command("export", context_settings=CONTEXT)
@output_option
def export(output: Path | None) -> None:
    """Write every vote as CSV: created_at, rating, question, answer, chunk_ids, comment, kind.

    kind is "answer" for a vote on an answer shown and "missing" for an answer the lessons
    did not give and someone says they should have (its rating is "down").

    \b
    Examples:
      plw feedback export > feedback.csv
      PLW_INDEX_DIR=/srv/plw/index plw feedback export -o votes.csv
    """
    store = FeedbackStore(AppDatabase.from_settings(get_settings()))
    text = store.to_csv()
    if output is None:
        click.echo(text, nl=False)
        return
    write_text(output, text)
    click.echo(f"Wrote {len(store.rows())} vote(s) to {output}.", err=True)
