"""The ``plw`` command group: one line on stderr for every error; each command imported only
when it runs (``plw index`` never loads the web app), the product's own from their modules and
others (``plw bench``) from the ``plw_assistant.commands`` entry-point group."""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from collections.abc import Iterable
from importlib.metadata import EntryPoint, entry_points
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


GROUP = "plw_assistant.commands"
# The product's own commands. Other packages add theirs to the entry-point group GROUP in
# their packaging metadata (pyproject.toml: [project.entry-points."plw_assistant.commands"]).
OWN = {
    "index": "plw_assistant.cli.index:index_cmd",
    "ask": "plw_assistant.cli.ask:ask",
    "chat": "plw_assistant.cli.ask:chat",
    "serve": "plw_assistant.cli.serve:serve",
    "eval": "plw_assistant.cli.eval:eval_cmd",
    "feedback": "plw_assistant.cli.feedback:feedback_cmd",
    "gaps": "plw_assistant.cli.gaps:gaps_cmd",
}


def discover(declared: Iterable[EntryPoint] | None = None) -> dict[str, EntryPoint]:
    """Every command by name: the product's own, then those declared in GROUP (by default, by
    the installed packages) whose package can be imported here. ``plw bench``'s package lives
    in a checkout only, never in the wheel: installed from the wheel, ``plw`` has no bench."""
    found = {name: EntryPoint(name, target, GROUP) for name, target in OWN.items()}
    for point in entry_points(group=GROUP) if declared is None else declared:
        if point.name not in found and _importable(point.module):
            found[point.name] = point
    return found


def _load(point: EntryPoint) -> click.Command:
    command = point.load()
    if not isinstance(command, click.Command):
        raise Failure(f"{point.value} is not a click command; fix its entry point.")
    return command


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module.partition(".")[0]) is not None
    except (ImportError, ValueError):
        return False


class Group(click.Group):
    """Commands are imported when asked for: the product's own without reading any packaging
    metadata, the others after one look at the entry points."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(discover()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            own = OWN.get(cmd_name)
            point = EntryPoint(cmd_name, own, GROUP) if own else discover().get(cmd_name)
            if point is not None:
                self.add_command(_load(point), cmd_name)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PLWError as exc:
            raise Failure(str(exc)) from None
        except BrokenPipeError:  # `plw gaps | head`: the reader has what it wanted
            _quiet_exit()
        except OSError as exc:  # a file or folder the command was pointed at
            where = f" ({exc.filename})" if exc.filename else ""
            message = f"{exc.strerror or exc}{where}. Check the path and its permissions."
            raise Failure(message) from None


def _quiet_exit() -> None:
    """Stop without a word: nobody reads the rest, and Python would complain at exit while
    flushing into the closed pipe (the way its documentation recommends)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(EXIT_ERROR)


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
