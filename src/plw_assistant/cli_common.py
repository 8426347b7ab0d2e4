"""Pieces shared by the ``plw`` commands: options, help settings and progress bars."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from .config import MAX_K
from .retrieve import MODES

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


def progress_bar(desc: str, total: int, unit: str = "it") -> Callable[[int], None]:
    """A tqdm bar on stderr; the returned function advances it and closes it when full."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False)

    def update(n: int) -> None:
        bar.update(n)
        if bar.n >= total:
            bar.close()

    return update
