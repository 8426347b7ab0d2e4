"""The ``plw`` command: a thin shell over the core (``assistant``), never over the web app."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from . import __version__
from .cli_common import CONTEXT, k_option, mode_option, progress_bar
from .config import Settings, get_settings
from .errors import CorpusError, PLWError
from .retrieve import Mode

EXIT_ERROR = 1
EXIT_PARTIAL = 3


class Failure(click.ClickException):
    """A runtime error: one line on stderr, exit code 1, no traceback."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.message}", err=True)


class Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PLWError as exc:
            raise Failure(str(exc)) from None


@click.group(cls=Group, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="plw")
def cli() -> None:
    """Ask the lessons learnt from the BLUES Peer Learning Webinars.

    \b
    Examples:
      plw index                      build the index from ./corpus
      plw ask "How can clusters support members with EU funding?"
      plw ask --json -k 3 "What helps in a crisis?"
      plw serve                      chat at http://127.0.0.1:8000
      plw chat                       a conversation in the terminal
      plw eval --questions tests/golden/plw-dev.jsonl
      plw eval ../shared/bench/scifact --mode hybrid --json
      plw bench --sizes shipped,10k --no-write

    Paths and model come from the environment: PLW_CORPUS_DIR (default ./corpus),
    PLW_INDEX_DIR (default ./index), PLW_MODEL (default: the bundled all-MiniLM-L6-v2).
    Exit codes: 0 done, 1 error, 2 wrong usage, 3 indexed but some files failed.
    """


def _progress(desc: str) -> Callable[[int], Callable[[int], None]]:
    return lambda total: progress_bar(desc, total, "passage")


def _build(settings: Settings, embedder: Any) -> int:
    from .build import build_index

    return _print_report(settings, build_index(settings, embedder, _progress("Embedding")))


def _print_report(settings: Settings, report: Any) -> int:
    if report.full_rebuild:
        click.echo(f"Rebuilding everything: {report.full_rebuild}.", err=True)
    for f in report.files:
        if f.status != "unchanged":
            click.echo(f"  {f.status:<9} {f.path}" + (f" ({f.reason})" if f.reason else ""))
    if report.path is None:
        click.echo(
            f"Nothing changed: {report.documents} documents, {report.chunks} passages "
            f"are up to date ({report.seconds:.1f} s)."
        )
    else:
        click.echo(
            f"Indexed {report.documents} documents, {report.chunks} passages in "
            f"{report.seconds:.1f} s with {settings.model} → {report.path}"
        )
    click.echo(report.totals())
    if report.failed:
        click.echo(
            f"{len(report.failed)} file(s) failed; fix them and run `plw index` again.", err=True
        )
        return EXIT_PARTIAL
    return 0


@cli.command("index", context_settings=CONTEXT)
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
    from .embed import SentenceTransformerEmbedder

    settings = get_settings()
    embedder = SentenceTransformerEmbedder.from_settings(settings)
    code = _build(settings, embedder)
    if not watch:
        sys.exit(code)
    from .build import watch as watch_corpus

    click.echo(f"Watching {settings.corpus_dir} for changes (Ctrl-C to stop)…", err=True)

    def show(report: Any) -> None:
        if isinstance(report, PLWError):
            click.echo(f"Error: {report}", err=True)
        else:
            _print_report(settings, report)

    watch_corpus(settings, embedder, show)


@cli.command(context_settings=CONTEXT)
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
    from .assistant import Assistant

    answer = Assistant(get_settings()).ask(question, k, mode)
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
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
        where += f", p. {c.page}" if c.page else ""
        click.echo(f"[{c.n}] {where} (score {c.score:.2f})")
        click.echo("    " + c.text.replace("\n", "\n    "))


@cli.command(context_settings=CONTEXT)
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
    from .assistant import Assistant
    from .errors import QuestionError
    from .followup import Turn

    assistant = Assistant(get_settings())
    history: list[Turn] = []
    while True:
        try:
            question = click.prompt("?", prompt_suffix=" ", default="", show_default=False)
        except (EOFError, click.exceptions.Abort):
            break
        if question.strip().lower() in {"", "exit", "quit"}:
            break
        try:
            answer = assistant.ask(question, k, mode, history)
        except QuestionError as exc:
            click.echo(str(exc), err=True)
            continue
        _show(answer)
        click.echo()
        cited = tuple(c.chunk_id for c in answer.citations if c.highlights)
        history.append(Turn(answer.question, answer.answer, cited))


@cli.command(context_settings=CONTEXT)
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

    from .build import stale_reason
    from .embed import SentenceTransformerEmbedder

    settings = get_settings()
    embedder = SentenceTransformerEmbedder.from_settings(settings)
    try:
        reason = stale_reason(settings, embedder)
    except CorpusError as exc:
        reason = None
        click.echo(f"Serving the existing index: {exc}", err=True)
    if reason:
        click.echo(f"Building the index: {reason}.", err=True)
        _build(settings, embedder)
    if watch:
        os.environ["PLW_WATCH"] = "1"  # read by the app's own settings
        get_settings.cache_clear()
    click.echo(f"PLW Assistant: http://{host}:{port}", err=True)
    uvicorn.run("plw_assistant.web:create_app", factory=True, host=host, port=port)


from . import cli_bench, cli_eval, cli_feedback  # noqa: E402  (commands of the group above)

cli.add_command(cli_bench.bench_cmd)
cli.add_command(cli_eval.eval_cmd)
cli.add_command(cli_feedback.feedback_cmd)


def main() -> None:
    """Console entry point."""
    cli()
