"""The ``plw`` command group: one line on stderr for every error, commands from their modules."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from .. import __version__
from ..errors import PLWError
from .common import CONTEXT

EXIT_ERROR = 1


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
        except OSError as exc:  # a file or folder the command was pointed at
            where = f" ({exc.filename})" if exc.filename else ""
            message = f"{exc.strerror or exc}{where}. Check the path and its permissions."
            raise Failure(message) from None


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
      plw gaps                       questions the notes could not answer, grouped
      plw eval ../shared/bench/scifact --mode hybrid --json
      plw bench --sizes shipped,10k --no-write

    Paths and model come from the environment: PLW_CORPUS_DIR (default ./corpus),
    PLW_INDEX_DIR (default ./index), PLW_MODEL (default: the bundled all-MiniLM-L6-v2).
    Exit codes: 0 done, 1 error, 2 wrong usage, 3 indexed but some files failed.
    """


def _register() -> None:
    from .ask import ask, chat
    from .eval import eval_cmd
    from .feedback import feedback_cmd
    from .gaps import gaps_cmd
    from .index import index_cmd
    from .serve import serve

    for command in (index_cmd, ask, chat, serve, eval_cmd, feedback_cmd, gaps_cmd):
        cli.add_command(command)
    try:  # `plw bench` lives beside the product (src/plw_bench), in a checkout only
        from plw_bench.cli import bench_cmd
    except ImportError:
        return
    cli.add_command(bench_cmd)


_register()


class _AboveProgressBars(logging.Handler):
    """Lines on stderr that leave a progress bar drawn there whole, below them."""

    def emit(self, record: logging.LogRecord) -> None:
        from tqdm import tqdm

        tqdm.write(self.format(record), file=sys.stderr)


def _say_precision_choices() -> None:
    """The once-per-machine timing of precisions (``embedding.precision``) takes a few
    seconds of a first command: say so on stderr, as the server's log does."""
    logger = logging.getLogger("plw_assistant.precision")
    if not logger.handlers:
        handler = _AboveProgressBars()
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def main() -> None:
    """Console entry point."""
    _say_precision_choices()
    cli()
