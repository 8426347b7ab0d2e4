"""Pieces shared by the ``plw`` commands: options, help settings and progress bars."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..config import MAX_K, Settings
from ..domain import MODES
from ..errors import PLWError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

k_option = click.option(
    "-k",
    "k",
    type=click.IntRange(1, MAX_K),
    default=None,
    help="How many passages to retrieve (default PLW_TOP_K, 5).",
)
mode_option = click.option(
    "--mode",
    type=click.Choice(MODES),
    default=None,
    help="Retrieval mode (default PLW_MODE, hybrid).",
)
output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the CSV to this file instead of standard output.",
)


def progress_bar(desc: str, total: int, unit: str = "it") -> Callable[[int], None]:
    """A tqdm bar on stderr; the returned function advances it and closes it when full."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False)

    def update(n: int) -> None:
        bar.update(n)
        if bar.n >= total:
            bar.close()

    return update


EXIT_PARTIAL = 3


def progress_factory(desc: str) -> Callable[[int], Callable[[int], None]]:
    return lambda total: progress_bar(desc, total, "passage")


def build(settings: Settings, embedder: Any) -> int:
    """Bring the index up to date, printing the report; the exit code it calls for."""
    from ..pipeline.build import build_index

    report = build_index(settings, embedder, progress_factory("Embedding"))
    _keep(settings, report)
    return print_report(settings, report)


def _keep(settings: Settings, report: Any) -> None:
    """The build's report for /admin, beside those the servers make (a server's workers
    leave building to ``plw index``); failing to keep it does not fail the build."""
    from ..appdata.builds import BuildLog
    from ..appdata.database import AppDatabase

    try:
        BuildLog(AppDatabase.from_settings(settings)).record(report.summary())
    except PLWError as exc:
        click.echo(f"Warning: {exc}", err=True)


def print_report(settings: Settings, report: Any) -> int:
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
    if report.long_passages():
        click.echo(f"{report.long_passages()}.")
    if report.glossary_summary():
        click.echo(f"{report.glossary_summary()}.")
    for problem in report.glossary_problems:
        click.echo(f"  {problem}")
    if report.failed:
        click.echo(
            f"{len(report.failed)} file(s) failed; fix them and run `plw index` again.", err=True
        )
        return EXIT_PARTIAL
    return 0


def write_text(output: Path, text: str) -> None:
    """Write an export; a folder that does not exist (or any OSError) is one sentence."""
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(
            f"Could not write {output}: {exc.strerror or exc}. Choose a folder that exists."
        ) from None
