"""``plw ask`` and ``plw chat``: answers in the terminal, with their sources."""

from __future__ import annotations

import io
import sys
from typing import Any

import click

from ..config import get_settings
from ..domain import Mode
from .common import CONTEXT, k_option, mode_option


@click.command(context_settings=CONTEXT)
@click.argument("question")
@k_option
@mode_option
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option(
    "--markdown", is_flag=True, help="Print the answer as Markdown, its citations as footnotes."
)
def ask(question: str, k: int | None, mode: Mode | None, as_json: bool, markdown: bool) -> None:
    """Answer QUESTION from the index, citing the passages it used.

    \b
    Examples:
      plw ask "How can clusters support their members with EU funding?"
      plw ask --json -k 3 "Why keep communicating with members in a crisis?"
      plw ask --mode bm25 "RECIPE4Mobility"
    """
    from ..assistant import Assistant
    from ..domain import Question
    from ..web.responses import AnswerOut

    answer = Assistant(get_settings()).ask(Question(question, k, mode))
    if as_json:
        click.echo(AnswerOut.of(answer).model_dump_json(indent=2))
        return
    if markdown:
        click.echo(answer.to_markdown(), nl=False)
        return
    _show(answer)


def _show(answer: Any) -> None:
    click.echo(answer.answer)
    if answer.citations:
        click.echo("\nSources:")
    for c in answer.citations:
        where = " › ".join(p for p in (c.title, c.section) if p)
        where += f", {c.place}" if c.place else ""
        click.echo(f"[{c.n}] {where} (score {c.score:.2f})")
        click.echo("    " + c.text.replace("\n", "\n    "))


@click.command(context_settings=CONTEXT)
@k_option
@mode_option
def chat(k: int | None, mode: Mode | None) -> None:
    """Ask questions in a conversation: follow-ups ("and for SMEs?") use the earlier turns.

    Type a question and press Enter; an empty line, `exit` or Ctrl-D ends the chat.

    \b
    Examples:
      plw chat
      plw chat --mode dense -k 3
    """
    from ..assistant import Assistant
    from ..domain import Question, Turn
    from ..errors import QuestionError

    assistant = Assistant(get_settings())
    history: list[Turn] = []
    if isinstance(sys.stdin, io.TextIOWrapper):  # a line that is not UTF-8 is read, not fatal
        sys.stdin.reconfigure(errors="replace")
    while True:
        try:
            question = click.prompt("?", prompt_suffix=" ", default="", show_default=False)
        except (EOFError, click.exceptions.Abort):
            break
        if question.strip().lower() in {"", "exit", "quit"}:
            break
        try:
            answer = assistant.ask(Question(question, k, mode, tuple(history)))
        except QuestionError as exc:
            click.echo(str(exc), err=True)
            continue
        _show(answer)
        click.echo()
        cited = tuple(c.chunk_id for c in answer.citations if c.cited)
        history.append(Turn(answer.question, answer.answer, cited))
